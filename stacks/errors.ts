// Turns schema issues into messages a user can act on: the key (as `pulumi config set --path` spells it), the value
// received (secrets redacted) and the rule.
import * as pulumi from "@pulumi/pulumi";
import type * as v from "valibot";
import { fieldsOf, type Schema, valueAt } from "./schemaWalk";

export { valueAt };

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

/** Renders a received value for a message; values under secret keys are never shown. */
export function formatValue(value: unknown, secret: boolean): string {
    if (secret) return "[secret]";
    const json = JSON.stringify(value) ?? String(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
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
            const known = fieldsOf(schema as Schema, path.slice(0, -1), input);
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
