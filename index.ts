// External Secrets Operator with Azure Key Vault, one environment per stack. Read top to bottom, this is the
// runbook in dependency order: vault, identity, operator, store, synced secrets, workloads. Each step's outputs
// resolve only once it is ready, so whatever the next step builds from them waits for it.
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
    storeRefOf,
    storeSignIn,
    type StoreRef,
    SyncedSecrets,
    Tenant,
    VaultSecrets,
    Workload,
} from "./components";
import { formerKeyOf, keyOf, loadStackConfig, objectsToVerify } from "./stacks";

// Validate everything first: a bad key stops the run before any resource is registered.
const config = loadStackConfig();
const { auth, azure } = config;
const client = authorization.getClientConfigOutput();
const tenantId = azure.tenantId ?? client.tenantId;
const cluster = new KubernetesProvider("cluster", config.kubernetes);
const onCluster = { provider: cluster };

// 1-2. Key Vault (created, or an existing one adopted) and its seeded secrets; production stacks protect both.
const protectData = { protect: config.production };
const vault = new KeyVault(
    "vault",
    { vault: config.vault, ...azure, tenantId, subscriptionId: client.subscriptionId },
    protectData,
);
const seeded = new VaultSecrets(
    "seeded",
    { resourceGroupName: azure.resourceGroupName, vaultName: vault.vaultName, secrets: config.seededSecrets },
    protectData,
);

// 3-4. ESO's identity in Azure, allowed to read the vault (with tenants, only the secrets no tenant owns).
const { sharedAccess } = config;
const identity = new EsoIdentity("eso", {
    auth,
    serviceAccounts:
        auth.mode === "workloadIdentity" ? [{ namespace: config.eso.namespace, name: auth.serviceAccountName }] : [],
    deployer: client.objectId,
    subscriptionId: client.subscriptionId,
    grants: sharedAccess.vaultWide
        ? {
              secrets: { vault: vault.vaultId },
              readers: sharedAccess.readsPublicObjects ? { vault: vault.vaultId } : {},
          }
        : objectGrants(vault.vaultId, sharedAccess.grants, seeded.secretIds),
});

// 5. The operator; with workload identity its service account carries the identity. Then the namespaces.
const operator = new ExternalSecretsOperator(
    "eso",
    {
        ...config.eso,
        workloadIdentity:
            auth.mode === "workloadIdentity"
                ? { serviceAccountName: auth.serviceAccountName, clientId: identity.clientId, tenantId }
                : undefined,
    },
    onCluster,
);
const namespaces = new Namespaces(
    "apps",
    { ...config.namespaces, createdElsewhere: { [config.eso.namespace]: operator.namespace } },
    onCluster,
);

// 6-7. How the shared store signs in (and the check that it can read), and the store, usable from its namespaces.
const check = (reads: readonly string[]) => ({
    vaultUrl: vault.vaultUri,
    cloud: azure.cloud,
    objects: reads.map((object) => seeded.reference(object)),
    timeoutSeconds: config.store.readyTimeoutSeconds,
    kubeconfig: config.kubernetes.kubeconfig,
    context: config.kubernetes.context,
});
const signIn = storeSignIn(
    { credentials: "eso-credentials", serviceAccount: "eso-service-account", check: "eso-access-check" },
    {
        identity,
        auth,
        tenantId,
        namespace: operator.namespace,
        operator,
        createServiceAccount: false, // the chart's own
        check: check(objectsToVerify(config.externalSecrets.filter((es) => es.tenant === undefined))),
    },
    onCluster,
);
const store = new SecretStore(
    "store",
    {
        storeName: config.store.name,
        scope: { kind: "ClusterSecretStore", namespaces: config.store.namespaces },
        vaultUrl: vault.vaultUri,
        cloud: azure.cloud,
        auth: signIn.auth,
        readyTimeoutSeconds: config.store.readyTimeoutSeconds,
    },
    onCluster,
);

// 7b. Tenants: each its own identity, allowed only its own secrets, and its own store(s) in its namespaces.
const storeOf = new Map<string, StoreRef>();
for (const tenant of config.tenants) {
    const stores = new Tenant(
        `tenant-${tenant.name}`,
        {
            tenant: tenant.name,
            auth: tenant.auth,
            namespaces: Object.fromEntries(tenant.namespaces.map((ns) => [ns, namespaces.get(ns)])),
            storeKind: tenant.storeKind,
            storeName: tenant.storeName,
            grants: objectGrants(vault.vaultId, tenant.grants, seeded.secretIds),
            operator: {
                namespaceName: config.eso.namespace,
                namespace: operator.namespace,
                servingNamespace: operator.servingNamespace,
                release: operator.release,
            },
            deployer: client.objectId,
            subscriptionId: client.subscriptionId,
            tenantId,
            cloud: azure.cloud,
            vaultUrl: vault.vaultUri,
            readyTimeoutSeconds: config.store.readyTimeoutSeconds,
            readsByNamespace: tenant.reads,
            reference: (object) => seeded.reference(object),
            kubernetes: config.kubernetes,
        },
        onCluster,
    );
    for (const ns of tenant.namespaces) storeOf.set(ns, stores.storeFor(ns));
}

// 8. Synced secrets, each through its tenant's store or the shared one; `up` waits until each is Ready.
const sharedStore = storeRefOf(store, signIn);
const synced = new SyncedSecrets(
    "synced",
    {
        externalSecrets: config.externalSecrets.map((es) => ({
            ...es,
            key: keyOf(es),
            formerKey: formerKeyOf(config.externalSecrets, es),
            namespace: namespaces.get(es.namespace),
            store: es.tenant === undefined ? sharedStore : (storeOf.get(es.namespace) as StoreRef),
            targetName: es.target,
        })),
        readyTimeoutSeconds: config.store.readyTimeoutSeconds,
        reference: (object) => seeded.reference(object),
    },
    onCluster,
);

// 9. Workloads that mount a synced Secret, created once it is synced.
for (const workload of config.workloads) {
    const former = formerKeyOf(config.workloads, workload);
    new Workload(
        keyOf(workload),
        {
            ...workload,
            podName: workload.name,
            namespace: namespaces.get(workload.namespace),
            secretName: synced.secretName(keyOf({ namespace: workload.namespace, name: workload.externalSecret })),
        },
        { ...onCluster, aliases: former === undefined ? [] : [{ name: former }] },
    );
}

export const vaultName = vault.vaultName;
export const vaultUri = vault.vaultUri;
export const clientId = identity.clientId;
export const storeName = store.storeName;
export const externalSecretNames = synced.names;
export const credentialsExpireOn =
    identity.credentials.mode === "servicePrincipal" ? identity.credentials.expiresOn : undefined;
export const tenant = pulumi.output(tenantId);
