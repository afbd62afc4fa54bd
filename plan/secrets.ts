// Secret values as Pulumi sends them on the wire, wrapped in a marker (see pulumiInternals.ts): found, unwrapped,
// or redacted. No Pulumi import, so the plan's worker thread can load it cheaply.

import { WIRE_SECRET } from "./pulumiInternals";

const { key: SIG_KEY, signature: SECRET_SIG } = WIRE_SECRET;

/** What an encrypted value or a secret becomes in the plan's output. */
export const SECRET_PLACEHOLDER = "[secret]";

export interface SecretValue {
    readonly [WIRE_SECRET.key]: typeof WIRE_SECRET.signature;
    readonly value: unknown;
}

export function isSecretValue(value: unknown): value is SecretValue {
    return value !== null && typeof value === "object" && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Copies a wire value with every secret replaced by `replace(secret)`. */
export function mapSecrets(value: unknown, replace: (secret: SecretValue) => unknown): unknown {
    if (isSecretValue(value)) return replace(value);
    if (Array.isArray(value)) return value.map((v) => mapSecrets(v, replace));
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, replace)]));
    }
    return value;
}

/** The wire value with secrets unwrapped: what the provider would receive. */
export function reveal(value: unknown): unknown {
    return mapSecrets(value, (secret) => reveal(secret.value));
}

/** A wire value with every secret replaced by the placeholder, keeping the keys of secret maps. */
export function redact(value: unknown): unknown {
    return mapSecrets(value, (secret) => {
        const inner = reveal(secret.value);
        if (inner !== null && typeof inner === "object" && !Array.isArray(inner)) {
            return Object.fromEntries(Object.keys(inner).map((k) => [k, SECRET_PLACEHOLDER]));
        }
        return SECRET_PLACEHOLDER;
    });
}
