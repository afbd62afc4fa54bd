// A stack's place in a fleet: on its own (vault and cluster in one stack, the default), the shared stack that owns a
// vault many clusters read, or a cluster stack that reads that vault through a StackReference. What each kind of
// stack may configure follows from what it owns; a key set where it does nothing is an error, not a silent no-op.
import * as v from "valibot";
import * as rules from "./rules";

/** Pulumi's fully qualified stack name; a self-managed backend's organization is the literal `organization`. */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export const fleetSchema = v.variant(
    "role",
    [
        /** The shared stack: the vault, its seeded secrets, its network, logs and alerts; no cluster. */
        v.strictObject({ role: v.literal("vault") }),
        /** One cluster: ESO, its identity, stores and synced secrets, reading the vault of `vaultStack`. */
        v.strictObject({
            role: v.literal("cluster"),
            vaultStack: rules.pattern(
                STACK_NAME,
                'use the vault stack\'s fully qualified name, "<organization>/<project>/<stack>" (as `pulumi stack ls --all` prints it)',
            ),
        }),
    ],
    'use "vault" (the shared stack that owns the vault) or "cluster" (a stack that reads it through fleet.vaultStack)',
);

export type Fleet = { readonly role: "standalone" } | { readonly role: "vault" } | FleetCluster;
export interface FleetCluster {
    readonly role: "cluster";
    /** `<organization>/<project>/<stack>` of the stack that owns the vault. */
    readonly vaultStack: string;
}

/** Keys only a stack with a cluster uses. */
const CLUSTER_KEYS = [
    "auth",
    "kubeconfig",
    "kubernetes",
    "eso",
    "store",
    "externalSecrets",
    "tenants",
    "velero",
    "workloads",
    "generators",
    "pushSecrets",
] as const;

/** Keys only the stack that owns the vault uses. */
const VAULT_KEYS = ["vault", "seededSecrets", "seededSecretDefaults"] as const;

/** `pulumi config set` never stores these for a key the user left out; an empty list or object sets nothing either. */
function isSet(value: unknown): boolean {
    if (value === undefined || value === null) return false;
    if (Array.isArray(value)) return value.length > 0;
    if (typeof value === "object") return Object.keys(value).length > 0;
    return true;
}

/** A key set where the stack's role gives it nothing to do, and why. */
export interface FleetProblem {
    readonly path: readonly PropertyKey[];
    readonly message: string;
}

/**
 * Keys set where the stack's role gives them nothing to do: cluster keys in the vault stack, vault keys (and the
 * vault's logs) in a cluster stack, which reads its vault from fleet.vaultStack instead.
 */
export function fleetProblems(values: Readonly<Record<string, unknown>>, fleet: Fleet): FleetProblem[] {
    const monitoring = (values.monitoring ?? {}) as Record<string, unknown>;
    if (fleet.role === "vault") {
        return [
            ...CLUSTER_KEYS.filter((key) => isSet(values[key])).map((key) => ({
                path: [key],
                message:
                    "configures a cluster, and fleet.role is vault (this stack owns the shared vault, no cluster): " +
                    "set it in a cluster stack (fleet.role cluster, fleet.vaultStack naming this stack)",
            })),
            ...(isSet(monitoring.prometheus)
                ? [
                      {
                          path: ["monitoring", "prometheus"],
                          message:
                              "alerts on ESO's syncs in a cluster, and fleet.role is vault: set it in each cluster stack",
                      },
                  ]
                : []),
        ];
    }
    if (fleet.role === "cluster") {
        return [
            ...VAULT_KEYS.filter((key) => isSet(values[key])).map((key) => ({
                path: [key],
                message: `belongs to the stack that owns the vault, and fleet.role is cluster (the vault is ${fleet.vaultStack}'s): set it there`,
            })),
            // `logs: {}` asks for a workspace with the defaults: set, though empty.
            ...(monitoring.logs !== undefined
                ? [
                      {
                          path: ["monitoring", "logs"],
                          message: `collects the vault's logs, which belongs to the stack that owns the vault (${fleet.vaultStack}): set it there`,
                      },
                  ]
                : []),
        ];
    }
    return [];
}
