import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";
import { AccessCheck, type AccessCheckIdentity } from "./accessCheck";
import { CredentialSecret } from "./credentialSecret";
import type { EsoAuth, EsoIdentity } from "./esoIdentity";
import { SecretStore, type StoreAuth, type StoreRef } from "./secretStore";
import { type AzureCloud, WORKLOAD_IDENTITY } from "./wellKnown";

export interface StoreSignInArgs {
    /** The identity the store signs in as. */
    readonly identity: EsoIdentity;
    /** How it signs in: the mode, and the names of its credential Secret or service account. */
    readonly auth: EsoAuth;
    /** Entra ID tenant of the identity. */
    readonly tenantId: pulumi.Input<string>;
    /** Namespace of the credential Secret or service account. */
    readonly namespace: pulumi.Input<string>;
    /** The operator: its namespace once the webhook serves, and its release (which creates ESO's service account). */
    readonly operator: {
        readonly servingNamespace: pulumi.Output<string>;
        readonly release: pulumi.CustomResource;
    };
    /**
     * Create the service account here (workload identity); false when another component does (the ESO chart's own).
     * @default true
     */
    readonly createServiceAccount?: boolean;
    /**
     * The access check, when ExternalSecrets will read through the store: what they read, and from where.
     * @default no check
     */
    readonly check?: {
        readonly vaultUrl: pulumi.Input<string>;
        readonly cloud: AzureCloud;
        readonly objects: readonly pulumi.Input<string>[];
        readonly timeoutSeconds: number;
        /** How `kubectl` reaches the cluster, for a workload identity token. */
        readonly kubeconfig?: pulumi.Input<string>;
        readonly context?: string;
    };
}

/**
 * What every store of a stack shares, the shared store's and each tenant's alike: the vault it reads, the operator
 * that serves it, and how `up` waits for it.
 */
export interface StoreContext {
    /** Key Vault URI. */
    readonly vaultUrl: pulumi.Input<string>;
    /** Azure cloud of the vault. */
    readonly cloud: AzureCloud;
    /**
     * ESO's `useAzureSDK` on every store (see SecretStoreArgs).
     * @default unset: ESO's legacy SDK
     */
    readonly useAzureSDK?: boolean;
    /** Entra ID tenant of the vault and of every identity that reads it. */
    readonly tenantId: pulumi.Input<string>;
    /** The operator, whose namespace holds a ClusterSecretStore's credentials or service account. */
    readonly operator: {
        /** Its namespace's name, for federated credential subjects. */
        readonly namespaceName: string;
        /** Its namespace, resolved once it exists. */
        readonly namespace: pulumi.Output<string>;
        /** Its namespace, resolved once ESO's webhook serves. */
        readonly servingNamespace: pulumi.Output<string>;
        /** The release, which creates ESO's service account. */
        readonly release: pulumi.CustomResource;
    };
    /** Seconds `pulumi up` waits for each store to be Ready, and the access checks for RBAC to apply. */
    readonly readyTimeoutSeconds: number;
    /**
     * The cluster's OIDC issuer as Azure reports it, for identities whose auth names none (AKS named by the stack).
     * @default none
     */
    readonly clusterIssuer?: pulumi.Input<string>;
    /**
     * Resolves a Key Vault reference once the object exists, when the stack creates it (VaultSecrets.reference).
     * @default references are used as they are
     */
    readonly reference?: (reference: string) => pulumi.Input<string>;
    /**
     * How `kubectl` reaches the cluster, for the access check of a workload identity.
     * @default the ambient kubeconfig and context
     */
    readonly kubernetes?: { readonly kubeconfig?: pulumi.Input<string>; readonly context?: string };
}

/** The access check of a store whose ExternalSecrets read `objects`, from a stack's shared context. */
export function checkOf(context: StoreContext, objects: readonly string[]): NonNullable<StoreSignInArgs["check"]> {
    return {
        vaultUrl: context.vaultUrl,
        cloud: context.cloud,
        objects: objects.map((object) => context.reference?.(object) ?? object),
        timeoutSeconds: context.readyTimeoutSeconds,
        kubeconfig: context.kubernetes?.kubeconfig,
        context: context.kubernetes?.context,
    };
}

/** Names of what a sign-in creates, so that stores keep the names their resources were first deployed under. */
export interface StoreSignInNames {
    /** The CredentialSecret component (service principal). */
    readonly credentials: string;
    /** The ServiceAccount (workload identity, when created here). */
    readonly serviceAccount: string;
    /** The AccessCheck component. */
    readonly check: string;
}

/** What a store needs to sign in. */
export interface StoreSignIn {
    /**
     * The store's `auth`. Its values resolve only once the webhook serves, the identity's grants exist and its
     * credential Secret or service account does: a store built from it is applied after them by construction.
     */
    readonly auth: StoreAuth;
    /** The access check's verification, when there is one (see StoreRef). */
    readonly verification?: pulumi.Output<string>;
}

/**
 * How a store signs in, for the shared store and every tenant's alike: the credential Secret (service principal),
 * the annotated service account (workload identity: its annotations carry the client and tenant ids, and the store
 * names no tenant of its own, which ESO would refuse), or the nodes' identity (managed identity); and the access
 * check that proves the identity can read, where the deploying machine can sign in as it. Resources are created
 * with `opts` (the caller's parent and provider), so their names and URNs are the caller's.
 */
export function storeSignIn(
    names: StoreSignInNames,
    args: StoreSignInArgs,
    opts: pulumi.CustomResourceOptions,
): StoreSignIn {
    const { identity, auth } = args;
    if (auth.mode !== identity.credentials.mode) {
        throw new Error(`a ${auth.mode} store cannot sign in as a ${identity.credentials.mode} identity`);
    }
    const granted = identity.grantedClientId;
    /** A value the store reads, resolved once the webhook serves, the grants exist, and `also` does. */
    const gate = <T>(value: pulumi.Input<T>, ...also: pulumi.Input<unknown>[]): pulumi.Output<T> =>
        pulumi.all([value, granted, args.operator.servingNamespace, ...also]).apply(([resolved]) => resolved as T);
    const check = (signIn: AccessCheckIdentity, after: readonly pulumi.CustomResource[]) => {
        if (args.check === undefined || args.check.objects.length === 0) return undefined;
        return new AccessCheck(
            names.check,
            {
                identity: signIn,
                vaultUrl: args.check.vaultUrl,
                cloud: args.check.cloud,
                objects: args.check.objects,
                after,
                timeoutSeconds: args.check.timeoutSeconds,
            },
            { parent: opts.parent },
        ).verification;
    };

    if (auth.mode === "servicePrincipal" && identity.credentials.mode === "servicePrincipal") {
        const { clientSecret } = identity.credentials;
        const credentials = new CredentialSecret(
            names.credentials,
            {
                namespace: args.namespace,
                secretName: auth.credentialSecret.name,
                clientIdKey: auth.credentialSecret.clientIdKey,
                clientSecretKey: auth.credentialSecret.clientSecretKey,
                clientId: identity.clientId,
                clientSecret,
            },
            opts,
        );
        return {
            auth: {
                type: "servicePrincipal",
                secretName: gate(credentials.secretName),
                secretNamespace: args.namespace,
                clientIdKey: auth.credentialSecret.clientIdKey,
                clientSecretKey: auth.credentialSecret.clientSecretKey,
                tenantId: args.tenantId,
            },
            verification: check(
                { mode: "servicePrincipal", tenantId: args.tenantId, clientId: granted, clientSecret },
                identity.grants,
            ),
        };
    }
    if (auth.mode === "workloadIdentity") {
        const account =
            (args.createServiceAccount ?? true)
                ? new core.ServiceAccount(
                      names.serviceAccount,
                      {
                          metadata: {
                              name: auth.serviceAccountName,
                              namespace: args.namespace,
                              annotations: {
                                  [WORKLOAD_IDENTITY.clientIdAnnotation]: identity.clientId,
                                  [WORKLOAD_IDENTITY.tenantIdAnnotation]: args.tenantId,
                              },
                          },
                          // ESO requests tokens for it; nothing mounts one.
                          automountServiceAccountToken: false,
                      },
                      opts,
                  )
                : undefined;
        const accountName = gate(account?.metadata.name ?? auth.serviceAccountName);
        return {
            auth: {
                type: "workloadIdentity",
                serviceAccountName: accountName,
                serviceAccountNamespace: args.namespace,
            },
            verification: check(
                {
                    mode: "workloadIdentity",
                    tenantId: args.tenantId,
                    clientId: granted,
                    serviceAccount: { namespace: args.namespace, name: accountName },
                    kubeconfig: args.check?.kubeconfig,
                    context: args.check?.context,
                },
                // Checked again when a grant, the release or the service account is replaced.
                [...identity.grants, args.operator.release, ...(account === undefined ? [] : [account])],
            ),
        };
    }
    // Managed identity: the token comes from the nodes' instance metadata service, which only pods on those nodes
    // reach, so no check can sign in as it from where `pulumi up` runs.
    return { auth: { type: "managedIdentity", identityId: gate(identity.clientId) } };
}

/**
 * A store as ExternalSecrets name it, usable only once the store is Ready and, where its access is checked, once
 * the check has passed: an ExternalSecret built from it is applied after both by construction.
 */
export function storeRefOf(
    store: { readonly kind: StoreRef["kind"]; readonly storeName: pulumi.Output<string> },
    signIn: StoreSignIn,
): StoreRef {
    const verification = signIn.verification;
    return {
        kind: store.kind,
        name:
            verification === undefined
                ? store.storeName
                : pulumi.all([store.storeName, verification]).apply(([name]) => name),
        forceSync: verification,
    };
}

export interface SharedStoreArgs extends StoreContext {
    /** ESO's own identity, which the chart's service account (workload identity) carries. */
    readonly identity: EsoIdentity;
    readonly auth: EsoAuth;
    /** Name of the ClusterSecretStore. */
    readonly storeName: string;
    /**
     * Namespaces whose ExternalSecrets may use it.
     * @default every namespace
     */
    readonly namespaces?: readonly string[];
    /** Key Vault objects its ExternalSecrets read (`name`, `cert/name`, `key/name`, `*`), for its access check. */
    readonly reads: readonly string[];
}

/**
 * The stack's shared ClusterSecretStore, signing in as ESO's own identity from ESO's namespace, as ExternalSecrets
 * name it. `names.signIn` prefixes what the sign-in creates and `names.store` names the store, as first deployed.
 */
export function sharedStore(
    names: { readonly signIn: string; readonly store: string },
    args: SharedStoreArgs,
    opts: pulumi.CustomResourceOptions,
): { readonly store: SecretStore; readonly ref: StoreRef } {
    const signIn = storeSignIn(
        {
            credentials: `${names.signIn}-credentials`,
            serviceAccount: `${names.signIn}-service-account`,
            check: `${names.signIn}-access-check`,
        },
        {
            identity: args.identity,
            auth: args.auth,
            tenantId: args.tenantId,
            namespace: args.operator.namespace,
            operator: args.operator,
            createServiceAccount: false, // the chart's own
            check: checkOf(args, args.reads),
        },
        opts,
    );
    const store = new SecretStore(
        names.store,
        {
            storeName: args.storeName,
            scope: { kind: "ClusterSecretStore", namespaces: args.namespaces },
            vaultUrl: args.vaultUrl,
            cloud: args.cloud,
            useAzureSDK: args.useAzureSDK,
            auth: signIn.auth,
            readyTimeoutSeconds: args.readyTimeoutSeconds,
        },
        opts,
    );
    return { store, ref: storeRefOf(store, signIn) };
}
