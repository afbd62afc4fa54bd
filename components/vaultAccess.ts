import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { KEY_VAULT_SECRETS_USER_ROLE_ID, roleDefinitionId } from "./wellKnown";

export interface VaultAccessArgs {
    /** Object id of the principal that reads secrets (a service principal or a managed identity). */
    readonly principalId: pulumi.Input<string>;
    /** Subscription of the vault, for the role definition id. */
    readonly subscriptionId: pulumi.Input<string>;
    /**
     * Scopes of the grant: a vault id, or secret ids (`<vaultId>/secrets/<name>`) for least privilege.
     * Keys name the role assignments (`<name>-<key>`), so keep them stable.
     */
    readonly scopes: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * "Key Vault Secrets User" (read secret contents, nothing else) for one principal on the given scopes.
 * `principalType` is set explicitly: the API otherwise assumes "User" and, for a service principal created
 * moments earlier, fails with PrincipalNotFound while Entra ID replicates it.
 */
export class VaultAccess extends pulumi.ComponentResource {
    /** Role assignment resources, for `dependsOn`: reads succeed only after they exist (and have propagated). */
    public readonly assignments: readonly authorization.RoleAssignment[];

    constructor(name: string, args: VaultAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:identity:VaultAccess", name, {}, opts);

        const role = pulumi
            .output(args.subscriptionId)
            .apply((subscriptionId) => roleDefinitionId(subscriptionId, KEY_VAULT_SECRETS_USER_ROLE_ID));
        this.assignments = Object.entries(args.scopes).map(
            ([key, scope]) =>
                new authorization.RoleAssignment(
                    `${name}-${key}`,
                    {
                        principalId: args.principalId,
                        principalType: authorization.PrincipalType.ServicePrincipal,
                        roleDefinitionId: role,
                        scope,
                    },
                    { parent: this },
                ),
        );
        this.registerOutputs({ assignmentIds: this.assignments.map((a) => a.id) });
    }
}
