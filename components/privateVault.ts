import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import { KEY_VAULT_PRIVATE_LINK_GROUP } from "./wellKnown";

/** Where the zone that resolves the vault's name to its private endpoint comes from. */
export type PrivateDnsZone =
    | {
          /** Create the zone in the vault's resource group. */
          readonly create: true;
          /** The zone's name for the vault's cloud, such as privatelink.vaultcore.azure.net. */
          readonly name: string;
      }
    | {
          /** Use an existing zone, such as a hub's: its records are added, the zone itself is never changed. */
          readonly create: false;
          /** The zone's resource id. */
          readonly id: string;
      };

/** A private endpoint for the vault, in a subnet of the cluster's network. */
export interface PrivateEndpointSettings {
    /** Subnet the endpoint takes its private IP address from. */
    readonly subnetId: string;
    /**
     * Virtual network linked to the zone, so that it resolves the vault to the endpoint: the cluster's.
     * @default no link (an existing zone is usually linked by its owner already)
     */
    readonly vnetId?: string;
    /** The private DNS zone the endpoint registers its A record in. */
    readonly dnsZone: PrivateDnsZone;
}

export interface PrivateVaultArgs {
    /** The vault's ARM resource id. */
    readonly vaultId: pulumi.Input<string>;
    /** The vault's name: the endpoint and its connection are named after it. */
    readonly vaultName: pulumi.Input<string>;
    /** Resource group of the endpoint (and of a created zone). */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Region of the endpoint: the subnet's virtual network's region. */
    readonly location: pulumi.Input<string>;
    readonly endpoint: PrivateEndpointSettings;
}

/** Resource group and name of a resource from its id (`/subscriptions/<s>/resourceGroups/<rg>/providers/<ns>/<type>/<name>`). */
export function resourceGroupAndName(id: string): { resourceGroupName: string; name: string } {
    const parts = id.split("/");
    return { resourceGroupName: parts[4] ?? "", name: parts[parts.length - 1] ?? "" };
}

/**
 * The vault's private endpoint (group `vault`), the private DNS zone that resolves the vault's usual name to it,
 * linked to the cluster's virtual network, and the endpoint's DNS zone group, which keeps the zone's A record in step
 * with the endpoint's address. Clients keep the normal https://<name>.vault.azure.net/ URL: inside the linked
 * network it resolves through the zone to the private address.
 */
export class PrivateVault extends pulumi.ComponentResource {
    /** The private endpoint's resource id. */
    public readonly endpointId: pulumi.Output<string>;
    /** The zone's resource id. */
    public readonly dnsZoneId: pulumi.Output<string>;
    /** Resolves once the endpoint, the zone's link and the A record exist: what reads the vault waits for it. */
    public readonly ready: pulumi.Output<string>;

    constructor(name: string, args: PrivateVaultArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:vault:PrivateVault", name, {}, opts);

        const { endpoint } = args;
        const privateEndpoint = new network.PrivateEndpoint(
            `${name}-endpoint`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                privateEndpointName: pulumi.interpolate`pe-${args.vaultName}`,
                subnet: { id: endpoint.subnetId },
                // An automatic connection: approved at once when the deploying identity may approve connections to
                // the vault (Contributor does); a manual one would wait for someone's approval, unusable until then.
                privateLinkServiceConnections: [
                    {
                        name: pulumi.interpolate`${args.vaultName}-${KEY_VAULT_PRIVATE_LINK_GROUP}`,
                        privateLinkServiceId: args.vaultId,
                        groupIds: [KEY_VAULT_PRIVATE_LINK_GROUP],
                    },
                ],
            },
            { parent: this },
        );

        let zoneId: pulumi.Input<string>;
        let zone: { resourceGroupName: pulumi.Input<string>; name: pulumi.Input<string> };
        const waits: pulumi.Output<string>[] = [];
        if (endpoint.dnsZone.create) {
            const created = new privatedns.PrivateZone(
                `${name}-zone`,
                {
                    resourceGroupName: args.resourceGroupName,
                    privateZoneName: endpoint.dnsZone.name,
                    // Private DNS zones are global resources.
                    location: "global",
                },
                { parent: this },
            );
            zoneId = created.id;
            // Named by the created zone's output, so the link waits for the zone.
            zone = { resourceGroupName: args.resourceGroupName, name: created.name };
        } else {
            zoneId = endpoint.dnsZone.id;
            zone = resourceGroupAndName(endpoint.dnsZone.id);
        }

        if (endpoint.vnetId !== undefined) {
            const vnet = resourceGroupAndName(endpoint.vnetId).name;
            const link = new privatedns.VirtualNetworkLink(
                `${name}-zone-link`,
                {
                    resourceGroupName: zone.resourceGroupName,
                    privateZoneName: zone.name,
                    virtualNetworkLinkName: `${vnet}-link`,
                    location: "global",
                    virtualNetwork: { id: endpoint.vnetId },
                    // The zone holds only private-endpoint records; VMs must not register theirs in it.
                    registrationEnabled: false,
                },
                { parent: this },
            );
            waits.push(link.id);
        }

        const zoneGroup = new network.PrivateDnsZoneGroup(
            `${name}-dns`,
            {
                resourceGroupName: args.resourceGroupName,
                privateEndpointName: privateEndpoint.name,
                privateDnsZoneGroupName: "default",
                privateDnsZoneConfigs: [{ name: "vaultcore", privateDnsZoneId: zoneId }],
            },
            { parent: this },
        );
        waits.push(zoneGroup.id);

        this.endpointId = privateEndpoint.id;
        this.dnsZoneId = pulumi.output(zoneId);
        this.ready = pulumi.all(waits).apply(() => "ready");
        this.registerOutputs({ endpointId: this.endpointId, dnsZoneId: this.dnsZoneId });
    }
}
