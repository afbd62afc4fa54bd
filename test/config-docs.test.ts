// Pulumi.yaml's key reference is what users read; the schema is what the program enforces. They must agree.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as v from "valibot";
import { stackConfigSchema } from "../stacks/schema";

type Schema = v.GenericSchema & Record<string, any>;

/** Leaf keys of the schema (`vault.name`, `externalSecrets[].data.<*>`) with their defaults, if any. */
function schemaKeys(schema: Schema, prefix = "", fallback?: unknown): Map<string, unknown> {
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

/** Rows of the reference between the config-reference markers: key -> documented default. */
function documentedKeys(): Map<string, string> {
    const text = readFileSync(path.resolve(__dirname, "..", "Pulumi.yaml"), "utf8");
    const block = text.split("# config-reference:begin")[1]?.split("# config-reference:end")[0] ?? "";
    const rows = new Map<string, string>();
    for (const line of block.split("\n").slice(2)) {
        const match = /^#\s+(\S+)\s+(\(.*?\)|\S+)\s{2,}\S/.exec(line);
        if (match) rows.set((match[1] as string).replace(/<[^>]+>/g, "<*>"), match[2] as string);
    }
    return rows;
}

describe("Pulumi.yaml key reference", () => {
    const schema = schemaKeys(stackConfigSchema as Schema);
    const documented = documentedKeys();

    it("documents every key the program reads", () => {
        const missing = [...schema.keys()].filter((key) => !documented.has(key));
        assert.deepEqual(missing, []);
    });

    it("documents no key the program rejects", () => {
        const unknown = [...documented.keys()].filter((key) => !schema.has(key));
        assert.deepEqual(unknown, []);
    });

    it("states each default the program applies", () => {
        const wrong: string[] = [];
        for (const [key, value] of schema) {
            const documentedDefault = documented.get(key);
            if (value === undefined || documentedDefault === undefined) continue;
            const expected = typeof value === "object" ? JSON.stringify(value) : String(value);
            if (documentedDefault !== expected)
                wrong.push(`${key}: documented ${documentedDefault}, applied ${expected}`);
        }
        assert.deepEqual(wrong, []);
    });
});
