// The shape of `pushSecrets[]` and `generators[]`: ESO's own PushSecret and Password generator specs, under ESO's
// field names (external-secrets apis/externalsecrets/v1alpha1/pushsecret_types.go,
// apis/generators/v1alpha1/types_password.go at v2.9.0), plus the `name` and `namespace` of each object.
import * as v from "valibot";
import { GENERATOR_API_VERSION } from "../components/wellKnown";
import * as rules from "./rules";

/** What a PushSecret's `data[].metadata` is for the azurekv provider (runtime/esutils/metadata/metadata.go). */
export const PUSH_SECRET_METADATA = {
    apiVersion: "kubernetes.external-secrets.io/v1alpha1",
    kind: "PushSecretMetadata",
};

/**
 * An RFC 3339 date-time, as azurekv parses a pushed secret's expirationDate (`time.Parse(time.RFC3339, ...)`,
 * providers/v1/azure/keyvault/keyvault.go PushSecret); ESO fails the push on anything else.
 */
const rfc3339 = (what: string) => {
    const rule = `use an RFC 3339 date-time such as "2027-06-30T00:00:00Z" (${what})`;
    return v.pipe(
        v.string(rule),
        v.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, rule),
        v.check((d) => !Number.isNaN(Date.parse(d)), rule),
    );
};

/** A generator as ESO's GeneratorRef names it: only kinds this configuration can declare. */
export const generatorRef = v.strictObject({
    apiVersion: v.optional(
        rules.oneOf([GENERATOR_API_VERSION], `use ${GENERATOR_API_VERSION} (ESO's generator API)`),
        GENERATOR_API_VERSION,
    ),
    kind: rules.oneOf(["Password"], "use Password (the generator kind generators[] declares)"),
    name: rules.k8sName(),
});

/** ESO's PasswordSpec; the CRD's defaults (length 24, noUpper and allowRepeat false) are applied here. */
const passwordSpec = v.strictObject({
    length: v.optional(rules.integer(1, 1024, "characters of each generated password"), 24),
    digits: v.optional(rules.integer(0, 1024, "digits in each password; ESO's default is a quarter of length")),
    symbols: v.optional(rules.integer(0, 1024, "symbols in each password; ESO's default is a quarter of length")),
    symbolCharacters: v.optional(rules.text("use the symbol characters the password may contain, such as ~!@#$%")),
    noUpper: v.optional(rules.bool(), false),
    allowRepeat: v.optional(rules.bool(), false),
    secretKeys: v.optional(
        v.pipe(
            v.array(rules.k8sSecretKey(), "use a list of Secret keys"),
            v.minLength(1, "list at least one Secret key, or leave secretKeys out (ESO then writes password)"),
        ),
    ),
    encoding: v.optional(
        rules.oneOf(
            ["raw", "base64", "base64url", "base32", "hex"],
            "use raw, base64, base64url, base32 or hex (ESO password encoding)",
        ),
    ),
});

export const generator = v.variant(
    "kind",
    [
        v.strictObject({
            kind: v.literal("Password"),
            name: rules.k8sName(),
            namespace: rules.k8sNamespace(),
            spec: v.optional(passwordSpec, {}),
        }),
    ],
    'use kind "Password" (ESO\'s Password generator)',
);

/** azurekv's PushSecretMetadataSpec (providers/v1/azure/keyvault/keyvault.go): the pushed secret's attributes. */
const pushMetadata = v.strictObject({
    apiVersion: v.optional(
        rules.oneOf([PUSH_SECRET_METADATA.apiVersion], `use ${PUSH_SECRET_METADATA.apiVersion}`),
        PUSH_SECRET_METADATA.apiVersion,
    ),
    kind: v.optional(
        rules.oneOf([PUSH_SECRET_METADATA.kind], `use ${PUSH_SECRET_METADATA.kind}`),
        PUSH_SECRET_METADATA.kind,
    ),
    spec: v.strictObject({
        expirationDate: v.optional(rfc3339("when the pushed secret expires in Key Vault")),
        contentType: v.optional(rules.text('use a content type such as "text/plain"')),
        tags: v.optional(rules.map(v.string(), v.string(), "use a map of tag names to values")),
    }),
});

const pushData = v.strictObject({
    match: v.strictObject({
        /** Unset: the whole Secret, as JSON. */
        secretKey: v.optional(rules.k8sSecretKey()),
        remoteRef: v.strictObject({
            remoteKey: rules.keyVaultObject(),
            property: v.optional(rules.text("use the name of a property")),
        }),
    }),
    metadata: v.optional(pushMetadata),
    conversionStrategy: v.optional(
        rules.oneOf(["None", "ReverseUnicode"], "use None or ReverseUnicode (ESO conversion strategy)"),
    ),
});

/**
 * ESO's template on a PushSecret (`spec.template`, an ExternalSecretTemplate): the pushed Secret's data rewritten
 * before the push, such as PEM files into a PKCS#12 bundle for a certificate (`fullPemToPkcs12`, ESO's Azure Key
 * Vault guide). The fields a push reads; a Secret's type, metadata and templateFrom shape nothing ESO pushes.
 */
const pushTemplate = v.strictObject({
    engineVersion: v.optional(rules.oneOf(["v2"], "use v2 (the only template engine ESO v1 serves)")),
    mergePolicy: v.optional(
        rules.oneOf(["Replace", "Merge"], "use Replace (only the template's keys) or Merge (beside the Secret's)"),
    ),
    data: rules.map(rules.k8sSecretKey(), v.string("use a template string"), "use a map of keys to templates"),
});

export const pushSecret = v.strictObject({
    name: rules.k8sName(),
    namespace: rules.k8sNamespace(),
    refreshInterval: v.optional(rules.refreshInterval(), "1h"),
    updatePolicy: v.optional(
        rules.oneOf(
            ["Replace", "IfNotExists"],
            "use Replace (overwrite on every refresh) or IfNotExists (push only while Key Vault lacks it)",
        ),
    ),
    deletionPolicy: v.optional(
        rules.oneOf(
            ["None", "Delete"],
            "use None (keep what was pushed to Key Vault) or Delete (delete it with the PushSecret)",
        ),
    ),
    selector: v.union(
        [v.strictObject({ secret: v.strictObject({ name: rules.k8sName() }) }), v.strictObject({ generatorRef })],
        "use { secret: { name: <Secret> } } or { generatorRef: { kind: Password, name: <generator> } }",
    ),
    template: v.optional(pushTemplate),
    data: v.pipe(
        v.array(pushData, "use a list of { match: { secretKey, remoteRef: { remoteKey } } } entries"),
        v.minLength(1, "list at least one entry: which key goes to which Key Vault secret, key or certificate"),
    ),
});
