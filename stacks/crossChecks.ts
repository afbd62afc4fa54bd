// Rules that span keys: references between objects, names that must be unique, and tenant boundaries. They read
// the raw values defensively (the schema reports malformed ones), so they run even when other keys are invalid
// and every problem is reported in one pass.

import { DEFAULTS } from "./schema";

export interface CrossKeyProblem {
    readonly path: PropertyKey[];
    readonly message: string;
}

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => value !== null && typeof value === "object" && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];

/** The elements of a list key that are objects, with their index. */
function entries(value: unknown): Array<[number, Raw]> {
    if (!Array.isArray(value)) return [];
    return value.flatMap((item, i): Array<[number, Raw]> => (isRecord(item) ? [[i, item]] : []));
}

/** The Key Vault object name behind a reference (`cert/x` -> `x`). */
export function objectName(reference: string): string {
    return reference.replace(/^(secret|cert|key)\//, "");
}

/** The Key Vault objects an ExternalSecret reads by name, with where each is configured. */
function namedReferences(es: Raw): Array<{ path: PropertyKey[]; reference: string }> {
    const found: Array<{ path: PropertyKey[]; reference: string }> = [];
    if (isRecord(es.data)) {
        for (const [key, entry] of Object.entries(es.data)) {
            const reference = str(entry) ?? (isRecord(entry) ? str(entry.key) : undefined);
            if (reference !== undefined) found.push({ path: ["data", key], reference });
        }
    }
    for (const [i, item] of entries(es.dataFrom)) {
        const reference = isRecord(item.extract) ? str(item.extract.key) : undefined;
        if (reference !== undefined) found.push({ path: ["dataFrom", i, "extract", "key"], reference });
    }
    return found;
}

interface Tenant {
    readonly index: number;
    readonly name: string;
    readonly namespaces: string[];
    readonly names: string[];
    readonly prefix?: string;
}

function describeAllowance(tenant: Tenant): string {
    const parts = [];
    if (tenant.names.length > 0) parts.push(`names ${tenant.names.join(", ")}`);
    if (tenant.prefix !== undefined) parts.push(`prefix ${tenant.prefix}`);
    return parts.join("; ");
}

export function tenantMayRead(tenant: { names: readonly string[]; prefix?: string }, name: string): boolean {
    return tenant.names.includes(name) || (tenant.prefix !== undefined && name.startsWith(tenant.prefix));
}

/** Federated credentials one app registration can hold (an Entra ID limit). */
const MAX_FEDERATED_CREDENTIALS = 20;

export function crossKeyProblems(values: Readonly<Raw>): CrossKeyProblem[] {
    const problems: CrossKeyProblem[] = [];
    const problem = (path: PropertyKey[], message: string): void => void problems.push({ path, message });
    const auth = isRecord(values.auth) ? values.auth : {};
    const mode = str(auth.mode) ?? "servicePrincipal";
    const esoNamespace = (isRecord(values.eso) ? str(values.eso.namespace) : undefined) ?? DEFAULTS.esoNamespace;

    // Tenants: unique names, and each namespace owned by one tenant at most.
    const tenants = new Map<string, Tenant>();
    const owner = new Map<string, Tenant>();
    for (const [i, raw] of entries(values.tenants)) {
        const name = str(raw.name);
        if (name === undefined) continue;
        const secrets = isRecord(raw.secrets) ? raw.secrets : {};
        const tenant: Tenant = {
            index: i,
            name,
            namespaces: strings(raw.namespaces),
            names: strings(secrets.names),
            prefix: str(secrets.prefix),
        };
        if (tenants.has(name))
            problem(["tenants", i, "name"], "another tenant already has this name; use a unique name");
        else tenants.set(name, tenant);
        tenant.namespaces.forEach((namespace, j) => {
            const other = owner.get(namespace);
            if (other !== undefined && other !== tenant) {
                problem(
                    ["tenants", i, "namespaces", j],
                    `namespace "${namespace}" already belongs to tenant "${other.name}"; a namespace has one tenant`,
                );
            } else if (namespace === esoNamespace) {
                problem(
                    ["tenants", i, "namespaces", j],
                    `"${namespace}" is ESO's own namespace, which holds every tenant's credentials`,
                );
            } else owner.set(namespace, tenant);
        });
        if (mode === "managedIdentity" && raw.managedIdentity === undefined) {
            problem(["tenants", i, "managedIdentity"], "");
        } else if (mode !== "managedIdentity" && raw.managedIdentity !== undefined) {
            problem(
                ["tenants", i, "managedIdentity"],
                `is only used with auth.mode managedIdentity (auth.mode is ${mode})`,
            );
        }
        if (
            mode === "workloadIdentity" &&
            (str(raw.storeKind) ?? DEFAULTS.tenantStoreKind) === "SecretStore" &&
            tenant.namespaces.length > MAX_FEDERATED_CREDENTIALS
        ) {
            problem(
                ["tenants", i, "namespaces"],
                `needs one federated credential per namespace with storeKind SecretStore, and an app registration holds at most ${MAX_FEDERATED_CREDENTIALS}; use storeKind ClusterSecretStore or split the tenant`,
            );
        }
    }

    // Production data: a production vault keeps purge protection; an adopted vault is only referenced, so the
    // settings of a vault this stack creates do not apply to it.
    const vault = isRecord(values.vault) ? values.vault : {};
    const production = values.production === true || values.production === "true";
    const existing = vault.existing === true || vault.existing === "true";
    if (production && (vault.purgeProtection === false || vault.purgeProtection === "false") && !existing) {
        problem(["vault", "purgeProtection"], "a production vault keeps purge protection on (production is true)");
    }
    if (existing) {
        for (const key of ["softDeleteRetentionDays", "purgeProtection", "createMode", "network"]) {
            if (vault[key] !== undefined) {
                problem(
                    ["vault", key],
                    `applies only to a vault this stack creates; vault.existing is true, so the vault is only referenced`,
                );
            }
        }
    }

    // The shared store must not open a tenant's namespace to vault-wide access.
    const store = isRecord(values.store) ? values.store : {};
    strings(store.namespaces).forEach((namespace, j) => {
        const tenant = owner.get(namespace);
        if (tenant !== undefined) {
            problem(
                ["store", "namespaces", j],
                `namespace "${namespace}" belongs to tenant "${tenant.name}"; the shared store reads the whole vault and must not serve it`,
            );
        }
    });
    const velero = isRecord(values.velero) ? values.velero : undefined;
    const veleroNamespace = velero === undefined ? undefined : (str(velero.namespace) ?? DEFAULTS.veleroNamespace);
    if (veleroNamespace !== undefined && owner.has(veleroNamespace)) {
        problem(
            ["velero", "namespace"],
            `namespace "${veleroNamespace}" belongs to tenant "${owner.get(veleroNamespace)?.name}"; Velero's credentials are the platform's`,
        );
    }

    // ExternalSecrets: unique names and targets per namespace, and inside their tenant's boundary.
    const names = new Map<string, number>();
    const targets = new Map<string, string>();
    if (veleroNamespace !== undefined) {
        targets.set(`${veleroNamespace}/${str(velero?.secretName) ?? DEFAULTS.veleroSecretName}`, "the velero preset");
    }
    for (const [i, es] of entries(values.externalSecrets)) {
        const { name, namespace } = { name: str(es.name), namespace: str(es.namespace) };
        if (name === undefined || namespace === undefined) continue;
        const first = names.get(`${namespace}/${name}`);
        if (first !== undefined) {
            problem(
                ["externalSecrets", i, "name"],
                `externalSecrets[${first}] already uses this name in namespace "${namespace}"; use a unique name`,
            );
            continue;
        }
        names.set(`${namespace}/${name}`, i);
        const target = str(es.target) ?? name;
        const writer = targets.get(`${namespace}/${target}`);
        if (writer !== undefined) {
            problem(
                ["externalSecrets", i, str(es.target) === undefined ? "name" : "target"],
                `${writer} already writes the Secret "${target}" in namespace "${namespace}"; two ExternalSecrets would overwrite each other`,
            );
        } else targets.set(`${namespace}/${target}`, `externalSecrets[${i}]`);

        const declared = str(es.tenant);
        const tenant = declared === undefined ? owner.get(namespace) : tenants.get(declared);
        if (declared !== undefined && tenant === undefined) {
            problem(
                ["externalSecrets", i, "tenant"],
                `name one of the tenants (${[...tenants.keys()].join(", ") || "none are configured"})`,
            );
            continue;
        }
        if (tenant === undefined) continue;
        if (!tenant.namespaces.includes(namespace)) {
            problem(
                ["externalSecrets", i, "namespace"],
                `namespace "${namespace}" is not one of tenant "${tenant.name}"'s namespaces (${tenant.namespaces.join(", ")})`,
            );
        }
        for (const { path, reference } of namedReferences(es)) {
            const object = objectName(reference);
            if (!tenantMayRead(tenant, object)) {
                problem(
                    ["externalSecrets", i, ...path],
                    `Key Vault object "${object}" is not one of tenant "${tenant.name}"'s secrets (${describeAllowance(tenant)}), and this ExternalSecret in namespace "${namespace}" belongs to tenant "${tenant.name}"`,
                );
            }
        }
        for (const [j, item] of entries(es.dataFrom)) {
            if (item.find !== undefined) {
                problem(
                    ["externalSecrets", i, "dataFrom", j, "find"],
                    `find lists the whole vault, which tenant "${tenant.name}"'s identity may not do; name its secrets in data or dataFrom.extract`,
                );
            }
        }
    }

    // Workloads mount a Secret of their own namespace.
    const workloads = new Set<string>();
    for (const [i, workload] of entries(values.workloads)) {
        const { name, namespace, externalSecret } = workload;
        if (typeof namespace !== "string") continue;
        if (typeof name === "string") {
            if (workloads.has(`${namespace}/${name}`)) {
                problem(
                    ["workloads", i, "name"],
                    `another workload already uses this name in namespace "${namespace}"; use a unique name`,
                );
            }
            workloads.add(`${namespace}/${name}`);
        }
        if (typeof externalSecret === "string" && !names.has(`${namespace}/${externalSecret}`)) {
            problem(
                ["workloads", i, "externalSecret"],
                `name an ExternalSecret from externalSecrets in namespace "${namespace}" (a Pod mounts Secrets of its own namespace only)`,
            );
        }
    }
    return problems;
}
