import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { ESO_API_VERSION } from "./wellKnown";

/** Where ESO finds the service principal's credentials: a Kubernetes Secret in ESO's namespace. */
export interface ServicePrincipalStoreAuth {
    readonly type: "servicePrincipal";
    readonly secretName: pulumi.Input<string>;
    readonly secretNamespace: pulumi.Input<string>;
    readonly clientIdKey: string;
    readonly clientSecretKey: string;
}

export type StoreAuth = ServicePrincipalStoreAuth;

export interface SecretStoreArgs {
    /** Store name (the runbook's `azure-secret-store`). */
    readonly storeName: string;
    /** Key Vault URI, such as https://name.vault.azure.net/. */
    readonly vaultUrl: pulumi.Input<string>;
    /** Entra ID tenant of the vault. */
    readonly tenantId: pulumi.Input<string>;
    /** How ESO authenticates to Key Vault. */
    readonly auth: StoreAuth;
}

/** An ESO ClusterSecretStore for Azure Key Vault (`external-secrets.io/v1`, provider `azurekv`). */
export class SecretStore extends pulumi.ComponentResource {
    public readonly storeName: pulumi.Output<string>;
    public readonly kind = "ClusterSecretStore";
    /** The store object, for `dependsOn`. */
    public readonly store: CustomResource;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:eso:SecretStore", name, {}, opts);

        const { auth } = args;
        this.store = new CustomResource(
            `${name}-store`,
            {
                apiVersion: ESO_API_VERSION,
                kind: this.kind,
                metadata: { name: args.storeName },
                spec: {
                    provider: {
                        azurekv: {
                            authType: "ServicePrincipal",
                            tenantId: args.tenantId,
                            vaultUrl: args.vaultUrl,
                            // A ClusterSecretStore must name the namespace of every secret it refers to.
                            authSecretRef: {
                                clientId: {
                                    name: auth.secretName,
                                    namespace: auth.secretNamespace,
                                    key: auth.clientIdKey,
                                },
                                clientSecret: {
                                    name: auth.secretName,
                                    namespace: auth.secretNamespace,
                                    key: auth.clientSecretKey,
                                },
                            },
                        },
                    },
                },
            },
            // Children do not inherit a component's dependsOn; pass it on so the engine also orders deletes.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.storeName = this.store.metadata.name;
        this.registerOutputs({ storeName: this.storeName });
    }
}
