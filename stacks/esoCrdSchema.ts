// ESO's own schema for the parts of an ExternalSecret the project hands to ESO without modelling them
// (`target.template.templateFrom`, `dataFrom[].rewrite`): @kubernetes-models/external-secrets, generated from ESO's v1
// Go types (the CRD's openAPIV3Schema). Its validators are an ES module of some weight, so they are loaded only when
// an entry uses such a field, and then once. Problems name the config key, the value and the rule, like the rest.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { formatKey, formatValue, valueAt } from "./errors";

const PACKAGE = "@kubernetes-models/external-secrets";
const SCHEMA = "ESO's ExternalSecret schema, external-secrets.io/v1";

interface SchemaError {
    readonly instancePath?: string;
    readonly keyword?: string;
    readonly params?: Record<string, unknown>;
}
type Model = new (data: unknown) => { validate(): void };

const load = createRequire(__filename);
let model: Model | undefined;

/**
 * The ExternalSecret model. The package is an ES module whose exports only name `import`; Node (20.19 and 22.12 on)
 * requires an ES module without top-level await synchronously, so the file is required by its path: config
 * validation stays synchronous, before any resource is registered.
 */
function externalSecretModel(): Model {
    if (model === undefined) {
        const dir = (load.resolve.paths(PACKAGE) ?? [])
            .map((modules) => path.join(modules, PACKAGE))
            .find((candidate) => existsSync(path.join(candidate, "package.json")));
        if (dir === undefined) throw new Error(`${PACKAGE} is not installed: run npm ci`);
        model = (load(path.join(dir, "external-secrets.io", "v1", "ExternalSecret.js")) as { ExternalSecret: Model })
            .ExternalSecret;
    }
    return model;
}

type RawEntry = Record<string, unknown>;

const isObject = (value: unknown): value is RawEntry =>
    value !== null && typeof value === "object" && !Array.isArray(value);

/** Where the entry wrote its template: ESO's `target.template`, or the shorthand's `template`. */
function templatePath(entry: RawEntry): PropertyKey[] {
    return isObject(entry.target) ? ["target", "template"] : ["template"];
}

/** Whether an entry uses a field only ESO's schema checks (so the schema must be loaded). */
export function needsEsoSchema(entry: unknown): boolean {
    if (!isObject(entry)) return false;
    const template = valueAt(entry, templatePath(entry));
    const dataFrom = Array.isArray(entry.dataFrom) ? entry.dataFrom : [];
    return (
        (isObject(template) && template.templateFrom !== undefined) ||
        dataFrom.some((item) => isObject(item) && item.rewrite !== undefined)
    );
}

/** The rule an error breaks, phrased as advice. */
function ruleOf(error: SchemaError): string {
    const params = error.params ?? {};
    switch (error.keyword) {
        case "enum":
            return `use ${(params.allowedValues as unknown[]).join(", ")}`;
        case "required":
            return `set ${String(params.missingProperty)}`;
        case "type":
            return `use ${/^[aeiou]/.test(String(params.type)) ? "an" : "a"} ${String(params.type)}`;
        default:
            return `breaks the schema's ${String(error.keyword)} rule ${JSON.stringify(params)}`;
    }
}

/** `/spec/dataFrom/0/rewrite` -> ["dataFrom", 0, "rewrite"] (JSON pointer, below spec). */
function specPath(pointer: string): PropertyKey[] {
    return pointer
        .split("/")
        .slice(2)
        .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Checks the fields of each entry that only ESO's schema checks, loading the schema if any entry has one. `entries`
 * are the raw `externalSecrets[]` values, already valid in the project's own schema.
 */
export function esoSchemaProblems(entries: readonly unknown[]): string[] {
    const problems: string[] = [];
    entries.forEach((entry, i) => {
        if (!needsEsoSchema(entry)) return;
        const raw = entry as RawEntry;
        const template = templatePath(raw);
        const spec = {
            ...(raw.dataFrom === undefined ? {} : { dataFrom: raw.dataFrom }),
            target: { template: valueAt(raw, template) },
        };
        const Model = externalSecretModel();
        try {
            new Model({
                apiVersion: "external-secrets.io/v1",
                kind: "ExternalSecret",
                metadata: { name: raw.name, namespace: raw.namespace },
                spec,
            }).validate();
        } catch (error) {
            const errors = (error as { errors?: SchemaError[] }).errors ?? [];
            if (errors.length === 0) throw error;
            for (const e of errors) {
                const at = specPath(e.instancePath ?? "");
                const configured = at[0] === "target" && at[1] === "template" ? [...template, ...at.slice(2)] : at;
                const key = formatKey(["externalSecrets", i, ...configured]);
                problems.push(
                    `${key} ${formatValue(valueAt(raw, configured), false)} is invalid: ${ruleOf(e)} (${SCHEMA}).`,
                );
            }
        }
    });
    return problems;
}
