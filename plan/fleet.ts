// `npm run plan -- --all`: every stack of the project in one process, vault stacks before the cluster stacks that
// read them (their StackReferences resolve to the vault stack's planned outputs), and a summary of the fleet: per
// stack its resources, waves and problems; per identity its federated credentials against Entra ID's limit; per
// vault the Key Vault load of every stack that reads it, against the vault's limit.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { MAX_FEDERATED_CREDENTIALS } from "../stacks/upstream";
import { type KeyVaultLoad, thousands } from "./keyVaultLoad";
import { inlineObjectWorker, openOutput } from "./objects";
import { isVaultStack, StackOutputs, vaultStackOf } from "./references";
import { EXIT, planStack, type StackSummary } from "./run";
import { readStackFile, stacksIn, StackFileError, type StackFile } from "./stackFile";

type Role = "standalone" | "vault" | "cluster";

export interface FleetStack {
    readonly stack: string;
    readonly role: Role;
    readonly code: number;
    readonly summary?: StackSummary;
}

/** The order stacks are planned (and deployed) in: vault stacks first, then the rest, each group by name. */
export function fleetOrder(files: readonly StackFile[]): StackFile[] {
    const rank = (file: StackFile) => (isVaultStack(file) ? 0 : 1);
    return [...files].sort((a, b) => rank(a) - rank(b) || a.stack.localeCompare(b.stack));
}

function roleOf(file: StackFile): Role {
    if (isVaultStack(file)) return "vault";
    return vaultStackOf(file) === undefined ? "standalone" : "cluster";
}

/** The worst exit code: an invalid configuration, then violations, then none. */
export function fleetExitCode(codes: readonly number[]): number {
    if (codes.includes(EXIT.config)) return EXIT.config;
    return codes.some((code) => code !== EXIT.ok) ? EXIT.violations : EXIT.ok;
}

/** Plans every stack of the project directory; each stack's full plan goes to <out>/<stack>/plan.txt. */
export async function planAll(
    options: { readonly cwd: string; readonly out: string },
    log: (line: string) => void = console.log,
    error: (line: string) => void = console.error,
): Promise<number> {
    const files: StackFile[] = [];
    for (const stack of stacksIn(path.resolve(options.cwd))) {
        try {
            files.push(readStackFile(path.resolve(options.cwd), stack));
        } catch (e) {
            if (!(e instanceof StackFileError)) throw e;
            error(`error: ${e.message}`);
            return EXIT.config;
        }
    }
    if (files.length === 0) {
        error(`error: no stacks in ${path.resolve(options.cwd)}: add a Pulumi.<stack>.yaml`);
        return EXIT.config;
    }
    const outputs = new StackOutputs(path.resolve(options.cwd));
    const planned: FleetStack[] = [];
    for (const file of fleetOrder(files)) {
        const lines: string[] = [];
        const output = openOutput({ out: options.out, stack: file.stack }, inlineObjectWorker);
        const { code, summary } = await planStack(
            { stack: file.stack, cwd: options.cwd, out: options.out, stackOutputs: outputs },
            (line) => lines.push(line),
            (line) => lines.push(line),
            output,
        );
        if (summary !== undefined && isVaultStack(file)) outputs.record(file, summary.outputs);
        if (code !== EXIT.config) writeFileSync(path.join(output.dir, "plan.txt"), `${lines.join("\n")}\n`);
        // A failed stack's plan is printed whole; a good one by its last line.
        if (code === EXIT.ok) log(`${file.stack}: ${lines.at(-1) ?? ""}`);
        else for (const line of [`${file.stack}:`, ...lines]) (code === EXIT.config ? error : log)(line);
        planned.push({ stack: file.stack, role: roleOf(file), code, summary });
    }
    log("");
    for (const line of renderFleetSummary(planned)) log(line);
    return fleetExitCode([...planned.map((s) => s.code), ...overfullIdentities(planned).map(() => EXIT.violations)]);
}

/** Identities past Entra ID's limit of federated credentials (the configuration refuses them; this is the net). */
function overfullIdentities(stacks: readonly FleetStack[]) {
    return stacks.flatMap((s) =>
        (s.summary?.identities ?? [])
            .filter((identity) => identity.federatedCredentials > MAX_FEDERATED_CREDENTIALS)
            .map((identity) => ({ stack: s.stack, ...identity })),
    );
}

/** Key Vault load of every stack that reads each vault, summed. */
export function loadByVault(stacks: readonly FleetStack[]): Map<string, { stacks: string[]; load: KeyVaultLoad }> {
    const byVault = new Map<string, { stacks: string[]; load: KeyVaultLoad }>();
    for (const { stack, summary } of stacks) {
        const vault = summary?.outputs.vaultName;
        if (typeof vault !== "string" || summary?.load === undefined) continue;
        const { load } = summary;
        const sum = byVault.get(vault);
        byVault.set(
            vault,
            sum === undefined
                ? { stacks: [stack], load }
                : {
                      stacks: [...sum.stacks, stack],
                      load: {
                          externalSecrets: sum.load.externalSecrets + load.externalSecrets,
                          readsPerSync: sum.load.readsPerSync + load.readsPerSync,
                          readsPerHour: sum.load.readsPerHour + load.readsPerHour,
                          limitPerHour: load.limitPerHour,
                          finds: sum.load.finds + load.finds,
                      },
                  },
        );
    }
    return byVault;
}

export function renderFleetSummary(stacks: readonly FleetStack[]): string[] {
    const width = Math.max(5, ...stacks.map((s) => s.stack.length));
    const lines = [
        `Fleet: ${stacks.length} stack${stacks.length === 1 ? "" : "s"}, planned in this order (vault stacks first).`,
        `    ${"stack".padEnd(width)}  role        resources  waves  problems  plan`,
    ];
    for (const { stack, role, code, summary } of stacks) {
        const result = code === EXIT.ok ? "OK" : code === EXIT.config ? "invalid config" : "FAILED";
        lines.push(
            `    ${stack.padEnd(width)}  ${role.padEnd(10)}  ${String(summary?.resources ?? "-").padStart(9)}  ` +
                `${String(summary?.waves ?? "-").padStart(5)}  ${String(summary?.problems ?? "-").padStart(8)}  ${result}`,
        );
    }
    const identities = stacks.flatMap((s) => (s.summary?.identities ?? []).map((i) => ({ stack: s.stack, ...i })));
    const most = Math.max(0, ...identities.map((i) => i.federatedCredentials));
    lines.push(
        `Identities: ${identities.length} app registration${identities.length === 1 ? "" : "s"}, each its stack's own; ` +
            `at most ${most} of Entra ID's ${MAX_FEDERATED_CREDENTIALS} federated credentials on one.`,
    );
    for (const over of overfullIdentities(stacks)) {
        lines.push(
            `    ${over.stack}: ${over.name} holds ${over.federatedCredentials} federated credentials, over ${MAX_FEDERATED_CREDENTIALS}`,
        );
    }
    lines.push("Key Vault load by vault (every stack that reads it):");
    for (const [vault, { stacks: readers, load }] of loadByVault(stacks)) {
        const share = (100 * load.readsPerHour) / load.limitPerHour;
        lines.push(
            `    ${vault}: ${thousands(load.readsPerHour)} reads/hour from ${load.externalSecrets} ExternalSecret${load.externalSecrets === 1 ? "" : "s"} in ` +
                `${readers.length} stack${readers.length === 1 ? "" : "s"} (${share < 0.01 && share > 0 ? "<0.01" : share.toFixed(2)}% ` +
                `of ${thousands(load.limitPerHour)}/hour); ${thousands(load.readsPerSync)} at once when every cluster's ESO starts`,
        );
    }
    const code = fleetExitCode([
        ...stacks.map((s) => s.code),
        ...overfullIdentities(stacks).map(() => EXIT.violations),
    ]);
    const failed = stacks.filter((s) => s.code !== EXIT.ok).map((s) => s.stack);
    lines.push(
        code === EXIT.ok
            ? `Fleet plan OK: ${stacks.length} stacks.`
            : `Fleet plan FAILED: ${failed.length > 0 ? failed.join(", ") : "an identity over its limit"}.`,
    );
    return lines;
}
