// The shape of a stack's configuration: every key this project reads, its rule and its default.
// Pulumi.yaml documents the same keys for people; test/config-docs.test.ts keeps the two in step.
import * as v from "valibot";
import { ESO_RESOURCES, WORKLOAD_RESOURCES } from "../components/podResources";
import { MAX_PASSWORD_LIFETIME_DAYS, SOFT_DELETE_RETENTION_DAYS } from "./limits";
import * as rules from "./rules";
import { fleetSchema } from "./fleet";
import { MIN_READY_TIMEOUT_SECONDS } from "./upstream";
import { EXTERNAL_SECRET_DEFAULTS, externalSecret } from "./externalSecretSchema";
import { generator, pushSecret } from "./pushSchema";

export const DEFAULTS = {
    softDeleteRetentionDays: 90,
    logRetentionDays: 365,
    kubeloginMode: "azurecli",
    createMode: "default",
    purgeProtection: true,
    passwordLifetimeDays: 180,
    passwordSlot: "a",
    credentialSecretName: "azure-secret-sp",
    clientIdKey: "ClientID",
    clientSecretKey: "ClientSecret",
    esoNamespace: "external-secrets",
    esoReleaseName: "external-secrets",
    chartVersion: "2.9.0",
    storeName: "azure-secret-store",
    readyTimeoutSeconds: 1200,
    cloud: "PublicCloud",
    serviceAccountName: "external-secrets",
    tenantStoreKind: "ClusterSecretStore",
    veleroNamespace: "velero",
    veleroSecretName: "cloud-credentials",
    refreshInterval: EXTERNAL_SECRET_DEFAULTS.refreshInterval,
    creationPolicy: EXTERNAL_SECRET_DEFAULTS.creationPolicy,
    mountPath: "/credentials",
    seededSecretExpiresInDays: 365,
    seededSecretContentType: "text/plain",
    appArmor: true,
} as const;

type Amounts = { readonly cpu: string; readonly memory: string };
type ResourceAmounts = { readonly requests: Amounts; readonly limits: Amounts };

/** A request at most its limit, else an issue on the request. */
const requestWithinLimit = (kind: keyof Amounts) =>
    v.forward<ResourceAmounts, v.CheckIssue<ResourceAmounts>, ["requests", keyof Amounts]>(
        v.check(
            (r) => (rules.quantityValue(r.requests[kind]) ?? 0) <= (rules.quantityValue(r.limits[kind]) ?? 0),
            `request at most the limit (limits.${kind}): the API server refuses a request above its limit`,
        ),
        ["requests", kind],
    );

/**
 * Requests and limits of one container, each defaulted on its own. The API server refuses a request above its
 * limit (Kubernetes pkg/apis/core/validation ValidateResourceRequirements: "must be less than or equal to ... limit").
 */
const resources = (defaults: ResourceAmounts) => {
    const amounts = (given: Amounts) =>
        v.strictObject({
            cpu: v.optional(rules.quantity("100m"), given.cpu),
            memory: v.optional(rules.quantity("64Mi"), given.memory),
        });
    return v.optional(
        v.pipe(
            v.strictObject({
                requests: v.optional(amounts(defaults.requests), {}),
                limits: v.optional(amounts(defaults.limits), {}),
            }),
            requestWithinLimit("cpu"),
            requestWithinLimit("memory"),
        ),
        {},
    );
};

const azure = v.strictObject({
    resourceGroupName: rules.resourceGroupName(),
    location: rules.azureLocation(),
    tenantId: v.optional(rules.guid("Entra ID tenant id")),
    cloud: v.optional(
        rules.oneOf(
            ["PublicCloud", "USGovernmentCloud", "ChinaCloud", "GermanCloud"],
            "use PublicCloud, USGovernmentCloud, ChinaCloud or GermanCloud (the Azure cloud of the vault)",
        ),
        DEFAULTS.cloud,
    ),
});

/** Who may reach the vault's data plane: its private endpoint, and the networks the firewall lets through. */
const network = v.strictObject({
    // No default here: it depends on privateEndpoint (disabled with one, else enabled); config.ts fills it.
    publicNetworkAccess: v.optional(
        rules.oneOf(
            ["disabled", "enabled"],
            'use "disabled" (only the private endpoint reaches the vault) or "enabled" (the firewall\'s rules apply)',
        ),
    ),
    allowedIps: v.optional(v.array(rules.ipRange(), "use a list of IPv4 addresses or CIDR ranges"), []),
    allowedSubnetIds: v.optional(v.array(rules.subnetId(), "use a list of subnet resource ids"), []),
    bypassAzureServices: v.optional(rules.bool(), true),
    /** The deploying machine's addresses: a temporary firewall rule, so the access check reads the vault. */
    deployerIps: v.optional(v.array(rules.ipRange(), "use a list of IPv4 addresses or CIDR ranges"), []),
    /** A private endpoint in the cluster's network, and the private DNS zone that resolves the vault to it. */
    privateEndpoint: v.optional(
        v.strictObject({
            subnetId: rules.subnetId(),
            vnetId: v.optional(rules.armResourceId("Microsoft.Network/virtualNetworks", "vnet")),
            dnsZoneId: v.optional(rules.armResourceId("Microsoft.Network/privateDnsZones", "zone")),
        }),
    ),
});

const vault = v.strictObject({
    /** Globally unique; when unset (and the vault is created), kv-<stack>-<random suffix>. */
    name: v.optional(rules.vaultName()),
    /** Adopt a vault that exists already: it is referenced, never created, changed or deleted. */
    existing: v.optional(rules.bool(), false),
    // No defaults here: an adopted vault must not set these, so "unset" must stay visible. config.ts fills them.
    softDeleteRetentionDays: v.optional(
        rules.integer(
            SOFT_DELETE_RETENTION_DAYS.min,
            SOFT_DELETE_RETENTION_DAYS.max,
            "Key Vault soft-delete retention in days, fixed at creation",
        ),
    ),
    purgeProtection: v.optional(rules.bool()),
    createMode: v.optional(
        rules.oneOf(
            ["default", "recover"],
            'use "default", or "recover" to bring back a soft-deleted vault of this name',
        ),
    ),
    network: v.optional(network),
});

const credentialSecret = v.strictObject({
    name: v.optional(rules.k8sName(), DEFAULTS.credentialSecretName),
    clientIdKey: v.optional(rules.k8sSecretKey(), DEFAULTS.clientIdKey),
    clientSecretKey: v.optional(rules.k8sSecretKey(), DEFAULTS.clientSecretKey),
});

/** Owners of created app registrations: object ids of users, groups' members or service principals. */
const owners = v.optional(v.array(rules.guid("object id of an owner"), "use a list of object ids"));

const servicePrincipal = v.strictObject({
    mode: v.literal("servicePrincipal"),
    displayName: v.optional(rules.displayName()),
    owners,
    passwordLifetimeDays: v.optional(
        rules.integer(
            1,
            MAX_PASSWORD_LIFETIME_DAYS,
            "days a client secret stays valid; Microsoft recommends under a year",
        ),
        DEFAULTS.passwordLifetimeDays,
    ),
    passwordSlot: v.optional(
        rules.oneOf(["a", "b"], 'use "a" or "b" (the password slot ESO uses; switch it to rotate)'),
        DEFAULTS.passwordSlot,
    ),
    credentialSecret: v.optional(credentialSecret, {}),
});

/** ESO signs in with a federated token of its service account: no secret exists anywhere. */
const workloadIdentity = v.strictObject({
    mode: v.literal("workloadIdentity"),
    displayName: v.optional(rules.displayName()),
    owners,
    /** Required unless kubernetes.aks names the cluster, whose issuer is then read from Azure. */
    oidcIssuerUrl: v.optional(rules.issuerUrl()),
    serviceAccountName: v.optional(rules.k8sName(), DEFAULTS.serviceAccountName),
});

/** ESO signs in as a user-assigned managed identity attached to the cluster's nodes. */
const managedIdentity = v.strictObject({
    mode: v.literal("managedIdentity"),
    clientId: rules.guid("client id of the user-assigned managed identity"),
    principalId: rules.guid("object (principal) id of the user-assigned managed identity"),
});

const auth = v.variant(
    "mode",
    [servicePrincipal, workloadIdentity, managedIdentity],
    'use "servicePrincipal", "workloadIdentity" or "managedIdentity"',
);

/** An AKS cluster by name: its kubeconfig and OIDC issuer are read from Azure (components/aksCluster.ts). */
const aks = v.strictObject({
    resourceGroupName: rules.text("use the resource group of the AKS cluster"),
    name: rules.text("use the name of the AKS cluster"),
    login: v.optional(
        rules.oneOf(
            ["azurecli", "workloadidentity", "spn", "msi", "devicecode"],
            "use one of azurecli, workloadidentity, spn, msi, devicecode (kubelogin's --login)",
        ),
        DEFAULTS.kubeloginMode,
    ),
});

const kubernetes = v.strictObject({
    /** The AKS cluster by name, instead of a kubeconfig and context. */
    aks: v.optional(aks),
    context: v.optional(rules.text("use the name of a context in the kubeconfig")),
    /** Namespaces this stack creates, labels and deletes with itself. */
    ownedNamespaces: v.optional(v.array(rules.k8sNamespace(), "use a list of namespace names"), []),
    /** Namespaces that exist already (someone else's): used, never created, changed or deleted. */
    existingNamespaces: v.optional(v.array(rules.k8sNamespace(), "use a list of namespace names"), []),
    /**
     * The nodes run AppArmor: pods ask for its RuntimeDefault profile. Kubelet refuses such a pod on a node without
     * AppArmor (kubernetes pkg/security/apparmor validate.go), such as AKS's Azure Linux 3 nodes (SELinux instead).
     */
    appArmor: v.optional(rules.bool(), DEFAULTS.appArmor),
});

const eso = v.strictObject({
    namespace: v.optional(rules.k8sNamespace(), DEFAULTS.esoNamespace),
    releaseName: v.optional(rules.k8sNamespace(), DEFAULTS.esoReleaseName),
    chartVersion: v.optional(rules.chartVersion(), DEFAULTS.chartVersion),
    /** CPU and memory of the chart's three pods (chart values `resources`, `webhook.resources`, `certController.resources`). */
    resources: v.optional(
        v.strictObject({
            controller: resources(ESO_RESOURCES.controller),
            webhook: resources(ESO_RESOURCES.webhook),
            certController: resources(ESO_RESOURCES.certController),
        }),
        {},
    ),
});

const store = v.strictObject({
    name: v.optional(rules.k8sName(), DEFAULTS.storeName),
    /** Namespaces allowed to use the shared store; with tenants, it defaults to the namespaces no tenant owns. */
    namespaces: v.optional(v.array(rules.k8sNamespace(), "use a list of namespaces")),
    readyTimeoutSeconds: v.optional(
        rules.integer(
            MIN_READY_TIMEOUT_SECONDS,
            3600,
            `seconds \`pulumi up\` waits for the store and each ExternalSecret to be Ready; at least ${MIN_READY_TIMEOUT_SECONDS}, because Azure RBAC may take 10 minutes to apply and ESO then retries a failed sync only at 931 s (external-secrets pkg/controllers/common/common.go)`,
        ),
        DEFAULTS.readyTimeoutSeconds,
    ),
    /**
     * The shared store's identity reads the whole vault. Without tenants that is the default; with tenants it
     * reads only the secrets no tenant owns, unless this is true.
     */
    vaultWideAccess: v.optional(rules.bool()),
    /**
     * ESO's azurekv `environmentType`, on every store: it follows azure.cloud, and may only repeat it (a rule in
     * crossChecks.ts). ESO's AzureStackCloud needs `customCloudConfig`, which this stack does not set.
     */
    environmentType: v.optional(
        rules.oneOf(
            ["PublicCloud", "USGovernmentCloud", "ChinaCloud", "GermanCloud"],
            "use PublicCloud, USGovernmentCloud, ChinaCloud or GermanCloud (ESO's environmentType, the same as azure.cloud); AzureStackCloud needs ESO's customCloudConfig, which this stack does not set",
        ),
    ),
    /** ESO's azurekv `useAzureSDK`, on every store: the Azure SDK for Go instead of go-autorest (experimental). */
    useAzureSDK: v.optional(rules.bool()),
});

const tenant = v.strictObject({
    name: rules.k8sNamespace(),
    namespaces: v.pipe(
        v.array(rules.k8sNamespace(), "use a list of namespaces"),
        v.minLength(1, "list at least one namespace the tenant owns"),
    ),
    secrets: v.pipe(
        v.strictObject({
            names: v.optional(v.array(rules.keyVaultSecretName(), "use a list of Key Vault secret names"), []),
            prefix: v.optional(rules.keyVaultSecretName()),
        }),
        v.check(
            (s) => s.names.length > 0 || s.prefix !== undefined,
            "list the tenant's Key Vault secret names, a prefix, or both",
        ),
    ),
    storeKind: v.optional(
        rules.oneOf(
            ["ClusterSecretStore", "SecretStore"],
            "use ClusterSecretStore (one store limited to the tenant's namespaces) or SecretStore (one in each namespace)",
        ),
        DEFAULTS.tenantStoreKind,
    ),
    storeName: v.optional(rules.k8sName()),
    /** managedIdentity mode only: the tenant's own user-assigned identity. */
    managedIdentity: v.optional(
        v.strictObject({
            clientId: rules.guid("client id of the tenant's user-assigned managed identity"),
            principalId: rules.guid("object (principal) id of the tenant's user-assigned managed identity"),
        }),
    ),
});

/** Velero's Azure credentials file, assembled from Key Vault secrets by an ESO template. */
const velero = v.strictObject({
    namespace: v.optional(rules.k8sNamespace(), DEFAULTS.veleroNamespace),
    secretName: v.optional(rules.k8sName(), DEFAULTS.veleroSecretName),
    refreshInterval: v.optional(rules.refreshInterval(), DEFAULTS.refreshInterval),
    keyVaultSecrets: v.optional(
        v.strictObject({
            subscriptionId: v.optional(rules.keyVaultSecretName(), "velero-subscription-id"),
            tenantId: v.optional(rules.keyVaultSecretName(), "velero-tenant-id"),
            clientId: v.optional(rules.keyVaultSecretName(), "velero-client-id"),
            clientSecret: v.optional(rules.keyVaultSecretName(), "velero-client-secret"),
            resourceGroup: v.optional(rules.keyVaultSecretName(), "velero-resource-group"),
        }),
        {},
    ),
});

const workload = v.strictObject({
    name: rules.k8sName(),
    namespace: rules.k8sNamespace(),
    image: rules.containerImage(),
    command: v.optional(v.array(v.string("use a list of strings"), "use a list of strings")),
    externalSecret: rules.k8sName(),
    mountPath: v.optional(rules.absolutePath(), DEFAULTS.mountPath),
    resources: resources(WORKLOAD_RESOURCES),
});

const contentType = () => rules.text('use a content type such as "text/plain", "password" or "application/json"');
const expiresInDays = () =>
    rules.integer(1, 3650, "days from a seeded secret's creation until it expires; at most ten years");

/** A seeded secret: its value alone, or its value with its own content type and expiry. */
const seededSecret = v.union(
    [
        rules.text("use a non-empty string"),
        v.pipe(
            v.strictObject({
                value: rules.text("use a non-empty string"),
                contentType: v.optional(contentType()),
                expiresOn: v.optional(rules.date("the day the secret expires, midnight UTC")),
                expiresInDays: v.optional(expiresInDays()),
            }),
            v.check(
                (s) => s.expiresOn === undefined || s.expiresInDays === undefined,
                "set expiresOn or expiresInDays, not both",
            ),
        ),
    ],
    "use a non-empty string, or { value, contentType, expiresOn | expiresInDays }",
);

/** What every seeded secret carries unless it says otherwise. */
const seededSecretDefaults = v.strictObject({
    expiresInDays: v.optional(expiresInDays(), DEFAULTS.seededSecretExpiresInDays),
    contentType: v.optional(contentType(), DEFAULTS.seededSecretContentType),
});

/** The vault's resource logs and metric alerts (components/vaultMonitoring.ts). */
const monitoring = v.strictObject({
    /** AuditEvent logs and metrics to Log Analytics: a workspace the stack creates, or an existing one. */
    logs: v.optional(
        v.strictObject({
            workspaceId: v.optional(rules.armResourceId("Microsoft.OperationalInsights/workspaces", "workspace")),
            retentionInDays: v.optional(
                rules.integer(30, 730, "days a created Log Analytics workspace keeps the logs"),
            ),
        }),
    ),
    /** Alerts on ESO's sync: from Prometheus Operator, or AKS's managed Prometheus (components/syncAlerts.ts). */
    prometheus: v.optional(
        v.variant(
            "kind",
            [
                v.strictObject({
                    kind: v.literal("prometheusOperator"),
                    ruleLabels: v.optional(
                        rules.map(
                            rules.k8sName(),
                            rules.text("use a label value"),
                            "use a map of label names to values, such as release: kube-prometheus-stack",
                        ),
                        {},
                    ),
                }),
                v.strictObject({
                    kind: v.literal("azureManagedPrometheus"),
                    azureMonitorWorkspaceId: rules.armResourceId("Microsoft.Monitor/accounts", "workspace"),
                    clusterName: rules.text("use the AKS cluster's name, as its metrics label it"),
                }),
            ],
            'use kind "prometheusOperator" or "azureManagedPrometheus"',
        ),
    ),
    /** The action group the vault's metric alerts notify. */
    actionGroupId: v.optional(rules.armResourceId("Microsoft.Insights/actionGroups", "action group")),
});

/** Every key under the project's config namespace. */
export const stackConfigSchema = v.strictObject({
    /**
     * A production stack: its vault and seeded secrets are protected from deletion, its vault from purging, and a
     * destroy keeps ESO's CRDs, the namespaces it created and every synced Secret (docs/lifecycle.md).
     */
    production: v.optional(rules.bool(), false),
    /** The stack's place in a fleet (stacks/fleet.ts); unset, the stack owns its vault and its cluster. */
    fleet: v.optional(fleetSchema),
    // A missing required object is read as {}, so the message names each of its required keys.
    azure: v.pipe(v.optional(v.unknown(), {}), azure),
    vault: v.pipe(v.optional(v.unknown(), {}), vault),
    seededSecrets: v.optional(rules.map(rules.keyVaultSecretName(), seededSecret, "use a map of names to values"), {}),
    seededSecretDefaults: v.optional(seededSecretDefaults, {}),
    auth: v.optional(auth, { mode: "servicePrincipal" }),
    kubeconfig: v.optional(rules.text("use a kubeconfig path or its contents")),
    kubernetes: v.optional(kubernetes, {}),
    eso: v.optional(eso, {}),
    store: v.optional(store, {}),
    externalSecrets: v.optional(v.array(externalSecret, "use a list of ExternalSecrets"), []),
    tenants: v.optional(v.array(tenant, "use a list of tenants"), []),
    velero: v.optional(velero),
    workloads: v.optional(v.array(workload, "use a list of workloads"), []),
    /** ESO generators (stacks/pushSchema.ts), and Secrets pushed from the cluster to Key Vault. */
    generators: v.optional(v.array(generator, "use a list of generators"), []),
    pushSecrets: v.optional(v.array(pushSecret, "use a list of PushSecrets"), []),
    monitoring: v.optional(monitoring, {}),
});

/** Configuration keys whose values are secrets: they are redacted in messages and wrapped with `pulumi.secret`. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["seededSecrets", "kubeconfig"]);

export type ParsedStackConfig = v.InferOutput<typeof stackConfigSchema>;
