// External Secrets Operator with Azure Key Vault, one environment per stack. Read top to bottom, this is the
// runbook in dependency order: vault, identity, operator, store, synced secrets, workloads.
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import {
    AppRegistration,
    ClientSecret,
    CredentialSecret,
    ExternalSecretsOperator,
    KeyVault,
    Namespaces,
    SecretStore,
    SyncedSecret,
    VaultAccess,
    VaultSecrets,
    Workload,
} from "./components";
import { loadStackConfig } from "./stacks";

// Validate everything first: a bad key stops the run before any resource is registered.
const config = loadStackConfig();

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

// 3-4. ESO's identity: app registration, service principal, Key Vault permission, read access, client secret.
const identity = new AppRegistration("eso-identity", {
    displayName: config.auth.displayName,
    owners: [client.objectId],
});
const access = new VaultAccess("eso-access", {
    principalId: identity.servicePrincipalObjectId,
    subscriptionId: client.subscriptionId,
    scopes: { vault: vault.vaultId },
});
const password = new ClientSecret("eso-password", {
    applicationId: identity.applicationId,
    slot: config.auth.passwordSlot,
    lifetimeDays: config.auth.passwordLifetimeDays,
});

// 5-6. The operator, and the credentials it signs in with.
const operator = new ExternalSecretsOperator(
    "eso",
    { namespace: config.eso.namespace, releaseName: config.eso.releaseName, chartVersion: config.eso.chartVersion },
    onCluster,
);
const credentials = new CredentialSecret(
    "eso-credentials",
    {
        namespace: operator.namespace,
        secretName: config.auth.credentialSecret.name,
        clientIdKey: config.auth.credentialSecret.clientIdKey,
        clientSecretKey: config.auth.credentialSecret.clientSecretKey,
        clientId: identity.clientId,
        clientSecret: password.value,
    },
    onCluster,
);

// 7. The store: applied once the webhook serves, the identity may read the vault and its credentials exist.
const store = new SecretStore(
    "store",
    {
        storeName: config.store.name,
        vaultUrl: vault.vaultUri,
        tenantId,
        auth: {
            type: "servicePrincipal",
            secretName: credentials.secretName,
            secretNamespace: operator.namespace,
            clientIdKey: config.auth.credentialSecret.clientIdKey,
            clientSecretKey: config.auth.credentialSecret.clientSecretKey,
        },
    },
    { ...onCluster, dependsOn: [operator.release, ...access.assignments, credentials.secret] },
);

// 8. Synced secrets, in their namespaces.
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
            },
            { ...onCluster, dependsOn: [store.store] },
        ),
    ]),
);

// 9. Workloads that mount a synced Secret, created once their ExternalSecret exists.
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
export const credentialsExpireOn = password.endDate;
export const tenant = pulumi.output(tenantId);
