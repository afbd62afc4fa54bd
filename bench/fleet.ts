// Fleet: `npm run plan -- --all` over a vault stack and N cluster stacks (N = 1, 10, 100) in one process, against one
// cluster stack's cold plan; and a simulated fleet rollout against the slowest single cluster's.
//
// Plans. For each N a temporary project (Pulumi.yaml whose `main` is this repository's index.ts) holds the example
// vault stack (examples/Pulumi.fleet-vault.yaml) and N copies of examples/Pulumi.fleet-westeurope.yaml, each with its
// own cluster, identity and Velero secret. `plan/cli.ts --all` runs as a child process under GNU time (wall time,
// peak RSS); the baseline, in the same run and alternating, is `plan/cli.ts --stack cluster-1` of the N = 1 project
// (one cluster stack's cold plan, its vault stack planned for its StackReference). Printed: the marginal cost of one
// more cluster stack, (t(100) - t(10)) / 90, against that cold plan. Goal: at most 10%.
//
// Rollout. bench/deployTimeline.ts's model (published service latencies, RBAC propagation P = 300 s) times the vault
// stack's `pulumi up` and one cluster stack's; the Automation API driver (deploy/fleet.ts) then runs a fleet of N
// clusters whose `up`s take those (scaled) times, with --parallel N. Goal: the fleet's rollout within 1.1x of the
// vault stack's plus the slowest cluster's.
//
//   node --require ./loader.cjs bench/fleet.ts [--runs 3] [--sizes 1,10,100]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { dump, load } from "js-yaml";
import { runFleet, type FleetMember } from "../deploy/fleet";
import { CLIENT_CONFIG } from "../test/mocks";
import { median } from "./coldStart";
import { machine, measureNode, root, verdict, type Measured } from "./common";
import { deploy } from "./deployTimeline";

const PROJECT = "eso-keyvault";
const MARGINAL_GOAL = 0.1;
const ROLLOUT_GOAL = 1.1;
const VAULT_STACK = "acme/eso-keyvault/fleet-vault";

type StackDocument = { config: Record<string, unknown> };
const example = (stack: string): StackDocument =>
    load(readFileSync(path.join(root, "examples", `Pulumi.${stack}.yaml`), "utf8")) as StackDocument;

/** Cluster stack i: the westeurope example on its own AKS cluster, with its own identity and Velero secret. */
function clusterStack(i: number): StackDocument {
    const { config } = example("fleet-westeurope");
    const key = (k: string) => `${PROJECT}:${k}`;
    return {
        config: {
            ...config,
            [key("auth")]: { ...(config[key("auth")] as object), displayName: `external-secrets-cluster-${i}` },
            [key("kubernetes")]: {
                ...(config[key("kubernetes")] as object),
                aks: { resourceGroupName: `rg-aks-${i}`, name: `aks-${i}` },
            },
            [key("externalSecrets")]: [
                {
                    name: "velero-credentials",
                    namespace: "velero",
                    target: "cloud-credentials",
                    refreshInterval: "1h",
                    data: { cloud: `velero-cloud-credentials-${i}` },
                },
            ],
        },
    };
}

export function writeFleet(dir: string, clusters: number): void {
    writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        dump({ name: PROJECT, runtime: "nodejs", main: path.join(root, "index.ts") }),
    );
    writeFileSync(path.join(dir, "Pulumi.fleet-vault.yaml"), dump(example("fleet-vault"), { lineWidth: -1 }));
    for (let i = 1; i <= clusters; i++) {
        writeFileSync(path.join(dir, `Pulumi.cluster-${i}.yaml`), dump(clusterStack(i), { lineWidth: -1 }));
    }
}

const ms = (list: readonly Measured[]): number => median(list.map((m) => m.ms));
const rss = (list: readonly Measured[]): number => median(list.map((m) => m.maxRssMiB));

async function rollout(
    clusters: number,
    msPerSecond: number,
): Promise<{ vault: number; cluster: number; fleet: number }> {
    const model = { propagationS: 300, checkSkipped: false, msPerSecond };
    const strip = (doc: StackDocument): Record<string, unknown> =>
        Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k.slice(PROJECT.length + 1), v]));
    // The timeline's latency table covers the vault, its secrets, the identity and the cluster; the private
    // endpoint, DNS and Log Analytics have no published creation times, so the vault stack is timed without them.
    const vaultOnly = strip(example("fleet-vault"));
    delete vaultOnly.monitoring;
    // Without its private endpoint the production rules would refuse it; protection changes no creation time.
    vaultOnly.production = false;
    vaultOnly.vault = { ...(vaultOnly.vault as object), network: undefined };
    // Untimed runs load every module first.
    await deploy(vaultOnly, { ...model, msPerSecond: 0 });
    const vault = await deploy(vaultOnly, model);
    const outputs = {
        vaultId: `/subscriptions/${CLIENT_CONFIG.subscriptionId}/resourceGroups/rg-external-secrets-fleet/providers/Microsoft.KeyVault/vaults/eso-kv-fleet-prod`,
        vaultName: "eso-kv-fleet-prod",
        vaultUri: "https://eso-kv-fleet-prod.vault.azure.net/",
        vaultResourceGroupName: "rg-external-secrets-fleet",
    };
    // The cluster's sync alerts (a managed Prometheus rule group and a ServiceMonitor) have no published creation
    // times either; nothing waits for them and they wait only for the operator, so they sit beside the critical path
    // (store, RBAC propagation, first sync) rather than on it, and the cluster stack is timed without them.
    const clusterOnly = strip(clusterStack(1));
    delete clusterOnly.monitoring;
    const cluster = await deploy(clusterOnly, model, (s) => (s === VAULT_STACK ? outputs : undefined));
    // The driver over N clusters, each `up` taking the simulated time (scaled), all at once.
    const members: FleetMember[] = [
        { stack: "fleet-vault", isVaultStack: true },
        ...Array.from({ length: clusters }, (_, i) => ({
            stack: `cluster-${i + 1}`,
            vaultStack: "fleet-vault",
            isVaultStack: false,
        })),
    ];
    const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * msPerSecond));
    const started = performance.now();
    await runFleet(members, {
        operation: "up",
        parallel: clusters,
        open: async (stack) => ({
            preview: async () => ({}),
            up: async () => {
                await sleep(stack === "fleet-vault" ? vault.makespan : cluster.makespan);
                return { summary: {} };
            },
        }),
    });
    const fleet = (performance.now() - started) / msPerSecond;
    return { vault: vault.makespan, cluster: cluster.makespan, fleet };
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { runs: { type: "string", default: "3" }, sizes: { type: "string", default: "1,10,100" } },
    });
    const runs = Number(values.runs);
    const sizes = values.sizes.split(",").map(Number);
    const [small, large] = [sizes.at(-2) as number, sizes.at(-1) as number];
    const dirs = new Map(sizes.map((n) => [n, mkdtempSync(path.join(os.tmpdir(), `eso-keyvault-fleet-${n}-`))]));
    try {
        for (const [n, dir] of dirs) writeFleet(dir, n);
        const allArgs = (n: number) => {
            const dir = dirs.get(n) as string;
            return ["--require", "./loader.cjs", "plan/cli.ts", "--all", "--cwd", dir, "--out", path.join(dir, "out")];
        };
        const one = dirs.get(sizes[0] as number) as string;
        const singleArgs = [
            "--require",
            "./loader.cjs",
            "plan/cli.ts",
            "--stack",
            "cluster-1",
            "--cwd",
            one,
            "--out",
            path.join(one, "out"),
        ];

        // One untimed run of each fills the caches; every plan must pass.
        for (const n of sizes) {
            const first = measureNode(allArgs(n));
            if (!first.stdout.includes(`Fleet plan OK: ${n + 1} stacks.`))
                throw new Error(`fleet of ${n} failed:\n${first.stdout}`);
        }
        measureNode(singleArgs);

        const fleets = new Map<number, Measured[]>(sizes.map((n) => [n, []]));
        const single: Measured[] = [];
        for (let r = 0; r < runs; r++) {
            single.push(measureNode(singleArgs));
            for (const n of sizes) fleets.get(n)?.push(measureNode(allArgs(n)));
        }

        console.log(`machine: ${machine()}`);
        console.log(`runs: ${runs} each, alternating; medians of wall time (ms) and peak RSS (MiB)`);
        console.log("");
        console.log("plan of one cluster stack, cold (plan/cli.ts --stack cluster-1; its vault stack planned too)");
        console.log(`    ${ms(single).toFixed(0).padStart(6)} ms  ${rss(single).toFixed(0).padStart(5)} MiB`);
        console.log("plan of a fleet: the vault stack and N cluster stacks (plan/cli.ts --all, one process)");
        console.log("       N  wall ms  RSS MiB  per cluster stack");
        for (const n of sizes) {
            const list = fleets.get(n) ?? [];
            console.log(
                `    ${String(n).padStart(4)}  ${ms(list).toFixed(0).padStart(7)}  ${rss(list).toFixed(0).padStart(7)}  ${(ms(list) / n).toFixed(0).padStart(6)} ms`,
            );
        }
        const marginal = (ms(fleets.get(large) ?? []) - ms(fleets.get(small) ?? [])) / (large - small);
        const share = marginal / ms(single);
        console.log(
            `marginal cost of one more cluster stack, (t(${large}) - t(${small})) / ${large - small}: ${marginal.toFixed(0)} ms = ` +
                `${(100 * share).toFixed(1)}% of one cold plan  goal <= ${100 * MARGINAL_GOAL}%: ${verdict(share <= MARGINAL_GOAL)}`,
        );

        console.log("");
        const msPerSecond = 2;
        for (const n of sizes.filter((s) => s > 1)) {
            const { vault, cluster, fleet } = await rollout(n, msPerSecond);
            const ratio = fleet / (vault + cluster);
            console.log(
                `rollout of ${n} clusters (simulated s, P = 300 s, --parallel ${n}): vault stack ${vault.toFixed(0)}, slowest cluster ` +
                    `${cluster.toFixed(0)}, fleet ${fleet.toFixed(0)} = ${ratio.toFixed(3)}x (vault + slowest cluster)  goal <= ${ROLLOUT_GOAL}: ${verdict(ratio <= ROLLOUT_GOAL)}`,
            );
        }
    } finally {
        for (const dir of dirs.values()) rmSync(dir, { recursive: true, force: true });
    }
    process.exit(0);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e);
        process.exit(2);
    });
}
