// Key Vault policies: how a vault authorizes data-plane access, how long deleted secrets stay recoverable, whether
// production vaults can be purged, which networks reach the vault, and where its resource logs go. A policy that
// cites a Microsoft built-in by GUID decides it as the definition's `policyRule.if` does (Azure/azure-policy,
// built-in-policies/policyDefinitions/Key Vault/, file named in each comment); policy/compliance.ts reports every
// Key Vault built-in per stack.
import type { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SOFT_DELETE_RETENTION_DAYS } from "../stacks/limits";
import { list, onTypes, isType, type Props, record, RESOURCE_TYPES, show } from "./common";

export const vaultProperties = (props: Props): Props => record(props.properties) ?? {};

/**
 * Microsoft's built-in "Azure Key Vault should use RBAC permission model" (12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5,
 * v1.0.1, Should_Use_RBAC.json): enableRbacAuthorization neither false nor missing.
 */
export const keyVaultRbacAuthorization: ResourceValidationPolicy = {
    name: "keyvault-rbac-authorization",
    description:
        "Key Vaults authorize data-plane access with Azure RBAC, not access policies (Azure Policy 12d4fa5e, " +
        '"Azure Key Vault should use RBAC permission model").',
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

/**
 * Microsoft's built-in "Key vaults should have soft delete enabled" (1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d, v3.1.0,
 * SoftDeleteMustBeEnabled_Audit.json): enableSoftDelete neither false nor missing. The SDK sends true when the
 * program leaves it out.
 */
export const keyVaultSoftDelete: ResourceValidationPolicy = {
    name: "keyvault-soft-delete",
    description:
        'Key Vaults have soft delete on (Azure Policy 1e66c121, "Key vaults should have soft delete enabled").',
    validateResource: onTypes(isType(RESOURCE_TYPES.vault), (props, _args, report) => {
        const value = vaultProperties(props).enableSoftDelete;
        if (value !== true) {
            report(
                `enableSoftDelete is ${show(value)}: leave soft delete on (true, the SDK's default) so that deleted ` +
                    "vaults and secrets stay recoverable (Azure Policy 1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d)",
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

/**
 * The purge-protection half of Microsoft's built-in "Key vaults should have deletion protection enabled"
 * (0b60c0b2-2dc2-4e1c-b5c9-abbed971de53, v2.1.0, Recoverable_Audit.json: enablePurgeProtection neither false nor
 * missing, enableSoftDelete not false); keyvault-soft-delete checks the other half.
 */
export const keyVaultPurgeProtectionInProduction: ResourceValidationPolicy = {
    name: "keyvault-purge-protection-in-production",
    description:
        "Key Vaults of production stacks have purge protection on (Azure Policy 0b60c0b2, " +
        '"Key vaults should have deletion protection enabled").',
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
export const publicAccessOf = (properties: Props): string =>
    typeof properties.publicNetworkAccess === "string" ? properties.publicNetworkAccess.toLowerCase() : "enabled";

/** 55615ac9's condition, as the SDK's API version (past 2021-06-01-preview) meets it: disabled, or denied by default. */
export function networkClosed(properties: Props): boolean {
    return publicAccessOf(properties) === "disabled" || record(properties.networkAcls)?.defaultAction === "Deny";
}

/**
 * Microsoft's built-in "Azure Key Vault should have firewall enabled or public network access disabled"
 * (55615ac9-af46-4a59-874e-391cc3dfb490, v3.3.0, FirewallEnabled_Audit.json): publicNetworkAccess "Disabled", or
 * networkAcls.defaultAction "Deny" (the IP parameters are off by default). Required of production stacks.
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
        if (!networkClosed(properties)) {
            report(
                `publicNetworkAccess is ${show(properties.publicNetworkAccess)} and networkAcls.defaultAction is ` +
                    `${show(record(properties.networkAcls)?.defaultAction)}: a production vault disables public network access (vault.network with a ` +
                    "private endpoint) or at least denies it by default (Azure Policy 55615ac9-af46-4a59-874e-391cc3dfb490)",
            );
        }
    }),
};

interface RequiredConfig {
    required?: boolean;
}

/** The configuration schema of a policy that the stack's configuration turns on. */
const requiredSchema = (description: string) => ({
    properties: { required: { type: "boolean" as const, default: false, description } },
});

/**
 * Microsoft's built-in "Azure Key Vault should disable public network access" (405c5871-3e91-4644-8a63-58e19d68ff5b,
 * v1.1.0, PublicNetworkAccess_Audit.json): publicNetworkAccess "Disabled" (past API version 2021-06-01-preview, which
 * the SDK is, the rule reads that property alone). Required of production stacks unless they open the documented
 * temporary deployer rule (vault.network.publicNetworkAccess "enabled"), and of stacks that disable it.
 */
export const keyVaultPublicNetworkDisabled: ResourceValidationPolicy = {
    name: "keyvault-public-network-disabled",
    description:
        "Key Vaults of production stacks (unless they open a temporary deployer rule) and of stacks that ask for it " +
        'disable public network access (Azure Policy 405c5871, "Azure Key Vault should disable public network access").',
    configSchema: requiredSchema(
        "The stack is a production stack that keeps public network access disabled, or disables it.",
    ),
    validateResource: onTypes(isType(RESOURCE_TYPES.vault), (props, args, report) => {
        if (args.getConfig<RequiredConfig>().required !== true) return;
        const properties = vaultProperties(props);
        if (publicAccessOf(properties) !== "disabled") {
            report(
                `publicNetworkAccess is ${show(properties.publicNetworkAccess)}: use "disabled" (the default with ` +
                    "vault.network.privateEndpoint) and reach the vault through its private endpoint (Azure Policy " +
                    "405c5871-3e91-4644-8a63-58e19d68ff5b)",
            );
        }
    }),
};

/** A private endpoint's automatic connections to a key vault (`vault` group); manual ones wait for approval. */
function vaultConnections(endpoint: Props): Props[] {
    return list(endpoint.privateLinkServiceConnections)
        .map(record)
        .filter((c): c is Props => c !== undefined && list(c.groupIds).includes("vault"));
}

/**
 * Whether an ARM id names the vault `vaultName`. The vault's id is not known before it exists: an id not known yet,
 * or a vault whose name is not, counts (see common.ts).
 */
function namesVault(id: unknown, vaultName: unknown): boolean {
    return (
        typeof id !== "string" ||
        typeof vaultName !== "string" ||
        id.toLowerCase().endsWith(`/microsoft.keyvault/vaults/${vaultName.toLowerCase()}`)
    );
}

/** Whether one of the private endpoints has an automatic connection to the vault's `vault` group. */
export function hasPrivateLink(vault: Props, endpoints: readonly Props[]): boolean {
    return endpoints.flatMap(vaultConnections).some((c) => namesVault(c.privateLinkServiceId, vault.vaultName));
}

/**
 * Microsoft's built-in "Azure Key Vaults should use private link" (a6abeaec-4d90-4a02-805f-6b26c4d3fbe9, v1.2.1,
 * Should_Use_PrivateEndpoint_Audit.json): the vault has an approved private endpoint connection. Decided from the
 * stack: a private endpoint whose automatic connection (approved at creation) targets the vault's `vault` group.
 */
export const keyVaultPrivateLink: StackValidationPolicy = {
    name: "keyvault-private-link",
    description:
        "Key Vaults of production stacks (and of stacks that configure one) have a private endpoint (Azure Policy " +
        'a6abeaec, "Azure Key Vaults should use private link").',
    configSchema: requiredSchema("The stack is a production stack, or configures a private endpoint."),
    validateStack: (args, report) => {
        if (args.getConfig<RequiredConfig>().required !== true) return;
        const endpoints = args.resources.filter((r) => r.type === RESOURCE_TYPES.privateEndpoint).map((r) => r.props);
        for (const vault of args.resources.filter((r) => r.type === RESOURCE_TYPES.vault)) {
            if (!hasPrivateLink(vault.props, endpoints)) {
                report(
                    `Key Vault ${show(vault.props.vaultName)} has no private endpoint: add one with an automatic connection to ` +
                        'its "vault" group (vault.network.privateEndpoint; Azure Policy a6abeaec-4d90-4a02-805f-6b26c4d3fbe9)',
                    vault.urn,
                );
            }
        }
    },
};

/**
 * The retention cf820ca0 asks of logs a diagnostic setting keeps in a storage account: its `requiredRetentionDays`
 * default. The benchmark initiative assigns 1; a setting that meets 365 meets both.
 */
export const REQUIRED_LOG_RETENTION_DAYS = 365;

/**
 * A log entry of a diagnostic setting that cf820ca0 counts (AuditDiagnosticLog_Audit.json, its existenceCondition):
 * enabled, and, when kept in a storage account under a retention policy, kept forever (0) or long enough. The rule
 * names no category: AuditEvent, a category group such as allLogs, any enabled entry counts.
 */
function countsAsResourceLog(entry: Props, setting: Props): boolean {
    if (entry.enabled !== true) return false;
    const retention = record(entry.retentionPolicy);
    if (retention?.enabled !== true || setting.storageAccountId === undefined) return true;
    return (
        retention.days === 0 || (typeof retention.days === "number" && retention.days >= REQUIRED_LOG_RETENTION_DAYS)
    );
}

/** The diagnostic settings that send the vault's resource logs (cf820ca0); a resourceUri not known yet counts. */
export function resourceLogSettings(vault: Props, settings: readonly Props[]): Props[] {
    return settings.filter(
        (setting) =>
            namesVault(setting.resourceUri, vault.vaultName) &&
            list(setting.logs).some((entry) => countsAsResourceLog(record(entry) ?? {}, setting)),
    );
}

/**
 * Microsoft's built-in "Resource logs in Key Vault should be enabled" (cf820ca0-f99e-4f3e-84fb-66e913812d21, v5.0.0,
 * AuditDiagnosticLog_Audit.json, AuditIfNotExists over Microsoft.Insights/diagnosticSettings): the vault has a
 * diagnostic setting with an enabled log. Decided from the stack: the DiagnosticSetting monitoring.logs creates.
 */
export const keyVaultResourceLogs: StackValidationPolicy = {
    name: "keyvault-resource-logs",
    description:
        "Key Vaults of production stacks (and of stacks that configure logs) send resource logs through a diagnostic " +
        'setting (Azure Policy cf820ca0, "Resource logs in Key Vault should be enabled").',
    configSchema: requiredSchema("The stack is a production stack, or configures monitoring.logs."),
    validateStack: (args, report) => {
        if (args.getConfig<RequiredConfig>().required !== true) return;
        const settings = args.resources.filter((r) => r.type === RESOURCE_TYPES.diagnosticSetting).map((r) => r.props);
        for (const vault of args.resources.filter((r) => r.type === RESOURCE_TYPES.vault)) {
            if (resourceLogSettings(vault.props, settings).length === 0) {
                report(
                    `Key Vault ${show(vault.props.vaultName)} sends no resource logs: add a diagnostic setting with an ` +
                        "enabled log such as AuditEvent (monitoring.logs; Azure Policy cf820ca0-f99e-4f3e-84fb-66e913812d21)",
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
        "When the stack asks for a restricted network, Key Vaults deny by default and allow exactly the configured IPs and " +
        'subnets (so Azure Policy ac673a9a, "Configure key vaults to enable firewall", has nothing to modify).',
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
