import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { RandomString } from "@pulumi/random/randomString";
import { type PrivateEndpointSettings, PrivateVault } from "./privateVault";

/** Who may reach the vault's data plane: its private endpoint, and through the firewall, which denies all else. */
export interface VaultNetwork {
    /**
     * "disabled": only the private endpoint (and trusted services, with bypassAzureServices) reach the data plane;
     * Key Vault then ignores the firewall's IP and subnet rules (azure-native VaultProperties.publicNetworkAccess).
     */
    readonly publicNetworkAccess: "disabled" | "enabled";
    /** IPv4 addresses or CIDR ranges, such as the cluster's egress. */
    readonly allowedIps: readonly string[];
    /** Subnet resource ids (the subnets need the Microsoft.KeyVault service endpoint). */
    readonly allowedSubnetIds: readonly string[];
    /** Let trusted Azure services through (ARM itself is not affected by the firewall either way). */
    readonly bypassAzureServices: boolean;
    /**
     * The deploying machine's addresses, let through the firewall so the access check can read the vault: a
     * temporary rule, removed again after the deployment (README, "Private vault").
     */
    readonly deployerIps: readonly string[];
    /**
     * A private endpoint in the cluster's network, and the DNS that resolves the vault's usual name to it.
     * @default none
     */
    readonly privateEndpoint?: PrivateEndpointSettings;
}

/** A vault this stack creates and owns, with the settings Key Vault fixes at its creation. */
export interface CreatedVault {
    /** Create the vault. */
    readonly existing: false;
    /**
     * Globally unique vault name (3-24 characters); it becomes https://<name>.vault.azure.net.
     * @default kv-<stack>-<six random letters and digits>, drawn once per stack: a destroyed vault stays
     *   soft-deleted under its name, so the next deployment of the stack draws a new one
     */
    readonly name?: string;
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
     * The vault's network: a private endpoint, public access, and a firewall that denies all but the listed networks.
     * @default open to all networks (authentication and RBAC still apply); production stacks must set it
     */
    readonly network?: VaultNetwork;
}

/** A vault that exists already: only referenced, never created, changed or deleted by this stack. */
export interface AdoptedVault {
    /** Reference the vault only. */
    readonly existing: true;
    /** The vault's name. */
    readonly name: pulumi.Input<string>;
    /**
     * Its ARM resource id, when known (a fleet's vault stack exports it); otherwise built from the subscription,
     * resource group and name.
     */
    readonly id?: pulumi.Input<string>;
}

export interface KeyVaultArgs {
    /** The vault: created, or adopted. */
    readonly vault: CreatedVault | AdoptedVault;
    /** Resource group that holds the vault. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region of a created vault, such as "westeurope". */
    readonly location: pulumi.Input<string>;
    /** Entra ID tenant that authenticates requests to a created vault. */
    readonly tenantId: pulumi.Input<string>;
    /** Subscription of an adopted vault, for its resource id. */
    readonly subscriptionId: pulumi.Input<string>;
}

/** Fails a deployment whose vault would not honour the Azure RBAC roles this program grants. */
export function requireRbac(vaultName: string, properties: { enableRbacAuthorization?: boolean }): void {
    if (properties.enableRbacAuthorization !== true) {
        throw new Error(
            `Key Vault ${vaultName} uses access policies; ESO's access is granted with Azure RBAC roles, so switch the vault to ` +
                `the RBAC permission model (az keyvault update --enable-rbac-authorization true) first`,
        );
    }
}

/** `kv-<stack>-<suffix>`: a valid vault name (letters, digits, single hyphens, at most 24 characters). */
export function defaultVaultName(stack: string, suffix: string): string {
    const slug = stack
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+/, "")
        .slice(0, 24 - "kv-".length - "-".length - suffix.length)
        .replace(/-+$/, "");
    return slug === "" ? `kv-${suffix}` : `kv-${slug}-${suffix}`;
}

/** Thrown when the configuration asks a deployed vault for a change Key Vault cannot make. */
export class VaultSettingError extends pulumi.RunError {
    override readonly name = "VaultSettingError";
}

/**
 * Settings Key Vault fixes at creation, compared with the deployed vault: the soft-delete retention cannot change,
 * and purge protection cannot be turned off. Fails with what to set instead.
 */
export function requireUnchangeable(
    vaultName: string,
    wanted: { readonly softDeleteRetentionDays: number; readonly purgeProtection: boolean },
    deployed: { softDeleteRetentionInDays?: number; enablePurgeProtection?: boolean },
): void {
    const kept = deployed.softDeleteRetentionInDays;
    if (kept !== undefined && kept !== wanted.softDeleteRetentionDays) {
        throw new VaultSettingError(
            `vault.softDeleteRetentionDays is ${wanted.softDeleteRetentionDays}, but Key Vault ${vaultName} keeps the ${kept} days it was ` +
                `created with: the retention cannot change after creation. Set vault.softDeleteRetentionDays back to ${kept}.`,
        );
    }
    if (deployed.enablePurgeProtection === true && !wanted.purgeProtection) {
        throw new VaultSettingError(
            `vault.purgeProtection is false, but Key Vault ${vaultName} has purge protection on, which cannot be turned off. ` +
                "Set vault.purgeProtection back to true.",
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
        const settings = args.vault;
        if (settings.existing) {
            const id =
                settings.id ??
                pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.KeyVault/vaults/${settings.name}`;
            vault = keyvault.Vault.get(`${name}-vault`, id, { parent: this });
        } else {
            const { network } = settings;
            const stack = pulumi.getStack();
            const vaultName =
                settings.name ??
                new RandomString(
                    `${name}-name-suffix`,
                    { length: 6, lower: true, upper: false, numeric: true, special: false },
                    { parent: this },
                ).result.apply((suffix) => defaultVaultName(stack, suffix));
            vault = new keyvault.Vault(
                `${name}-vault`,
                {
                    resourceGroupName: args.resourceGroupName,
                    vaultName,
                    location: args.location,
                    properties: {
                        tenantId: args.tenantId,
                        sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
                        enableRbacAuthorization: true,
                        softDeleteRetentionInDays: settings.softDeleteRetentionDays ?? 90,
                        // ARM rejects `false` here ("does not accept false"): leave it unset to keep it off.
                        enablePurgeProtection: (settings.purgeProtection ?? true) ? true : undefined,
                        createMode: settings.createMode === "recover" ? keyvault.CreateMode.Recover : undefined,
                        // Set explicitly: left unset, the SDK sends "enabled" (its default), whatever the firewall.
                        publicNetworkAccess: network?.publicNetworkAccess ?? "enabled",
                        networkAcls:
                            network === undefined
                                ? undefined
                                : {
                                      defaultAction: keyvault.NetworkRuleAction.Deny,
                                      bypass: network.bypassAzureServices
                                          ? keyvault.NetworkRuleBypassOptions.AzureServices
                                          : keyvault.NetworkRuleBypassOptions.None,
                                      ipRules: [...new Set([...network.allowedIps, ...network.deployerIps])].map(
                                          (value) => ({ value }),
                                      ),
                                      virtualNetworkRules: network.allowedSubnetIds.map((id) => ({ id })),
                                  },
                    },
                },
                // createMode matters only when the vault is created: sent again on an update, "recover" fails. The
                // retention is fixed at creation: never sent again, and a changed value is refused below.
                {
                    parent: this,
                    ignoreChanges: ["properties.createMode", "properties.softDeleteRetentionInDays"],
                },
            );
        }

        const created = settings.existing ? undefined : settings;
        const endpoint = created?.network?.privateEndpoint;
        // Whoever reads the vault (the access check, the stores) reads it through the private endpoint once its
        // DNS record exists, at the vault's usual URL.
        const reachable =
            endpoint === undefined
                ? pulumi.output("public")
                : new PrivateVault(
                      `${name}-private`,
                      {
                          vaultId: vault.id,
                          vaultName: vault.name,
                          resourceGroupName: args.resourceGroupName,
                          location: args.location,
                          endpoint,
                      },
                      { parent: this },
                  ).ready;
        this.vaultId = vault.id;
        this.vaultName = vault.name;
        this.vaultUri = pulumi.all([vault.name, vault.properties, reachable]).apply(([vaultName, p]) => {
            requireRbac(vaultName, p);
            if (created !== undefined) {
                requireUnchangeable(
                    vaultName,
                    {
                        softDeleteRetentionDays: created.softDeleteRetentionDays ?? 90,
                        purgeProtection: created.purgeProtection ?? true,
                    },
                    p,
                );
            }
            if (p.vaultUri === undefined) throw new Error(`Key Vault ${vaultName} reported no vaultUri`);
            return p.vaultUri;
        });
        this.registerOutputs({ vaultId: this.vaultId, vaultName: this.vaultName, vaultUri: this.vaultUri });
    }
}
