// The stores' azurekv options under ESO's names: environmentType (the vault's cloud) and useAzureSDK, on the shared
// store and every tenant's; the auth type follows auth.mode.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
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

interface CrdSchema {
    type?: string;
    enum?: unknown[];
    properties?: Record<string, CrdSchema>;
    required?: string[];
}

/** ESO 2.9.0's CRD schema of `spec.provider.azurekv` (see test/fixtures/eso-crd/README.md). */
const AZUREKV: CrdSchema = JSON.parse(
    readFileSync(path.join(__dirname, "fixtures", "eso-crd", "azurekv-v1.json"), "utf8"),
) as CrdSchema;

/**
 * Where `value` breaks the CRD schema: a field the schema does not declare (the API server would prune it), a value
 * of another type, or one its enum does not list, or a required field missing.
 */
function crdProblems(value: unknown, schema: CrdSchema, at = "azurekv"): string[] {
    const type = Array.isArray(value) ? "array" : typeof value;
    if (schema.type !== undefined && schema.type !== type)
        return [`${at}: ${JSON.stringify(value)} is no ${schema.type}`];
    if (schema.enum !== undefined && !schema.enum.includes(value)) {
        return [`${at}: ${JSON.stringify(value)} is none of ${schema.enum.join(", ")}`];
    }
    if (type !== "object" || schema.properties === undefined) return [];
    const object = value as Record<string, unknown>;
    return [
        ...(schema.required ?? []).filter((key) => !(key in object)).map((key) => `${at}.${key}: missing`),
        ...Object.entries(object).flatMap(([key, field]) => {
            const declared = schema.properties?.[key];
            return declared === undefined
                ? [`${at}.${key}: not in ESO 2.9.0's CRD (pruned)`]
                : crdProblems(field, declared, `${at}.${key}`);
        }),
    ];
}

/** Every store a run emits (shared and tenants'), each checked by the plan's schema package and the CRD schema. */
async function storesOf(config: Record<string, unknown>): Promise<Array<Record<string, any>>> {
    const { cloud } = await runProgram(config);
    const stores = [...cloud.ofType(TYPES.clusterSecretStore), ...cloud.ofType(TYPES.secretStore)].map(inputsOf);
    assert.deepEqual(await validateObjects(stores as KubernetesObject[]), []);
    assert.deepEqual(
        stores.flatMap((store) => crdProblems(store.spec.provider.azurekv, AZUREKV)),
        [],
    );
    return stores;
}

describe("store options under ESO's names", () => {
    it("checks stores against the CRD schema, which knows useAzureSDK and would prune an unknown field", () => {
        const azurekv = { vaultUrl: "https://v.vault.azure.net/", useAzureSDK: true, environmentType: "PublicCloud" };
        assert.deepEqual(crdProblems(azurekv, AZUREKV), []);
        assert.deepEqual(crdProblems({ ...azurekv, useAzureSdk: true, environmentType: "AzureCloud" }, AZUREKV), [
            'azurekv.environmentType: "AzureCloud" is none of PublicCloud, USGovernmentCloud, ChinaCloud, GermanCloud, AzureStackCloud',
            "azurekv.useAzureSdk: not in ESO 2.9.0's CRD (pruned)",
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
