// Bad input, table-driven: each stack configuration below is wrong in one way, and the program must stop before it
// registers any resource or calls any provider, with exactly these messages (key, value received, rule).
import { strict as assert } from "node:assert";
import { privateNetwork, runbookConfig, runProgramExpectingError } from "./mocks";

const VAULT_RULE =
    "use 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without consecutive hyphens (Azure Key Vault naming)";
const NAME_RULE =
    "use at most 253 lower-case letters, digits, hyphens and dots, starting and ending with a letter or digit (Kubernetes name, DNS-1123 subdomain)";
const NAMESPACE_RULE =
    "use at most 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit (Kubernetes namespace, DNS-1123 label)";
const ISSUER_RULE =
    "use the cluster's OIDC issuer, an https URL such as https://westeurope.oic.prod-aks.azure.com/<tenant>/<id>/ (az aks show --query oidcIssuerProfile.issuerUrl)";
const GUID_RULE = "use a GUID such as 00000000-0000-0000-0000-000000000000";

type Change = (config: Record<string, any>) => void;

/** One way to be wrong: what is changed in the runbook's configuration, and every message expected. */
const CASES: Array<[string, Change, string | string[]]> = [
    [
        "a vault name with an underscore",
        (c) => (c.vault.name = "kv_prod"),
        `vault.name "kv_prod" is invalid: ${VAULT_RULE}.`,
    ],
    [
        "a vault name with consecutive hyphens",
        (c) => (c.vault.name = "kv--prod"),
        `vault.name "kv--prod" is invalid: ${VAULT_RULE}.`,
    ],
    ["a vault name shorter than 3", (c) => (c.vault.name = "kv"), `vault.name "kv" is invalid: ${VAULT_RULE}.`],
    [
        "a vault name longer than 24",
        (c) => (c.vault.name = "a".repeat(25)),
        `vault.name "${"a".repeat(25)}" is invalid: ${VAULT_RULE}.`,
    ],
    [
        "a vault name starting with a digit",
        (c) => (c.vault.name = "1vault"),
        `vault.name "1vault" is invalid: ${VAULT_RULE}.`,
    ],
    [
        "a vault name ending with a hyphen",
        (c) => (c.vault.name = "vault-"),
        `vault.name "vault-" is invalid: ${VAULT_RULE}.`,
    ],
    [
        "a Key Vault secret name with an underscore",
        (c) => (c.seededSecrets = { db_password: "x" }),
        'seededSecrets has an invalid name "db_password": use 1-127 letters, digits and hyphens (Azure Key Vault secret naming; no underscores or dots).',
    ],
    [
        "a tenant id that is not a GUID",
        (c) => (c.azure.tenantId = "contoso"),
        'azure.tenantId "contoso" is invalid: use a GUID such as 00000000-0000-0000-0000-000000000000 (Entra ID tenant id).',
    ],
    [
        "a namespace with capitals",
        (c) => ((c.externalSecrets[0].namespace = "App"), (c.workloads = [])),
        `externalSecrets[0].namespace "App" is invalid: ${NAMESPACE_RULE}.`,
    ],
    [
        "an ExternalSecret name with an underscore",
        (c) => ((c.externalSecrets[0].name = "external_secret"), (c.workloads = [])),
        `externalSecrets[0].name "external_secret" is invalid: ${NAME_RULE}.`,
    ],
    [
        "a refresh interval under a minute",
        (c) => (c.externalSecrets[0].refreshInterval = "30s"),
        'externalSecrets[0].refreshInterval "30s" is invalid: use a duration of at least 1m such as "15m" or "1h", or "0" to sync once.',
    ],
    [
        "a refresh interval that is not a duration",
        (c) => (c.externalSecrets[0].refreshInterval = "hourly"),
        'externalSecrets[0].refreshInterval "hourly" is invalid: use a duration of at least 1m such as "15m" or "1h", or "0" to sync once.',
    ],
    [
        "a chart version range",
        (c) => (c.eso = { chartVersion: "^2.9.0" }),
        'eso.chartVersion "^2.9.0" is invalid: use an exact semantic version such as "2.9.0" (ranges and "latest" are not allowed: pin what you deploy).',
    ],
    [
        "an unknown top-level key",
        (c) => (c.colour = "blue"),
        "colour is not a known key: use one of production, fleet, azure, vault, seededSecrets, seededSecretDefaults, auth, kubeconfig, kubernetes, eso, store, externalSecrets, tenants, velero, workloads, generators, pushSecrets, monitoring (see the key reference in Pulumi.yaml).",
    ],
    [
        "an unknown nested key",
        (c) => (c.vault.nmae = "kv"),
        "vault.nmae is not a known key: use one of name, existing, softDeleteRetentionDays, purgeProtection, createMode, network (see the key reference in Pulumi.yaml).",
    ],
    [
        "a missing required key",
        (c) => delete c.azure.location,
        "azure.location is required: set it with `pulumi config set --path azure.location <value>`.",
    ],
    [
        "a wrong type",
        (c) => (c.vault.softDeleteRetentionDays = "ninety"),
        'vault.softDeleteRetentionDays "ninety" is invalid: use a whole number from 7 to 90 (Key Vault soft-delete retention in days, fixed at creation).',
    ],
    [
        "a soft-delete retention out of range",
        (c) => (c.vault.softDeleteRetentionDays = 3),
        "vault.softDeleteRetentionDays 3 is invalid: use a whole number from 7 to 90 (Key Vault soft-delete retention in days, fixed at creation).",
    ],
    [
        "a password lifetime over a year",
        (c) => (c.auth.passwordLifetimeDays = 400),
        "auth.passwordLifetimeDays 400 is invalid: use a whole number from 1 to 365 (days a client secret stays valid; Microsoft recommends under a year).",
    ],
    [
        "a boolean that is not true or false",
        (c) => (c.vault.purgeProtection = "yes"),
        'vault.purgeProtection "yes" is invalid: use true or false.',
    ],
    [
        "an unknown creation policy",
        (c) => (c.externalSecrets[0].creationPolicy = "Sometimes"),
        'externalSecrets[0].creationPolicy "Sometimes" is invalid: use Owner, Orphan, Merge, CreateOrMerge or None (ESO creation policy).',
    ],
    [
        "an unknown authentication mode",
        (c) => (c.auth.mode = "magic"),
        'auth.mode "magic" is invalid: use "servicePrincipal", "workloadIdentity" or "managedIdentity".',
    ],
    [
        "an image tagged latest",
        (c) => (c.workloads[0].image = "busybox:latest"),
        'workloads[0].image "busybox:latest" is invalid: pin the image to a version: ":latest" changes under you.',
    ],
    [
        "an untagged image",
        (c) => (c.workloads[0].image = "busybox"),
        'workloads[0].image "busybox" is invalid: use an image reference pinned by tag or digest, such as "registry.k8s.io/pause:3.10".',
    ],
    [
        "a relative mount path",
        (c) => (c.workloads[0].mountPath = "credentials"),
        'workloads[0].mountPath "credentials" is invalid: use an absolute directory path such as "/credentials" (not "/" itself).',
    ],
    [
        "a workload mounting an ExternalSecret that does not exist",
        (c) => (c.workloads[0].externalSecret = "missing"),
        'workloads[0].externalSecret "missing" is invalid: name an ExternalSecret from externalSecrets in namespace "app-namespace" (a Pod mounts Secrets of its own namespace only).',
    ],
    [
        "two ExternalSecrets with one name in one namespace",
        (c) => c.externalSecrets.push({ ...c.externalSecrets[0], target: "other" }),
        'externalSecrets[1].name "external-secret" is invalid: externalSecrets[0] already uses this name in namespace "app-namespace"; use a unique name.',
    ],
    [
        "two ExternalSecrets writing one Secret",
        (c) => c.externalSecrets.push({ ...c.externalSecrets[0], name: "second" }),
        'externalSecrets[1].target "cloud-credentials" is invalid: externalSecrets[0] already writes the Secret "cloud-credentials" in namespace "app-namespace"; two ExternalSecrets would overwrite each other.',
    ],
    [
        "an ExternalSecret without data",
        (c) => (c.externalSecrets[0].data = {}),
        "externalSecrets[0].data {} is invalid: map at least one Secret key to a Key Vault secret in data, or read secrets with dataFrom.",
    ],

    // Authentication settings that do not fit together.
    [
        "workload identity without an issuer URL",
        (c) => (c.auth = { mode: "workloadIdentity" }),
        [
            "auth.oidcIssuerUrl is required (workload identity trusts the cluster's OIDC issuer: set it, or name the AKS cluster with kubernetes.aks (resourceGroupName, name) to read it from Azure): set it with `pulumi config set --path auth.oidcIssuerUrl <value>`.",
        ],
    ],
    [
        "workload identity with a plain-http issuer URL",
        (c) => (c.auth = { mode: "workloadIdentity", oidcIssuerUrl: "http://issuer.example.com/" }),
        [`auth.oidcIssuerUrl "http://issuer.example.com/" is invalid: ${ISSUER_RULE}.`],
    ],
    [
        "workload identity with an issuer that is not a URL",
        (c) => (c.auth = { mode: "workloadIdentity", oidcIssuerUrl: "aks-prod" }),
        [`auth.oidcIssuerUrl "aks-prod" is invalid: ${ISSUER_RULE}.`],
    ],
    [
        "workload identity with an issuer URL carrying a query",
        (c) => (c.auth = { mode: "workloadIdentity", oidcIssuerUrl: "https://issuer.example.com/?x=1" }),
        [`auth.oidcIssuerUrl "https://issuer.example.com/?x=1" is invalid: ${ISSUER_RULE}.`],
    ],
    [
        "managed identity without its ids",
        (c) => (c.auth = { mode: "managedIdentity" }),
        [
            "auth.clientId is required: set it with `pulumi config set --path auth.clientId <value>`.",
            "auth.principalId is required: set it with `pulumi config set --path auth.principalId <value>`.",
        ],
    ],
    [
        "managed identity with a client id that is not a GUID",
        (c) =>
            (c.auth = {
                mode: "managedIdentity",
                clientId: "my-identity",
                principalId: "66666666-6666-4666-a666-666666666666",
            }),
        [
            'auth.clientId "my-identity" is invalid: use a GUID such as 00000000-0000-0000-0000-000000000000 (client id of the user-assigned managed identity).',
        ],
    ],
    [
        "a password setting in workload identity mode",
        (c) => (c.auth = { mode: "workloadIdentity", oidcIssuerUrl: "https://issuer.example.com/", passwordSlot: "b" }),
        [
            "auth.passwordSlot is not a known key: use one of mode, displayName, owners, oidcIssuerUrl, serviceAccountName (see the key reference in Pulumi.yaml).",
        ],
    ],
    [
        "an app registration name in managed identity mode",
        (c) =>
            (c.auth = {
                mode: "managedIdentity",
                displayName: "eso",
                clientId: "55555555-5555-4555-a555-555555555555",
                principalId: "66666666-6666-4666-a666-666666666666",
            }),
        [
            "auth.displayName is not a known key: use one of mode, clientId, principalId (see the key reference in Pulumi.yaml).",
        ],
    ],

    // Clouds, timeouts, networks, production data and adopted vaults.
    [
        "an unknown Azure cloud",
        (c) => (c.azure.cloud = "AzureCloud"),
        'azure.cloud "AzureCloud" is invalid: use PublicCloud, USGovernmentCloud, ChinaCloud or GermanCloud (the Azure cloud of the vault).',
    ],
    [
        "a ready timeout shorter than ESO's retries after RBAC propagation",
        (c) => (c.store = { readyTimeoutSeconds: 900 }),
        "store.readyTimeoutSeconds 900 is invalid: use a whole number from 960 to 3600 (seconds `pulumi up` waits for the store and each ExternalSecret to be Ready; at least 960, because Azure RBAC may take 10 minutes to apply and ESO then retries a failed sync only at 931 s (external-secrets pkg/controllers/common/common.go)).",
    ],
    [
        "a firewall rule with an IPv6 address",
        (c) => (c.vault.network = { allowedIps: ["2001:db8::/32"] }),
        'vault.network.allowedIps[0] "2001:db8::/32" is invalid: use an IPv4 address or CIDR range such as 203.0.113.0/24 (Key Vault firewall rules take no IPv6).',
    ],
    [
        "a firewall rule with a mask over 32",
        (c) => (c.vault.network = { allowedIps: ["203.0.113.0/33"] }),
        'vault.network.allowedIps[0] "203.0.113.0/33" is invalid: use an IPv4 address or CIDR range such as 203.0.113.0/24 (Key Vault firewall rules take no IPv6).',
    ],
    [
        "a subnet given by name instead of resource id",
        (c) => (c.vault.network = { allowedSubnetIds: ["aks-subnet"] }),
        'vault.network.allowedSubnetIds[0] "aks-subnet" is invalid: use a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>.',
    ],
    [
        "an unknown create mode",
        (c) => (c.vault.createMode = "restore"),
        'vault.createMode "restore" is invalid: use "default", or "recover" to bring back a soft-deleted vault of this name.',
    ],
    [
        "a production stack without purge protection",
        (c) => ((c.production = true), (c.vault.purgeProtection = false), (c.vault.network = privateNetwork())),
        "vault.purgeProtection false is invalid: a production vault keeps purge protection on (production is true).",
    ],
    [
        "settings of a created vault on an adopted one",
        (c) => (c.vault = { name: "kv-existing", existing: true, softDeleteRetentionDays: 30, createMode: "recover" }),
        [
            "vault.softDeleteRetentionDays 30 is invalid: applies only to a vault this stack creates; vault.existing is true, so the vault is only referenced.",
            'vault.createMode "recover" is invalid: applies only to a vault this stack creates; vault.existing is true, so the vault is only referenced.',
        ],
    ],
    [
        "a production flag that is not a boolean",
        (c) => (c.production = "yes"),
        'production "yes" is invalid: use true or false.',
    ],

    // Wrong types.
    ["a number where a name belongs", (c) => (c.vault.name = 42), `vault.name 42 is invalid: ${VAULT_RULE}.`],
    [
        "a single string where a list belongs",
        (c) => (c.kubernetes = { existingNamespaces: "app-namespace" }),
        'kubernetes.existingNamespaces "app-namespace" is invalid: use a list of namespace names.',
    ],
    [
        "a list where a map of secrets belongs",
        (c) => (c.seededSecrets = ["key-vault-secret-name"]),
        "seededSecrets [secret] is invalid: use a map of names to values.",
    ],
    [
        "an object where an image reference belongs",
        (c) => (c.workloads[0].image = { name: "pause" }),
        'workloads[0].image {"name":"pause"} is invalid: use an image reference pinned by tag or digest, such as "registry.k8s.io/pause:3.10".',
    ],
    [
        "an owner that is not an object id",
        (c) => (c.auth.owners = ["alice@example.com"]),
        `auth.owners[0] "alice@example.com" is invalid: ${GUID_RULE} (object id of an owner).`,
    ],
    [
        "an unknown key under an ExternalSecret",
        (c) => (c.externalSecrets[0].refresh = "1h"),
        "externalSecrets[0].refresh is not a known key: use one of name, namespace, tenant, target, refreshInterval, refreshPolicy, syncWindows, creationPolicy, deletionPolicy, data, dataFrom, template, secretStoreRef, certificate (see the key reference in Pulumi.yaml).",
    ],
    [
        "an unknown key under the Velero preset",
        (c) => (c.velero = { bucket: "backups" }),
        "velero.bucket is not a known key: use one of namespace, secretName, refreshInterval, keyVaultSecrets (see the key reference in Pulumi.yaml).",
    ],
    [
        "a duplicate workload",
        (c) => c.workloads.push({ ...c.workloads[0] }),
        'workloads[1].name "app-name" is invalid: another workload already uses this name in namespace "app-namespace"; use a unique name.',
    ],
    [
        "a seeded secret with an empty value",
        (c) => (c.seededSecrets = { "db-password": "" }),
        "seededSecrets.db-password [secret] is invalid: use a non-empty string.",
    ],
    [
        "a seeded secret with a day that does not exist, and both a day and a number of days",
        (c) =>
            (c.seededSecrets = {
                "db-password": { value: "x", expiresOn: "2027-02-30" },
                "api-key": { value: "y", expiresOn: "2027-06-30", expiresInDays: 30 },
            }),
        [
            'seededSecrets.db-password.expiresOn [secret] is invalid: use a date as YYYY-MM-DD, such as "2027-06-30" (the day the secret expires, midnight UTC).',
            "seededSecrets.api-key [secret] is invalid: set expiresOn or expiresInDays, not both.",
        ],
    ],
    [
        "seeded secret defaults out of range",
        (c) => (c.seededSecretDefaults = { expiresInDays: 0, contentType: "" }),
        [
            "seededSecretDefaults.expiresInDays 0 is invalid: use a whole number from 1 to 3650 (days from a seeded secret's creation until it expires; at most ten years).",
            'seededSecretDefaults.contentType "" is invalid: use a content type such as "text/plain", "password" or "application/json".',
        ],
    ],
    [
        "a workload CPU request that is not a quantity",
        (c) => (c.workloads[0].resources = { requests: { cpu: "lots", memory: "1Gi" }, limits: { memory: "512Mi" } }),
        [
            'workloads[0].resources.requests.cpu "lots" is invalid: use a Kubernetes quantity such as "100m" (a number with an optional m, k, M, G, Ki, Mi or Gi suffix).',
        ],
    ],
    [
        "a workload memory request above its limit",
        (c) => (c.workloads[0].resources = { requests: { memory: "1Gi" }, limits: { memory: "512Mi" } }),
        'workloads[0].resources.requests.memory "1Gi" is invalid: request at most the limit (limits.memory): the API server refuses a request above its limit.',
    ],
    [
        "an ESO webhook CPU request above the default limit",
        (c) => (c.eso = { resources: { webhook: { requests: { cpu: "2" } } } }),
        'eso.resources.webhook.requests.cpu "2" is invalid: request at most the limit (limits.cpu): the API server refuses a request above its limit.',
    ],
    [
        "AppArmor set to something other than a boolean",
        (c) => (c.kubernetes.appArmor = "RuntimeDefault"),
        'kubernetes.appArmor "RuntimeDefault" is invalid: use true or false.',
    ],
];

describe("bad input", () => {
    for (const [what, change, expected] of CASES) {
        it(`rejects ${what}, registering nothing`, async () => {
            const config = runbookConfig() as Record<string, any>;
            change(config);
            const { message, cloud } = await runProgramExpectingError(config);
            const problems = message
                .split("\n")
                .slice(1)
                .map((line) => line.replace(/^ {2}- /, ""));
            assert.deepEqual(problems, Array.isArray(expected) ? expected : [expected]);
            assert.deepEqual(cloud.resources, [], "resources were registered");
            assert.deepEqual(cloud.invokes, [], "providers were called");
        });
    }
});
