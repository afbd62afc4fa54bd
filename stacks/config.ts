// The one place that reads stack configuration. It returns a typed, validated object or throws a
// StackConfigError listing every problem, before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { crossKeyProblems, objectName, sharedReadsWholeVault, tenantMayRead } from "./crossChecks";
import { esoSchemaProblems } from "./esoCrdSchema";
import { describeIssues, formatKey, formatValue, StackConfigError, valueAt } from "./errors";
import {
    type GeneratorConfig,
    pushedObjects,
    type PushSecretConfig,
    resolveGenerators,
    resolvePushSecrets,
} from "./pushRules";
import { type Fleet, fleetProblems } from "./fleet";
import { DEFAULTS, type ParsedStackConfig, SECRET_KEYS, stackConfigSchema } from "./schema";
import type { EsoAuth } from "../components/esoIdentity";
import type { AdoptedVault, CreatedVault, VaultNetwork } from "../components/keyVault";
import type { PushedObjects } from "../components/vaultAccess";
import { KEY_VAULT_PRIVATE_DNS_ZONE } from "../components/wellKnown";
import type { AksClusterArgs } from "../components/aksCluster";
import type { SyncAlertsTarget } from "../components/syncAlerts";
import type { VaultLogs } from "../components/vaultMonitoring";
import type { SeededSecret } from "../components/vaultSecrets";

type Parsed = ParsedStackConfig;
type ParsedExternalSecret = Parsed["externalSecrets"][number];

export interface StackContext {
    /** Pulumi project name: the config namespace, and part of derived names. */
    readonly project: string;
    /** Pulumi stack name. */
    readonly stack: string;
}

/** The stack's authentication, resolved into the one model the components take. */
export type AuthConfig = EsoAuth;

/** One Key Vault object an ExternalSecret reads: `key` may carry a `secret/`, `cert/` or `key/` prefix. */
export type RemoteRef = Exclude<NonNullable<ParsedExternalSecret["data"]>[string], string>;

export interface ExternalSecretConfig extends Omit<
    ParsedExternalSecret,
    "target" | "tenant" | "data" | "dataFrom" | "paths" | "secretStoreRef" | "certificate"
> {
    /** The Kubernetes Secret ESO writes; defaults to the ExternalSecret's name. */
    readonly target: string;
    /** The tenant whose store it reads, declared or implied by its namespace; undefined for the shared store. */
    readonly tenant?: string;
    /** Secret key -> Key Vault object. */
    readonly data: Readonly<Record<string, RemoteRef>>;
    readonly dataFrom: ParsedExternalSecret["dataFrom"];
    /** Its key among the stack's ExternalSecrets, `<namespace>/<name>` (see keyOf). */
    readonly key: string;
    /** The key its resource had under the former naming, kept as an alias (see formerKeyOf). */
    readonly formerKey?: string;
}

/** Key Vault objects an identity is granted, by object type (each type has its own scope path and role). */
export interface ObjectGrants {
    readonly secrets: readonly string[];
    readonly certificates: readonly string[];
    readonly keys: readonly string[];
    /**
     * Secrets, keys and certificates ESO pushes to (its type's Officer role on each, never the vault).
     * @default none
     */
    readonly writes?: PushedObjects;
}

export interface TenantConfig extends Omit<Parsed["tenants"][number], "secrets" | "storeName" | "managedIdentity"> {
    readonly storeName: string;
    /**
     * How the tenant's own identity signs in: the stack's mode, with the tenant's display name, service account
     * (named after its store), credential Secret (per tenant in ESO's namespace) or managed identity.
     */
    readonly auth: EsoAuth;
    /** What the tenant's identity is granted, one role assignment each: never the whole vault. */
    readonly grants: ObjectGrants;
    /** What the tenant's ExternalSecrets read, by namespace, for its access checks (see objectsToVerify). */
    readonly reads: Readonly<Record<string, readonly string[]>>;
}

export type WorkloadConfig = Parsed["workloads"][number] & {
    /** The nodes run AppArmor: the Pod asks for its RuntimeDefault profile (kubernetes.appArmor). */
    readonly appArmor: boolean;
    /** Its key among the stack's workloads, `<namespace>/<name>` (see keyOf). */
    readonly key: string;
    /** The key its resource had under the former naming, kept as an alias (see formerKeyOf). */
    readonly formerKey?: string;
    /** The key of the ExternalSecret whose Secret it mounts. */
    readonly externalSecretKey: string;
};

/** The vault: one this stack creates (with the defaults filled in), or one it adopts by name. */
export type VaultConfig =
    | (CreatedVault & {
          readonly softDeleteRetentionDays: number;
          readonly purgeProtection: boolean;
          readonly createMode: "default" | "recover";
      })
    | AdoptedVault;

/** What the shared store's identity may read. */
export type SharedAccess =
    | {
          /** The whole vault: every secret, tenants' included (no tenants, or store.vaultWideAccess). */
          readonly vaultWide: true;
          /** Key Vault Reader too, for `cert/` and `key/` references. */
          readonly readsPublicObjects: boolean;
          /** Objects its PushSecrets write: its type's Officer role on each, never on the vault. */
          readonly writes: PushedObjects;
      }
    | {
          /** Only these objects: those its ExternalSecrets read and the seeded secrets no tenant owns. */
          readonly vaultWide: false;
          readonly grants: ObjectGrants;
      };

/** The validated configuration of one stack: what index.ts composes components from. */
export interface StackConfig extends StackContext {
    /**
     * Production stacks protect the vault and seeded secrets from deletion, keep purge protection on, and keep ESO's
     * CRDs, the namespaces they created and every synced Secret on destroy.
     */
    readonly production: boolean;
    /** Where the stack sits in a fleet: on its own, the shared vault's stack, or a cluster stack reading that vault. */
    readonly fleet: Fleet;
    readonly azure: Parsed["azure"];
    readonly vault: VaultConfig;
    /** Key Vault secret name -> its value (a Pulumi secret), content type and expiry, defaults applied. */
    readonly seededSecrets: Readonly<Record<string, SeededSecret & { readonly value: pulumi.Output<string> }>>;
    readonly auth: AuthConfig;
    /** How the Kubernetes provider reaches the cluster: exactly its arguments. */
    readonly kubernetes: { readonly kubeconfig?: pulumi.Output<string>; readonly context?: string };
    /** The AKS cluster named by the stack: its kubeconfig and OIDC issuer come from Azure instead. */
    readonly aks?: AksClusterArgs;
    /** The operator: its namespace (created unless it exists), release, chart, and its pods' resources. */
    readonly eso: Parsed["eso"] & {
        readonly createNamespace: boolean;
        /** The nodes run AppArmor: ESO's pods ask for its RuntimeDefault profile (kubernetes.appArmor). */
        readonly appArmor: boolean;
    };
    /** The shared store; `namespaces` (when set) limits which namespaces may use it. */
    readonly store: Parsed["store"] & {
        /** Key Vault objects the ExternalSecrets of the shared store read, for its access check (see objectsToVerify). */
        readonly reads: readonly string[];
    };
    /** What the shared store's identity may read. */
    readonly sharedAccess: SharedAccess;
    /**
     * Who owns each namespace: the stack (`owned`: created and deleted with it) or someone else (`existing`, the
     * listed ones and Velero's: only used). ESO's own is the operator's and in neither.
     */
    readonly namespaces: { readonly owned: readonly string[]; readonly existing: readonly string[] };
    /** Every ExternalSecret, the Velero preset's included. */
    readonly externalSecrets: readonly ExternalSecretConfig[];
    readonly tenants: readonly TenantConfig[];
    readonly workloads: readonly WorkloadConfig[];
    /** ESO generators, each created before the ExternalSecrets and PushSecrets that use it. */
    readonly generators: readonly GeneratorConfig[];
    /** Kubernetes Secrets pushed to Key Vault, each through its namespace's store (its tenant's, or the shared one). */
    readonly pushSecrets: readonly PushSecretConfig[];
    /** The vault's resource logs and metric alerts; nothing is created for what is unset. */
    readonly monitoring: {
        readonly logs?: VaultLogs;
        readonly actionGroupId?: string;
        /** Where alerts on ESO's sync are evaluated. */
        readonly syncAlerts?: SyncAlertsTarget;
    };
}

/** Parses the values of a project's config keys (`vault`, not `project:vault`): JSON where it parses, else text. */
export function decodeConfigValues(values: Readonly<Record<string, string>>): Record<string, unknown> {
    const decoded: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(values)) {
        try {
            decoded[key] = JSON.parse(text);
        } catch {
            decoded[key] = text;
        }
    }
    return decoded;
}

/**
 * Validates decoded config values and resolves what depends on several keys. Pure apart from wrapping secrets,
 * so tests drive it directly.
 */
export function parseStackConfig(values: Readonly<Record<string, unknown>>, context: StackContext): StackConfig {
    const isSecret = (path: ReadonlyArray<PropertyKey>): boolean => SECRET_KEYS.has(String(path[0]));
    const result = v.safeParse(stackConfigSchema, values, { abortPipeEarly: true });
    const issues = result.issues ?? [];
    const problems = describeIssues(issues, values, stackConfigSchema, isSecret);
    // Each top-level key's value is validated (defaults applied) unless an issue names it; rules that span keys run
    // over the keys that are.
    const invalidKeys = new Set(issues.map((issue) => String(issue.path?.[0]?.key ?? "")));
    if (invalidKeys.has("")) throw new StackConfigError(context.stack, problems);
    const crossProblems = crossKeyProblems(result.output as Parsed, invalidKeys).map((problem) => {
        const key = formatKey(problem.path);
        return "required" in problem
            ? `${key} is required${problem.because === undefined ? "" : ` (${problem.because})`}: set it with \`pulumi config set --path ${key}${problem.below ?? ""} <value>\`.`
            : `${key} ${formatValue(valueAt(values, problem.path), isSecret(problem.path))} is invalid: ${problem.message}.`;
    });
    problems.push(...crossProblems);
    if (!invalidKeys.has("fleet")) {
        for (const problem of fleetProblems(values, fleetOf(result.output as Parsed))) {
            problems.push(`${formatKey(problem.path)} is set: it ${problem.message}.`);
        }
    }
    // Fields only ESO's own schema checks, in entries the project's schema accepted.
    if (!invalidKeys.has("externalSecrets") && Array.isArray(values.externalSecrets)) {
        problems.push(...esoSchemaProblems(values.externalSecrets));
    }
    if (!result.success || problems.length > 0) throw new StackConfigError(context.stack, problems);
    return resolve(result.output, context);
}

/** The stable key of an object in a namespace: "/" joins them, which neither a namespace nor a name may contain. */
export function keyOf(entry: { readonly namespace: string; readonly name: string }): string {
    return `${entry.namespace}/${entry.name}`;
}

/**
 * The key an entry had when keys joined namespace and name with "-" (which both may contain), kept as an alias so
 * deployed resources are not replaced. Of entries that shared one, only the first could have been deployed (the
 * engine refuses a second resource with the same URN), so only the first keeps it.
 */
export function formerKeyOf<T extends { readonly namespace: string; readonly name: string }>(
    all: readonly T[],
    entry: T,
): string | undefined {
    const former = (item: T): string => `${item.namespace}-${item.name}`;
    return all.find((item) => former(item) === former(entry)) === entry ? former(entry) : undefined;
}

/** Velero's `AZURE_CLOUD_NAME` for each cloud. */
const VELERO_CLOUD_NAME: Record<Parsed["azure"]["cloud"], string> = {
    PublicCloud: "AzurePublicCloud",
    USGovernmentCloud: "AzureUSGovernmentCloud",
    ChinaCloud: "AzureChinaCloud",
    GermanCloud: "AzureGermanCloud",
};

/**
 * The Velero preset as an ExternalSecret: Velero's Azure plugin reads a credentials file (key `cloud` of the
 * Secret `cloud-credentials`, as `velero install --secret-file` creates it), here assembled by an ESO template.
 */
export function veleroExternalSecret(
    velero: NonNullable<Parsed["velero"]>,
    cloud: Parsed["azure"]["cloud"],
): Omit<ExternalSecretConfig, "key" | "formerKey"> {
    const names = velero.keyVaultSecrets;
    const cloudName = VELERO_CLOUD_NAME[cloud];
    const lines = [
        "AZURE_SUBSCRIPTION_ID={{ .subscriptionId }}",
        "AZURE_TENANT_ID={{ .tenantId }}",
        "AZURE_CLIENT_ID={{ .clientId }}",
        "AZURE_CLIENT_SECRET={{ .clientSecret }}",
        "AZURE_RESOURCE_GROUP={{ .resourceGroup }}",
        `AZURE_CLOUD_NAME=${cloudName}`,
        // The plugin needs AZURE_ENVIRONMENT outside the public cloud only.
        ...(cloud === "PublicCloud" ? [] : [`AZURE_ENVIRONMENT=${cloudName}`]),
    ];
    return {
        name: velero.secretName,
        namespace: velero.namespace,
        target: velero.secretName,
        refreshInterval: velero.refreshInterval,
        creationPolicy: "Owner",
        data: Object.fromEntries(Object.entries(names).map(([field, key]) => [field, { key }])),
        dataFrom: [],
        template: { type: "Opaque", data: { cloud: `${lines.join("\n")}\n` } },
    };
}

/**
 * A tenant's own identity in the stack's mode: its own app registration (named after the stack's, with the tenant's
 * name), its service account named after its store, its credential Secret named per tenant where it shares ESO's
 * namespace with others; or, with managed identities, the tenant's own (validation requires it in that mode).
 */
function tenantAuth(
    auth: EsoAuth,
    tenant: {
        readonly name: string;
        readonly storeKind: "ClusterSecretStore" | "SecretStore";
        readonly storeName: string;
        readonly managedIdentity?: { readonly clientId: string; readonly principalId: string };
    },
): EsoAuth {
    switch (auth.mode) {
        case "managedIdentity":
            return {
                mode: "managedIdentity",
                ...(tenant.managedIdentity as { clientId: string; principalId: string }),
            };
        case "workloadIdentity":
            return { ...auth, displayName: `${auth.displayName}-${tenant.name}`, serviceAccountName: tenant.storeName };
        case "servicePrincipal":
            return {
                ...auth,
                displayName: `${auth.displayName}-${tenant.name}`,
                credentialSecret: {
                    ...auth.credentialSecret,
                    name:
                        tenant.storeKind === "SecretStore"
                            ? auth.credentialSecret.name
                            : `${auth.credentialSecret.name}-${tenant.name}`,
                },
            };
    }
}

function grantsFor(references: Iterable<string>): ObjectGrants {
    const grants = { secrets: new Set<string>(), certificates: new Set<string>(), keys: new Set<string>() };
    for (const reference of references) {
        const name = objectName(reference);
        if (reference.startsWith("cert/")) grants.certificates.add(name);
        else if (reference.startsWith("key/")) grants.keys.add(name);
        else grants.secrets.add(name);
    }
    return {
        secrets: [...grants.secrets].sort(),
        certificates: [...grants.certificates].sort(),
        keys: [...grants.keys].sort(),
    };
}

/** The Key Vault objects an ExternalSecret reads by name, as ESO spells them (`name`, `cert/name`, `key/name`). */
export function references(es: ExternalSecretConfig): string[] {
    return [
        ...Object.values(es.data).map((ref) => ref.key),
        ...es.dataFrom.flatMap((item) => ("extract" in item ? [item.extract.key] : [])),
    ];
}

/**
 * What a store's access check must read to prove its ExternalSecrets can sync: each object they name, and `*` (a
 * listing) when one of them finds secrets by name or tags.
 */
export function objectsToVerify(externalSecrets: readonly ExternalSecretConfig[]): string[] {
    const objects = new Set(externalSecrets.flatMap(references).map((ref) => ref.replace(/^secret\//, "")));
    if (externalSecrets.some((es) => es.dataFrom.some((item) => "find" in item))) objects.add("*");
    return [...objects].sort();
}

/**
 * The vault's network with its defaults: public access disabled once a private endpoint exists, enabled otherwise;
 * the private DNS zone created under the cloud's name unless an existing one is adopted by id.
 */
export function vaultNetwork(
    network: Parsed["vault"]["network"],
    cloud: Parsed["azure"]["cloud"],
): VaultNetwork | undefined {
    if (network === undefined) return undefined;
    const { privateEndpoint, ...rest } = network;
    if (privateEndpoint === undefined) return { ...rest, publicNetworkAccess: rest.publicNetworkAccess ?? "enabled" };
    const { subnetId, vnetId, dnsZoneId } = privateEndpoint;
    return {
        ...rest,
        publicNetworkAccess: rest.publicNetworkAccess ?? "disabled",
        privateEndpoint: {
            subnetId,
            ...(vnetId === undefined ? {} : { vnetId }),
            // Validation requires dnsZoneId where the cloud has no published zone name.
            dnsZone:
                dnsZoneId === undefined
                    ? { create: true, name: KEY_VAULT_PRIVATE_DNS_ZONE[cloud] as string }
                    : { create: false, id: dnsZoneId },
        },
    };
}

const fleetOf = (config: Parsed): Fleet => config.fleet ?? { role: "standalone" };

/** `value` without `keys`. */
function omit<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
    return Object.fromEntries(Object.entries(value).filter(([key]) => !keys.includes(key as K))) as Omit<T, K>;
}

function resolve(config: Parsed, context: StackContext): StackConfig {
    const seededSecrets: Record<string, SeededSecret & { value: pulumi.Output<string> }> = {};
    for (const [name, entry] of Object.entries(config.seededSecrets)) {
        const secret = typeof entry === "string" ? { value: entry } : entry;
        const defaults = config.seededSecretDefaults;
        seededSecrets[name] = {
            value: pulumi.secret(secret.value),
            contentType: secret.contentType ?? defaults.contentType,
            expiry:
                secret.expiresOn !== undefined
                    ? { on: secret.expiresOn }
                    : { afterDays: secret.expiresInDays ?? defaults.expiresInDays },
        };
    }
    const owner = new Map(config.tenants.flatMap((t) => t.namespaces.map((ns) => [ns, t.name] as const)));
    const pushSecrets = resolvePushSecrets(config);
    const entries: Array<Omit<ExternalSecretConfig, "key" | "formerKey">> = [
        // Where each field was written and the store it named are the rules' business; the certificate preset is
        // already data and a template.
        ...config.externalSecrets
            .map((parsed) => omit(parsed, "paths", "secretStoreRef", "certificate"))
            .map((es) => ({
                ...es,
                target: es.target ?? es.name,
                tenant: es.tenant ?? owner.get(es.namespace),
                data: Object.fromEntries(
                    Object.entries(es.data).map(([key, ref]) => [key, typeof ref === "string" ? { key: ref } : ref]),
                ),
            })),
        ...(config.velero === undefined ? [] : [veleroExternalSecret(config.velero, config.azure.cloud)]),
    ];
    const externalSecrets: ExternalSecretConfig[] = entries.map((es) => ({
        ...es,
        key: keyOf(es),
        formerKey: formerKeyOf(entries, es),
    }));
    const auth: EsoAuth =
        config.auth.mode === "managedIdentity"
            ? config.auth
            : { ...config.auth, displayName: config.auth.displayName ?? `${context.project}-${context.stack}` };
    const tenants: TenantConfig[] = config.tenants.map(({ secrets, managedIdentity, ...tenant }) => ({
        ...tenant,
        storeName: tenant.storeName ?? `${tenant.name}-keyvault`,
        auth: tenantAuth(auth, {
            ...tenant,
            storeName: tenant.storeName ?? `${tenant.name}-keyvault`,
            managedIdentity,
        }),
        grants: {
            ...grantsFor([
                ...secrets.names,
                ...Object.keys(config.seededSecrets).filter((name) => tenantMayRead(secrets, name)),
                ...externalSecrets.filter((es) => es.tenant === tenant.name).flatMap(references),
            ]),
            writes: pushedObjects(pushSecrets.filter((ps) => ps.tenant === tenant.name)),
        },
        reads: Object.fromEntries(
            tenant.namespaces.map((ns) => [
                ns,
                objectsToVerify(externalSecrets.filter((es) => es.tenant === tenant.name && es.namespace === ns)),
            ]),
        ),
    }));
    const existing = new Set([
        ...config.kubernetes.existingNamespaces,
        ...(config.velero === undefined ? [] : [config.velero.namespace]),
    ]);
    const shared = externalSecrets.filter((es) => es.tenant === undefined);
    const sharedPushes = pushSecrets.filter((ps) => ps.tenant === undefined);
    const sharedNamespaces = [
        ...new Set([...shared.map((es) => es.namespace), ...sharedPushes.map((ps) => ps.namespace)]),
    ].sort();
    const sharedAccess: SharedAccess = sharedReadsWholeVault(config)
        ? {
              vaultWide: true,
              readsPublicObjects: shared.flatMap(references).some((ref) => /^(cert|key)\//.test(ref)),
              writes: pushedObjects(sharedPushes),
          }
        : {
              vaultWide: false,
              grants: {
                  ...grantsFor([
                      ...shared.flatMap(references),
                      ...Object.keys(config.seededSecrets).filter(
                          (name) => !config.tenants.some((tenant) => tenantMayRead(tenant.secrets, name)),
                      ),
                  ]),
                  writes: pushedObjects(sharedPushes),
              },
          };
    return {
        ...context,
        production: config.production,
        fleet: fleetOf(config),
        azure: config.azure,
        vault: config.vault.existing
            ? // Validation requires the name of an adopted vault.
              { existing: true, name: config.vault.name as string }
            : {
                  existing: false,
                  name: config.vault.name,
                  softDeleteRetentionDays: config.vault.softDeleteRetentionDays ?? DEFAULTS.softDeleteRetentionDays,
                  purgeProtection: config.vault.purgeProtection ?? DEFAULTS.purgeProtection,
                  createMode: config.vault.createMode ?? DEFAULTS.createMode,
                  network: vaultNetwork(config.vault.network, config.azure.cloud),
              },
        seededSecrets,
        auth,
        kubernetes: {
            ...(config.kubernetes.context === undefined ? {} : { context: config.kubernetes.context }),
            ...(config.kubeconfig === undefined ? {} : { kubeconfig: pulumi.secret(config.kubeconfig) }),
        },
        aks:
            config.kubernetes.aks === undefined
                ? undefined
                : { ...config.kubernetes.aks, workloadIdentity: config.auth.mode === "workloadIdentity" },
        eso: {
            ...config.eso,
            createNamespace: !existing.has(config.eso.namespace),
            appArmor: config.kubernetes.appArmor,
        },
        store: {
            ...config.store,
            // With tenants, the shared store (which reads the whole vault) serves only namespaces no tenant owns;
            // with no such ExternalSecret it is kept to ESO's own namespace.
            namespaces:
                config.store.namespaces ??
                (tenants.length === 0
                    ? undefined
                    : sharedNamespaces.length > 0
                      ? sharedNamespaces
                      : [config.eso.namespace]),
            reads: objectsToVerify(shared),
        },
        sharedAccess,
        namespaces: {
            owned: config.kubernetes.ownedNamespaces,
            existing: [...existing].filter((ns) => ns !== config.eso.namespace),
        },
        externalSecrets,
        tenants,
        workloads: config.workloads.map((workload) => ({
            ...workload,
            key: keyOf(workload),
            formerKey: formerKeyOf(config.workloads, workload),
            externalSecretKey: keyOf({ namespace: workload.namespace, name: workload.externalSecret }),
            appArmor: config.kubernetes.appArmor,
        })),
        generators: resolveGenerators(config),
        pushSecrets,
        monitoring: {
            logs:
                config.monitoring.logs === undefined
                    ? undefined
                    : config.monitoring.logs.workspaceId !== undefined
                      ? { workspaceId: config.monitoring.logs.workspaceId }
                      : {
                            createWorkspace: {
                                retentionInDays: config.monitoring.logs.retentionInDays ?? DEFAULTS.logRetentionDays,
                            },
                        },
            actionGroupId: config.monitoring.actionGroupId,
            syncAlerts:
                config.monitoring.prometheus?.kind === "azureManagedPrometheus"
                    ? {
                          ...config.monitoring.prometheus,
                          resourceGroupName: config.azure.resourceGroupName,
                          location: config.azure.location,
                          actionGroupId: config.monitoring.actionGroupId,
                      }
                    : config.monitoring.prometheus,
        },
    };
}

let loaded: StackConfig | undefined;

/**
 * The configuration `loadStackConfig` last returned in this process, if any: what the offline plan, which runs the
 * program, needs of it afterwards (the cluster it describes, the policy pack's settings), without validating twice.
 */
export function lastLoadedStackConfig(): StackConfig | undefined {
    return loaded;
}

/** Reads this stack's configuration from the Pulumi engine (or from mocks) and validates it. */
export function loadStackConfig(): StackConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
    }
    loaded = undefined;
    loaded = parseStackConfig(decodeConfigValues(values), { project, stack: pulumi.getStack() });
    return loaded;
}
