// Previews or updates a fleet's stacks on Pulumi's Automation API: the vault stacks first, then every other stack
// with at most `parallel` running at once. After a failure nothing new starts (the running ones finish), and a
// stack whose vault stack failed is not run. The report says, per stack, what happened.

/** What the driver needs of one stack: the Automation API's `Stack` offers exactly this. */
export interface FleetStackOps {
    preview(): Promise<{ readonly changeSummary?: Readonly<Record<string, number>> }>;
    up(): Promise<{ readonly summary: { readonly resourceChanges?: Readonly<Record<string, number>> } }>;
}

export interface FleetMember {
    readonly stack: string;
    /** The vault stack this one reads (`fleet.vaultStack`'s last part), when it is a cluster stack. */
    readonly vaultStack?: string;
    readonly isVaultStack: boolean;
}

export type FleetOperation = "preview" | "up";

export type StackOutcome =
    | { readonly stack: string; readonly status: "succeeded"; readonly seconds: number; readonly changes: string }
    | { readonly stack: string; readonly status: "failed"; readonly seconds: number; readonly error: string }
    | { readonly stack: string; readonly status: "skipped"; readonly reason: string };

export interface FleetRunOptions {
    readonly operation: FleetOperation;
    /** How many stacks run at once. */
    readonly parallel: number;
    /** Opens a stack (the Automation API's `LocalWorkspace.selectStack`). */
    readonly open: (stack: string) => Promise<FleetStackOps>;
    readonly log?: (line: string) => void;
    readonly now?: () => number;
}

/** "2 create, 1 update": the counts a preview or update reports, without the unchanged ones. */
export function describeChanges(changes: Readonly<Record<string, number>> | undefined): string {
    const counted = Object.entries(changes ?? {}).filter(([kind, n]) => kind !== "same" && n > 0);
    return counted.length === 0 ? "no changes" : counted.map(([kind, n]) => `${n} ${kind}`).join(", ");
}

/** Runs `operation` over the fleet; resolves to one outcome per member, in the members' order. */
export async function runFleet(members: readonly FleetMember[], options: FleetRunOptions): Promise<StackOutcome[]> {
    if (!Number.isInteger(options.parallel) || options.parallel < 1) {
        throw new Error(`parallel is ${options.parallel}: use a whole number of stacks, at least 1`);
    }
    const log = options.log ?? (() => undefined);
    const now = options.now ?? (() => performance.now());
    const outcomes = new Map<string, StackOutcome>();
    let failed = false;

    const runOne = async (member: FleetMember): Promise<void> => {
        const vault = member.vaultStack === undefined ? undefined : outcomes.get(member.vaultStack);
        if (vault !== undefined && vault.status !== "succeeded") {
            outcomes.set(member.stack, {
                stack: member.stack,
                status: "skipped",
                reason: `its vault stack ${member.vaultStack} did not succeed`,
            });
            return;
        }
        if (failed) {
            outcomes.set(member.stack, {
                stack: member.stack,
                status: "skipped",
                reason: "not started: another stack failed",
            });
            return;
        }
        const started = now();
        log(`${member.stack}: ${options.operation} started`);
        try {
            const stack = await options.open(member.stack);
            const changes =
                options.operation === "up"
                    ? (await stack.up()).summary.resourceChanges
                    : (await stack.preview()).changeSummary;
            const outcome: StackOutcome = {
                stack: member.stack,
                status: "succeeded",
                seconds: (now() - started) / 1000,
                changes: describeChanges(changes),
            };
            outcomes.set(member.stack, outcome);
            log(`${member.stack}: ${options.operation} succeeded (${outcome.changes})`);
        } catch (e) {
            failed = true;
            const error = (e as Error).message ?? String(e);
            outcomes.set(member.stack, {
                stack: member.stack,
                status: "failed",
                seconds: (now() - started) / 1000,
                error,
            });
            log(`${member.stack}: ${options.operation} failed: ${error.split("\n")[0]}`);
        }
    };

    // Vault stacks first: every cluster stack reads one through its StackReference.
    const waves = [members.filter((m) => m.isVaultStack), members.filter((m) => !m.isVaultStack)];
    for (const wave of waves) {
        const queue = [...wave];
        const worker = async (): Promise<void> => {
            for (let member = queue.shift(); member !== undefined; member = queue.shift()) await runOne(member);
        };
        await Promise.all(Array.from({ length: Math.min(options.parallel, wave.length) }, worker));
    }
    return members.map((m) => outcomes.get(m.stack) as StackOutcome);
}

/** The report: one line per stack, then the total. */
export function renderFleetReport(operation: FleetOperation, outcomes: readonly StackOutcome[]): string[] {
    const width = Math.max(5, ...outcomes.map((o) => o.stack.length));
    const lines = outcomes.map((o) => {
        const detail =
            o.status === "succeeded"
                ? `${o.seconds.toFixed(0)} s, ${o.changes}`
                : o.status === "failed"
                  ? `${o.seconds.toFixed(0)} s: ${o.error.split("\n")[0]}`
                  : o.reason;
        return `    ${o.stack.padEnd(width)}  ${o.status.padEnd(9)}  ${detail}`;
    });
    const bad = outcomes.filter((o) => o.status !== "succeeded").length;
    return [
        `Fleet ${operation}:`,
        ...lines,
        bad === 0
            ? `Fleet ${operation} succeeded: ${outcomes.length} stacks.`
            : `Fleet ${operation} FAILED: ${bad} of ${outcomes.length} stacks did not succeed.`,
    ];
}
