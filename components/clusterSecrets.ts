// The secrets of a cluster, in the order ESO needs them: generators first, then the ExternalSecrets that read Key
// Vault (or a generator) through their store, then the PushSecrets that write back to it. Entries name their
// namespace, store and generators; this resolves each name to the object it waits for.
import type * as pulumi from "@pulumi/pulumi";
import { Generators, type GeneratorSpec } from "./generators";
import { PushSecrets, type PushSecretSpec } from "./pushSecrets";
import type { StoreRef } from "./secretStore";
import { type DataFromSource, type ExternalSecretSpec, SyncedSecrets } from "./syncedSecrets";

/** A generator by name, in the namespace of the object that names it. */
interface GeneratorName {
    readonly name: string;
}

/** Where an entry lives, and so which store it reads or writes through. */
export interface Placement {
    readonly namespace: string;
    /** The tenant it belongs to; its store is that tenant's. */
    readonly tenant?: string;
}

export type ExternalSecretEntry = Placement &
    Omit<ExternalSecretSpec, "namespace" | "store" | "targetName" | "dataFrom"> & {
        /** The Secret ESO writes. */
        readonly target: string;
        readonly dataFrom: ReadonlyArray<
            | Exclude<DataFromSource, { readonly sourceRef: unknown }>
            | {
                  readonly sourceRef: { readonly generatorRef: GeneratorName };
                  readonly rewrite?: DataFromSource["rewrite"];
              }
        >;
    };

export type PushSecretEntry = Placement &
    Omit<PushSecretSpec, "namespace" | "store" | "source"> & {
        /** What is pushed: a generator's value, or else the Secret this ExternalSecret (by key) writes. */
        readonly selector: { readonly generatorRef: GeneratorName } | object;
        readonly externalSecretKey?: string;
    };

export interface ClusterSecretsArgs {
    readonly generators: ReadonlyArray<Omit<GeneratorSpec, "namespace"> & { readonly namespace: string }>;
    readonly externalSecrets: readonly ExternalSecretEntry[];
    readonly pushSecrets: readonly PushSecretEntry[];
    /** A namespace by name, resolved once it exists (Namespaces.get). */
    readonly namespace: (name: string) => pulumi.Input<string>;
    /** The store an entry reads or writes through. */
    readonly storeFor: (entry: Placement) => StoreRef;
    /** Resolves once ESO's CRDs are installed. */
    readonly operatorReady: pulumi.Input<unknown>;
    /** Resolves a Key Vault reference once the object exists (VaultSecrets.reference). */
    readonly reference: (reference: string) => pulumi.Input<string>;
    /** Seconds `up` waits for each ExternalSecret and PushSecret to be Ready. */
    readonly readyTimeoutSeconds: number;
    /** Keep every object when the stack is destroyed (production). */
    readonly keepOnDestroy: boolean;
}

/**
 * Generators (only where configured), the synced secrets, and the pushed ones (only where configured), named as
 * before: `generators`, `synced`, `pushed`.
 */
export function clusterSecrets(args: ClusterSecretsArgs, opts: pulumi.ComponentResourceOptions): SyncedSecrets {
    const generators =
        args.generators.length === 0
            ? undefined
            : new Generators(
                  "generators",
                  {
                      generators: args.generators.map((gen) => ({ ...gen, namespace: args.namespace(gen.namespace) })),
                      operatorReady: args.operatorReady,
                      keepOnDestroy: args.keepOnDestroy,
                  },
                  opts,
              );
    // Validation requires every generator an entry names to be configured in the entry's namespace.
    const generatorIn = (namespace: string, ref: GeneratorName) =>
        (generators as Generators).ref(`${namespace}/${ref.name}`);
    const synced = new SyncedSecrets(
        "synced",
        {
            externalSecrets: args.externalSecrets.map((es) => ({
                ...es,
                dataFrom: es.dataFrom.map((item) =>
                    "sourceRef" in item
                        ? {
                              ...item,
                              sourceRef: { generatorRef: generatorIn(es.namespace, item.sourceRef.generatorRef) },
                          }
                        : item,
                ),
                namespace: args.namespace(es.namespace),
                store: args.storeFor(es),
                targetName: es.target,
            })),
            readyTimeoutSeconds: args.readyTimeoutSeconds,
            reference: args.reference,
            keepOnDestroy: args.keepOnDestroy,
        },
        opts,
    );
    if (args.pushSecrets.length > 0) {
        new PushSecrets(
            "pushed",
            {
                pushSecrets: args.pushSecrets.map((ps) => ({
                    ...ps,
                    namespace: args.namespace(ps.namespace),
                    store: args.storeFor(ps),
                    source:
                        "generatorRef" in ps.selector
                            ? { generatorRef: generatorIn(ps.namespace, ps.selector.generatorRef) }
                            : // Validation requires an ExternalSecret of this stack that writes it.
                              { secretName: synced.secretName(ps.externalSecretKey as string) },
                })),
                readyTimeoutSeconds: args.readyTimeoutSeconds,
                keepOnDestroy: args.keepOnDestroy,
            },
            opts,
        );
    }
    return synced;
}
