// Identifiers fixed by Microsoft Entra ID, Azure RBAC, the External Secrets Operator and pulumi-kubernetes.
// Each is published by its owner and never changes; they live here so no GUID appears inline elsewhere.

/** Application (client) id of the first-party "Azure Key Vault" API in every Entra ID tenant. */
export const KEY_VAULT_API_CLIENT_ID = "cfa8b339-82a2-471a-a3c9-0fc0be7a4093";

/** Id of Azure Key Vault's delegated permission scope `user_impersonation`. */
export const KEY_VAULT_USER_IMPERSONATION_SCOPE_ID = "f53da476-18e3-4152-8e01-aec403e6edc0";

/** Built-in Azure role "Key Vault Secrets User": read secret contents, nothing else. */
export const KEY_VAULT_SECRETS_USER_ROLE_ID = "4633458b-17de-408a-b874-0445c86b69e6";

/**
 * Built-in Azure role "Key Vault Secrets Officer": manage secrets. Granted to ESO only on single secrets it pushes
 * (`<vaultId>/secrets/<name>`), never on a vault.
 */
export const KEY_VAULT_SECRETS_OFFICER_ROLE_ID = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";

/**
 * Built-in Azure role "Key Vault Crypto Officer": any action on keys, except managing permissions. Granted to ESO only
 * on single keys it pushes (`<vaultId>/keys/<name>`): ESO's azurekv imports a pushed private key (ImportKey) after
 * reading the key it would replace (GetKey), and deletes it for deletionPolicy Delete (DeleteKey).
 * Id as Microsoft publishes it ("Azure built-in roles for Security", Microsoft Learn,
 * learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-crypto-officer).
 */
export const KEY_VAULT_CRYPTO_OFFICER_ROLE_ID = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";

/**
 * Built-in Azure role "Key Vault Certificates Officer": any action on certificates, except managing permissions.
 * Granted to ESO only on single certificates it pushes (`<vaultId>/certificates/<name>`): ImportCertificate,
 * GetCertificate, DeleteCertificate. Id as Microsoft publishes it ("Azure built-in roles for Security", Microsoft
 * Learn, learn.microsoft.com/azure/role-based-access-control/built-in-roles/security#key-vault-certificates-officer).
 */
export const KEY_VAULT_CERTIFICATES_OFFICER_ROLE_ID = "a4417e6f-fecd-4de8-b567-7b0420556985";

/**
 * The role that writes each type of Key Vault object a PushSecret writes (ESO's azurekv docs name the same three), keyed
 * by the object's path under a vault (`<vaultId>/<path>/<name>`, the only scope each is granted on), with the
 * remoteKey prefix that selects the type (none or `secret/`, `key/`, `cert/`).
 */
export const KEY_VAULT_WRITE_ROLES = {
    secrets: {
        id: KEY_VAULT_SECRETS_OFFICER_ROLE_ID,
        name: "Key Vault Secrets Officer",
        object: "secret",
        prefix: "secret/",
    },
    keys: { id: KEY_VAULT_CRYPTO_OFFICER_ROLE_ID, name: "Key Vault Crypto Officer", object: "key", prefix: "key/" },
    certificates: {
        id: KEY_VAULT_CERTIFICATES_OFFICER_ROLE_ID,
        name: "Key Vault Certificates Officer",
        object: "certificate",
        prefix: "cert/",
    },
} as const;

/** A type of Key Vault object, by its path under a vault. */
export type KeyVaultObjectPath = keyof typeof KEY_VAULT_WRITE_ROLES;

/** The full resource id ARM expects for a built-in role definition in a subscription. */
export function roleDefinitionId(subscriptionId: string, roleId: string): string {
    return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

/** The External Secrets Operator's Helm chart; the version is pinned per stack. */
export const ESO_CHART = {
    name: "external-secrets",
    repository: "https://charts.external-secrets.io",
} as const;

/** ESO's served API version (v1beta1 is no longer served since ESO 0.17). */
export const ESO_API_VERSION = "external-secrets.io/v1";

/** ESO's generator API (Password and the other generators): served as v1alpha1 only. */
export const GENERATOR_API_VERSION = "generators.external-secrets.io/v1alpha1";

/** Pod Security Admission: the label that enforces a profile on a namespace. */
export const POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

/** Uid and gid the mounting workload runs as: an unprivileged id no image assigns to root. */
export const WORKLOAD_UID = 65532;

/**
 * The container runtime's default seccomp or AppArmor profile (`seccompProfile`, `appArmorProfile`; the latter a
 * securityContext field since Kubernetes 1.30): what the "restricted" Pod Security profile asks for seccomp.
 */
export const RUNTIME_DEFAULT = { type: "RuntimeDefault" } as const;

/** File mode of mounted secret files: owner read only. With fsGroup, kubelet adds group read (0440 effective). */
export const SECRET_FILE_MODE = 0o400;

/** Azure AD Workload Identity: the token audience Entra ID accepts, and the names its webhook reads. */
export const WORKLOAD_IDENTITY = {
    audience: "api://AzureADTokenExchange",
    clientIdAnnotation: "azure.workload.identity/client-id",
    tenantIdAnnotation: "azure.workload.identity/tenant-id",
    useLabel: "azure.workload.identity/use",
} as const;

/** The federated credential subject of a Kubernetes service account. */
export function serviceAccountSubject(namespace: string, name: string): string {
    return `system:serviceaccount:${namespace}:${name}`;
}

/** pulumi-kubernetes await annotations: `pulumi up` waits until the condition holds, or fails after the timeout. */
export const PULUMI_AWAIT = {
    waitFor: "pulumi.com/waitFor",
    timeoutSeconds: "pulumi.com/timeoutSeconds",
} as const;

/** Annotations that make `pulumi up` wait for an ESO object's Ready condition. */
export function awaitReady(timeoutSeconds: number): Record<string, string> {
    return { [PULUMI_AWAIT.waitFor]: "condition=Ready", [PULUMI_AWAIT.timeoutSeconds]: String(timeoutSeconds) };
}

/** Key Vault's DNS suffix in each Azure cloud (ESO's `environmentType` values). */
export const KEY_VAULT_DNS_SUFFIX = {
    PublicCloud: "vault.azure.net",
    USGovernmentCloud: "vault.usgovcloudapi.net",
    ChinaCloud: "vault.azure.cn",
    GermanCloud: "vault.microsoftazure.de",
} as const;

export type AzureCloud = keyof typeof KEY_VAULT_DNS_SUFFIX;

/**
 * The private DNS zone that resolves a vault's usual name to its private endpoint, per cloud (Microsoft's "Azure
 * Private Endpoint private DNS zone values", Key Vault `vault`). Microsoft publishes none for GermanCloud. The
 * store keeps `https://<name>.vault.azure.net/`: a `privatelink.` URL fails TLS in ESO (external-secrets #1998).
 */
export const KEY_VAULT_PRIVATE_DNS_ZONE: Readonly<Partial<Record<AzureCloud, string>>> = {
    PublicCloud: "privatelink.vaultcore.azure.net",
    USGovernmentCloud: "privatelink.vaultcore.usgovcloudapi.net",
    ChinaCloud: "privatelink.vaultcore.azure.cn",
};

/** The private-link sub-resource (group id) of a key vault. */
export const KEY_VAULT_PRIVATE_LINK_GROUP = "vault";

/**
 * Built-in Azure role "Key Vault Reader": metadata and the public parts of keys and certificates, never secret
 * contents. Granted where ESO reads `cert/` or `key/` objects.
 */
export const KEY_VAULT_READER_ROLE_ID = "21090545-7ca7-4776-b22c-e363652d74d2";

/**
 * Every role this program grants, and to no one but ESO's identities. The one list that the program, the policy
 * pack and the deploying identity's role-assignment condition (docs/ci.md) share: a role granted here and missing
 * there fails `pulumi up` with 403 (tests keep them in step).
 */
export const ESO_GRANTED_ROLES = [
    { id: KEY_VAULT_SECRETS_USER_ROLE_ID, name: "Key Vault Secrets User" },
    { id: KEY_VAULT_READER_ROLE_ID, name: "Key Vault Reader" },
    { id: KEY_VAULT_SECRETS_OFFICER_ROLE_ID, name: "Key Vault Secrets Officer" },
    { id: KEY_VAULT_CRYPTO_OFFICER_ROLE_ID, name: "Key Vault Crypto Officer" },
    { id: KEY_VAULT_CERTIFICATES_OFFICER_ROLE_ID, name: "Key Vault Certificates Officer" },
] as const;

/** The granted roles that write: only on single objects a PushSecret writes (policy/push.ts checks which). */
export const ESO_WRITE_ROLE_IDS: readonly string[] = Object.values(KEY_VAULT_WRITE_ROLES).map((role) => role.id);

/**
 * What the identity that runs `pulumi up` needs, per resource group of a stack, and why. Key Vault data-plane roles
 * are not among them: seeded secrets are written through ARM and left in place on delete (see VaultSecrets).
 */
export const DEPLOYER_ROLES = [
    { name: "Contributor", why: "create the vault and write its seeded secrets (ARM)" },
    {
        name: "Role Based Access Control Administrator",
        why: "assign ESO its roles, constrained by a condition to ESO_GRANTED_ROLES",
    },
] as const;

/** Entra ID's sign-in authority in each Azure cloud (what ESO's AadEndpointForType returns). */
export const ENTRA_AUTHORITY = {
    PublicCloud: "https://login.microsoftonline.com/",
    USGovernmentCloud: "https://login.microsoftonline.us/",
    ChinaCloud: "https://login.chinacloudapi.cn/",
    GermanCloud: "https://login.microsoftonline.de/",
} as const;

/** ESO reconciles an ExternalSecret at once when this annotation's value changes (`esv1.AnnotationForceSync`). */
export const ESO_FORCE_SYNC_ANNOTATION = "force-sync";
