import * as pulumi from "@pulumi/pulumi";
import { type EsoAuth, EsoIdentity } from "./esoIdentity";
import { SecretStore, type StoreRef } from "./secretStore";
import { checkOf, type StoreContext, storeRefOf, storeSignIn } from "./storeSignIn";
import type { VaultGrants } from "./vaultAccess";

export interface TenantArgs extends StoreContext {
    /** Tenant name: part of the names of its identity, credentials and stores. */
    readonly tenant: string;
    /** How the tenant's own identity signs in: the stack's mode, with the tenant's names. */
    readonly auth: EsoAuth;
    /** The tenant's namespaces, each an output that resolves once the namespace exists. */
    readonly namespaces: Readonly<Record<string, pulumi.Input<string>>>;
    /** One ClusterSecretStore limited to the namespaces, or a SecretStore in each. */
    readonly storeKind: "ClusterSecretStore" | "SecretStore";
    /** Name of the tenant's store(s). */
    readonly storeName: string;
    /** The Key Vault objects the tenant may read: single objects, never the vault. */
    readonly grants: VaultGrants;
    /** Object id of whoever deploys (see EsoIdentity). */
    readonly deployer: pulumi.Input<string>;
    /** Subscription of the vault, for role definition ids. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Key Vault objects the ExternalSecrets of each namespace read (`name`, `cert/name`, `key/name`, `*`). */
    readonly reads: Readonly<Record<string, readonly string[]>>;
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
        const namespaces = Object.keys(args.namespaces);
        const perNamespace = args.storeKind === "SecretStore";
        // Where credentials and service accounts live: beside each SecretStore, or in ESO's namespace.
        const homes = perNamespace
            ? namespaces.map((ns) => ({
                  key: ns,
                  namespace: args.namespaces[ns] as pulumi.Input<string>,
                  namespaceName: ns,
                  served: [ns],
              }))
            : [
                  {
                      key: "eso",
                      namespace: args.operator.namespace,
                      namespaceName: args.operator.namespaceName,
                      served: namespaces,
                  },
              ];

        const identity = new EsoIdentity(
            name,
            {
                auth: args.auth,
                serviceAccounts:
                    args.auth.mode === "workloadIdentity"
                        ? homes.map((h) => ({ namespace: h.namespaceName, name: args.storeName }))
                        : [],
                deployer: args.deployer,
                subscriptionId: args.subscriptionId,
                grants: args.grants,
                clusterIssuer: args.clusterIssuer,
                now: args.now,
            },
            { parent: this },
        );

        const stores = new Map<string, StoreRef>();
        for (const home of homes) {
            const signIn = storeSignIn(
                {
                    credentials: `${name}-credentials-${home.key}`,
                    serviceAccount: `${name}-service-account-${home.key}`,
                    check: `${name}-access-check-${home.key}`,
                },
                {
                    identity,
                    auth: args.auth,
                    tenantId: args.tenantId,
                    namespace: home.namespace,
                    operator: args.operator,
                    check: checkOf(args, [...new Set(home.served.flatMap((ns) => args.reads[ns] ?? []))].sort()),
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
                    useAzureSDK: args.useAzureSDK,
                    auth: signIn.auth,
                    readyTimeoutSeconds: args.readyTimeoutSeconds,
                },
                { parent: this },
            );
            const ref = storeRefOf(store, signIn);
            for (const ns of home.served) stores.set(ns, ref);
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
