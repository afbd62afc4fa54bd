import { strict as assert } from "node:assert";
import { parseStackConfig, StackConfigError } from "../stacks";
import { runbookConfig, runProgramExpectingError, unwrap } from "./mocks";
import * as pulumi from "@pulumi/pulumi";

const context = { project: "eso-keyvault", stack: "dev" };

/** The problems reported for a configuration: the runbook's with `change` applied. */
function problemsWith(change: (config: Record<string, any>) => void): string[] {
    const config = runbookConfig() as Record<string, any>;
    change(config);
    try {
        parseStackConfig(config, context);
    } catch (error) {
        assert.ok(error instanceof StackConfigError, `expected a StackConfigError, got ${String(error)}`);
        return [...error.problems];
    }
    assert.fail("the configuration was accepted");
}

const VAULT_RULE =
    "use 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without consecutive hyphens (Azure Key Vault naming)";
const NAME_RULE =
    "use at most 253 lower-case letters, digits, hyphens and dots, starting and ending with a letter or digit (Kubernetes name, DNS-1123 subdomain)";
const NAMESPACE_RULE =
    "use at most 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit (Kubernetes namespace, DNS-1123 label)";

describe("stack configuration", () => {
    describe("defaults", () => {
        it("fills every optional key with its documented default", () => {
            const config = parseStackConfig(
                {
                    azure: { resourceGroupName: "rg", location: "westeurope" },
                    vault: { name: "kv-defaults" },
                },
                context,
            );
            assert.equal(config.vault.softDeleteRetentionDays, 90);
            assert.equal(config.vault.purgeProtection, true);
            assert.equal(config.auth.mode, "servicePrincipal");
            assert.equal(config.auth.displayName, "eso-keyvault-dev");
            assert.equal(config.auth.passwordLifetimeDays, 180);
            assert.deepEqual(config.auth.credentialSecret, {
                name: "azure-secret-sp",
                clientIdKey: "ClientID",
                clientSecretKey: "ClientSecret",
            });
            assert.deepEqual(config.eso, {
                namespace: "external-secrets",
                releaseName: "external-secrets",
                chartVersion: "2.9.0",
            });
            assert.equal(config.store.name, "azure-secret-store");
            assert.deepEqual(config.externalSecrets, []);
        });

        it("defaults an ExternalSecret's target, refresh interval and creation policy", () => {
            const config = parseStackConfig(
                {
                    ...runbookConfig(),
                    externalSecrets: [{ name: "app", namespace: "apps", data: { password: "db-password" } }],
                    workloads: [],
                },
                context,
            );
            assert.deepEqual(config.externalSecrets[0], {
                name: "app",
                namespace: "apps",
                target: "app",
                tenant: undefined,
                refreshInterval: "1h",
                creationPolicy: "Owner",
                data: { password: { key: "db-password" } },
                dataFrom: [],
            });
        });

        it("keeps a configured false instead of the default", () => {
            const config = parseStackConfig(
                { ...runbookConfig(), vault: { name: "kv-dev", purgeProtection: false } },
                context,
            );
            assert.equal(config.vault.purgeProtection, false);
        });

        it("reads numbers and booleans stored as strings by `pulumi config set --path`", () => {
            const config = parseStackConfig(
                {
                    ...runbookConfig(),
                    vault: { name: "kv-typed", softDeleteRetentionDays: "30", purgeProtection: "false" },
                },
                context,
            );
            assert.equal(config.vault.softDeleteRetentionDays, 30);
            assert.equal(config.vault.purgeProtection, false);
        });

        it("wraps seeded secret values as Pulumi secrets", async () => {
            const config = parseStackConfig(runbookConfig(), context);
            const value = config.seededSecrets["key-vault-secret-name"] as pulumi.Output<string>;
            assert.equal(await pulumi.isSecret(value), true);
            assert.equal(await unwrap(value), "Azure Key Vault");
        });
    });

    describe("rejects", () => {
        const cases: Array<[string, (c: Record<string, any>) => void, string]> = [
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
                "colour is not a known key: use one of azure, vault, seededSecrets, auth, kubeconfig, kubernetes, eso, store, externalSecrets, tenants, velero, workloads (see the key reference in Pulumi.yaml).",
            ],
            [
                "an unknown nested key",
                (c) => (c.vault.nmae = "kv"),
                "vault.nmae is not a known key: use one of name, softDeleteRetentionDays, purgeProtection (see the key reference in Pulumi.yaml).",
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
                'externalSecrets[0].creationPolicy "Sometimes" is invalid: use Owner, Orphan, Merge or None (ESO creation policy).',
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
        ];
        for (const [what, change, message] of cases) {
            it(what, () => assert.deepEqual(problemsWith(change), [message]));
        }

        const ISSUER_RULE =
            "use the cluster's OIDC issuer, an https URL such as https://westeurope.oic.prod-aks.azure.com/<tenant>/<id>/ (az aks show --query oidcIssuerProfile.issuerUrl)";
        const combinations: Array<[string, Record<string, unknown>, string[]]> = [
            [
                "workload identity without an issuer URL",
                { mode: "workloadIdentity" },
                ["auth.oidcIssuerUrl is required: set it with `pulumi config set --path auth.oidcIssuerUrl <value>`."],
            ],
            [
                "workload identity with a plain-http issuer URL",
                { mode: "workloadIdentity", oidcIssuerUrl: "http://issuer.example.com/" },
                [`auth.oidcIssuerUrl "http://issuer.example.com/" is invalid: ${ISSUER_RULE}.`],
            ],
            [
                "workload identity with an issuer that is not a URL",
                { mode: "workloadIdentity", oidcIssuerUrl: "aks-prod" },
                [`auth.oidcIssuerUrl "aks-prod" is invalid: ${ISSUER_RULE}.`],
            ],
            [
                "workload identity with an issuer URL carrying a query",
                { mode: "workloadIdentity", oidcIssuerUrl: "https://issuer.example.com/?x=1" },
                [`auth.oidcIssuerUrl "https://issuer.example.com/?x=1" is invalid: ${ISSUER_RULE}.`],
            ],
            [
                "managed identity without its ids",
                { mode: "managedIdentity" },
                [
                    "auth.clientId is required: set it with `pulumi config set --path auth.clientId <value>`.",
                    "auth.principalId is required: set it with `pulumi config set --path auth.principalId <value>`.",
                ],
            ],
            [
                "managed identity with a client id that is not a GUID",
                {
                    mode: "managedIdentity",
                    clientId: "my-identity",
                    principalId: "66666666-6666-4666-a666-666666666666",
                },
                [
                    'auth.clientId "my-identity" is invalid: use a GUID such as 00000000-0000-0000-0000-000000000000 (client id of the user-assigned managed identity).',
                ],
            ],
            [
                "a password setting in workload identity mode",
                { mode: "workloadIdentity", oidcIssuerUrl: "https://issuer.example.com/", passwordSlot: "b" },
                [
                    "auth.passwordSlot is not a known key: use one of mode, displayName, oidcIssuerUrl, serviceAccountName (see the key reference in Pulumi.yaml).",
                ],
            ],
            [
                "an app registration name in managed identity mode",
                {
                    mode: "managedIdentity",
                    displayName: "eso",
                    clientId: "55555555-5555-4555-a555-555555555555",
                    principalId: "66666666-6666-4666-a666-666666666666",
                },
                [
                    "auth.displayName is not a known key: use one of mode, clientId, principalId (see the key reference in Pulumi.yaml).",
                ],
            ],
        ];
        for (const [what, auth, messages] of combinations) {
            it(what, () =>
                assert.deepEqual(
                    problemsWith((c) => (c.auth = auth)),
                    messages,
                ),
            );
        }

        it("an unknown Azure cloud", () =>
            assert.deepEqual(
                problemsWith((c) => (c.azure.cloud = "AzureCloud")),
                [
                    'azure.cloud "AzureCloud" is invalid: use PublicCloud, USGovernmentCloud, ChinaCloud or GermanCloud (the Azure cloud of the vault).',
                ],
            ));

        it("a ready timeout under a minute", () =>
            assert.deepEqual(
                problemsWith((c) => (c.store = { readyTimeoutSeconds: 10 })),
                [
                    "store.readyTimeoutSeconds 10 is invalid: use a whole number from 60 to 3600 (seconds `pulumi up` waits for the store and each ExternalSecret to be Ready).",
                ],
            ));

        it("never shows a secret value in a message", () => {
            const problems = problemsWith((c) => (c.seededSecrets = { "db-password": 12345678 }));
            assert.deepEqual(problems, ["seededSecrets.db-password [secret] is invalid: use a non-empty string."]);
        });

        it("reports every problem in one pass", () => {
            const problems = problemsWith((c) => {
                c.vault.name = "kv_prod";
                c.azure.tenantId = "contoso";
                c.workloads[0].externalSecret = "missing";
            });
            assert.equal(problems.length, 3);
        });

        it("names the stack and says nothing was deployed", () => {
            assert.throws(
                () => parseStackConfig({ ...runbookConfig(), vault: { name: "kv_prod" } }, context),
                (error: Error) =>
                    error.message.startsWith(
                        'Stack "dev" has 1 configuration problem; nothing was deployed:\n  - vault.name',
                    ),
            );
        });
    });

    describe("in the program", () => {
        it("stops before registering any resource or calling any provider", async () => {
            const { message, cloud } = await runProgramExpectingError({
                ...runbookConfig(),
                vault: { name: "kv_prod" },
            });
            assert.match(message, /vault\.name "kv_prod" is invalid/);
            assert.deepEqual(cloud.resources, []);
            assert.deepEqual(cloud.invokes, []);
        });
    });
});
