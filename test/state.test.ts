// What each component records in the stack's state (its registered outputs, as `pulumi stack export` and the
// console show them), and the options that decide what happens to its resources on later runs and on destroy.
import { strict as assert } from "node:assert";
import { AppRegistration, EsoIdentity, Namespaces, objectGrants, resourceGroupAndName } from "../components";
import type { SimulatedCloud } from "../plan/simulatedCloud";
import {
    CLIENT_CONFIG,
    inputsOf,
    ISSUER,
    only,
    privateNetwork,
    registeredOutputsOf,
    runProgram,
    startCloud,
    twoTenantsWith,
    TYPES,
} from "./mocks";

const WORKSPACE_ID =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";
const VAULT_ID =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test";

/** The registered outputs of the one component of this type and name. */
function stateOf(cloud: SimulatedCloud, type: string, name: string): Record<string, unknown> {
    const found = cloud.ofType(`eso-keyvault:${type}`).filter((r) => r.name === name);
    assert.equal(found.length, 1, `one ${type} named ${name}`);
    return registeredOutputsOf(found[0] as (typeof found)[number]);
}

/** The two tenants' stack with a private vault, its logs, an existing namespace and a workload, as deployed. */
async function deployed(): Promise<SimulatedCloud> {
    const { cloud } = await runProgram(
        twoTenantsWith((c) => {
            c.vault.network = privateNetwork();
            c.monitoring = { logs: { workspaceId: WORKSPACE_ID } };
            c.kubernetes.existingNamespaces = ["shared-tools"];
            c.workloads = [
                { name: "app", namespace: "team-a", image: "registry.k8s.io/pause:3.10", externalSecret: "db" },
            ];
        }),
    );
    return cloud;
}

describe("components' state", () => {
    it("records the vault's id, name and URI, its seeded secrets' ids, its logs' workspace and its endpoint", async () => {
        const cloud = await deployed();
        const vault = only(cloud, TYPES.vault);
        assert.deepEqual(stateOf(cloud, "vault:KeyVault", "vault"), {
            vaultId: vault.id,
            vaultName: "external-secret-vault",
            vaultUri: "https://external-secret-vault.vault.azure.net/",
        });
        assert.deepEqual(stateOf(cloud, "vault:VaultSecrets", "seeded"), {
            secretIds: Object.fromEntries(cloud.ofType(TYPES.kvSecret).map((s) => [inputsOf(s).secretName, s.id])),
        });
        assert.deepEqual(stateOf(cloud, "monitoring:VaultMonitoring", "vault-monitoring"), {
            workspaceId: WORKSPACE_ID,
        });
        assert.deepEqual(stateOf(cloud, "vault:PrivateVault", "vault-private"), {
            endpointId: only(cloud, TYPES.privateEndpoint).id,
            dnsZoneId: only(cloud, TYPES.privateZone).id,
        });
    });

    it("records each identity's client id, app registration and role assignments", async () => {
        const cloud = await deployed();
        const app = cloud.ofType(TYPES.application).find((a) => a.name === "tenant-team-a-identity-app");
        const principal = cloud.ofType(TYPES.servicePrincipal).find((p) => p.name === "tenant-team-a-identity-sp");
        const clientId = app?.outputs?.clientId;
        assert.equal(typeof clientId, "string");
        assert.deepEqual(stateOf(cloud, "identity:EsoIdentity", "tenant-team-a"), {
            clientId,
            grantedClientId: clientId,
        });
        assert.deepEqual(stateOf(cloud, "identity:AppRegistration", "tenant-team-a-identity"), {
            applicationId: app?.id,
            clientId,
            servicePrincipalObjectId: principal?.outputs?.objectId,
        });
        const assignments = cloud
            .ofType(TYPES.roleAssignment)
            .filter((r) => r.parent?.endsWith("::tenant-team-a-access"))
            .map((r) => r.id);
        assert.equal(assignments.length, 1);
        assert.deepEqual(stateOf(cloud, "identity:VaultAccess", "tenant-team-a-access"), {
            assignmentIds: assignments,
        });
    });

    it("records ESO's namespace and release, the namespaces, the stores, the ExternalSecrets and the workload", async () => {
        const cloud = await deployed();
        const operator = stateOf(cloud, "kubernetes:ExternalSecretsOperator", "eso");
        assert.equal(operator.namespace, "external-secrets");
        assert.equal((operator.releaseStatus as { status: string }).status, "deployed");
        assert.deepEqual(stateOf(cloud, "kubernetes:Namespaces", "apps"), {
            owned: ["app-namespace", "team-a", "team-b"],
            existing: ["shared-tools"],
        });
        assert.deepEqual(stateOf(cloud, "kubernetes:CredentialSecret", "eso-credentials"), {
            secretName: "azure-secret-sp",
        });
        assert.deepEqual(stateOf(cloud, "eso:SecretStore", "store"), { storeName: "azure-secret-store" });
        assert.deepEqual(stateOf(cloud, "tenancy:Tenant", "tenant-team-a"), { storeNames: ["team-a-keyvault"] });
        assert.deepEqual(stateOf(cloud, "eso:SyncedSecrets", "synced"), { names: ["db", "token"] });
        assert.deepEqual(stateOf(cloud, "workload:Workload", "team-a/app"), { podName: "app" });
    });
});

describe("workload identity's state", () => {
    it("records each federated credential's subject, named after its service account", async () => {
        const cloud = await startCloud();
        new EsoIdentity("eso", {
            auth: { mode: "workloadIdentity", displayName: "eso", oidcIssuerUrl: ISSUER, serviceAccountName: "eso" },
            serviceAccounts: [{ namespace: "team-a", name: "eso.reader" }],
            deployer: CLIENT_CONFIG.objectId,
            subscriptionId: CLIENT_CONFIG.subscriptionId,
            grants: objectGrants(VAULT_ID, { secrets: ["db"], certificates: [], keys: [] }),
        });
        await cloud.settle();
        const credential = only(cloud, TYPES.federatedCredential);
        // Entra ID takes letters, digits, hyphens and underscores in the display name.
        assert.equal(inputsOf(credential).displayName, "team-a-eso-reader");
        assert.equal(inputsOf(credential).subject, "system:serviceaccount:team-a:eso.reader");
        assert.deepEqual(registeredOutputsOf(only(cloud, "eso-keyvault:identity:FederatedCredential")), {
            subject: "system:serviceaccount:team-a:eso.reader",
        });
    });

    it("refuses a workload identity with no issuer to trust, and federates no account unless asked", async () => {
        const cloud = await startCloud();
        const args = {
            deployer: CLIENT_CONFIG.objectId,
            subscriptionId: CLIENT_CONFIG.subscriptionId,
            grants: objectGrants(VAULT_ID, { secrets: ["db"], certificates: [], keys: [] }),
        };
        assert.throws(
            () =>
                new EsoIdentity("eso", {
                    auth: { mode: "workloadIdentity", displayName: "eso", serviceAccountName: "eso" },
                    ...args,
                }),
            { message: "eso: workload identity needs auth.oidcIssuerUrl or the AKS cluster's issuer" },
        );
        const identity = new EsoIdentity("issued", {
            auth: { mode: "workloadIdentity", displayName: "eso", serviceAccountName: "eso" },
            clusterIssuer: ISSUER,
            ...args,
        });
        await cloud.settle();
        assert.equal(cloud.ofType(TYPES.federatedCredential).length, 0);
        assert.equal(identity.grants.length, 1);
    });
});

describe("what later runs and destroy do", () => {
    async function namespaces(keepOnDestroy?: boolean) {
        const cloud = await startCloud();
        new Namespaces("apps", { owned: ["app"], existing: [], keepOnDestroy });
        await cloud.settle();
        return only(cloud, TYPES.namespace).options.retainOnDelete;
    }

    it("deletes owned namespaces with the stack unless they are kept", async () => {
        assert.equal(await namespaces(), false);
        assert.equal(await namespaces(true), true);
    });

    it("sets an app registration's owners only at its creation when asked, else keeps them as configured", async () => {
        const ignored = async (ownersAtCreationOnly: boolean) => {
            const cloud = await startCloud();
            new AppRegistration("eso", { displayName: "eso", owners: [CLIENT_CONFIG.objectId], ownersAtCreationOnly });
            await cloud.settle();
            return only(cloud, TYPES.servicePrincipal).options.ignoreChanges;
        };
        assert.deepEqual(await ignored(true), ["owners"]);
        assert.deepEqual(await ignored(false), []);
    });
});

describe("resourceGroupAndName", () => {
    it("reads a resource id's group and name, and gives empty ones for what is not an id", () => {
        assert.deepEqual(resourceGroupAndName(WORKSPACE_ID), { resourceGroupName: "rg", name: "logs" });
        assert.deepEqual(resourceGroupAndName(""), { resourceGroupName: "", name: "" });
    });
});
