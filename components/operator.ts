import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";
import * as helm from "@pulumi/kubernetes/helm/v3";
import { ESO_CHART, POD_SECURITY_ENFORCE_LABEL, RUNTIME_DEFAULT, WORKLOAD_IDENTITY } from "./wellKnown";
import { type ContainerResources, ESO_RESOURCES, type EsoPod } from "./podResources";

export interface ExternalSecretsOperatorArgs {
    /** ESO's namespace. */
    readonly namespace: string;
    /**
     * Create the namespace (and delete it with the stack). False when it exists already.
     * @default true
     */
    readonly createNamespace?: boolean;
    /** Helm release name. */
    readonly releaseName: string;
    /** Exact chart version from https://charts.external-secrets.io. */
    readonly chartVersion: string;
    /**
     * Leave ESO's CRDs in the cluster when the release is uninstalled (on `pulumi destroy`), and with them every
     * ExternalSecret and store in the cluster, this stack's retained ones and other teams'. Production stacks set it.
     * @default false: uninstalling the release deletes the CRDs and every object of theirs
     */
    readonly keepOnDestroy?: boolean;
    /**
     * Azure AD Workload Identity for ESO itself: its service account carries the client and tenant ids, and its pods
     * get the federated token.
     * @default none: ESO signs in with a secret or the nodes' identity
     */
    readonly workloadIdentity?: {
        readonly serviceAccountName: string;
        readonly clientId: pulumi.Input<string>;
        readonly tenantId: pulumi.Input<string>;
    };
    /**
     * CPU and memory of each of the chart's pods.
     * @default ESO_RESOURCES
     */
    readonly resources?: Readonly<Record<EsoPod, ContainerResources>>;
    /**
     * Run ESO's pods under the container runtime's default AppArmor profile. Kubelet refuses them on a node without
     * AppArmor.
     * @default true
     */
    readonly appArmor?: boolean;
    /**
     * Chart values that expose ESO's metrics to a scraper (SyncAlerts' `metricsValues`).
     * @default {}: no metrics Service, no ServiceMonitor
     */
    readonly metrics?: pulumi.Inputs;
}

/**
 * Helm leaves a manifest annotated `helm.sh/resource-policy: keep` in place on `helm uninstall` (helm
 * pkg/action/uninstall.go deleteRelease, pkg/action/resource_policy.go filterManifestsToKeep; pulumi-kubernetes'
 * Release deletes through that same action). ESO's chart writes `crds.annotations` into the metadata of every CRD
 * it templates (external-secrets hack/helm.generate.sh; chart test tests/crds_test.yaml "should add annotations").
 */
export const HELM_KEEP_POLICY = { annotation: "helm.sh/resource-policy", value: "keep" } as const;

function workloadIdentityValues(identity: ExternalSecretsOperatorArgs["workloadIdentity"]): pulumi.Inputs {
    if (identity === undefined) return {};
    return {
        serviceAccount: {
            name: identity.serviceAccountName,
            annotations: {
                [WORKLOAD_IDENTITY.clientIdAnnotation]: identity.clientId,
                [WORKLOAD_IDENTITY.tenantIdAnnotation]: identity.tenantId,
            },
        },
        podLabels: { [WORKLOAD_IDENTITY.useLabel]: "true" },
    };
}

/**
 * Hardening of the chart's pods: resources, and RuntimeDefault seccomp and AppArmor for the pod and its container.
 * The chart writes `podSecurityContext` and `securityContext` through as given, less their `enabled` switch
 * (external-secrets deploy/charts/external-secrets/templates/_helpers.tpl renderSecurityContext), and Helm merges
 * these keys into the chart's defaults (non-root, read-only root filesystem, no capabilities). The service account
 * token stays mounted: each of the three pods calls the Kubernetes API.
 */
export function podValues(resources: ContainerResources, appArmor: boolean): pulumi.Inputs {
    const profiles = { seccompProfile: RUNTIME_DEFAULT, ...(appArmor ? { appArmorProfile: RUNTIME_DEFAULT } : {}) };
    return {
        resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
        podSecurityContext: { enabled: true, ...profiles },
        securityContext: { enabled: true, ...profiles },
    };
}

/**
 * The External Secrets Operator installed from its Helm chart, CRDs included, in its own namespace under the
 * "restricted" Pod Security profile (the chart's pods comply). The release is awaited: Pulumi reports it created
 * only when its deployments, and so the validating webhook, are ready. Custom resources applied earlier would be
 * rejected ("no endpoints available for service external-secrets-webhook"). Every ESO object of the stack is built
 * from `servingNamespace` and so depends on the release: `pulumi destroy` deletes them first, while ESO still runs
 * and removes its cleanup finalizer, and uninstalls the release after.
 */
export class ExternalSecretsOperator extends pulumi.ComponentResource {
    /** ESO's namespace, known once the Namespace exists. */
    public readonly namespace: pulumi.Output<string>;
    /**
     * ESO's namespace, known once the release is deployed and its webhook serves: ESO's objects built from it are
     * applied after the webhook is up by construction, never rejected by it.
     */
    public readonly servingNamespace: pulumi.Output<string>;
    /** The release, for `dependsOn`: custom resources must wait for it. */
    public readonly release: helm.Release;

    constructor(name: string, args: ExternalSecretsOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:kubernetes:ExternalSecretsOperator", name, {}, opts);

        const namespace =
            (args.createNamespace ?? true)
                ? new core.Namespace(
                      `${name}-namespace`,
                      { metadata: { name: args.namespace, labels: { [POD_SECURITY_ENFORCE_LABEL]: "restricted" } } },
                      { parent: this },
                  ).metadata.name
                : pulumi.output(args.namespace);

        const appArmor = args.appArmor ?? true;
        const resources = args.resources ?? ESO_RESOURCES;
        this.release = new helm.Release(
            `${name}-release`,
            {
                name: args.releaseName,
                chart: ESO_CHART.name,
                version: args.chartVersion,
                repositoryOpts: { repo: ESO_CHART.repository },
                namespace,
                createNamespace: false,
                // Roll back a failed upgrade instead of leaving a half-applied release.
                atomic: true,
                cleanupOnFail: true,
                timeout: 600,
                values: {
                    installCRDs: true,
                    ...((args.keepOnDestroy ?? false)
                        ? { crds: { annotations: { [HELM_KEEP_POLICY.annotation]: HELM_KEEP_POLICY.value } } }
                        : {}),
                    ...workloadIdentityValues(args.workloadIdentity),
                    ...args.metrics,
                    ...podValues(resources.controller, appArmor),
                    webhook: podValues(resources.webhook, appArmor),
                    certController: podValues(resources.certController, appArmor),
                },
            },
            { parent: this },
        );

        this.namespace = namespace;
        this.servingNamespace = pulumi.all([namespace, this.release.status]).apply(([name]) => name);
        this.registerOutputs({ namespace: this.namespace, releaseStatus: this.release.status });
    }
}
