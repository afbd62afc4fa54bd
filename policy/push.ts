// Policies for what ESO may write: a PushSecret's write grant ("Key Vault Secrets Officer", "Crypto Officer" or
// "Certificates Officer"), on exactly the secrets, keys and certificates the stack pushes.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { KEY_VAULT_WRITE_ROLES, type KeyVaultObjectPath } from "../components/wellKnown";
import { isType, onTypes, RESOURCE_TYPES, show } from "./common";
import { singleObjectScope } from "./identity";

const ROLE_ID = /\/roleDefinitions\/([0-9a-f-]{36})$/i;

interface PushConfig {
    pushedSecrets?: string[];
    pushedKeys?: string[];
    pushedCertificates?: string[];
}

/** The configuration key that lists the pushed objects of each type. */
const CONFIG_KEY: Readonly<Record<KeyVaultObjectPath, keyof PushConfig>> = {
    secrets: "pushedSecrets",
    keys: "pushedKeys",
    certificates: "pushedCertificates",
};

const listOf = (what: string) => ({
    type: "array" as const,
    items: { type: "string" as const },
    default: [],
    description: `Key Vault ${what} names the stack's PushSecrets write.`,
});

export const roleAssignmentWriteScope: ResourceValidationPolicy = {
    name: "role-assignment-write-scope",
    description:
        '"Key Vault Secrets Officer", "Key Vault Crypto Officer" and "Key Vault Certificates Officer" are granted only on single secrets, keys and certificates the stack pushes (pushSecrets[]), never on a vault.',
    configSchema: {
        properties: {
            pushedSecrets: listOf("secret"),
            pushedKeys: listOf("key"),
            pushedCertificates: listOf("certificate"),
        },
    },
    validateResource: onTypes(isType(RESOURCE_TYPES.roleAssignment), (props, args, report) => {
        const role = props.roleDefinitionId;
        const roleId = typeof role === "string" ? ROLE_ID.exec(role)?.[1]?.toLowerCase() : undefined;
        const type = (Object.keys(KEY_VAULT_WRITE_ROLES) as KeyVaultObjectPath[]).find(
            (t) => KEY_VAULT_WRITE_ROLES[t].id === roleId,
        );
        if (type === undefined) return;
        const scope = props.scope;
        // Unknown during preview: `pulumi up` checks again with the scope known.
        if (scope === undefined) return;
        const { name: roleName, object } = KEY_VAULT_WRITE_ROLES[type];
        const pushed = args.getConfig<PushConfig>()[CONFIG_KEY[type]] ?? [];
        const name = typeof scope === "string" ? singleObjectScope(type).exec(scope)?.[1] : undefined;
        if (name === undefined || !pushed.includes(name)) {
            report(
                `scope is ${show(scope)}: grant "${roleName}" only on one ${object} a PushSecret of this stack writes ` +
                    `(.../vaults/<name>/${type}/<${object}>, one of: ${pushed.join(", ") || "none are configured"}), never on a vault`,
            );
        }
    }),
};
