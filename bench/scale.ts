// Scale: the offline plan of a stack with 1, 100 and 1000 ExternalSecrets, against bare SDK registrations.
//
// For each size N a temporary project (Pulumi.yaml whose `main` is this repository's index.ts) gets a
// Pulumi.scale<N>.yaml: the runbook's stack (Pulumi.dev.yaml) with N ExternalSecrets over 10 namespaces, 1 or 2
// data entries each, refreshInterval 1h. The plan CLI runs on it as a child process, exactly as `npm run plan`
// does (program, schema validation, policy checks, out/ files); wall time and peak RSS (GNU time) are recorded.
// In the same run, bench/bareRegistrations.ts registers K = 100 and 1000 bare ExternalSecret custom resources
// with the SDK on mocks. Runs alternate between sizes; medians are compared.
//
// Printed: the growth exponent (log-log slope) between sizes, the marginal cost per ExternalSecret
// ((t(1000) - t(100)) / 900) against the bare marginal, and the Key Vault reads per hour each size causes.
// Goals: exponent between 100 and 1000 close to 1 (at most 1.1), marginal at most 1.5 x the bare marginal.
//
//   node --require ./loader.cjs bench/scale.ts [--runs 5] [--sizes 1,100,1000]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { dump, load } from "js-yaml";
import { describeLoad, keyVaultLoad, type KeyVaultLoad } from "../plan/keyVaultLoad";
import { median } from "./coldStart";
import { growthExponent, machine, measureNode, root, verdict, type Measured } from "./common";

const PROJECT = "eso-keyvault";
const NAMESPACES = 10;
const EXPONENT_GOAL = 1.1;
const MARGINAL_GOAL = 1.5;

interface GeneratedExternalSecret {
    readonly name: string;
    readonly namespace: string;
    readonly target: string;
    readonly refreshInterval: string;
    readonly data: Record<string, string>;
}

/** The runbook's ExternalSecret first (its workload mounts it), then generated ones. */
function externalSecrets(count: number): GeneratedExternalSecret[] {
    return Array.from({ length: count }, (_, i) => {
        if (i === 0) {
            return {
                name: "external-secret",
                namespace: "app-namespace",
                target: "cloud-credentials",
                refreshInterval: "1h",
                data: { "cloud-credentials": "key-vault-secret-name" },
            };
        }
        const data: Record<string, string> = {};
        for (let j = 0; j < 1 + (i % 2); j++) data[`value-${j}`] = `kv-secret-${i}-${j}`;
        return {
            name: `es-${i}`,
            namespace: i % NAMESPACES === 0 ? "app-namespace" : `apps-${i % NAMESPACES}`,
            target: `secret-${i}`,
            refreshInterval: "1h",
            data,
        };
    });
}

/** Writes the project and its stack file; returns the stack's ExternalSecrets. */
function writeStack(dir: string, count: number): GeneratedExternalSecret[] {
    const dev = load(readFileSync(path.join(root, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const generated = externalSecrets(count);
    const config = { ...dev.config, [`${PROJECT}:externalSecrets`]: generated };
    writeFileSync(path.join(dir, `Pulumi.scale${count}.yaml`), dump({ config }, { noRefs: true, lineWidth: -1 }));
    return generated;
}

/** What ESO will read, in the shape plan/keyVaultLoad.ts counts. */
function specsOf(generated: readonly GeneratedExternalSecret[]) {
    return generated.map((es) => ({
        refreshInterval: es.refreshInterval,
        data: Object.values(es.data).map((key) => ({ remoteRef: { key } })),
    }));
}

const fmtMs = (ms: number): string => ms.toFixed(0).padStart(6);
const fmtMiB = (mib: number): string => mib.toFixed(0).padStart(5);

function main(): void {
    const { values } = parseArgs({
        options: { runs: { type: "string", default: "5" }, sizes: { type: "string", default: "1,100,1000" } },
    });
    const runs = Number(values.runs);
    const sizes = values.sizes.split(",").map(Number);
    const [small, large] = [100, 1000];
    if (![1, small, large].every((n) => sizes.includes(n)))
        throw new Error(`--sizes must include 1, ${small} and ${large}`);

    const dir = mkdtempSync(path.join(os.tmpdir(), "eso-keyvault-scale-"));
    try {
        writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            dump({ name: PROJECT, runtime: "nodejs", main: path.join(root, "index.ts") }),
        );
        const generated = new Map(sizes.map((n) => [n, writeStack(dir, n)]));
        const out = path.join(dir, "out");
        const planArgs = (n: number) => [
            "--require",
            "./loader.cjs",
            "plan/cli.ts",
            "--stack",
            `scale${n}`,
            "--cwd",
            dir,
            "--out",
            out,
        ];
        const bareArgs = (k: number) => ["--require", "./loader.cjs", "bench/bareRegistrations.ts", String(k)];

        // One untimed run of each fills the file and transpile caches; the plans must pass.
        for (const n of sizes) {
            const first = measureNode(planArgs(n));
            if (!first.stdout.includes("Plan OK")) throw new Error(`the plan of scale${n} failed:\n${first.stdout}`);
        }
        measureNode(bareArgs(small));

        const plans = new Map<number, Measured[]>(sizes.map((n) => [n, []]));
        const bare = new Map<number, Measured[]>([small, large].map((k) => [k, []]));
        for (let r = 0; r < runs; r++) {
            for (const n of sizes) plans.get(n)?.push(measureNode(planArgs(n)));
            for (const k of [small, large]) bare.get(k)?.push(measureNode(bareArgs(k)));
        }
        const ms = (list: Measured[] | undefined): number => median((list ?? []).map((m) => m.ms));
        const rss = (list: Measured[] | undefined): number => median((list ?? []).map((m) => m.maxRssMiB));

        console.log(`machine: ${machine()}`);
        console.log(`runs: ${runs} per size, alternating; medians of wall time (ms) and peak RSS (MiB)`);
        console.log("");
        const row = (label: string, list: Measured[], extra = ""): string => {
            const times = list.map((m) => m.ms);
            const spread = `(${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)})`;
            return `    ${label.padStart(4)}  ${fmtMs(ms(list))}  ${spread.padEnd(13)}  ${fmtMiB(rss(list))}  ${extra}`;
        };
        console.log("plan of N ExternalSecrets (node plan/cli.ts, child process)");
        console.log("       N  wall ms  (min-max)      RSS MiB  resources registered");
        for (const n of sizes) {
            const list = plans.get(n) ?? [];
            const summary = /Plan OK: (\d+) resources in (\d+) components/.exec(list[0]?.stdout ?? "");
            console.log(row(String(n), list, summary === null ? "?" : `${summary[1]} + ${summary[2]} components`));
        }
        console.log("bare SDK registrations of K ExternalSecret custom resources (bench/bareRegistrations.ts)");
        console.log("       K  wall ms  (min-max)      RSS MiB");
        for (const k of [small, large]) console.log(row(String(k), bare.get(k) ?? []));
        console.log("");
        for (let i = 1; i < sizes.length; i++) {
            const [a, b] = [sizes[i - 1] as number, sizes[i] as number];
            const time = growthExponent(a, ms(plans.get(a)), b, ms(plans.get(b)));
            const memory = growthExponent(a, rss(plans.get(a)), b, rss(plans.get(b)));
            console.log(
                `growth exponent ${a} -> ${b}: time ${time.toFixed(2)}, peak memory ${memory.toFixed(2)} (whole process, fixed costs included)`,
            );
        }
        const marginal = (ms(plans.get(large)) - ms(plans.get(small))) / (large - small);
        const bareMarginal = (ms(bare.get(large)) - ms(bare.get(small))) / (large - small);
        const marginalRss = (rss(plans.get(large)) - rss(plans.get(small))) / (large - small);
        const bareMarginalRss = (rss(bare.get(large)) - rss(bare.get(small))) / (large - small);
        // Growth of the work the ExternalSecrets add, start-up (the 1-ExternalSecret plan) taken out.
        const workExponent = growthExponent(
            small - 1,
            ms(plans.get(small)) - ms(plans.get(1)),
            large - 1,
            ms(plans.get(large)) - ms(plans.get(1)),
        );
        console.log(
            `growth exponent of the per-ExternalSecret work (t(N) - t(1)), ${small} -> ${large}: ${workExponent.toFixed(2)}  goal <= ${EXPONENT_GOAL}: ${verdict(workExponent <= EXPONENT_GOAL)}`,
        );
        console.log(
            `marginal per ExternalSecret (plan, validation included): ${marginal.toFixed(2)} ms, ${(marginalRss * 1024).toFixed(0)} KiB`,
        );
        console.log(
            `marginal per bare custom resource (SDK on mocks):        ${bareMarginal.toFixed(2)} ms, ${(bareMarginalRss * 1024).toFixed(0)} KiB`,
        );
        const ratio = marginal / bareMarginal;
        console.log(`ratio: ${ratio.toFixed(2)}  goal <= ${MARGINAL_GOAL}: ${verdict(ratio <= MARGINAL_GOAL)}`);

        console.log("");
        console.log("Key Vault reads caused by the configured refresh intervals (plan/keyVaultLoad.ts):");
        for (const n of sizes) {
            const load = keyVaultLoad(specsOf(generated.get(n) ?? []));
            const planned = (
                JSON.parse(readFileSync(path.join(out, `scale${n}`, "plan.json"), "utf8")) as {
                    keyVaultLoad: KeyVaultLoad;
                }
            ).keyVaultLoad;
            if (planned.readsPerHour !== load.readsPerHour) {
                throw new Error(
                    `scale${n}: the plan counts ${planned.readsPerHour} reads/hour, the stack ${load.readsPerHour}`,
                );
            }
            console.log(`    ${String(n).padStart(4)}  ${describeLoad(planned)}`);
        }
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) main();
