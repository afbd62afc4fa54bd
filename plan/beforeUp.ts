// What the offline plan cannot prove but a real `pulumi up` needs: values that are placeholders, things that must
// exist before the run, and namespaces the stack will create that may exist already. Each item says what is not ready
// and the command that fixes it. The list never fails a plan: the worked examples are meant to carry placeholders.
import type { StackConfig } from "../stacks/config";
import { objectsToVerify } from "../stacks/config";
import { formatKey } from "../stacks/errors";
import { pushedSecrets } from "../stacks/pushRules";

export interface BeforeUpItem {
    /** What is not ready for a real run, and why it matters. */
    readonly what: string;
    /** The commands that fix it, one per line. */
    readonly fix: readonly string[];
}

/** An OIDC issuer with an all-zero tenant or cluster id: the examples' stand-in for `az aks show`'s answer. */
const ZERO_GUID = "00000000-0000-0000-0000-000000000000";

/**
 * Namespaces that other installations commonly create (monitoring, ingress, GitOps, policy and certificate tools),
 * so a cluster likely has them already: creating one fails with AlreadyExists.
 */
const COMMONLY_EXISTING = [
    "argocd",
    "cert-manager",
    "cattle-system",
    "flux-system",
    "gatekeeper-system",
    "ingress-nginx",
    "istio-system",
    "monitoring",
    "prometheus",
];

/** Paths of the string values that are ARM ids in the all-zero subscription. */
function pathsOfExampleIds(value: unknown, path: Array<string | number>): Array<Array<string | number>> {
    if (typeof value === "string") {
        return value.toLowerCase().includes(`/subscriptions/${ZERO_GUID}/`) ? [path] : [];
    }
    if (Array.isArray(value)) return value.flatMap((item, i) => pathsOfExampleIds(item, [...path, i]));
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, item]) => pathsOfExampleIds(item, [...path, key]));
    }
    return [];
}

/**
 * The before-`up` list of one stack. `placeholders` are the paths (project key first) of `secure:` values that no
 * secrets provider wrote (see plan/stackFile.ts).
 */
export function beforeUp(
    config: StackConfig,
    placeholders: ReadonlyArray<ReadonlyArray<string | number>>,
    values: Readonly<Record<string, unknown>> = {},
): BeforeUpItem[] {
    const items: BeforeUpItem[] = [];

    // The examples name subnets, zones, workspaces and action groups in the all-zero subscription, which exists nowhere.
    const exampleIds = pathsOfExampleIds(values, []);
    if (exampleIds.length > 0) {
        const keys = exampleIds.map(formatKey);
        items.push({
            what: `${keys.join(", ")} name${keys.length === 1 ? "s a resource" : " resources"} in the example's all-zero subscription: Azure finds no such resource`,
            fix: keys.map((key) => `pulumi config set --path '${key}' <your resource id>`),
        });
    }

    if (placeholders.length > 0) {
        const keys = placeholders.map(formatKey);
        items.push({
            what: `${keys.join(", ")} ${keys.length === 1 ? "is a `secure:` placeholder" : "are `secure:` placeholders"}, not encrypted by this stack's secrets provider: \`pulumi up\` fails to decrypt ${keys.length === 1 ? "it" : "them"}`,
            fix: keys.map((key) => `pulumi config set --secret --path '${key}' '<value>'`),
        });
    }

    // A fleet's vault stack has no cluster: nothing else applies to it.
    if (config.fleet.role === "vault") return items;

    const issuers = [config.auth, ...config.tenants.map((t) => t.auth)].flatMap((auth) =>
        auth.mode === "workloadIdentity" && auth.oidcIssuerUrl !== undefined ? [auth.oidcIssuerUrl] : [],
    );
    if (issuers.some((issuer) => issuer.includes(ZERO_GUID))) {
        items.push({
            what: "auth.oidcIssuerUrl is the example's all-zero issuer: Entra ID would accept no token from your cluster",
            fix: [
                `pulumi config set --path auth.oidcIssuerUrl "$(az aks show -g <resource-group> -n <cluster> --query oidcIssuerProfile.issuerUrl -o tsv)"`,
            ],
        });
    }

    if (
        config.aks === undefined &&
        config.kubernetes.kubeconfig === undefined &&
        config.kubernetes.context === undefined
    ) {
        items.push({
            what: "no kubernetes.context (or kubeconfig): `pulumi up` deploys to whatever your kubeconfig's current context is at the time",
            fix: [
                `pulumi config set --path kubernetes.context "$(kubectl config current-context)"   # after checking it is the right cluster`,
            ],
        });
    }

    // Secrets a PushSecret of this stack writes exist once it has pushed; ESO retries the ExternalSecret until then.
    const seeded = new Set([...Object.keys(config.seededSecrets), ...pushedSecrets(config.pushSecrets)]);
    const unseeded = objectsToVerify(config.externalSecrets).filter((object) => object !== "*" && !seeded.has(object));
    const fleet = config.fleet;
    if (unseeded.length > 0 && fleet.role === "cluster") {
        const vaultStack = fleet.vaultStack;
        items.push({
            what:
                `ExternalSecrets read ${unseeded.map((o) => `"${o}"`).join(", ")} from the vault of ${vaultStack}: ` +
                "each must exist there (seeded by that stack, or imported) before this stack's `pulumi up`, which waits for them (store.readyTimeoutSeconds) and then fails",
            fix: unseeded.map((o) =>
                /^(cert|key)\//.test(o)
                    ? `import ${o} into the vault (az keyvault ${objectCommand(o)} import --vault-name <vault> --name ${objectName(o)} ...)`
                    : `pulumi config set --stack ${vaultStack} --secret --path 'seededSecrets.${o}' '<value>'   # unless that stack seeds it already`,
            ),
        });
    } else if (unseeded.length > 0) {
        const vault = config.vault.name ?? "<vault>";
        items.push({
            what:
                `ExternalSecrets read ${unseeded.map((o) => `"${o}"`).join(", ")} from Key Vault, which this stack does not seed: ` +
                "each must exist before `pulumi up`, which waits for them (store.readyTimeoutSeconds) and then fails",
            fix: config.vault.existing
                ? unseeded.map(
                      (o) => `az keyvault ${objectCommand(o)} show --vault-name ${vault} --name ${objectName(o)}`,
                  )
                : unseeded.map((o) =>
                      /^(cert|key)\//.test(o)
                          ? `import ${o} into the vault once it exists (az keyvault ${objectCommand(o)} import --vault-name <vault> --name ${objectName(o)} ...)`
                          : `pulumi config set --secret --path 'seededSecrets.${o}' '<value>'`,
                  ),
        });
    }

    const alerts = config.monitoring.syncAlerts;
    if (alerts !== undefined) {
        const crds =
            alerts.kind === "prometheusOperator"
                ? ["prometheusrules.monitoring.coreos.com", "servicemonitors.monitoring.coreos.com"]
                : ["servicemonitors.azmonitoring.coreos.com"];
        items.push({
            what:
                alerts.kind === "prometheusOperator"
                    ? "monitoring.prometheus needs Prometheus Operator's CRDs in the cluster (the chart's ServiceMonitor fails the install without them)"
                    : "monitoring.prometheus needs AKS's managed Prometheus on the cluster, whose add-on serves the azmonitoring.coreos.com ServiceMonitor",
            fix: [`kubectl get crd ${crds.join(" ")}`],
        });
    }

    const created = [...config.namespaces.owned, ...(config.eso.createNamespace ? [config.eso.namespace] : [])];
    if (created.length > 0) {
        const likely = created.filter((ns) => COMMONLY_EXISTING.includes(ns) || ns === config.eso.namespace);
        items.push({
            what:
                `the stack creates namespace${created.length === 1 ? "" : "s"} ${created.join(", ")} and deletes ${created.length === 1 ? "it" : "them"} on destroy; ` +
                "creating one that exists fails with AlreadyExists" +
                (likely.length > 0
                    ? ` (${likely.join(", ")} often exist${likely.length === 1 ? "s" : ""} already)`
                    : ""),
            fix: [
                `kubectl get namespace ${created.join(" ")}   # any that exists: list it under kubernetes.existingNamespaces (and remove it from kubernetes.ownedNamespaces)`,
            ],
        });
    }
    return items;
}

function objectCommand(object: string): string {
    return object.startsWith("cert/") ? "certificate" : object.startsWith("key/") ? "key" : "secret";
}

function objectName(object: string): string {
    return object.replace(/^(cert|key|secret)\//, "");
}

/** The list as the plan prints it. */
export function describeBeforeUp(items: readonly BeforeUpItem[]): string[] {
    if (items.length === 0) return ["Before `pulumi up`: nothing found that a real run would trip on."];
    return [
        `Before \`pulumi up\` (${items.length} to check; the offline plan cannot):`,
        ...items.flatMap((item, i) => [
            `    ${`${i + 1}.`.padEnd(3)} ${item.what}.`,
            ...item.fix.map((command) => `        ${command}`),
        ]),
    ];
}
