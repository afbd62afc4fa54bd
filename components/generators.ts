import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { GENERATOR_API_VERSION } from "./wellKnown";

/** A generator as an ExternalSecret's `sourceRef.generatorRef` or a PushSecret's `selector.generatorRef` names it. */
export interface GeneratorRef {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
}

/** One generator: ESO's Password (generators.external-secrets.io/v1alpha1), with its spec as ESO spells it. */
export interface GeneratorSpec {
    /** Unique among the set and stable: the child resource is named `<component>-<key>`. */
    readonly key: string;
    readonly kind: "Password";
    /** Generator name. */
    readonly name: string;
    /** Its namespace: ESO resolves a generatorRef in the referring object's own namespace. */
    readonly namespace: pulumi.Input<string>;
    /** PasswordSpec: length, digits, symbols, symbolCharacters, noUpper, allowRepeat, secretKeys, encoding. */
    readonly spec: Readonly<Record<string, unknown>>;
}

export interface GeneratorsArgs {
    /** The generators, in any order. */
    readonly generators: readonly GeneratorSpec[];
    /** Resolves once ESO's CRDs are installed (the operator serves): no generator is applied before its CRD exists. */
    readonly operatorReady: pulumi.Input<unknown>;
    /**
     * Keep each generator when the stack is destroyed or the entry leaves the configuration (`retainOnDelete`).
     * @default false
     */
    readonly keepOnDestroy?: boolean;
}

/**
 * ESO generators: objects ESO asks for a fresh value (a Password generator makes a random password per call). A
 * generator holds no secret itself; what it generates lands only in the Secret an ExternalSecret writes or in the
 * Key Vault secret a PushSecret writes, never in this stack's state or outputs.
 */
export class Generators extends pulumi.ComponentResource {
    private readonly byKey: ReadonlyMap<string, pulumi.Output<GeneratorRef>>;

    constructor(name: string, args: GeneratorsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:eso:Generators", name, {}, opts);
        const byKey = new Map<string, pulumi.Output<GeneratorRef>>();
        for (const generator of args.generators) {
            const resource = new CustomResource(
                `${name}-${generator.key}`,
                {
                    apiVersion: GENERATOR_API_VERSION,
                    kind: generator.kind,
                    metadata: {
                        name: generator.name,
                        namespace: pulumi
                            .all([generator.namespace, args.operatorReady])
                            .apply(([namespace]) => namespace),
                    },
                    spec: generator.spec,
                },
                { parent: this, retainOnDelete: args.keepOnDestroy ?? false },
            );
            byKey.set(
                generator.key,
                resource.metadata.name.apply((generatorName) => ({
                    apiVersion: GENERATOR_API_VERSION,
                    kind: generator.kind,
                    name: generatorName,
                })),
            );
        }
        this.byKey = byKey;
        this.registerOutputs({ names: [...byKey.values()].map((ref) => ref.name) });
    }

    /**
     * The reference to the generator with this key (`<namespace>/<name>`), resolved once it exists: an object built
     * from it is applied after the generator by construction.
     */
    public ref(key: string): pulumi.Output<GeneratorRef> {
        const found = this.byKey.get(key);
        if (found === undefined) throw new Error(`no generator with key "${key}"`);
        return found;
    }
}
