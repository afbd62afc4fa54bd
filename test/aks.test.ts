// A cluster named by its AKS resource: the kubeconfig and the OIDC issuer come from Azure, never copied by hand.
import { strict as assert } from "node:assert";
import { load } from "js-yaml";
import { aksProblem, withKubelogin } from "../components/aksCluster";
import { beforeUp } from "../plan/beforeUp";
import { parseStackConfig } from "../stacks/config";
import {
    ISSUER,
    inputsOf,
    isSecretInput,
    only,
    problemsOf,
    runbookWith,
    runProgram,
    runProgramExpectingRefusal,
} from "./mocks";

const AKS = { resourceGroupName: "rg-aks", name: "aks-dev" };
const FEDERATION = "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential";
const PROVIDER = "pulumi:providers:kubernetes";

function workloadIdentity(change: (c: Record<string, any>) => void = () => {}) {
    return runbookWith((c) => {
        c.auth = { mode: "workloadIdentity" };
        c.kubernetes = { ...c.kubernetes, aks: AKS };
        change(c);
    });
}

describe("an AKS cluster by name", () => {
    it("trusts the issuer Azure reports and reaches the cluster with the kubeconfig Azure returns", async () => {
        const { cloud } = await runProgram(workloadIdentity());
        const lookups = cloud.invokes.filter((i) => i.token.startsWith("azure-native:containerservice:"));
        assert.deepEqual(lookups.map((i) => i.token).sort(), [
            "azure-native:containerservice:getManagedCluster",
            "azure-native:containerservice:listManagedClusterUserCredentials",
        ]);
        assert.ok(lookups.every((i) => i.inputs.resourceGroupName === "rg-aks" && i.inputs.resourceName === "aks-dev"));
        const issuer = inputsOf(only(cloud, FEDERATION)).issuer as string;
        assert.match(issuer, /^https:\/\/westeurope\.oic\.prod-aks\.azure\.com\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/$/);
        const provider = only(cloud, PROVIDER);
        const kubeconfig = load(String(inputsOf(provider).kubeconfig)) as {
            users: Array<{ user: { exec: { args: string[] } } }>;
        };
        // AKS writes --login devicecode; the stack signs in as configured, here with the Azure CLI's login.
        assert.deepEqual(kubeconfig.users[0]?.user.exec.args.slice(-2), ["--login", "azurecli"]);
        assert.equal(inputsOf(provider).context, undefined);
    });

    it("sends the kubeconfig to the provider as a secret", async () => {
        const { cloud } = await runProgram(workloadIdentity());
        assert.ok(isSecretInput(only(cloud, PROVIDER), "kubeconfig"));
    });

    it("fails with the command that fixes a cluster without the OIDC issuer or workload identity", async () => {
        for (const [aks, missing] of [
            [{ oidcIssuer: false, workloadIdentity: true }, "has no OIDC issuer, which workload identity needs"],
            [{ oidcIssuer: true, workloadIdentity: false }, "does not have workload identity enabled"],
        ] as const) {
            const { failures } = await runProgramExpectingRefusal(workloadIdentity(), { cluster: { aks } });
            assert.match(
                failures.join("\n"),
                new RegExp(
                    `AKS cluster rg-aks/aks-dev ${missing}.*: az aks update -g rg-aks -n aks-dev --enable-oidc-issuer --enable-workload-identity`,
                ),
            );
        }
    });

    it("needs neither with a service principal", () => {
        assert.equal(
            aksProblem(
                { oidcIssuerProfile: undefined, securityProfile: undefined },
                { ...AKS, workloadIdentity: false },
            ),
            undefined,
        );
    });

    it("sets kubelogin's login wherever AKS put it, and leaves kubeconfigs without kubelogin alone", () => {
        const exec = (args: string[]) =>
            `users:\n- name: u\n  user:\n    exec:\n      command: kubelogin\n      args: ${JSON.stringify(args)}\n`;
        const argsOf = (text: string) =>
            (load(text) as { users: Array<{ user: { exec: { args: string[] } } }> }).users[0]?.user.exec.args;
        assert.deepEqual(
            argsOf(withKubelogin(exec(["get-token", "-l", "devicecode", "--server-id", "x"]), "workloadidentity")),
            ["get-token", "--login", "workloadidentity", "--server-id", "x"],
        );
        assert.deepEqual(argsOf(withKubelogin(exec(["get-token", "--server-id", "x"]), "msi")), [
            "get-token",
            "--server-id",
            "x",
            "--login",
            "msi",
        ]);
        const certificate = "users:\n- name: u\n  user:\n    client-certificate-data: abc\n";
        assert.equal(withKubelogin(certificate, "azurecli"), certificate);
    });

    it("refuses a kubeconfig, a context or an issuer beside it, and asks for an issuer without it", () => {
        assert.deepEqual(
            problemsOf(
                workloadIdentity((c) => {
                    c.kubernetes.context = "aks-dev";
                    c.auth.oidcIssuerUrl = ISSUER;
                }),
            ),
            [
                'kubernetes.context "aks-dev" is invalid: kubernetes.aks names the cluster, whose kubeconfig is read from Azure; remove kubernetes.context.',
                `auth.oidcIssuerUrl "${ISSUER.slice(0, 76)}... is invalid: kubernetes.aks names the cluster, whose issuer is read from Azure; remove auth.oidcIssuerUrl so the two cannot differ.`,
            ],
        );
        assert.deepEqual(problemsOf(runbookWith((c) => (c.auth = { mode: "workloadIdentity" }))), [
            "auth.oidcIssuerUrl is required (workload identity trusts the cluster's OIDC issuer: set it, or name the AKS cluster with kubernetes.aks (resourceGroupName, name) to read it from Azure): set it with `pulumi config set --path auth.oidcIssuerUrl <value>`.",
        ]);
    });

    it("does not ask for a kube context in the before-up list", () => {
        const config = parseStackConfig(workloadIdentity(), { project: "eso-keyvault", stack: "test" });
        assert.deepEqual(
            beforeUp(config, []).filter((item) => item.what.includes("kubernetes.context")),
            [],
        );
    });
});
