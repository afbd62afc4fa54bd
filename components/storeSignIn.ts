import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";
import { AccessCheck } from "./accessCheck";
import { CredentialSecret } from "./credentialSecret";
import type { StoreAuth, StoreRef } from "./secretStore";
import { type AzureCloud, WORKLOAD_IDENTITY } from "./wellKnown";

/** How a store's identity presents itself, per authentication mode. */
export type SignInMethod =
    | {
          readonly mode: "servicePrincipal";
          /** The client secret: a Pulumi secret. */
          readonly clientSecret: pulumi.Input<string>;
          /** The Kubernetes Secret ESO reads it from: its name and keys. */
          readonly secret: { readonly name: string; readonly clientIdKey: string; readonly clientSecretKey: string };
      }
    | {
          readonly mode: "workloadIdentity";
          readonly serviceAccountName: string;
          /** Create the service account here; false when another component does (the ESO chart's own). */
          readonly createServiceAccount: boolean;
      }
    | { readonly mode: "managedIdentity" };

export interface StoreSignInArgs {
    readonly method: SignInMethod;
    /** Client id of the identity. */
    readonly clientId: pulumi.Input<string>;
    /** Entra ID tenant of the identity. */
    readonly tenantId: pulumi.Input<string>;
    /** Namespace of the credential Secret or service account. */
    readonly namespace: pulumi.Input<string>;
    /** What grants the identity its access: role assignments and, for workload identity, federated credentials. */
    readonly grants: readonly pulumi.Resource[];
    /**
     * What else must exist before the identity can sign in (the release that creates ESO's service account).
     * @default []
     */
    readonly after?: readonly pulumi.Resource[];
    /**
     * The access check, when ExternalSecrets will read through the store: what they read, and from where.
     * @default no check
     */
    readonly check?: {
        readonly vaultUrl: pulumi.Input<string>;
        readonly cloud: AzureCloud;
        readonly objects: readonly string[];
        readonly timeoutSeconds: number;
        /** How `kubectl` reaches the cluster, for a workload identity token. */
        readonly kubeconfig?: pulumi.Input<string>;
        readonly context?: string;
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

/** What a store needs to sign in, and when it can. */
export interface StoreSignIn {
    /** The store's `auth`. */
    readonly auth: StoreAuth;
    /** What the store must wait for: the grants and the credential Secret or service account. */
    readonly ready: readonly pulumi.Resource[];
    /** The access check, when there is one (see StoreRef). */
    readonly verified?: StoreRef["verified"];
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
    const { method } = args;
    const after = args.after ?? [];
    let auth: StoreAuth;
    let ready: pulumi.Resource[];
    const check = (identity: ConstructorParameters<typeof AccessCheck>[1]["identity"], waitFor: pulumi.Resource[]) => {
        if (args.check === undefined || args.check.objects.length === 0) return undefined;
        const accessCheck = new AccessCheck(
            names.check,
            {
                identity,
                vaultUrl: args.check.vaultUrl,
                cloud: args.check.cloud,
                objects: args.check.objects,
                after: waitFor,
                timeoutSeconds: args.check.timeoutSeconds,
            },
            { parent: opts.parent },
        );
        return { after: accessCheck.command, token: accessCheck.verification };
    };

    switch (method.mode) {
        case "servicePrincipal": {
            const credentials = new CredentialSecret(
                names.credentials,
                {
                    namespace: args.namespace,
                    secretName: method.secret.name,
                    clientIdKey: method.secret.clientIdKey,
                    clientSecretKey: method.secret.clientSecretKey,
                    clientId: args.clientId,
                    clientSecret: method.clientSecret,
                },
                opts,
            );
            auth = {
                type: "servicePrincipal",
                secretName: credentials.secretName,
                secretNamespace: args.namespace,
                clientIdKey: method.secret.clientIdKey,
                clientSecretKey: method.secret.clientSecretKey,
                tenantId: args.tenantId,
            };
            ready = [...args.grants, ...after, credentials.secret];
            const verified = check(
                {
                    mode: "servicePrincipal",
                    tenantId: args.tenantId,
                    clientId: args.clientId,
                    clientSecret: method.clientSecret,
                },
                [...args.grants],
            );
            return { auth, ready, verified };
        }
        case "workloadIdentity": {
            let accountName: pulumi.Input<string> = method.serviceAccountName;
            ready = [...args.grants, ...after];
            if (method.createServiceAccount) {
                const account = new core.ServiceAccount(
                    names.serviceAccount,
                    {
                        metadata: {
                            name: method.serviceAccountName,
                            namespace: args.namespace,
                            annotations: {
                                [WORKLOAD_IDENTITY.clientIdAnnotation]: args.clientId,
                                [WORKLOAD_IDENTITY.tenantIdAnnotation]: args.tenantId,
                            },
                        },
                        // ESO requests tokens for it; nothing mounts one.
                        automountServiceAccountToken: false,
                    },
                    opts,
                );
                accountName = account.metadata.name;
                ready.push(account);
            }
            auth = {
                type: "workloadIdentity",
                serviceAccountName: accountName,
                serviceAccountNamespace: args.namespace,
            };
            const verified = check(
                {
                    mode: "workloadIdentity",
                    tenantId: args.tenantId,
                    clientId: args.clientId,
                    serviceAccount: { namespace: args.namespace, name: accountName },
                    kubeconfig: args.check?.kubeconfig,
                    context: args.check?.context,
                },
                [...ready],
            );
            return { auth, ready, verified };
        }
        case "managedIdentity":
            // The token comes from the nodes' instance metadata service, which only pods on those nodes reach: no
            // check can sign in as this identity from where `pulumi up` runs.
            return { auth: { type: "managedIdentity", identityId: args.clientId }, ready: [...args.grants, ...after] };
    }
}
