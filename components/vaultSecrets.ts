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

/**
 * Secrets written into Key Vault through ARM (the runbook's `az keyvault secret set`). Removing one from the
 * configuration leaves it in the vault; the stack stops managing it.
 */
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
                // Key Vault deletes secrets only through its data plane (azure-native customresources/
                // custom_keyvault.go), which the deploying identity's ARM roles do not reach, and a deleted name
                // stays soft-deleted and cannot be written again. So a secret is left in the vault when it leaves the
                // configuration, and goes with its vault when the stack is destroyed.
                { parent: this, retainOnDelete: true },
            );
            secretIds[secretName] = secret.id;
        }
        this.secretIds = secretIds;
        this.registerOutputs({ secretIds });
    }

    /**
     * A Key Vault object reference as ESO reads it (`name`, `secret/name`, `cert/name`, `key/name`), resolved once
     * the secret exists when this stack seeds it: what reads it (an access check, an ExternalSecret) waits for that.
     */
    public reference(reference: string): pulumi.Input<string> {
        const created = /^(secret\/)?([^/]+)$/.exec(reference)?.[2];
        const id = created === undefined ? undefined : this.secretIds[created];
        return id === undefined ? reference : id.apply(() => reference);
    }
}
