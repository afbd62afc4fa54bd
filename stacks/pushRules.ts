// Rules for `pushSecrets[]` and `generators[]`, and what they resolve into. ESO 2.9.0 has no admission webhook for
// PushSecrets or generators (the chart's ValidatingWebhookConfiguration covers stores and ExternalSecrets only:
// deploy/charts/external-secrets/templates/validatingwebhook.yaml): the API server admits any object its CRD schema
// allows, and ESO's controller or the generator then fails it, so `pulumi up` fails late, on the Ready wait. These
// rules refuse those cases first; each names the upstream file it encodes.
// Types only: crossChecks.ts lists these rules, so a value import back would be circular.
import type { CrossKeyRule, Problem } from "./crossChecks";
import type { ParsedStackConfig } from "./schema";
import type { PushedObjects } from "../components/vaultAccess";
import { KEY_VAULT_WRITE_ROLES, type KeyVaultObjectPath } from "../components/wellKnown";

type Config = ParsedStackConfig;
type PushSecretEntry = Config["pushSecrets"][number];
type GeneratorEntry = Config["generators"][number];
type PasswordSpec = GeneratorEntry["spec"];

/** Where each rule was read (external-secrets at v2.9.0 unless said otherwise). */
export const PUSH_SOURCES = {
    controller: "external-secrets pkg/controllers/pushsecret/pushsecret_controller.go",
    azurePush: "external-secrets providers/v1/azure/keyvault/keyvault.go, PushSecret",
    password:
        "external-secrets generators/v1/password/password.go, with github.com/sethvargo/go-password Generate (v0.3.1)",
} as const;

/** The tag azurekv sets on every secret it pushes, and requires before it overwrites or deletes one. */
export const ESO_MANAGED_BY_TAG = "managed-by";

/** The keys a Password generator writes: its secretKeys, else `password` (password.go validateSecretKeys). */
export function generatedKeys(spec: PasswordSpec): readonly string[] {
    return spec.secretKeys ?? ["password"];
}

/** go-password's alphabets, as ESO's Password generator uses them (password.go defaultSymbolChars). */
const LETTERS = 26;
const DIGITS = 10;
const DEFAULT_SYMBOLS = '~!@#$%^&*()_+`-={}|[]\\:"<>?,./';

/** Why ESO's Password generator would fail with this spec (go-password's Generate errors), if it would. */
export function passwordProblem(spec: PasswordSpec): Problem | undefined {
    // ESO fills unset digits and symbols with a quarter of the length, rounded down (password.go).
    const digits = spec.digits ?? Math.floor(spec.length * 0.25);
    const symbols = spec.symbols ?? Math.floor(spec.length * 0.25);
    const letters = spec.length - digits - symbols;
    const path = ["spec"];
    if (letters < 0) {
        return {
            path: [...path, "length"],
            message: `leaves no room for ${digits} digits and ${symbols} symbols: the generator fails with "number of digits and symbols must be less than total length" (${PUSH_SOURCES.password}); raise length or lower digits and symbols`,
        };
    }
    if (spec.allowRepeat) return undefined;
    const available = spec.noUpper ? LETTERS : 2 * LETTERS;
    if (letters > available) {
        return {
            path: [...path, "length"],
            message: `needs ${letters} distinct letters and only ${available} exist: without allowRepeat the generator fails with "number of letters exceeds available letters and repeats are not allowed" (${PUSH_SOURCES.password}); set allowRepeat, or more digits and symbols`,
        };
    }
    if (digits > DIGITS) {
        return {
            path: [...path, "digits"],
            message: `asks for ${digits} distinct digits and only ${DIGITS} exist: without allowRepeat the generator fails with "number of digits exceeds available digits and repeats are not allowed" (${PUSH_SOURCES.password}); set allowRepeat or at most ${DIGITS} digits`,
        };
    }
    const symbolCount = [...new Set(spec.symbolCharacters ?? DEFAULT_SYMBOLS)].length;
    if (symbols > symbolCount) {
        return {
            path: [...path, "symbols"],
            message: `asks for ${symbols} distinct symbols and only ${symbolCount} are available: without allowRepeat the generator fails with "number of symbols exceeds available symbols and repeats are not allowed" (${PUSH_SOURCES.password}); set allowRepeat or fewer symbols`,
        };
    }
    return undefined;
}

/**
 * The Key Vault object a remoteKey writes: its type (`key/x` a key, `cert/x` a certificate, else a secret, as azurekv's
 * getObjType reads the prefix) and its name.
 */
export function pushedObject(remoteKey: string): {
    readonly type: KeyVaultObjectPath;
    /** "secret", "key" or "certificate", for messages. */
    readonly object: string;
    readonly name: string;
} {
    const [type, role] = (
        Object.entries(KEY_VAULT_WRITE_ROLES) as Array<
            [KeyVaultObjectPath, (typeof KEY_VAULT_WRITE_ROLES)[KeyVaultObjectPath]]
        >
    ).find(([, r]) => remoteKey.startsWith(r.prefix)) ?? ["secrets", KEY_VAULT_WRITE_ROLES.secrets];
    return {
        type,
        object: role.object,
        name: remoteKey.startsWith(role.prefix) ? remoteKey.slice(role.prefix.length) : remoteKey,
    };
}

/** Whether a tenant owns a Key Vault secret name (as crossChecks.ts tenantMayRead). */
function tenantOwns(tenant: { readonly names: readonly string[]; readonly prefix?: string }, name: string): boolean {
    return tenant.names.includes(name) || (tenant.prefix !== undefined && name.startsWith(tenant.prefix));
}

/** Each namespace's tenant, as crossChecks reads it: the first tenant that lists it, never ESO's namespace. */
function tenantOwners(config: Config): Map<string, Config["tenants"][number]> {
    const owner = new Map<string, Config["tenants"][number]>();
    for (const tenant of config.tenants) {
        for (const ns of tenant.namespaces) if (!owner.has(ns) && ns !== config.eso.namespace) owner.set(ns, tenant);
    }
    return owner;
}

const generatorsAreUnique: CrossKeyRule = {
    name: "generators have unique names per namespace and can generate",
    reads: ["generators"],
    check: (config) => {
        const seen = new Set<string>();
        return config.generators.flatMap((gen, i): Problem[] => {
            const key = `${gen.kind}/${gen.namespace}/${gen.name}`;
            if (seen.has(key)) {
                return [
                    {
                        path: ["generators", i, "name"],
                        message: `another ${gen.kind} generator already uses this name in namespace "${gen.namespace}"; use a unique name`,
                    },
                ];
            }
            seen.add(key);
            const problem = passwordProblem(gen.spec);
            return problem === undefined ? [] : [{ ...problem, path: ["generators", i, ...problem.path] }];
        });
    },
};

/** The generator a reference names in a namespace, if generators[] declares it. */
function findGenerator(
    config: Config,
    namespace: string,
    ref: { readonly kind: string; readonly name: string },
): GeneratorEntry | undefined {
    return config.generators.find((g) => g.namespace === namespace && g.kind === ref.kind && g.name === ref.name);
}

function missingGenerator(config: Config, namespace: string, ref: { kind: string; name: string }): string {
    const known = config.generators.filter((g) => g.namespace === namespace).map((g) => `${g.kind} ${g.name}`);
    return `name a generator of generators[] in namespace "${namespace}" (${known.join(", ") || "none is declared there"}): ESO resolves a generatorRef in the object's own namespace and fails while ${ref.kind} "${ref.name}" does not exist there (${PUSH_SOURCES.controller}, resolveSecretFromGenerator)`;
}

const generatorRefsResolve: CrossKeyRule = {
    name: "every generatorRef names a generator of its namespace",
    reads: ["externalSecrets", "generators"],
    check: (config) =>
        config.externalSecrets.flatMap((es, i) =>
            es.dataFrom.flatMap((item, j): Problem[] =>
                "sourceRef" in item && findGenerator(config, es.namespace, item.sourceRef.generatorRef) === undefined
                    ? [
                          {
                              path: ["externalSecrets", i, "dataFrom", j, "sourceRef", "generatorRef", "name"],
                              message: missingGenerator(config, es.namespace, item.sourceRef.generatorRef),
                          },
                      ]
                    : [],
            ),
        ),
};

const pushSecretSourcesExist: CrossKeyRule = {
    name: "a PushSecret pushes a Secret this stack writes, or a generator's output, by keys that exist",
    reads: ["pushSecrets", "generators", "externalSecrets"],
    check: (config) => {
        const seen = new Set<string>();
        return config.pushSecrets.flatMap((ps, i): Problem[] => {
            const key = `${ps.namespace}/${ps.name}`;
            if (seen.has(key)) {
                return [
                    {
                        path: ["pushSecrets", i, "name"],
                        message: `another PushSecret already uses this name in namespace "${ps.namespace}"; use a unique name`,
                    },
                ];
            }
            seen.add(key);
            if ("generatorRef" in ps.selector) {
                const gen = findGenerator(config, ps.namespace, ps.selector.generatorRef);
                if (gen === undefined) {
                    return [
                        {
                            path: ["pushSecrets", i, "selector", "generatorRef", "name"],
                            message: missingGenerator(config, ps.namespace, ps.selector.generatorRef),
                        },
                    ];
                }
                // A template writes the keys it names; which it keeps of the generator's is ESO's template business.
                if (ps.template !== undefined) return [];
                const keys = generatedKeys(gen.spec);
                return ps.data.flatMap((item, j): Problem[] =>
                    item.match.secretKey === undefined || keys.includes(item.match.secretKey)
                        ? []
                        : [
                              {
                                  path: ["pushSecrets", i, "data", j, "match", "secretKey"],
                                  message: `${gen.kind} "${gen.name}" writes no such key (it writes ${keys.join(", ")}): ESO fails the push with "secret key ${item.match.secretKey} does not exist" (${PUSH_SOURCES.controller}, pushSecretEntry); use one of them`,
                              },
                          ],
                );
            }
            const name = ps.selector.secret.name;
            const writers = config.externalSecrets.filter((es) => es.namespace === ps.namespace);
            if (writers.some((es) => (es.target ?? es.name) === name)) return [];
            const targets = writers.map((es) => es.target ?? es.name);
            return [
                {
                    path: ["pushSecrets", i, "selector", "secret", "name"],
                    message: `names no Secret an ExternalSecret of this stack writes in namespace "${ps.namespace}" (${targets.join(", ") || "none"}): \`pulumi up\` waits for each PushSecret to be Ready, and ESO reports "could not get source secret" while the Secret does not exist (${PUSH_SOURCES.controller}, Reconcile); name one of them, or push a generator's output with selector.generatorRef`,
                },
            ];
        });
    },
};

type PushData = PushSecretEntry["data"][number];

/**
 * Why azurekv would fail, or silently drop part of, a push to a key or a certificate. It imports a key from one PEM
 * private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`; other bytes become a symmetric key, which a vault,
 * unlike a Managed HSM, does not hold) and a certificate from PKCS#12, DER or PEM (getKeyFromValue,
 * getCertificateFromValue), and sets only tags on either (setKeyVaultKey, setKeyVaultCertificate).
 */
function keyOrCertificateProblems(
    ps: PushSecretEntry,
    item: PushData,
    at: readonly PropertyKey[],
    object: string,
): Problem[] {
    const problems: Problem[] = [];
    const holds = object === "key" ? "one PEM private key" : "a PKCS#12, DER or PEM certificate with its private key";
    if (item.match.secretKey === undefined) {
        problems.push({
            path: [...at, "match", "secretKey"],
            required: true,
            because: `a Key Vault ${object} is imported from the key that holds ${holds}; without one ESO pushes the whole Secret as JSON, which Key Vault refuses (${PUSH_SOURCES.azurePush}, getSecretKey)`,
        });
    }
    if ("generatorRef" in ps.selector && ps.template === undefined) {
        problems.push({
            path: [...at, "match", "remoteRef", "remoteKey"],
            message: `a ${ps.selector.generatorRef.kind} generator writes a password, and a Key Vault ${object} is imported from ${holds} (${PUSH_SOURCES.azurePush}, getKeyFromValue, getCertificateFromValue); push the password to a secret name`,
        });
    }
    for (const field of ["expirationDate", "contentType"] as const) {
        if (item.metadata?.spec[field] !== undefined) {
            problems.push({
                path: [...at, "metadata", "spec", field],
                message: `azurekv sets ${field} on secrets only and imports a ${object} with its tags alone (${PUSH_SOURCES.azurePush}, setKeyVault${object === "key" ? "Key" : "Certificate"}); remove it`,
            });
        }
    }
    return problems;
}

const pushDestinationsAreSound: CrossKeyRule = {
    name: "a PushSecret writes Key Vault objects that nothing else writes, from values and with metadata azurekv accepts",
    reads: ["pushSecrets", "seededSecrets"],
    check: (config) => {
        const problems: Problem[] = [];
        const pushers = new Map<string, string>();
        config.pushSecrets.forEach((ps, i) =>
            ps.data.forEach((item, j) => {
                const at = ["pushSecrets", i, "data", j];
                const { remoteKey, property } = item.match.remoteRef;
                const pushed = pushedObject(remoteKey);
                if (pushed.type !== "secrets") problems.push(...keyOrCertificateProblems(ps, item, at, pushed.object));
                if (property !== undefined) {
                    problems.push({
                        path: [...at, "match", "remoteRef", "property"],
                        message: `Azure Key Vault's PushSecret ignores remoteRef.property and writes the whole value to remoteKey (${PUSH_SOURCES.azurePush}), so entries that differ only by property overwrite each other; remove it, and push each value to its own secret`,
                    });
                }
                if (item.metadata?.spec.tags?.[ESO_MANAGED_BY_TAG] !== undefined) {
                    problems.push({
                        path: [...at, "metadata", "spec", "tags", ESO_MANAGED_BY_TAG],
                        message: `ESO sets the "${ESO_MANAGED_BY_TAG}" tag itself and fails the push with "Cannot specify a '${ESO_MANAGED_BY_TAG}' tag" (${PUSH_SOURCES.azurePush}); remove it`,
                    });
                }
                const { name } = pushed;
                if (pushed.type === "secrets" && Object.hasOwn(config.seededSecrets, name)) {
                    problems.push({
                        path: [...at, "match", "remoteRef", "remoteKey"],
                        message: `"${name}" is a seeded secret, which this stack writes through Azure Resource Manager without ESO's "${ESO_MANAGED_BY_TAG}" tag: ESO refuses to overwrite it ("not managed by external-secrets", ${PUSH_SOURCES.azurePush}, canCreate); push to another name`,
                    });
                    return;
                }
                const first = pushers.get(`${pushed.type}/${name}`);
                if (first !== undefined) {
                    problems.push({
                        path: [...at, "match", "remoteRef", "remoteKey"],
                        message: `${first} already pushes Key Vault ${pushed.object} "${name}": two pushes would overwrite each other on every refresh (ESO refuses duplicates within one PushSecret: "duplicate remote key", ${PUSH_SOURCES.controller}, validateRemoteKeyUniqueness); push each ${pushed.object} once`,
                    });
                } else pushers.set(`${pushed.type}/${name}`, `pushSecrets[${i}].data[${j}]`);
            }),
        );
        return problems;
    },
};

const pushSecretsStayInTheirTenant: CrossKeyRule = {
    name: "a tenant pushes only its own secrets; the shared store only secrets no tenant owns, from namespaces it serves",
    reads: ["pushSecrets", "tenants", "eso", "store"],
    check: (config) => {
        const owner = tenantOwners(config);
        return config.pushSecrets.flatMap((ps, i): Problem[] => {
            const tenant = owner.get(ps.namespace);
            const problems: Problem[] = [];
            if (tenant === undefined && config.store.namespaces !== undefined) {
                if (!config.store.namespaces.includes(ps.namespace)) {
                    problems.push({
                        path: ["pushSecrets", i, "namespace"],
                        message: `namespace "${ps.namespace}" is not among store.namespaces (${config.store.namespaces.join(", ")}), so the shared ClusterSecretStore refuses this PushSecret; add it there`,
                    });
                }
            }
            ps.data.forEach((item, j) => {
                const { name, object } = pushedObject(item.match.remoteRef.remoteKey);
                const path = ["pushSecrets", i, "data", j, "match", "remoteRef", "remoteKey"];
                if (tenant !== undefined && !tenantOwns(tenant.secrets, name)) {
                    problems.push({
                        path,
                        message: `Key Vault ${object} "${name}" is not one of tenant "${tenant.name}"'s ${object === "secret" ? "secrets" : "names (tenants[].secrets)"}, and this PushSecret in namespace "${ps.namespace}" writes through tenant "${tenant.name}"'s store; push a name the tenant owns`,
                    });
                }
                const other =
                    tenant === undefined ? config.tenants.find((t) => tenantOwns(t.secrets, name)) : undefined;
                if (other !== undefined) {
                    problems.push({
                        path,
                        message: `Key Vault ${object} "${name}" belongs to tenant "${other.name}", and this PushSecret in namespace "${ps.namespace}" writes through the shared store; move it into one of the tenant's namespaces`,
                    });
                }
            });
            return problems;
        });
    },
};

const pushMetadataReachesKeyVault: CrossKeyRule = {
    name: "a pushed secret's expirationDate is applied by the SDK the stores use",
    reads: ["pushSecrets", "store"],
    check: (config) =>
        config.store.useAzureSDK === true
            ? config.pushSecrets.flatMap((ps, i) =>
                  ps.data.flatMap((item, j): Problem[] =>
                      item.metadata?.spec.expirationDate === undefined
                          ? []
                          : [
                                {
                                    path: ["pushSecrets", i, "data", j, "metadata", "spec", "expirationDate"],
                                    message: `store.useAzureSDK is true, and through the Azure SDK azurekv pushes a secret without its expirationDate (${PUSH_SOURCES.azurePush}, setKeyVaultSecretWithNewSDK; ESO's docs/provider/azure-key-vault.md); remove it, or leave store.useAzureSDK unset`,
                                },
                            ],
                  ),
              )
            : [],
};

/** Every rule of pushSecrets[] and generators[], in the order their problems are reported. */
export const PUSH_RULES: readonly CrossKeyRule[] = [
    generatorsAreUnique,
    generatorRefsResolve,
    pushSecretSourcesExist,
    pushDestinationsAreSound,
    pushSecretsStayInTheirTenant,
    pushMetadataReachesKeyVault,
];

/** A PushSecret as the program builds it: ESO's spec, its key among the stack's PushSecrets, and its tenant. */
export type PushSecretConfig = PushSecretEntry & {
    /** Its key among the stack's PushSecrets, `<namespace>/<name>`. */
    readonly key: string;
    /** The tenant whose store it writes through (its namespace's); undefined for the shared store. */
    readonly tenant?: string;
    /** The key of the ExternalSecret whose Secret it pushes, when it pushes one. */
    readonly externalSecretKey?: string;
};

/** A generator as the program builds it. */
export type GeneratorConfig = GeneratorEntry & {
    /** Its key among the stack's generators, `<namespace>/<name>`. */
    readonly key: string;
};

/** The PushSecrets with their keys, tenants and sources resolved. */
export function resolvePushSecrets(config: Config): PushSecretConfig[] {
    const owner = tenantOwners(config);
    return config.pushSecrets.map((ps) => ({
        ...ps,
        key: `${ps.namespace}/${ps.name}`,
        tenant: owner.get(ps.namespace)?.name,
        externalSecretKey:
            "secret" in ps.selector
                ? (() => {
                      const name = ps.selector.secret.name;
                      const es = config.externalSecrets.find(
                          (e) => e.namespace === ps.namespace && (e.target ?? e.name) === name,
                      );
                      return es === undefined ? undefined : `${es.namespace}/${es.name}`;
                  })()
                : undefined,
    }));
}

export function resolveGenerators(config: Config): GeneratorConfig[] {
    return config.generators.map((gen) => ({ ...gen, key: `${gen.namespace}/${gen.name}` }));
}

/** The Key Vault objects the given PushSecrets write, by type and sorted: one write grant each. */
export function pushedObjects(pushSecrets: readonly PushSecretConfig[]): PushedObjects {
    const of = (type: KeyVaultObjectPath) =>
        [
            ...new Set(
                pushSecrets
                    .flatMap((ps) =>
                        ps.data.map((d) => pushedObject(d.match.remoteRef.remoteKey)).filter((o) => o.type === type),
                    )
                    .map((o) => o.name),
            ),
        ].sort();
    return { secrets: of("secrets"), keys: of("keys"), certificates: of("certificates") };
}

/** The Key Vault secret names the given PushSecrets write, sorted: one "Key Vault Secrets Officer" grant each. */
export function pushedSecrets(pushSecrets: readonly PushSecretConfig[]): string[] {
    return [...pushedObjects(pushSecrets).secrets];
}
