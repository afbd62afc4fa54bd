// Which of Microsoft's built-in Azure Policy definitions for Key Vault a stack meets, decided from what it plans to
// create: one table, one row per definition in Azure/azure-policy built-in-policies/policyDefinitions/Key Vault/
// (commit f4a50bac; copies in test/fixtures/azure-policy-keyvault/, each row names its file). The offline plan
// prints it; test/compliance.test.ts checks the table against the copies. Each row reads its definition's
// `policyRule.if`, over ARM aliases, as the request properties the program sends. The definitions exempt a request
// with createMode "recover"; a recovered vault is judged on its properties all the same, since Azure's compliance
// scan reads the vault as it then is.
//
// A row that does not hold fails where the stack must meet it, as the pack enforces it (`policies`), and is skipped,
// saying why, where the stack's configuration knowingly leaves it (a dev stack without a private endpoint).
import { list, type PolicyConfig, type PolicyResource, type Props, record, RESOURCE_TYPES, show } from "./common";
import { keyVaultSecretContentType, keyVaultSecretExpiration, secretProperties } from "./secrets";
import {
    hasPrivateLink,
    keyVaultNetworkClosedInProduction,
    keyVaultNetworkRestricted,
    keyVaultPrivateLink,
    keyVaultPublicNetworkDisabled,
    keyVaultPurgeProtectionInProduction,
    keyVaultRbacAuthorization,
    keyVaultResourceLogs,
    keyVaultSoftDelete,
    networkClosed,
    publicAccessOf,
    resourceLogSettings,
    vaultProperties,
} from "./vault";

/** The Microsoft cloud security benchmark initiative (Security Center/AzureSecurityCenter.json, v57.56.0). */
export const BENCHMARK = "1f3afdf9-d0c9-4c3d-847f-89da613e70a8";

/** What the report says of one built-in. */
export type ComplianceStatus = "holds" | "fails" | "skipped" | "not applicable";

export interface ComplianceResult {
    readonly guid: string;
    readonly displayName: string;
    readonly version: string;
    /** Whether the benchmark initiative assigns it ("v2 preview": only its preview successor, e3ec7e09). */
    readonly benchmark: "yes" | "v2 preview" | "no";
    readonly status: ComplianceStatus;
    readonly why: string;
    /** What to set, for a built-in that fails or is skipped. */
    readonly fix?: string;
    /** The policies of this pack that enforce it where the stack must meet it. */
    readonly policies: readonly string[];
}

/** The planned resources a row reads, by kind. */
interface Planned {
    readonly vaults: readonly PolicyResource[];
    readonly privateEndpoints: readonly Props[];
    readonly diagnosticSettings: readonly Props[];
    readonly secrets: readonly PolicyResource[];
    readonly keys: readonly PolicyResource[];
}

/** A row's verdict before the stack's configuration says whether it must hold. */
type Finding = { readonly applies: false; readonly why: string } | { readonly holds: boolean; readonly why: string };

interface BuiltIn {
    readonly guid: string;
    readonly displayName: string;
    readonly version: string;
    /** The definition's file among the copies in test/fixtures/azure-policy-keyvault/. */
    readonly file: string;
    readonly benchmark: ComplianceResult["benchmark"];
    readonly policies: readonly string[];
    /** Why this stack need not meet it, or undefined when it must. */
    readonly waived: (config: PolicyConfig) => string | undefined;
    readonly evaluate: (planned: Planned) => Finding;
    readonly fix: string;
}

const NOT_PRODUCTION = "not a production stack";
const always = (): undefined => undefined;
const inProduction = (config: PolicyConfig): string | undefined => (config.production ? undefined : NOT_PRODUCTION);

/** 55615ac9 and ac673a9a: vault.network closes the firewall, and production stacks must set it. */
export function firewallWaiver(config: PolicyConfig): string | undefined {
    return config.production || config.restrictedNetwork !== undefined
        ? undefined
        : `${NOT_PRODUCTION}; vault.network not set`;
}

/**
 * 405c5871: production stacks keep public access disabled, unless they open the temporary deployer rule (README,
 * "Private vault"), and so does any stack that asks for it.
 */
export function publicNetworkWaiver(config: PolicyConfig): string | undefined {
    // Within a restricted network, unset means "enabled", as keyvault-network-restricted reads it.
    const network = config.restrictedNetwork;
    const access = network === undefined ? undefined : (network.publicNetworkAccess ?? "enabled");
    if (access === "disabled") return undefined;
    if (config.production) {
        return access === "enabled"
            ? 'vault.network.publicNetworkAccess is "enabled", a temporary deployer rule: remove it and vault.network.deployerIps once this deployment is done'
            : undefined;
    }
    return network === undefined
        ? `${NOT_PRODUCTION}; vault.network.privateEndpoint not set`
        : `${NOT_PRODUCTION}; vault.network.publicNetworkAccess is "enabled"`;
}

/** a6abeaec: production stacks, and stacks that configure a private endpoint. */
export function privateLinkWaiver(config: PolicyConfig): string | undefined {
    return config.production || config.privateEndpoint === true
        ? undefined
        : `${NOT_PRODUCTION}; vault.network.privateEndpoint not set`;
}

/** cf820ca0: production stacks, and stacks that configure logs. */
export function resourceLogsWaiver(config: PolicyConfig): string | undefined {
    return config.production || config.resourceLogs === true ? undefined : `${NOT_PRODUCTION}; monitoring.logs not set`;
}

const nameOf = (resource: PolicyResource, key: string): string => {
    const name = resource.props[key];
    return typeof name === "string" ? name : resource.name;
};

/** A row over every vault the stack creates: holds when each does; says what it read of those that do not. */
function eachVault(planned: Planned, check: (vault: Props) => { ok: boolean; detail: string }): Finding {
    if (planned.vaults.length === 0) {
        return { applies: false, why: "the stack creates no Key Vault (an adopted vault is its owner's to judge)" };
    }
    const checked = planned.vaults.map((vault) => ({
        ...check(vault.props),
        name: nameOf(vault, "vaultName"),
    }));
    const failing = checked.filter((c) => !c.ok);
    return {
        holds: failing.length === 0,
        why: (failing.length === 0 ? checked : failing).map((c) => `vault ${c.name}: ${c.detail}`).join("; "),
    };
}

/** A row over every object of a kind (secrets, keys): not applicable when the stack creates none. */
function eachObject(
    objects: readonly PolicyResource[],
    kind: string,
    nameKey: string,
    none: string,
    check: (props: Props) => { ok: boolean; detail: string },
): Finding {
    if (objects.length === 0) return { applies: false, why: none };
    const checked = objects.map((o) => ({ ...check(o.props), name: nameOf(o, nameKey) }));
    const failing = checked.filter((c) => !c.ok);
    if (failing.length > 0) {
        return { holds: false, why: failing.map((c) => `${kind} ${c.name}: ${c.detail}`).join("; ") };
    }
    const names = checked.map((c) => c.name);
    const shown = names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
    return { holds: true, why: `${kind}s ${shown}: ${checked[0]?.detail}` };
}

const keyProperties = (props: Props): Props => record(props.properties) ?? {};
const NO_KEYS = "the stack creates no Key Vault keys (ESO reads secrets)";
/** Key types and curves the definitions allow by default (their allowedKeyTypes and allowedECNames). */
const ALLOWED_KEY_TYPES: ReadonlySet<unknown> = new Set(["RSA", "RSA-HSM", "EC", "EC-HSM"]);
const ALLOWED_CURVES: ReadonlySet<unknown> = new Set(["P-256", "P-256K", "P-384", "P-521"]);
const EC_TYPES: ReadonlySet<unknown> = new Set(["EC", "EC-HSM"]);

/** Every Key Vault built-in of the reference folder, benchmark members first. */
export const BUILT_INS: readonly BuiltIn[] = [
    {
        // Should_Use_RBAC.json: enableRbacAuthorization false or missing is non-compliant.
        guid: "12d4fa5e-1f9f-4c21-97a9-b99b3c6611b5",
        displayName: "Azure Key Vault should use RBAC permission model",
        version: "1.0.1",
        file: "Should_Use_RBAC.json",
        benchmark: "yes",
        policies: [keyVaultRbacAuthorization.name],
        waived: always,
        evaluate: (planned) =>
            eachVault(planned, (vault) => {
                const value = vaultProperties(vault).enableRbacAuthorization;
                return { ok: value === true, detail: `enableRbacAuthorization ${show(value)}` };
            }),
        fix: "enableRbacAuthorization true (components/keyVault.ts always sets it)",
    },
    {
        // SoftDeleteMustBeEnabled_Audit.json: enableSoftDelete false or missing is non-compliant.
        guid: "1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d",
        displayName: "Key vaults should have soft delete enabled",
        version: "3.1.0",
        file: "SoftDeleteMustBeEnabled_Audit.json",
        benchmark: "yes",
        policies: [keyVaultSoftDelete.name],
        waived: always,
        evaluate: (planned) =>
            eachVault(planned, (vault) => {
                const value = vaultProperties(vault).enableSoftDelete;
                return { ok: value === true, detail: `enableSoftDelete ${show(value)}` };
            }),
        fix: "leave enableSoftDelete to the SDK's default, true",
    },
    {
        // Recoverable_Audit.json: enablePurgeProtection false or missing, or enableSoftDelete false (past API
        // version 2019-09-01), is non-compliant.
        guid: "0b60c0b2-2dc2-4e1c-b5c9-abbed971de53",
        displayName: "Key vaults should have deletion protection enabled",
        version: "2.1.0",
        file: "Recoverable_Audit.json",
        benchmark: "yes",
        policies: [keyVaultPurgeProtectionInProduction.name, keyVaultSoftDelete.name],
        waived: inProduction,
        evaluate: (planned) =>
            eachVault(planned, (vault) => {
                const { enablePurgeProtection: purge, enableSoftDelete: soft } = vaultProperties(vault);
                return {
                    ok: purge === true && soft !== false,
                    detail: `enablePurgeProtection ${show(purge)}, enableSoftDelete ${show(soft)}`,
                };
            }),
        fix: "remove vault.purgeProtection: false (purge protection is on by default, and cannot be turned off again)",
    },
    {
        // FirewallEnabled_Audit.json: with its IP parameters at their defaults ("No"), non-compliant unless
        // networkAcls.defaultAction is Deny or publicNetworkAccess is Disabled.
        guid: "55615ac9-af46-4a59-874e-391cc3dfb490",
        displayName: "Azure Key Vault should have firewall enabled or public network access disabled",
        version: "3.3.0",
        file: "FirewallEnabled_Audit.json",
        benchmark: "yes",
        policies: [keyVaultNetworkClosedInProduction.name, keyVaultNetworkRestricted.name],
        waived: firewallWaiver,
        evaluate: (planned) =>
            eachVault(planned, (vault) => {
                const properties = vaultProperties(vault);
                return {
                    ok: networkClosed(properties),
                    detail:
                        `publicNetworkAccess ${show(properties.publicNetworkAccess)}, ` +
                        `networkAcls.defaultAction ${show(record(properties.networkAcls)?.defaultAction)}`,
                };
            }),
        fix: "set vault.network (with privateEndpoint, public network access is disabled; without, the firewall denies by default)",
    },
    {
        // Should_Use_PrivateEndpoint_Audit.json: fewer than one approved private endpoint connection is
        // non-compliant.
        guid: "a6abeaec-4d90-4a02-805f-6b26c4d3fbe9",
        displayName: "Azure Key Vaults should use private link",
        version: "1.2.1",
        file: "Should_Use_PrivateEndpoint_Audit.json",
        benchmark: "yes",
        policies: [keyVaultPrivateLink.name],
        waived: privateLinkWaiver,
        evaluate: (planned) =>
            eachVault(planned, (vault) => {
                const ok = hasPrivateLink(vault, planned.privateEndpoints);
                return {
                    ok,
                    detail: ok
                        ? 'a private endpoint with an automatic connection to its "vault" group'
                        : "no private endpoint",
                };
            }),
        fix: "set vault.network.privateEndpoint.subnetId and .vnetId",
    },
    {
        // AuditDiagnosticLog_Audit.json: AuditIfNotExists, a diagnostic setting of the vault with an enabled log.
        guid: "cf820ca0-f99e-4f3e-84fb-66e913812d21",
        displayName: "Resource logs in Key Vault should be enabled",
        version: "5.0.0",
        file: "AuditDiagnosticLog_Audit.json",
        benchmark: "yes",
        policies: [keyVaultResourceLogs.name],
        waived: resourceLogsWaiver,
        evaluate: (planned) =>
            eachVault(planned, (vault) => {
                const settings = resourceLogSettings(vault, planned.diagnosticSettings);
                const logs = settings
                    .flatMap((s) => list(s.logs).map(record))
                    .filter((entry) => entry?.enabled === true)
                    .map((entry) => entry?.category ?? entry?.categoryGroup);
                return {
                    ok: settings.length > 0,
                    detail:
                        settings.length > 0
                            ? `a diagnostic setting sends ${logs.map((l) => show(l)).join(", ")}`
                            : "no diagnostic setting sends its logs",
                };
            }),
        fix: "set monitoring.logs ({} creates a Log Analytics workspace; or workspaceId)",
    },
    {
        // Secrets_ExpirationSet.json: a secret without attributes.expiresOn is non-compliant.
        guid: "98728c90-32c7-4049-8429-847dc0f4fe37",
        displayName: "Key Vault secrets should have an expiration date",
        version: "1.0.2",
        file: "Secrets_ExpirationSet.json",
        benchmark: "yes",
        policies: [keyVaultSecretExpiration(() => new Date()).name],
        waived: always,
        evaluate: (planned) =>
            eachObject(planned.secrets, "secret", "secretName", "the stack writes no Key Vault secrets", (props) => {
                const expires = record(secretProperties(props).attributes)?.expires;
                return {
                    ok: expires !== undefined,
                    detail: `attributes.expires ${expires === undefined ? "unset" : "set"}`,
                };
            }),
        fix: "seededSecretDefaults.expiresInDays, or seededSecrets.<name>.expiresOn",
    },
    {
        // Keys_ExpirationSet.json: a key without attributes.expiresOn is non-compliant. No pack policy checks keys,
        // which the program never creates; a key in a production stack's plan is judged here all the same.
        guid: "152b15f7-8e1f-4c1f-ab71-8c010ba5dbc0",
        displayName: "Key Vault keys should have an expiration date",
        version: "1.0.2",
        file: "Keys_ExpirationSet.json",
        benchmark: "yes",
        policies: [],
        waived: inProduction,
        evaluate: (planned) =>
            eachObject(planned.keys, "key", "keyName", NO_KEYS, (props) => {
                const expires = record(keyProperties(props).attributes)?.expires;
                return {
                    ok: expires !== undefined,
                    detail: `attributes.expires ${expires === undefined ? "unset" : "set"}`,
                };
            }),
        fix: "give each key an expiry (properties.attributes.expires)",
    },
    {
        // PublicNetworkAccess_Audit.json: publicNetworkAccess other than Disabled is non-compliant. Only the
        // benchmark's v2 preview (Security Center/MCSBv2.json) assigns it.
        guid: "405c5871-3e91-4644-8a63-58e19d68ff5b",
        displayName: "Azure Key Vault should disable public network access",
        version: "1.1.0",
        file: "PublicNetworkAccess_Audit.json",
        benchmark: "v2 preview",
        policies: [keyVaultPublicNetworkDisabled.name],
        waived: publicNetworkWaiver,
        evaluate: (planned) =>
            eachVault(planned, (vault) => {
                const properties = vaultProperties(vault);
                return {
                    ok: publicAccessOf(properties) === "disabled",
                    detail: `publicNetworkAccess ${show(properties.publicNetworkAccess)}`,
                };
            }),
        fix: "set vault.network.privateEndpoint and leave vault.network.publicNetworkAccess unset (disabled)",
    },
    {
        // FirewallEnabled_Modify.json: Modify, not Audit. Where assigned, a vault whose networkAcls.defaultAction is
        // not Deny is written with Deny instead: the request succeeds, the vault then refuses every client its
        // firewall does not list, and the stack's inputs no longer say what is deployed. So it holds only where
        // there is nothing to modify.
        guid: "ac673a9a-f77d-4846-b2d8-a57f8e1c01dc",
        displayName: "Configure key vaults to enable firewall",
        version: "1.1.1",
        file: "FirewallEnabled_Modify.json",
        benchmark: "no",
        policies: [keyVaultNetworkRestricted.name],
        waived: firewallWaiver,
        evaluate: (planned) =>
            eachVault(planned, (vault) => {
                const action = record(vaultProperties(vault).networkAcls)?.defaultAction;
                return {
                    ok: action === "Deny",
                    detail:
                        action === "Deny"
                            ? 'networkAcls.defaultAction "Deny", nothing to modify'
                            : `networkAcls.defaultAction ${show(action)}; where assigned, this Modify policy writes "Deny", shutting out clients the firewall does not list`,
                };
            }),
        fix: "set vault.network: its firewall denies by default",
    },
    {
        // Secrets_ContentTypeSet.json: a secret without contentType is non-compliant.
        guid: "75262d3e-ba4a-4f43-85f8-9f72c090e5e3",
        displayName: "Secrets should have content type set",
        version: "1.0.1",
        file: "Secrets_ContentTypeSet.json",
        benchmark: "no",
        policies: [keyVaultSecretContentType.name],
        waived: always,
        evaluate: (planned) =>
            eachObject(planned.secrets, "secret", "secretName", "the stack writes no Key Vault secrets", (props) => {
                const contentType = secretProperties(props).contentType;
                return {
                    ok: typeof contentType === "string" && contentType !== "",
                    detail: `contentType ${show(contentType)}`,
                };
            }),
        fix: "seededSecretDefaults.contentType, or seededSecrets.<name>.contentType",
    },
    {
        // Keys_AllowedKeyTypes.json: keyType outside allowedKeyTypes (default RSA, RSA-HSM, EC, EC-HSM).
        guid: "75c4f823-d65c-4f29-a733-01d0077fdbcb",
        displayName: "Keys should be the specified cryptographic type RSA or EC",
        version: "1.0.1",
        file: "Keys_AllowedKeyTypes.json",
        benchmark: "no",
        policies: [],
        waived: inProduction,
        evaluate: (planned) =>
            eachObject(planned.keys, "key", "keyName", NO_KEYS, (props) => {
                const kty = keyProperties(props).kty;
                return { ok: ALLOWED_KEY_TYPES.has(kty), detail: `kty ${show(kty)}` };
            }),
        fix: "use an RSA or EC key type",
    },
    {
        // Keys_EC_AllowedCurveNames.json: an EC or EC-HSM key whose curve is outside allowedECNames.
        guid: "ff25f3c8-b739-4538-9d07-3d6d25cfb255",
        displayName: "Keys using elliptic curve cryptography should have the specified curve names",
        version: "1.0.1",
        file: "Keys_EC_AllowedCurveNames.json",
        benchmark: "no",
        policies: [],
        waived: inProduction,
        evaluate: (planned) =>
            eachObject(planned.keys, "key", "keyName", NO_KEYS, (props) => {
                const { kty, curveName } = keyProperties(props);
                return {
                    ok: !EC_TYPES.has(kty) || ALLOWED_CURVES.has(curveName),
                    detail: EC_TYPES.has(kty) ? `curveName ${show(curveName)}` : `kty ${show(kty)}, no curve`,
                };
            }),
        fix: "use curve P-256, P-256K, P-384 or P-521",
    },
    {
        // Keys_HSMBacked.json: keyType other than RSA-HSM or EC-HSM.
        guid: "587c79fe-dd04-4a5e-9d0b-f89598c7261b",
        displayName: "Keys should be backed by a hardware security module (HSM)",
        version: "1.0.1",
        file: "Keys_HSMBacked.json",
        benchmark: "no",
        policies: [],
        waived: inProduction,
        evaluate: (planned) =>
            eachObject(planned.keys, "key", "keyName", NO_KEYS, (props) => {
                const kty = keyProperties(props).kty;
                return { ok: kty === "RSA-HSM" || kty === "EC-HSM", detail: `kty ${show(kty)}` };
            }),
        fix: "use RSA-HSM or EC-HSM keys (a premium vault)",
    },
];

function plannedOf(resources: readonly PolicyResource[]): Planned {
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    return {
        vaults: ofType(RESOURCE_TYPES.vault),
        privateEndpoints: ofType(RESOURCE_TYPES.privateEndpoint).map((r) => r.props),
        diagnosticSettings: ofType(RESOURCE_TYPES.diagnosticSetting).map((r) => r.props),
        secrets: ofType(RESOURCE_TYPES.keyVaultSecret),
        keys: ofType(RESOURCE_TYPES.keyVaultKey),
    };
}

/**
 * Each Key Vault built-in, decided for the resources a stack plans (those `checkResources` gets) and the stack's
 * policy configuration: holds, fails (the stack must meet it), skipped (the configuration knowingly leaves it, and
 * says so) or not applicable (nothing it judges is created).
 */
export function complianceOf(resources: readonly PolicyResource[], config: PolicyConfig): ComplianceResult[] {
    const planned = plannedOf(resources);
    return BUILT_INS.map((builtIn) => {
        const { guid, displayName, version, benchmark, policies } = builtIn;
        const finding = builtIn.evaluate(planned);
        const base = { guid, displayName, version, benchmark, policies };
        if ("applies" in finding) return { ...base, status: "not applicable", why: finding.why };
        if (finding.holds) return { ...base, status: "holds", why: finding.why };
        const waiver = builtIn.waived(config);
        return waiver === undefined
            ? { ...base, status: "fails", why: finding.why, fix: builtIn.fix }
            : { ...base, status: "skipped", why: `${finding.why} (${waiver})`, fix: builtIn.fix };
    });
}

/** The report as the plan prints it: a line per built-in, then which are not in the benchmark. */
export function describeCompliance(results: readonly ComplianceResult[]): string[] {
    // "not applicable" is printed short, so the GUIDs line up in a narrow column.
    const shown = (status: ComplianceStatus) => (status === "not applicable" ? "n/a" : status);
    const width = Math.max(...results.map((r) => shown(r.status).length));
    const lines = results.map(
        (r) =>
            `    ${shown(r.status).padEnd(width)}  ${r.guid.slice(0, 8)}  ${r.displayName}: ${r.why}` +
            (r.status === "fails" ? `; fix: ${r.fix}` : ""),
    );
    const outside = results.filter((r) => r.benchmark !== "yes");
    const named = outside.map((r) =>
        r.benchmark === "v2 preview" ? `${r.guid.slice(0, 8)} (in its v2 preview)` : r.guid.slice(0, 8),
    );
    return [
        "Key Vault compliance (Microsoft cloud security benchmark built-ins):",
        ...lines,
        ...(outside.length === 0
            ? []
            : [`    Not in the benchmark (${BENCHMARK.slice(0, 8)}), checked as well: ${named.join(", ")}.`]),
    ];
}
