import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";

/** Who may reach the vault's data plane; everything else is denied. */
export interface VaultNetwork {
    /** IPv4 addresses or CIDR ranges, such as the cluster's egress. */
    readonly allowedIps: readonly string[];
    /** Subnet resource ids (the subnets need the Microsoft.KeyVault service endpoint). */
    readonly allowedSubnetIds: readonly string[];
    /** Let trusted Azure services through (ARM itself is not affected by the firewall either way). */
    readonly bypassAzureServices: boolean;
}

interface CommonArgs {
    /** Resource group that holds the vault. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Globally unique vault name (3-24 characters); it becomes https://<name>.vault.azure.net. */
    readonly vaultName: string;
}

/** A vault this stack creates and owns. */
export interface CreatedVaultArgs extends CommonArgs {
    /** Create the vault. */
    readonly existing?: false;
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
    /**
     * "recover" brings back a soft-deleted vault of the same name instead of failing with "already exists in
     * deleted state". It only matters at creation.
     * @default "default"
     */
    readonly createMode?: "default" | "recover";
    /**
     * Firewall: deny all but these networks.
     * @default open to all networks (authentication and RBAC still apply)
     */
    readonly network?: VaultNetwork;
}

/** A vault that exists already: only referenced, never created, changed or deleted by this stack. */
export interface ExistingVaultArgs extends CommonArgs {
    /** Reference the vault only. */
    readonly existing: true;
    /** Subscription of the vault. */
    readonly subscriptionId: pulumi.Input<string>;
}

export type KeyVaultArgs = CreatedVaultArgs | ExistingVaultArgs;

/** Fails a deployment whose vault would not honour the Azure RBAC roles this program grants. */
export function requireRbac(vaultName: string, properties: { enableRbacAuthorization?: boolean }): void {
    if (properties.enableRbacAuthorization !== true) {
        throw new Error(
            `Key Vault ${vaultName} uses access policies; ESO's access is granted with Azure RBAC roles, so switch the vault to ` +
                `the RBAC permission model (az keyvault update --enable-rbac-authorization true) first`,
        );
    }
}

/** An Azure Key Vault authorized by Azure RBAC (no access policies), standard SKU, soft delete on. */
export class KeyVault extends pulumi.ComponentResource {
    /** ARM resource id: the scope of role assignments. */
    public readonly vaultId: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    /** Data-plane URI, such as https://name.vault.azure.net/: ESO's `vaultUrl`. */
    public readonly vaultUri: pulumi.Output<string>;

    constructor(name: string, args: KeyVaultArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:vault:KeyVault", name, {}, opts);

        let vault: keyvault.Vault;
        if (args.existing === true) {
            const id = pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${args.vaultName}`;
            vault = keyvault.Vault.get(`${name}-vault`, id, { parent: this });
        } else {
            const { network } = args;
            vault = new keyvault.Vault(
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
                        createMode: args.createMode === "recover" ? keyvault.CreateMode.Recover : undefined,
                        networkAcls:
                            network === undefined
                                ? undefined
                                : {
                                      defaultAction: keyvault.NetworkRuleAction.Deny,
                                      bypass: network.bypassAzureServices
                                          ? keyvault.NetworkRuleBypassOptions.AzureServices
                                          : keyvault.NetworkRuleBypassOptions.None,
                                      ipRules: network.allowedIps.map((value) => ({ value })),
                                      virtualNetworkRules: network.allowedSubnetIds.map((id) => ({ id })),
                                  },
                    },
                },
                // createMode matters only when the vault is created: sent again on an update, "recover" fails.
                { parent: this, ignoreChanges: ["properties.createMode"] },
            );
        }

        this.vaultId = vault.id;
        this.vaultName = vault.name;
        this.vaultUri = vault.properties.apply((p) => {
            requireRbac(args.vaultName, p);
            if (p.vaultUri === undefined) throw new Error(`Key Vault ${args.vaultName} reported no vaultUri`);
            return p.vaultUri;
        });
        this.registerOutputs({ vaultId: this.vaultId, vaultName: this.vaultName, vaultUri: this.vaultUri });
    }
}
