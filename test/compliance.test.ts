// The Key Vault compliance report: Microsoft's built-in policy definitions, decided from what a stack plans to create.
// Each built-in holds for one set of resources and fails for another; the example stacks are planned as they are.
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { policyConfigFor, policyResourcesOf, simulateStack } from "../plan/run";
import { readStackFile } from "../plan/stackFile";
import { BUILT_INS, complianceOf, describeCompliance, type ComplianceResult } from "../policy/compliance";
import { checkResources, policies, type PolicyConfig, type PolicyResource } from "../policy/policies";
import { TYPES } from "./mocks";

const ROOT = path.resolve(__dirname, "..");
const DEFINITIONS = path.join(__dirname, "fixtures", "azure-policy-keyvault");

const DEV: PolicyConfig = { production: false, tenantsConfigured: false };
/** A production stack as its configuration must be: private and logged. */
const PRODUCTION: PolicyConfig = {
    production: true,
    restrictedNetwork: { publicNetworkAccess: "disabled", allowedIps: [], allowedSubnetIds: [] },
    privateEndpoint: true,
    resourceLogs: true,
    tenantsConfigured: false,
};

const GROUP = "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg";
const VAULT_ID = `${GROUP}/providers/Microsoft.KeyVault/vaults/kv-test`;
const OTHER_VAULT_ID = `${GROUP}/providers/Microsoft.KeyVault/vaults/kv-other`;
const STORAGE_ID = `${GROUP}/providers/Microsoft.Storage/storageAccounts/stlogs`;
const EXPIRES = Date.parse("2027-01-01T00:00:00Z") / 1000;

// Resources as the program registers them, each meeting every built-in.

const vault = (properties: Record<string, unknown> = {}): PolicyResource => ({
    type: TYPES.vault,
    name: "vault-vault",
    urn: "urn:pulumi:test::eso-keyvault::azure-native:keyvault:Vault::vault-vault",
    props: {
        vaultName: "kv-test",
        properties: {
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
            publicNetworkAccess: "disabled",
            networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [], virtualNetworkRules: [] },
            ...properties,
        },
    },
});

const endpoint = (vaultId = VAULT_ID): PolicyResource => ({
    type: TYPES.privateEndpoint,
    name: "vault-private-endpoint",
    props: {
        privateLinkServiceConnections: [{ name: "kv-test-vault", privateLinkServiceId: vaultId, groupIds: ["vault"] }],
    },
});

const diagnostics = (change: Record<string, unknown> = {}): PolicyResource => ({
    type: TYPES.diagnosticSetting,
    name: "vault-monitoring-diagnostics",
    props: {
        resourceUri: VAULT_ID,
        logs: [{ category: "AuditEvent", enabled: true }],
        metrics: [{ category: "AllMetrics", enabled: true }],
        ...change,
    },
});

const secret = (properties: Record<string, unknown> = {}): PolicyResource => ({
    type: TYPES.kvSecret,
    name: "seeded-db-password",
    props: {
        secretName: "db-password",
        properties: { value: "x", contentType: "text/plain", attributes: { expires: EXPIRES }, ...properties },
    },
});

const key = (properties: Record<string, unknown>): PolicyResource => ({
    type: "azure-native:keyvault:Key",
    name: "signing-key",
    props: { keyName: "signing", properties: { attributes: { expires: EXPIRES }, ...properties } },
});

const compliant = (): PolicyResource[] => [vault(), endpoint(), diagnostics(), secret()];

/** What the report says of one built-in, by GUID. */
function resultOf(guid: string, resources: PolicyResource[], config = PRODUCTION): ComplianceResult {
    const result = complianceOf(resources, config).find((r) => r.guid === guid);
    assert.ok(result, `no row for ${guid}`);
    return result;
}

const verdict = (result: ComplianceResult) => ({ status: result.status, why: result.why });

/** The row of one built-in. */
const row = (guid: string) => {
    const found = BUILT_INS.find((b) => b.guid === guid);
    assert.ok(found, guid);
    return found;
};

/** The pack policies that report something for these resources, by name. */
const packReports = (resources: PolicyResource[], config: PolicyConfig) =>
    new Set(checkResources(resources, config).map((v) => v.policy));

/** Asserts a failing production case fails the pack too, through one of the policies the row names. */
function assertPackEnforces(guid: string, resources: PolicyResource[]): void {
    const reported = packReports(resources, PRODUCTION);
    assert.ok(
        row(guid).policies.some((name) => reported.has(name)),
        `${guid}: none of ${row(guid).policies.join(", ")} reports it (${[...reported].join(", ")})`,
    );
}

describe("the table of Key Vault built-ins", () => {
    const files = readdirSync(DEFINITIONS).filter((f) => f.endsWith(".json"));

    it("has one row per definition copied from Azure/azure-policy, with its GUID, display name and version", () => {
        assert.deepEqual(BUILT_INS.map((b) => b.file).sort(), [...files].sort());
        for (const file of files) {
            const definition = JSON.parse(readFileSync(path.join(DEFINITIONS, file), "utf8")) as {
                name: string;
                properties: { displayName: string; metadata: { version: string } };
            };
            const builtIn = BUILT_INS.find((b) => b.file === file);
            assert.deepEqual(
                { guid: builtIn?.guid, displayName: builtIn?.displayName, version: builtIn?.version },
                {
                    guid: definition.name,
                    displayName: definition.properties.displayName,
                    version: definition.properties.metadata.version,
                },
                file,
            );
        }
    });

    it("names only policies the pack has, and each of those cites the built-in's GUID", () => {
        for (const builtIn of BUILT_INS) {
            for (const name of builtIn.policies) {
                const policy = policies.find((p) => p.name === name);
                assert.ok(policy, `${builtIn.guid} names ${name}, which the pack lacks`);
            }
            // The policy written for the built-in (the first named) says which built-in it is.
            const own = policies.find((p) => p.name === builtIn.policies[0]);
            if (own !== undefined) {
                assert.match(own.description, new RegExp(builtIn.guid.slice(0, 8)), own.name);
            }
        }
    });

    it("holds every built-in for resources that meet them all, keys aside", () => {
        const statuses = complianceOf(compliant(), PRODUCTION).map((r) => `${r.guid.slice(0, 8)} ${r.status}`);
        assert.deepEqual(statuses, [
            "12d4fa5e holds",
            "1e66c121 holds",
            "0b60c0b2 holds",
            "55615ac9 holds",
            "a6abeaec holds",
            "cf820ca0 holds",
            "98728c90 holds",
            "152b15f7 not applicable",
            "405c5871 holds",
            "ac673a9a holds",
            "75262d3e holds",
            "75c4f823 not applicable",
            "ff25f3c8 not applicable",
            "587c79fe not applicable",
        ]);
        assert.deepEqual(checkResources(compliant(), PRODUCTION), []);
    });

    it("judges no vault when the stack creates none (an adopted vault is read, not created)", () => {
        assert.deepEqual(verdict(resultOf("12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5", [])), {
            status: "not applicable",
            why: "the stack creates no Key Vault (an adopted vault is its owner's to judge)",
        });
    });
});

describe("12d4fa5e Azure Key Vault should use RBAC permission model", () => {
    const guid = "12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5";

    it("holds for a vault authorized by Azure RBAC", () => {
        assert.deepEqual(verdict(resultOf(guid, compliant())), {
            status: "holds",
            why: "vault kv-test: enableRbacAuthorization true",
        });
    });

    it("fails for a vault with access policies, in any stack, as the pack does", () => {
        const resources = [vault({ enableRbacAuthorization: false }), endpoint(), diagnostics()];
        const result = resultOf(guid, resources, DEV);
        assert.deepEqual(verdict(result), { status: "fails", why: "vault kv-test: enableRbacAuthorization false" });
        assert.equal(result.fix, "enableRbacAuthorization true (components/keyVault.ts always sets it)");
        assertPackEnforces(guid, resources);
    });
});

describe("1e66c121 Key vaults should have soft delete enabled", () => {
    const guid = "1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d";

    it("holds for a vault with soft delete on", () => {
        assert.equal(resultOf(guid, compliant()).status, "holds");
    });

    it("fails for a vault that turns soft delete off or leaves it out, as the definition says", () => {
        for (const [value, shown] of [
            [false, "false"],
            [undefined, "undefined"],
        ] as const) {
            const resources = [vault({ enableSoftDelete: value }), endpoint(), diagnostics()];
            assert.deepEqual(verdict(resultOf(guid, resources, DEV)), {
                status: "fails",
                why: `vault kv-test: enableSoftDelete ${shown}`,
            });
            assertPackEnforces(guid, resources);
        }
    });

    it("is checked by keyvault-soft-delete, with the fix in its message", () => {
        assert.deepEqual(
            checkResources([vault({ enableSoftDelete: false })], DEV).map((v) => `[${v.policy}] ${v.message}`),
            [
                "[keyvault-soft-delete] enableSoftDelete is false: leave soft delete on (true, the SDK's default) so that deleted vaults and secrets stay recoverable (Azure Policy 1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d)",
            ],
        );
    });
});

describe("0b60c0b2 Key vaults should have deletion protection enabled", () => {
    const guid = "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53";
    const unprotected = () => [vault({ enablePurgeProtection: undefined }), endpoint(), diagnostics()];

    it("holds for a vault with purge protection and soft delete", () => {
        assert.deepEqual(verdict(resultOf(guid, compliant())), {
            status: "holds",
            why: "vault kv-test: enablePurgeProtection true, enableSoftDelete true",
        });
    });

    it("fails a production vault without purge protection, or with soft delete off", () => {
        assert.deepEqual(verdict(resultOf(guid, unprotected())), {
            status: "fails",
            why: "vault kv-test: enablePurgeProtection undefined, enableSoftDelete true",
        });
        assertPackEnforces(guid, unprotected());
        const softOff = [vault({ enableSoftDelete: false }), endpoint(), diagnostics()];
        assert.equal(resultOf(guid, softOff).status, "fails");
        assertPackEnforces(guid, softOff);
    });

    it("is skipped, saying why, by a stack that is not production", () => {
        const result = resultOf(guid, unprotected(), DEV);
        assert.deepEqual(verdict(result), {
            status: "skipped",
            why: "vault kv-test: enablePurgeProtection undefined, enableSoftDelete true (not a production stack)",
        });
        assert.equal(
            result.fix,
            "remove vault.purgeProtection: false (purge protection is on by default, and cannot be turned off again)",
        );
    });
});

describe("55615ac9 Azure Key Vault should have firewall enabled or public network access disabled", () => {
    const guid = "55615ac9-af46-4a59-874e-391cc3dfb490";
    const open = () => [vault({ publicNetworkAccess: "enabled", networkAcls: undefined }), endpoint(), diagnostics()];

    it("holds for a vault that disables public access, or whose firewall denies by default", () => {
        assert.equal(resultOf(guid, [vault({ networkAcls: undefined })]).status, "holds");
        assert.deepEqual(verdict(resultOf(guid, [vault({ publicNetworkAccess: "Enabled" })])), {
            status: "holds",
            why: 'vault kv-test: publicNetworkAccess "Enabled", networkAcls.defaultAction "Deny"',
        });
    });

    it("fails a production vault open to all networks", () => {
        assert.deepEqual(verdict(resultOf(guid, open())), {
            status: "fails",
            why: 'vault kv-test: publicNetworkAccess "enabled", networkAcls.defaultAction undefined',
        });
        assertPackEnforces(guid, open());
    });

    it("is skipped by a stack without vault.network", () => {
        assert.deepEqual(verdict(resultOf(guid, open(), DEV)), {
            status: "skipped",
            why: 'vault kv-test: publicNetworkAccess "enabled", networkAcls.defaultAction undefined (not a production stack; vault.network not set)',
        });
    });
});

describe("a6abeaec Azure Key Vaults should use private link", () => {
    const guid = "a6abeaec-4d90-4a02-805f-6b26c4d3fbe9";

    it("holds for a vault with a private endpoint connected to its vault group", () => {
        assert.deepEqual(verdict(resultOf(guid, compliant())), {
            status: "holds",
            why: 'vault kv-test: a private endpoint with an automatic connection to its "vault" group',
        });
    });

    it("fails a production vault without one, or whose endpoint serves another vault", () => {
        for (const resources of [
            [vault(), diagnostics()],
            [vault(), endpoint(OTHER_VAULT_ID), diagnostics()],
        ]) {
            assert.deepEqual(verdict(resultOf(guid, resources)), {
                status: "fails",
                why: "vault kv-test: no private endpoint",
            });
            assertPackEnforces(guid, resources);
        }
    });

    it("is skipped by a stack without vault.network.privateEndpoint", () => {
        assert.deepEqual(verdict(resultOf(guid, [vault()], DEV)), {
            status: "skipped",
            why: "vault kv-test: no private endpoint (not a production stack; vault.network.privateEndpoint not set)",
        });
    });
});

describe("cf820ca0 Resource logs in Key Vault should be enabled", () => {
    const guid = "cf820ca0-f99e-4f3e-84fb-66e913812d21";
    const withLogs = (change: Record<string, unknown>) => [vault(), endpoint(), diagnostics(change)];

    it("holds for a diagnostic setting on the vault with an enabled log, of any category", () => {
        assert.deepEqual(verdict(resultOf(guid, compliant())), {
            status: "holds",
            why: 'vault kv-test: a diagnostic setting sends "AuditEvent"',
        });
        assert.equal(resultOf(guid, withLogs({ logs: [{ categoryGroup: "allLogs", enabled: true }] })).status, "holds");
    });

    it("holds for logs kept in storage forever or for at least 365 days", () => {
        for (const days of [0, 365]) {
            const logs = [{ category: "AuditEvent", enabled: true, retentionPolicy: { enabled: true, days } }];
            assert.equal(resultOf(guid, withLogs({ storageAccountId: STORAGE_ID, logs })).status, "holds", `${days}`);
        }
    });

    it("fails for disabled logs, logs kept 30 days in storage, metrics alone, or another vault's setting", () => {
        for (const change of [
            { logs: [{ category: "AuditEvent", enabled: false }] },
            {
                storageAccountId: STORAGE_ID,
                logs: [{ category: "AuditEvent", enabled: true, retentionPolicy: { enabled: true, days: 30 } }],
            },
            { logs: [] },
            { resourceUri: OTHER_VAULT_ID },
        ]) {
            assert.deepEqual(
                verdict(resultOf(guid, withLogs(change))),
                { status: "fails", why: "vault kv-test: no diagnostic setting sends its logs" },
                JSON.stringify(change),
            );
            assertPackEnforces(guid, withLogs(change));
        }
    });

    it("is checked by keyvault-resource-logs in production, and skipped by a stack without monitoring.logs", () => {
        assert.deepEqual(
            checkResources([vault(), endpoint()], PRODUCTION).map((v) => `${v.resource} [${v.policy}] ${v.message}`),
            [
                'azure-native:keyvault:Vault vault-vault [keyvault-resource-logs] Key Vault "kv-test" sends no resource logs: add a diagnostic setting with an enabled log such as AuditEvent (monitoring.logs; Azure Policy cf820ca0-f99e-4f3e-84fb-66e913812d21)',
            ],
        );
        assert.deepEqual(checkResources([vault()], DEV), []);
        assert.deepEqual(verdict(resultOf(guid, [vault()], DEV)), {
            status: "skipped",
            why: "vault kv-test: no diagnostic setting sends its logs (not a production stack; monitoring.logs not set)",
        });
    });

    it("is required of a development stack that configures logs", () => {
        assert.equal(resultOf(guid, [vault()], { ...DEV, resourceLogs: true }).status, "fails");
        assert.equal(packReports([vault()], { ...DEV, resourceLogs: true }).has("keyvault-resource-logs"), true);
    });
});

describe("405c5871 Azure Key Vault should disable public network access", () => {
    const guid = "405c5871-3e91-4644-8a63-58e19d68ff5b";
    const opened = () => [vault({ publicNetworkAccess: "enabled" }), endpoint(), diagnostics()];
    const deployerRule: PolicyConfig = {
        ...PRODUCTION,
        restrictedNetwork: { publicNetworkAccess: "enabled", allowedIps: ["203.0.113.7"], allowedSubnetIds: [] },
    };

    it("holds for a vault with public network access disabled, however it is spelled", () => {
        assert.deepEqual(verdict(resultOf(guid, [vault({ publicNetworkAccess: "Disabled" })])), {
            status: "holds",
            why: 'vault kv-test: publicNetworkAccess "Disabled"',
        });
    });

    it("fails a production vault that leaves it enabled, and keyvault-public-network-disabled reports it", () => {
        assert.deepEqual(verdict(resultOf(guid, opened())), {
            status: "fails",
            why: 'vault kv-test: publicNetworkAccess "enabled"',
        });
        assert.deepEqual(
            checkResources(opened(), PRODUCTION)
                .filter((v) => v.policy === "keyvault-public-network-disabled")
                .map((v) => v.message),
            [
                'publicNetworkAccess is "enabled": use "disabled" (the default with vault.network.privateEndpoint) and reach the vault through its private endpoint (Azure Policy 405c5871-3e91-4644-8a63-58e19d68ff5b)',
            ],
        );
        // Production asks for it even where the configuration says nothing of the network.
        assert.equal(resultOf(guid, opened(), { production: true, tenantsConfigured: false }).status, "fails");
    });

    it("is skipped, with the reminder, by a production stack that opens the temporary deployer rule", () => {
        assert.deepEqual(verdict(resultOf(guid, opened(), deployerRule)), {
            status: "skipped",
            why: 'vault kv-test: publicNetworkAccess "enabled" (vault.network.publicNetworkAccess is "enabled", a temporary deployer rule: remove it and vault.network.deployerIps once this deployment is done)',
        });
        assert.equal(packReports(opened(), deployerRule).has("keyvault-public-network-disabled"), false);
    });

    it("is skipped by a development stack without a private endpoint, or with a firewall alone", () => {
        assert.deepEqual(verdict(resultOf(guid, [vault({ publicNetworkAccess: undefined })], DEV)), {
            status: "skipped",
            why: "vault kv-test: publicNetworkAccess undefined (not a production stack; vault.network.privateEndpoint not set)",
        });
        const firewall: PolicyConfig = { ...DEV, restrictedNetwork: { allowedIps: [], allowedSubnetIds: [] } };
        assert.match(
            resultOf(guid, opened(), firewall).why,
            /\(not a production stack; vault\.network\.publicNetworkAccess is "enabled"\)$/,
        );
    });
});

describe("ac673a9a Configure key vaults to enable firewall (Modify)", () => {
    const guid = "ac673a9a-f77d-4846-b2d8-a57f8e1c01dc";
    const undenied = () => [vault({ networkAcls: undefined }), endpoint(), diagnostics()];

    it("holds where there is nothing to modify: the firewall denies by default", () => {
        assert.deepEqual(verdict(resultOf(guid, compliant())), {
            status: "holds",
            why: 'vault kv-test: networkAcls.defaultAction "Deny", nothing to modify',
        });
    });

    it("fails a production vault whose firewall does not deny, even with public access disabled", () => {
        assert.deepEqual(verdict(resultOf(guid, undenied())), {
            status: "fails",
            why: 'vault kv-test: networkAcls.defaultAction undefined; where assigned, this Modify policy writes "Deny", shutting out clients the firewall does not list',
        });
        assertPackEnforces(guid, undenied());
    });

    it("is skipped by a stack without vault.network", () => {
        assert.match(resultOf(guid, undenied(), DEV).why, /\(not a production stack; vault\.network not set\)$/);
        assert.equal(resultOf(guid, undenied(), DEV).status, "skipped");
    });
});

describe("98728c90 Key Vault secrets should have an expiration date", () => {
    const guid = "98728c90-32c7-4049-8429-847dc0f4fe37";

    it("holds for secrets with an expiry", () => {
        assert.deepEqual(verdict(resultOf(guid, [secret()])), {
            status: "holds",
            why: "secrets db-password: attributes.expires set",
        });
    });

    it("fails for a secret without one, in any stack, as the pack does", () => {
        const resources = [secret({ attributes: {} })];
        assert.deepEqual(verdict(resultOf(guid, resources, DEV)), {
            status: "fails",
            why: "secret db-password: attributes.expires unset",
        });
        assert.ok(packReports(resources, DEV).has("keyvault-secret-expiration"));
    });

    it("does not apply to a stack that writes no secrets", () => {
        assert.deepEqual(verdict(resultOf(guid, [vault()])), {
            status: "not applicable",
            why: "the stack writes no Key Vault secrets",
        });
    });
});

describe("75262d3e Secrets should have content type set", () => {
    const guid = "75262d3e-ba4a-4f43-85f8-9f72c090e5e3";

    it("holds for secrets with a content type", () => {
        assert.deepEqual(verdict(resultOf(guid, [secret()])), {
            status: "holds",
            why: 'secrets db-password: contentType "text/plain"',
        });
    });

    it("fails for a secret with an empty or no content type", () => {
        for (const [value, shown] of [
            ["", '""'],
            [undefined, "undefined"],
        ] as const) {
            const resources = [secret({ contentType: value })];
            assert.deepEqual(verdict(resultOf(guid, resources, DEV)), {
                status: "fails",
                why: `secret db-password: contentType ${shown}`,
            });
            assert.ok(packReports(resources, DEV).has("keyvault-secret-content-type"));
        }
    });
});

describe("the Key Vault key built-ins", () => {
    const KEYS = {
        expiry: "152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0",
        type: "75c4f823-d65c-4f29-a733-01d0077fdbcb",
        curve: "ff25f3c8-b739-4538-9d07-3d6d25cfb255",
        hsm: "587c79fe-dd04-4a5e-9d0b-f89598c7261b",
    };

    it("do not apply to a stack that creates no keys, and say so", () => {
        for (const guid of Object.values(KEYS)) {
            assert.deepEqual(verdict(resultOf(guid, compliant())), {
                status: "not applicable",
                why: "the stack creates no Key Vault keys (ESO reads secrets)",
            });
        }
    });

    it("152b15f7 holds for a key with an expiry and fails for one without", () => {
        assert.equal(resultOf(KEYS.expiry, [key({ kty: "RSA-HSM" })]).status, "holds");
        assert.deepEqual(verdict(resultOf(KEYS.expiry, [key({ kty: "RSA-HSM", attributes: {} })])), {
            status: "fails",
            why: "key signing: attributes.expires unset",
        });
    });

    it("75c4f823 holds for RSA and EC keys and fails for another type", () => {
        assert.equal(resultOf(KEYS.type, [key({ kty: "EC" })]).status, "holds");
        assert.deepEqual(verdict(resultOf(KEYS.type, [key({ kty: "oct-HSM" })])), {
            status: "fails",
            why: 'key signing: kty "oct-HSM"',
        });
    });

    it("ff25f3c8 holds for an allowed curve or an RSA key and fails for another curve", () => {
        assert.equal(resultOf(KEYS.curve, [key({ kty: "EC-HSM", curveName: "P-384" })]).status, "holds");
        assert.equal(resultOf(KEYS.curve, [key({ kty: "RSA" })]).status, "holds");
        assert.deepEqual(verdict(resultOf(KEYS.curve, [key({ kty: "EC", curveName: "P-224" })])), {
            status: "fails",
            why: 'key signing: curveName "P-224"',
        });
    });

    it("587c79fe holds for HSM-backed keys and fails for software keys, which a dev stack may skip", () => {
        assert.equal(resultOf(KEYS.hsm, [key({ kty: "EC-HSM", curveName: "P-256" })]).status, "holds");
        assert.deepEqual(verdict(resultOf(KEYS.hsm, [key({ kty: "RSA" })])), {
            status: "fails",
            why: 'key signing: kty "RSA"',
        });
        assert.equal(resultOf(KEYS.hsm, [key({ kty: "RSA" })], DEV).status, "skipped");
    });
});

describe("the example stacks' compliance", function () {
    this.timeout(120_000);

    async function complianceOfStack(stack: string): Promise<{ results: ComplianceResult[]; vaultName: string }> {
        const run = await simulateStack(readStackFile(ROOT, stack));
        if ("configError" in run) throw new Error(run.configError);
        const resources = policyResourcesOf(run.cloud.resources);
        const vaultName = resources.find((r) => r.type === TYPES.vault)?.props.vaultName;
        assert.equal(typeof vaultName, "string");
        return { results: complianceOf(resources, policyConfigFor(run.stackConfig)), vaultName: vaultName as string };
    }

    const byGuid = (results: ComplianceResult[]) =>
        Object.fromEntries(results.map((r) => [r.guid.slice(0, 8), r.status]));

    it("prod meets every built-in its inputs decide; secrets and keys it does not write", async () => {
        const { results } = await complianceOfStack("prod");
        assert.deepEqual(byGuid(results), {
            "12d4fa5e": "holds",
            "1e66c121": "holds",
            "0b60c0b2": "holds",
            "55615ac9": "holds",
            a6abeaec: "holds",
            cf820ca0: "holds",
            "98728c90": "not applicable",
            "152b15f7": "not applicable",
            "405c5871": "holds",
            ac673a9a: "holds",
            "75262d3e": "not applicable",
            "75c4f823": "not applicable",
            ff25f3c8: "not applicable",
            "587c79fe": "not applicable",
        });
    });

    it("dev skips the private endpoint, public access, firewall, logs and purge protection, and says why", async () => {
        const { results, vaultName } = await complianceOfStack("dev");
        assert.deepEqual(byGuid(results), {
            "12d4fa5e": "holds",
            "1e66c121": "holds",
            "0b60c0b2": "skipped",
            "55615ac9": "skipped",
            a6abeaec: "skipped",
            cf820ca0: "skipped",
            "98728c90": "holds",
            "152b15f7": "not applicable",
            "405c5871": "skipped",
            ac673a9a: "skipped",
            "75262d3e": "holds",
            "75c4f823": "not applicable",
            ff25f3c8: "not applicable",
            "587c79fe": "not applicable",
        });
        const lines = describeCompliance(results);
        assert.ok(
            lines.includes(
                `    skipped  a6abeaec  Azure Key Vaults should use private link: vault ${vaultName}: no private endpoint (not a production stack; vault.network.privateEndpoint not set)`,
            ),
            lines.join("\n"),
        );
        assert.ok(
            lines.includes(
                `    skipped  405c5871  Azure Key Vault should disable public network access: vault ${vaultName}: publicNetworkAccess "enabled" (not a production stack; vault.network.privateEndpoint not set)`,
            ),
            lines.join("\n"),
        );
    });
});

describe("describeCompliance", () => {
    it("prints a header, a line per built-in with the fix for a failure, and which are outside the benchmark", () => {
        const lines = describeCompliance(complianceOf([vault({ enableRbacAuthorization: false })], DEV));
        assert.equal(lines[0], "Key Vault compliance (Microsoft cloud security benchmark built-ins):");
        assert.equal(lines.length, 1 + BUILT_INS.length + 1);
        assert.equal(
            lines[1],
            "    fails    12d4fa5e  Azure Key Vault should use RBAC permission model: vault kv-test: enableRbacAuthorization false; fix: enableRbacAuthorization true (components/keyVault.ts always sets it)",
        );
        assert.equal(
            lines.at(-1),
            "    Not in the benchmark (1f3afdf9), checked as well: 405c5871 (in its v2 preview), ac673a9a, 75262d3e, 75c4f823, ff25f3c8, 587c79fe.",
        );
    });
});
