// Where a stack's vault comes from: its own (created or adopted, with seeded secrets, logs and alerts), or, in a
// fleet's cluster stack, the one its vault stack owns, read through a StackReference and never changed.
import * as pulumi from "@pulumi/pulumi";
import { type AdoptedVault, type CreatedVault, KeyVault } from "./keyVault";
import { VaultMonitoring, type VaultLogs } from "./vaultMonitoring";
import { type SeededSecret, VaultSecrets } from "./vaultSecrets";

/** What the rest of the stack needs of the seeded secrets: their ids (grant scopes) and references that wait for them. */
export type SeededReferences = Pick<VaultSecrets, "secretIds" | "reference">;

export interface VaultSource {
    readonly vault: KeyVault;
    readonly seeded: SeededReferences;
}

export interface OwnVaultArgs {
    readonly vault: CreatedVault | AdoptedVault;
    readonly seededSecrets: Readonly<Record<string, SeededSecret>>;
    /** The vault's resource logs and metric alerts; nothing is created for what is unset. */
    readonly monitoring: { readonly logs?: VaultLogs; readonly actionGroupId?: string };
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    readonly tenantId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
}

/**
 * The stack's own vault, its seeded secrets and, where configured, its logs and metric alerts. Top-level resources
 * named `<name>`, `seeded` and `<name>-monitoring`, as a stack has always named them (their URNs must not move).
 */
export function ownVault(name: string, args: OwnVaultArgs, opts?: pulumi.ComponentResourceOptions): VaultSource {
    const { resourceGroupName, location } = args;
    const vault = new KeyVault(name, { ...args, vault: args.vault }, opts);
    const seeded = new VaultSecrets(
        "seeded",
        { resourceGroupName, vaultName: vault.vaultName, secrets: args.seededSecrets },
        opts,
    );
    if (args.monitoring.logs !== undefined || args.monitoring.actionGroupId !== undefined) {
        new VaultMonitoring(
            `${name}-monitoring`,
            { vaultId: vault.vaultId, resourceGroupName, location, ...args.monitoring },
            opts,
        );
    }
    return { vault, seeded };
}

/** Outputs a vault stack exports for its cluster stacks (index.ts), by name. */
export const VAULT_STACK_OUTPUTS = ["vaultId", "vaultName", "vaultUri", "vaultResourceGroupName"] as const;

/**
 * The vault of a fleet's vault stack (`<organization>/<project>/<stack>`), read through a StackReference and
 * adopted by id: checked to authorize with RBAC, never changed or deleted. Its seeded secrets exist before any
 * cluster stack runs (the vault stack is deployed first), so nothing waits for them.
 */
export function vaultOfStack(name: string, stack: string, opts?: pulumi.ComponentResourceOptions): VaultSource {
    const reference = new pulumi.StackReference(`${name}-stack`, { name: stack }, opts);
    const output = (key: (typeof VAULT_STACK_OUTPUTS)[number]) => reference.requireOutput(key) as pulumi.Output<string>;
    const vault = new KeyVault(
        name,
        {
            vault: { existing: true, name: output("vaultName"), id: output("vaultId") },
            resourceGroupName: output("vaultResourceGroupName"),
            // An adopted vault is read by id: neither is sent.
            location: "",
            tenantId: "",
            subscriptionId: "",
        },
        opts,
    );
    return { vault, seeded: { secretIds: {}, reference: (object: string) => object } };
}
