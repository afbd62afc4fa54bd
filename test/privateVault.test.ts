// A private vault: public network access disabled, a private endpoint in the cluster's network, the private DNS zone
// that resolves the vault's usual name to it, and the firewall for whatever stays public.
import { strict as assert } from "node:assert";
import {
    ENDPOINT_SUBNET_ID,
    inputsOf,
    only,
    privateNetwork,
    problemsIn,
    problemsOf,
    runbookWith,
    runProgram,
    TYPES,
    VNET_ID,
} from "./mocks";
import { policyConfigFor } from "../plan/run";
import { checkResources, policyPackConfig, type PolicyConfig, type PolicyResource } from "../policy/policies";
import { parseStackConfig } from "../stacks/config";
import type { RecordedResource } from "../plan/simulatedCloud";

const SUBSCRIPTION = "/subscriptions/22222222-2222-4222-a222-222222222222";
const HUB_ZONE_ID = `${SUBSCRIPTION}/resourceGroups/rg-hub-dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net`;
const VAULT_ID = `${SUBSCRIPTION}/resourceGroups/rg-external-secrets/providers/Microsoft.KeyVault/vaults/external-secret-vault`;

/** The runbook as a private vault, with `change` applied to its `vault.network`. */
const privateRunbook = (change: (network: Record<string, any>) => void = () => undefined) =>
    runbookWith((c) => {
        c.vault.network = privateNetwork();
        change(c.vault.network);
    });

const production = (change: (c: Record<string, any>) => void = () => undefined) =>
    runbookWith((c) => {
        c.production = true;
        change(c);
    });

describe("a private vault", () => {
    it("disables public network access once a private endpoint is configured, and still denies by default", async () => {
        const { cloud } = await runProgram(privateRunbook());
        const properties = inputsOf(only(cloud, TYPES.vault)).properties;
        assert.equal(properties.publicNetworkAccess, "disabled");
        assert.equal(properties.networkAcls.defaultAction, "Deny");
    });

    it("connects a private endpoint in the configured subnet to the vault's `vault` group", async () => {
        const { cloud } = await runProgram(privateRunbook());
        const endpoint = inputsOf(only(cloud, TYPES.privateEndpoint));
        assert.equal(endpoint.subnet.id, ENDPOINT_SUBNET_ID);
        assert.equal(endpoint.resourceGroupName, "rg-external-secrets");
        assert.equal(endpoint.location, "westeurope");
        assert.deepEqual(endpoint.privateLinkServiceConnections, [
            { name: "external-secret-vault-vault", privateLinkServiceId: VAULT_ID, groupIds: ["vault"] },
        ]);
        assert.equal(endpoint.manualPrivateLinkServiceConnections, undefined);
    });

    it("creates privatelink.vaultcore.azure.net, links it to the cluster's VNet, and registers the endpoint in it", async () => {
        const { cloud } = await runProgram(privateRunbook());
        const zone = only(cloud, TYPES.privateZone);
        assert.deepEqual(inputsOf(zone), {
            resourceGroupName: "rg-external-secrets",
            privateZoneName: "privatelink.vaultcore.azure.net",
            location: "global",
        });
        const link = inputsOf(only(cloud, TYPES.zoneLink));
        assert.deepEqual(link.virtualNetwork, { id: VNET_ID });
        assert.equal(link.privateZoneName, "privatelink.vaultcore.azure.net");
        assert.equal(link.registrationEnabled, false);
        const group = inputsOf(only(cloud, TYPES.zoneGroup));
        assert.equal(group.privateEndpointName, "pe-external-secret-vault");
        assert.deepEqual(
            group.privateDnsZoneConfigs.map((c: { privateDnsZoneId: string }) => c.privateDnsZoneId),
            [zone.id],
        );
    });

    it("adopts an existing zone by id: creates no zone and, without vnetId, no link", async () => {
        const { cloud } = await runProgram(
            privateRunbook((network) => {
                network.privateEndpoint.dnsZoneId = HUB_ZONE_ID;
                delete network.privateEndpoint.vnetId;
            }),
        );
        assert.equal(cloud.ofType(TYPES.privateZone).length, 0);
        assert.equal(cloud.ofType(TYPES.zoneLink).length, 0);
        const group = inputsOf(only(cloud, TYPES.zoneGroup));
        assert.deepEqual(group.privateDnsZoneConfigs, [{ name: "vaultcore", privateDnsZoneId: HUB_ZONE_ID }]);
    });

    it("links an adopted zone in its own resource group when vnetId is given", async () => {
        const { cloud } = await runProgram(
            privateRunbook((network) => (network.privateEndpoint.dnsZoneId = HUB_ZONE_ID)),
        );
        const link = inputsOf(only(cloud, TYPES.zoneLink));
        assert.equal(link.resourceGroupName, "rg-hub-dns");
        assert.equal(link.privateZoneName, "privatelink.vaultcore.azure.net");
    });

    it("keeps the vault's usual URL in the store and the access check, never a privatelink. one", async () => {
        const { cloud } = await runProgram(privateRunbook());
        const store = inputsOf(only(cloud, TYPES.clusterSecretStore));
        assert.equal(store.spec.provider.azurekv.vaultUrl, "https://external-secret-vault.vault.azure.net/");
        const probe = inputsOf(only(cloud, TYPES.command));
        assert.equal(probe.environment.PROBE_VAULT_URL, "https://external-secret-vault.vault.azure.net/");
    });

    it("reads the vault (access check, store) only once its private DNS record exists", async () => {
        const slow = (type: string) => (type === TYPES.zoneGroup ? 150 : 0);
        const { cloud } = await runProgram(privateRunbook(), { latencyMs: slow });
        const record = only(cloud, TYPES.zoneGroup);
        const after = (later: RecordedResource) =>
            assert.ok(
                later.registeredAt >= (record.completedAt as number),
                `${later.name} was registered before the endpoint's DNS record existed`,
            );
        after(only(cloud, TYPES.command));
        after(only(cloud, TYPES.clusterSecretStore));
    });

    it("reads the vault only once the zone is linked to the cluster's network, which resolves it there", async () => {
        const slow = (type: string) => (type === TYPES.zoneLink ? 150 : 0);
        const { cloud } = await runProgram(privateRunbook(), { latencyMs: slow });
        const link = only(cloud, TYPES.zoneLink);
        for (const later of [only(cloud, TYPES.command), only(cloud, TYPES.clusterSecretStore)]) {
            assert.ok(
                later.registeredAt >= (link.completedAt as number),
                `${later.name} was registered before the zone's link existed`,
            );
        }
    });

    it("creates no endpoint or zone for a vault without one (development stays cheap)", async () => {
        const { cloud } = await runProgram(runbookWith());
        for (const type of [TYPES.privateEndpoint, TYPES.privateZone, TYPES.zoneLink, TYPES.zoneGroup]) {
            assert.equal(cloud.ofType(type).length, 0, type);
        }
    });
});

describe("whatever stays public", () => {
    it("lets the deployer's temporary addresses through the firewall beside the allowed ones, once each", async () => {
        const { cloud } = await runProgram(
            privateRunbook((network) => {
                network.publicNetworkAccess = "enabled";
                network.allowedIps = ["198.51.100.0/24", "203.0.113.7"];
                network.deployerIps = ["203.0.113.7", "192.0.2.10"];
            }),
        );
        const properties = inputsOf(only(cloud, TYPES.vault)).properties;
        assert.equal(properties.publicNetworkAccess, "enabled");
        assert.equal(properties.networkAcls.defaultAction, "Deny");
        assert.deepEqual(properties.networkAcls.ipRules, [
            { value: "198.51.100.0/24" },
            { value: "203.0.113.7" },
            { value: "192.0.2.10" },
        ]);
    });
});

describe("production stacks", () => {
    const REQUIRED =
        'vault.network.privateEndpoint is required (production is true, and a production vault is private: a private endpoint in the cluster\'s network, public network access disabled (Azure Policy 405c5871-3e91-4644-8a63-58e19d68ff5b "Azure Key Vault should disable public network access" and a6abeaec-4d90-4a02-805f-6b26c4d3fbe9 "Azure Key Vaults should use private link"). Set privateEndpoint.subnetId and privateEndpoint.vnetId (README, "Private vault")): set it with `pulumi config set --path vault.network.privateEndpoint.subnetId <value>`.';

    it("refuses a production vault without vault.network, saying what to set", () => {
        assert.deepEqual(problemsOf(production()), [REQUIRED]);
    });

    it("refuses a production vault behind a firewall but without a private endpoint", () => {
        assert.deepEqual(problemsOf(production((c) => (c.vault.network = { allowedIps: ["203.0.113.7"] }))), [
            REQUIRED,
        ]);
    });

    it("accepts a private production vault, and an adopted one (its network is its owner's)", () => {
        assert.deepEqual(problemsIn(production((c) => (c.vault.network = privateNetwork()))), []);
        assert.deepEqual(problemsIn(production((c) => (c.vault = { name: "kv-existing", existing: true }))), []);
    });
});

describe("bad network values", () => {
    const problems = (change: (network: Record<string, any>) => void) => problemsOf(privateRunbook(change));

    it("refuses firewall rules Key Vault would ignore while public network access is disabled", () => {
        const rule =
            'is invalid: Key Vault ignores firewall rules while public network access is disabled (azure-native VaultProperties.publicNetworkAccess: "even if the firewall rules are present we will not honor the rules"); remove them, or set vault.network.publicNetworkAccess to "enabled" to let these networks through the firewall.';
        assert.deepEqual(
            problems((network) => {
                network.allowedIps = ["203.0.113.7"];
                network.deployerIps = ["192.0.2.10"];
            }),
            [`vault.network.allowedIps ["203.0.113.7"] ${rule}`, `vault.network.deployerIps ["192.0.2.10"] ${rule}`],
        );
    });

    it("refuses public network access disabled without a private endpoint", () => {
        assert.deepEqual(problemsOf(runbookWith((c) => (c.vault.network = { publicNetworkAccess: "disabled" }))), [
            'vault.network.publicNetworkAccess "disabled" is invalid: with public network access disabled and no private endpoint nothing, ESO included, reaches the vault\'s data plane; set vault.network.privateEndpoint, or use "enabled".',
        ]);
    });

    it("requires the VNet to link a created zone to", () => {
        assert.deepEqual(
            problems((network) => delete network.privateEndpoint.vnetId),
            [
                "vault.network.privateEndpoint.vnetId is required (the stack creates the private DNS zone privatelink.vaultcore.azure.net, and only a virtual network linked to it resolves the vault's name to the private endpoint; name the cluster's virtual network): set it with `pulumi config set --path vault.network.privateEndpoint.vnetId <value>`.",
            ],
        );
    });

    it("refuses an adopted zone that is not the cloud's Key Vault zone", () => {
        const wrong = HUB_ZONE_ID.replace("privatelink.vaultcore.azure.net", "privatelink.blob.core.windows.net");
        assert.deepEqual(
            problems((network) => (network.privateEndpoint.dnsZoneId = wrong)),
            [
                `vault.network.privateEndpoint.dnsZoneId ${JSON.stringify(wrong).slice(0, 77)}... is invalid: names the zone "privatelink.blob.core.windows.net", but in PublicCloud Key Vault's private endpoints resolve through "privatelink.vaultcore.azure.net" (Microsoft, "Azure Private Endpoint private DNS zone values"); adopt that zone.`,
            ],
        );
    });

    it("uses the cloud's zone name, and asks for an existing zone where Microsoft publishes none", async () => {
        const { cloud } = await runProgram(
            runbookWith((c) => {
                c.azure.cloud = "USGovernmentCloud";
                c.vault.network = privateNetwork();
            }),
            { vaultDnsSuffix: "vault.usgovcloudapi.net" },
        );
        assert.equal(
            inputsOf(only(cloud, TYPES.privateZone)).privateZoneName,
            "privatelink.vaultcore.usgovcloudapi.net",
        );
        assert.deepEqual(
            problemsOf(
                runbookWith((c) => {
                    c.azure.cloud = "GermanCloud";
                    c.vault.network = privateNetwork();
                }),
            ),
            [
                "vault.network.privateEndpoint.dnsZoneId is required (Microsoft publishes no Key Vault private DNS zone name for GermanCloud, so the stack cannot create one; adopt your zone by id): set it with `pulumi config set --path vault.network.privateEndpoint.dnsZoneId <value>`.",
            ],
        );
    });

    it("names the rule for values of the wrong shape", () => {
        assert.deepEqual(
            problems((network) => {
                network.publicNetworkAccess = "Private";
                network.privateEndpoint.subnetId = "private-endpoints";
                network.privateEndpoint.vnetId = "vnet-aks";
                network.deployerIps = ["my-laptop"];
            }),
            [
                'vault.network.publicNetworkAccess "Private" is invalid: use "disabled" (only the private endpoint reaches the vault) or "enabled" (the firewall\'s rules apply).',
                'vault.network.deployerIps[0] "my-laptop" is invalid: use an IPv4 address or CIDR range such as 203.0.113.0/24 (Key Vault firewall rules take no IPv6).',
                'vault.network.privateEndpoint.subnetId "private-endpoints" is invalid: use a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>.',
                'vault.network.privateEndpoint.vnetId "vnet-aks" is invalid: use a resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>.',
            ],
        );
    });
});

describe("the policy pack on private vaults", () => {
    const PRODUCTION: PolicyConfig = { production: true, tenantsConfigured: false };
    const DEV: PolicyConfig = { production: false, tenantsConfigured: false };
    const vault = (properties: Record<string, unknown>): PolicyResource => ({
        type: TYPES.vault,
        name: "vault-vault",
        urn: "urn:pulumi:test::eso-keyvault::azure-native:keyvault:Vault::vault-vault",
        props: {
            vaultName: "kv-prod",
            properties: {
                tenantId: "11111111-1111-4111-a111-111111111111",
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: 90,
                enablePurgeProtection: true,
                ...properties,
            },
        },
    });
    const endpoint = (connections: Record<string, unknown>, manual = false): PolicyResource => ({
        type: TYPES.privateEndpoint,
        name: "vault-private-endpoint",
        props: {
            [manual ? "manualPrivateLinkServiceConnections" : "privateLinkServiceConnections"]: [
                { name: "kv-prod-vault", groupIds: ["vault"], ...connections },
            ],
        },
    });
    const PRIVATE = { publicNetworkAccess: "disabled", networkAcls: { defaultAction: "Deny" } };
    const KV_PROD_ID = VAULT_ID.replace("external-secret-vault", "kv-prod");
    const reported = (resources: PolicyResource[], config: PolicyConfig, policy: string) =>
        checkResources(resources, config)
            .filter((v) => v.policy === policy)
            .map((v) => `${v.resource}: ${v.message}`);

    it("passes a production vault with public access disabled, a private endpoint and resource logs", () => {
        const logs: PolicyResource = {
            type: TYPES.diagnosticSetting,
            name: "vault-monitoring-diagnostics",
            props: { resourceUri: KV_PROD_ID, logs: [{ category: "AuditEvent", enabled: true }] },
        };
        assert.deepEqual(
            checkResources([vault(PRIVATE), endpoint({ privateLinkServiceId: KV_PROD_ID }), logs], PRODUCTION),
            [],
        );
    });

    it("reports a production vault open to all networks (Azure Policy 55615ac9)", () => {
        assert.deepEqual(reported([vault({}), endpoint({})], PRODUCTION, "keyvault-network-closed-in-production"), [
            "azure-native:keyvault:Vault vault-vault: publicNetworkAccess is undefined and networkAcls.defaultAction is undefined: a production vault disables public network access (vault.network with a private endpoint) or at least denies it by default (Azure Policy 55615ac9-af46-4a59-874e-391cc3dfb490)",
        ]);
    });

    it("accepts a production firewall that denies by default, and reads publicNetworkAccess regardless of case", () => {
        const denied = vault({ publicNetworkAccess: "Enabled", networkAcls: { defaultAction: "Deny" } });
        assert.deepEqual(reported([denied, endpoint({})], PRODUCTION, "keyvault-network-closed-in-production"), []);
        const disabled = vault({ publicNetworkAccess: "Disabled" });
        assert.deepEqual(reported([disabled, endpoint({})], PRODUCTION, "keyvault-network-closed-in-production"), []);
    });

    it("reports a production vault without a private endpoint (Azure Policy a6abeaec)", () => {
        assert.deepEqual(reported([vault(PRIVATE)], PRODUCTION, "keyvault-private-link"), [
            'azure-native:keyvault:Vault vault-vault: Key Vault "kv-prod" has no private endpoint: add one with an automatic connection to its "vault" group (vault.network.privateEndpoint; Azure Policy a6abeaec-4d90-4a02-805f-6b26c4d3fbe9)',
        ]);
    });

    it("does not count a manual connection, one to another vault, or one to another group", () => {
        const other = VAULT_ID.replace("external-secret-vault", "kv-other");
        for (const wrong of [
            endpoint({}, true),
            endpoint({ privateLinkServiceId: other }),
            endpoint({ groupIds: ["secrets"] }),
        ]) {
            assert.equal(reported([vault(PRIVATE), wrong], PRODUCTION, "keyvault-private-link").length, 1);
        }
    });

    it("asks a development stack for a private endpoint only when it configures one", () => {
        assert.deepEqual(checkResources([vault({})], DEV), []);
        assert.equal(reported([vault({})], { ...DEV, privateEndpoint: true }, "keyvault-private-link").length, 1);
    });

    it("reports a vault whose public access differs from the stack's network", () => {
        const config: PolicyConfig = {
            ...DEV,
            restrictedNetwork: { publicNetworkAccess: "disabled", allowedIps: [], allowedSubnetIds: [] },
        };
        const acls = { networkAcls: { defaultAction: "Deny", ipRules: [], virtualNetworkRules: [] } };
        assert.deepEqual(reported([vault(acls)], config, "keyvault-network-restricted"), [
            'azure-native:keyvault:Vault vault-vault: publicNetworkAccess is undefined: the stack asks for "disabled" (vault.network.publicNetworkAccess); left unset, the SDK sends "enabled"',
        ]);
        assert.deepEqual(
            reported([vault({ ...acls, publicNetworkAccess: "disabled" })], config, "keyvault-network-restricted"),
            [],
        );
    });

    it("derives the pack's configuration from the validated stack configuration", () => {
        const stack = parseStackConfig(
            privateRunbook((network) => {
                network.publicNetworkAccess = "enabled";
                network.allowedIps = ["198.51.100.0/24"];
                network.deployerIps = ["192.0.2.10"];
            }),
            { project: "eso-keyvault", stack: "test" },
        );
        const config = policyPackConfig(policyConfigFor(stack));
        assert.deepEqual(config["keyvault-network-restricted"], {
            restricted: true,
            publicNetworkAccess: "enabled",
            allowedIps: ["198.51.100.0/24", "192.0.2.10"],
            allowedSubnetIds: [],
        });
        assert.deepEqual(config["keyvault-private-link"], { required: true });
        assert.deepEqual(config["keyvault-network-closed-in-production"], { production: false });
    });

    it("finds nothing to report in a private, logged production stack the program registers", async () => {
        const logged = (c: Record<string, any>) => (
            (c.vault.network = privateNetwork()),
            (c.monitoring = { logs: {} })
        );
        const { cloud } = await runProgram(production(logged));
        const resources = cloud.resources
            .filter((r) => r.custom && !r.read)
            .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: inputsOf(r) }));
        const stack = parseStackConfig(production(logged), { project: "eso-keyvault", stack: "test" });
        assert.deepEqual(checkResources(resources, policyConfigFor(stack)), []);
    });
});
