// The stores' azurekv options under ESO's names: environmentType (the vault's cloud) and useAzureSDK, on the shared
// store and every tenant's; the auth type follows auth.mode.
import { strict as assert } from "node:assert";
import { validateObjects, type KubernetesObject } from "../plan/objects";
import {
    inputsOf,
    ISSUER,
    MANAGED,
    only,
    problemsIn,
    problemsOf,
    runbookWith,
    runProgram,
    twoTenantsWith,
    TYPES,
} from "./mocks";

/** Every store a run emits (shared and tenants'), each checked against ESO 2.9.0's CRD schema as the plan checks it. */
async function storesOf(config: Record<string, unknown>): Promise<Array<Record<string, any>>> {
    const { cloud } = await runProgram(config);
    const stores = [...cloud.ofType(TYPES.clusterSecretStore), ...cloud.ofType(TYPES.secretStore)].map(inputsOf);
    assert.deepEqual(await validateObjects(stores as KubernetesObject[]), []);
    return stores;
}

describe("store options under ESO's names", () => {
    it("checks stores against the CRD schema, which knows useAzureSDK and would prune an unknown field", async () => {
        const store = (azurekv: Record<string, unknown>) => ({
            apiVersion: "external-secrets.io/v1",
            kind: "ClusterSecretStore",
            metadata: { name: "azure" },
            spec: { provider: { azurekv: { vaultUrl: "https://v.vault.azure.net/", ...azurekv } } },
        });
        assert.deepEqual(await validateObjects([store({ useAzureSDK: true, environmentType: "PublicCloud" })]), []);
        assert.deepEqual(await validateObjects([store({ useAzureSdk: true, environmentType: "AzureCloud" })]), [
            {
                object: "ClusterSecretStore azure",
                field: "/spec/provider/azurekv/useAzureSdk",
                reason: "must NOT have additional properties",
            },
            {
                object: "ClusterSecretStore azure",
                field: "/spec/provider/azurekv/environmentType",
                reason: "must be equal to one of the allowed values: PublicCloud, USGovernmentCloud, ChinaCloud, GermanCloud, AzureStackCloud",
            },
        ]);
    });

    it("emits useAzureSDK on the shared store and every tenant's store, which ESO 2.9.0's CRD accepts", async () => {
        const stores = await storesOf(twoTenantsWith((c) => (c.store = { useAzureSDK: true })));
        assert.deepEqual(
            stores.map((s) => [s.kind, s.metadata.name, s.spec.provider.azurekv.useAzureSDK]),
            [
                ["ClusterSecretStore", "azure-secret-store", true],
                ["ClusterSecretStore", "team-a-keyvault", true],
                ["SecretStore", "team-b-keyvault", true],
            ],
        );
        const off = await storesOf(runbookWith((c) => (c.store = { useAzureSDK: false })));
        assert.equal(off[0]?.spec.provider.azurekv.useAzureSDK, false);
    });

    it("leaves useAzureSDK out unless it is set, so ESO's default (the legacy SDK) applies", async () => {
        const [store] = await storesOf(runbookWith());
        assert.equal("useAzureSDK" in store!.spec.provider.azurekv, false);
    });

    it("emits store.environmentType, which repeats azure.cloud, on every store", async () => {
        const config = twoTenantsWith((c) => {
            c.azure.cloud = "PublicCloud";
            c.store = { environmentType: "PublicCloud" };
        });
        assert.deepEqual(problemsIn(config), []);
        const stores = await storesOf(config);
        assert.deepEqual(
            stores.map((s) => s.spec.provider.azurekv.environmentType),
            ["PublicCloud", "PublicCloud", "PublicCloud"],
        );
    });

    it("refuses an environmentType other than the vault's cloud before anything is registered", () => {
        assert.deepEqual(
            problemsOf(
                runbookWith((c) => {
                    c.azure.cloud = "USGovernmentCloud";
                    c.store = { environmentType: "ChinaCloud" };
                }),
            ),
            [
                'store.environmentType "ChinaCloud" is invalid: every store signs in to the cloud of the vault, azure.cloud "USGovernmentCloud", where the providers create or find it: ESO would ask ChinaCloud\'s Entra ID and Key Vault endpoints for a vault in USGovernmentCloud (external-secrets providers/v1/azure/keyvault/keyvault.go, AadEndpointForType); set store.environmentType to USGovernmentCloud, or leave it out (it follows azure.cloud).',
            ],
        );
    });

    it("refuses AzureStackCloud, which needs ESO's customCloudConfig", () => {
        assert.deepEqual(problemsOf(runbookWith((c) => (c.store = { environmentType: "AzureStackCloud" }))), [
            "store.environmentType \"AzureStackCloud\" is invalid: use PublicCloud, USGovernmentCloud, ChinaCloud or GermanCloud (ESO's environmentType, the same as azure.cloud); AzureStackCloud needs ESO's customCloudConfig, which this stack does not set.",
        ]);
    });

    it("refuses a pushed secret's expirationDate with useAzureSDK, which drops it", () => {
        const config = runbookWith((c) => {
            c.store = { useAzureSDK: true };
            c.pushSecrets = [
                {
                    name: "copy",
                    namespace: "app-namespace",
                    selector: { secret: { name: "cloud-credentials" } },
                    data: [
                        {
                            match: { secretKey: "cloud-credentials", remoteRef: { remoteKey: "copied-credentials" } },
                            metadata: { spec: { expirationDate: "2099-12-31T23:59:59Z" } },
                        },
                    ],
                },
            ];
        });
        assert.deepEqual(problemsOf(config), [
            'pushSecrets[0].data[0].metadata.spec.expirationDate "2099-12-31T23:59:59Z" is invalid: store.useAzureSDK is true, and through the Azure SDK azurekv pushes a secret without its expirationDate (external-secrets providers/v1/azure/keyvault/keyvault.go, PushSecret, setKeyVaultSecretWithNewSDK; ESO\'s docs/provider/azure-key-vault.md); remove it, or leave store.useAzureSDK unset.',
        ]);
    });

    it("sets ESO's authType from auth.mode", async () => {
        const modes = [
            [{ mode: "servicePrincipal" }, "ServicePrincipal"],
            [{ mode: "workloadIdentity", oidcIssuerUrl: ISSUER }, "WorkloadIdentity"],
            [{ mode: "managedIdentity", ...MANAGED }, "ManagedIdentity"],
        ] as const;
        for (const [auth, authType] of modes) {
            const { cloud } = await runProgram(runbookWith((c) => (c.auth = { ...auth })));
            assert.equal(inputsOf(only(cloud, TYPES.clusterSecretStore)).spec.provider.azurekv.authType, authType);
        }
    });
});
