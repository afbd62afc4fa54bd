// Reads a project's Pulumi.yaml and a stack's Pulumi.<stack>.yaml the way the engine hands them to a program:
// each key as a string (objects as JSON), with encrypted values replaced by a placeholder and marked secret.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { load } from "js-yaml";
import { SECRET_PLACEHOLDER } from "./secrets";

export interface StackFile {
    readonly project: string;
    readonly stack: string;
    /** `<namespace>:<key>` -> value as the engine passes it. */
    readonly config: Record<string, string>;
    /** Keys holding at least one encrypted value. */
    readonly secretKeys: string[];
    /** The program file Pulumi would run. */
    readonly program: string;
}

export class StackFileError extends Error {
    override readonly name = "StackFileError";
}

/** Stacks that have a Pulumi.<stack>.yaml in the project directory. */
export function stacksIn(projectDir: string): string[] {
    return readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

function decryptOffline(value: unknown): { value: unknown; secret: boolean } {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value);
        // Encrypted values cannot be decrypted offline: they become the placeholder, and stay secret.
        if (entries.length === 1 && entries[0]?.[0] === "secure") return { value: SECRET_PLACEHOLDER, secret: true };
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
            const inner = decryptOffline(v);
            out[k] = inner.value;
            secret ||= inner.secret;
        }
        return { value: out, secret };
    }
    if (Array.isArray(value)) {
        const items = value.map(decryptOffline);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    return { value, secret: false };
}

export function readStackFile(projectDir: string, stack: string): StackFile {
    const projectFile = path.join(projectDir, "Pulumi.yaml");
    if (!existsSync(projectFile)) throw new StackFileError(`no Pulumi.yaml in ${projectDir}`);
    const project = load(readFileSync(projectFile, "utf8")) as { name?: string; main?: string };
    if (typeof project?.name !== "string") throw new StackFileError(`${projectFile} has no project name`);

    const stackFile = ["yaml", "yml"].map((ext) => path.join(projectDir, `Pulumi.${stack}.${ext}`)).find(existsSync);
    if (stackFile === undefined) {
        const known = stacksIn(projectDir);
        throw new StackFileError(
            `no stack "${stack}": Pulumi.${stack}.yaml does not exist in ${projectDir}` +
                (known.length > 0 ? `; stacks here: ${known.join(", ")}` : ""),
        );
    }
    const document = (load(readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, raw] of Object.entries(document.config ?? {})) {
        // A key without a namespace belongs to the project, as the CLI reads it.
        const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
        const { value, secret } = decryptOffline(raw);
        config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
        if (secret) secretKeys.push(fullKey);
    }

    const packageJson = path.join(projectDir, "package.json");
    const main =
        project.main ??
        (existsSync(packageJson)
            ? (JSON.parse(readFileSync(packageJson, "utf8")) as { main?: string }).main
            : undefined) ??
        "index.ts";
    return { project: project.name, stack, config, secretKeys, program: path.resolve(projectDir, main) };
}
