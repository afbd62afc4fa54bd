// Policies for what ESO may write: a PushSecret's "Key Vault Secrets Officer" grant, on exactly the secrets the
// stack pushes.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ESO_WRITE_ROLE_IDS } from "../components/wellKnown";
import { isType, onTypes, RESOURCE_TYPES, show } from "./common";
import { SINGLE_SECRET_SCOPE } from "./identity";

const ROLE_ID = /\/roleDefinitions\/([0-9a-f-]{36})$/i;

interface PushConfig {
    pushedSecrets?: string[];
}

export const roleAssignmentWriteScope: ResourceValidationPolicy = {
    name: "role-assignment-write-scope",
    description:
        '"Key Vault Secrets Officer" is granted only on single secrets the stack pushes (pushSecrets[]), never on a vault.',
    configSchema: {
        properties: {
            pushedSecrets: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Key Vault secret names the stack's PushSecrets write.",
            },
        },
    },
    validateResource: onTypes(isType(RESOURCE_TYPES.roleAssignment), (props, args, report) => {
        const role = props.roleDefinitionId;
        const roleId = typeof role === "string" ? ROLE_ID.exec(role)?.[1]?.toLowerCase() : undefined;
        if (roleId === undefined || !ESO_WRITE_ROLE_IDS.includes(roleId)) return;
        const scope = props.scope;
        // Unknown during preview: `pulumi up` checks again with the scope known.
        if (scope === undefined) return;
        const pushed = args.getConfig<PushConfig>().pushedSecrets ?? [];
        const name = typeof scope === "string" ? SINGLE_SECRET_SCOPE.exec(scope)?.[1] : undefined;
        if (name === undefined || !pushed.includes(name)) {
            report(
                `scope is ${show(scope)}: grant "Key Vault Secrets Officer" only on one secret a PushSecret of this stack writes ` +
                    `(.../vaults/<name>/secrets/<secret>, one of: ${pushed.join(", ") || "none are configured"}), never on a vault`,
            );
        }
    }),
};
