// External Secrets Operator with Azure Key Vault, one environment per stack. Read top to bottom, this is the
// runbook in dependency order: vault, identity, operator, store, synced secrets, workloads. Each step's outputs
// resolve only once it is ready, so whatever the next step builds from them waits for it.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import {
    aksCluster,
    EsoIdentity,
    ExternalSecretsOperator,
    Generators,
    metricsValues,
    Namespaces,
    objectGrants,
    ownVault,
    PushSecrets,
    sharedStore,
    type StoreContext,
    type StoreRef,
    SyncAlerts,
    SyncedSecrets,
    Tenant,
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
    const storeContext: StoreContext = {
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
    };
    const shared = sharedStore(
        { signIn: "eso", store: "store" },
        {
            ...storeContext,
            identity,
            auth,
            storeName: config.store.name,
            namespaces: config.store.namespaces,
            reads: config.store.reads,
        },
        onCluster,
    );
    const storeOf = new Map<string, StoreRef>();
    for (const tenant of config.tenants) {
        const stores = new Tenant(
            `tenant-${tenant.name}`,
            {
                ...storeContext,
                ...deployer,
                ...tenant,
                tenant: tenant.name,
                namespaces: namespaces.pick(tenant.namespaces),
                grants: grantsOn(tenant.grants),
            },
            onCluster,
        );
        for (const ns of tenant.namespaces) storeOf.set(ns, stores.storeFor(ns));
    }
    // Validation puts each tenant's objects in its own namespaces.
    const storeFor = (entry: { readonly tenant?: string; readonly namespace: string }): StoreRef =>
        entry.tenant === undefined ? shared.ref : (storeOf.get(entry.namespace) as StoreRef);

    // 8. Generators ESO runs in the cluster (a Password makes a random password), then synced secrets, each through its
    // tenant's store or the shared one; `up` waits until each is Ready.
    const generators =
        config.generators.length === 0
            ? undefined
            : new Generators(
                  "generators",
                  {
                      generators: config.generators.map((gen) => ({
                          ...gen,
                          namespace: namespaces.get(gen.namespace),
                      })),
                      operatorReady: operator.servingNamespace,
                      keepOnDestroy: config.production,
                  },
                  onCluster,
              );
    const generatorIn = (namespace: string, ref: { readonly name: string }) =>
        (generators as Generators).ref(`${namespace}/${ref.name}`);
    const synced = new SyncedSecrets(
        "synced",
        {
            externalSecrets: config.externalSecrets.map((es) => ({
                ...es,
                dataFrom: es.dataFrom.map((item) =>
                    "sourceRef" in item
                        ? {
                              ...item,
                              sourceRef: { generatorRef: generatorIn(es.namespace, item.sourceRef.generatorRef) },
                          }
                        : item,
                ),
                namespace: namespaces.get(es.namespace),
                store: storeFor(es),
                targetName: es.target,
            })),
            readyTimeoutSeconds: config.store.readyTimeoutSeconds,
            reference: (object) => seeded.reference(object),
            keepOnDestroy: config.production,
        },
        onCluster,
    );

    // 8b. Secrets pushed back to Key Vault (a generated password, so it outlives the cluster), each through its
    // namespace's store, whose identity may write exactly those secrets; `up` waits until each is pushed.
    if (config.pushSecrets.length > 0) {
        new PushSecrets(
            "pushed",
            {
                pushSecrets: config.pushSecrets.map((ps) => ({
                    ...ps,
                    namespace: namespaces.get(ps.namespace),
                    store: storeFor(ps),
                    source:
                        "generatorRef" in ps.selector
                            ? { generatorRef: generatorIn(ps.namespace, ps.selector.generatorRef) }
                            : // Validation requires an ExternalSecret of this stack that writes it.
                              { secretName: synced.secretName(ps.externalSecretKey as string) },
                })),
                readyTimeoutSeconds: config.store.readyTimeoutSeconds,
                keepOnDestroy: config.production,
            },
            onCluster,
        );
    }

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
        storeName: shared.store.storeName,
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
