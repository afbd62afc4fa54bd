import * as pulumi from "@pulumi/pulumi";
import { EsoIdentity, type EsoIdentityArgs } from "./esoIdentity";
import { SecretStore, type StoreRef } from "./secretStore";
import { type SignInMethod, storeSignIn } from "./storeSignIn";
import type { VaultGrants } from "./vaultAccess";
import type { AzureCloud } from "./wellKnown";

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
    /** Seconds `pulumi up` waits for each store to be Ready, and the access checks for RBAC to apply. */
    readonly readyTimeoutSeconds: number;
    /** Key Vault objects the ExternalSecrets of each namespace read (`name`, `cert/name`, `key/name`, `*`). */
    readonly readsByNamespace: Readonly<Record<string, readonly string[]>>;
    /**
     * How `kubectl` reaches the cluster, for the access check of a workload identity.
     * @default the ambient kubeconfig and context
     */
    readonly kubernetes?: { readonly kubeconfig?: pulumi.Input<string>; readonly context?: string };
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

        const stores = new Map<string, StoreRef>();
        for (const home of homes) {
            const served = perNamespace ? [home.key] : namespaces;
            const method: SignInMethod =
                identity.mode === "servicePrincipal"
                    ? {
                          mode: "servicePrincipal",
                          clientSecret: esoIdentity.clientSecret as pulumi.Output<string>,
                          secret: {
                              ...identity.credentialSecret,
                              name: perNamespace
                                  ? identity.credentialSecret.name
                                  : `${identity.credentialSecret.name}-${args.tenant}`,
                          },
                      }
                    : identity.mode === "workloadIdentity"
                      ? { mode: "workloadIdentity", serviceAccountName: accountName, createServiceAccount: true }
                      : { mode: "managedIdentity" };
            const signIn = storeSignIn(
                {
                    credentials: `${name}-credentials-${home.key}`,
                    serviceAccount: `${name}-service-account-${home.key}`,
                    check: `${name}-access-check-${home.key}`,
                },
                {
                    method,
                    clientId: esoIdentity.clientId,
                    tenantId: args.tenantId,
                    namespace: home.namespace,
                    grants: esoIdentity.grants,
                    after: args.storesWaitFor,
                    check: {
                        vaultUrl: args.vaultUrl,
                        cloud: args.cloud,
                        objects: [...new Set(served.flatMap((ns) => args.readsByNamespace[ns] ?? []))].sort(),
                        timeoutSeconds: args.readyTimeoutSeconds,
                        kubeconfig: args.kubernetes?.kubeconfig,
                        context: args.kubernetes?.context,
                    },
                },
                { parent: this },
            );
            const store = new SecretStore(
                `${name}-store-${home.key}`,
                {
                    storeName: args.storeName,
                    scope: perNamespace
                        ? { kind: "SecretStore", namespace: home.namespace }
                        : { kind: "ClusterSecretStore", namespaces },
                    vaultUrl: args.vaultUrl,
                    cloud: args.cloud,
                    auth: signIn.auth,
                    readyTimeoutSeconds: args.readyTimeoutSeconds,
                },
                { parent: this, dependsOn: [...signIn.ready] },
            );
            const ref: StoreRef = {
                kind: store.kind,
                name: store.storeName,
                resource: store.store,
                verified: signIn.verified,
            };
            for (const ns of served) stores.set(ns, ref);
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
