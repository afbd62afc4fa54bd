// What the program does with answers from Azure that the simulated cloud never gives: an adopted vault that still
// uses access policies or reports no URI, an AKS cluster without an OIDC issuer profile or without a kubeconfig.
// Each test answers Azure's calls itself through Pulumi's mocks.
import { strict as assert } from "node:assert";
import { load } from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { aksCluster, aksProblem, KeyVault, requireRbac, withKubelogin } from "../components";
import { PROJECT, STACK, unwrap } from "./mocks";

const VAULT_ID =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-legacy";
const AKS = { resourceGroupName: "rg-aks", name: "aks-dev" };
const KUBECONFIG =
    "users:\n- name: u\n  user:\n    exec:\n      command: kubelogin\n      args: [get-token, --login, devicecode]\n";

/** Installs mocks that answer reads of an existing vault with `properties`, and AKS calls with `answers`. */
async function azureAnswering(
    vaultProperties: Record<string, unknown>,
    answers: Record<string, Record<string, unknown>> = {},
): Promise<Array<{ token: string; inputs: Record<string, unknown> }>> {
    const calls: Array<{ token: string; inputs: Record<string, unknown> }> = [];
    await pulumi.runtime.setMocks(
        {
            newResource: async ({ name, inputs, id }) => ({
                id: id ?? `${name}-id`,
                state: id === undefined ? inputs : { name: "kv-legacy", properties: vaultProperties },
            }),
            call: async ({ token, inputs }) => {
                calls.push({ token, inputs });
                const answer = answers[token];
                if (answer === undefined) throw new Error(`unexpected call ${token}`);
                return answer;
            },
        },
        PROJECT,
        STACK,
        false,
    );
    return calls;
}

function adopted(): KeyVault {
    return new KeyVault("vault", {
        vault: { existing: true, name: "kv-legacy", id: VAULT_ID },
        resourceGroupName: "rg",
        location: "",
        tenantId: "",
        subscriptionId: "",
    });
}

describe("an adopted vault as Azure reports it", () => {
    it("fails the deployment of a vault that uses access policies, saying how to switch it to RBAC", async () => {
        await azureAnswering({ enableRbacAuthorization: false, vaultUri: "https://kv-legacy.vault.azure.net/" });
        await assert.rejects(unwrap(adopted().vaultUri), {
            message:
                "Key Vault kv-legacy uses access policies; ESO's access is granted with Azure RBAC roles, so switch the vault to the RBAC permission model (az keyvault update --enable-rbac-authorization true) first",
        });
    });

    it("fails when the vault reports no URI, rather than pointing ESO nowhere", async () => {
        await azureAnswering({ enableRbacAuthorization: true });
        await assert.rejects(unwrap(adopted().vaultUri), { message: "Key Vault kv-legacy reported no vaultUri" });
    });

    it("takes the URI the vault reports", async () => {
        await azureAnswering({ enableRbacAuthorization: true, vaultUri: "https://kv-legacy.vault.azure.net/" });
        assert.equal(await unwrap(adopted().vaultUri), "https://kv-legacy.vault.azure.net/");
    });

    it("accepts only a vault that says it uses RBAC", () => {
        assert.throws(() => requireRbac("kv", {}), /^Error: Key Vault kv uses access policies/);
        assert.doesNotThrow(() => requireRbac("kv", { enableRbacAuthorization: true }));
    });
});

describe("an AKS cluster as Azure reports it", () => {
    const credentials = (kubeconfigs: Array<{ name: string; value: string }>) => ({
        "azure-native:containerservice:getManagedCluster": { oidcIssuerProfile: undefined, securityProfile: undefined },
        "azure-native:containerservice:listManagedClusterUserCredentials": { kubeconfigs },
    });

    it("asks Azure for the kubelogin (exec) kubeconfig, and needs no issuer profile for a service principal", async () => {
        const calls = await azureAnswering(
            {},
            credentials([{ name: "clusterUser", value: Buffer.from(KUBECONFIG).toString("base64") }]),
        );
        const cluster = aksCluster({ ...AKS, login: "azurecli", workloadIdentity: false });
        assert.equal(await unwrap(cluster.oidcIssuerUrl), "");
        const kubeconfig = load(await unwrap(cluster.kubeconfig)) as {
            users: Array<{ user: { exec: { args: string[] } } }>;
        };
        assert.deepEqual(kubeconfig.users[0]?.user.exec.args, ["get-token", "--login", "azurecli"]);
        const list = calls.find((c) => c.token.endsWith(":listManagedClusterUserCredentials"));
        assert.deepEqual(list?.inputs, { resourceGroupName: "rg-aks", resourceName: "aks-dev", format: "exec" });
    });

    it("fails naming the cluster when Azure returns no kubeconfig", async () => {
        await azureAnswering({}, credentials([]));
        const cluster = aksCluster({ ...AKS, login: "azurecli", workloadIdentity: false });
        await assert.rejects(unwrap(cluster.kubeconfig), {
            message: "AKS cluster rg-aks/aks-dev returned no kubeconfig",
        });
    });

    it("names what a cluster lacks for workload identity, whatever Azure leaves out of its answer", () => {
        const args = { ...AKS, workloadIdentity: true };
        const noIssuer =
            /^AKS cluster rg-aks\/aks-dev has no OIDC issuer, which workload identity needs: az aks update/;
        const noWorkloadIdentity = /^AKS cluster rg-aks\/aks-dev does not have workload identity enabled/;
        const issuer = { enabled: true, issuerURL: "https://oidc.example/" };
        assert.match(aksProblem({ oidcIssuerProfile: undefined, securityProfile: undefined }, args) ?? "", noIssuer);
        assert.match(
            aksProblem(
                {
                    oidcIssuerProfile: { enabled: true, issuerURL: "" },
                    securityProfile: { workloadIdentity: { enabled: true } },
                },
                args,
            ) ?? "",
            noIssuer,
        );
        assert.match(
            aksProblem({ oidcIssuerProfile: issuer, securityProfile: undefined }, args) ?? "",
            noWorkloadIdentity,
        );
        assert.match(aksProblem({ oidcIssuerProfile: issuer, securityProfile: {} }, args) ?? "", noWorkloadIdentity);
        assert.equal(
            aksProblem({ oidcIssuerProfile: issuer, securityProfile: { workloadIdentity: { enabled: true } } }, args),
            undefined,
        );
    });
});

describe("withKubelogin", () => {
    const argsOf = (text: string) =>
        (load(text) as { users: Array<{ user?: { exec?: { args?: string[] } } }> }).users.map(
            (u) => u.user?.exec?.args,
        );
    const user = (exec: string) => `- name: u\n  user:\n    exec:\n${exec}`;

    it("replaces a --login AKS wrote, and adds one to a kubelogin that has no arguments", () => {
        const text = `users:\n${user("      command: /usr/local/bin/kubelogin\n      args: [get-token, --login, devicecode]\n")}${user("      command: kubelogin.exe\n")}`;
        assert.deepEqual(argsOf(withKubelogin(text, "spn")), [
            ["get-token", "--login", "spn"],
            ["--login", "spn"],
        ]);
    });

    it("leaves users without an exec, and execs of other programs named like kubelogin, alone", () => {
        const text = `users:\n- name: token\n${user("      command: kubelogin-wrapper\n      args: [get-token]\n")}`;
        assert.equal(withKubelogin(text, "msi"), text);
    });
});
