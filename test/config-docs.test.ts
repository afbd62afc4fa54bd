// Pulumi.yaml's key reference is what users read; the schema is what the program enforces. They must agree.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { stackConfigSchema } from "../stacks/schema";
import { type Schema, schemaKeys } from "../stacks/schemaWalk";

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
