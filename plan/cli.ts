// `npm run plan -- --stack <name>`: what `pulumi up` would do, without cloud credentials; with `--destroy`, what
// `pulumi destroy` would do. The exit codes are in USAGE.
import { parseArgs } from "node:util";
import { openOutput } from "./objects";

const USAGE = `usage: npm run plan -- [--stack <name> | --all] [--cwd <project directory>] [--out <directory>] [--destroy] [--help]

Plans a stack offline, on simulated Azure, Entra ID and Kubernetes, and writes the plan under <out>/<stack>/.

Options:
  -s, --stack <name>   the stack: Pulumi.<name>.yaml in the project directory or its examples/ (default: dev);
                       a fleet's cluster stack plans its vault stack first, for its StackReference
      --all            plan every stack of the project directory and its examples/, vault stacks first, and
                       sum up the fleet: resources, waves and problems per stack, federated credentials per
                       identity, Key Vault load per vault (each stack's plan in <out>/<stack>/plan.txt)
  -C, --cwd <dir>      the project directory, where Pulumi.yaml is (default: .)
      --out <dir>      where plans are written, as <dir>/<stack>/ (default: out)
      --destroy        plan \`pulumi destroy\` instead: what is deleted and in which order, what is kept and why,
                       what Kubernetes, Entra ID and Key Vault then delete on their own, and which data is lost;
                       writes destroy.json
  -h, --help           print this help and exit

Exit codes:
  0  the plan is valid (with --all, every stack's); with --destroy, the destroy loses no data, or the stack is not a production stack
  1  schema or policy violations (a failing Key Vault built-in too), a refusal of the real services, or the program failed;
     with --destroy, a production stack's destroy would lose data
  2  invalid stack configuration, unknown stack or bad arguments (nothing is written)`;

function options(): { stack: string; cwd: string; out: string; destroy: boolean; all: boolean; help: boolean } {
    try {
        const { values } = parseArgs({
            options: {
                stack: { type: "string", short: "s", default: "dev" },
                cwd: { type: "string", short: "C", default: "." },
                out: { type: "string", default: "out" },
                destroy: { type: "boolean", default: false },
                all: { type: "boolean", default: false },
                help: { type: "boolean", short: "h", default: false },
            },
            strict: true,
        });
        return values;
    } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        console.error(USAGE);
        process.exit(2);
    }
}

const parsed = options();
const settle = (run: Promise<number>): void =>
    // Exit codes are set, not forced: process.exit() would drop output still queued on a piped stdout.
    void run.then(
        (code) => void (process.exitCode = code),
        (e: unknown) => {
            console.error(`error: the program failed: ${(e as Error).stack ?? String(e)}`);
            process.exitCode = 1;
        },
    );
if (parsed.help) {
    console.log(USAGE);
} else if (parsed.all && (parsed.destroy || process.argv.some((arg) => /^(-s|--stack)(=|$)/.test(arg)))) {
    console.error("error: --all plans every stack's `pulumi up`: it takes neither --stack nor --destroy");
    console.error(USAGE);
    process.exitCode = 2;
} else if (parsed.all) {
    const { planAll } = require("./fleet") as typeof import("./fleet");
    settle(planAll(parsed));
} else {
    // The worker thread starts first: it loads the schema models while the main thread loads the SDK and the program.
    const output = openOutput(parsed);
    const { plan } = require("./run") as typeof import("./run");
    settle(plan(parsed, console.log, console.error, output));
}
