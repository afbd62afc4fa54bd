// The offline destroy plan: the engine's delete order and what it leaves, what Kubernetes, Entra ID and Key Vault
// then delete on their own, and which data a destroy loses, for hand-built graphs, components and the example stacks.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Application } from "@pulumi/azuread/application";
import { ExternalSecretsOperator, KeyVault, Namespaces, SyncedSecrets, VaultSecrets } from "../components";
import { destroyExitCode, planDestroy, type DestroyPlan } from "../plan/destroyPlan";
import { simulateStack } from "../plan/run";
import type { RecordedResource, SimulatedCloud } from "../plan/simulatedCloud";
import { readStackFile } from "../plan/stackFile";
import { CLIENT_CONFIG, startCloud, TYPES } from "./mocks";

const ROOT = path.resolve(__dirname, "..");

/** A resource of a hand-built state, registered in call order. */
function graph() {
    const resources: RecordedResource[] = [];
    const add = (
        name: string,
        options: {
            parent?: RecordedResource;
            deps?: RecordedResource[];
            component?: boolean;
            protect?: boolean;
            retain?: boolean;
            read?: boolean;
        } = {},
    ): RecordedResource => {
        const type = options.component ? "test:index:Component" : "test:index:Thing";
        const urn = `urn:pulumi:test::test::${type}::${name}`;
        const resource: RecordedResource = {
            type,
            name,
            urn,
            engineUrn: urn,
            parent: options.parent?.urn,
            custom: !(options.component ?? false),
            read: options.read ?? false,
            inputs: {},
            dependencies: (options.deps ?? []).map((d) => d.urn),
            options: {
                ignoreChanges: [],
                additionalSecretOutputs: [],
                protect: options.protect ?? false,
                retainOnDelete: options.retain ?? false,
                deleteBeforeReplace: false,
            },
            aliases: [],
            order: resources.length,
            registeredAt: 0,
        };
        resources.push(resource);
        return resource;
    };
    return { resources, add };
}

/** Names of the deleted resources, round by round. */
/** A production vault, protected as index.ts protects it. */
function protectedVault(): KeyVault {
    return new KeyVault(
        "vault",
        {
            vault: { existing: false, name: "kv-prod" },
            resourceGroupName: "rg",
            location: "westeurope",
            tenantId: CLIENT_CONFIG.tenantId,
            subscriptionId: CLIENT_CONFIG.subscriptionId,
        },
        { protect: true },
    );
}

function rounds(plan: DestroyPlan): string[][] {
    const byRound: string[][] = [];
    for (const d of plan.deleted) (byRound[d.round - 1] ??= []).push(d.name);
    return byRound;
}

function keptNames(plan: DestroyPlan): string[] {
    return plan.kept.map((k) => k.what);
}

/** The round in which the engine deletes the named resource; fails if it is not deleted. */
function roundOf(plan: DestroyPlan, name: string): number {
    const found = plan.deleted.find((d) => d.name === name);
    assert.ok(found, `${name} is not deleted`);
    return found.round;
}

describe("destroy plan", () => {
    describe("the engine's order", () => {
        it("deletes what depends on a resource before it, and children before their parent's other dependencies", () => {
            const { resources, add } = graph();
            const provider = add("provider");
            const namespace = add("namespace", { deps: [provider] });
            const group = add("group", { component: true });
            const secret = add("secret", { parent: group, deps: [namespace, provider] });
            add("pod", { deps: [secret, namespace, provider] });
            const plan = planDestroy(resources, { production: false });
            assert.deepEqual(rounds(plan), [["pod"], ["secret"], ["namespace"], ["provider"]]);
        });

        it("deletes a component's earlier children after what depends on the component, its later ones in any round", () => {
            const { resources, add } = graph();
            const group = add("group", { component: true });
            add("first", { parent: group });
            add("after", { deps: [group] });
            add("later", { parent: group });
            const plan = planDestroy(resources, { production: false });
            assert.deepEqual(rounds(plan), [["after"], ["first", "later"]]);
        });

        it("leaves a protected resource, and everything it depends on, in the state, and deletes the rest", () => {
            const { resources, add } = graph();
            const group = add("group", { component: true });
            const base = add("base");
            const vault = add("vault", { parent: group, deps: [base], protect: true });
            add("reader", { deps: [vault] });
            add("other");
            const plan = planDestroy(resources, { production: false });
            // `other` depends on nothing: the engine schedules it with the last round, after the refused `vault`.
            assert.deepEqual(rounds(plan), [["reader"], ["other"]]);
            assert.deepEqual(
                plan.kept.map((k) => [k.what, k.inState, k.why]),
                [
                    [
                        "vault",
                        true,
                        "protected: `pulumi destroy` refuses to delete it, reports an error, and deletes the rest",
                    ],
                    [
                        "group",
                        true,
                        "vault, protected, depends on it: the engine does not delete what a refused delete still needs",
                    ],
                    [
                        "base",
                        true,
                        "vault, protected, depends on it: the engine does not delete what a refused delete still needs",
                    ],
                ],
            );
        });

        it("lets a retained resource leave the state in place, and deletes what it depends on after it", () => {
            const { resources, add } = graph();
            const base = add("base");
            add("kept", { deps: [base], retain: true });
            const plan = planDestroy(resources, { production: false });
            assert.deepEqual(rounds(plan), [["base"]]);
            assert.deepEqual(
                plan.kept.map((k) => [k.what, k.inState, k.why]),
                [["kept", false, "retainOnDelete: it leaves the stack's state and stays where it is"]],
            );
        });

        it("never deletes what the stack only reads", () => {
            const { resources, add } = graph();
            const existing = add("existing", { read: true });
            add("user", { deps: [existing] });
            const plan = planDestroy(resources, { production: false });
            assert.deepEqual(rounds(plan), [["user"]]);
            assert.deepEqual(keptNames(plan), ["existing"]);
        });

        it("refuses a dependency cycle, naming it", () => {
            const { resources, add } = graph();
            const a = add("a");
            const b = add("b", { deps: [a] });
            (a.dependencies as string[]).push(b.urn);
            assert.throws(() => planDestroy(resources, { production: false }), /^Error: dependency cycle among /);
        });
    });

    describe("what ESO, Kubernetes, Entra ID and Key Vault then do", () => {
        const store = { kind: "ClusterSecretStore" as const, name: "azure-secret-store" };
        const externalSecret = (
            name: string,
            namespace: string,
            creationPolicy: "Owner" | "Orphan" | "CreateOrMerge" | "None",
        ) => ({
            key: `${namespace}/${name}`,
            name,
            namespace,
            store,
            targetName: `${name}-secret`,
            refreshInterval: "1h",
            creationPolicy,
            data: { value: { key: `${name}-in-vault` } },
        });
        const operator = (keepOnDestroy?: boolean) =>
            new ExternalSecretsOperator("eso", {
                namespace: "external-secrets",
                releaseName: "external-secrets",
                chartVersion: "2.9.0",
                keepOnDestroy,
            });
        async function planOf(build: () => void, production = false): Promise<DestroyPlan> {
            const cloud = await startCloud();
            build();
            await cloud.settle();
            return planDestroy(cloud.resources, { production });
        }

        it("loses the Secret an Owner ExternalSecret writes, and keeps an Orphan one's", async () => {
            const plan = await planOf(() => {
                new SyncedSecrets("synced", {
                    externalSecrets: [
                        externalSecret("owned", "apps", "Owner"),
                        externalSecret("orphaned", "apps", "Orphan"),
                        externalSecret("none", "apps", "None"),
                    ],
                    readyTimeoutSeconds: 60,
                });
            });
            assert.deepEqual(
                plan.dataLoss.map((d) => [d.outcome, d.what]),
                [["gone", "Secret apps/owned-secret, synced by ExternalSecret apps/owned"]],
            );
            assert.ok(
                plan.cascades.some(
                    (c) => c.from === "ExternalSecret apps/owned" && c.deletes === "Secret apps/owned-secret",
                ),
            );
            // ESO writes no Secret for creationPolicy None: nothing to keep or lose.
            assert.deepEqual(
                keptNames(plan).filter((name) => name.startsWith("Secret ")),
                ["Secret apps/orphaned-secret"],
            );
            const orphaned = plan.kept.find((k) => k.what === "Secret apps/orphaned-secret");
            assert.equal(orphaned?.why, "creationPolicy Orphan: its ExternalSecret does not own it");
            assert.match(orphaned?.source ?? "", /ownership-deletion-policy\.md/);
        });

        it("keeps the Secret a CreateOrMerge ExternalSecret writes: ESO sets no owner reference on it", async () => {
            // ESO docs/guides/ownership-deletion-policy.md (v2.9.0), CreateOrMerge: "without setting an
            // ownerReference (like Orphan) ... the Secret is retained when the ExternalSecret is deleted".
            const plan = await planOf(() => {
                new SyncedSecrets("synced", {
                    externalSecrets: [externalSecret("merged", "apps", "CreateOrMerge")],
                    readyTimeoutSeconds: 60,
                });
            });
            assert.deepEqual(plan.dataLoss, []);
            assert.equal(
                plan.kept.find((k) => k.what === "Secret apps/merged-secret")?.why,
                "creationPolicy CreateOrMerge: its ExternalSecret does not own it",
            );
        });

        it("keeps retained ExternalSecrets and so their Secrets", async () => {
            const plan = await planOf(() => {
                new SyncedSecrets("synced", {
                    externalSecrets: [externalSecret("owned", "velero", "Owner")],
                    readyTimeoutSeconds: 60,
                    keepOnDestroy: true,
                });
            });
            assert.deepEqual(plan.dataLoss, []);
            assert.deepEqual(plan.deleted, []);
            assert.deepEqual(keptNames(plan), ["synced-velero/owned", "Secret velero/owned-secret"]);
        });

        it("uninstalling the release deletes ESO's CRDs and every ExternalSecret in the cluster, other teams' too", async () => {
            const plan = await planOf(() => operator());
            assert.ok(
                plan.cascades.some(
                    (c) => c.from === "Release eso-release" && /CustomResourceDefinitions/.test(c.deletes),
                ),
            );
            assert.deepEqual(
                plan.dataLoss.map((d) => d.what),
                [
                    "every Secret that an ExternalSecret outside this stack owns in this cluster, if another team uses ESO here",
                ],
            );
            assert.match(plan.warnings[0]?.message ?? "", /keeps its cleanup finalizer.*fails after 600 s/);
        });

        it("leaves ESO's CRDs in place when the chart carries Helm's keep policy", async () => {
            const plan = await planOf(() => operator(true));
            assert.deepEqual(plan.dataLoss, []);
            assert.deepEqual(plan.warnings, []);
            const crds = plan.kept.find((k) => k.what.startsWith("ESO's CustomResourceDefinitions"));
            assert.equal(crds?.inState, false);
            assert.match(crds?.source ?? "", /helm v3 pkg\/action\/uninstall\.go/);
            assert.equal(roundOf(plan, "eso-release") < roundOf(plan, "eso-namespace"), true);
        });

        it("warns when an ExternalSecret would not be deleted before the ESO release: its finalizer would hang", async () => {
            const plan = await planOf(() => {
                // Built from the namespace alone, not from what resolves once ESO serves: nothing orders it first.
                const { namespace } = operator();
                new SyncedSecrets("synced", {
                    externalSecrets: [{ ...externalSecret("owned", "external-secrets", "Owner"), namespace }],
                    readyTimeoutSeconds: 60,
                });
            });
            assert.deepEqual(rounds(plan), [["synced-external-secrets/owned", "eso-release"], ["eso-namespace"]]);
            assert.deepEqual(
                plan.warnings.filter((w) => /not before/.test(w.message)).map((w) => w.message),
                [
                    "synced-external-secrets/owned is deleted in round 1, not before the ESO release (round 1): once ESO's controller is gone, nothing removes its cleanup finalizer and its delete hangs.",
                ],
            );
        });

        it("still loses a retained ExternalSecret's Secret when ESO's CRDs go, and warns of the finalizer", async () => {
            const plan = await planOf(() => {
                operator(false);
                new SyncedSecrets("synced", {
                    externalSecrets: [externalSecret("owned", "velero", "Owner")],
                    readyTimeoutSeconds: 60,
                    keepOnDestroy: true,
                });
            });
            assert.ok(
                plan.dataLoss.some(
                    (d) => d.what === "Secret velero/owned-secret, synced by ExternalSecret velero/owned",
                ),
            );
            assert.ok(plan.warnings.some((w) => /velero\/owned is kept while ESO's CRDs are deleted/.test(w.message)));
        });

        it("still loses a retained ExternalSecret's Secret when its namespace goes", async () => {
            const plan = await planOf(() => {
                new Namespaces("apps", { owned: ["team"], existing: [] });
                new SyncedSecrets("synced", {
                    externalSecrets: [externalSecret("owned", "team", "Owner")],
                    readyTimeoutSeconds: 60,
                    keepOnDestroy: true,
                });
            });
            assert.deepEqual(
                plan.dataLoss.map((d) => [d.what, d.why]),
                [["Secret team/owned-secret, synced by ExternalSecret team/owned", "namespace team is deleted"]],
            );
            assert.ok(plan.cascades.some((c) => c.from === "Namespace team"));
        });

        it("leaves a deleted vault's secrets recoverable for its retention days, and says whether they can be purged", async () => {
            const plan = await planOf(() => {
                const vault = new KeyVault("vault", {
                    vault: { existing: false, name: "kv-dev", softDeleteRetentionDays: 7, purgeProtection: false },
                    resourceGroupName: "rg",
                    location: "westeurope",
                    tenantId: CLIENT_CONFIG.tenantId,
                    subscriptionId: CLIENT_CONFIG.subscriptionId,
                });
                new VaultSecrets("seeded", {
                    resourceGroupName: "rg",
                    vaultName: vault.vaultName,
                    secrets: { db: { value: "x", contentType: "text/plain", expiry: { afterDays: 365 } } },
                });
                new SyncedSecrets("synced", {
                    externalSecrets: [
                        {
                            ...externalSecret("reader", "apps", "Orphan"),
                            data: { db: { key: "secret/db" }, other: { key: "written-elsewhere" } },
                        },
                    ],
                    readyTimeoutSeconds: 60,
                });
            });
            assert.deepEqual(
                plan.dataLoss.map((d) => [d.what, d.outcome, d.until, d.recoverableForDays]),
                [
                    [
                        "Key Vault secret db of vault kv-dev, seeded by this stack",
                        "recoverable",
                        "7 days after the destroy",
                        7,
                    ],
                    [
                        "Key Vault object written-elsewhere of vault kv-dev, read by ExternalSecret apps/reader",
                        "recoverable",
                        "7 days after the destroy",
                        7,
                    ],
                    [
                        "every other secret, key and certificate in vault kv-dev",
                        "recoverable",
                        "7 days after the destroy",
                        7,
                    ],
                ],
            );
            assert.match(
                plan.dataLoss[0]?.why ?? "",
                /purge protection is off: anyone allowed to purge can erase them at once/,
            );
            assert.deepEqual(keptNames(plan), ["seeded-db", "Secret apps/reader-secret"]);
        });

        it("keeps a protected vault with its seeded secrets, and loses nothing of it", async () => {
            const plan = await planOf(() => {
                const vault = protectedVault();
                new VaultSecrets(
                    "seeded",
                    {
                        resourceGroupName: "rg",
                        vaultName: vault.vaultName,
                        secrets: { db: { value: "x", contentType: "text/plain", expiry: { afterDays: 365 } } },
                    },
                    { protect: true },
                );
            }, true);
            assert.deepEqual(plan.dataLoss, []);
            assert.deepEqual(plan.deleted, []);
            assert.deepEqual(keptNames(plan).sort(), ["seeded", "seeded-db", "vault", "vault-vault"]);
            assert.equal(destroyExitCode(plan), 0);
        });

        it("loses nothing when a production stack keeps the vault, ESO's CRDs and its ExternalSecrets", async () => {
            const plan = await planOf(() => {
                operator(true);
                new Namespaces("apps", { owned: [], existing: ["velero"] });
                protectedVault();
                new SyncedSecrets("synced", {
                    externalSecrets: [externalSecret("velero-credentials", "velero", "Owner")],
                    readyTimeoutSeconds: 60,
                    keepOnDestroy: true,
                });
            }, true);
            assert.deepEqual(plan.dataLoss, []);
            assert.equal(destroyExitCode(plan), 0);
            assert.ok(keptNames(plan).includes("Secret velero/velero-credentials-secret"));
        });

        it("fails a production stack's destroy plan that loses data, and lets any other stack's pass", async () => {
            const build = () => {
                new SyncedSecrets("synced", {
                    externalSecrets: [externalSecret("owned", "apps", "Owner")],
                    readyTimeoutSeconds: 60,
                });
            };
            assert.equal(destroyExitCode(await planOf(build, true)), 1);
            assert.equal(destroyExitCode(await planOf(build, false)), 0);
        });

        it("names an Entra ID application's cascade: its service principal and credentials", async () => {
            const cloud: SimulatedCloud = await startCloud();
            new Application("app", { displayName: "eso" });
            await cloud.settle();
            const plan = planDestroy(cloud.resources, { production: false });
            assert.deepEqual(plan.cascades, [
                {
                    from: "Application app",
                    deletes:
                        "its service principal, passwords and federated identity credentials (restorable for 30 days)",
                    source: plan.cascades[0]?.source,
                },
            ]);
            assert.match(plan.cascades[0]?.source ?? "", /restore-application/);
        });
    });

    describe("of the example stacks", () => {
        async function destroyPlanOf(stack: string): Promise<{ plan: DestroyPlan; resources: RecordedResource[] }> {
            const run = await simulateStack(readStackFile(ROOT, stack));
            if ("configError" in run) throw new Error(run.configError);
            assert.deepEqual(run.failures, []);
            return {
                plan: planDestroy(run.cloud.resources, { production: run.stackConfig?.production ?? false }),
                resources: run.cloud.resources,
            };
        }

        /** Every ExternalSecret and store of the stack is deleted before the ESO release, while ESO still runs. */
        function assertEsoObjectsGoFirst(plan: DestroyPlan, resources: readonly RecordedResource[]): void {
            const esoObjects = resources.filter((r) =>
                [TYPES.externalSecret, TYPES.secretStore, TYPES.clusterSecretStore].some((t) => t === r.type),
            );
            assert.ok(esoObjects.length > 0);
            const release = roundOf(plan, "eso-release");
            for (const r of esoObjects) {
                if (r.options.retainOnDelete) continue;
                assert.ok(roundOf(plan, r.name) < release, `${r.name} is deleted with or after the release`);
            }
            assert.deepEqual(
                plan.warnings.filter((w) => /not before the ESO release/.test(w.message)),
                [],
            );
        }

        it("dev: deletes the Pod, then its ExternalSecret, then the store, all before ESO, and loses its synced Secret", async () => {
            const { plan, resources } = await destroyPlanOf("dev");
            assertEsoObjectsGoFirst(plan, resources);
            assert.ok(
                roundOf(plan, "app-namespace/app-name-pod") < roundOf(plan, "synced-app-namespace/external-secret"),
            );
            assert.ok(roundOf(plan, "synced-app-namespace/external-secret") < roundOf(plan, "store-store"));
            assert.deepEqual(
                plan.dataLoss.filter((d) => d.outcome === "gone").map((d) => d.what),
                [
                    "every Secret that an ExternalSecret outside this stack owns in this cluster, if another team uses ESO here",
                    "Secret app-namespace/cloud-credentials, synced by ExternalSecret app-namespace/external-secret",
                ],
            );
            assert.ok(
                plan.dataLoss.some(
                    (d) =>
                        /^Key Vault secret key-vault-secret-name of vault kv-dev-[a-z0-9]{6}, seeded by this stack$/.test(
                            d.what,
                        ) && d.until === "7 days after the destroy",
                ),
            );
            assert.equal(destroyExitCode(plan), 0);
        });

        it("tenants: deletes every tenant's ExternalSecrets and stores before ESO, and leaves the vault recoverable for 90 days", async () => {
            const { plan, resources } = await destroyPlanOf("tenants");
            assertEsoObjectsGoFirst(plan, resources);
            const vault = plan.cascades.find((c) => c.from === "Vault eso-kv-shared-tenants");
            assert.equal(
                vault?.deletes,
                "every secret, key and certificate in it, soft-deleted with the vault for 90 days (purge protection is on: nobody can purge them sooner)",
            );
            assert.equal(destroyExitCode(plan), 0);
        });

        it("prod: keeps the vault, ESO's CRDs, Velero's ExternalSecret and its Secret, and loses no data", async () => {
            const { plan } = await destroyPlanOf("prod");
            assert.deepEqual(
                plan.dataLoss.map((d) => d.what),
                [],
            );
            const kept = Object.fromEntries(plan.kept.map((k) => [k.what, k.why]));
            // Protected itself, and needed by its protected private endpoint, DNS records and diagnostic setting.
            assert.match(kept["vault-vault"] ?? "", /protected/);
            assert.match(kept["synced-velero/velero-credentials"] ?? "", /^retainOnDelete/);
            assert.match(kept["Secret velero/cloud-credentials"] ?? "", /stays and still owns it/);
            assert.ok(plan.kept.some((k) => k.what.startsWith("ESO's CustomResourceDefinitions")));
            assert.ok(roundOf(plan, "store-store") < roundOf(plan, "eso-release"));
            assert.equal(destroyExitCode(plan), 0);
        });
    });

    describe("on the command line", function () {
        this.timeout(120_000);

        function runCli(...args: string[]) {
            const out = mkdtempSync(path.join(tmpdir(), "destroy-"));
            const result = spawnSync(
                process.execPath,
                ["--require", "./loader.cjs", "plan/cli.ts", "--out", out, ...args],
                {
                    cwd: ROOT,
                    encoding: "utf8",
                },
            );
            return { ...result, out };
        }

        it("prints the dev stack's destroy plan, writes destroy.json with its four lists, and exits 0", () => {
            const run = runCli("--stack", "dev", "--destroy");
            try {
                assert.equal(run.status, 0, run.stderr);
                assert.match(run.stdout, /^Destroy plan of stack eso-keyvault\/dev \(not production\)/);
                assert.match(
                    run.stdout,
                    /^ {4}gone: Secret app-namespace\/cloud-credentials, synced by ExternalSecret app-namespace\/external-secret$/m,
                );
                assert.match(
                    run.stdout,
                    /^Destroy plan OK: 4 items of data lost or only recoverable, allowed outside production\.$/m,
                );
                const json = JSON.parse(readFileSync(path.join(run.out, "dev", "destroy.json"), "utf8"));
                assert.equal(json.stack, "dev");
                for (const list of ["deleted", "kept", "cascades", "dataLoss"])
                    assert.ok(Array.isArray(json[list]), list);
                assert.deepEqual(Object.keys(json.deleted[0]), ["round", "type", "name", "urn"]);
                assert.equal(existsSync(path.join(run.out, "dev", "plan.json")), false);
            } finally {
                rmSync(run.out, { recursive: true, force: true });
            }
        });

        it("prints its usage, options and exit codes on --help, writes nothing and exits 0", () => {
            for (const flag of ["--help", "-h"]) {
                const run = runCli(flag);
                try {
                    assert.equal(run.status, 0, run.stderr);
                    assert.match(run.stdout, /^usage: npm run plan -- \[--stack <name> \| --all\]/);
                    for (const option of ["--stack", "--cwd", "--out", "--destroy", "--help"]) {
                        assert.match(run.stdout, new RegExp(`^ +(-\\w, )?${option}\\b`, "m"), option);
                    }
                    assert.match(run.stdout, /^Exit codes:\n {2}0 .*\n {2}1 .*\n.*\n {2}2 /m);
                    assert.equal(existsSync(path.join(run.out, "dev")), false);
                } finally {
                    rmSync(run.out, { recursive: true, force: true });
                }
            }
        });
    });
});
