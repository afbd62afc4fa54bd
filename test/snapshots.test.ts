// Every example stack's resources, as a deployed stack's state would know them: URN (with the engine's whole chain
// of parent types), inputs (secrets redacted) and aliases, and its outputs. A change here replaces or renames
// deployed resources, so it must be deliberate: refresh with `UPDATE_SNAPSHOTS=1 npx mocha test/snapshots.test.ts`
// and review the diff.
import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { EXPIRES_PATH } from "../components/vaultSecrets";
import { StackOutputs, vaultStackOf } from "../plan/references";
import { simulateStack } from "../plan/run";
import { redact } from "../plan/secrets";
import type { RecordedResource } from "../plan/simulatedCloud";
import { readStackFile, stacksIn } from "../plan/stackFile";

const ROOT = path.resolve(__dirname, "..");
const DIR = path.join(__dirname, "snapshots");
/** Dates computed from the clock at plan time (a password's end date): only their presence is compared. */
const CLOCK_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const FROM_THE_CLOCK = "<date from the clock>";

/**
 * Inputs with a seeded secret's expiry counted from the clock (the resource ignores later changes to it) replaced by a
 * marker: only its presence is compared. A fixed day is compared as it is.
 */
function withoutClockExpiry(resource: RecordedResource): unknown {
    const inputs = redact(resource.inputs) as Record<string, any>;
    if (!resource.options.ignoreChanges.includes(EXPIRES_PATH)) return inputs;
    const attributes = inputs.properties?.attributes;
    if (typeof attributes?.expires === "number") attributes.expires = FROM_THE_CLOCK;
    return inputs;
}

function steady(value: unknown): unknown {
    if (typeof value === "string" && CLOCK_DATE.test(value)) return FROM_THE_CLOCK;
    if (Array.isArray(value)) return value.map(steady);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, steady(v)]));
    }
    return value;
}

/** Every example's planned outputs, for the StackReferences of a fleet's cluster stacks. */
const stackOutputs = new StackOutputs(ROOT);

async function snapshotOf(stack: string): Promise<unknown> {
    const file = readStackFile(ROOT, stack);
    const vaultStack = vaultStackOf(file);
    const referenced = vaultStack === undefined ? undefined : await stackOutputs.of(vaultStack, file);
    if (referenced !== undefined && "error" in referenced) throw new Error(referenced.error);
    const run = await simulateStack(file, undefined, (name) => (name === vaultStack ? referenced?.outputs : undefined));
    if ("configError" in run) throw new Error(run.configError);
    if (run.failures.length > 0) throw new Error(`stack ${stack} failed: ${run.failures.map(String).join("; ")}`);
    const outputs: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(run.programExports)) {
        const output = pulumi.output(value) as pulumi.Output<unknown>;
        const [plain, secret] = await Promise.all([
            new Promise<unknown>((resolve) => output.apply(resolve)),
            pulumi.isSecret(output),
        ]);
        outputs[name] = secret ? "[secret]" : plain;
    }
    return steady({
        resources: run.cloud.resources
            .map((r) => ({
                urn: r.engineUrn,
                ...(r.custom ? { inputs: withoutClockExpiry(r) } : {}),
                ...(r.aliases.length > 0 ? { aliases: r.aliases } : {}),
            }))
            .sort((a, b) => a.urn.localeCompare(b.urn)),
        outputs,
    });
}

/** The worked examples; a user's own stacks (Pulumi.<stack>.yaml beside them) are theirs to snapshot or not. */
const EXAMPLES = ["dev", "fleet-northeurope", "fleet-vault", "fleet-westeurope", "prod", "recovery", "tenants"];

describe("example stacks, as deployed state sees them", () => {
    it("covers every worked example", () => {
        for (const stack of EXAMPLES) assert.ok(stacksIn(ROOT).includes(stack), stack);
    });

    for (const stack of EXAMPLES) {
        it(`keeps ${stack}'s URNs, inputs and outputs`, async () => {
            const file = path.join(DIR, `${stack}.json`);
            // As JSON keeps it: an output that is undefined is absent.
            const now = JSON.parse(JSON.stringify(await snapshotOf(stack))) as unknown;
            if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(file)) {
                mkdirSync(DIR, { recursive: true });
                writeFileSync(file, `${JSON.stringify(now, null, 2)}\n`);
                if (process.env.UPDATE_SNAPSHOTS !== "1") assert.fail(`wrote a first snapshot of ${stack}: commit it`);
            }
            assert.deepEqual(now, JSON.parse(readFileSync(file, "utf8")));
        });
    }
});
