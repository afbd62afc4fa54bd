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
    SyncedSecret,
    VaultSecrets,
    Workload,
} from "./components";
import { WORKLOAD_IDENTITY } from "./components/wellKnown";
import { loadStackConfig } from "./stacks";

// Validate everything first: a bad key stops the run before any resource is registered.
const config = loadStackConfig();
const { auth } = config;

const client = authorization.getClientConfigOutput();
const tenantId = config.azure.tenantId ?? client.tenantId;
const cluster = new KubernetesProvider("cluster", {
    kubeconfig: config.kubernetes.kubeconfig,
    context: config.kubernetes.context,
});
const onCluster = { provider: cluster };

// 1-2. Key Vault, and the secrets seeded into it.
const vault = new KeyVault("vault", {
    resourceGroupName: config.azure.resourceGroupName,
    vaultName: config.vault.name,
    location: config.azure.location,
    tenantId,
    softDeleteRetentionDays: config.vault.softDeleteRetentionDays,
    purgeProtection: config.vault.purgeProtection,
});
new VaultSecrets("seeded", {
    resourceGroupName: config.azure.resourceGroupName,
    vaultName: vault.vaultName,
    secrets: config.seededSecrets,
});

// 3-4. ESO's identity in Azure (service principal, workload identity or managed identity), allowed to read the vault.
const serviceAccount = {
    namespace: config.eso.namespace,
    name: auth.mode === "workloadIdentity" ? auth.serviceAccountName : config.eso.releaseName,
};
const identity = new EsoIdentity("eso", {
    identity: auth.mode === "workloadIdentity" ? { ...auth, serviceAccount } : auth,
    owners: [client.objectId],
    subscriptionId: client.subscriptionId,
    scopes: { vault: vault.vaultId },
});

// 5. The operator. With workload identity its service account carries the identity and its pods get the token.
const operator = new ExternalSecretsOperator(
    "eso",
    {
        namespace: config.eso.namespace,
        releaseName: config.eso.releaseName,
        chartVersion: config.eso.chartVersion,
        values:
            auth.mode === "workloadIdentity"
                ? {
                      serviceAccount: {
                          name: serviceAccount.name,
                          annotations: {
                              [WORKLOAD_IDENTITY.clientIdAnnotation]: identity.clientId,
                              [WORKLOAD_IDENTITY.tenantIdAnnotation]: tenantId,
                          },
                      },
                      podLabels: { [WORKLOAD_IDENTITY.useLabel]: "true" },
                  }
                : {},
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
        secretNamespace: operator.namespace,
        ...auth.credentialSecret,
        secretName: credentials.secretName,
    };
} else if (auth.mode === "workloadIdentity") {
    storeAuth = {
        type: "workloadIdentity",
        serviceAccountName: serviceAccount.name,
        serviceAccountNamespace: operator.namespace,
    };
} else {
    storeAuth = { type: "managedIdentity", identityId: auth.clientId };
}

// 7. The store: applied once the webhook serves and the identity may read the vault; `up` waits for Ready.
const store = new SecretStore(
    "store",
    {
        storeName: config.store.name,
        scope: { kind: "ClusterSecretStore" },
        vaultUrl: vault.vaultUri,
        tenantId,
        cloud: config.azure.cloud,
        auth: storeAuth,
        readyTimeoutSeconds: config.store.readyTimeoutSeconds,
    },
    { ...onCluster, dependsOn: storeWaitsFor },
);

// 8. Synced secrets, in their namespaces; `up` waits until each is Ready.
const namespaces = new Namespaces(
    "apps",
    {
        create: [...config.externalSecrets, ...config.workloads].map((o) => o.namespace),
        existing: config.kubernetes.existingNamespaces,
    },
    onCluster,
);
const synced = new Map(
    config.externalSecrets.map((es) => [
        `${es.namespace}/${es.name}`,
        new SyncedSecret(
            `${es.namespace}-${es.name}`,
            {
                externalSecretName: es.name,
                namespace: namespaces.get(es.namespace),
                store: { kind: store.kind, name: store.storeName },
                targetName: es.target,
                refreshInterval: es.refreshInterval,
                creationPolicy: es.creationPolicy,
                data: es.data,
                readyTimeoutSeconds: config.store.readyTimeoutSeconds,
            },
            { ...onCluster, dependsOn: [store.store] },
        ),
    ]),
);

// 9. Workloads that mount a synced Secret, created once their ExternalSecret is Ready.
for (const workload of config.workloads) {
    const source = synced.get(`${workload.namespace}/${workload.externalSecret}`) as SyncedSecret;
    new Workload(
        `${workload.namespace}-${workload.name}`,
        {
            podName: workload.name,
            namespace: namespaces.get(workload.namespace),
            image: workload.image,
            command: workload.command,
            secretName: source.targetName,
            mountPath: workload.mountPath,
        },
        { ...onCluster, dependsOn: [source.externalSecret] },
    );
}

export const vaultName = vault.vaultName;
export const vaultUri = vault.vaultUri;
export const clientId = identity.clientId;
export const storeName = store.storeName;
export const externalSecretNames = [...synced.values()].map((s) => s.externalSecretName);
export const credentialsExpireOn = identity.clientSecretExpiresOn;
export const tenant = pulumi.output(tenantId);
