// Every store of a cluster: the shared ClusterSecretStore, signed in as ESO's identity, and each tenant's own
// identity and store(s) in its namespaces; and which store an entry reads or writes through.
import type * as pulumi from "@pulumi/pulumi";
import type { Placement } from "./clusterSecrets";
import type { SecretStore, StoreRef } from "./secretStore";
import { sharedStore, type SharedStoreArgs, type StoreContext } from "./storeSignIn";
import { Tenant, type TenantArgs } from "./tenant";

export type TenantEntry = Omit<TenantArgs, keyof StoreContext | "tenant" | "namespaces"> & {
    readonly name: string;
    /** The tenant's namespaces by name. */
    readonly namespaces: readonly string[];
};

export interface ClusterStoresArgs {
    readonly context: StoreContext;
    /** The shared store (named `store`, its sign-in `eso`, as first deployed). */
    readonly shared: Omit<SharedStoreArgs, keyof StoreContext>;
    /** Each tenant (component `tenant-<name>`). */
    readonly tenants: readonly TenantEntry[];
    /** The namespaces, each resolved once it exists (Namespaces.pick). */
    readonly namespaces: (names: readonly string[]) => Readonly<Record<string, pulumi.Input<string>>>;
}

export interface ClusterStores {
    readonly shared: { readonly store: SecretStore; readonly ref: StoreRef };
    /** The store of an entry: its tenant's store in its namespace, or the shared one. */
    storeFor(entry: Placement): StoreRef;
}

export function clusterStores(args: ClusterStoresArgs, opts: pulumi.ComponentResourceOptions): ClusterStores {
    const shared = sharedStore({ signIn: "eso", store: "store" }, { ...args.context, ...args.shared }, opts);
    const storeOf = new Map<string, StoreRef>();
    for (const tenant of args.tenants) {
        const stores = new Tenant(
            `tenant-${tenant.name}`,
            { ...args.context, ...tenant, tenant: tenant.name, namespaces: args.namespaces(tenant.namespaces) },
            opts,
        );
        for (const ns of tenant.namespaces) storeOf.set(ns, stores.storeFor(ns));
    }
    return {
        shared,
        // Validation puts each tenant's objects in its own namespaces.
        storeFor: (entry) => (entry.tenant === undefined ? shared.ref : (storeOf.get(entry.namespace) as StoreRef)),
    };
}
