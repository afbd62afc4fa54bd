// External Secrets Operator with Azure Key Vault, one environment per stack. Read top to bottom, this is the
// runbook in dependency order: vault, identity, operator, store, synced secrets, workloads. Each step's outputs
// resolve only once it is ready, so whatever the next step builds from them waits for it.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import {
    aksCluster,
    clusterSecrets,
    clusterStores,
    EsoIdentity,
    ExternalSecretsOperator,
    metricsValues,
    Namespaces,
    objectGrants,
    ownVault,
    SyncAlerts,
    vaultOfStack,
    vaultWideGrants,
    Workload,
} from "./components";
import { type ObjectGrants, loadStackConfig } from "./stacks";

// Validate everything first: a bad key stops the run before any resource is registered.
const config = loadStackConfig();
const { auth, azure, sharedAccess } = config;
const client = authorization.getClientConfigOutput();
const tenantId = azure.tenantId ?? client.tenantId;
// 1-2. Key Vault and its seeded secrets: the stack's own (created, or an existing one adopted), or in a fleet's
// cluster stack the vault stack's, read through a StackReference. Production stacks protect both, and keep ESO's
// CRDs, the namespaces they created and every synced Secret on destroy (docs/lifecycle.md).
const protectData = { protect: config.production };
const { vault, seeded } =
    config.fleet.role === "cluster"
        ? vaultOfStack("vault", config.fleet.vaultStack)
        : ownVault("vault", { ...config, ...azure, tenantId, subscriptionId: client.subscriptionId }, protectData);
const grantsOn = (objects: ObjectGrants) => objectGrants(vault.vaultId, objects, seeded.secretIds);

// 3-9. The cluster: ESO, its identity and stores, the synced secrets and workloads (none in a fleet's vault stack).
const cluster = config.fleet.role === "vault" ? undefined : deployToCluster();

function deployToCluster() {
    // The cluster: named in Azure (its kubeconfig and OIDC issuer read from there), or reached by kubeconfig and context.
    const aks = config.aks === undefined ? undefined : aksCluster(config.aks);
    const kubernetes = aks === undefined ? config.kubernetes : { kubeconfig: aks.kubeconfig };
    const onCluster = { provider: new KubernetesProvider("cluster", kubernetes) };
    const deployer = { deployer: client.objectId, subscriptionId: client.subscriptionId };

    // 3-4. ESO's identity in Azure, allowed to read the vault (with tenants, only the secrets no tenant owns).
    const identity = new EsoIdentity("eso", {
        auth,
        serviceAccounts:
            auth.mode === "workloadIdentity"
                ? [{ namespace: config.eso.namespace, name: auth.serviceAccountName }]
                : [],
        ...deployer,
        clusterIssuer: aks?.oidcIssuerUrl,
        grants: sharedAccess.vaultWide
            ? vaultWideGrants(vault.vaultId, sharedAccess.readsPublicObjects, sharedAccess.writes)
            : grantsOn(sharedAccess.grants),
    });

    // 5. The operator; with workload identity its service account carries the identity; alerts on its syncs, where
    // configured. Then the namespaces.
    const operator = new ExternalSecretsOperator(
        "eso",
        {
            ...config.eso,
            keepOnDestroy: config.production,
            metrics: metricsValues(config.monitoring.syncAlerts),
            workloadIdentity:
                auth.mode === "workloadIdentity"
                    ? { serviceAccountName: auth.serviceAccountName, clientId: identity.clientId, tenantId }
                    : undefined,
        },
        onCluster,
    );
    if (config.monitoring.syncAlerts !== undefined) {
        new SyncAlerts(
            "eso-alerts",
            {
                target: config.monitoring.syncAlerts,
                namespace: operator.servingNamespace,
                releaseName: config.eso.releaseName,
            },
            onCluster,
        );
    }
    const namespaces = new Namespaces(
        "apps",
        {
            ...config.namespaces,
            createdElsewhere: { [config.eso.namespace]: operator.namespace },
            keepOnDestroy: config.production,
        },
        onCluster,
    );

    // 6-7. The shared store, signed in as ESO's identity once it may read (and checked to read), and tenants' stores:
    // each tenant its own identity, allowed only its own secrets, with its own store(s) in its namespaces.
    const stores = clusterStores(
        {
            context: {
                vaultUrl: vault.vaultUri,
                cloud: azure.cloud,
                useAzureSDK: config.store.useAzureSDK,
                tenantId,
                operator: {
                    namespaceName: config.eso.namespace,
                    namespace: operator.namespace,
                    servingNamespace: operator.servingNamespace,
                    release: operator.release,
                },
                readyTimeoutSeconds: config.store.readyTimeoutSeconds,
                reference: (object) => seeded.reference(object),
                kubernetes,
                clusterIssuer: aks?.oidcIssuerUrl,
            },
            shared: {
                identity,
                auth,
                storeName: config.store.name,
                namespaces: config.store.namespaces,
                reads: config.store.reads,
            },
            tenants: config.tenants.map((tenant) => ({ ...tenant, ...deployer, grants: grantsOn(tenant.grants) })),
            namespaces: (names) => namespaces.pick(names),
        },
        onCluster,
    );

    // 8. Generators ESO runs in the cluster (a Password makes a random password), the synced secrets and the secrets
    // pushed back to Key Vault (a generated password, so it outlives the cluster), each through its tenant's store
    // or the shared one, whose identity may read or write exactly those; `up` waits until each is Ready.
    const synced = clusterSecrets(
        {
            ...config,
            namespace: (name) => namespaces.get(name),
            storeFor: stores.storeFor,
            operatorReady: operator.servingNamespace,
            reference: (object) => seeded.reference(object),
            readyTimeoutSeconds: config.store.readyTimeoutSeconds,
            keepOnDestroy: config.production,
        },
        onCluster,
    );

    // 9. Workloads that mount a synced Secret, created once it is synced.
    for (const workload of config.workloads) {
        new Workload(
            workload.key,
            {
                ...workload,
                podName: workload.name,
                namespace: namespaces.get(workload.namespace),
                secretName: synced.secretName(workload.externalSecretKey),
            },
            { ...onCluster, aliases: workload.formerKey === undefined ? [] : [{ name: workload.formerKey }] },
        );
    }

    return {
        clientId: identity.clientId,
        storeName: stores.shared.store.storeName,
        externalSecretNames: synced.names,
        credentialsExpireOn:
            identity.credentials.mode === "servicePrincipal" ? identity.credentials.expiresOn : undefined,
    };
}

export const vaultId = vault.vaultId;
export const vaultName = vault.vaultName;
export const vaultUri = vault.vaultUri;
export const vaultResourceGroupName = config.fleet.role === "cluster" ? undefined : azure.resourceGroupName;
export const clientId = cluster?.clientId;
export const storeName = cluster?.storeName;
export const externalSecretNames = cluster?.externalSecretNames;
export const credentialsExpireOn = cluster?.credentialsExpireOn;
export const tenant = pulumi.output(tenantId);
