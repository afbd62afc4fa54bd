import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import type { GeneratorRef } from "./generators";
import type { StoreRef } from "./secretStore";
import { awaitReady, ESO_FORCE_SYNC_ANNOTATION } from "./wellKnown";

/** PushSecret's API version: ESO serves PushSecret as v1alpha1 only (apis/externalsecrets/v1alpha1). */
export const PUSH_SECRET_API_VERSION = "external-secrets.io/v1alpha1";

/** One entry of a PushSecret's `data`, as ESO spells it. */
export interface PushSecretData {
    readonly match: {
        /** The Secret's key; unset, the whole Secret as JSON. */
        readonly secretKey?: string;
        /** The Key Vault object written: a secret (`name`, `secret/name`), a key (`key/name`), a certificate (`cert/name`). */
        readonly remoteRef: { readonly remoteKey: string; readonly property?: string };
    };
    /** azurekv's PushSecretMetadata: expirationDate, contentType, tags of a Key Vault secret; tags of a key or certificate. */
    readonly metadata?: {
        readonly apiVersion: string;
        readonly kind: string;
        readonly spec: Readonly<Record<string, unknown>>;
    };
    readonly conversionStrategy?: "None" | "ReverseUnicode";
}

/** One PushSecret. */
export interface PushSecretSpec {
    /** Unique among the set and stable: the child resource is named `<component>-<key>`. */
    readonly key: string;
    /** PushSecret name. */
    readonly name: string;
    /** Its namespace, and that of the Secret or generator it pushes. */
    readonly namespace: pulumi.Input<string>;
    /** The store it writes through; it is applied once the store is Ready (and its access checked). */
    readonly store: StoreRef;
    /**
     * What it pushes: a Secret by name (resolved once the Secret exists, when the stack writes it) or a generator's
     * output (resolved once the generator exists).
     */
    readonly source:
        { readonly secretName: pulumi.Input<string> } | { readonly generatorRef: pulumi.Input<GeneratorRef> };
    /**
     * ESO's template: the Secret's data rewritten before the push (such as PEM files into a PKCS#12 bundle).
     * @default none: the Secret's data as it is
     */
    readonly template?: {
        readonly engineVersion?: "v2";
        readonly mergePolicy?: "Replace" | "Merge";
        readonly data: Readonly<Record<string, string>>;
    };
    /** How often ESO pushes again (Go duration; "0" = once). */
    readonly refreshInterval: string;
    /**
     * Replace the Key Vault secret on every push, or push only while it does not exist.
     * @default ESO's own: Replace
     */
    readonly updatePolicy?: "Replace" | "IfNotExists";
    /**
     * Delete the Key Vault secret with the PushSecret, or keep it.
     * @default ESO's own: None
     */
    readonly deletionPolicy?: "None" | "Delete";
    /** Which key goes to which Key Vault secret, key or certificate. */
    readonly data: readonly PushSecretData[];
}

export interface PushSecretsArgs {
    readonly pushSecrets: readonly PushSecretSpec[];
    /** Seconds `pulumi up` waits for each PushSecret to report Ready (pushed) before failing. */
    readonly readyTimeoutSeconds: number;
    /**
     * Keep every PushSecret when the stack is destroyed or the entry leaves the configuration (`retainOnDelete`).
     * @default false
     */
    readonly keepOnDestroy?: boolean;
}

/**
 * ESO PushSecrets: Kubernetes Secrets (or a generator's output) written to Key Vault secrets, keys and certificates,
 * so a value made in the cluster outlives it. Each is applied after its store, whose identity holds the write role of
 * each object it pushes on that object alone ("Key Vault Secrets Officer", "Crypto Officer", "Certificates Officer":
 * the store's name resolves only after the identity's grants exist), and `pulumi up` waits until each reports Ready:
 * ESO wrote to Key Vault. ESO tags what it writes `managed-by: external-secrets` and refuses to overwrite or delete an
 * object without that tag (providers/v1/azure/keyvault/keyvault.go canCreate, canDelete).
 */
export class PushSecrets extends pulumi.ComponentResource {
    /** Names of the PushSecrets, once they exist. */
    public readonly names: pulumi.Output<string>[];

    constructor(name: string, args: PushSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:eso:PushSecrets", name, {}, opts);
        this.names = args.pushSecrets.map((ps) => {
            const { forceSync } = ps.store;
            const resource = new CustomResource(
                `${name}-${ps.key}`,
                {
                    apiVersion: PUSH_SECRET_API_VERSION,
                    kind: "PushSecret",
                    metadata: {
                        name: ps.name,
                        namespace: ps.namespace,
                        annotations: {
                            ...awaitReady(args.readyTimeoutSeconds),
                            ...(forceSync === undefined ? {} : { [ESO_FORCE_SYNC_ANNOTATION]: forceSync }),
                        },
                    },
                    spec: {
                        refreshInterval: ps.refreshInterval,
                        ...(ps.updatePolicy === undefined ? {} : { updatePolicy: ps.updatePolicy }),
                        ...(ps.deletionPolicy === undefined ? {} : { deletionPolicy: ps.deletionPolicy }),
                        secretStoreRefs: [{ kind: ps.store.kind, name: ps.store.name }],
                        selector:
                            "secretName" in ps.source
                                ? { secret: { name: ps.source.secretName } }
                                : { generatorRef: ps.source.generatorRef },
                        ...(ps.template === undefined ? {} : { template: ps.template }),
                        data: ps.data,
                    },
                },
                { parent: this, retainOnDelete: args.keepOnDestroy ?? false },
            );
            return resource.metadata.name;
        });
        this.registerOutputs({ names: this.names });
    }
}
