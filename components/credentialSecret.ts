import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";

export interface CredentialSecretArgs {
    /** Namespace of ESO, where the ClusterSecretStore's secret refs point. */
    readonly namespace: pulumi.Input<string>;
    /** Secret name (the runbook's `azure-secret-sp`). */
    readonly secretName: string;
    /** Key that holds the client id (the runbook's `ClientID`). */
    readonly clientIdKey: string;
    /** Key that holds the client secret (the runbook's `ClientSecret`). */
    readonly clientSecretKey: string;
    /** Application (client) id. */
    readonly clientId: pulumi.Input<string>;
    /** Client secret; kept a Pulumi secret end to end. */
    readonly clientSecret: pulumi.Input<string>;
}

/** The Kubernetes Secret ESO reads the service principal's credentials from. */
export class CredentialSecret extends pulumi.ComponentResource {
    public readonly secretName: pulumi.Output<string>;
    /** The Secret resource, for `dependsOn`. */
    public readonly secret: core.Secret;

    constructor(name: string, args: CredentialSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:kubernetes:CredentialSecret", name, {}, opts);

        this.secret = new core.Secret(
            `${name}-secret`,
            {
                metadata: {
                    name: args.secretName,
                    namespace: args.namespace,
                    labels: { "app.kubernetes.io/managed-by": "pulumi" },
                },
                type: "Opaque",
                stringData: pulumi.secret({
                    [args.clientIdKey]: pulumi.output(args.clientId),
                    [args.clientSecretKey]: pulumi.output(args.clientSecret),
                }),
            },
            { parent: this },
        );
        this.secretName = this.secret.metadata.name;
        this.registerOutputs({ secretName: this.secretName });
    }
}
