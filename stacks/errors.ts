// Turns schema issues into messages a user can act on: the key (as `pulumi config set --path` spells it), the value
// received (secrets redacted) and the rule.
import * as pulumi from "@pulumi/pulumi";
import type * as v from "valibot";

type Path = ReadonlyArray<PropertyKey>;
type Schema = v.GenericSchema & Record<string, unknown>;

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
    const json = JSON.stringify(value) ?? String(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** The schema that validates what is found at `path`, looking through optionals and pipes, and union members by tag. */
export function schemaAt(schema: Schema, path: Path, input: unknown): Schema | undefined {
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

/** One message per problem, in the order the schema found them. */
export function describeIssues(
    issues: readonly v.BaseIssue<unknown>[],
    input: unknown,
    schema: v.GenericSchema,
    isSecret: (path: Path) => boolean,
): string[] {
    const messages: string[] = [];
    for (const issue of issues) {
        const path = (issue.path ?? []).map((item) => item.key as PropertyKey);
        const key = formatKey(path);
        const last = issue.path?.[issue.path.length - 1] as { origin?: string } | undefined;
        if (issue.type === "strict_object" && issue.expected === "never") {
            const known = Object.keys((schemaAt(schema as Schema, path.slice(0, -1), input)?.entries as object) ?? {});
            messages.push(
                `${key} is not a known key: use one of ${known.join(", ")} (see the key reference in Pulumi.yaml).`,
            );
        } else if (valueAt(input, path) === undefined && issue.input === undefined) {
            messages.push(`${key} is required: set it with \`pulumi config set --path ${key} <value>\`.`);
        } else if (last?.origin === "key") {
            messages.push(
                `${formatKey(path.slice(0, -1))} has an invalid name ${JSON.stringify(String(issue.input))}: ${issue.message}.`,
            );
        } else {
            messages.push(`${key} ${formatValue(valueAt(input, path), isSecret(path))} is invalid: ${issue.message}.`);
        }
    }
    return messages;
}
