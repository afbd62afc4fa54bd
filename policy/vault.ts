// Key Vault policies: how a vault authorizes data-plane access, how long deleted secrets stay recoverable, whether
// production vaults can be purged, and which networks reach the vault.
import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
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
    allowedIps?: string[];
    allowedSubnetIds?: string[];
}

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
