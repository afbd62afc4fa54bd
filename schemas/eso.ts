// ESO's own schemas for the objects the program emits: the openAPIV3Schema of each CustomResourceDefinition that
// ESO's Helm chart (the version the stacks install by default) applies, vendored verbatim as JSON with a validator
// generated from each (schemas/vendor.ts). Checking an object loads plain generated code, once per kind, the first
// time that kind is checked: no schema is compiled at run time.
import { createRequire } from "node:module";
import * as path from "node:path";

/** The chart whose CRDs the schemas are; stacks/schema.ts installs this version unless configured otherwise. */
export const ESO_SCHEMA_VERSION = "2.9.0";

/** The kinds the program emits, at the API version it emits them in (each a served version of its CRD). */
export const ESO_KINDS = [
    { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret" },
    { apiVersion: "external-secrets.io/v1", kind: "SecretStore" },
    { apiVersion: "external-secrets.io/v1", kind: "ClusterSecretStore" },
    { apiVersion: "external-secrets.io/v1alpha1", kind: "PushSecret" },
    { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "Password" },
] as const;

/** One way an object breaks the schema, as Ajv reports it. */
export interface SchemaError {
    /** JSON pointer to the offending value, such as `/spec/target/creationPolicy`. */
    readonly instancePath: string;
    readonly keyword: string;
    readonly params: Record<string, unknown>;
    readonly message?: string;
}

export type Validate = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

export const SCHEMA_DIR = path.join(__dirname, `eso-${ESO_SCHEMA_VERSION}`);

const load = createRequire(__filename);
const loaded = new Map<string, Validate>();

/** The validator of an ESO apiVersion and kind, or undefined when the program emits no such kind. */
export function esoValidator(apiVersion: string, kind: string): Validate | undefined {
    if (!ESO_KINDS.some((k) => k.apiVersion === apiVersion && k.kind === kind)) return undefined;
    let validate = loaded.get(kind);
    if (validate === undefined) {
        const module = load(path.join(SCHEMA_DIR, `${kind}.js`)) as { default?: Validate } & Validate;
        validate = module.default ?? module;
        loaded.set(kind, validate);
    }
    return validate;
}

/** Every way `object` breaks its kind's schema (none when it conforms); undefined when the kind has no schema. */
export function esoSchemaErrors(object: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly [field: string]: unknown;
}): readonly SchemaError[] | undefined {
    const validate = esoValidator(object.apiVersion, object.kind);
    if (validate === undefined) return undefined;
    return validate(object) ? [] : (validate.errors ?? []);
}
