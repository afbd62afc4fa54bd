// The shape of one `externalSecrets[]` entry. It takes ESO's v1 ExternalSecretSpec under ESO's own field names and
// shapes (external-secrets apis/externalsecrets/v1/externalsecret_types.go), so an example from ESO's docs pastes in,
// and the project's shorthands beside them: `data` as a map, `target` as a name, the target's policies and template
// at the top level, and the `certificate` preset. Each entry is resolved into one form; `paths` remembers where each
// relocated field was written, so a rule that fails on it names the key the user wrote.
//
// What the project reads itself (Key Vault names, stores, generators, policies) is modelled here. What it only hands
// to ESO (`target.template.templateFrom`, `dataFrom[].rewrite`, `syncWindows`) is shaped here by key and checked
// against ESO's CRD schema by stacks/esoCrdSchema.ts.
import * as v from "valibot";
import { generatorRef } from "./pushSchema";
import * as rules from "./rules";

export const EXTERNAL_SECRET_DEFAULTS = { refreshInterval: "1h", creationPolicy: "Owner" } as const;

/** Where the preset's PKCS#12 or PEM bundle is read into, before the template turns it into tls.crt and tls.key. */
export const CERTIFICATE_BUNDLE_KEY = "tls";

/**
 * The preset's templates, as ESO's Azure Key Vault guide writes them: a certificate's private key is read through
 * the secret that backs it (`secret/<name>`), PKCS#12 by default (Key Vault's content type application/x-pkcs12,
 * base64), or PEM (application/x-pem-file).
 */
export const CERTIFICATE_TEMPLATES = {
    pkcs12: {
        "tls.crt": `{{ .${CERTIFICATE_BUNDLE_KEY} | b64dec | pkcs12cert }}`,
        "tls.key": `{{ .${CERTIFICATE_BUNDLE_KEY} | b64dec | pkcs12key }}`,
    },
    pem: {
        "tls.crt": `{{ .${CERTIFICATE_BUNDLE_KEY} | filterPEM "CERTIFICATE" }}`,
        "tls.key": `{{ .${CERTIFICATE_BUNDLE_KEY} | filterPEM "PRIVATE KEY" }}`,
    },
} as const;

const decodingStrategy = v.optional(
    rules.oneOf(["Auto", "Base64", "Base64URL", "None"], "use Auto, Base64, Base64URL or None (ESO decoding strategy)"),
);
const conversionStrategy = v.optional(
    rules.oneOf(["Default", "Unicode"], "use Default or Unicode (ESO conversion strategy)"),
);
const nullBytePolicy = v.optional(
    rules.oneOf(["Ignore", "Fail"], "use Ignore or Fail (ESO null byte policy, for values holding NUL bytes)"),
);

/** One Key Vault object: `key` with `secret/`, `cert/` or `key/`, a JSON `property`, a pinned `version`. */
const remoteRef = v.strictObject({
    key: rules.keyVaultObject(),
    property: v.optional(
        rules.text("use the name of a property of the JSON secret, or of a tag with metadataPolicy Fetch"),
    ),
    version: v.optional(rules.keyVaultVersion()),
    decodingStrategy,
    conversionStrategy,
    nullBytePolicy,
    metadataPolicy: v.optional(
        rules.oneOf(["None", "Fetch"], "use None (the value) or Fetch (the object's tags; ESO metadata policy)"),
    ),
});

/**
 * Renames or merges the keys read (ESO's rewrite: regexp, transform or merge, one per entry); ESO's CRD schema checks
 * the rest.
 */
const rewrite = v.optional(
    v.array(
        v.pipe(
            v.strictObject({
                regexp: v.optional(v.unknown()),
                transform: v.optional(v.unknown()),
                merge: v.optional(v.unknown()),
            }),
            v.check(
                (r) => [r.regexp, r.transform, r.merge].filter((x) => x !== undefined).length === 1,
                "set regexp, transform or merge, one of them",
            ),
        ),
        "use a list of { regexp: { source, target } }, { transform: { template } } or { merge: { strategy, into } }",
    ),
);

const dataFromRule =
    "use { extract: { key: <secret> } } (a JSON secret to keys), { find: { name: { regexp: <re> } } } / { find: { tags: {...} } }, or { sourceRef: { generatorRef: { kind: Password, name: <generator> } } }";

const extractItem = v.strictObject({ extract: remoteRef, rewrite });
const findItem = v.strictObject({
    find: v.pipe(
        v.strictObject({
            name: v.optional(v.strictObject({ regexp: rules.regularExpression() })),
            tags: v.optional(rules.map(v.string(), v.string(), "use a map of tag names to values")),
            path: v.optional(rules.text("use a prefix of the secrets' names")),
            decodingStrategy,
            conversionStrategy,
            nullBytePolicy,
        }),
        v.check((find) => find.name !== undefined || find.tags !== undefined, "set name.regexp, tags or both"),
    ),
    rewrite,
});
/** A generator of generators[] in the ExternalSecret's namespace writes the keys. */
const sourceRefItem = v.strictObject({ sourceRef: v.strictObject({ generatorRef }), rewrite });
const noSource = v.custom<never>(() => false, dataFromRule);

/** One dataFrom entry, told apart by the source it names, so a mistake inside it is reported where it is. */
const dataFrom = v.lazy((input: unknown) => {
    const has = (key: string) => input !== null && typeof input === "object" && key in input;
    if (has("extract")) return extractItem;
    if (has("find")) return findItem;
    if (has("sourceRef")) return sourceRefItem;
    return noSource;
});

/** ESO's template engine v2: what the written Secret looks like. */
const template = v.strictObject({
    type: v.optional(rules.text("use a Secret type such as Opaque")),
    engineVersion: v.optional(rules.oneOf(["v2"], "use v2 (the only template engine ESO v1 serves)")),
    data: v.optional(
        rules.map(rules.k8sSecretKey(), v.string("use a template string"), "use a map of keys to templates"),
    ),
    metadata: v.optional(
        v.strictObject({
            labels: v.optional(rules.map(v.string(), v.string(), "use a map of label names to values")),
            annotations: v.optional(rules.map(v.string(), v.string(), "use a map of annotation names to values")),
            finalizers: v.optional(v.array(rules.text("use a finalizer name"), "use a list of finalizer names")),
        }),
    ),
    mergePolicy: v.optional(rules.oneOf(["Replace", "Merge"], "use Replace or Merge (ESO template merge policy)")),
    /** Templates from ConfigMaps, Secrets or literals; ESO's CRD schema checks each. */
    templateFrom: v.optional(
        v.array(
            v.strictObject({
                configMap: v.optional(v.unknown()),
                secret: v.optional(v.unknown()),
                literal: v.optional(v.string("use a template string")),
                target: v.optional(rules.text("use Data, Annotations or Labels")),
            }),
            "use a list of { configMap | secret: { name, items }, literal, target }",
        ),
    ),
});

const creationPolicy = rules.oneOf(
    ["Owner", "Orphan", "Merge", "CreateOrMerge", "None"],
    "use Owner, Orphan, Merge, CreateOrMerge or None (ESO creation policy)",
);
const deletionPolicy = rules.oneOf(["Retain", "Delete", "Merge"], "use Retain, Delete or Merge (ESO deletion policy)");

/** ESO's ExternalSecretTarget; a target that is not a Secret (`manifest`) is not offered. */
const esoTarget = v.strictObject({
    name: v.optional(rules.k8sName()),
    creationPolicy: v.optional(creationPolicy),
    deletionPolicy: v.optional(deletionPolicy),
    template: v.optional(template),
    immutable: v.optional(rules.bool()),
});

/** The project's shorthand: Secret key -> Key Vault object name, or its remoteRef. */
const dataMap = rules.map(
    rules.k8sSecretKey(),
    v.union(
        [rules.keyVaultObject(), remoteRef],
        "use a Key Vault object name, or { key, property, version, decodingStrategy, conversionStrategy, metadataPolicy, nullBytePolicy }",
    ),
    "use a map of Secret keys to Key Vault objects",
);

/** ESO's own: a list of { secretKey, remoteRef }. */
const dataList = v.pipe(
    v.array(
        v.strictObject({ secretKey: rules.k8sSecretKey(), remoteRef }),
        "use a list of { secretKey, remoteRef: { key } }",
    ),
    v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        const seen = new Set<string>();
        dataset.value.forEach((item, i) => {
            if (seen.has(item.secretKey)) {
                addIssue({
                    message: "give each data entry its own secretKey; a later one would overwrite an earlier one",
                    path: [
                        {
                            type: "array",
                            origin: "value",
                            input: dataset.value,
                            key: i,
                            value: item,
                        },
                        {
                            type: "object",
                            origin: "value",
                            input: item,
                            key: "secretKey",
                            value: item.secretKey,
                        },
                    ],
                });
            }
            seen.add(item.secretKey);
        });
    }),
);

/** The certificate preset: a Key Vault certificate as a kubernetes.io/tls Secret, by name or { name, format }. */
const certificate = v.lazy((input: unknown) =>
    typeof input === "object" && input !== null
        ? v.strictObject({
              name: rules.keyVaultSecretName(),
              format: v.optional(
                  rules.oneOf(
                      ["pkcs12", "pem"],
                      "use pkcs12 (Key Vault's default content type, application/x-pkcs12) or pem (application/x-pem-file)",
                  ),
              ),
          })
        : rules.keyVaultSecretName(),
);

const entry = v.strictObject({
    name: rules.k8sName(),
    namespace: rules.k8sNamespace(),
    /** The tenant this ExternalSecret belongs to; its namespace and Key Vault secrets must be the tenant's. */
    tenant: v.optional(rules.k8sNamespace()),
    /** A Secret name, or ESO's target { name, creationPolicy, deletionPolicy, template, immutable }. */
    target: v.optional(
        v.lazy((input: unknown) => (typeof input === "object" && input !== null ? esoTarget : rules.k8sName())),
    ),
    refreshInterval: v.optional(rules.refreshInterval(), EXTERNAL_SECRET_DEFAULTS.refreshInterval),
    refreshPolicy: v.optional(
        rules.oneOf(
            ["Periodic", "OnChange", "CreatedOnce"],
            "use Periodic, OnChange or CreatedOnce (ESO refresh policy)",
        ),
    ),
    /**
     * When periodic refreshes may run (ESO's { kind: allow | deny, windows: [{ schedule, duration }] }; its CRD schema
     * checks it). The first sync and syncs after a change are never held back (external-secrets
     * pkg/controllers/externalsecret/externalsecret_controller.go at v2.9.0, shouldRefreshPeriodic: windows are
     * consulted only once the refresh interval has passed), so `up`'s wait for Ready is unaffected.
     */
    syncWindows: v.optional(v.unknown()),
    // No default here: target.creationPolicy may set it instead; the resolved entry carries the default.
    creationPolicy: v.optional(creationPolicy),
    deletionPolicy: v.optional(deletionPolicy),
    /** A map of Secret keys to Key Vault objects, or ESO's list of { secretKey, remoteRef }. */
    data: v.optional(
        v.lazy((input: unknown) => (Array.isArray(input) ? dataList : dataMap)),
        {},
    ),
    dataFrom: v.optional(v.array(dataFrom, "use a list of { extract }, { find } or { sourceRef } entries"), []),
    template: v.optional(template),
    /** ESO's store reference: it may only name the store the entry reads through (checked across keys). */
    secretStoreRef: v.optional(
        v.strictObject({
            name: rules.k8sName(),
            kind: v.optional(
                rules.oneOf(["SecretStore", "ClusterSecretStore"], "use SecretStore or ClusterSecretStore"),
            ),
        }),
    ),
    certificate: v.optional(certificate),
});

type Entry = v.InferOutput<typeof entry>;
type Path = readonly PropertyKey[];
export type RemoteRef = v.InferOutput<typeof remoteRef>;
export type SecretTemplate = v.InferOutput<typeof template>;

/** Where a relocatable field was written, for messages: ESO's place or the shorthand's. */
export interface EntryPaths {
    readonly target: Path;
    readonly creationPolicy: Path;
    readonly deletionPolicy: Path;
    readonly template: Path;
    /** Per Secret key, where its Key Vault object is named. */
    readonly data: Readonly<Record<string, Path>>;
}

/** Fields set both in ESO's target and at the top level: each may be set once. */
const TARGET_FIELDS = ["creationPolicy", "deletionPolicy", "template"] as const;

/** The one form every rule and component reads. */
function resolveEntry(es: Entry) {
    const { target, data, template: topTemplate, certificate: preset, creationPolicy, deletionPolicy, ...rest } = es;
    const esoTarget = typeof target === "object" ? target : undefined;
    const targetPath = (field: string): Path =>
        esoTarget?.[field as keyof typeof esoTarget] === undefined ? [field] : ["target", field];
    let entries: Record<string, string | RemoteRef>;
    let dataPaths: Record<string, Path>;
    if (Array.isArray(data)) {
        entries = Object.fromEntries(data.map((item) => [item.secretKey, item.remoteRef]));
        dataPaths = Object.fromEntries(data.map((item, i) => [item.secretKey, ["data", i, "remoteRef", "key"]]));
    } else {
        entries = data;
        dataPaths = Object.fromEntries(Object.keys(data).map((key) => [key, ["data", key]]));
    }
    let template = esoTarget?.template ?? topTemplate;
    if (preset !== undefined) {
        const { name, format = "pkcs12" } = typeof preset === "string" ? { name: preset } : preset;
        entries = { [CERTIFICATE_BUNDLE_KEY]: { key: `secret/${name}` } };
        dataPaths = {
            [CERTIFICATE_BUNDLE_KEY]: typeof preset === "string" ? ["certificate"] : ["certificate", "name"],
        };
        template = {
            ...template,
            type: "kubernetes.io/tls",
            engineVersion: "v2",
            data: { ...CERTIFICATE_TEMPLATES[format] },
        };
    }
    const targetName = typeof target === "string" ? target : esoTarget?.name;
    return {
        ...rest,
        ...(targetName === undefined ? {} : { target: targetName }),
        creationPolicy: esoTarget?.creationPolicy ?? creationPolicy ?? EXTERNAL_SECRET_DEFAULTS.creationPolicy,
        ...((esoTarget?.deletionPolicy ?? deletionPolicy) === undefined
            ? {}
            : { deletionPolicy: esoTarget?.deletionPolicy ?? deletionPolicy }),
        data: entries,
        ...(template === undefined ? {} : { template }),
        ...(esoTarget?.immutable === undefined ? {} : { immutable: esoTarget.immutable }),
        ...(preset === undefined ? {} : { certificate: typeof preset === "string" ? preset : preset.name }),
        paths: {
            target: typeof target === "object" ? ["target", "name"] : ["target"],
            creationPolicy: targetPath("creationPolicy"),
            deletionPolicy: targetPath("deletionPolicy"),
            template: targetPath("template"),
            data: dataPaths,
        } satisfies EntryPaths,
    };
}

/** One `externalSecrets[]` entry: checked, then resolved into the one form (see resolveEntry). */
export const externalSecret = v.pipe(
    entry,
    v.rawCheck(({ dataset, addIssue }) => {
        if (!dataset.typed) return;
        const es = dataset.value;
        const input = es as Record<string, unknown>;
        const at = (key: string): [v.ObjectPathItem] => [
            { type: "object", origin: "value", input, key, value: input[key] },
        ];
        if (typeof es.target === "object") {
            for (const field of TARGET_FIELDS) {
                if (es.target[field] !== undefined && es[field] !== undefined) {
                    addIssue({
                        message: `set ${field} once: here or as target.${field} (ESO's place for it)`,
                        path: at(field),
                    });
                }
            }
        }
        if (es.certificate !== undefined) {
            const clashes = [
                Object.keys(es.data).length > 0 ? "data" : undefined,
                es.dataFrom.length > 0 ? "dataFrom" : undefined,
                (typeof es.target === "object" ? es.target.template : es.template)?.data !== undefined
                    ? "template.data"
                    : undefined,
                (typeof es.target === "object" ? es.target.template : es.template)?.templateFrom !== undefined
                    ? "template.templateFrom"
                    : undefined,
                (typeof es.target === "object" ? es.target.template : es.template)?.type !== undefined
                    ? "template.type"
                    : undefined,
            ].filter((clash) => clash !== undefined);
            if (clashes.length > 0) {
                addIssue({
                    message: `the certificate preset writes the Secret's data and type itself (tls.crt, tls.key, kubernetes.io/tls); remove ${clashes.join(", ")}, or leave certificate out and write them yourself`,
                    path: at("certificate"),
                });
            }
        } else if (Object.keys(es.data).length === 0 && es.dataFrom.length === 0) {
            addIssue({
                message: "map at least one Secret key to a Key Vault secret in data, or read secrets with dataFrom",
                path: at("data"),
            });
        }
    }),
    v.transform(resolveEntry),
);

export type ParsedExternalSecretEntry = v.InferOutput<typeof externalSecret>;
