import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { awaitReady, ESO_API_VERSION } from "./wellKnown";

/** One Key Vault object. `key` may carry a prefix: `secret/` (default), `cert/` (certificate) or `key/` (public key). */
export interface RemoteRef {
    readonly key: string;
    /** A property of a JSON secret. */
    readonly property?: string;
    /** A pinned version; the latest when unset. */
    readonly version?: string;
    readonly decodingStrategy?: "Auto" | "Base64" | "Base64URL" | "None";
}

/** Reading many keys at once: every property of a JSON secret, or every secret whose name or tags match. */
export type DataFromSource =
    | { readonly extract: RemoteRef }
    | {
          readonly find: {
              readonly name?: { readonly regexp: string };
              readonly tags?: Readonly<Record<string, string>>;
              readonly decodingStrategy?: RemoteRef["decodingStrategy"];
          };
      };

/** Shapes the written Secret with Go templates (ESO template engine v2). */
export interface SecretTemplate {
    readonly type?: string;
    readonly data?: Readonly<Record<string, string>>;
    readonly metadata?: {
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
    };
    readonly mergePolicy?: "Replace" | "Merge";
}

export interface SyncedSecretArgs {
    /** ExternalSecret name. */
    readonly externalSecretName: string;
    /** Namespace of the ExternalSecret and of the Secret it writes. */
    readonly namespace: pulumi.Input<string>;
    /** Store to read from. */
    readonly store: { readonly kind: "ClusterSecretStore" | "SecretStore"; readonly name: pulumi.Input<string> };
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
    readonly creationPolicy: "Owner" | "Orphan" | "Merge" | "None";
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
    /** Seconds `pulumi up` waits for the ExternalSecret to report Ready (its Secret synced) before failing. */
    readonly readyTimeoutSeconds: number;
}

/**
 * An ESO ExternalSecret that copies Key Vault objects into a Kubernetes Secret and keeps it fresh. `pulumi up`
 * waits until it reports Ready: the Secret is really synced, or the run fails naming this ExternalSecret.
 */
export class SyncedSecret extends pulumi.ComponentResource {
    public readonly externalSecretName: pulumi.Output<string>;
    /** Name of the Secret ESO writes, once the ExternalSecret exists. */
    public readonly targetName: pulumi.Output<string>;
    /** The ExternalSecret object, for `dependsOn`. */
    public readonly externalSecret: CustomResource;

    constructor(name: string, args: SyncedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:eso:SyncedSecret", name, {}, opts);

        const dataFrom = args.dataFrom ?? [];
        this.externalSecret = new CustomResource(
            `${name}-external-secret`,
            {
                apiVersion: ESO_API_VERSION,
                kind: "ExternalSecret",
                metadata: {
                    name: args.externalSecretName,
                    namespace: args.namespace,
                    annotations: awaitReady(args.readyTimeoutSeconds),
                },
                spec: {
                    refreshInterval: args.refreshInterval,
                    ...(args.refreshPolicy === undefined ? {} : { refreshPolicy: args.refreshPolicy }),
                    secretStoreRef: { kind: args.store.kind, name: args.store.name },
                    target: {
                        name: args.targetName,
                        creationPolicy: args.creationPolicy,
                        ...(args.deletionPolicy === undefined ? {} : { deletionPolicy: args.deletionPolicy }),
                        ...(args.template === undefined ? {} : { template: { engineVersion: "v2", ...args.template } }),
                    },
                    ...(Object.keys(args.data).length === 0
                        ? {}
                        : {
                              data: Object.entries(args.data).map(([secretKey, remoteRef]) => ({
                                  secretKey,
                                  remoteRef: { ...remoteRef },
                              })),
                          }),
                    ...(dataFrom.length === 0 ? {} : { dataFrom: dataFrom.map((source) => ({ ...source })) }),
                },
            },
            // Children do not inherit a component's dependsOn; pass it on so the engine also orders deletes.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.externalSecretName = this.externalSecret.metadata.name;
        this.targetName = this.externalSecret.metadata.apply(() => args.targetName);
        this.registerOutputs({ externalSecretName: this.externalSecretName, targetName: this.targetName });
    }
}
