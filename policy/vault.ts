// Key Vault policies: how a vault authorizes data-plane access, how long deleted secrets stay recoverable, whether
// production vaults can be purged, and which networks reach the vault.
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SOFT_DELETE_RETENTION_DAYS } from "../stacks/limits";
import { list, onTypes, isType, type Props, record, RESOURCE_TYPES, show } from "./common";

const vaultProperties = (props: Props): Props => record(props.properties) ?? {};

export const keyVaultRbacAuthorization: ResourceValidationPolicy = {
    name: "keyvault-rbac-authorization",
    description: "Key Vaults authorize data-plane access with Azure RBAC, not access policies.",
    validateResource: onTypes(isType(RESOURCE_TYPES.vault), (props, _args, report) => {
        const value = vaultProperties(props).enableRbacAuthorization;
        if (value !== true) {
            report(
                `enableRbacAuthorization is ${show(value)}: authorize with Azure RBAC (true); access policies grant ` +
                    "vault-wide permissions that cannot be narrowed to one secret",
            );
        }
    }),
};

export const keyVaultSoftDeleteRetention: ResourceValidationPolicy = {
    name: "keyvault-soft-delete-retention",
    description: `Key Vaults set their soft-delete retention explicitly, ${SOFT_DELETE_RETENTION_DAYS.min}-${SOFT_DELETE_RETENTION_DAYS.max} days.`,
    validateResource: onTypes(isType(RESOURCE_TYPES.vault), (props, _args, report) => {
        const days = vaultProperties(props).softDeleteRetentionInDays;
        const { min, max } = SOFT_DELETE_RETENTION_DAYS;
        if (typeof days !== "number" || !Number.isInteger(days) || days < min || days > max) {
            report(
                `softDeleteRetentionInDays is ${show(days)}: set a whole number of days from ${min} to ${max}; ` +
                    "it is fixed when the vault is created",
            );
        }
    }),
};

interface ProductionConfig {
    production?: boolean;
}

export const keyVaultPurgeProtectionInProduction: ResourceValidationPolicy = {
    name: "keyvault-purge-protection-in-production",
    description: "Key Vaults of production stacks have purge protection on.",
    configSchema: {
        properties: {
            production: {
                type: "boolean",
                default: false,
                description: "The stack is a production stack.",
            },
        },
    },
    validateResource: onTypes(isType(RESOURCE_TYPES.vault), (props, args, report) => {
        if (args.getConfig<ProductionConfig>().production !== true) return;
        const value = vaultProperties(props).enablePurgeProtection;
        if (value !== true) {
            report(`enablePurgeProtection is ${show(value)}: production vaults must turn purge protection on`);
        }
    }),
};

interface NetworkConfig {
    restricted?: boolean;
    publicNetworkAccess?: string;
    allowedIps?: string[];
    allowedSubnetIds?: string[];
}

/** The SDK sends "enabled" when the program leaves publicNetworkAccess unset; Azure compares it case-insensitively. */
const publicAccessOf = (properties: Props): string =>
    typeof properties.publicNetworkAccess === "string" ? properties.publicNetworkAccess.toLowerCase() : "enabled";

/**
 * Microsoft's built-in "Azure Key Vault should have firewall enabled or public network access disabled"
 * (55615ac9-af46-4a59-874e-391cc3dfb490, v3.3.0): publicNetworkAccess "Disabled", or networkAcls.defaultAction
 * "Deny". Required of production stacks.
 */
export const keyVaultNetworkClosedInProduction: ResourceValidationPolicy = {
    name: "keyvault-network-closed-in-production",
    description:
        "Key Vaults of production stacks disable public network access or deny it by default (Azure Policy 55615ac9, " +
        '"Azure Key Vault should have firewall enabled or public network access disabled").',
    configSchema: {
        properties: {
            production: { type: "boolean", default: false, description: "The stack is a production stack." },
        },
    },
    validateResource: onTypes(isType(RESOURCE_TYPES.vault), (props, args, report) => {
        if (args.getConfig<ProductionConfig>().production !== true) return;
        const properties = vaultProperties(props);
        const defaultAction = record(properties.networkAcls)?.defaultAction;
        if (publicAccessOf(properties) !== "disabled" && defaultAction !== "Deny") {
            report(
                `publicNetworkAccess is ${show(properties.publicNetworkAccess)} and networkAcls.defaultAction is ` +
                    `${show(defaultAction)}: a production vault disables public network access (vault.network with a ` +
                    "private endpoint) or at least denies it by default (Azure Policy 55615ac9-af46-4a59-874e-391cc3dfb490)",
            );
        }
    }),
};

interface PrivateLinkConfig {
    required?: boolean;
}

/** A private endpoint's automatic connections to a key vault (`vault` group); manual ones wait for approval. */
function vaultConnections(endpoint: Props): Props[] {
    return list(endpoint.privateLinkServiceConnections)
        .map(record)
        .filter((c): c is Props => c !== undefined && list(c.groupIds).includes("vault"));
}

/**
 * Microsoft's built-in "Azure Key Vaults should use private link" (a6abeaec-4d90-4a02-805f-6b26c4d3fbe9, v1.2.1):
 * the vault has an approved private endpoint connection. Decided from the stack: a private endpoint whose automatic
 * connection (approved at creation) targets the vault's `vault` group.
 */
export const keyVaultPrivateLink: StackValidationPolicy = {
    name: "keyvault-private-link",
    description:
        "Key Vaults of production stacks (and of stacks that configure one) have a private endpoint (Azure Policy " +
        'a6abeaec, "Azure Key Vaults should use private link").',
    configSchema: {
        properties: {
            required: {
                type: "boolean",
                default: false,
                description: "The stack is a production stack, or configures a private endpoint.",
            },
        },
    },
    validateStack: (args, report) => {
        if (args.getConfig<PrivateLinkConfig>().required !== true) return;
        const connections = args.resources
            .filter((r) => r.type === RESOURCE_TYPES.privateEndpoint)
            .flatMap((r) => vaultConnections(r.props));
        for (const vault of args.resources.filter((r) => r.type === RESOURCE_TYPES.vault)) {
            const vaultName = vault.props.vaultName;
            // The vault's id is not known before it exists: a connection whose target is not known yet counts.
            const served = connections.some((c) => {
                const target = c.privateLinkServiceId;
                return (
                    typeof target !== "string" ||
                    typeof vaultName !== "string" ||
                    target.toLowerCase().endsWith(`/microsoft.keyvault/vaults/${vaultName.toLowerCase()}`)
                );
            });
            if (!served) {
                report(
                    `Key Vault ${show(vaultName)} has no private endpoint: add one with an automatic connection to ` +
                        'its "vault" group (vault.network.privateEndpoint; Azure Policy a6abeaec-4d90-4a02-805f-6b26c4d3fbe9)',
                    vault.urn,
                );
            }
        }
    },
};

/** "203.0.113.7/32" and "203.0.113.7" name the same address. */
const normalizeIp = (ip: string) => ip.trim().replace(/^(\d+\.\d+\.\d+\.\d+)\/32$/, "$1");
/** ARM resource ids are case-insensitive. */
const normalizeId = (id: string) => id.trim().toLowerCase();

/**
 * Reports unless the `values` found at `path` are exactly `allowed`. Skips when a value is not known yet (see
 * common.ts): the comparison is only meaningful with every value in hand.
 */
function checkExactly(
    report: ReportViolation,
    path: string,
    values: unknown[],
    allowed: readonly string[],
    normalize: (value: string) => string,
    what: string,
): void {
    if (values.some((value) => value === undefined)) return;
    const found = new Set(values.map((value) => (typeof value === "string" ? normalize(value) : show(value))));
    const wanted = new Set(allowed.map(normalize));
    const unexpected = [...found].filter((value) => !wanted.has(value));
    const missing = [...wanted].filter((value) => !found.has(value));
    if (unexpected.length === 0 && missing.length === 0) return;
    const details = [
        unexpected.length > 0 ? `not allowed: ${unexpected.join(", ")}` : "",
        missing.length > 0 ? `missing: ${missing.join(", ")}` : "",
    ].filter((detail) => detail !== "");
    report(`${path} is ${show(values)}: allow exactly the configured ${what} ${show(allowed)} (${details.join("; ")})`);
}

export const keyVaultNetworkRestricted: ResourceValidationPolicy = {
    name: "keyvault-network-restricted",
    description:
        "When the stack asks for a restricted network, Key Vaults deny by default and allow exactly the configured IPs and subnets.",
    configSchema: {
        properties: {
            restricted: {
                type: "boolean",
                default: false,
                description: "The stack asks for a restricted network.",
            },
            publicNetworkAccess: {
                type: "string",
                default: "enabled",
                description: 'Whether the vault accepts public traffic at all: "disabled" or "enabled".',
            },
            allowedIps: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "IPv4 addresses or CIDR ranges allowed to reach the vault.",
            },
            allowedSubnetIds: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Resource ids of the virtual network subnets allowed to reach the vault.",
            },
        },
    },
    validateResource: onTypes(isType(RESOURCE_TYPES.vault), (props, args, report) => {
        const config = args.getConfig<NetworkConfig>();
        if (config.restricted !== true) return;
        const wanted = (config.publicNetworkAccess ?? "enabled").toLowerCase();
        if (publicAccessOf(vaultProperties(props)) !== wanted) {
            report(
                `publicNetworkAccess is ${show(vaultProperties(props).publicNetworkAccess)}: the stack asks for ` +
                    `${show(wanted)} (vault.network.publicNetworkAccess); left unset, the SDK sends "enabled"`,
            );
        }
        const acls = record(vaultProperties(props).networkAcls);
        if (acls === undefined) {
            report(
                'networkAcls is undefined: this stack asks for a restricted network, so deny by default (defaultAction "Deny") and allow only the configured IPs and subnets',
            );
            return;
        }
        if (acls.defaultAction !== "Deny") {
            report(
                `networkAcls.defaultAction is ${show(acls.defaultAction)}: use "Deny" so only the configured IPs and subnets reach the vault`,
            );
        }
        checkExactly(
            report,
            "networkAcls.ipRules[].value",
            list(acls.ipRules).map((rule) => record(rule)?.value),
            config.allowedIps ?? [],
            normalizeIp,
            "IPs",
        );
        checkExactly(
            report,
            "networkAcls.virtualNetworkRules[].id",
            list(acls.virtualNetworkRules).map((rule) => record(rule)?.id),
            config.allowedSubnetIds ?? [],
            normalizeId,
            "subnets",
        );
    }),
};
