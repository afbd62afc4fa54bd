// External Secrets Operator with Azure Key Vault, one environment per stack. Read top to bottom, this is the
// runbook in dependency order: vault, identity, operator, store, synced secrets, workloads.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import {
    CredentialSecret,
    EsoIdentity,
    ExternalSecretsOperator,
    KeyVault,
    Namespaces,
    SecretStore,
    type StoreAuth,
    type StoreRef,
    SyncedSecrets,
    Tenant,
    objectGrants,
    VaultSecrets,
    Workload,
} from "./components";
import { type ExternalSecretConfig, loadStackConfig } from "./stacks";

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
              vaultName: config.vault.name,
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

// 3-4. ESO's identity in Azure (service principal, workload identity or managed identity), allowed to read the vault.
const identity = new EsoIdentity("eso", {
    identity:
        auth.mode === "workloadIdentity"
            ? { ...auth, serviceAccounts: [{ namespace: config.eso.namespace, name: auth.serviceAccountName }] }
            : auth,
    owners,
    subscriptionId: client.subscriptionId,
    grants: {
        secrets: { vault: vault.vaultId },
        readers: config.sharedReadsPublicObjects ? { vault: vault.vaultId } : {},
    },
});

// 5. The operator. With workload identity its service account carries the identity and its pods get the token.
const operator = new ExternalSecretsOperator(
    "eso",
    {
        namespace: config.eso.namespace,
        releaseName: config.eso.releaseName,
        chartVersion: config.eso.chartVersion,
        workloadIdentity:
            auth.mode === "workloadIdentity"
                ? { serviceAccountName: auth.serviceAccountName, clientId: identity.clientId, tenantId }
                : undefined,
    },
    onCluster,
);

// 6. How the store signs in: the credential Secret, the operator's service account, or the nodes' identity.
let storeAuth: StoreAuth;
const storeWaitsFor: pulumi.Resource[] = [operator.release, ...identity.grants];
if (auth.mode === "servicePrincipal") {
    const credentials = new CredentialSecret(
        "eso-credentials",
        {
            namespace: operator.namespace,
            secretName: auth.credentialSecret.name,
            clientIdKey: auth.credentialSecret.clientIdKey,
            clientSecretKey: auth.credentialSecret.clientSecretKey,
            clientId: identity.clientId,
            clientSecret: identity.clientSecret as pulumi.Output<string>,
        },
        onCluster,
    );
    storeWaitsFor.push(credentials.secret);
    storeAuth = {
        type: "servicePrincipal",
        secretName: credentials.secretName,
        secretNamespace: operator.namespace,
        clientIdKey: auth.credentialSecret.clientIdKey,
        clientSecretKey: auth.credentialSecret.clientSecretKey,
    };
} else if (auth.mode === "workloadIdentity") {
    storeAuth = {
        type: "workloadIdentity",
        serviceAccountName: auth.serviceAccountName,
        serviceAccountNamespace: operator.namespace,
    };
} else {
    storeAuth = { type: "managedIdentity", identityId: auth.clientId };
}

// Application namespaces: those of ExternalSecrets, workloads and tenants, unless they exist already.
const namespaces = new Namespaces(
    "apps",
    {
        create: [
            ...config.externalSecrets.map((es) => es.namespace),
            ...config.workloads.map((workload) => workload.namespace),
            ...config.tenants.flatMap((tenant) => tenant.namespaces),
        ],
        existing: config.kubernetes.existingNamespaces,
    },
    onCluster,
);

// 7. The store: applied once the webhook serves and the identity may read the vault; `up` waits for Ready.
const store = new SecretStore(
    "store",
    {
        storeName: config.store.name,
        scope: { kind: "ClusterSecretStore", namespaces: config.store.namespaces },
        vaultUrl: vault.vaultUri,
        tenantId,
        cloud: config.azure.cloud,
        auth: storeAuth,
        readyTimeoutSeconds: config.store.readyTimeoutSeconds,
    },
    { ...onCluster, dependsOn: storeWaitsFor },
);

// 7b. Tenants: each its own identity, allowed only its own secrets (one role assignment per object), and its own
// store usable only from its namespaces.
const tenantStores = new Map<string, StoreRef>();
for (const tenant of config.tenants) {
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
        },
        onCluster,
    );
    for (const ns of tenant.namespaces) tenantStores.set(ns, stores.storeFor(ns));
}

// 8. Synced secrets, each from its tenant's store or the shared one; `up` waits until each is Ready.
const sharedStore: StoreRef = { kind: store.kind, name: store.storeName, resource: store.store };
const keyOf = (namespace: string, name: string): string => `${namespace}-${name}`;
const synced = new SyncedSecrets(
    "synced",
    {
        externalSecrets: config.externalSecrets.map((es) => ({
            ...es,
            key: keyOf(es.namespace, es.name),
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
        { ...onCluster, dependsOn: [synced.get(keyOf(source.namespace, source.name))] },
    );
}

export const vaultName = vault.vaultName;
export const vaultUri = vault.vaultUri;
export const clientId = identity.clientId;
export const storeName = store.storeName;
export const externalSecretNames = synced.names;
export const credentialsExpireOn = identity.clientSecretExpiresOn;
export const tenant = pulumi.output(tenantId);
