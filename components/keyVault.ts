import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";

export interface KeyVaultArgs {
    /** Existing resource group that holds the vault. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Globally unique vault name (3-24 characters); it becomes https://<name>.vault.azure.net. */
    readonly vaultName: string;
    /** Azure region, such as "westeurope". */
    readonly location: pulumi.Input<string>;
    /** Entra ID tenant that authenticates requests to the vault. */
    readonly tenantId: pulumi.Input<string>;
    /**
     * Days a deleted vault or secret stays recoverable. Set once, at creation.
     * @default 90
     */
    readonly softDeleteRetentionDays?: number;
    /**
     * Forbid purging deleted vaults and secrets before their retention ends. Irreversible once on.
     * @default true
     */
    readonly purgeProtection?: boolean;
}

/** An Azure Key Vault authorized by Azure RBAC (no access policies), standard SKU, soft delete on. */
export class KeyVault extends pulumi.ComponentResource {
    /** ARM resource id: the scope of role assignments. */
    public readonly vaultId: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    /** Data-plane URI, such as https://name.vault.azure.net/: ESO's `vaultUrl`. */
    public readonly vaultUri: pulumi.Output<string>;
    public readonly resourceGroupName: pulumi.Output<string>;

    constructor(name: string, args: KeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:vault:KeyVault", name, {}, opts);

        const vault = new keyvault.Vault(
            `${name}-vault`,
            {
                resourceGroupName: args.resourceGroupName,
                vaultName: args.vaultName,
                location: args.location,
                properties: {
                    tenantId: args.tenantId,
                    sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
                    enableRbacAuthorization: true,
                    softDeleteRetentionInDays: args.softDeleteRetentionDays ?? 90,
                    // ARM rejects `false` here ("does not accept false"): leave it unset to keep it off.
                    enablePurgeProtection: (args.purgeProtection ?? true) ? true : undefined,
                },
            },
            { parent: this },
        );

        this.vaultId = vault.id;
        this.vaultName = vault.name;
        this.vaultUri = vault.properties.apply((p) => {
            if (p.vaultUri === undefined) throw new Error(`Key Vault ${args.vaultName} reported no vaultUri`);
            return p.vaultUri;
        });
        this.resourceGroupName = pulumi.output(args.resourceGroupName);
        this.registerOutputs({ vaultId: this.vaultId, vaultName: this.vaultName, vaultUri: this.vaultUri });
    }
}
