// Dependency order, shown the way the engine would live it: one resource type answers slowly, and what must
// wait for it is registered only after it completed.
import { strict as assert } from "node:assert";
import { ISSUER, only, runbookConfig, runProgram, twoTenantsWith, TYPES } from "./mocks";
import type { SimulatedCloud, RecordedResource } from "../plan/simulatedCloud";

const SLOW_MS = 150;

async function withSlow(type: string, config = runbookConfig()): Promise<SimulatedCloud> {
    const { cloud } = await runProgram(config, { latencyMs: (t) => (t === type ? SLOW_MS : 0) });
    return cloud;
}

/** Two tenants, one per store kind, in the given mode. */
function tenants(mode: "servicePrincipal" | "workloadIdentity"): Record<string, unknown> {
    return twoTenantsWith((c) => (c.auth = mode === "servicePrincipal" ? { mode } : { mode, oidcIssuerUrl: ISSUER }));
}

function assertAfter(later: RecordedResource, earlier: RecordedResource): void {
    assert.ok(earlier.completedAt !== undefined, `${earlier.name} never completed`);
    assert.ok(
        later.registeredAt >= earlier.completedAt,
        `${later.name} was registered at ${later.registeredAt.toFixed(0)} ms, before ${earlier.name} completed at ${earlier.completedAt.toFixed(0)} ms`,
    );
    assert.ok(
        later.dependencies.includes(earlier.urn),
        `${later.name} does not record a dependency on ${earlier.name}`,
    );
}

describe("dependency order", () => {
    it("applies the store only after the Helm release is ready", async () => {
        const cloud = await withSlow(TYPES.release);
        assertAfter(only(cloud, TYPES.clusterSecretStore), only(cloud, TYPES.release));
    });

    it("applies the store only after the role assignment exists", async () => {
        const cloud = await withSlow(TYPES.roleAssignment);
        assertAfter(only(cloud, TYPES.clusterSecretStore), only(cloud, TYPES.roleAssignment));
    });

    it("applies the store only after the credential Secret exists", async () => {
        const cloud = await withSlow(TYPES.secret);
        assertAfter(only(cloud, TYPES.clusterSecretStore), only(cloud, TYPES.secret));
    });

    it("applies each ExternalSecret only after its store", async () => {
        const cloud = await withSlow(TYPES.clusterSecretStore);
        assertAfter(only(cloud, TYPES.externalSecret), only(cloud, TYPES.clusterSecretStore));
    });

    it("applies each ExternalSecret only after its store's access check has passed", async () => {
        const cloud = await withSlow(TYPES.command);
        assertAfter(only(cloud, TYPES.externalSecret), only(cloud, TYPES.command));
    });

    for (const mode of ["servicePrincipal", "workloadIdentity"] as const) {
        it(`applies each tenant's store only after every role assignment of that tenant (${mode})`, async () => {
            const cloud = await withSlow(TYPES.roleAssignment, tenants(mode));
            const stores = [...cloud.ofType(TYPES.clusterSecretStore), ...cloud.ofType(TYPES.secretStore)].filter(
                (store) => store.name.startsWith("tenant-"),
            );
            assert.equal(stores.length, 2);
            for (const store of stores) {
                const tenant = store.name.split("-store-")[0] as string;
                const grants = cloud.ofType(TYPES.roleAssignment).filter((ra) => ra.name.startsWith(`${tenant}-`));
                assert.ok(grants.length > 0, `${tenant} has no role assignment`);
                for (const grant of grants) assertAfter(store, grant);
            }
        });
    }

    it("checks access to, and syncs, a seeded secret only after it is written", async () => {
        const cloud = await withSlow(TYPES.kvSecret);
        assertAfter(only(cloud, TYPES.command), only(cloud, TYPES.kvSecret));
        assertAfter(only(cloud, TYPES.externalSecret), only(cloud, TYPES.kvSecret));
    });

    it("creates the Pod only after its ExternalSecret", async () => {
        const cloud = await withSlow(TYPES.externalSecret);
        assertAfter(only(cloud, TYPES.pod), only(cloud, TYPES.externalSecret));
    });

    it("assigns the role only after the vault and the service principal exist", async () => {
        const vaultSlow = await withSlow(TYPES.vault);
        assertAfter(only(vaultSlow, TYPES.roleAssignment), only(vaultSlow, TYPES.vault));
        const spSlow = await withSlow(TYPES.servicePrincipal);
        assertAfter(only(spSlow, TYPES.roleAssignment), only(spSlow, TYPES.servicePrincipal));
    });

    it("does not hold the Helm release back for Azure resources", async () => {
        const cloud = await withSlow(TYPES.vault);
        const release = only(cloud, TYPES.release);
        assert.ok(release.registeredAt < (only(cloud, TYPES.vault).completedAt as number));
    });
});
