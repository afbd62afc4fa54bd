import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { dump, load } from "js-yaml";

/**
 * How kubelogin signs in for a cluster integrated with Entra ID: `azurecli` reuses `az login` (a laptop, or CI after
 * azure/login), `workloadidentity` a federated token (AZURE_FEDERATED_TOKEN_FILE), `spn` a service principal
 * (AAD_SERVICE_PRINCIPAL_CLIENT_ID/_SECRET), `msi` the machine's managed identity, `devicecode` a person at a prompt
 * (kubelogin get-token `--login`, github.com/Azure/kubelogin docs/book/src/cli/get-token.md).
 */
export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "msi" | "devicecode";

export interface AksClusterArgs {
    /** Resource group of the AKS cluster. */
    readonly resourceGroupName: string;
    /** Name of the AKS cluster. */
    readonly name: string;
    /** How the kubeconfig's kubelogin signs in, for clusters integrated with Entra ID. */
    readonly login: KubeloginMode;
    /** Whether ESO signs in with workload identity, which the cluster must then have enabled. */
    readonly workloadIdentity: boolean;
}

/** An AKS cluster read from Azure: what the stack otherwise copies by hand from `az aks show`. */
export interface AksCluster {
    /** Its user kubeconfig (a Pulumi secret), with kubelogin set to sign in as `login` says. */
    readonly kubeconfig: pulumi.Output<string>;
    /** Its OIDC issuer, exactly as its service account tokens carry it (used with workload identity only). */
    readonly oidcIssuerUrl: pulumi.Output<string>;
}

/** Why a cluster cannot serve ESO with workload identity, with the command that fixes it; undefined when it can. */
export function aksProblem(
    cluster: Pick<containerservice.GetManagedClusterResult, "oidcIssuerProfile" | "securityProfile">,
    args: Pick<AksClusterArgs, "resourceGroupName" | "name" | "workloadIdentity">,
): string | undefined {
    if (!args.workloadIdentity) return undefined;
    const fix = `az aks update -g ${args.resourceGroupName} -n ${args.name} --enable-oidc-issuer --enable-workload-identity`;
    if (cluster.oidcIssuerProfile?.enabled !== true || !cluster.oidcIssuerProfile.issuerURL) {
        return `AKS cluster ${args.resourceGroupName}/${args.name} has no OIDC issuer, which workload identity needs: ${fix}`;
    }
    if (cluster.securityProfile?.workloadIdentity?.enabled !== true) {
        return `AKS cluster ${args.resourceGroupName}/${args.name} does not have workload identity enabled, so ESO's pods get no federated token: ${fix}`;
    }
    return undefined;
}

interface Kubeconfig {
    users?: Array<{ user?: { exec?: { command?: string; args?: string[] } } }>;
}

/**
 * The kubeconfig with every kubelogin exec set to sign in with `login`, as `kubelogin convert-kubeconfig -l <login>`
 * does: AKS writes `--login devicecode` into the user kubeconfig of a cluster integrated with Entra ID, which would
 * wait for a person at a prompt. Kubeconfigs without kubelogin (local accounts) are returned as they are.
 */
export function withKubelogin(kubeconfig: string, login: KubeloginMode): string {
    const document = load(kubeconfig) as Kubeconfig;
    let changed = false;
    for (const entry of document.users ?? []) {
        const exec = entry.user?.exec;
        if (exec === undefined || !/(^|\/)kubelogin(\.exe)?$/.test(exec.command ?? "")) continue;
        const args = [...(exec.args ?? [])];
        const at = args.findIndex((arg) => arg === "--login" || arg === "-l");
        if (at >= 0) args.splice(at, 2, "--login", login);
        else args.push("--login", login);
        exec.args = args;
        changed = true;
    }
    return changed ? dump(document) : kubeconfig;
}

/** Reads an AKS cluster's kubeconfig and OIDC issuer from Azure, refusing a cluster that cannot serve ESO. */
export function aksCluster(args: AksClusterArgs, opts?: pulumi.InvokeOptions): AksCluster {
    const cluster = containerservice.getManagedClusterOutput(
        { resourceGroupName: args.resourceGroupName, resourceName: args.name },
        opts,
    );
    const oidcIssuerUrl = cluster.apply((found) => {
        const problem = aksProblem(found, args);
        if (problem !== undefined) throw new Error(problem);
        return found.oidcIssuerProfile?.issuerURL ?? "";
    });
    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
        { resourceGroupName: args.resourceGroupName, resourceName: args.name, format: "exec" },
        opts,
    );
    const kubeconfig = pulumi.secret(
        credentials.apply(({ kubeconfigs }) => {
            const first = kubeconfigs[0];
            if (first === undefined)
                throw new Error(`AKS cluster ${args.resourceGroupName}/${args.name} returned no kubeconfig`);
            // CredentialResult.value: "Base64-encoded Kubernetes configuration file" (azure-native containerservice).
            return withKubelogin(Buffer.from(first.value, "base64").toString("utf8"), args.login);
        }),
    );
    return { kubeconfig, oidcIssuerUrl };
}
