import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { awaitReady, ESO_API_VERSION } from "./wellKnown";

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
    /** Who owns the written Secret. */
    readonly creationPolicy: "Owner" | "Orphan" | "Merge" | "None";
    /** Secret key -> Key Vault secret name. */
    readonly data: Readonly<Record<string, string>>;
    /** Seconds `pulumi up` waits for the ExternalSecret to report Ready (its Secret synced) before failing. */
    readonly readyTimeoutSeconds: number;
}

/**
 * An ESO ExternalSecret that copies Key Vault secrets into a Kubernetes Secret and keeps it fresh. `pulumi up`
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
                    secretStoreRef: { kind: args.store.kind, name: args.store.name },
                    target: { name: args.targetName, creationPolicy: args.creationPolicy },
                    data: Object.entries(args.data).map(([secretKey, key]) => ({ secretKey, remoteRef: { key } })),
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
