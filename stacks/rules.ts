// Validators for single configuration values. Each carries the rule a user reads when a value breaks it, phrased
// as advice ("use ..."), so an error names the key, the value received and what to do instead.
import * as v from "valibot";

/** Turns "true"/"false" and digit strings into booleans and numbers: `pulumi config set --path` stores strings. */
const scalarFromString = (value: unknown): unknown => {
    if (value === "true") return true;
    if (value === "false") return false;
    if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
    return value;
};

/** A string matching `re` (and at most `max` long), else `rule`. */
export const pattern = (re: RegExp, rule: string, max = Number.MAX_SAFE_INTEGER) =>
    v.pipe(v.string(rule), v.regex(re, rule), v.maxLength(max, rule));

export const bool = () => v.pipe(v.unknown(), v.transform(scalarFromString), v.boolean("use true or false"));

export const integer = (min: number, max: number, what: string) => {
    const rule = `use a whole number from ${min} to ${max} (${what})`;
    return v.pipe(
        v.unknown(),
        v.transform(scalarFromString),
        v.number(rule),
        v.integer(rule),
        v.minValue(min, rule),
        v.maxValue(max, rule),
    );
};

export const text = (rule: string) => v.pipe(v.string(rule), v.minLength(1, rule));

/** Azure Key Vault names are global DNS labels: https://<name>.vault.azure.net. */
export const vaultName = () =>
    pattern(
        /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/,
        "use 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without consecutive hyphens (Azure Key Vault naming)",
    );

export const keyVaultSecretName = () =>
    pattern(
        /^[a-zA-Z0-9-]{1,127}$/,
        "use 1-127 letters, digits and hyphens (Azure Key Vault secret naming; no underscores or dots)",
    );

/** A Key Vault object reference as ESO reads it: a secret name, or `secret/`, `cert/` or `key/` and a name. */
export const keyVaultObject = () =>
    pattern(
        /^((secret|cert|key)\/)?[a-zA-Z0-9-]{1,127}$/,
        "use a Key Vault object name of 1-127 letters, digits and hyphens, optionally prefixed with secret/, cert/ or key/",
    );

/** Key Vault object versions are 32 hexadecimal characters. */
export const keyVaultVersion = () =>
    pattern(/^[0-9a-f]{32}$/, "use a Key Vault version id: 32 lower-case hexadecimal characters");

/** A regular expression (ESO evaluates it with Go's RE2; the common syntax is shared). */
export const regularExpression = () => {
    const rule = "use a valid regular expression, such as ^team-a-";
    return v.pipe(
        v.string(rule),
        v.minLength(1, rule),
        v.check((re) => {
            try {
                new RegExp(re);
                return true;
            } catch {
                return false;
            }
        }, rule),
    );
};

export const guid = (what: string) =>
    pattern(
        /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
        `use a GUID such as 00000000-0000-0000-0000-000000000000 (${what})`,
    );

export const resourceGroupName = () =>
    pattern(
        /^[-\w.()]{0,89}[-\w()]$/,
        "use 1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending with a period (Azure resource group naming)",
    );

export const azureLocation = () =>
    pattern(
        /^[a-z][a-z0-9]*$/,
        'use an Azure region name in lower case without spaces, such as "westeurope" or "eastus2"',
    );

/** Namespaces are DNS-1123 labels. */
export const k8sNamespace = () =>
    pattern(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
        "use at most 63 lower-case letters, digits and hyphens, starting and ending with a letter or digit (Kubernetes namespace, DNS-1123 label)",
        63,
    );

/** Object names (Secret, Pod, ExternalSecret, store) are DNS-1123 subdomains. */
export const k8sName = () =>
    pattern(
        /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
        "use at most 253 lower-case letters, digits, hyphens and dots, starting and ending with a letter or digit (Kubernetes name, DNS-1123 subdomain)",
        253,
    );

/** Keys of a Kubernetes Secret's data map. */
export const k8sSecretKey = () =>
    pattern(
        /^[-._a-zA-Z0-9]+$/,
        "use at most 253 letters, digits, hyphens, underscores and dots (Kubernetes Secret key)",
        253,
    );

/** Exact chart versions only: a range would let a `pulumi up` pick up a release nobody reviewed. */
export const chartVersion = () =>
    pattern(
        /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/,
        'use an exact semantic version such as "2.9.0" (ranges and "latest" are not allowed: pin what you deploy)',
    );

const DURATION_UNITS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };

/** Parses a Go duration restricted to h, m, s and ms ("1h30m", "90s"); returns seconds, or undefined. */
export function durationSeconds(duration: string): number | undefined {
    if (!/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(duration)) return undefined;
    let seconds = 0;
    for (const [, amount, , unit] of duration.matchAll(/(\d+(\.\d+)?)(h|ms|m|s)/g)) {
        seconds += Number(amount) * (DURATION_UNITS[unit as string] as number);
    }
    return seconds;
}

/**
 * How often ESO re-reads Key Vault. "0" means once. Anything under a minute multiplies Key Vault reads for no gain
 * and runs into the vault's throttling limits.
 */
export const refreshInterval = () => {
    const rule = 'use a duration of at least 1m such as "15m" or "1h", or "0" to sync once';
    return v.pipe(
        v.string(rule),
        v.check((d) => d === "0" || (durationSeconds(d) ?? 0) >= 60, rule),
    );
};

/** Container images must be pinned by tag or digest; ":latest" and untagged images change under you. */
export const containerImage = () => {
    const rule = 'use an image reference pinned by tag or digest, such as "registry.k8s.io/pause:3.10"';
    return v.pipe(
        v.string(rule),
        v.regex(/^[a-z0-9]([a-z0-9._\-/:]*[a-z0-9])?(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, rule),
        v.check((image) => !/:latest$/.test(image), 'pin the image to a version: ":latest" changes under you'),
    );
};

/** The cluster's OIDC issuer: an https URL without query or fragment (`az aks show --query oidcIssuerProfile.issuerUrl`). */
export const issuerUrl = () => {
    const rule =
        "use the cluster's OIDC issuer, an https URL such as https://westeurope.oic.prod-aks.azure.com/<tenant>/<id>/ (az aks show --query oidcIssuerProfile.issuerUrl)";
    return v.pipe(
        v.string(rule),
        v.check((text) => {
            try {
                const url = new URL(text);
                return url.protocol === "https:" && url.search === "" && url.hash === "" && url.username === "";
            } catch {
                return false;
            }
        }, rule),
    );
};

/** An IPv4 address or CIDR range, as Key Vault firewall rules take them. */
export const ipRange = () =>
    pattern(
        /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\/([0-9]|[12]\d|3[0-2]))?$/,
        "use an IPv4 address or CIDR range such as 203.0.113.0/24 (Key Vault firewall rules take no IPv6)",
    );

/** A subnet's ARM resource id. */
export const subnetId = () =>
    pattern(
        /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/,
        "use a subnet resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Network/virtualNetworks/<vnet>/subnets/<subnet>",
    );

/** An ARM resource id of the given provider type, such as "Microsoft.Insights/actionGroups". */
export const armResourceId = (type: string, example: string) =>
    pattern(
        new RegExp(
            `^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/${type.replace(".", "\\.")}/[^/]+$`,
            "i",
        ),
        `use a resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/${type}/<${example}>`,
    );

/** Binary and decimal suffixes of Kubernetes quantities (apimachinery pkg/api/resource/quantity.go). */
const QUANTITY_SUFFIX: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
};

/** The value of a Kubernetes quantity such as "250m" or "64Mi", or undefined when it is not one this project takes. */
export function quantityValue(quantity: string): number | undefined {
    const match = /^(\d+(\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(quantity);
    return match === null ? undefined : Number(match[1]) * (QUANTITY_SUFFIX[match[3] ?? ""] as number);
}

/** A CPU or memory amount, as a Pod's resources take it. */
export const quantity = (example: string) => {
    const rule = `use a Kubernetes quantity such as "${example}" (a number with an optional m, k, M, G, Ki, Mi or Gi suffix)`;
    return v.pipe(
        v.string(rule),
        v.check((q) => (quantityValue(q) ?? 0) > 0, rule),
    );
};

/** A calendar date, read as midnight UTC: when a Key Vault secret expires. */
export const date = (what: string) => {
    const rule = `use a date as YYYY-MM-DD, such as "2027-06-30" (${what})`;
    return v.pipe(
        v.string(rule),
        v.regex(/^\d{4}-\d\d-\d\d$/, rule),
        // Rejects days a month does not have ("2027-02-30"), which Date would roll over into the next month.
        v.check((d) => {
            const time = Date.parse(`${d}T00:00:00Z`);
            return !Number.isNaN(time) && new Date(time).toISOString().startsWith(d);
        }, rule),
    );
};

export const absolutePath = () =>
    pattern(/^\/[^\0]*[^/\0]$/, 'use an absolute directory path such as "/credentials" (not "/" itself)');

export const displayName = () =>
    v.pipe(
        v.string("use 1-120 characters (Entra ID display name)"),
        v.minLength(1, "use 1-120 characters (Entra ID display name)"),
        v.maxLength(120, "use 1-120 characters (Entra ID display name)"),
    );

/** A map (never a list: valibot's record would read a list as a map of indexes). */
export const map = <TKey extends v.GenericSchema<string, string>, TValue extends v.GenericSchema>(
    key: TKey,
    value: TValue,
    rule: string,
) =>
    v.pipe(
        v.custom<Record<string, unknown>>((x) => x !== null && typeof x === "object" && !Array.isArray(x), rule),
        v.record(key, value, rule),
    );

/** One of the given values, else `rule`. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, rule: string) =>
    v.picklist(values, rule);
