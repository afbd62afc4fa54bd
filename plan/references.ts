// StackReferences offline: a fleet's cluster stack reads its vault stack's outputs, so the plan runs the vault
// stack's program first and hands its planned outputs to the cluster stack's StackReference.
import { projectValues, resolveOutputs, simulateStack } from "./run";
import { readStackFile, StackFileError, type StackFile } from "./stackFile";

/** The vault stack a cluster stack names in `fleet.vaultStack`, read leniently (the program validates it). */
export function vaultStackOf(file: StackFile): string | undefined {
    const fleet = projectValues(file).fleet as { role?: unknown; vaultStack?: unknown } | undefined;
    return fleet?.role === "cluster" && typeof fleet.vaultStack === "string" ? fleet.vaultStack : undefined;
}

/** Whether a stack owns a fleet's shared vault. */
export function isVaultStack(file: StackFile): boolean {
    return (projectValues(file).fleet as { role?: unknown } | undefined)?.role === "vault";
}

export type Resolved = { readonly outputs: Record<string, unknown> } | { readonly error: string };

/** The planned outputs of the project's stacks, by fully qualified name; each stack is planned once. */
export class StackOutputs {
    private readonly planned = new Map<string, Resolved>();

    constructor(private readonly projectDir: string) {}

    /** Records the outputs of a stack planned elsewhere (`npm run plan -- --all` plans every stack anyway). */
    record(file: StackFile, outputs: Record<string, unknown>): void {
        this.planned.set(file.stack, { outputs });
    }

    /** The outputs of `reference` (`<organization>/<project>/<stack>`), as the stack `from` would read them. */
    async of(reference: string, from: StackFile): Promise<Resolved> {
        const [, project, stack] = reference.split("/") as [string, string, string];
        const at = `${from.stack}: fleet.vaultStack ${JSON.stringify(reference)}`;
        if (project !== from.project) {
            return {
                error: `${at} is a stack of project ${project}: the offline plan reads only this project's stacks (${from.project})`,
            };
        }
        const known = this.planned.get(stack);
        if (known !== undefined) return known;
        const resolved = await this.plan(stack, at);
        this.planned.set(stack, resolved);
        return resolved;
    }

    private async plan(stack: string, at: string): Promise<Resolved> {
        let file: StackFile;
        try {
            file = readStackFile(this.projectDir, stack);
        } catch (e) {
            if (e instanceof StackFileError) return { error: `${at} cannot be planned: ${e.message}` };
            throw e;
        }
        if (!isVaultStack(file)) {
            return { error: `${at} names a stack whose fleet.role is not "vault": name the stack that owns the vault` };
        }
        const run = await simulateStack(file);
        if ("configError" in run) {
            return {
                error: `${at} names a stack with configuration problems; plan it: npm run plan -- --stack ${stack}`,
            };
        }
        if (run.failures.length > 0 || run.cloud.refusals.length > 0) {
            return { error: `${at} names a stack whose plan fails; plan it: npm run plan -- --stack ${stack}` };
        }
        return { outputs: await resolveOutputs(run.programExports) };
    }
}
