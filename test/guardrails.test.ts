// Protection against data loss, secrets that stay secret wherever they flow, and changes that replace nothing.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
    comparedInputs,
    inputsOf,
    isSecretInput,
    only,
    privateNetwork,
    runbookWith,
    runProgram,
    startCloud,
    TYPES,
    unwrap,
} from "./mocks";
import type { RecordedResource, SimulatedCloud } from "../plan/simulatedCloud";
import { isSecretValue } from "../plan/simulatedCloud";
import { ClientSecret, EsoIdentity } from "../components";

const SUBNET =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/aks/subnets/nodes";

const config = runbookWith;

describe("data loss", () => {
    it("protects the vault and seeded secrets of a production stack", async () => {
        const { cloud } = await runProgram(
            config((c) => ((c.production = true), (c.vault.network = privateNetwork()))),
        );
        assert.equal(only(cloud, TYPES.vault).options.protect, true);
        assert.equal(only(cloud, TYPES.kvSecret).options.protect, true);
        assert.equal(only(cloud, TYPES.release).options.protect, false);
    });

    it("leaves a stack that is not production unprotected", async () => {
        const { cloud } = await runProgram(config());
        assert.equal(only(cloud, TYPES.vault).options.protect, false);
        assert.equal(only(cloud, TYPES.kvSecret).options.protect, false);
    });

    it("only reads an adopted vault: never creates, changes or deletes it", async () => {
        const { cloud } = await runProgram(config((c) => (c.vault = { name: "kv-existing", existing: true })));
        const vault = only(cloud, TYPES.vault);
        assert.equal(vault.read, true);
        assert.equal(
            vault.inputs.id,
            "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg-external-secrets/providers/Microsoft.KeyVault/vaults/kv-existing",
        );
        const store = inputsOf(only(cloud, TYPES.clusterSecretStore));
        assert.equal(store.spec.provider.azurekv.vaultUrl, "https://kv-existing.vault.azure.net/");
        assert.equal(inputsOf(only(cloud, TYPES.roleAssignment)).scope, vault.inputs.id);
    });

    it("recovers a soft-deleted vault when asked, and sends that only at creation", async () => {
        const { cloud } = await runProgram(config((c) => (c.vault.createMode = "recover")));
        const vault = only(cloud, TYPES.vault);
        assert.equal(inputsOf(vault).properties.createMode, "recover");
        assert.deepEqual(vault.options.ignoreChanges, [
            "properties.createMode",
            "properties.softDeleteRetentionInDays",
        ]);
    });

    it("creates a vault normally otherwise", async () => {
        const { cloud } = await runProgram(config());
        assert.equal(inputsOf(only(cloud, TYPES.vault)).properties.createMode, undefined);
    });

    it("denies all networks but the configured ones when a network is asked for", async () => {
        const { cloud } = await runProgram(
            config((c) => (c.vault.network = { allowedIps: ["203.0.113.0/24"], allowedSubnetIds: [SUBNET] })),
        );
        assert.deepEqual(inputsOf(only(cloud, TYPES.vault)).properties.networkAcls, {
            defaultAction: "Deny",
            bypass: "AzureServices",
            ipRules: [{ value: "203.0.113.0/24" }],
            virtualNetworkRules: [{ id: SUBNET }],
        });
    });

    it("keeps app registration owners to the deployer at creation, unless owners are configured", async () => {
        const deployer = await runProgram(config());
        assert.deepEqual(only(deployer.cloud, TYPES.application).options.ignoreChanges, [
            "identifierUris",
            "requiredResourceAccesses",
            "owners",
        ]);
        const configured = await runProgram(config((c) => (c.auth.owners = ["12345678-1234-4234-a234-123456789abc"])));
        const app = only(configured.cloud, TYPES.application);
        assert.deepEqual(inputsOf(app).owners, ["12345678-1234-4234-a234-123456789abc"]);
        assert.deepEqual(app.options.ignoreChanges, ["identifierUris", "requiredResourceAccesses"]);
    });
});

describe("secrets stay secret", () => {
    /** Every recorded input path holding a value equal to `value`, and whether it is sent as a secret. */
    function occurrences(cloud: SimulatedCloud, value: string): Array<{ where: string; secret: boolean }> {
        const found: Array<{ where: string; secret: boolean }> = [];
        const walk = (node: unknown, where: string, secret: boolean): void => {
            if (isSecretValue(node)) return walk(node.value, where, true);
            if (node === value) found.push({ where, secret });
            else if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${where}[${i}]`, secret));
            else if (node !== null && typeof node === "object") {
                for (const [k, v] of Object.entries(node)) walk(v, `${where}.${k}`, secret);
            }
        };
        for (const r of cloud.resources) walk(r.inputs, `${r.type} ${r.name}`, false);
        return found;
    }

    it("sends the client secret only as a secret, wherever it flows", async () => {
        const { cloud } = await runProgram(
            config((c) => {
                c.tenants = [{ name: "team-a", namespaces: ["team-a"], secrets: { prefix: "team-a-" } }];
                c.kubernetes.ownedNamespaces.push("team-a");
            }),
        );
        for (const password of cloud.ofType(TYPES.password)) {
            const flows = occurrences(cloud, password.outputs?.value as string);
            assert.ok(flows.length > 0, `${password.name} reaches no resource`);
            for (const flow of flows) assert.ok(flow.secret, `${flow.where} carries ${password.name} in plain text`);
        }
    });

    it("sends seeded secret values only as secrets", async () => {
        const { cloud } = await runProgram(config());
        const flows = occurrences(cloud, "Azure Key Vault");
        assert.deepEqual(flows, [
            { where: `${TYPES.kvSecret} seeded-key-vault-secret-name.properties.value`, secret: true },
        ]);
    });

    it("sends the kubeconfig only as a secret", async () => {
        const kubeconfig = "apiVersion: v1\nkind: Config\nusers: [{name: admin, user: {token: t0ken}}]\n";
        const { cloud } = await runProgram(config((c) => (c.kubeconfig = kubeconfig)));
        assert.deepEqual(occurrences(cloud, kubeconfig), [
            { where: "pulumi:providers:kubernetes cluster.kubeconfig", secret: true },
        ]);
    });

    it("sends the whole credential Secret's data as a secret", async () => {
        const { cloud } = await runProgram(config());
        assert.ok(isSecretInput(only(cloud, TYPES.secret), "stringData"));
    });

    it("keeps the client secret a secret on the components that carry it", async () => {
        await startCloud();
        const password = new ClientSecret("pw", { applicationId: "/applications/x", slot: "a", lifetimeDays: 30 });
        const identity = new EsoIdentity("eso", {
            auth: {
                mode: "servicePrincipal",
                displayName: "eso",
                passwordSlot: "a",
                passwordLifetimeDays: 30,
                credentialSecret: { name: "azure-secret-sp", clientIdKey: "ClientID", clientSecretKey: "ClientSecret" },
            },
            deployer: "33333333-3333-4333-a333-333333333333",
            subscriptionId: "22222222-2222-4222-a222-222222222222",
            grants: { secrets: {} },
        });
        assert.equal(await pulumi.isSecret(password.value), true);
        assert.equal(identity.credentials.mode, "servicePrincipal");
        if (identity.credentials.mode === "servicePrincipal") {
            assert.equal(await pulumi.isSecret(identity.credentials.clientSecret), true);
        }
    });

    it("exports no secret in plain text", async () => {
        const { cloud, outputs } = await runProgram(config((c) => (c.kubeconfig = "kubeconfig-contents")));
        const secrets = [
            "Azure Key Vault",
            "kubeconfig-contents",
            only(cloud, TYPES.password).outputs?.value as string,
        ];
        for (const [name, output] of Object.entries(outputs)) {
            const plain = JSON.stringify(await unwrap(pulumi.output(output)));
            for (const secret of secrets) assert.ok(!plain?.includes(secret), `output ${name} shows a secret`);
        }
    });
});

describe("stability: benign changes replace nothing", () => {
    /** Each resource by URN, with what identifies it: type, parent and (for the vault) its inputs. */
    function identities(resources: readonly RecordedResource[]): Map<string, string> {
        return new Map(resources.map((r) => [r.urn, JSON.stringify({ type: r.type, parent: r.parent ?? null })]));
    }

    async function compare(change: (c: Record<string, any>) => void) {
        const before = (await runProgram(config())).cloud;
        const after = (await runProgram(config(change))).cloud;
        return { before, after };
    }

    it("keeps every resource's name, parent and type when an ExternalSecret is added", async () => {
        const { before, after } = await compare((c) => {
            c.externalSecrets.push({ name: "new", namespace: "other", data: { token: "api-token" } });
            c.kubernetes.ownedNamespaces.push("other");
        });
        const was = identities(before.resources);
        const now = identities(after.resources);
        for (const [urn, identity] of was) assert.equal(now.get(urn), identity, `${urn} changed or disappeared`);
        assert.ok(now.size > was.size, "the new ExternalSecret was not added");
    });

    it("keeps every resource, and the vault's inputs, when a refresh interval changes", async () => {
        const { before, after } = await compare((c) => (c.externalSecrets[0].refreshInterval = "15m"));
        assert.deepEqual([...identities(after.resources)], [...identities(before.resources)]);
        assert.deepEqual(inputsOf(only(after, TYPES.vault)), inputsOf(only(before, TYPES.vault)));
        const changed = after.resources.filter((r) => {
            const was = before.byUrnOf(r.urn);
            // Values computed from the clock (a secret's expiry, a password's end date) are ignored after creation,
            // as the engine would: compared without them, two runs a second apart agree.
            return (
                r.type !== TYPES.password &&
                (was === undefined || JSON.stringify(comparedInputs(r)) !== JSON.stringify(comparedInputs(was)))
            );
        });
        assert.deepEqual(
            changed.map((r) => r.type),
            [TYPES.externalSecret],
        );
    });

    it("keeps the vault and identity in place when tenants are added", async () => {
        const { before, after } = await compare((c) => {
            c.tenants = [{ name: "team-a", namespaces: ["team-a"], secrets: { names: ["team-a-db"] } }];
            c.kubernetes.ownedNamespaces.push("team-a");
        });
        for (const type of [TYPES.vault, TYPES.application, TYPES.servicePrincipal, TYPES.release]) {
            const was = before.ofType(type)[0] as RecordedResource;
            assert.ok(after.byUrnOf(was.urn), `${type} moved`);
        }
        assert.deepEqual(inputsOf(only(after, TYPES.vault)), inputsOf(only(before, TYPES.vault)));
    });
});
