// Cold start of the offline plan against a bare SDK baseline, measured in the same run on the same machine.
//
// Baseline: a bare Node process that loads @pulumi/pulumi and every provider module the program imports (found
// by scanning index.ts and components/). Provider packages load their resource classes lazily, so the baseline
// pays only for what `require` loads: a strict yardstick, since the plan also loads the classes it uses.
// Plan: `node --require ./loader.cjs plan/cli.ts --stack dev`, exactly what `npm run plan` runs.
// Runs alternate (baseline, plan, baseline, plan...) so both see the same machine state; medians are compared.
//
//   node --require ./loader.cjs bench/coldStart.ts [--runs 9] [--stack dev]
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(__dirname, "..");

/** Provider modules the program imports (`@pulumi/...` specifiers other than the SDK itself). */
export function providerModules(): string[] {
    const files = ["index.ts", ...readdirSync(path.join(root, "components")).map((f) => path.join("components", f))];
    const modules = new Set<string>();
    for (const file of files.filter((f) => f.endsWith(".ts"))) {
        for (const [, specifier] of readFileSync(path.join(root, file), "utf8").matchAll(/from "(@pulumi\/[^"]+)"/g)) {
            if (specifier !== "@pulumi/pulumi") modules.add(specifier as string);
        }
    }
    return [...modules].sort();
}

export function baselineScript(modules: readonly string[]): string {
    return ["@pulumi/pulumi", ...modules].map((m) => `require(${JSON.stringify(m)});`).join(" ");
}

export function timeRun(args: string[]): number {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
    return ms;
}

export function median(values: readonly number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function main(): void {
    const { values } = parseArgs({
        options: { runs: { type: "string", default: "9" }, stack: { type: "string", default: "dev" } },
    });
    const runs = Number(values.runs);
    const modules = providerModules();
    const baselineArgs = ["-e", baselineScript(modules)];
    const planArgs = [
        "--require",
        "./loader.cjs",
        "plan/cli.ts",
        "--stack",
        values.stack,
        "--out",
        path.join(os.tmpdir(), "eso-keyvault-bench"),
    ];
    // One untimed run of each fills the OS file cache and the transpile cache, as on any second run.
    timeRun(baselineArgs);
    timeRun(planArgs);
    const baseline: number[] = [];
    const plan: number[] = [];
    for (let i = 0; i < runs; i++) {
        baseline.push(timeRun(baselineArgs));
        plan.push(timeRun(planArgs));
    }
    const b = median(baseline);
    const p = median(plan);
    console.log(
        `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    );
    console.log(`baseline modules: @pulumi/pulumi, ${modules.join(", ")}`);
    console.log(`runs: ${runs} each, alternating; wall times in ms (median, min-max)`);
    console.log(
        `baseline  ${b.toFixed(0).padStart(5)}  (${Math.min(...baseline).toFixed(0)}-${Math.max(...baseline).toFixed(0)})`,
    );
    console.log(
        `plan      ${p.toFixed(0).padStart(5)}  (${Math.min(...plan).toFixed(0)}-${Math.max(...plan).toFixed(0)})`,
    );
    console.log(`ratio     ${(p / b).toFixed(2)}  (goal: at most 1.50)`);
}

if (require.main === module) main();
