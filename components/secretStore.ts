import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { awaitReady, type AzureCloud, ESO_API_VERSION, KEY_VAULT_DNS_SUFFIX } from "./wellKnown";

/** How ESO authenticates to Key Vault. */
export type StoreAuth =
    | {
          /** Client id and secret from a Kubernetes Secret. */
          readonly type: "servicePrincipal";
          readonly secretName: pulumi.Input<string>;
          /** Namespace of that Secret (required by a ClusterSecretStore; a SecretStore reads its own namespace). */
          readonly secretNamespace: pulumi.Input<string>;
          readonly clientIdKey: string;
          readonly clientSecretKey: string;
          /** Entra ID tenant of the app registration: the store's `tenantId`, which ESO requires in this mode. */
          readonly tenantId: pulumi.Input<string>;
      }
    | {
          /**
           * A federated token of a Kubernetes service account annotated with the client and tenant ids. The tenant
           * comes from that annotation alone: ESO refuses a store that also sets `tenantId` ("multiple tenantID
           * found", external-secrets providers/v1/azure/keyvault/keyvault.go, authorizerForWorkloadIdentity).
           */
          readonly type: "workloadIdentity";
          readonly serviceAccountName: pulumi.Input<string>;
          readonly serviceAccountNamespace: pulumi.Input<string>;
      }
    | {
          /** A user-assigned managed identity on the nodes, chosen by its client id (IMDS knows the tenant). */
          readonly type: "managedIdentity";
          readonly identityId: pulumi.Input<string>;
      };

/** Where the store lives and who may use it. */
export type StoreScope =
    | {
          /** One store for the cluster; with `namespaces`, usable only from those namespaces. */
          readonly kind: "ClusterSecretStore";
          readonly namespaces?: readonly string[];
      }
    | {
          /** A store inside one namespace, usable only there. */
          readonly kind: "SecretStore";
          readonly namespace: pulumi.Input<string>;
      };

/** A store as an ExternalSecret names it (see storeRefOf). */
export interface StoreRef {
    /** Kind the ExternalSecret names in `secretStoreRef`. */
    readonly kind: "ClusterSecretStore" | "SecretStore";
    /** Store name, resolved once the store may be used: an ExternalSecret that names it waits for that. */
    readonly name: pulumi.Input<string>;
    /**
     * Changes each time the store's access check passes: the ExternalSecrets carry it as ESO's `force-sync`
     * annotation, so ESO reads again at once.
     * @default none: the identity's access cannot be checked where `pulumi up` runs (managed identity)
     */
    readonly forceSync?: pulumi.Input<string>;
}

export interface SecretStoreArgs {
    /** Store name (the runbook's `azure-secret-store`). */
    readonly storeName: string;
    /** Cluster-wide (optionally limited to namespaces) or inside one namespace. */
    readonly scope: StoreScope;
    /** Key Vault URI, such as https://name.vault.azure.net/. */
    readonly vaultUrl: pulumi.Input<string>;
    /** Azure cloud of the vault: ESO's `environmentType`. */
    readonly cloud: AzureCloud;
    /**
     * ESO's `useAzureSDK`: talk to Key Vault through the Azure SDK for Go (azcore) instead of the legacy go-autorest
     * SDK; experimental in ESO 2.9.0. Emitted only when set.
     * @default ESO's own: false
     */
    readonly useAzureSDK?: boolean;
    /** How ESO signs in to Key Vault. */
    readonly auth: StoreAuth;
    /** Seconds `pulumi up` waits for the store to report Ready before failing. */
    readonly readyTimeoutSeconds: number;
}

/** The vault URI, if it lies in the given cloud; otherwise an error naming both. */
export function vaultUrlInCloud(url: string, cloud: AzureCloud): string {
    const suffix = KEY_VAULT_DNS_SUFFIX[cloud];
    if (!new RegExp(`^https://[a-zA-Z0-9-]+\\.${suffix.replace(/\./g, "\\.")}/?$`).test(url)) {
        throw new Error(
            `the vault URI ${url} is not in ${cloud} (*.${suffix}): check azure.cloud and the providers' environment`,
        );
    }
    return url;
}

function azurekvAuth(auth: StoreAuth, scope: StoreScope): Record<string, unknown> {
    // A ClusterSecretStore must name the namespace of everything it refers to; a SecretStore may not leave its own.
    const inNamespace = (namespace: pulumi.Input<string>) => (scope.kind === "ClusterSecretStore" ? { namespace } : {});
    switch (auth.type) {
        case "servicePrincipal":
            return {
                authType: "ServicePrincipal",
                tenantId: auth.tenantId,
                authSecretRef: {
                    clientId: { name: auth.secretName, key: auth.clientIdKey, ...inNamespace(auth.secretNamespace) },
                    clientSecret: {
                        name: auth.secretName,
                        key: auth.clientSecretKey,
                        ...inNamespace(auth.secretNamespace),
                    },
                },
            };
        case "workloadIdentity":
            return {
                authType: "WorkloadIdentity",
                serviceAccountRef: { name: auth.serviceAccountName, ...inNamespace(auth.serviceAccountNamespace) },
            };
        case "managedIdentity":
            return { authType: "ManagedIdentity", identityId: auth.identityId };
    }
}

/**
 * An ESO store for Azure Key Vault (`external-secrets.io/v1`, provider `azurekv`). `pulumi up` waits for it to
 * report Ready, which proves only that ESO accepted its configuration: azurekv's Validate() reports Ready without
 * calling Key Vault (external-secrets providers/v1/azure/keyvault/keyvault.go). Only an ExternalSecret's Ready
 * proves that ESO signs in and may read. After a change of its spec the wait passes on the Ready the store had
 * before: a store's status holds conditions and capabilities, nothing that says which spec ESO validated
 * (apis/externalsecrets/v1/secretstore_types.go SecretStoreStatus; docs/lifecycle.md). It holds no data: a destroy
 * deletes it, after the ExternalSecrets that read through it and before the operator.
 */
export class SecretStore extends pulumi.ComponentResource {
    public readonly storeName: pulumi.Output<string>;
    public readonly kind: StoreScope["kind"];
    /** The store object, for `dependsOn`. */
    public readonly store: CustomResource;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:eso:SecretStore", name, {}, opts);

        const { scope } = args;
        this.kind = scope.kind;
        // The providers and the store must agree on the cloud, or ESO would look for the vault elsewhere.
        const vaultUrl = pulumi.output(args.vaultUrl).apply((url) => vaultUrlInCloud(url, args.cloud));
        this.store = new CustomResource(
            `${name}-store`,
            {
                apiVersion: ESO_API_VERSION,
                kind: scope.kind,
                metadata: {
                    name: args.storeName,
                    ...(scope.kind === "SecretStore" ? { namespace: scope.namespace } : {}),
                    annotations: awaitReady(args.readyTimeoutSeconds),
                },
                spec: {
                    ...(scope.kind === "ClusterSecretStore" && scope.namespaces !== undefined
                        ? { conditions: [{ namespaces: [...scope.namespaces] }] }
                        : {}),
                    provider: {
                        azurekv: {
                            vaultUrl,
                            environmentType: args.cloud,
                            ...(args.useAzureSDK === undefined ? {} : { useAzureSDK: args.useAzureSDK }),
                            ...azurekvAuth(args.auth, scope),
                        },
                    },
                },
            },
            // Applied after the webhook serves and the identity may read: `auth`'s values resolve only then.
            { parent: this },
        );
        this.storeName = this.store.metadata.name;
        this.registerOutputs({ storeName: this.storeName });
    }
}
