import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";
import { CredentialSecret } from "./credentialSecret";
import { EsoIdentity, type EsoIdentityArgs } from "./esoIdentity";
import { SecretStore, type StoreAuth } from "./secretStore";
import type { VaultGrants } from "./vaultAccess";
import { type AzureCloud, WORKLOAD_IDENTITY } from "./wellKnown";

/** The tenant's own identity, in the stack's authentication mode. */
export type TenantIdentity =
    | {
          readonly mode: "servicePrincipal";
          readonly displayName: string;
          readonly passwordSlot: "a" | "b";
          readonly passwordLifetimeDays: number;
          readonly credentialSecret: {
              readonly name: string;
              readonly clientIdKey: string;
              readonly clientSecretKey: string;
          };
      }
    | { readonly mode: "workloadIdentity"; readonly displayName: string; readonly oidcIssuerUrl: string }
    | { readonly mode: "managedIdentity"; readonly clientId: string; readonly principalId: string };

/** A store an ExternalSecret can name. */
export interface StoreRef {
    /** Kind the ExternalSecret names in `secretStoreRef`. */
    readonly kind: "ClusterSecretStore" | "SecretStore";
    /** Store name, once the store exists. */
    readonly name: pulumi.Output<string>;
    /** The store object, for `dependsOn`. */
    readonly resource: pulumi.Resource;
}

export interface TenantArgs {
    /** Tenant name: part of the names of its identity, credentials and stores. */
    readonly tenant: string;
    /** The tenant's namespaces, each an output that resolves once the namespace exists. */
    readonly namespaces: Readonly<Record<string, pulumi.Input<string>>>;
    /** One ClusterSecretStore limited to the namespaces, or a SecretStore in each. */
    readonly storeKind: "ClusterSecretStore" | "SecretStore";
    /** Name of the tenant's store(s). */
    readonly storeName: string;
    /** The tenant's identity, in the stack's authentication mode. */
    readonly identity: TenantIdentity;
    /** The Key Vault objects the tenant may read: single secrets, never the vault. */
    readonly grants: VaultGrants;
    /** ESO's namespace: where a ClusterSecretStore's credentials and service account live. */
    readonly esoNamespace: pulumi.Input<string>;
    /** ESO's namespace name as a plain string, for federated credential subjects. */
    readonly esoNamespaceName: string;
    /** What every store must wait for besides the tenant's own identity: the operator's release. */
    readonly storesWaitFor: readonly pulumi.Resource[];
    /** Owners of the tenant's app registration (see EsoIdentity). */
    readonly owners: EsoIdentityArgs["owners"];
    /** Subscription of the vault, for role definition ids. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Entra ID tenant of the vault. */
    readonly tenantId: pulumi.Input<string>;
    /** Azure cloud of the vault. */
    readonly cloud: AzureCloud;
    /** Key Vault URI. */
    readonly vaultUrl: pulumi.Input<string>;
    /** Seconds `pulumi up` waits for each store to be Ready. */
    readonly readyTimeoutSeconds: number;
    /**
     * Clock for password end dates; tests pin it.
     * @default new Date()
     */
    readonly now?: Date;
}

/**
 * One tenant of a shared vault: its own identity, allowed to read only its own secrets (one role assignment per
 * secret), and its own store(s), usable only from its namespaces. A misused store of another tenant cannot reach
 * these secrets, because that tenant's identity has no role on them.
 */
export class Tenant extends pulumi.ComponentResource {
    private readonly stores: ReadonlyMap<string, StoreRef>;

    constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:tenancy:Tenant", name, {}, opts);
        const { identity } = args;
        const namespaces = Object.keys(args.namespaces);
        const perNamespace = args.storeKind === "SecretStore";
        // Where credentials and service accounts live: beside each SecretStore, or in ESO's namespace.
        const homes: Array<{ key: string; namespace: pulumi.Input<string>; namespaceName: string }> = perNamespace
            ? namespaces.map((ns) => ({
                  key: ns,
                  namespace: args.namespaces[ns] as pulumi.Input<string>,
                  namespaceName: ns,
              }))
            : [{ key: "eso", namespace: args.esoNamespace, namespaceName: args.esoNamespaceName }];
        const accountName = args.storeName;

        const esoIdentity = new EsoIdentity(
            `${name}`,
            {
                identity:
                    identity.mode === "workloadIdentity"
                        ? {
                              ...identity,
                              serviceAccounts: homes.map((h) => ({ namespace: h.namespaceName, name: accountName })),
                          }
                        : identity,
                owners: args.owners,
                subscriptionId: args.subscriptionId,
                grants: args.grants,
                now: args.now,
            },
            { parent: this },
        );

        const authFor = new Map<string, StoreAuth>();
        const waitFor = new Map<string, pulumi.Resource[]>();
        for (const home of homes) {
            if (identity.mode === "servicePrincipal") {
                const secretName = perNamespace
                    ? identity.credentialSecret.name
                    : `${identity.credentialSecret.name}-${args.tenant}`;
                const credentials = new CredentialSecret(
                    `${name}-credentials-${home.key}`,
                    {
                        namespace: home.namespace,
                        secretName,
                        clientIdKey: identity.credentialSecret.clientIdKey,
                        clientSecretKey: identity.credentialSecret.clientSecretKey,
                        clientId: esoIdentity.clientId,
                        clientSecret: esoIdentity.clientSecret as pulumi.Output<string>,
                    },
                    { parent: this },
                );
                authFor.set(home.key, {
                    type: "servicePrincipal",
                    secretName: credentials.secretName,
                    secretNamespace: home.namespace,
                    clientIdKey: identity.credentialSecret.clientIdKey,
                    clientSecretKey: identity.credentialSecret.clientSecretKey,
                });
                waitFor.set(home.key, [credentials.secret]);
            } else if (identity.mode === "workloadIdentity") {
                const account = new core.ServiceAccount(
                    `${name}-service-account-${home.key}`,
                    {
                        metadata: {
                            name: accountName,
                            namespace: home.namespace,
                            annotations: {
                                [WORKLOAD_IDENTITY.clientIdAnnotation]: esoIdentity.clientId,
                                [WORKLOAD_IDENTITY.tenantIdAnnotation]: args.tenantId,
                            },
                        },
                        // ESO requests tokens for it; nothing mounts one.
                        automountServiceAccountToken: false,
                    },
                    { parent: this },
                );
                authFor.set(home.key, {
                    type: "workloadIdentity",
                    serviceAccountName: account.metadata.name,
                    serviceAccountNamespace: home.namespace,
                });
                waitFor.set(home.key, [account]);
            } else {
                authFor.set(home.key, { type: "managedIdentity", identityId: identity.clientId });
                waitFor.set(home.key, []);
            }
        }

        const stores = new Map<string, StoreRef>();
        for (const home of homes) {
            const store = new SecretStore(
                `${name}-store-${home.key}`,
                {
                    storeName: args.storeName,
                    scope: perNamespace
                        ? { kind: "SecretStore", namespace: home.namespace }
                        : { kind: "ClusterSecretStore", namespaces },
                    vaultUrl: args.vaultUrl,
                    tenantId: args.tenantId,
                    cloud: args.cloud,
                    auth: authFor.get(home.key) as StoreAuth,
                    readyTimeoutSeconds: args.readyTimeoutSeconds,
                },
                {
                    parent: this,
                    dependsOn: [...args.storesWaitFor, ...esoIdentity.grants, ...(waitFor.get(home.key) ?? [])],
                },
            );
            const ref: StoreRef = { kind: store.kind, name: store.storeName, resource: store.store };
            for (const ns of perNamespace ? [home.key] : namespaces) stores.set(ns, ref);
        }
        this.stores = stores;
        this.registerOutputs({ storeNames: [...new Set([...stores.values()].map((s) => s.name))] });
    }

    /** The store ExternalSecrets in the given namespace of this tenant read from. */
    public storeFor(namespace: string): StoreRef {
        const store = this.stores.get(namespace);
        if (store === undefined) throw new Error(`namespace "${namespace}" is not one of this tenant's`);
        return store;
    }
}
