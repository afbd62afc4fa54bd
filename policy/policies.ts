// Pulumi CrossGuard policies for what this program deploys: the vault, ESO's role assignment and client secret, the
// operator's Helm release, ESO's objects and the workloads that mount synced Secrets.
//
// The pack (index.ts) is built elsewhere: constructing a PolicyPack reads package.json and starts a gRPC server, so
// tests and the offline plan import this module alone and run the policies through `checkResources`.
//
// Values not known yet. During `pulumi preview` an input computed by another resource has no value. The engine
// hands it to the pack as a placeholder that throws when read (Pulumi then reports the policy as "can't run during
// preview", advisory), and the offline plan hands it over as undefined. Neither may count as a violation. Here the
// inputs that come from other resources are a role assignment's principalId (the service principal's object id),
// scope (the vault's id) and roleDefinitionId (built from the subscription id an invoke reads), a vault's tenantId and
// subnet ids, and the names and namespaces in Kubernetes objects. The policies never read principalId, tenantId, names
// or namespaces, and skip an undefined scope, roleDefinitionId or subnet id: the SDK rejects a missing required input,
// and `pulumi up` analyzes each resource again, with every input known, before it creates it. Every other property
// read below is a plain value the program writes, so undefined there means unset, and that is reported.
import type {
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
} from "@pulumi/policy";
import * as v from "valibot";
import {
    ESO_API_VERSION,
    ESO_GRANTED_ROLES,
    KEY_VAULT_READER_ROLE_ID,
    KEY_VAULT_SECRETS_OFFICER_ROLE_ID,
    KEY_VAULT_SECRETS_USER_ROLE_ID,
} from "../components/wellKnown";
import { chartVersion, refreshInterval } from "../stacks/rules";

/** What the policies need to know about a stack, derived from its configuration by the caller. */
export interface PolicyConfig {
    /** The stack is marked production: its vault must have purge protection on. */
    production: boolean;
    /** The network the vault must be limited to; undefined when the stack asks for no restriction. */
    restrictedNetwork?: { allowedIps: string[]; allowedSubnetIds: string[] };
    /** Tenants are configured: a ClusterSecretStore must say which namespaces may use it. */
    tenantsConfigured: boolean;
}

/** A resource as the engine registers it: its type token, name and inputs. */
export interface PolicyResource {
    type: string;
    name: string;
    urn?: string;
    props: Record<string, unknown>;
}

export interface PolicyViolation {
    policy: string;
    /** "<type> <name>" */
    resource: string;
    message: string;
}

/** Type tokens of the resources the policies check. */
const RESOURCE_TYPES = {
    vault: "azure-native:keyvault:Vault",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    applicationPassword: "azuread:index/applicationPassword:ApplicationPassword",
    helmRelease: "kubernetes:helm.sh/v3:Release",
} as const;

/** Where each workload type keeps its pod spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** ESO custom resources: `kubernetes:external-secrets.io/<version>:<Kind>` (`apiextensions.CustomResource` tokens). */
const ESO_TYPE = /^kubernetes:external-secrets\.io\/([^:]+):([A-Za-z]+)$/;

/** The ESO kinds served as `external-secrets.io/v1`. PushSecret and ClusterPushSecret exist only as v1alpha1. */
const ESO_V1_KINDS: ReadonlySet<string> = new Set([
    "ExternalSecret",
    "ClusterExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
]);
const CLUSTER_SECRET_STORE: ReadonlySet<string> = new Set(["ClusterSecretStore"]);
const EXTERNAL_SECRET: ReadonlySet<string> = new Set(["ExternalSecret"]);

/** Role names for messages, so a reader sees which role was granted instead of a GUID. */
const ROLE_NAMES: Readonly<Record<string, string>> = {
    ...Object.fromEntries(ESO_GRANTED_ROLES.map((role) => [role.id, role.name])),
    [KEY_VAULT_SECRETS_OFFICER_ROLE_ID]: "Key Vault Secrets Officer",
};

const ROLE_DEFINITION_ID =
    /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/i;
const VAULT_OR_SECRET_SCOPE =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+(\/secrets\/[^/]+)?$/i;
/** Where "Key Vault Reader" may be granted: a vault, or one of its certificates or keys (public parts only). */
const VAULT_CERTIFICATE_OR_KEY_SCOPE =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+(\/(certificates|keys)\/[^/]+)?$/i;

/** Key Vault soft-delete retention bounds, in days (ARM rejects anything else). */
const SOFT_DELETE_RETENTION_DAYS = { min: 7, max: 90 } as const;

/** Longest a client secret may live. Entra ID allows 24 months; Microsoft recommends under 12. */
const MAX_PASSWORD_LIFETIME_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/** RFC 3339 date-time: full date, "T", time, and "Z" or a numeric offset. */
const RFC3339 =
    /^(\d{4})-(\d{2})-(\d{2})[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** The only permission bits a mounted secret file may have: owner and group read. */
const SECRET_MODE_BITS = 0o440;
/** The mode Kubernetes gives secret files when a volume sets no defaultMode. */
const KUBERNETES_DEFAULT_SECRET_MODE = 0o644;

type Props = Record<string, unknown>;

function record(value: unknown): Props | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Props) : undefined;
}

function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** A value as a message shows it: strings quoted, everything else as JSON would write it. */
function show(value: unknown): string {
    return value === undefined ? "undefined" : JSON.stringify(value);
}

function octal(mode: number): string {
    return `0${mode.toString(8)}`;
}

/** A validation that runs `check` on resources whose type `applies` accepts, and passes every other resource. */
function onTypes(
    applies: (type: string) => boolean,
    check: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
    return (args, report) => {
        if (applies(args.type)) check(args.props, args, report);
    };
}

const isType = (token: string) => (type: string) => type === token;

/** The kind of an ESO object whose type token names one of `kinds`, else undefined. */
function esoKind(type: string, kinds: ReadonlySet<string>): string | undefined {
    const kind = ESO_TYPE.exec(type)?.[2];
    return kind !== undefined && kinds.has(kind) ? kind : undefined;
}

const vaultProperties = (props: Props): Props => record(props.properties) ?? {};

// ---- Key Vault ----

const keyVaultRbacAuthorization: ResourceValidationPolicy = {
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

const keyVaultSoftDeleteRetention: ResourceValidationPolicy = {
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

const keyVaultPurgeProtectionInProduction: ResourceValidationPolicy = {
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
 * Reports unless the `values` found at `path` are exactly `allowed`. Skips when a value is not known yet (see the
 * top of this file): the comparison is only meaningful with every value in hand.
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

const keyVaultNetworkRestricted: ResourceValidationPolicy = {
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

// ---- Identity ----

const roleAssignmentLeastPrivilege: ResourceValidationPolicy = {
    name: "role-assignment-least-privilege",
    description:
        'Role assignments grant only "Key Vault Secrets User" (on a vault or one of its secrets) or the narrower "Key Vault Reader" (on a vault, certificate or key), with principalType set.',
    validateResource: onTypes(isType(RESOURCE_TYPES.roleAssignment), (props, _args, report) => {
        // Plain values first: during a real preview, reading an unknown value stops this validation.
        const principalType = props.principalType;
        if (typeof principalType !== "string" || principalType === "") {
            report(
                `principalType is ${show(principalType)}: set it (ServicePrincipal for an app or managed identity); ` +
                    "the API otherwise assumes User, and a service principal created moments earlier fails with PrincipalNotFound",
            );
        }

        // "Key Vault Secrets User" reads secret values; "Key Vault Reader" is narrower (metadata and the public parts
        // of certificates and keys, which ESO's cert/ and key/ references read), never secret values.
        const role = props.roleDefinitionId;
        const roleId = typeof role === "string" ? ROLE_DEFINITION_ID.exec(role)?.[1]?.toLowerCase() : undefined;
        if (role !== undefined) {
            const wanted =
                `grant only "${ROLE_NAMES[KEY_VAULT_SECRETS_USER_ROLE_ID]}" (${KEY_VAULT_SECRETS_USER_ROLE_ID}), which reads secret values and nothing else, ` +
                `or the narrower "${ROLE_NAMES[KEY_VAULT_READER_ROLE_ID]}" (${KEY_VAULT_READER_ROLE_ID})`;
            if (roleId === undefined) {
                report(
                    `roleDefinitionId is ${show(role)}: use /subscriptions/<subscription>/providers/Microsoft.Authorization/roleDefinitions/<role id> and ${wanted}`,
                );
            } else if (!ESO_GRANTED_ROLES.some((granted) => granted.id === roleId)) {
                const name = ROLE_NAMES[roleId];
                report(`roleDefinitionId is ${show(role)}${name === undefined ? "" : ` (${name})`}: ${wanted}`);
            }
        }

        const scope = props.scope;
        if (scope === undefined) return;
        if (roleId === KEY_VAULT_READER_ROLE_ID) {
            if (typeof scope !== "string" || !VAULT_CERTIFICATE_OR_KEY_SCOPE.test(scope)) {
                report(
                    `scope is ${show(scope)}: scope "Key Vault Reader" to one vault (.../providers/Microsoft.KeyVault/vaults/<name>) ` +
                        "or one of its certificates or keys (.../vaults/<name>/certificates/<name>, .../vaults/<name>/keys/<name>)",
                );
            }
        } else if (typeof scope !== "string" || !VAULT_OR_SECRET_SCOPE.test(scope)) {
            report(
                `scope is ${show(scope)}: scope the grant to one vault (.../providers/Microsoft.KeyVault/vaults/<name>) ` +
                    "or one of its secrets (.../vaults/<name>/secrets/<secret>), not a resource group or subscription",
            );
        }
    }),
};

/** The time an RFC 3339 date-time stands for, or undefined if `text` is not one (or names no real date). */
function parseRfc3339(text: string): number | undefined {
    const match = RFC3339.exec(text);
    if (match === null) return undefined;
    const [, year, month, day] = match.map(Number) as [number, number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
    const time = Date.parse(text.toUpperCase());
    return Number.isNaN(time) ? undefined : time;
}

function applicationPasswordLifetime(clock: () => Date): ResourceValidationPolicy {
    return {
        name: "application-password-lifetime",
        description: `Client secrets have an end date (RFC 3339) at most ${MAX_PASSWORD_LIFETIME_DAYS} days away.`,
        validateResource: onTypes(isType(RESOURCE_TYPES.applicationPassword), (props, _args, report) => {
            const endDate = props.endDate;
            const rule = `set endDate to an RFC 3339 date-time at most ${MAX_PASSWORD_LIFETIME_DAYS} days from now, such as "2026-06-30T00:00:00Z"`;
            if (typeof endDate !== "string") {
                report(`endDate is ${show(endDate)}: ${rule}; without one Entra ID makes the secret valid for 2 years`);
                return;
            }
            const end = parseRfc3339(endDate);
            if (end === undefined) {
                report(`endDate is ${show(endDate)}: ${rule}`);
                return;
            }
            const days = (end - clock().getTime()) / DAY_MS;
            if (days > MAX_PASSWORD_LIFETIME_DAYS) {
                report(
                    `endDate is ${show(endDate)}, ${Math.ceil(days)} days away: ${rule}; Microsoft recommends client secrets live under 12 months`,
                );
            } else if (days <= 0) {
                report(`endDate is ${show(endDate)}, already past: the secret has expired; rotate it to a new one`);
            }
        }),
    };
}

// ---- The operator ----

const helmReleasePinned: ResourceValidationPolicy = {
    name: "helm-release-pinned",
    description: "Helm releases pin an exact chart version and install from an https repository.",
    validateResource: onTypes(isType(RESOURCE_TYPES.helmRelease), (props, _args, report) => {
        const version = props.version;
        if (!v.is(chartVersion(), version)) {
            report(
                `version is ${show(version)}: pin an exact chart version such as "2.9.0"; a range, "latest" or no version ` +
                    "lets a `pulumi up` install a release nobody reviewed",
            );
        }
        const repo = record(props.repositoryOpts)?.repo;
        if (typeof repo !== "string" || !repo.startsWith("https://")) {
            report(
                `repositoryOpts.repo is ${show(repo)}: install charts from an https:// repository, so the chart cannot be swapped in transit`,
            );
        }
    }),
};

// ---- ESO objects ----

const esoApiVersion: ResourceValidationPolicy = {
    name: "eso-api-version",
    description: `ESO objects use ${ESO_API_VERSION}: v1beta1 is no longer served since ESO 0.17.`,
    validateResource: onTypes(
        (type) => esoKind(type, ESO_V1_KINDS) !== undefined,
        (props, args, report) => {
            // The type token carries the apiVersion too; props are the object itself and normally say it.
            const apiVersion = props.apiVersion ?? `external-secrets.io/${ESO_TYPE.exec(args.type)?.[1]}`;
            if (apiVersion !== ESO_API_VERSION) {
                report(
                    `apiVersion is ${show(apiVersion)}: use ${ESO_API_VERSION}; ESO stopped serving v1beta1 in 0.17, so the cluster rejects this object`,
                );
            }
        },
    ),
};

interface TenancyConfig {
    tenantsConfigured?: boolean;
}

const esoClusterStoreConditions: ResourceValidationPolicy = {
    name: "eso-cluster-store-conditions",
    description: "When tenants are configured, a ClusterSecretStore limits the namespaces that may use it.",
    configSchema: {
        properties: {
            tenantsConfigured: {
                type: "boolean",
                default: false,
                description: "The stack configures tenants (namespaces that must not read each other's secrets).",
            },
        },
    },
    validateResource: onTypes(
        (type) => esoKind(type, CLUSTER_SECRET_STORE) !== undefined,
        (props, args, report) => {
            if (args.getConfig<TenancyConfig>().tenantsConfigured !== true) return;
            const conditions = record(props.spec)?.conditions;
            if (!Array.isArray(conditions) || conditions.length === 0) {
                report(
                    `spec.conditions is ${show(conditions)}: tenants are configured, so limit the namespaces that may use this store ` +
                        "(namespaceSelector, namespaces or namespaceRegexes); without conditions every namespace can read every secret the store reaches",
                );
            }
        },
    ),
};

const esoRefreshInterval: ResourceValidationPolicy = {
    name: "eso-refresh-interval",
    description: 'ExternalSecrets refresh at most once a minute ("0" syncs once).',
    validateResource: onTypes(
        (type) => esoKind(type, EXTERNAL_SECRET) !== undefined,
        (props, _args, report) => {
            const interval = record(props.spec)?.refreshInterval;
            // Unset, ESO refreshes every hour.
            if (interval !== undefined && !v.is(refreshInterval(), interval)) {
                report(
                    `spec.refreshInterval is ${show(interval)}: use a Go duration of at least 1m such as "15m" or "1h", or "0" to sync once; ` +
                        "shorter intervals multiply Key Vault reads into its throttling limits",
                );
            }
        },
    ),
};

// ---- Workloads ----

interface PodSpec {
    /** Dotted path of the pod spec in the resource, for messages. */
    readonly path: string;
    readonly spec: Props;
}

function podSpecOf(type: string, props: Props): PodSpec | undefined {
    const path = POD_SPEC_PATHS[type];
    if (path === undefined) return undefined;
    let node: Props | undefined = props;
    for (const key of path) node = record(node?.[key]);
    return node === undefined ? undefined : { path: path.join("."), spec: node };
}

const isWorkload = (type: string) => POD_SPEC_PATHS[type] !== undefined;

/** Every container that runs in the pod, init containers included, with its path for messages. */
function containersOf({ path, spec }: PodSpec): Array<{ path: string; container: Props }> {
    return ["initContainers", "containers"].flatMap((key) =>
        list(spec[key]).flatMap((item, i) => {
            const container = record(item);
            return container === undefined ? [] : [{ path: `${path}.${key}[${i}]`, container }];
        }),
    );
}

/** Reports a secret file mode with bits outside 0440 (a missing defaultMode means Kubernetes' 0644). */
function checkSecretMode(report: ReportViolation, path: string, mode: unknown, isDefaultMode: boolean): void {
    const rule = `give secret files at most ${octal(SECRET_MODE_BITS)} (owner and group read), such as 0400`;
    if (mode === undefined) {
        if (isDefaultMode) {
            report(
                `${path} is undefined, so Kubernetes uses ${octal(KUBERNETES_DEFAULT_SECRET_MODE)} (world-readable): ${rule}`,
            );
        }
        return;
    }
    if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0 || (mode & ~SECRET_MODE_BITS) !== 0) {
        report(`${path} is ${typeof mode === "number" ? `${mode} (${octal(mode)})` : show(mode)}: ${rule}`);
    }
}

const workloadSecretMounts: ResourceValidationPolicy = {
    name: "workload-secret-mounts",
    description: "Workloads mount secret volumes read-only, with file modes of at most 0440.",
    validateResource: onTypes(isWorkload, (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (pod === undefined) return;
        const secretVolumes = new Set<unknown>();
        list(pod.spec.volumes).forEach((item, i) => {
            const volume = record(item) ?? {};
            const path = `${pod.path}.volumes[${i}]`;
            const secret = record(volume.secret);
            if (secret !== undefined) {
                secretVolumes.add(volume.name);
                checkSecretMode(report, `${path}.secret.defaultMode`, secret.defaultMode, true);
                list(secret.items).forEach((key, k) =>
                    checkSecretMode(report, `${path}.secret.items[${k}].mode`, record(key)?.mode, false),
                );
                return;
            }
            // A projected volume with a secret source mounts that secret just the same.
            const projected = record(volume.projected);
            const sources = list(projected?.sources).map((source) => record(record(source)?.secret));
            if (projected === undefined || !sources.some((source) => source !== undefined)) return;
            secretVolumes.add(volume.name);
            checkSecretMode(report, `${path}.projected.defaultMode`, projected.defaultMode, true);
            sources.forEach((source, s) =>
                list(source?.items).forEach((key, k) =>
                    checkSecretMode(
                        report,
                        `${path}.projected.sources[${s}].secret.items[${k}].mode`,
                        record(key)?.mode,
                        false,
                    ),
                ),
            );
        });
        for (const { path, container } of containersOf(pod)) {
            list(container.volumeMounts).forEach((item, m) => {
                const mount = record(item);
                if (mount === undefined || !secretVolumes.has(mount.name)) return;
                if (mount.readOnly !== true) {
                    report(
                        `${path}.volumeMounts[${m}].readOnly is ${show(mount.readOnly)}: mount secret volume ${show(mount.name)} read-only`,
                    );
                }
            });
        }
    }),
};

const workloadSecurityContext: ResourceValidationPolicy = {
    name: "workload-security-context",
    description: "Workload containers run as non-root, without privilege escalation, with every capability dropped.",
    validateResource: onTypes(isWorkload, (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (pod === undefined) return;
        const podNonRoot = record(pod.spec.securityContext)?.runAsNonRoot;
        for (const { path, container } of containersOf(pod)) {
            const context = record(container.securityContext);
            // A container's own setting overrides the pod's.
            const nonRoot = context?.runAsNonRoot;
            if (nonRoot !== undefined && nonRoot !== true) {
                report(`${path}.securityContext.runAsNonRoot is ${show(nonRoot)}: run as non-root (true)`);
            } else if (nonRoot === undefined && podNonRoot !== true) {
                report(
                    `${pod.path}.securityContext.runAsNonRoot is ${show(podNonRoot)} and ${path} does not set it: run as non-root ` +
                        "(runAsNonRoot: true on the pod or the container)",
                );
            }
            const escalation = context?.allowPrivilegeEscalation;
            if (escalation !== false) {
                report(
                    `${path}.securityContext.allowPrivilegeEscalation is ${show(escalation)}: set false, so no process ` +
                        "gains more privileges than its parent (setuid binaries, file capabilities)",
                );
            }
            const drop = record(context?.capabilities)?.drop;
            if (!list(drop).includes("ALL")) {
                report(`${path}.securityContext.capabilities.drop is ${show(drop)}: drop "ALL" capabilities`);
            }
        }
    }),
};

/** The policies, with `clock` as the application-password policy's notion of now. */
function createPolicies(clock: () => Date): ResourceValidationPolicy[] {
    return [
        keyVaultRbacAuthorization,
        keyVaultSoftDeleteRetention,
        keyVaultPurgeProtectionInProduction,
        keyVaultNetworkRestricted,
        roleAssignmentLeastPrivilege,
        applicationPasswordLifetime(clock),
        helmReleasePinned,
        esoApiVersion,
        esoClusterStoreConditions,
        esoRefreshInterval,
        workloadSecretMounts,
        workloadSecurityContext,
    ];
}

/** Every policy of the pack, as `pulumi preview --policy-pack policy` runs them. */
export const policies: ResourceValidationPolicy[] = createPolicies(() => new Date());

/**
 * The policy pack configuration for a stack: the JSON a user writes to a file and passes with
 * `--policy-pack-config <file>`, keyed by policy name. Policies not listed use their schema's defaults.
 */
export function policyPackConfig(config: PolicyConfig): Record<string, unknown> {
    const network = config.restrictedNetwork;
    return {
        [keyVaultPurgeProtectionInProduction.name]: { production: config.production },
        [keyVaultNetworkRestricted.name]:
            network === undefined
                ? { restricted: false }
                : {
                      restricted: true,
                      allowedIps: [...network.allowedIps],
                      allowedSubnetIds: [...network.allowedSubnetIds],
                  },
        [esoClusterStoreConditions.name]: { tenantsConfigured: config.tenantsConfigured },
    };
}

/** A policy's configuration as the engine hands it over: the schema's defaults, then the configured values. */
function configFor(policy: ResourceValidationPolicy, packConfig: Record<string, unknown>): Props {
    const config: Props = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema.default !== undefined) config[key] = schema.default;
    }
    Object.assign(config, record(packConfig[policy.name]));
    // The engine strips the enforcement level before a policy reads its configuration.
    delete config.enforcementLevel;
    return config;
}

class NotApplicable extends Error {}

const OFFLINE_OPTIONS: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** A stand-in for the arguments the engine passes to `validateResource`, for running policies without it. */
function validationArgs(resource: PolicyResource, config: Props): ResourceValidationArgs {
    const isType = (resourceClass: unknown) =>
        (resourceClass as { __pulumiType?: string } | undefined)?.__pulumiType === resource.type;
    return {
        type: resource.type,
        props: resource.props,
        urn: resource.urn ?? `urn:pulumi:offline::offline::${resource.type}::${resource.name}`,
        name: resource.name,
        opts: OFFLINE_OPTIONS,
        stackTags: new Map<string, string>(),
        isType,
        asType: (resourceClass: unknown) => (isType(resourceClass) ? resource.props : undefined) as never,
        getConfig: <T extends object>() => ({ ...config }) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/**
 * Runs every policy on `resources` as `pulumi preview --policy-pack` would, without the engine: each policy gets its
 * configuration from `policyPackConfig(config)` and `now` as the current time. Returns the violations, resource by
 * resource, in policy order.
 */
export function checkResources(resources: PolicyResource[], config: PolicyConfig, now = new Date()): PolicyViolation[] {
    const packConfig = policyPackConfig(config);
    const pack = createPolicies(() => now).map((policy) => ({ policy, config: configFor(policy, packConfig) }));
    const violations: PolicyViolation[] = [];
    for (const resource of resources) {
        for (const { policy, config: policyConfig } of pack) {
            const report: ReportViolation = (message) =>
                void violations.push({ policy: policy.name, resource: `${resource.type} ${resource.name}`, message });
            const validations = policy.validateResource ?? [];
            for (const validate of Array.isArray(validations) ? validations : [validations]) {
                try {
                    const result = validate(validationArgs(resource, policyConfig), report);
                    if (result instanceof Promise) {
                        throw new Error(
                            `policy ${policy.name} is asynchronous; checkResources runs synchronous policies only`,
                        );
                    }
                } catch (error) {
                    if (!(error instanceof NotApplicable)) throw error;
                }
            }
        }
    }
    return violations;
}
