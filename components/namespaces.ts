import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";
import { POD_SECURITY_ENFORCE_LABEL } from "./wellKnown";

export interface NamespacesArgs {
    /** Namespaces to create, under the "restricted" Pod Security profile. */
    readonly create: readonly string[];
    /** Namespaces that already exist; referenced by name, never created or deleted. */
    readonly existing: readonly string[];
}

/** The application namespaces that ExternalSecrets and workloads live in. */
export class Namespaces extends pulumi.ComponentResource {
    private readonly names: ReadonlyMap<string, pulumi.Output<string>>;

    constructor(name: string, args: NamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:kubernetes:Namespaces", name, {}, opts);

        const names = new Map<string, pulumi.Output<string>>();
        for (const namespace of args.existing) names.set(namespace, pulumi.output(namespace));
        for (const namespace of args.create) {
            if (names.has(namespace)) continue;
            const created = new core.Namespace(
                `${name}-${namespace}`,
                { metadata: { name: namespace, labels: { [POD_SECURITY_ENFORCE_LABEL]: "restricted" } } },
                { parent: this },
            );
            names.set(namespace, created.metadata.name);
        }
        this.names = names;
        this.registerOutputs({ namespaces: [...names.keys()] });
    }

    /** The namespace's name as an output that resolves once the namespace exists. */
    public get(namespace: string): pulumi.Output<string> {
        const found = this.names.get(namespace);
        if (found === undefined)
            throw new Error(`namespace "${namespace}" was not declared to the Namespaces component`);
        return found;
    }
}
