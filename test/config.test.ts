import { strict as assert } from "node:assert";
import { ESO_RESOURCES } from "../components/podResources";
import { parseStackConfig } from "../stacks";
import { problemsOf, runbookConfig, runbookWith, runProgramExpectingError, unwrap } from "./mocks";
import * as pulumi from "@pulumi/pulumi";

const context = { project: "eso-keyvault", stack: "dev" };

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
            assert.ok(!config.vault.existing);
            assert.equal(config.vault.softDeleteRetentionDays, 90);
            assert.equal(config.vault.purgeProtection, true);
            assert.ok(config.auth.mode === "servicePrincipal");
            assert.equal(config.auth.displayName, "eso-keyvault-dev");
            assert.equal(config.auth.passwordLifetimeDays, 180);
            assert.deepEqual(config.auth.credentialSecret, {
                name: "azure-secret-sp",
                clientIdKey: "ClientID",
                clientSecretKey: "ClientSecret",
            });
            assert.deepEqual(config.eso, {
                namespace: "external-secrets",
                createNamespace: true,
                releaseName: "external-secrets",
                chartVersion: "2.9.0",
                resources: ESO_RESOURCES,
                appArmor: true,
            });
            assert.equal(config.store.name, "azure-secret-store");
            assert.deepEqual(config.externalSecrets, []);
        });

        it("defaults an ExternalSecret's target, refresh interval and creation policy", () => {
            const config = parseStackConfig(
                {
                    ...runbookConfig(),
                    kubernetes: { existingNamespaces: ["apps"] },
                    externalSecrets: [{ name: "app", namespace: "apps", data: { password: "db-password" } }],
                    workloads: [],
                },
                context,
            );
            assert.deepEqual(config.externalSecrets[0], {
                key: "apps/app",
                formerKey: "apps-app",
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
            assert.ok(!config.vault.existing);
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
            assert.ok(!config.vault.existing);
            assert.equal(config.vault.softDeleteRetentionDays, 30);
            assert.equal(config.vault.purgeProtection, false);
        });

        it("gives a seeded secret the defaults' content type and expiry unless it sets its own", () => {
            const config = parseStackConfig(
                runbookWith((c) => {
                    c.seededSecrets = {
                        plain: "a",
                        db: { value: "b", contentType: "password", expiresOn: "2027-06-30" },
                        api: { value: "c", expiresInDays: 30 },
                    };
                    c.seededSecretDefaults = { contentType: "application/json" };
                }),
                context,
            );
            const settings = Object.fromEntries(
                Object.entries(config.seededSecrets).map(([name, s]) => [name, [s.contentType, s.expiry]]),
            );
            assert.deepEqual(settings, {
                plain: ["application/json", { afterDays: 365 }],
                db: ["password", { on: "2027-06-30" }],
                api: ["application/json", { afterDays: 30 }],
            });
        });

        it("asks for AppArmor in workloads and ESO's pods unless kubernetes.appArmor is false", () => {
            const on = parseStackConfig(runbookConfig(), context);
            assert.deepEqual([on.eso.appArmor, on.workloads[0]?.appArmor], [true, true]);
            const off = parseStackConfig(
                runbookWith((c) => (c.kubernetes.appArmor = "false")),
                context,
            );
            assert.deepEqual([off.eso.appArmor, off.workloads[0]?.appArmor], [false, false]);
            assert.deepEqual(off.kubernetes, {}, "the provider's arguments stay the provider's");
        });

        it("wraps seeded secret values as Pulumi secrets", async () => {
            const config = parseStackConfig(runbookConfig(), context);
            const value = config.seededSecrets["key-vault-secret-name"]?.value as pulumi.Output<string>;
            assert.equal(await pulumi.isSecret(value), true);
            assert.equal(await unwrap(value), "Azure Key Vault");
        });
    });

    describe("messages", () => {
        it("never shows a secret value in a message", () => {
            const problems = problemsOf(runbookWith((c) => (c.seededSecrets = { "db-password": 12345678 })));
            assert.deepEqual(problems, [
                "seededSecrets.db-password [secret] is invalid: use a non-empty string, or { value, contentType, expiresOn | expiresInDays }.",
            ]);
        });

        it("reports every problem in one pass", () => {
            const problems = problemsOf(
                runbookWith((c) => {
                    c.vault.name = "kv_prod";
                    c.azure.tenantId = "contoso";
                    c.workloads[0].externalSecret = "missing";
                }),
            );
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
