// Rules that span keys: references between objects, names that must be unique, tenant boundaries, who owns each
// namespace, and what the real services would refuse. One table: each rule reads the validated configuration and
// returns its problems; config.ts renders them. Rules taken from upstream source name it (see ./upstream).
import { KEY_VAULT_PRIVATE_DNS_ZONE } from "../components/wellKnown";
import { PUSH_RULES } from "./pushRules";
import type { ParsedStackConfig } from "./schema";
import {
    aksIssuerProblem,
    externalSecretWebhookRefusals,
    isClusterNamespace,
    MAX_FEDERATED_CREDENTIALS,
    PRIVILEGED_NAMESPACES,
    SOURCES,
} from "./upstream";

type Config = ParsedStackConfig;
type ExternalSecretEntry = Config["externalSecrets"][number];
type TenantEntry = Config["tenants"][number];

/** A problem at a key: invalid (with the rule broken and its fix) or missing. */
export type Problem =
    | { readonly path: readonly PropertyKey[]; readonly message: string }
    | {
          readonly path: readonly PropertyKey[];
          readonly required: true;
          /** What `--path` names below the key, for an object: ".<key>". */
          readonly below?: string;
          /** Why it is required, when the rule is not obvious from the key. */
          readonly because?: string;
      };

export interface CrossKeyRule {
    /** What the rule protects, for readers and tests. */
    readonly name: string;
    /**
     * The top-level keys it reads. It runs when these are valid, even if others are not, so one pass reports
     * every problem it can.
     */
    readonly reads: ReadonlyArray<keyof Config>;
    readonly check: (config: Config) => Problem[];
}

/** The Key Vault object name behind a reference (`cert/x` -> `x`). */
export function objectName(reference: string): string {
    return reference.replace(/^(secret|cert|key)\//, "");
}

export function tenantMayRead(tenant: { names: readonly string[]; prefix?: string }, name: string): boolean {
    return tenant.names.includes(name) || (tenant.prefix !== undefined && name.startsWith(tenant.prefix));
}

function describeAllowance(tenant: TenantEntry): string {
    const parts = [];
    if (tenant.secrets.names.length > 0) parts.push(`names ${tenant.secrets.names.join(", ")}`);
    if (tenant.secrets.prefix !== undefined) parts.push(`prefix ${tenant.secrets.prefix}`);
    return parts.join("; ");
}

/** The Key Vault objects an ExternalSecret reads by name, with where each is configured. */
export function namedReferences(es: ExternalSecretEntry): Array<{ path: PropertyKey[]; reference: string }> {
    return [
        ...Object.entries(es.data).map(([key, ref]) => ({
            path: [...(es.paths.data[key] ?? ["data", key])],
            reference: typeof ref === "string" ? ref : ref.key,
        })),
        ...es.dataFrom.flatMap((item, i) =>
            "extract" in item ? [{ path: ["dataFrom", i, "extract", "key"], reference: item.extract.key }] : [],
        ),
    ];
}

/** Each namespace's tenant: the first tenant that lists it (a second is reported by the tenants rule). */
function owners(config: Config): Map<string, TenantEntry> {
    const owner = new Map<string, TenantEntry>();
    for (const tenant of config.tenants) {
        for (const namespace of tenant.namespaces) {
            if (!owner.has(namespace) && namespace !== config.eso.namespace) owner.set(namespace, tenant);
        }
    }
    return owner;
}

/** The tenant an ExternalSecret belongs to: declared, or its namespace's. */
function tenantOf(config: Config, es: ExternalSecretEntry): TenantEntry | undefined {
    return es.tenant === undefined
        ? owners(config).get(es.namespace)
        : config.tenants.find((tenant) => tenant.name === es.tenant);
}

/** ExternalSecrets with their index, skipping repeats of a name in a namespace (reported once, by its own rule). */
function uniqueExternalSecrets(config: Config): Array<[number, ExternalSecretEntry]> {
    const seen = new Set<string>();
    return config.externalSecrets.flatMap((es, i): Array<[number, ExternalSecretEntry]> => {
        const key = `${es.namespace}/${es.name}`;
        if (seen.has(key)) return [];
        seen.add(key);
        return [[i, es]];
    });
}

const tenantNamesAreUnique: CrossKeyRule = {
    name: "tenant names are unique",
    reads: ["tenants"],
    check: (config) => {
        const seen = new Set<string>();
        return config.tenants.flatMap((tenant, i): Problem[] => {
            const repeated = seen.has(tenant.name);
            seen.add(tenant.name);
            return repeated
                ? [{ path: ["tenants", i, "name"], message: "another tenant already has this name; use a unique name" }]
                : [];
        });
    },
};

const namespacesHaveOneTenant: CrossKeyRule = {
    name: "a namespace has at most one tenant, never ESO's",
    reads: ["tenants", "eso"],
    check: (config) => {
        const owner = new Map<string, string>();
        const problems: Problem[] = [];
        config.tenants.forEach((tenant, i) =>
            tenant.namespaces.forEach((namespace, j) => {
                const other = owner.get(namespace);
                if (namespace === config.eso.namespace) {
                    problems.push({
                        path: ["tenants", i, "namespaces", j],
                        message: `"${namespace}" is ESO's own namespace, which holds every tenant's credentials`,
                    });
                } else if (other !== undefined && other !== tenant.name) {
                    problems.push({
                        path: ["tenants", i, "namespaces", j],
                        message: `namespace "${namespace}" already belongs to tenant "${other}"; a namespace has one tenant`,
                    });
                } else owner.set(namespace, tenant.name);
            }),
        );
        return problems;
    },
};

const tenantIdentityMatchesMode: CrossKeyRule = {
    name: "a tenant's managed identity is given exactly in managedIdentity mode",
    reads: ["tenants", "auth"],
    check: (config) =>
        config.tenants.flatMap((tenant, i): Problem[] => {
            const path = ["tenants", i, "managedIdentity"];
            if (config.auth.mode === "managedIdentity" && tenant.managedIdentity === undefined) {
                return [{ path, required: true, below: ".<key>" }];
            }
            if (config.auth.mode !== "managedIdentity" && tenant.managedIdentity !== undefined) {
                return [
                    {
                        path,
                        message: `is only used with auth.mode managedIdentity (auth.mode is ${config.auth.mode})`,
                    },
                ];
            }
            return [];
        }),
};

const federatedCredentialsFit: CrossKeyRule = {
    name: `an app registration holds at most ${MAX_FEDERATED_CREDENTIALS} federated credentials`,
    reads: ["auth", "tenants"],
    check: (config) =>
        config.auth.mode !== "workloadIdentity"
            ? []
            : config.tenants.flatMap((tenant, i): Problem[] =>
                  tenant.storeKind === "SecretStore" && tenant.namespaces.length > MAX_FEDERATED_CREDENTIALS
                      ? [
                            {
                                path: ["tenants", i, "namespaces"],
                                message: `needs one federated credential per namespace with storeKind SecretStore, and an app registration holds at most ${MAX_FEDERATED_CREDENTIALS} (${SOURCES.entraFederatedCredentials}); use storeKind ClusterSecretStore or split the tenant`,
                            },
                        ]
                      : [],
              ),
};

const clusterIsNamedOnce: CrossKeyRule = {
    name: "the cluster is reached one way, and its issuer given once",
    reads: ["kubernetes", "kubeconfig", "auth"],
    check: (config) => {
        const named = config.kubernetes.aks !== undefined;
        const problems: Problem[] = [];
        if (named && config.kubernetes.context !== undefined) {
            problems.push({
                path: ["kubernetes", "context"],
                message:
                    "kubernetes.aks names the cluster, whose kubeconfig is read from Azure; remove kubernetes.context",
            });
        }
        if (named && config.kubeconfig !== undefined) {
            problems.push({
                path: ["kubeconfig"],
                message: "kubernetes.aks names the cluster, whose kubeconfig is read from Azure; remove kubeconfig",
            });
        }
        if (config.auth.mode === "workloadIdentity") {
            if (!named && config.auth.oidcIssuerUrl === undefined) {
                problems.push({
                    path: ["auth", "oidcIssuerUrl"],
                    required: true,
                    because:
                        "workload identity trusts the cluster's OIDC issuer: set it, or name the AKS cluster with kubernetes.aks (resourceGroupName, name) to read it from Azure",
                });
            }
            if (named && config.auth.oidcIssuerUrl !== undefined) {
                problems.push({
                    path: ["auth", "oidcIssuerUrl"],
                    message:
                        "kubernetes.aks names the cluster, whose issuer is read from Azure; remove auth.oidcIssuerUrl so the two cannot differ",
                });
            }
        }
        return problems;
    },
};

const issuerMatchesTheCluster: CrossKeyRule = {
    name: "the OIDC issuer is spelled exactly as the cluster issues it",
    reads: ["auth"],
    check: (config) => {
        if (config.auth.mode !== "workloadIdentity" || config.auth.oidcIssuerUrl === undefined) return [];
        const problem = aksIssuerProblem(config.auth.oidcIssuerUrl);
        return problem === undefined
            ? []
            : [{ path: ["auth", "oidcIssuerUrl"], message: `${problem} (${SOURCES.entraFederatedMatch})` }];
    },
};

const productionKeepsPurgeProtection: CrossKeyRule = {
    name: "a production vault keeps purge protection",
    reads: ["production", "vault"],
    check: (config) =>
        config.production && !config.vault.existing && config.vault.purgeProtection === false
            ? [
                  {
                      path: ["vault", "purgeProtection"],
                      message: "a production vault keeps purge protection on (production is true)",
                  },
              ]
            : [],
};

const adoptedVaultIsOnlyReferenced: CrossKeyRule = {
    name: "an adopted vault is named and only referenced",
    reads: ["vault"],
    check: (config) => {
        if (!config.vault.existing) return [];
        const problems: Problem[] = [];
        if (config.vault.name === undefined) problems.push({ path: ["vault", "name"], required: true });
        for (const key of ["softDeleteRetentionDays", "purgeProtection", "createMode", "network"] as const) {
            if (config.vault[key] !== undefined) {
                problems.push({
                    path: ["vault", key],
                    message:
                        "applies only to a vault this stack creates; vault.existing is true, so the vault is only referenced",
                });
            }
        }
        return problems;
    },
};

const storeCloudIsTheVaults: CrossKeyRule = {
    name: "the stores' environmentType is the vault's cloud",
    reads: ["store", "azure"],
    check: (config) => {
        const { environmentType } = config.store;
        const cloud = config.azure.cloud;
        return environmentType === undefined || environmentType === cloud
            ? []
            : [
                  {
                      path: ["store", "environmentType"],
                      message: `every store signs in to the cloud of the vault, azure.cloud "${cloud}", where the providers create or find it: ESO would ask ${environmentType}'s Entra ID and Key Vault endpoints for a vault in ${cloud} (external-secrets providers/v1/azure/keyvault/keyvault.go, AadEndpointForType); set store.environmentType to ${cloud}, or leave it out (it follows azure.cloud)`,
                  },
              ];
    },
};

const sharedStoreStaysOutOfTenants: CrossKeyRule = {
    name: "the shared store and Velero's credentials stay out of tenants' namespaces",
    reads: ["store", "velero", "tenants", "eso"],
    check: (config) => {
        const owner = owners(config);
        const problems: Problem[] = [];
        (config.store.namespaces ?? []).forEach((namespace, j) => {
            const tenant = owner.get(namespace);
            if (tenant !== undefined) {
                problems.push({
                    path: ["store", "namespaces", j],
                    message: `namespace "${namespace}" belongs to tenant "${tenant.name}"; the shared store reads secrets no tenant owns and must not serve it`,
                });
            }
        });
        const velero = config.velero?.namespace;
        if (velero !== undefined && owner.has(velero)) {
            problems.push({
                path: ["velero", "namespace"],
                message: `namespace "${velero}" belongs to tenant "${owner.get(velero)?.name}"; Velero's credentials are the platform's`,
            });
        }
        return problems;
    },
};

const externalSecretsAreUnique: CrossKeyRule = {
    name: "ExternalSecrets have unique names and write distinct Secrets",
    reads: ["externalSecrets", "velero"],
    check: (config) => {
        const problems: Problem[] = [];
        const names = new Map<string, number>();
        const targets = new Map<string, string>();
        if (config.velero !== undefined) {
            targets.set(`${config.velero.namespace}/${config.velero.secretName}`, "the velero preset");
        }
        config.externalSecrets.forEach((es, i) => {
            const first = names.get(`${es.namespace}/${es.name}`);
            if (first !== undefined) {
                problems.push({
                    path: ["externalSecrets", i, "name"],
                    message: `externalSecrets[${first}] already uses this name in namespace "${es.namespace}"; use a unique name`,
                });
                return;
            }
            names.set(`${es.namespace}/${es.name}`, i);
            const target = es.target ?? es.name;
            const writer = targets.get(`${es.namespace}/${target}`);
            if (writer !== undefined) {
                problems.push({
                    path: ["externalSecrets", i, ...(es.target === undefined ? ["name"] : es.paths.target)],
                    message: `${writer} already writes the Secret "${target}" in namespace "${es.namespace}"; two ExternalSecrets would overwrite each other`,
                });
            } else targets.set(`${es.namespace}/${target}`, `externalSecrets[${i}]`);
        });
        return problems;
    },
};

const externalSecretsStayInTheirTenant: CrossKeyRule = {
    name: "a tenant's ExternalSecrets live in its namespaces and read only its secrets, by name",
    reads: ["externalSecrets", "tenants", "eso"],
    check: (config) =>
        uniqueExternalSecrets(config).flatMap(([i, es]): Problem[] => {
            if (es.tenant !== undefined && !config.tenants.some((t) => t.name === es.tenant)) {
                const known = config.tenants.map((t) => t.name).join(", ") || "none are configured";
                return [{ path: ["externalSecrets", i, "tenant"], message: `name one of the tenants (${known})` }];
            }
            const tenant = tenantOf(config, es);
            if (tenant === undefined) return [];
            const problems: Problem[] = [];
            if (!tenant.namespaces.includes(es.namespace)) {
                problems.push({
                    path: ["externalSecrets", i, "namespace"],
                    message: `namespace "${es.namespace}" is not one of tenant "${tenant.name}"'s namespaces (${tenant.namespaces.join(", ")})`,
                });
            }
            for (const { path, reference } of namedReferences(es)) {
                const object = objectName(reference);
                if (!tenantMayRead(tenant.secrets, object)) {
                    problems.push({
                        path: ["externalSecrets", i, ...path],
                        message: `Key Vault object "${object}" is not one of tenant "${tenant.name}"'s secrets (${describeAllowance(tenant)}), and this ExternalSecret in namespace "${es.namespace}" belongs to tenant "${tenant.name}"`,
                    });
                }
            }
            es.dataFrom.forEach((item, j) => {
                if ("find" in item) {
                    problems.push({
                        path: ["externalSecrets", i, "dataFrom", j, "find"],
                        message: `find lists the whole vault, which tenant "${tenant.name}"'s identity may not do; name its secrets in data or dataFrom.extract`,
                    });
                }
            });
            return problems;
        }),
};

/** Whether the shared store's identity reads the whole vault: by default only when there are no tenants. */
export function sharedReadsWholeVault(config: Pick<Config, "store" | "tenants">): boolean {
    return config.store.vaultWideAccess ?? config.tenants.length === 0;
}

const sharedStoreReadsNoTenantSecret: CrossKeyRule = {
    name: "unless vault-wide, the shared store reads named secrets no tenant owns",
    reads: ["store", "tenants", "externalSecrets", "eso"],
    check: (config) => {
        if (sharedReadsWholeVault(config)) return [];
        return uniqueExternalSecrets(config).flatMap(([i, es]): Problem[] => {
            if (tenantOf(config, es) !== undefined || es.tenant !== undefined) return [];
            const problems: Problem[] = [];
            for (const { path, reference } of config.tenants.length === 0 ? [] : namedReferences(es)) {
                const object = objectName(reference);
                const tenant = config.tenants.find((t) => tenantMayRead(t.secrets, object));
                if (tenant !== undefined) {
                    problems.push({
                        path: ["externalSecrets", i, ...path],
                        message: `Key Vault object "${object}" belongs to tenant "${tenant.name}", and this ExternalSecret in namespace "${es.namespace}" reads through the shared store; move it into one of the tenant's namespaces`,
                    });
                }
            }
            es.dataFrom.forEach((item, j) => {
                if ("find" in item) {
                    problems.push({
                        path: ["externalSecrets", i, "dataFrom", j, "find"],
                        message:
                            config.tenants.length === 0
                                ? "find lists the whole vault, and store.vaultWideAccess is false; name the secrets, or set store.vaultWideAccess to true"
                                : "find lists the whole vault, and with tenants the shared store's identity reads only the secrets no tenant owns; name the secrets, or set store.vaultWideAccess to true to let it read every secret, tenants' included",
                    });
                }
            });
            return problems;
        });
    },
};

const webhookAdmitsExternalSecrets: CrossKeyRule = {
    name: "ESO's admission webhook admits every ExternalSecret",
    reads: ["externalSecrets"],
    check: (config) =>
        config.externalSecrets.flatMap((es, i) => {
            const spec = {
                target: { creationPolicy: es.creationPolicy, deletionPolicy: es.deletionPolicy, template: es.template },
                data: Object.keys(es.data).map((secretKey) => ({ secretKey })),
                dataFrom: es.dataFrom,
            };
            return externalSecretWebhookRefusals(spec).map((refusal) => ({
                // Target fields are where the entry wrote them: `target.deletionPolicy` (ESO's) or `deletionPolicy`.
                path: ["externalSecrets", i, ...configPath(es, refusal.path)],
                message: `ESO's admission webhook refuses it: ${refusal.rule} (${SOURCES.esoWebhook}); ${refusal.fix}`,
            }));
        }),
};

/** Where an entry wrote the field at an ESO spec path: target fields may sit at the top level (the shorthand). */
function configPath(es: ExternalSecretEntry, specPath: readonly PropertyKey[]): PropertyKey[] {
    const [head, field, ...rest] = specPath;
    if (head !== "target") return [...specPath];
    if (field === "template") return [...es.paths.template, ...rest];
    if (field === "creationPolicy" || field === "deletionPolicy") return [...es.paths[field], ...rest];
    return [...specPath];
}

/** The store an ExternalSecret reads through: its tenant's, or the shared one. */
function storeOf(config: Config, es: ExternalSecretEntry): { kind: string; name: string } {
    const tenant = tenantOf(config, es);
    return tenant === undefined
        ? { kind: "ClusterSecretStore", name: config.store.name }
        : { kind: tenant.storeKind, name: tenant.storeName ?? `${tenant.name}-keyvault` };
}

const externalSecretsNameTheirOwnStore: CrossKeyRule = {
    name: "an ExternalSecret's secretStoreRef, if any, names the store its namespace reads through",
    reads: ["externalSecrets", "store", "tenants", "eso"],
    check: (config) =>
        config.externalSecrets.flatMap((es, i): Problem[] => {
            if (es.secretStoreRef === undefined) return [];
            const store = storeOf(config, es);
            // ESO reads a secretStoreRef without a kind as a SecretStore.
            const named = { kind: es.secretStoreRef.kind ?? "SecretStore", name: es.secretStoreRef.name };
            if (named.kind === store.kind && named.name === store.name) return [];
            return [
                {
                    path: ["externalSecrets", i, "secretStoreRef"],
                    message: `an ExternalSecret reads through its namespace's store, here ${store.kind} "${store.name}" (${tenantOf(config, es) === undefined ? "the shared store" : "its tenant's"}), whose identity this stack grants exactly what it reads; name that store ({ kind: ${store.kind}, name: ${store.name} }) or leave secretStoreRef out`,
                },
            ];
        }),
};

/**
 * Who owns each namespace the configuration uses. The stack creates a namespace only when told to
 * (`kubernetes.ownedNamespaces`); one that exists already is someone else's (`kubernetes.existingNamespaces`):
 * creating it would fail with AlreadyExists, and deleting it with the stack would delete everything in it. ESO's
 * namespace belongs to the operator, and Velero's to Velero.
 */
const namespacesHaveAnOwner: CrossKeyRule = {
    name: "every namespace is owned by the stack or declared existing, and no stack owns the cluster's own",
    reads: ["kubernetes", "eso", "velero", "externalSecrets", "workloads", "tenants", "pushSecrets", "generators"],
    check: (config) => {
        const { ownedNamespaces: owned, existingNamespaces: existing } = config.kubernetes;
        const problems: Problem[] = [];
        owned.forEach((namespace, j) => {
            const path = ["kubernetes", "ownedNamespaces", j];
            if (isClusterNamespace(namespace)) {
                problems.push({
                    path,
                    message: `"${namespace}" is one of the cluster's own namespaces, which no stack creates, labels or deletes (${SOURCES.kubernetesInitialNamespaces})`,
                });
            } else if (existing.includes(namespace)) {
                problems.push({
                    path,
                    message: `"${namespace}" is also in kubernetes.existingNamespaces; a namespace is either the stack's or someone else's`,
                });
            } else if (namespace === config.eso.namespace) {
                problems.push({
                    path,
                    message: `"${namespace}" is ESO's namespace (eso.namespace), which the operator creates; list it in kubernetes.existingNamespaces only if it exists already`,
                });
            } else if (namespace === config.velero?.namespace || PRIVILEGED_NAMESPACES.includes(namespace)) {
                problems.push({
                    path,
                    message: `"${namespace}" is Velero's namespace, which Velero's installation creates and owns; the stack would create it under the "restricted" Pod Security level, which refuses the privileged pods it runs (${SOURCES.privilegedNamespaces}): list it in kubernetes.existingNamespaces`,
                });
            }
        });
        const declared = new Set([...owned, ...existing, config.eso.namespace, config.velero?.namespace]);
        const uses: Array<[PropertyKey[], string]> = [
            ...config.externalSecrets.map((es, i): [PropertyKey[], string] => [
                ["externalSecrets", i, "namespace"],
                es.namespace,
            ]),
            ...config.workloads.map((w, i): [PropertyKey[], string] => [["workloads", i, "namespace"], w.namespace]),
            ...config.pushSecrets.map((p, i): [PropertyKey[], string] => [
                ["pushSecrets", i, "namespace"],
                p.namespace,
            ]),
            ...config.generators.map((g, i): [PropertyKey[], string] => [["generators", i, "namespace"], g.namespace]),
            ...config.tenants.flatMap((t, i) =>
                t.namespaces.map((ns, j): [PropertyKey[], string] => [["tenants", i, "namespaces", j], ns]),
            ),
        ];
        for (const [path, namespace] of uses) {
            if (declared.has(namespace)) continue;
            declared.add(namespace);
            problems.push({
                path,
                message: `namespace "${namespace}" has no owner: list it in kubernetes.ownedNamespaces (the stack creates it under the "restricted" Pod Security level and deletes it, with everything in it, on destroy) or in kubernetes.existingNamespaces (it exists already; the stack only uses it)`,
            });
        }
        return problems;
    },
};

const workloadsMountTheirOwnSecrets: CrossKeyRule = {
    name: "workloads are unique and mount a Secret of their own namespace",
    reads: ["workloads", "externalSecrets"],
    check: (config) => {
        const problems: Problem[] = [];
        const workloads = new Set<string>();
        const externalSecrets = new Set(config.externalSecrets.map((es) => `${es.namespace}/${es.name}`));
        config.workloads.forEach((workload, i) => {
            const key = `${workload.namespace}/${workload.name}`;
            if (workloads.has(key)) {
                problems.push({
                    path: ["workloads", i, "name"],
                    message: `another workload already uses this name in namespace "${workload.namespace}"; use a unique name`,
                });
            }
            workloads.add(key);
            if (!externalSecrets.has(`${workload.namespace}/${workload.externalSecret}`)) {
                problems.push({
                    path: ["workloads", i, "externalSecret"],
                    message: `name an ExternalSecret from externalSecrets in namespace "${workload.namespace}" (a Pod mounts Secrets of its own namespace only)`,
                });
            }
        });
        return problems;
    },
};

/** Microsoft's built-in Azure Policy definitions for Key Vault networks (Azure/azure-policy, "Key Vault"). */
const KEY_VAULT_NETWORK_POLICIES =
    'Azure Policy 405c5871-3e91-4644-8a63-58e19d68ff5b "Azure Key Vault should disable public network access" and ' +
    'a6abeaec-4d90-4a02-805f-6b26c4d3fbe9 "Azure Key Vaults should use private link"';

const productionVaultIsPrivate: CrossKeyRule = {
    name: "a production vault is reached through a private endpoint",
    reads: ["production", "vault", "fleet"],
    check: (config) =>
        // A cluster stack's vault is its vault stack's, which this rule holds to.
        config.production &&
        config.fleet?.role !== "cluster" &&
        !config.vault.existing &&
        config.vault.network?.privateEndpoint === undefined
            ? [
                  {
                      path: ["vault", "network", "privateEndpoint"],
                      required: true,
                      below: ".subnetId",
                      because: `production is true, and a production vault is private: a private endpoint in the cluster's network, public network access disabled (${KEY_VAULT_NETWORK_POLICIES}). Set privateEndpoint.subnetId and privateEndpoint.vnetId (README, "Private vault")`,
                  },
              ]
            : [],
};

const vaultNetworkIsCoherent: CrossKeyRule = {
    name: "a vault network without public access has a private endpoint and no firewall rules",
    reads: ["vault"],
    check: (config) => {
        const network = config.vault.network;
        if (network === undefined || config.vault.existing) return [];
        const access = network.publicNetworkAccess ?? (network.privateEndpoint === undefined ? "enabled" : "disabled");
        if (access === "enabled") return [];
        const problems: Problem[] = [];
        if (network.privateEndpoint === undefined) {
            problems.push({
                path: ["vault", "network", "publicNetworkAccess"],
                message:
                    'with public network access disabled and no private endpoint nothing, ESO included, reaches the vault\'s data plane; set vault.network.privateEndpoint, or use "enabled"',
            });
        }
        for (const key of ["allowedIps", "allowedSubnetIds", "deployerIps"] as const) {
            if (network[key].length > 0) {
                problems.push({
                    path: ["vault", "network", key],
                    message:
                        'Key Vault ignores firewall rules while public network access is disabled (azure-native VaultProperties.publicNetworkAccess: "even if the firewall rules are present we will not honor the rules"); remove them, or set vault.network.publicNetworkAccess to "enabled" to let these networks through the firewall',
                });
            }
        }
        return problems;
    },
};

const privateDnsZoneResolvesTheVault: CrossKeyRule = {
    name: "the private DNS zone is the cloud's Key Vault zone, linked to the cluster's network",
    reads: ["vault", "azure"],
    check: (config) => {
        const endpoint = config.vault.existing ? undefined : config.vault.network?.privateEndpoint;
        if (endpoint === undefined) return [];
        const path = ["vault", "network", "privateEndpoint"];
        const zoneName = KEY_VAULT_PRIVATE_DNS_ZONE[config.azure.cloud];
        if (endpoint.dnsZoneId === undefined) {
            const problems: Problem[] = [];
            if (zoneName === undefined) {
                problems.push({
                    path: [...path, "dnsZoneId"],
                    required: true,
                    because: `Microsoft publishes no Key Vault private DNS zone name for ${config.azure.cloud}, so the stack cannot create one; adopt your zone by id`,
                });
            }
            if (endpoint.vnetId === undefined) {
                problems.push({
                    path: [...path, "vnetId"],
                    required: true,
                    because: `the stack creates the private DNS zone ${zoneName ?? "for the vault"}, and only a virtual network linked to it resolves the vault's name to the private endpoint; name the cluster's virtual network`,
                });
            }
            return problems;
        }
        const adopted = endpoint.dnsZoneId.split("/").at(-1) ?? "";
        return zoneName !== undefined && adopted.toLowerCase() !== zoneName
            ? [
                  {
                      path: [...path, "dnsZoneId"],
                      message: `names the zone "${adopted}", but in ${config.azure.cloud} Key Vault's private endpoints resolve through "${zoneName}" (Microsoft, "Azure Private Endpoint private DNS zone values"); adopt that zone`,
                  },
              ]
            : [];
    },
};

const adoptedWorkspaceIsOnlyReferenced: CrossKeyRule = {
    name: "an adopted Log Analytics workspace keeps its own retention",
    reads: ["monitoring"],
    check: (config) =>
        config.monitoring.logs?.workspaceId !== undefined && config.monitoring.logs.retentionInDays !== undefined
            ? [
                  {
                      path: ["monitoring", "logs", "retentionInDays"],
                      message:
                          "applies only to a workspace this stack creates; monitoring.logs.workspaceId names an existing one, whose retention is its owner's",
                  },
              ]
            : [],
};

/** Every rule, in the order their problems are reported. */
export const CROSS_KEY_RULES: readonly CrossKeyRule[] = [
    tenantNamesAreUnique,
    namespacesHaveOneTenant,
    tenantIdentityMatchesMode,
    federatedCredentialsFit,
    clusterIsNamedOnce,
    issuerMatchesTheCluster,
    productionKeepsPurgeProtection,
    adoptedVaultIsOnlyReferenced,
    productionVaultIsPrivate,
    vaultNetworkIsCoherent,
    privateDnsZoneResolvesTheVault,
    storeCloudIsTheVaults,
    sharedStoreStaysOutOfTenants,
    externalSecretsAreUnique,
    externalSecretsStayInTheirTenant,
    externalSecretsNameTheirOwnStore,
    sharedStoreReadsNoTenantSecret,
    webhookAdmitsExternalSecrets,
    namespacesHaveAnOwner,
    workloadsMountTheirOwnSecrets,
    adoptedWorkspaceIsOnlyReferenced,
    ...PUSH_RULES,
];

/** The problems of every rule whose keys are all valid (`invalidKeys` are the top-level keys the schema refused). */
export function crossKeyProblems(config: Config, invalidKeys: ReadonlySet<string> = new Set()): Problem[] {
    return CROSS_KEY_RULES.filter((rule) => !rule.reads.some((key) => invalidKeys.has(key))).flatMap((rule) =>
        rule.check(config),
    );
}
