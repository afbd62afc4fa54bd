// A stack's life after its first `up`: what each production resource does on delete (protect, retainOnDelete, Helm's
// keep policy), and that moving entries within the configuration, or the earlier `<namespace>-<name>` keys, leave every
// deployed resource where it is: URNs compared before and after, as a deployed stack's state holds them.
import { strict as assert } from "node:assert";
import { ExternalSecretsOperator, HELM_KEEP_POLICY, SyncedSecrets } from "../components";
import { describeUpdateAwait } from "../plan/destroyPlan";
import type { RecordedResource, SimulatedCloud } from "../plan/simulatedCloud";
import {
    comparedInputs,
    inputsOf,
    ISSUER,
    only,
    privateNetwork,
    runbookWith,
    runProgram,
    startCloud,
    STACK,
    PROJECT,
    TYPES,
    twoTenantsWith,
} from "./mocks";

const workloadIdentity = { mode: "workloadIdentity", oidcIssuerUrl: ISSUER };

/** Two tenants, an ExternalSecret of each and a shared one, and a workload mounting each: every list has order. */
function manyEntries(): Record<string, any> {
    return twoTenantsWith((c) => {
        c.auth = workloadIdentity;
        c.seededSecrets["key-vault-secret-name"] = "s";
        c.externalSecrets.push({
            name: "external-secret",
            namespace: "app-namespace",
            data: { value: "key-vault-secret-name" },
        });
        c.workloads = [
            { name: "db-user", namespace: "team-a", image: "registry.k8s.io/pause:3.10", externalSecret: "db" },
            {
                name: "app-name",
                namespace: "app-namespace",
                image: "registry.k8s.io/pause:3.10",
                externalSecret: "external-secret",
            },
        ];
    });
}

/**
 * What a deployed stack's state would hold: each resource's inputs (secrets redacted; paths it ignores changes to left
 * out, as the engine compares them) and aliases, by engine URN.
 */
function stateOf(cloud: SimulatedCloud): Map<string, { inputs: unknown; aliases: readonly string[] }> {
    return new Map(
        cloud.resources.map((r) => [
            r.engineUrn,
            { inputs: r.custom ? comparedInputs(r) : undefined, aliases: r.aliases },
        ]),
    );
}

/**
 * The URNs a resource answers to on the next `up`: its own, and each alias. A `{ name }` alias keeps the resource's
 * type and parent (the engine's alias spec), so it differs from the URN in the name only.
 */
function urnsOf(resource: RecordedResource): string[] {
    const typePart = resource.engineUrn.slice(0, resource.engineUrn.lastIndexOf("::") + 2);
    return [resource.engineUrn, ...resource.aliases.map((a) => (a.startsWith("urn:") ? a : `${typePart}${a}`))];
}

/**
 * Matches a deployed state's URNs with the resources of a run, as the engine does with aliases: fails unless every
 * deployed URN is claimed by exactly one resource (nothing deleted) and every resource claims one (nothing created).
 */
function assertUpdatesInPlace(deployed: readonly string[], cloud: SimulatedCloud): void {
    for (const urn of deployed) {
        const claims = cloud.resources.filter((r) => urnsOf(r).includes(urn)).map((r) => r.engineUrn);
        assert.equal(
            claims.length,
            1,
            `${urn} is claimed by ${claims.length === 0 ? "no resource: deleted" : claims.join(", ")}`,
        );
    }
    const unclaimed = cloud.resources.filter((r) => !urnsOf(r).some((urn) => deployed.includes(urn)));
    assert.deepEqual(
        unclaimed.map((r) => r.engineUrn),
        [],
        "resources the deployed state does not hold would be created",
    );
}

const urn = (qualifiedType: string, name: string) => `urn:pulumi:${STACK}::${PROJECT}::${qualifiedType}::${name}`;
const SYNCED_ES = "eso-keyvault:eso:SyncedSecrets$kubernetes:external-secrets.io/v1:ExternalSecret";
const WORKLOAD = "eso-keyvault:workload:Workload";
const POD = "eso-keyvault:workload:Workload$kubernetes:core/v1:Pod";

describe("lifecycle", () => {
    describe("what each resource does on delete", () => {
        const production = (c: Record<string, any>) => ((c.production = true), (c.vault.network = privateNetwork()));

        it("protects a production stack's vault and seeded secrets, and retains the secrets", async () => {
            const { cloud } = await runProgram(runbookWith(production));
            assert.equal(only(cloud, TYPES.vault).options.protect, true);
            const secret = only(cloud, TYPES.kvSecret);
            assert.deepEqual([secret.options.protect, secret.options.retainOnDelete], [true, true]);
        });

        it("lets a development stack's vault go, and still retains its seeded secrets", async () => {
            const { cloud } = await runProgram(runbookWith());
            assert.equal(only(cloud, TYPES.vault).options.protect, false);
            const secret = only(cloud, TYPES.kvSecret);
            assert.deepEqual([secret.options.protect, secret.options.retainOnDelete], [false, true]);
        });

        it("keeps ESO's CRDs on uninstall with Helm's keep policy when asked, and only then", async () => {
            const valuesOf = async (keepOnDestroy?: boolean) => {
                const cloud = await startCloud();
                new ExternalSecretsOperator("eso", {
                    namespace: "external-secrets",
                    releaseName: "external-secrets",
                    chartVersion: "2.9.0",
                    keepOnDestroy,
                });
                await cloud.settle();
                return inputsOf(only(cloud, TYPES.release)).values;
            };
            assert.deepEqual((await valuesOf(true)).crds, { annotations: { "helm.sh/resource-policy": "keep" } });
            assert.deepEqual(HELM_KEEP_POLICY, { annotation: "helm.sh/resource-policy", value: "keep" });
            assert.equal((await valuesOf(false)).crds, undefined);
            assert.equal((await valuesOf()).crds, undefined);
        });

        it("retains every ExternalSecret, and so its Secret, when asked, and deletes them otherwise", async () => {
            const retainedOf = async (keepOnDestroy?: boolean) => {
                const cloud = await startCloud();
                new SyncedSecrets("synced", {
                    externalSecrets: ["a", "b"].map((name) => ({
                        key: `velero/${name}`,
                        name,
                        namespace: "velero",
                        store: { kind: "ClusterSecretStore" as const, name: "azure-secret-store" },
                        targetName: name,
                        refreshInterval: "1h",
                        creationPolicy: "Owner" as const,
                        data: { value: { key: name } },
                    })),
                    readyTimeoutSeconds: 60,
                    keepOnDestroy,
                });
                await cloud.settle();
                return cloud.ofType(TYPES.externalSecret).map((r) => r.options.retainOnDelete);
            };
            assert.deepEqual(await retainedOf(true), [true, true]);
            assert.deepEqual(await retainedOf(false), [false, false]);
            assert.deepEqual(await retainedOf(), [false, false]);
        });
    });

    describe("updates", () => {
        it("says in the plan what `pulumi up` awaits on create, and that a change of spec is not awaited", async () => {
            const { cloud } = await runProgram(manyEntries());
            assert.equal(
                describeUpdateAwait(cloud.resources),
                "Updates: `pulumi up` waits for 3 ExternalSecrets, 2 ClusterSecretStores, 1 SecretStore to be Ready when " +
                    "created; after a change of spec it does not wait for ESO to apply it (ESO's status has no " +
                    "observedGeneration). An ExternalSecret has synced its spec when status.syncedResourceVersion starts " +
                    "with <metadata.generation>- (docs/lifecycle.md).",
            );
            assert.equal(
                describeUpdateAwait(cloud.resources.filter((r) => !r.type.includes("external-secrets.io"))),
                undefined,
            );
        });
    });

    describe("URNs across changes of configuration and naming", () => {
        it("keeps every URN, input and alias when entries move within externalSecrets, workloads, tenants and namespaces", async () => {
            const before = await runProgram(manyEntries());
            const after = await runProgram(
                (() => {
                    const c = manyEntries();
                    for (const list of [c.externalSecrets, c.workloads, c.tenants, c.kubernetes.ownedNamespaces]) {
                        list.reverse();
                    }
                    return c;
                })(),
            );
            const [was, is] = [stateOf(before.cloud), stateOf(after.cloud)];
            assert.deepEqual([...is.keys()].sort(), [...was.keys()].sort());
            assert.deepEqual(is, was);
        });

        it("updates the runbook stack deployed under the former `<namespace>-<name>` keys in place", async () => {
            const { cloud } = await runProgram(runbookWith());
            // What the program registered before the keys joined namespace and name with "/".
            const former: Record<string, string> = {
                [urn(SYNCED_ES, "synced-app-namespace/external-secret")]: urn(
                    SYNCED_ES,
                    "synced-app-namespace-external-secret",
                ),
                [urn(WORKLOAD, "app-namespace/app-name")]: urn(WORKLOAD, "app-namespace-app-name"),
                [urn(POD, "app-namespace/app-name-pod")]: urn(POD, "app-namespace-app-name-pod"),
            };
            const now = cloud.resources.map((r) => r.engineUrn);
            for (const renamed of Object.keys(former)) assert.ok(now.includes(renamed), renamed);
            assertUpdatesInPlace(
                now.map((u) => former[u] ?? u),
                cloud,
            );
        });

        it("updates a stack with tenants, several ExternalSecrets and workloads deployed under the former keys in place", async () => {
            const { cloud } = await runProgram(manyEntries());
            const renames = [
                [SYNCED_ES, "synced-team-a/db", "synced-team-a-db"],
                [SYNCED_ES, "synced-team-b/token", "synced-team-b-token"],
                [SYNCED_ES, "synced-app-namespace/external-secret", "synced-app-namespace-external-secret"],
                [WORKLOAD, "team-a/db-user", "team-a-db-user"],
                [POD, "team-a/db-user-pod", "team-a-db-user-pod"],
                [WORKLOAD, "app-namespace/app-name", "app-namespace-app-name"],
                [POD, "app-namespace/app-name-pod", "app-namespace-app-name-pod"],
            ] as const;
            const former = new Map(renames.map(([type, now, was]) => [urn(type, now), urn(type, was)]));
            const now = cloud.resources.map((r) => r.engineUrn);
            for (const renamed of former.keys()) assert.ok(now.includes(renamed), renamed);
            assertUpdatesInPlace(
                now.map((u) => former.get(u) ?? u),
                cloud,
            );
        });

        it("would create and delete resources without the aliases: the check sees a rename", async () => {
            const { cloud } = await runProgram(runbookWith());
            const stripped = {
                ...cloud,
                resources: cloud.resources.map((r) => ({ ...r, aliases: [] })),
            } as unknown as SimulatedCloud;
            const deployed = cloud.resources.map((r) =>
                r.engineUrn === urn(SYNCED_ES, "synced-app-namespace/external-secret")
                    ? urn(SYNCED_ES, "synced-app-namespace-external-secret")
                    : r.engineUrn,
            );
            assert.throws(() => assertUpdatesInPlace(deployed, stripped), /is claimed by no resource: deleted/);
        });
    });
});
