// The three ways ESO signs in to Azure, password rotation, and `pulumi up` waiting for a real sync.
import { strict as assert } from "node:assert";
import { countsByType, inputsOf, ISSUER, MANAGED, only, runbookConfig, runProgram, TYPES } from "./mocks";
import type { SimulatedCloud } from "../plan/simulatedCloud";
import { validateObjects, type KubernetesObject } from "../plan/objects";

/** The chart values among `keys` (the rest harden ESO's pods: see the ExternalSecretsOperator tests). */
function pick(values: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
    return Object.fromEntries(Object.entries(values).filter(([key]) => keys.includes(key)));
}

function withAuth(auth: Record<string, unknown>): Record<string, unknown> {
    return { ...runbookConfig(), auth };
}

/** How many resources of each identity-related type were registered, by short type name. */
function identityResources(cloud: SimulatedCloud): Record<string, number> {
    const types = [
        TYPES.application,
        TYPES.servicePrincipal,
        TYPES.apiAccess,
        TYPES.identifierUri,
        TYPES.roleAssignment,
        TYPES.password,
        TYPES.federatedCredential,
        TYPES.secret,
    ];
    return Object.fromEntries(
        Object.entries(countsByType(cloud, types)).map(([type, n]) => [type.split(":").pop(), n]),
    );
}

describe("authentication modes", () => {
    describe("servicePrincipal (the runbook's)", () => {
        it("creates an app registration, a password and the credential Secret, and no federated credential", async () => {
            const { cloud } = await runProgram(runbookConfig());
            assert.deepEqual(identityResources(cloud), {
                Application: 1,
                ServicePrincipal: 1,
                ApplicationApiAccess: 1,
                ApplicationIdentifierUri: 1,
                RoleAssignment: 1,
                ApplicationPassword: 1,
                ApplicationFederatedIdentityCredential: 0,
                Secret: 1,
            });
        });

        it("leaves the chart's service account alone", async () => {
            const { cloud } = await runProgram(runbookConfig());
            const values = inputsOf(only(cloud, TYPES.release)).values;
            assert.equal(values.serviceAccount, undefined);
            assert.equal(values.podLabels, undefined);
        });
    });

    describe("workloadIdentity", () => {
        const config = withAuth({ mode: "workloadIdentity", oidcIssuerUrl: ISSUER });

        it("creates an app registration with a federated credential, and no password or credential Secret", async () => {
            const { cloud } = await runProgram(config);
            assert.deepEqual(identityResources(cloud), {
                Application: 1,
                ServicePrincipal: 1,
                ApplicationApiAccess: 1,
                ApplicationIdentifierUri: 1,
                RoleAssignment: 1,
                ApplicationPassword: 0,
                ApplicationFederatedIdentityCredential: 1,
                Secret: 0,
            });
        });

        it("trusts tokens of ESO's service account from the cluster's issuer", async () => {
            const { cloud } = await runProgram(config);
            const credential = inputsOf(only(cloud, TYPES.federatedCredential));
            assert.equal(credential.issuer, ISSUER);
            assert.equal(credential.subject, "system:serviceaccount:external-secrets:external-secrets");
            assert.deepEqual(credential.audiences, ["api://AzureADTokenExchange"]);
            assert.equal(credential.applicationId, only(cloud, TYPES.application).id);
        });

        it("annotates ESO's service account with the client and tenant ids and labels its pods", async () => {
            const { cloud } = await runProgram(config);
            const values = inputsOf(only(cloud, TYPES.release)).values;
            assert.deepEqual(pick(values, ["installCRDs", "serviceAccount", "podLabels"]), {
                installCRDs: true,
                serviceAccount: {
                    name: "external-secrets",
                    annotations: {
                        "azure.workload.identity/client-id": only(cloud, TYPES.application).outputs?.clientId,
                        "azure.workload.identity/tenant-id": "11111111-1111-4111-a111-111111111111",
                    },
                },
                podLabels: { "azure.workload.identity/use": "true" },
            });
        });

        it("points the store at ESO's service account with authType WorkloadIdentity", async () => {
            const { cloud } = await runProgram(
                withAuth({ mode: "workloadIdentity", oidcIssuerUrl: ISSUER, serviceAccountName: "eso-wi" }),
            );
            const azurekv = inputsOf(only(cloud, TYPES.clusterSecretStore)).spec.provider.azurekv;
            assert.equal(azurekv.authType, "WorkloadIdentity");
            assert.deepEqual(azurekv.serviceAccountRef, { name: "eso-wi", namespace: "external-secrets" });
            assert.equal(azurekv.authSecretRef, undefined);
            assert.equal(
                inputsOf(only(cloud, TYPES.federatedCredential)).subject,
                "system:serviceaccount:external-secrets:eso-wi",
            );
        });

        it("applies the store only after the federated credential exists", async () => {
            const { cloud } = await runProgram(config);
            const store = only(cloud, TYPES.clusterSecretStore);
            assert.ok(store.dependencies.includes(only(cloud, TYPES.federatedCredential).urn));
        });
    });

    describe("managedIdentity", () => {
        const config = withAuth({ mode: "managedIdentity", ...MANAGED });

        it("creates no app registration, password or Secret: only the role assignment", async () => {
            const { cloud } = await runProgram(config);
            assert.deepEqual(identityResources(cloud), {
                Application: 0,
                ServicePrincipal: 0,
                ApplicationApiAccess: 0,
                ApplicationIdentifierUri: 0,
                RoleAssignment: 1,
                ApplicationPassword: 0,
                ApplicationFederatedIdentityCredential: 0,
                Secret: 0,
            });
        });

        it("grants the configured identity's principal and selects it by client id in the store", async () => {
            const { cloud, outputs } = await runProgram(config);
            const assignment = inputsOf(only(cloud, TYPES.roleAssignment));
            assert.equal(assignment.principalId, MANAGED.principalId);
            assert.equal(assignment.principalType, "ServicePrincipal");
            const azurekv = inputsOf(only(cloud, TYPES.clusterSecretStore)).spec.provider.azurekv;
            assert.equal(azurekv.authType, "ManagedIdentity");
            assert.equal(azurekv.identityId, MANAGED.clientId);
            assert.equal(await new Promise((resolve) => outputs.clientId?.apply(resolve)), MANAGED.clientId);
        });
    });

    it("gives every mode a store ESO's v1 schema accepts", async () => {
        for (const auth of [
            { mode: "servicePrincipal" },
            { mode: "workloadIdentity", oidcIssuerUrl: ISSUER },
            { mode: "managedIdentity", ...MANAGED },
        ]) {
            const { cloud } = await runProgram(withAuth(auth));
            const store = inputsOf(only(cloud, TYPES.clusterSecretStore)) as KubernetesObject;
            assert.deepEqual(await validateObjects([store]), [], `${auth.mode}: ${JSON.stringify(store.spec)}`);
        }
    });

    it("tells ESO which Azure cloud the vault is in", async () => {
        const config = runbookConfig() as Record<string, any>;
        config.azure.cloud = "ChinaCloud";
        const { cloud } = await runProgram(config, { vaultDnsSuffix: "vault.azure.cn" });
        const azurekv = inputsOf(only(cloud, TYPES.clusterSecretStore)).spec.provider.azurekv;
        assert.equal(azurekv.environmentType, "ChinaCloud");
        assert.equal(azurekv.vaultUrl, "https://external-secret-vault.vault.azure.cn/");
    });
});

describe("password rotation", () => {
    async function withSlot(slot: "a" | "b") {
        const config = withAuth({ mode: "servicePrincipal", passwordSlot: slot });
        return (await runProgram(config, { latencyMs: (type) => (type === TYPES.password ? 100 : 0) })).cloud;
    }

    it("creates the new slot's password and no longer declares the old one, which Pulumi deletes last", async () => {
        const before = await withSlot("a");
        const after = await withSlot("b");
        assert.deepEqual(
            before.ofType(TYPES.password).map((p) => p.name),
            ["eso-password-a"],
        );
        assert.deepEqual(
            after.ofType(TYPES.password).map((p) => p.name),
            ["eso-password-b"],
        );
    });

    it("updates the credential Secret to the new password only after that password exists", async () => {
        const cloud = await withSlot("b");
        const password = only(cloud, TYPES.password);
        const secret = only(cloud, TYPES.secret);
        assert.equal(inputsOf(secret).stringData.ClientSecret, password.outputs?.value);
        assert.ok(
            secret.registeredAt >= (password.completedAt as number),
            "the Secret was written before the password existed",
        );
        assert.ok(secret.dependencies.includes(password.urn));
    });

    it("keeps the application (and so its client id) across a rotation", async () => {
        const before = await withSlot("a");
        const after = await withSlot("b");
        assert.equal(only(before, TYPES.application).urn, only(after, TYPES.application).urn);
        assert.equal(
            inputsOf(only(before, TYPES.secret)).stringData.ClientID,
            inputsOf(only(after, TYPES.secret)).stringData.ClientID,
        );
    });
});

describe("`pulumi up` proves the sync", () => {
    it("waits for the store and every ExternalSecret to be Ready, 1200 seconds by default", async () => {
        const config = runbookConfig() as Record<string, any>;
        config.externalSecrets.push({ name: "second", namespace: "other", data: { token: "api-token" } });
        config.kubernetes.ownedNamespaces.push("other");
        const { cloud } = await runProgram(config);
        const objects = [only(cloud, TYPES.clusterSecretStore), ...cloud.ofType(TYPES.externalSecret)];
        assert.equal(objects.length, 3);
        for (const object of objects) {
            const annotations = inputsOf(object).metadata.annotations;
            assert.equal(annotations["pulumi.com/waitFor"], "condition=Ready");
            assert.equal(annotations["pulumi.com/timeoutSeconds"], "1200");
        }
    });

    it("takes the timeout from store.readyTimeoutSeconds", async () => {
        const { cloud } = await runProgram({ ...runbookConfig(), store: { readyTimeoutSeconds: 1800 } });
        for (const object of [only(cloud, TYPES.clusterSecretStore), only(cloud, TYPES.externalSecret)]) {
            assert.equal(inputsOf(object).metadata.annotations["pulumi.com/timeoutSeconds"], "1800");
        }
    });
});
