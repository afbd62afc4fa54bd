import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import {
    KEY_VAULT_READER_ROLE_ID,
    KEY_VAULT_SECRETS_OFFICER_ROLE_ID,
    KEY_VAULT_SECRETS_USER_ROLE_ID,
    roleDefinitionId,
} from "./wellKnown";

/** Where a principal may read, keyed by a stable name that becomes part of the role assignment's name. */
export interface VaultGrants {
    /** "Key Vault Secrets User" (read secret contents): a vault id, or secret ids `<vaultId>/secrets/<name>`. */
    readonly secrets: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * "Key Vault Reader" (public parts of certificates and keys, no secret contents): for `cert/` and `key/`
     * references; a vault id, or `<vaultId>/certificates/<name>` and `<vaultId>/keys/<name>`.
     * @default {}
     */
    readonly readers?: Readonly<Record<string, pulumi.Input<string>>>;
    /**
     * "Key Vault Secrets Officer" (write a secret): secret ids `<vaultId>/secrets/<name>` only, for the secrets a
     * PushSecret writes; never a vault. Azure RBAC takes an assignment on a secret that does not exist yet (ESO
     * creates it on the first push): the scope is a path, and the role applies once an object is there.
     * @default {}
     */
    readonly writers?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** Names of single Key Vault objects, by type. */
export interface VaultObjects {
    /** Secret names. */
    readonly secrets: readonly string[];
    /** Certificate names. */
    readonly certificates: readonly string[];
    /** Key names. */
    readonly keys: readonly string[];
    /**
     * Secret names ESO writes (PushSecrets).
     * @default none
     */
    readonly writes?: readonly string[];
}

/**
 * Grants on single objects of a vault: "Key Vault Secrets User" on each secret, "Key Vault Reader" on each certificate
 * and key. Secrets this stack creates are referred to by their resource's id, so the grant waits for the secret.
 *
 * A certificate's private key is not part of the certificate object: Key Vault returns it (PKCS#12 or PEM) only
 * through the secret of the same name that backs every certificate ("Composition of a certificate", Microsoft Learn,
 * About Azure Key Vault certificates). So ESO's `secret/<name>` reads it with "Key Vault Secrets User" on
 * `<vaultId>/secrets/<name>`, and `cert/<name>` (the public X.509 certificate) needs no more than "Key Vault Reader"
 * on `<vaultId>/certificates/<name>`.
 */
export function objectGrants(
    vaultId: pulumi.Input<string>,
    objects: VaultObjects,
    createdSecretIds: Readonly<Record<string, pulumi.Input<string>>> = {},
): VaultGrants {
    const scope = (kind: "secrets" | "certificates" | "keys", name: string): pulumi.Input<string> =>
        (kind === "secrets" ? createdSecretIds[name] : undefined) ?? pulumi.interpolate`${vaultId}/${kind}/${name}`;
    return {
        secrets: Object.fromEntries(objects.secrets.map((name) => [`secret-${name}`, scope("secrets", name)])),
        readers: Object.fromEntries([
            ...objects.certificates.map((name) => [`certificate-${name}`, scope("certificates", name)]),
            ...objects.keys.map((name) => [`key-${name}`, scope("keys", name)]),
        ]),
        writers: secretWriters(vaultId, objects.writes ?? []),
    };
}

/** "Key Vault Secrets Officer" on each named secret of a vault, keyed `push-<name>`. */
function secretWriters(
    vaultId: pulumi.Input<string>,
    names: readonly string[],
): Readonly<Record<string, pulumi.Input<string>>> {
    return Object.fromEntries(names.map((name) => [`push-${name}`, pulumi.interpolate`${vaultId}/secrets/${name}`]));
}

/**
 * Grants on a whole vault: its secrets and, for `cert/` and `key/` references, the public parts of the rest; and
 * write access to each secret ESO pushes, one by one.
 */
export function vaultWideGrants(
    vaultId: pulumi.Input<string>,
    readsPublicObjects: boolean,
    writes: readonly string[] = [],
): VaultGrants {
    return {
        secrets: { vault: vaultId },
        readers: readsPublicObjects ? { vault: vaultId } : {},
        writers: secretWriters(vaultId, writes),
    };
}

export interface VaultAccessArgs {
    /** Object id of the principal that reads (a service principal or a managed identity). */
    readonly principalId: pulumi.Input<string>;
    /** Subscription of the vault, for role definition ids. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Where the principal may read, and with which role. */
    readonly grants: VaultGrants;
}

/**
 * Key Vault roles for one principal on the given scopes: read roles, and write access to single pushed secrets. `principalType` is set explicitly: the API
 * otherwise assumes "User" and, for a service principal created moments earlier, fails with PrincipalNotFound
 * while Entra ID replicates it.
 */
export class VaultAccess extends pulumi.ComponentResource {
    /** Role assignment resources, for `dependsOn`: reads succeed only after they exist (and have propagated). */
    public readonly assignments: readonly authorization.RoleAssignment[];

    constructor(name: string, args: VaultAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:identity:VaultAccess", name, {}, opts);

        const role = (roleId: string) =>
            pulumi.output(args.subscriptionId).apply((subscriptionId) => roleDefinitionId(subscriptionId, roleId));
        const assign = (assignmentName: string, roleId: string, scope: pulumi.Input<string>) =>
            new authorization.RoleAssignment(
                assignmentName,
                {
                    principalId: args.principalId,
                    principalType: authorization.PrincipalType.ServicePrincipal,
                    roleDefinitionId: role(roleId),
                    scope,
                },
                { parent: this },
            );
        this.assignments = [
            ...Object.entries(args.grants.secrets).map(([key, scope]) =>
                assign(`${name}-${key}`, KEY_VAULT_SECRETS_USER_ROLE_ID, scope),
            ),
            ...Object.entries(args.grants.readers ?? {}).map(([key, scope]) =>
                assign(`${name}-reader-${key}`, KEY_VAULT_READER_ROLE_ID, scope),
            ),
            ...Object.entries(args.grants.writers ?? {}).map(([key, scope]) =>
                assign(`${name}-writer-${key}`, KEY_VAULT_SECRETS_OFFICER_ROLE_ID, scope),
            ),
        ];
        this.registerOutputs({ assignmentIds: this.assignments.map((a) => a.id) });
    }
}
