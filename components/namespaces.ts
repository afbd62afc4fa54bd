import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";
import { POD_SECURITY_ENFORCE_LABEL } from "./wellKnown";

export interface NamespacesArgs {
    /**
     * Namespaces this stack owns: created under the "restricted" Pod Security profile, deleted with the stack unless
     * `keepOnDestroy`.
     */
    readonly owned: readonly string[];
    /** Namespaces that exist already (someone else's): referenced by name, never created, changed or deleted. */
    readonly existing: readonly string[];
    /**
     * Namespaces another component of the stack creates (ESO's, by the operator), each an output that resolves
     * once it exists.
     * @default {}
     */
    readonly createdElsewhere?: Readonly<Record<string, pulumi.Output<string>>>;
    /**
     * Leave the owned namespaces in the cluster on `pulumi destroy` (`retainOnDelete`): deleting a namespace deletes
     * everything in it, synced Secrets included. Production stacks set it.
     * @default false
     */
    readonly keepOnDestroy?: boolean;
}

/** The namespaces that ExternalSecrets, workloads and tenants live in, each with one owner. */
export class Namespaces extends pulumi.ComponentResource {
    private readonly names: ReadonlyMap<string, pulumi.Output<string>>;

    constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:kubernetes:Namespaces", name, {}, opts);

        const names = new Map<string, pulumi.Output<string>>(Object.entries(args.createdElsewhere ?? {}));
        for (const namespace of args.existing) names.set(namespace, pulumi.output(namespace));
        for (const namespace of args.owned) {
            if (names.has(namespace)) {
                throw new Error(
                    `namespace "${namespace}" is owned by this stack and also exists or is created elsewhere`,
                );
            }
            const created = new core.Namespace(
                `${name}-${namespace}`,
                { metadata: { name: namespace, labels: { [POD_SECURITY_ENFORCE_LABEL]: "restricted" } } },
                { parent: this, retainOnDelete: args.keepOnDestroy ?? false },
            );
            names.set(namespace, created.metadata.name);
        }
        this.names = names;
        this.registerOutputs({ owned: [...args.owned], existing: [...args.existing] });
    }

    /** The namespace's name as an output that resolves once the namespace exists. */
    public get(namespace: string): pulumi.Output<string> {
        const found = this.names.get(namespace);
        if (found === undefined) {
            throw new Error(`namespace "${namespace}" was not declared to the Namespaces component`);
        }
        return found;
    }

    /** Several namespaces, by name, each as `get` gives it. */
    public pick(namespaces: readonly string[]): Record<string, pulumi.Output<string>> {
        return Object.fromEntries(namespaces.map((namespace) => [namespace, this.get(namespace)]));
    }
}
