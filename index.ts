// External Secrets Operator with Azure Key Vault, one environment per stack. Read top to bottom, this is the
// runbook in dependency order: vault, identity, operator, store, synced secrets, workloads.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import {
    EsoIdentity,
    ExternalSecretsOperator,
    KeyVault,
    Namespaces,
    objectGrants,
    SecretStore,
    type SignInMethod,
    storeSignIn,
    type StoreRef,
    SyncedSecrets,
    Tenant,
    VaultSecrets,
    Workload,
} from "./components";
import { type ExternalSecretConfig, loadStackConfig, objectsToVerify } from "./stacks";

// Validate everything first: a bad key stops the run before any resource is registered.
const config = loadStackConfig();
const { auth } = config;

const client = authorization.getClientConfigOutput();
// App registrations are owned by the configured owners, or else by whoever first deploys them.
const owners =
    auth.mode !== "managedIdentity" && auth.owners !== undefined
        ? { ids: auth.owners, atCreationOnly: false }
        : { ids: [client.objectId], atCreationOnly: true };
const tenantId = config.azure.tenantId ?? client.tenantId;
const cluster = new KubernetesProvider("cluster", {
    kubeconfig: config.kubernetes.kubeconfig,
    context: config.kubernetes.context,
});
const onCluster = { provider: cluster };

// 1-2. Key Vault (created, or an existing one adopted), and the secrets seeded into it. Production stacks protect
// both from deletion.
const protectData = { protect: config.production };
const vault = new KeyVault(
    "vault",
    config.vault.existing
        ? {
              existing: true,
              resourceGroupName: config.azure.resourceGroupName,
              vaultName: config.vault.name as string, // validation requires it for an adopted vault
              subscriptionId: client.subscriptionId,
          }
        : {
              resourceGroupName: config.azure.resourceGroupName,
              vaultName: config.vault.name,
              location: config.azure.location,
              tenantId,
              softDeleteRetentionDays: config.vault.softDeleteRetentionDays,
              purgeProtection: config.vault.purgeProtection,
              createMode: config.vault.createMode,
              network: config.vault.network,
          },
    protectData,
);
const seeded = new VaultSecrets(
    "seeded",
    { resourceGroupName: config.azure.resourceGroupName, vaultName: vault.vaultName, secrets: config.seededSecrets },
    protectData,
);

// 3-4. ESO's identity in Azure (service principal, workload identity or managed identity), allowed to read the
// vault, or with tenants only the secrets no tenant owns.
const { sharedAccess } = config;
const identity = new EsoIdentity("eso", {
    identity:
        auth.mode === "workloadIdentity"
            ? { ...auth, serviceAccounts: [{ namespace: config.eso.namespace, name: auth.serviceAccountName }] }
            : auth,
    owners,
    subscriptionId: client.subscriptionId,
    grants: sharedAccess.vaultWide
        ? {
              secrets: { vault: vault.vaultId },
              readers: sharedAccess.readsPublicObjects ? { vault: vault.vaultId } : {},
          }
        : objectGrants(vault.vaultId, sharedAccess.grants, seeded.secretIds),
});

// 5. The operator. With workload identity its service account carries the identity and its pods get the token.
const esoNamespaceExists = config.existingNamespaces.includes(config.eso.namespace);
const operator = new ExternalSecretsOperator(
    "eso",
    {
        namespace: config.eso.namespace,
        createNamespace: !esoNamespaceExists,
        releaseName: config.eso.releaseName,
        chartVersion: config.eso.chartVersion,
        workloadIdentity:
            auth.mode === "workloadIdentity"
                ? { serviceAccountName: auth.serviceAccountName, clientId: identity.clientId, tenantId }
                : undefined,
    },
    onCluster,
);

// Application namespaces, each with one owner: the stack, or whoever created it before.
const namespaces = new Namespaces(
    "apps",
    {
        owned: config.kubernetes.ownedNamespaces,
        existing: config.existingNamespaces.filter((ns) => ns !== config.eso.namespace),
        createdElsewhere: { [config.eso.namespace]: operator.namespace },
    },
    onCluster,
);

// 6. How the shared store signs in (the credential Secret, the operator's service account, or the nodes' identity),
// and the check that its identity can read what its ExternalSecrets name.
const sharedExternalSecrets = config.externalSecrets.filter((es) => es.tenant === undefined);
const checkArgs = (reads: readonly string[]) => ({
    vaultUrl: vault.vaultUri,
    cloud: config.azure.cloud,
    objects: reads,
    timeoutSeconds: config.store.readyTimeoutSeconds,
    kubeconfig: config.kubernetes.kubeconfig,
    context: config.kubernetes.context,
});
const sharedMethod: SignInMethod =
    auth.mode === "servicePrincipal"
        ? {
              mode: "servicePrincipal",
              clientSecret: identity.clientSecret as pulumi.Output<string>, // present in this mode
              secret: auth.credentialSecret,
          }
        : auth.mode === "workloadIdentity"
          ? { mode: "workloadIdentity", serviceAccountName: auth.serviceAccountName, createServiceAccount: false }
          : { mode: "managedIdentity" };
const signIn = storeSignIn(
    { credentials: "eso-credentials", serviceAccount: "eso-service-account", check: "eso-access-check" },
    {
        method: sharedMethod,
        clientId: identity.clientId,
        tenantId,
        namespace: operator.namespace,
        grants: identity.grants,
        after: [operator.release],
        check: checkArgs(objectsToVerify(sharedExternalSecrets)),
    },
    onCluster,
);

// 7. The store, applied once the webhook serves; `up` waits for Ready (ESO accepted it, nothing more).
const store = new SecretStore(
    "store",
    {
        storeName: config.store.name,
        scope: { kind: "ClusterSecretStore", namespaces: config.store.namespaces },
        vaultUrl: vault.vaultUri,
        cloud: config.azure.cloud,
        auth: signIn.auth,
        readyTimeoutSeconds: config.store.readyTimeoutSeconds,
    },
    { ...onCluster, dependsOn: [...signIn.ready] },
);

// 7b. Tenants: each its own identity, allowed only its own secrets (one role assignment per object), and its own
// store usable only from its namespaces.
const tenantStores = new Map<string, StoreRef>();
for (const tenant of config.tenants) {
    const reads = (ns: string) =>
        objectsToVerify(config.externalSecrets.filter((es) => es.tenant === tenant.name && es.namespace === ns));
    const stores = new Tenant(
        `tenant-${tenant.name}`,
        {
            tenant: tenant.name,
            namespaces: Object.fromEntries(tenant.namespaces.map((ns) => [ns, namespaces.get(ns)])),
            storeKind: tenant.storeKind,
            storeName: tenant.storeName,
            identity:
                auth.mode === "managedIdentity"
                    ? {
                          mode: "managedIdentity",
                          // Present in this mode: validation requires it.
                          ...(tenant.managedIdentity as { clientId: string; principalId: string }),
                      }
                    : { ...auth, displayName: `${auth.displayName}-${tenant.name}` },
            grants: objectGrants(vault.vaultId, tenant.grants, seeded.secretIds),
            esoNamespace: operator.namespace,
            esoNamespaceName: config.eso.namespace,
            storesWaitFor: [operator.release],
            owners,
            subscriptionId: client.subscriptionId,
            tenantId,
            cloud: config.azure.cloud,
            vaultUrl: vault.vaultUri,
            readyTimeoutSeconds: config.store.readyTimeoutSeconds,
            readsByNamespace: Object.fromEntries(tenant.namespaces.map((ns) => [ns, reads(ns)])),
            kubernetes: { kubeconfig: config.kubernetes.kubeconfig, context: config.kubernetes.context },
        },
        onCluster,
    );
    for (const ns of tenant.namespaces) tenantStores.set(ns, stores.storeFor(ns));
}

// 8. Synced secrets, each from its tenant's store or the shared one, applied once that store's identity can read;
// `up` waits until each is Ready. Names join namespace and name with "/", which neither may contain.
const sharedStore: StoreRef = {
    kind: store.kind,
    name: store.storeName,
    resource: store.store,
    verified: signIn.verified,
};
const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;
const synced = new SyncedSecrets(
    "synced",
    {
        externalSecrets: config.externalSecrets.map((es) => ({
            ...es,
            key: keyOf(es.namespace, es.name),
            formerKey: formerKeyOf(config.externalSecrets, es),
            namespace: namespaces.get(es.namespace),
            store: es.tenant === undefined ? sharedStore : (tenantStores.get(es.namespace) as StoreRef),
            targetName: es.target,
        })),
        readyTimeoutSeconds: config.store.readyTimeoutSeconds,
    },
    onCluster,
);

// 9. Workloads that mount a synced Secret, created once their ExternalSecret is Ready.
for (const workload of config.workloads) {
    const source = config.externalSecrets.find(
        (es) => es.namespace === workload.namespace && es.name === workload.externalSecret,
    ) as ExternalSecretConfig;
    const former = formerKeyOf(config.workloads, workload);
    new Workload(
        keyOf(workload.namespace, workload.name),
        {
            podName: workload.name,
            namespace: namespaces.get(workload.namespace),
            image: workload.image,
            command: workload.command,
            secretName: source.target,
            mountPath: workload.mountPath,
        },
        {
            ...onCluster,
            dependsOn: [synced.get(keyOf(source.namespace, source.name))],
            aliases: former === undefined ? [] : [{ name: former }],
        },
    );
}

/**
 * The key an entry had when names joined namespace and name with "-" (which both may contain), kept as an alias
 * so deployed resources are not replaced. Of entries that shared one, only the first could have been deployed (the
 * engine refuses a second resource with the same URN), so only the first keeps it.
 */
function formerKeyOf<T extends { namespace: string; name: string }>(all: readonly T[], entry: T): string | undefined {
    const former = (item: T): string => `${item.namespace}-${item.name}`;
    return all.find((item) => former(item) === former(entry)) === entry ? former(entry) : undefined;
}

export const vaultName = vault.vaultName;
export const vaultUri = vault.vaultUri;
export const clientId = identity.clientId;
export const storeName = store.storeName;
export const externalSecretNames = synced.names;
export const credentialsExpireOn = identity.clientSecretExpiresOn;
export const tenant = pulumi.output(tenantId);
