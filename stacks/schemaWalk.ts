// The one place that walks valibot's schema objects, whose shape (`type`, `entries`, `pipe`, `wrapped`, `options`,
// `item`, `value`, `default`) is the library's internals rather than its API: a valibot upgrade that changes it
// breaks this file alone. Error messages use it to list the keys an object accepts; the key reference's test, to
// compare Pulumi.yaml with the schema.
import type * as v from "valibot";

/** A schema object, read by its fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Schema = v.GenericSchema & Record<string, any>;

type Path = ReadonlyArray<PropertyKey>;

/** The value at `path` in a plain object tree, or undefined. */
export function valueAt(root: unknown, path: Path): unknown {
    let node: unknown = root;
    for (const part of path) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<PropertyKey, unknown>)[part];
    }
    return node;
}

/**
 * The schema that validates what is found at `path`, looking through optionals and pipes, union members by tag, and
 * lazy schemas by the value they are given.
 */
function schemaAt(schema: Schema, path: Path, input: unknown): Schema | undefined {
    let node: Schema | undefined = schema;
    let value = input;
    const settle = (): void => {
        for (let guard = 0; node !== undefined && guard < 20; guard++) {
            if (Array.isArray(node.pipe)) {
                // A pipe carries its first schema's type; the last schema in it is the one that shapes the value.
                const last = (node.pipe as Schema[]).filter((item) => item.kind === "schema").pop() as Schema;
                if (last === node.pipe[0] && last.type !== "optional") return;
                node = last === node.pipe[0] ? (last.wrapped as Schema) : last;
            } else if (node.type === "optional" || node.type === "nullable") node = node.wrapped as Schema;
            else if (node.type === "lazy") node = (node.getter as (input: unknown) => Schema)(value);
            else if (node.type === "variant") {
                const tag = valueAt(value, [node.key as string]);
                node = (node.options as Schema[]).find((option) => {
                    const literal = (option.entries as Record<string, Schema>)[node?.key as string];
                    return literal?.literal === tag;
                });
            } else return;
        }
    };
    settle();
    for (const part of path) {
        if (node === undefined) return undefined;
        if (node.entries !== undefined) node = (node.entries as Record<string, Schema>)[String(part)];
        else if (node.type === "array") node = node.item as Schema;
        else if (node.type === "record") node = node.value as Schema;
        else return undefined;
        value = valueAt(value, [part]);
        settle();
    }
    return node;
}

/** The keys an object schema found at `path` accepts (none if there is no object there). */
export function fieldsOf(schema: Schema, path: ReadonlyArray<PropertyKey>, input: unknown): string[] {
    return Object.keys((schemaAt(schema, path, input)?.entries as object | undefined) ?? {});
}

/** Leaf keys of the schema (`vault.name`, `externalSecrets[].data.<*>`) with their defaults, if any. */
export function schemaKeys(schema: Schema, prefix = "", fallback?: unknown): Map<string, unknown> {
    const keys = new Map<string, unknown>();
    const add = (more: Map<string, unknown>): void => {
        for (const [k, d] of more) if (!keys.has(k) || d !== undefined) keys.set(k, d);
    };
    if (Array.isArray(schema.pipe)) {
        // A pipe carries its first schema's type; the last schema in it shapes the value.
        const schemas = (schema.pipe as Schema[]).filter((item) => item.kind === "schema");
        const [head, last] = [schemas[0] as Schema, schemas[schemas.length - 1] as Schema];
        const defaulted = head.type === "optional" ? head.default : undefined;
        if (last === head) return schemaKeys({ ...head, pipe: undefined } as Schema, prefix, fallback);
        return schemaKeys(last, prefix, fallback ?? defaulted);
    }
    if (schema.type === "optional") {
        return schemaKeys(
            schema.wrapped,
            prefix,
            typeof schema.default === "function" ? undefined : (schema.default ?? fallback),
        );
    }
    switch (schema.type) {
        case "strict_object":
        case "object":
            for (const [key, child] of Object.entries(schema.entries as Record<string, Schema>)) {
                add(schemaKeys(child, prefix ? `${prefix}.${key}` : key));
            }
            return keys;
        case "variant":
            for (const option of schema.options as Schema[]) add(schemaKeys(option, prefix));
            return keys;
        case "array": {
            const item = schema.item as Schema;
            const shaped = Array.isArray(item.pipe) ? (item.pipe[0] as Schema) : item;
            if (["strict_object", "object", "variant"].includes(shaped.type)) return schemaKeys(item, `${prefix}[]`);
            return new Map([[prefix, fallback]]);
        }
        case "record": {
            const value = schema.value as Schema;
            if (["strict_object", "object", "variant"].includes(value.type)) return schemaKeys(value, `${prefix}.<*>`);
            return new Map([[`${prefix}.<*>`, fallback]]);
        }
        default:
            return new Map([[prefix, fallback]]);
    }
}
