// `npm run plan -- --stack <name>`: what `pulumi up` would do, without cloud credentials.
//
// Exit codes: 0 the plan is valid; 1 schema violations (or the program failed); 2 invalid stack configuration,
// unknown stack or bad arguments (nothing was registered).
import { parseArgs } from "node:util";
import { openOutput } from "./objects";

function options(): { stack: string; cwd: string; out: string } {
    try {
        const { values } = parseArgs({
            options: {
                stack: { type: "string", short: "s", default: "dev" },
                cwd: { type: "string", short: "C", default: "." },
                out: { type: "string", default: "out" },
            },
            strict: true,
        });
        return values;
    } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        console.error("usage: npm run plan -- [--stack <name>] [--cwd <project directory>] [--out <directory>]");
        process.exit(2);
    }
}

const parsed = options();
// The worker thread starts first: it loads the schema models while the main thread loads the SDK and the program.
const output = openOutput(parsed);
const { plan } = require("./run") as typeof import("./run");
// Exit codes are set, not forced: process.exit() would drop output still queued on a piped stdout.
plan(parsed, console.log, console.error, output).then(
    (code) => void (process.exitCode = code),
    (e: unknown) => {
        console.error(`error: the program failed: ${(e as Error).stack ?? String(e)}`);
        process.exitCode = 1;
    },
);
