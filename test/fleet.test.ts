// A fleet: one stack owns the vault, cluster stacks read it through a StackReference; the offline plan plans them
// in that order, and the Automation API driver runs them so.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { type FleetMember, type FleetStackOps, renderFleetReport, runFleet } from "../deploy/fleet";
import { fleetExitCode, planAll } from "../plan/fleet";
import { plan, policyConfigFor } from "../plan/run";
import { parseStackConfig } from "../stacks/config";
import {
    inputsOf,
    only,
    PROJECT,
    problemsIn,
    problemsOf,
    runbookWith,
    runProgram,
    STACK,
    TYPES,
    unwrap,
} from "./mocks";

const ROOT = path.resolve(__dirname, "..");
const VAULT_STACK = "acme/eso-keyvault/fleet-vault";
const VAULT_ID =
    "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared";
const VAULT_OUTPUTS = {
    vaultId: VAULT_ID,
    vaultName: "kv-shared",
    vaultUri: "https://kv-shared.vault.azure.net/",
    vaultResourceGroupName: "rg-shared",
};

/** The runbook as a cluster stack of the fleet: its vault and seeded secrets are the vault stack's. */
function clusterStack(change: (c: Record<string, any>) => void = () => {}): Record<string, any> {
    return runbookWith((c) => {
        c.fleet = { role: "cluster", vaultStack: VAULT_STACK };
        delete c.vault;
        delete c.seededSecrets;
        change(c);
    });
}

/** The runbook as the fleet's vault stack: the vault and its secrets, no cluster. */
function vaultStack(): Record<string, any> {
    return {
        fleet: { role: "vault" },
        azure: { resourceGroupName: "rg-shared", location: "westeurope" },
        vault: { name: "kv-shared" },
        seededSecrets: { "key-vault-secret-name": "Azure Key Vault" },
    };
}

const planned = (stack: string) => (stack === VAULT_STACK ? VAULT_OUTPUTS : undefined);

describe("a fleet's stacks", () => {
    describe("configuration", () => {
        it("refuses cluster keys in the vault stack, naming each", () => {
            const problems = problemsOf({ ...vaultStack(), kubernetes: { context: "aks" }, externalSecrets: [{}] });
            assert.ok(
                problems.includes(
                    "kubernetes is set: it configures a cluster, and fleet.role is vault (this stack owns the shared vault, no cluster): set it in a cluster stack (fleet.role cluster, fleet.vaultStack naming this stack).",
                ),
                problems.join("\n"),
            );
            assert.ok(problems.some((p) => p.startsWith("externalSecrets")));
        });

        it("takes an empty list or map of a cluster key in the vault stack as unset, as `pulumi config` leaves it", () => {
            assert.deepEqual(problemsIn({ ...vaultStack(), externalSecrets: [], tenants: [], store: {} }), []);
            assert.deepEqual(
                problemsOf({ ...vaultStack(), store: { name: "azure" }, tenants: [{ name: "a" }] }).filter((p) =>
                    /^(store|tenants) is set/.test(p),
                ),
                [
                    "store is set: it configures a cluster, and fleet.role is vault (this stack owns the shared vault, no cluster): set it in a cluster stack (fleet.role cluster, fleet.vaultStack naming this stack).",
                    "tenants is set: it configures a cluster, and fleet.role is vault (this stack owns the shared vault, no cluster): set it in a cluster stack (fleet.role cluster, fleet.vaultStack naming this stack).",
                ],
            );
        });

        it("refuses ESO's sync alerts in the vault stack: they belong to each cluster", () => {
            const prometheus = { kind: "prometheusOperator" };
            assert.deepEqual(
                problemsOf({ ...vaultStack(), monitoring: { prometheus } }).filter((p) => p.startsWith("monitoring")),
                [
                    "monitoring.prometheus is set: it alerts on ESO's syncs in a cluster, and fleet.role is vault: set it in each cluster stack.",
                ],
            );
        });

        it("refuses the vault, its seeded secrets and its logs in a cluster stack", () => {
            const problems = problemsOf(
                clusterStack((c) => {
                    c.vault = { name: "kv-own" };
                    c.seededSecrets = { a: "b" };
                    c.monitoring = { logs: {} };
                }),
            );
            assert.deepEqual(problems, [
                `vault is set: it belongs to the stack that owns the vault, and fleet.role is cluster (the vault is ${VAULT_STACK}'s): set it there.`,
                `seededSecrets is set: it belongs to the stack that owns the vault, and fleet.role is cluster (the vault is ${VAULT_STACK}'s): set it there.`,
                `monitoring.logs is set: it collects the vault's logs, which belongs to the stack that owns the vault (${VAULT_STACK}): set it there.`,
            ]);
        });

        it("refuses a vault stack name that is not fully qualified", () => {
            const problems = problemsOf(clusterStack((c) => (c.fleet.vaultStack = "fleet-vault")));
            assert.deepEqual(problems, [
                'fleet.vaultStack "fleet-vault" is invalid: use the vault stack\'s fully qualified name, "<organization>/<project>/<stack>" (as `pulumi stack ls --all` prints it).',
            ]);
        });

        it("refuses a role it does not know", () => {
            assert.deepEqual(problemsOf(runbookWith((c) => (c.fleet = { role: "hub" }))), [
                'fleet.role "hub" is invalid: use "vault" (the shared stack that owns the vault) or "cluster" (a stack that reads it through fleet.vaultStack).',
            ]);
        });

        it("does not ask a production cluster stack for a private endpoint: the vault is its vault stack's", () => {
            const config = parseStackConfig(
                clusterStack((c) => (c.production = true)),
                { project: PROJECT, stack: STACK },
            );
            assert.equal(config.fleet.role, "cluster");
            // The vault's policies (purge protection, private link) are held by the vault stack's preview.
            assert.equal(policyConfigFor(config).production, false);
        });
    });

    describe("the vault stack", () => {
        it("creates the vault and its secrets, and nothing in a cluster", async () => {
            const { cloud, outputs } = await runProgram(vaultStack());
            assert.ok(
                cloud.resources.every((r) => !r.type.startsWith("kubernetes:") && !r.type.startsWith("azuread:")),
            );
            assert.equal(cloud.resources.filter((r) => r.type === "pulumi:providers:kubernetes").length, 0);
            only(cloud, TYPES.vault);
            only(cloud, TYPES.kvSecret);
            assert.equal(outputs.vaultResourceGroupName, "rg-shared");
            assert.match((await unwrap(outputs.vaultId as any)) as string, /\/vaults\/kv-shared$/);
            assert.equal(outputs.clientId, undefined);
        });
    });

    describe("a cluster stack", () => {
        it("reads the vault stack's vault by its id, and creates no vault and no secret", async () => {
            const { cloud } = await runProgram(clusterStack(), { stackOutputs: planned });
            const reference = only(cloud, "pulumi:pulumi:StackReference");
            assert.equal(reference.read, true);
            assert.equal(reference.inputs.id, VAULT_STACK);
            const vault = only(cloud, TYPES.vault);
            assert.equal(vault.read, true, "the vault is read, never managed");
            assert.equal(vault.id, VAULT_ID);
            assert.equal(cloud.resources.filter((r) => r.type === TYPES.kvSecret).length, 0);
        });

        it("grants its own identity on the shared vault and points its store at the vault's URL", async () => {
            const { cloud } = await runProgram(clusterStack(), { stackOutputs: planned });
            const grants = cloud.resources.filter((r) => r.type === TYPES.roleAssignment).map((r) => inputsOf(r).scope);
            assert.deepEqual(grants, [VAULT_ID]);
            const store = inputsOf(only(cloud, TYPES.clusterSecretStore));
            assert.equal(store.spec.provider.azurekv.vaultUrl, VAULT_OUTPUTS.vaultUri);
        });

        it("scopes per-secret grants to the shared vault's secrets", async () => {
            const { cloud } = await runProgram(
                clusterStack((c) => (c.store = { vaultWideAccess: false })),
                { stackOutputs: planned },
            );
            const grants = cloud.resources.filter((r) => r.type === TYPES.roleAssignment).map((r) => inputsOf(r).scope);
            assert.deepEqual(grants, [`${VAULT_ID}/secrets/key-vault-secret-name`]);
        });
    });

    describe("npm run plan -- --all", () => {
        it("plans the vault stack before its clusters and sums up the fleet", async function () {
            this.timeout(300_000);
            const lines: string[] = [];
            const out = mkdtempSync(path.join(tmpdir(), "fleet-"));
            const code = await planAll(
                { cwd: ROOT, out },
                (l) => lines.push(l),
                (l) => lines.push(l),
            );
            assert.equal(code, 0, lines.join("\n"));
            const order = lines.filter((l) => /^\S+: Plan OK/.test(l)).map((l) => l.split(":")[0]);
            assert.equal(order[0], "fleet-vault");
            assert.ok(
                order.includes("fleet-westeurope") && order.includes("fleet-northeurope") && order.includes("dev"),
            );
            assert.ok(
                lines.some((l) => /^ {4}eso-kv-fleet-prod: 2 reads\/hour from 2 ExternalSecrets in 2 stacks /.test(l)),
                lines.join("\n"),
            );
            assert.ok(
                lines.some((l) =>
                    /^Identities: \d+ app registrations, each its stack's own; at most 1 of Entra ID's 20/.test(l),
                ),
            );
            assert.equal(lines.at(-1), `Fleet plan OK: ${order.length} stacks.`);
            const westeurope = readFileSync(path.join(out, "fleet-westeurope", "plan.txt"), "utf8");
            assert.match(westeurope, /Vault network: the vault stack's \(acme\/eso-keyvault\/fleet-vault\)\./);
        });

        it("plans a cluster stack's destroy as leaving the shared vault alone", async function () {
            this.timeout(120_000);
            const out = mkdtempSync(path.join(tmpdir(), "fleet-destroy-"));
            const code = await plan(
                { stack: "fleet-westeurope", cwd: ROOT, out, destroy: true },
                () => {},
                () => {},
            );
            assert.equal(code, 0);
            const destroy = JSON.parse(readFileSync(path.join(out, "fleet-westeurope", "destroy.json"), "utf8")) as {
                deleted: Array<{ name: string }>;
                kept: Array<{ what: string; why: string }>;
            };
            assert.deepEqual(
                destroy.kept.filter((k) => k.what === "vault-vault" || k.what === "vault-stack").map((k) => k.why),
                [
                    "only read, never managed: it leaves the stack's state and stays",
                    "only read, never managed: it leaves the stack's state and stays",
                ],
            );
            assert.ok(
                destroy.deleted.some((d) => d.name === "eso-access-vault"),
                "its own role assignment goes",
            );
            assert.ok(!destroy.deleted.some((d) => d.name.startsWith("vault-")));
        });

        it("reports the worst exit code of its stacks", () => {
            assert.equal(fleetExitCode([0, 0]), 0);
            assert.equal(fleetExitCode([0, 1, 0]), 1);
            assert.equal(fleetExitCode([1, 2, 0]), 2);
        });
    });

    describe("the Automation API driver", () => {
        const members: FleetMember[] = [
            { stack: "cluster-a", vaultStack: "vault", isVaultStack: false },
            { stack: "vault", isVaultStack: true },
            { stack: "cluster-b", vaultStack: "vault", isVaultStack: false },
            { stack: "cluster-c", vaultStack: "vault", isVaultStack: false },
        ];

        /** Stacks that record when they run, each taking a turn of the event loop; `failing` ones throw. */
        function fakeStacks(failing: readonly string[] = []) {
            const events: string[] = [];
            let running = 0;
            let most = 0;
            const open = async (stack: string): Promise<FleetStackOps> => {
                const run = async () => {
                    running++;
                    most = Math.max(most, running);
                    events.push(`start ${stack}`);
                    await new Promise((resolve) => setTimeout(resolve, 5));
                    running--;
                    events.push(`end ${stack}`);
                    if (failing.includes(stack)) throw new Error(`${stack} refused\nmore detail`);
                };
                return {
                    preview: async () => (await run(), { changeSummary: { create: 3, same: 2 } }),
                    up: async () => (await run(), { summary: { resourceChanges: { create: 3, same: 2 } } }),
                };
            };
            return { open, events, most: () => most };
        }

        it("updates the vault stack first, then the clusters at most `parallel` at once", async () => {
            const fake = fakeStacks();
            const outcomes = await runFleet(members, { operation: "up", parallel: 2, open: fake.open });
            assert.deepEqual(fake.events.slice(0, 2), ["start vault", "end vault"]);
            assert.equal(fake.most(), 2);
            assert.deepEqual(
                outcomes.map((o) => [o.stack, o.status, o.status === "succeeded" ? o.changes : ""]),
                members.map((m) => [m.stack, "succeeded", "3 create"]),
            );
        });

        it("runs no cluster whose vault stack failed", async () => {
            const fake = fakeStacks(["vault"]);
            const outcomes = await runFleet(members, { operation: "preview", parallel: 4, open: fake.open });
            assert.deepEqual(fake.events, ["start vault", "end vault"]);
            assert.deepEqual(
                outcomes.map((o) => o.status),
                ["skipped", "failed", "skipped", "skipped"],
            );
            const report = renderFleetReport("preview", outcomes);
            assert.match(report[1] as string, /cluster-a +skipped +its vault stack vault did not succeed/);
            assert.match(report[2] as string, /vault +failed +\d+ s: vault refused$/);
            assert.equal(report.at(-1), "Fleet preview FAILED: 4 of 4 stacks did not succeed.");
        });

        it("starts nothing new after a failure, and lets the running stacks finish", async () => {
            const fake = fakeStacks(["cluster-a"]);
            const outcomes = await runFleet(members, { operation: "up", parallel: 1, open: fake.open });
            assert.deepEqual(fake.events, ["start vault", "end vault", "start cluster-a", "end cluster-a"]);
            assert.deepEqual(
                outcomes.map((o) => (o.status === "skipped" ? o.reason : o.status)),
                ["failed", "succeeded", "not started: another stack failed", "not started: another stack failed"],
            );
        });

        it("refuses a parallelism below one", async () => {
            await assert.rejects(
                runFleet(members, { operation: "up", parallel: 0, open: fakeStacks().open }),
                /parallel is 0: use a whole number of stacks, at least 1/,
            );
        });
    });
});
