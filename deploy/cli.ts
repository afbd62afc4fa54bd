// `npm run fleet -- <preview|up> [--stack <name>]... [--parallel <n>] [--org <organization>]`: previews or updates
// the project's own stacks (Pulumi.<stack>.yaml at the root, never the examples) with Pulumi's Automation API,
// vault stacks first, with the policy pack. Each stack's engine output goes to out/<stack>/<operation>.log.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { isVaultStack, vaultStackOf } from "../plan/references";
import { readStackFile, stackFileOf } from "../plan/stackFile";
import { type FleetMember, type FleetOperation, renderFleetReport, runFleet } from "./fleet";

const USAGE = `usage: npm run fleet -- <preview|up> [--stack <name>]... [--parallel <n>] [--org <organization>]

Previews or updates the project's stacks with Pulumi's Automation API: the vault stacks (fleet.role vault) first,
then the others, at most --parallel at once (default 4), each with the policy pack and the policy configuration
the offline plan wrote (run \`npm run plan -- --all\` first). After a failure no further stack starts; a stack whose
vault stack failed is not run. Needs the Pulumi CLI, a backend login and Azure credentials.

  --stack <name>    a stack with Pulumi.<name>.yaml at the project root (repeatable; default: DEPLOY_STACKS,
                    space-separated, else every Pulumi.<stack>.yaml at the root)
  --org <name>      the Pulumi organization of the stacks (default: the backend's default)

Exit codes: 0 every stack succeeded, 1 a stack failed or was not run, 2 bad arguments.`;

function fail(message: string): never {
    console.error(`error: ${message}`);
    console.error(USAGE);
    process.exit(2);
}

const projectDir = process.cwd();
const { values, positionals } = (() => {
    try {
        return parseArgs({
            allowPositionals: true,
            options: {
                stack: { type: "string", multiple: true },
                parallel: { type: "string", default: "4" },
                org: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
        });
    } catch (e) {
        return fail((e as Error).message);
    }
})();
if (values.help) {
    console.log(USAGE);
    process.exit(0);
}
const operation = positionals[0];
if (operation !== "preview" && operation !== "up")
    fail(`the operation is ${JSON.stringify(operation)}: use preview or up`);
const parallel = Number(values.parallel);
if (!Number.isInteger(parallel) || parallel < 1)
    fail(`--parallel is ${values.parallel}: use a whole number, at least 1`);

const named = values.stack ?? (process.env.DEPLOY_STACKS ?? "").split(/\s+/).filter(Boolean);
const stacks =
    named.length > 0
        ? named
        : stackNamesAtRoot().filter((stack) =>
              stackFileOf(projectDir, stack)?.startsWith(path.join(projectDir, "Pulumi.")),
          );
const members: FleetMember[] = stacks.map((stack) => {
    const file = stackFileOf(projectDir, stack);
    if (file === undefined || path.dirname(file) !== projectDir) {
        fail(`no Pulumi.${stack}.yaml at the project root (examples are planned, never deployed)`);
    }
    const stackFile = readStackFile(projectDir, stack);
    return { stack, isVaultStack: isVaultStack(stackFile), vaultStack: vaultStackOf(stackFile)?.split("/").at(-1) };
});
for (const { stack } of members) {
    const config = path.join(projectDir, "out", stack, "policy-config.json");
    if (!existsSync(config))
        fail(`${config} is missing: run \`npm run plan -- --all\` first, for the policy pack's configuration`);
}

function stackNamesAtRoot(): string[] {
    return readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

async function main(op: FleetOperation): Promise<number> {
    // The Automation API drives the Pulumi CLI; without it every stack would fail with a bare "code: -2".
    if (spawnSync("pulumi", ["version"]).error !== undefined) {
        fail("the Pulumi CLI is not on the PATH: install it (README, Deploy guide, step 1)");
    }
    // Loaded here: the Automation API is for real runs, never for the offline plan.
    const { LocalWorkspace } = require("@pulumi/pulumi/automation") as typeof import("@pulumi/pulumi/automation");
    const outcomes = await runFleet(members, {
        operation: op,
        parallel,
        log: console.log,
        open: async (stack) => {
            const selected = await LocalWorkspace.selectStack({
                stackName: values.org === undefined ? stack : `${values.org}/${stack}`,
                workDir: projectDir,
            });
            const logFile = path.join(projectDir, "out", stack, `${op}.log`);
            mkdirSync(path.dirname(logFile), { recursive: true });
            const lines: string[] = [];
            const settings = {
                onOutput: (out: string) => void lines.push(out),
                policyPacks: [path.join(projectDir, "policy")],
                policyPackConfigs: [path.join(projectDir, "out", stack, "policy-config.json")],
            };
            const keepLog = <T>(run: Promise<T>): Promise<T> =>
                run.finally(() => writeFileSync(logFile, lines.join("")));
            return { preview: () => keepLog(selected.preview(settings)), up: () => keepLog(selected.up(settings)) };
        },
    });
    for (const line of renderFleetReport(op, outcomes)) console.log(line);
    return outcomes.every((o) => o.status === "succeeded") ? 0 : 1;
}

main(operation).then(
    (code) => void (process.exitCode = code),
    (e: unknown) => {
        console.error(`error: ${(e as Error).stack ?? String(e)}`);
        process.exitCode = 1;
    },
);
