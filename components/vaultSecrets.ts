import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";

export interface VaultSecretsArgs {
    /** Resource group of the vault. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Vault that receives the secrets. */
    readonly vaultName: pulumi.Input<string>;
    /** Key Vault secret name -> value. Values should be Pulumi secrets; they are wrapped again to be sure. */
    readonly secrets: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Secrets written into Key Vault through ARM (the runbook's `az keyvault secret set`). */
export class VaultSecrets extends pulumi.ComponentResource {
    /** Key Vault secret name -> ARM resource id (`<vaultId>/secrets/<name>`), a role assignment scope. */
    public readonly secretIds: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: VaultSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:vault:VaultSecrets", name, {}, opts);

        const secretIds: Record<string, pulumi.Output<string>> = {};
        for (const [secretName, value] of Object.entries(args.secrets)) {
            const secret = new keyvault.Secret(
                `${name}-${secretName}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    vaultName: args.vaultName,
                    secretName,
                    properties: { value: pulumi.secret(value) },
                },
                { parent: this },
            );
            secretIds[secretName] = secret.id;
        }
        this.secretIds = secretIds;
        this.registerOutputs({ secretIds });
    }
}
