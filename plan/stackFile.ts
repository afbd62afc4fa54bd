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
    /**
     * Paths (the key without its namespace first) of `secure:` values that no secrets provider wrote: placeholders
     * such as the examples', which `pulumi up` cannot decrypt.
     */
    readonly placeholders: Array<Array<string | number>>;
    /** The program file Pulumi would run. */
    readonly program: string;
}

export class StackFileError extends Error {
    override readonly name = "StackFileError";
}

/** Where the worked examples live: planned and tested like any stack, never deployed by the workflows. */
export const EXAMPLES_DIR = "examples";

function stackNamesIn(dir: string): string[] {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
        .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined);
}

/**
 * Stacks that have a Pulumi.<stack>.yaml in the project directory (the user's own) or in its examples/ directory
 * (the worked examples; a stack of the project shadows an example of the same name).
 */
export function stacksIn(projectDir: string): string[] {
    const names = [...stackNamesIn(projectDir), ...stackNamesIn(path.join(projectDir, EXAMPLES_DIR))];
    return [...new Set(names)].sort();
}

/** The file of a stack: Pulumi.<stack>.yaml in the project directory, else in examples/. */
export function stackFileOf(projectDir: string, stack: string): string | undefined {
    return [projectDir, path.join(projectDir, EXAMPLES_DIR)]
        .flatMap((dir) => ["yaml", "yml"].map((ext) => path.join(dir, `Pulumi.${stack}.${ext}`)))
        .find(existsSync);
}

/**
 * What Pulumi writes as a `secure:` value: the passphrase provider's `v1:<nonce>:<ciphertext>`, or the base64
 * ciphertext of the service and cloud (azurekeyvault://, awskms://, ...) providers.
 */
const CIPHERTEXT = /^(v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9+/]{16,}={0,2})$/;

function decryptOffline(
    value: unknown,
    path: Array<string | number>,
    placeholders: Array<Array<string | number>>,
): { value: unknown; secret: boolean } {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const entries = Object.entries(value);
        // Encrypted values cannot be decrypted offline: they become the placeholder, and stay secret.
        if (entries.length === 1 && entries[0]?.[0] === "secure") {
            const ciphertext = entries[0][1];
            if (typeof ciphertext !== "string" || !CIPHERTEXT.test(ciphertext)) placeholders.push(path);
            return { value: SECRET_PLACEHOLDER, secret: true };
        }
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, v] of entries) {
            const inner = decryptOffline(v, [...path, k], placeholders);
            out[k] = inner.value;
            secret ||= inner.secret;
        }
        return { value: out, secret };
    }
    if (Array.isArray(value)) {
        const items = value.map((item, i) => decryptOffline(item, [...path, i], placeholders));
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    return { value, secret: false };
}

export function readStackFile(projectDir: string, stack: string): StackFile {
    const projectFile = path.join(projectDir, "Pulumi.yaml");
    if (!existsSync(projectFile)) throw new StackFileError(`no Pulumi.yaml in ${projectDir}`);
    const project = load(readFileSync(projectFile, "utf8")) as { name?: string; main?: string };
    if (typeof project?.name !== "string") throw new StackFileError(`${projectFile} has no project name`);

    const stackFile = stackFileOf(projectDir, stack);
    if (stackFile === undefined) {
        const known = stacksIn(projectDir);
        throw new StackFileError(
            `no stack "${stack}": Pulumi.${stack}.yaml does not exist in ${projectDir} or its ${EXAMPLES_DIR}/` +
                (known.length > 0 ? `; stacks here: ${known.join(", ")}` : ""),
        );
    }
    const document = (load(readFileSync(stackFile, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: Array<Array<string | number>> = [];
    for (const [key, raw] of Object.entries(document.config ?? {})) {
        // A key without a namespace belongs to the project, as the CLI reads it.
        const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
        const shortKey = fullKey.startsWith(`${project.name}:`) ? fullKey.slice(project.name.length + 1) : fullKey;
        const { value, secret } = decryptOffline(raw, [shortKey], placeholders);
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
    return {
        project: project.name,
        stack,
        config,
        secretKeys,
        placeholders,
        program: path.resolve(projectDir, main),
    };
}
