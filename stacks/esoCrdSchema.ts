// ESO's own schema for the parts of an ExternalSecret the project hands to ESO without modelling them
// (`target.template.templateFrom`, `dataFrom[].rewrite`, `syncWindows`): the CRD's openAPIV3Schema from the chart the stacks install
// (schemas/eso.ts). Its generated validator is loaded only when an entry uses such a field, and then once. Problems
// name the config key, the value and the rule, like the rest.
import { ESO_SCHEMA_VERSION, esoValidator, type SchemaError } from "../schemas/eso";
import { formatKey, formatValue, valueAt } from "./errors";

const SCHEMA = `ESO ${ESO_SCHEMA_VERSION}'s ExternalSecret schema, external-secrets.io/v1`;

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
        entry.syncWindows !== undefined ||
        (isObject(template) && template.templateFrom !== undefined) ||
        dataFrom.some((item) => isObject(item) && item.rewrite !== undefined)
    );
}

/** The rule an error breaks, phrased as advice. */
function ruleOf(error: SchemaError): string {
    const params = error.params;
    switch (error.keyword) {
        case "additionalProperties":
            return "the schema declares no such field, so the API server would drop it: check its spelling";
        case "enum":
            return `use ${(params.allowedValues as unknown[]).join(", ")}`;
        case "required":
            return `set ${String(params.missingProperty)}`;
        case "type":
            return `use ${/^[aeiou]/.test(String(params.type)) ? "an" : "a"} ${String(params.type)}`;
        case "minItems":
            return `list at least ${String(params.limit)}`;
        case "pattern":
            return `match ${String(params.pattern)}`;
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
            ...(raw.syncWindows === undefined ? {} : { syncWindows: raw.syncWindows }),
            ...(raw.dataFrom === undefined ? {} : { dataFrom: raw.dataFrom }),
            target: { template: valueAt(raw, template) },
        };
        const validate = esoValidator("external-secrets.io/v1", "ExternalSecret");
        const object = {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: { name: raw.name, namespace: raw.namespace },
            spec,
        };
        if (validate !== undefined && !validate(object)) {
            for (const e of validate.errors ?? []) {
                const field = e.keyword === "additionalProperties" ? [String(e.params.additionalProperty)] : [];
                const at = [...specPath(e.instancePath), ...field];
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
