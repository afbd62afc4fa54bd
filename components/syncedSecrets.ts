import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { GeneratorRef } from "./generators";
import type { StoreRef } from "./secretStore";
import { awaitReady, ESO_API_VERSION, ESO_FORCE_SYNC_ANNOTATION } from "./wellKnown";

/** One Key Vault object. `key` may carry a prefix: `secret/` (default), `cert/` (certificate) or `key/` (public key). */
export interface RemoteRef {
    /** Object name, with an optional `secret/`, `cert/` or `key/` prefix. */
    readonly key: string;
    /** A property of a JSON secret. */
    readonly property?: string;
    /** A pinned version; the latest when unset. */
    readonly version?: string;
    /** How ESO decodes the value; none when unset. */
    readonly decodingStrategy?: "Auto" | "Base64" | "Base64URL" | "None";
    /**
     * How ESO turns Key Vault names into Secret keys.
     * @default ESO's own: Default
     */
    readonly conversionStrategy?: "Default" | "Unicode";
    /**
     * `Fetch` reads the object's tags instead of its value.
     * @default ESO's own: None
     */
    readonly metadataPolicy?: "None" | "Fetch";
    /**
     * What ESO does with a value holding NUL bytes.
     * @default ESO's own: Ignore
     */
    readonly nullBytePolicy?: "Ignore" | "Fail";
}

/** ESO's rewrite of the keys read: `{ regexp: { source, target } }` or `{ transform: { template } }`, as ESO spells it. */
export type Rewrite = Readonly<Record<string, unknown>>;

/** What every dataFrom source may add: renames of the keys it reads. */
interface Rewrites {
    /**
     * Renames of the keys read, in order.
     * @default none
     */
    readonly rewrite?: readonly Rewrite[];
}

/** Reading many keys at once: every property of a JSON secret, or every secret whose name or tags match. */
export type DataFromSource = Rewrites &
    (
        | { readonly extract: RemoteRef }
        | {
              readonly find: {
                  readonly name?: { readonly regexp: string };
                  readonly tags?: Readonly<Record<string, string>>;
                  /** Only secrets whose names start with it. */
                  readonly path?: string;
                  readonly decodingStrategy?: RemoteRef["decodingStrategy"];
                  readonly conversionStrategy?: RemoteRef["conversionStrategy"];
                  readonly nullBytePolicy?: RemoteRef["nullBytePolicy"];
              };
          }
        /**
         * A generator (such as a Password) in the ExternalSecret's namespace writes the keys; pass Generators.ref, which
         * resolves once the generator exists.
         */
        | { readonly sourceRef: { readonly generatorRef: pulumi.Input<GeneratorRef> } }
    );

/** Shapes the written Secret with Go templates (ESO template engine v2). */
export interface SecretTemplate {
    /** Type of the written Secret, such as Opaque. */
    readonly type?: string;
    /** Secret key -> Go template over the keys read. */
    readonly data?: Readonly<Record<string, string>>;
    /** Labels, annotations and finalizers of the written Secret. */
    readonly metadata?: {
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
        readonly finalizers?: readonly string[];
    };
    /** Replace the keys read with the template's, or merge both. */
    readonly mergePolicy?: "Replace" | "Merge";
    /**
     * The template engine.
     * @default v2 (the only one ESO v1 serves)
     */
    readonly engineVersion?: "v2";
    /** Templates from ConfigMaps, Secrets or literals, as ESO spells them (`{ configMap: { name, items }, target }`). */
    readonly templateFrom?: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** One ExternalSecret. */
export interface ExternalSecretSpec {
    /** Unique among the set and stable: the child resource is named `<component>-<key>`. */
    readonly key: string;
    /**
     * The key the child resource had before, kept as an alias so a deployed ExternalSecret is not replaced.
     * @default none
     */
    readonly formerKey?: string;
    /** ExternalSecret name. */
    readonly name: string;
    /** Namespace of the ExternalSecret and of the Secret it writes. */
    readonly namespace: pulumi.Input<string>;
    /**
     * Store to read from; the ExternalSecret is applied once the store is Ready and, where the store's access is
     * checked, once that check has passed (the store's name resolves only then).
     */
    readonly store: StoreRef;
    /** Name of the Kubernetes Secret ESO writes. */
    readonly targetName: string;
    /** How often ESO re-reads Key Vault (Go duration; "0" = once). */
    readonly refreshInterval: string;
    /**
     * When ESO re-reads: on every interval, only when the ExternalSecret changes, or once.
     * @default ESO's own: Periodic
     */
    readonly refreshPolicy?: "Periodic" | "OnChange" | "CreatedOnce";
    /** Who owns the written Secret. */
    readonly creationPolicy: "Owner" | "Orphan" | "Merge" | "CreateOrMerge" | "None";
    /**
     * What happens to the Secret when the Key Vault secrets are gone.
     * @default ESO's own: Retain
     */
    readonly deletionPolicy?: "Retain" | "Delete" | "Merge";
    /** Secret key -> Key Vault object. */
    readonly data: Readonly<Record<string, RemoteRef>>;
    /**
     * Whole secrets read into many keys.
     * @default []
     */
    readonly dataFrom?: readonly DataFromSource[];
    /**
     * Template for the written Secret.
     * @default the keys as read
     */
    readonly template?: SecretTemplate;
    /**
     * The written Secret cannot change once created (Kubernetes `immutable`).
     * @default ESO's own: false
     */
    readonly immutable?: boolean;
    /**
     * When periodic refreshes may run, as ESO spells it (`{ kind: allow | deny, windows: [{ schedule, duration }] }`).
     * @default refreshes whenever the interval has passed
     */
    readonly syncWindows?: unknown;
}

export interface SyncedSecretsArgs {
    /** The ExternalSecrets, in any order. */
    readonly externalSecrets: readonly ExternalSecretSpec[];
    /** Seconds `pulumi up` waits for each ExternalSecret to report Ready (its Secret synced) before failing. */
    readonly readyTimeoutSeconds: number;
    /**
     * Resolves a Key Vault reference once the object exists, when the stack creates it (VaultSecrets.reference), so
     * no ExternalSecret tries to read a secret before it is written.
     * @default references are used as they are
     */
    readonly reference?: (reference: string) => pulumi.Input<string>;
    /**
     * Keep every ExternalSecret, and so the Secret it writes, when the stack is destroyed or the entry leaves the
     * configuration (`retainOnDelete`): Pulumi forgets the object and Kubernetes keeps it. Production stacks set it,
     * together with the operator's `keepOnDestroy`, which keeps the CRD the object needs.
     * @default false: an ExternalSecret is deleted with the stack, and an `Owner` Secret with it
     */
    readonly keepOnDestroy?: boolean;
}

/** The ExternalSecret object ESO reads: `spec` as the v1 API spells it. */
function externalSecretSpec(
    es: ExternalSecretSpec,
    reference: (key: string) => pulumi.Input<string>,
): Record<string, unknown> {
    const dataFrom = es.dataFrom ?? [];
    return {
        refreshInterval: es.refreshInterval,
        ...(es.refreshPolicy === undefined ? {} : { refreshPolicy: es.refreshPolicy }),
        ...(es.syncWindows === undefined ? {} : { syncWindows: es.syncWindows }),
        secretStoreRef: { kind: es.store.kind, name: es.store.name },
        target: {
            name: es.targetName,
            creationPolicy: es.creationPolicy,
            ...(es.deletionPolicy === undefined ? {} : { deletionPolicy: es.deletionPolicy }),
            ...(es.template === undefined ? {} : { template: { engineVersion: "v2", ...es.template } }),
            ...(es.immutable === undefined ? {} : { immutable: es.immutable }),
        },
        ...(Object.keys(es.data).length === 0
            ? {}
            : {
                  data: Object.entries(es.data).map(([secretKey, remoteRef]) => ({
                      secretKey,
                      remoteRef: { ...remoteRef, key: reference(remoteRef.key) },
                  })),
              }),
        ...(dataFrom.length === 0
            ? {}
            : {
                  dataFrom: dataFrom.map((source) =>
                      "extract" in source
                          ? { ...source, extract: { ...source.extract, key: reference(source.extract.key) } }
                          : { ...source },
                  ),
              }),
    };
}

/**
 * ESO ExternalSecrets that copy Key Vault objects into Kubernetes Secrets and keep them fresh, each applied after its
 * store and its store's access check. `pulumi up` waits until each reports Ready: its Secret is really synced (the
 * only proof that ESO signs in and may read), or the run fails naming the ExternalSecret. One component holds them
 * all, so a stack with a thousand pays for a thousand registrations, not two.
 *
 * That wait holds for a created ExternalSecret only. After a change of its spec the wait passes on the Ready of the
 * spec before: ESO's status has no `observedGeneration` (it records the synced version as `<generation>-<hash of
 * labels and annotations>` in `status.syncedResourceVersion`, external-secrets pkg/controllers/util/util.go
 * GetResourceVersion), and a `pulumi.com/waitFor` expression can only compare a field with a value fixed in the
 * annotation, which cannot name the generation the API server assigns (docs/lifecycle.md).
 *
 * Deleting an ExternalSecret deletes its Secret when ESO owns it (creationPolicy `Owner`: an owner reference the
 * garbage collector follows, external-secrets docs/guides/ownership-deletion-policy.md); with `keepOnDestroy` both
 * stay.
 */
export class SyncedSecrets extends pulumi.ComponentResource {
    /** Names of the ExternalSecrets, once they exist. */
    public readonly names: pulumi.Output<string>[];
    private readonly byKey: ReadonlyMap<string, { resource: CustomResource; targetName: string }>;

    constructor(name: string, args: SyncedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:eso:SyncedSecrets", name, {}, opts);

        const byKey = new Map<string, { resource: CustomResource; targetName: string }>();
        for (const es of args.externalSecrets) {
            const { forceSync } = es.store;
            const resource = new CustomResource(
                `${name}-${es.key}`,
                {
                    apiVersion: ESO_API_VERSION,
                    kind: "ExternalSecret",
                    metadata: {
                        name: es.name,
                        namespace: es.namespace,
                        annotations: {
                            ...awaitReady(args.readyTimeoutSeconds),
                            ...(forceSync === undefined ? {} : { [ESO_FORCE_SYNC_ANNOTATION]: forceSync }),
                        },
                    },
                    spec: externalSecretSpec(es, args.reference ?? ((key) => key)),
                },
                {
                    parent: this,
                    aliases: es.formerKey === undefined ? [] : [{ name: `${name}-${es.formerKey}` }],
                    retainOnDelete: args.keepOnDestroy ?? false,
                },
            );
            byKey.set(es.key, { resource, targetName: es.targetName });
        }
        this.byKey = byKey;
        this.names = [...byKey.values()].map(({ resource }) => resource.metadata.name);
        this.registerOutputs({ names: this.names });
    }

    /**
     * The name of the Secret the ExternalSecret with this key writes, resolved once it is synced (Ready): a workload
     * that mounts it is created after that by construction.
     */
    public secretName(key: string): pulumi.Output<string> {
        const found = this.byKey.get(key);
        if (found === undefined) throw new Error(`no ExternalSecret with key "${key}"`);
        return found.resource.metadata.name.apply(() => found.targetName);
    }
}
