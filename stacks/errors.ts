// Turns schema issues into messages a user can act on: the key (as `pulumi config set --path` spells it), the value
// received (secrets redacted) and the rule.
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

type Path = ReadonlyArray<PropertyKey>;

/** Raised before any resource is registered; `pulumi up` prints the message without a stack trace. */
export class StackConfigError extends pulumi.RunError {
    constructor(
        readonly stackName: string,
        readonly problems: readonly string[],
    ) {
        super(
            `Stack "${stackName}" has ${problems.length} configuration problem${problems.length === 1 ? "" : "s"}; ` +
                `nothing was deployed:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "StackConfigError";
    }
}

/** `externalSecrets[0].data.cloud-credentials`, `seededSecrets["a.b"]`. */
export function formatKey(path: Path): string {
    let key = "";
    for (const part of path) {
        if (typeof part === "number") key += `[${part}]`;
        else if (/^[A-Za-z0-9_-]+$/.test(String(part))) key += key === "" ? String(part) : `.${String(part)}`;
        else key += `[${JSON.stringify(String(part))}]`;
    }
    return key;
}

export function valueAt(root: unknown, path: Path): unknown {
    let node: unknown = root;
    for (const part of path) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<PropertyKey, unknown>)[part];
    }
    return node;
}

/** Renders a received value for a message; values under secret keys are never shown. */
export function formatValue(value: unknown, secret: boolean): string {
    if (secret) return "[secret]";
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const ARTICLES: Record<string, string> = {
    string: "a string",
    number: "a number",
    boolean: "true or false",
    object: "a map of keys to values",
    array: "a list",
    record: "a map of keys to values",
};

/** Looks up the schema node at a path, unwrapping defaults, optionals and preprocessors; picks the union member by its discriminator. */
function schemaAt(schema: z.core.$ZodType, path: Path, input: unknown): z.core.$ZodType | undefined {
    let node: z.core.$ZodType | undefined = schema;
    let value = input;
    const unwrap = (): void => {
        for (;;) {
            const def = node?._zod.def as unknown as Record<string, unknown> | undefined;
            if (def === undefined) return;
            if (["optional", "default", "prefault", "nullable", "readonly"].includes(def.type as string)) {
                node = def.innerType as z.core.$ZodType;
            } else if (def.type === "pipe") {
                node = def.out as z.core.$ZodType;
            } else if (def.type === "union" && typeof def.discriminator === "string") {
                const tag = valueAt(value, [def.discriminator]);
                node = (def.options as z.core.$ZodType[]).find((option) => {
                    const shape = (option._zod.def as unknown as { shape?: Record<string, z.core.$ZodType> }).shape;
                    const literal = shape?.[def.discriminator as string]?._zod.def as unknown as { values?: unknown[] };
                    return literal?.values?.includes(tag);
                });
            } else return;
        }
    };
    unwrap();
    for (const part of path) {
        const def = node?._zod.def as unknown as Record<string, unknown> | undefined;
        if (def?.type === "object") node = (def.shape as Record<string, z.core.$ZodType>)[String(part)];
        else if (def?.type === "array") node = def.element as z.core.$ZodType;
        else if (def?.type === "record") node = def.valueType as z.core.$ZodType;
        else return undefined;
        value = valueAt(value, [part]);
        unwrap();
    }
    return node;
}

function knownKeys(schema: z.core.$ZodType, path: Path, input: unknown): string[] {
    const def = schemaAt(schema, path, input)?._zod.def as unknown as { shape?: Record<string, unknown> } | undefined;
    return Object.keys(def?.shape ?? {});
}

/** One message per problem, in the order the schema found them. */
export function describeIssues(
    issues: readonly z.core.$ZodIssue[],
    input: unknown,
    schema: z.core.$ZodType,
    isSecret: (path: Path) => boolean,
): string[] {
    const messages: string[] = [];
    for (const issue of issues) {
        const key = formatKey(issue.path);
        const value = valueAt(input, issue.path);
        switch (issue.code) {
            case "unrecognized_keys": {
                const known = knownKeys(schema, issue.path, input);
                for (const unknownKey of issue.keys) {
                    messages.push(
                        `${formatKey([...issue.path, unknownKey])} is not a known key: use one of ${known.join(", ")} ` +
                            `(see the key reference in Pulumi.yaml).`,
                    );
                }
                break;
            }
            case "invalid_key": {
                const rule = issue.issues[0]?.message ?? issue.message;
                const recordKey = issue.path[issue.path.length - 1];
                messages.push(
                    `${formatKey(issue.path.slice(0, -1))} has an invalid name ${JSON.stringify(String(recordKey))}: ${rule}.`,
                );
                break;
            }
            case "invalid_type":
                if (value === undefined) {
                    messages.push(`${key} is required: set it with \`pulumi config set --path ${key} <value>\`.`);
                } else {
                    messages.push(
                        `${key} ${formatValue(value, isSecret(issue.path))} is invalid: ` +
                            `${issue.message.startsWith("Invalid input") ? `use ${ARTICLES[issue.expected] ?? issue.expected}` : issue.message}.`,
                    );
                }
                break;
            case "invalid_union":
                messages.push(
                    `${key} ${formatValue(value, isSecret(issue.path))} is invalid: ${issue.message.startsWith("Invalid") ? "use a supported value" : issue.message}.`,
                );
                break;
            default:
                messages.push(`${key} ${formatValue(value, isSecret(issue.path))} is invalid: ${issue.message}.`);
        }
    }
    return messages;
}
