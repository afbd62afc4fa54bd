// Pulumi.yaml's key reference is what users read; the schema is what the program enforces. They must agree.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { z } from "zod";
import { stackConfigSchema } from "../stacks/schema";

type Def = Record<string, any>;

/** Leaf keys of the schema (`vault.name`, `externalSecrets[].data.<*>`) with their defaults, if any. */
function schemaKeys(schema: z.core.$ZodType, prefix = "", fallback?: unknown): Map<string, unknown> {
    const keys = new Map<string, unknown>();
    const def = schema._zod.def as unknown as Def;
    switch (def.type) {
        case "default":
            return schemaKeys(def.innerType, prefix, def.defaultValue);
        case "optional":
        case "prefault":
            return schemaKeys(def.innerType, prefix, fallback);
        case "pipe":
            return schemaKeys(def.out, prefix, fallback);
        case "object":
            for (const [key, child] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) {
                for (const [k, v] of schemaKeys(child, prefix ? `${prefix}.${key}` : key)) keys.set(k, v);
            }
            return keys;
        case "union":
            for (const option of def.options as z.core.$ZodType[]) {
                for (const [k, v] of schemaKeys(option, prefix)) if (!keys.has(k) || v !== undefined) keys.set(k, v);
            }
            return keys;
        case "array": {
            const element = (def.element as z.core.$ZodType)._zod.def as unknown as Def;
            if (element.type === "object" || element.type === "union") return schemaKeys(def.element, `${prefix}[]`);
            keys.set(prefix, fallback);
            return keys;
        }
        case "record": {
            const value = (def.valueType as z.core.$ZodType)._zod.def as unknown as Def;
            if (value.type === "object") return schemaKeys(def.valueType, `${prefix}.<*>`);
            keys.set(`${prefix}.<*>`, fallback);
            return keys;
        }
        default:
            keys.set(prefix, fallback);
            return keys;
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
    const schema = schemaKeys(stackConfigSchema);
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
