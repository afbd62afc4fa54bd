// Identity policies: what ESO's role assignments grant, and on what, and how long its client secrets live.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
    ESO_GRANTED_ROLES,
    ESO_WRITE_ROLE_IDS,
    KEY_VAULT_READER_ROLE_ID,
    KEY_VAULT_SECRETS_OFFICER_ROLE_ID,
    KEY_VAULT_SECRETS_USER_ROLE_ID,
    KEY_VAULT_WRITE_ROLES,
    type KeyVaultObjectPath,
} from "../components/wellKnown";
import { DAY_MS, MAX_PASSWORD_LIFETIME_DAYS } from "../stacks/limits";
import { onTypes, isType, RESOURCE_TYPES, show } from "./common";

/** Role names for messages, so a reader sees which role was granted instead of a GUID. */
const ROLE_NAMES: Readonly<Record<string, string>> = {
    ...Object.fromEntries(ESO_GRANTED_ROLES.map((role) => [role.id, role.name])),
    [KEY_VAULT_SECRETS_OFFICER_ROLE_ID]: "Key Vault Secrets Officer",
};

/** The object type each write role writes, by role id. */
const WRITE_ROLE_TYPE: ReadonlyMap<string, KeyVaultObjectPath> = new Map(
    (Object.keys(KEY_VAULT_WRITE_ROLES) as KeyVaultObjectPath[]).map((type) => [KEY_VAULT_WRITE_ROLES[type].id, type]),
);

const ROLE_DEFINITION_ID =
    /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Authorization\/roleDefinitions\/([0-9a-f-]{36})$/i;
const VAULT_OR_SECRET_SCOPE =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+(\/secrets\/[^/]+)?$/i;
/** One secret, key or certificate of a vault (by its path): the only scope its write role may have. */
export function singleObjectScope(type: KeyVaultObjectPath): RegExp {
    return new RegExp(
        `^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\\.KeyVault/vaults/[^/]+/${type}/([^/]+)$`,
        "i",
    );
}

/** Where "Key Vault Reader" may be granted: a vault, or one of its certificates or keys (public parts only). */
const VAULT_CERTIFICATE_OR_KEY_SCOPE =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+(\/(certificates|keys)\/[^/]+)?$/i;

/** RFC 3339 date-time: full date, "T", time, and "Z" or a numeric offset. */
const RFC3339 =
    /^(\d{4})-(\d{2})-(\d{2})[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

export const roleAssignmentLeastPrivilege: ResourceValidationPolicy = {
    name: "role-assignment-least-privilege",
    description:
        'Role assignments grant only "Key Vault Secrets User" (on a vault or one of its secrets) or the narrower "Key Vault Reader" (on a vault, certificate or key), with principalType set; "Key Vault Secrets Officer", "Crypto Officer" and "Certificates Officer" only on one secret, key or certificate (see role-assignment-write-scope).',
    validateResource: onTypes(isType(RESOURCE_TYPES.roleAssignment), (props, _args, report) => {
        // Plain values first: during a real preview, reading an unknown value stops this validation (see common.ts).
        const principalType = props.principalType;
        if (typeof principalType !== "string" || principalType === "") {
            report(
                `principalType is ${show(principalType)}: set it (ServicePrincipal for an app or managed identity); ` +
                    "the API otherwise assumes User, and a service principal created moments earlier fails with PrincipalNotFound",
            );
        }

        // "Key Vault Secrets User" reads secret values; "Key Vault Reader" is narrower (metadata and the public parts
        // of certificates and keys, which ESO's cert/ and key/ references read), never secret values.
        const role = props.roleDefinitionId;
        const roleId = typeof role === "string" ? ROLE_DEFINITION_ID.exec(role)?.[1]?.toLowerCase() : undefined;
        // Write access to one secret, key or certificate is a PushSecret's grant, by the role of that object's type:
        // role-assignment-write-scope (push.ts) checks which objects.
        const writes = roleId !== undefined && ESO_WRITE_ROLE_IDS.includes(roleId);
        const writesType = roleId === undefined ? undefined : WRITE_ROLE_TYPE.get(roleId);
        const oneObject = writesType !== undefined && singleObjectScope(writesType).test(String(props.scope));
        if (writes && (props.scope === undefined || oneObject)) return;
        if (role !== undefined) {
            const wanted =
                `grant only "${ROLE_NAMES[KEY_VAULT_SECRETS_USER_ROLE_ID]}" (${KEY_VAULT_SECRETS_USER_ROLE_ID}), which reads secret values and nothing else, ` +
                `or the narrower "${ROLE_NAMES[KEY_VAULT_READER_ROLE_ID]}" (${KEY_VAULT_READER_ROLE_ID})`;
            if (roleId === undefined) {
                report(
                    `roleDefinitionId is ${show(role)}: use /subscriptions/<subscription>/providers/Microsoft.Authorization/roleDefinitions/<role id> and ${wanted}`,
                );
            } else if (writes || !ESO_GRANTED_ROLES.some((granted) => granted.id === roleId)) {
                const name = ROLE_NAMES[roleId];
                report(`roleDefinitionId is ${show(role)}${name === undefined ? "" : ` (${name})`}: ${wanted}`);
            }
        }

        const scope = props.scope;
        if (scope === undefined) return;
        if (roleId === KEY_VAULT_READER_ROLE_ID) {
            if (typeof scope !== "string" || !VAULT_CERTIFICATE_OR_KEY_SCOPE.test(scope)) {
                report(
                    `scope is ${show(scope)}: scope "Key Vault Reader" to one vault (.../providers/Microsoft.KeyVault/vaults/<name>) ` +
                        "or one of its certificates or keys (.../vaults/<name>/certificates/<name>, .../vaults/<name>/keys/<name>)",
                );
            }
        } else if (typeof scope !== "string" || !VAULT_OR_SECRET_SCOPE.test(scope)) {
            report(
                `scope is ${show(scope)}: scope the grant to one vault (.../providers/Microsoft.KeyVault/vaults/<name>) ` +
                    "or one of its secrets (.../vaults/<name>/secrets/<secret>), not a resource group or subscription",
            );
        }
    }),
};

/** The time an RFC 3339 date-time stands for, or undefined if `text` is not one (or names no real date). */
function parseRfc3339(text: string): number | undefined {
    const match = RFC3339.exec(text);
    if (match === null) return undefined;
    const [, year, month, day] = match.map(Number) as [number, number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
    const time = Date.parse(text.toUpperCase());
    return Number.isNaN(time) ? undefined : time;
}

export function applicationPasswordLifetime(clock: () => Date): ResourceValidationPolicy {
    return {
        name: "application-password-lifetime",
        description: `Client secrets have an end date (RFC 3339) at most ${MAX_PASSWORD_LIFETIME_DAYS} days away.`,
        validateResource: onTypes(isType(RESOURCE_TYPES.applicationPassword), (props, _args, report) => {
            const endDate = props.endDate;
            const rule = `set endDate to an RFC 3339 date-time at most ${MAX_PASSWORD_LIFETIME_DAYS} days from now, such as "2026-06-30T00:00:00Z"`;
            if (typeof endDate !== "string") {
                report(`endDate is ${show(endDate)}: ${rule}; without one Entra ID makes the secret valid for 2 years`);
                return;
            }
            const end = parseRfc3339(endDate);
            if (end === undefined) {
                report(`endDate is ${show(endDate)}: ${rule}`);
                return;
            }
            const days = (end - clock().getTime()) / DAY_MS;
            if (days > MAX_PASSWORD_LIFETIME_DAYS) {
                report(
                    `endDate is ${show(endDate)}, ${Math.ceil(days)} days away: ${rule}; Microsoft recommends client secrets live under 12 months`,
                );
            } else if (days <= 0) {
                report(`endDate is ${show(endDate)}, already past: the secret has expired; rotate it to a new one`);
            }
        }),
    };
}
