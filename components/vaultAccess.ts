import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import {
    KEY_VAULT_READER_ROLE_ID,
    KEY_VAULT_SECRETS_USER_ROLE_ID,
    KEY_VAULT_WRITE_ROLES,
    type KeyVaultObjectPath,
    roleDefinitionId,
} from "./wellKnown";

/** Key Vault objects ESO writes (PushSecrets), by type: each gets its type's write role on it alone. */
export type PushedObjects = Readonly<Record<KeyVaultObjectPath, readonly string[]>>;

/** Nothing pushed. */
export const NOTHING_PUSHED: PushedObjects = { secrets: [], keys: [], certificates: [] };

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
     * Write access to single objects a PushSecret writes, never a vault: "Key Vault Secrets Officer" on
     * `<vaultId>/secrets/<name>`, "Key Vault Crypto Officer" on `<vaultId>/keys/<name>`, "Key Vault Certificates
     * Officer" on `<vaultId>/certificates/<name>` (KEY_VAULT_WRITE_ROLES). Azure RBAC takes an assignment on an object
     * that does not exist yet (ESO creates it on the first push): the scope is a path, and the role applies once an
     * object is there.
     * @default {}
     */
    readonly writers?: Readonly<
        Record<string, { readonly type: KeyVaultObjectPath; readonly scope: pulumi.Input<string> }>
    >;
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
     * Objects ESO writes (PushSecrets).
     * @default none
     */
    readonly writes?: PushedObjects;
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
        writers: objectWriters(vaultId, objects.writes ?? NOTHING_PUSHED),
    };
}

/**
 * Each pushed object's write role on it alone: keyed `push-<name>` for a secret, `push-<path>/<name>` for a key or
 * certificate ("/" cannot occur in a Key Vault name, so no two keys collide).
 */
function objectWriters(vaultId: pulumi.Input<string>, writes: PushedObjects): NonNullable<VaultGrants["writers"]> {
    return Object.fromEntries(
        (Object.keys(KEY_VAULT_WRITE_ROLES) as KeyVaultObjectPath[]).flatMap((type) =>
            writes[type].map((name) => [
                type === "secrets" ? `push-${name}` : `push-${type}/${name}`,
                { type, scope: pulumi.interpolate`${vaultId}/${type}/${name}` },
            ]),
        ),
    );
}

/**
 * Grants on a whole vault: its secrets and, for `cert/` and `key/` references, the public parts of the rest; and
 * write access to each object ESO pushes, one by one.
 */
export function vaultWideGrants(
    vaultId: pulumi.Input<string>,
    readsPublicObjects: boolean,
    writes: PushedObjects = NOTHING_PUSHED,
): VaultGrants {
    return {
        secrets: { vault: vaultId },
        readers: readsPublicObjects ? { vault: vaultId } : {},
        writers: objectWriters(vaultId, writes),
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
 * Key Vault roles for one principal on the given scopes: read roles, and write access to single pushed objects.
 * `principalType` is set explicitly: the API otherwise assumes "User" and, for a service principal created moments
 * earlier, fails with PrincipalNotFound while Entra ID replicates it.
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
            ...Object.entries(args.grants.writers ?? {}).map(([key, { type, scope }]) =>
                assign(`${name}-writer-${key}`, KEY_VAULT_WRITE_ROLES[type].id, scope),
            ),
        ];
        this.registerOutputs({ assignmentIds: this.assignments.map((a) => a.id) });
    }
}
