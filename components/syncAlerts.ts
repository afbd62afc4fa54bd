import * as pulumi from "@pulumi/pulumi";
import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";

/**
 * How long a condition must hold before it alerts. A healthy first deploy can fail to sync for up to ~931 s: Azure
 * RBAC takes up to 10 minutes to apply a new role, and ESO retries a failed sync at 1, 3, 7 ... 511, 931 s
 * (stacks/upstream.ts, esoRetryTimes; external-secrets pkg/controllers/common/common.go). 20 minutes stays quiet
 * through that, and still reports a broken sync within the half hour.
 */
export const SYNC_ALERT_FOR_MINUTES = 20;

/**
 * The rules, over ESO's own metrics (external-secrets docs/api/metrics.md; labels from
 * pkg/controllers/externalsecret/esmetrics and pkg/controllers/secretstore: `name`, `namespace`, and for conditions
 * `condition` and `status`, where a Ready=False object has `status="False"` at 1 and `status="True"` at 0).
 */
export const SYNC_ALERT_RULES = [
    {
        alert: "ExternalSecretNotReady",
        expr: 'max by (namespace, name) (externalsecret_status_condition{condition="Ready", status="False"}) == 1',
        summary: "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} is not Ready",
        description:
            "ESO cannot sync it: its Secret keeps the last value it wrote, if any. kubectl describe externalsecret says why.",
    },
    {
        alert: "ExternalSecretSyncErrors",
        expr: "sum by (namespace, name) (increase(externalsecret_sync_calls_error[15m])) > 0",
        summary: "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} fails to sync",
        description: "ESO's syncs of it keep failing (Key Vault refuses, throttles or cannot be reached).",
    },
    {
        alert: "SecretStoreNotReady",
        expr: 'max by (namespace, name) (secretstore_status_condition{condition="Ready", status="False"}) == 1',
        summary: "SecretStore {{ $labels.namespace }}/{{ $labels.name }} is not Ready",
        description: "ESO refuses the store's configuration; no ExternalSecret reading through it syncs.",
    },
    {
        alert: "ClusterSecretStoreNotReady",
        expr: 'max by (name) (clustersecretstore_status_condition{condition="Ready", status="False"}) == 1',
        summary: "ClusterSecretStore {{ $labels.name }} is not Ready",
        description: "ESO refuses the store's configuration; no ExternalSecret reading through it syncs.",
    },
] as const;

/** Where ESO's metrics are scraped and its alert rules evaluated. */
export type SyncAlertsTarget =
    | {
          /** Prometheus Operator (kube-prometheus-stack and the like): a PrometheusRule beside ESO. */
          readonly kind: "prometheusOperator";
          /** Labels the Prometheus `ruleSelector` matches, such as `release: kube-prometheus-stack`. */
          readonly ruleLabels: Readonly<Record<string, string>>;
      }
    | {
          /** AKS's managed Prometheus: a ServiceMonitor it reads, and a rule group in Azure Monitor. */
          readonly kind: "azureManagedPrometheus";
          /** The Azure Monitor workspace the cluster's metrics go to. */
          readonly azureMonitorWorkspaceId: string;
          /** The AKS cluster's name, as the metrics label it. */
          readonly clusterName: string;
          readonly resourceGroupName: pulumi.Input<string>;
          readonly location: pulumi.Input<string>;
          /**
           * The action group the rules notify.
           * @default none: alerts show in Azure Monitor only
           */
          readonly actionGroupId?: string;
      };

export interface SyncAlertsArgs {
    readonly target: SyncAlertsTarget;
    /** ESO's namespace, resolved once the release serves. */
    readonly namespace: pulumi.Input<string>;
    /** ESO's Helm release name: its metrics Service carries `app.kubernetes.io/instance: <release>`. */
    readonly releaseName: string;
}

/**
 * Chart values that expose ESO's metrics for the target: the chart's own ServiceMonitor for Prometheus Operator
 * (failing the install when its CRD is missing, rather than skipping it silently), or just the metrics Service for
 * AKS's managed Prometheus, which reads its own ServiceMonitor group (external-secrets chart 2.9.0 values.yaml,
 * `serviceMonitor`, `metrics.service`).
 */
export function metricsValues(target: SyncAlertsTarget | undefined): pulumi.Inputs {
    if (target === undefined) return {};
    return target.kind === "prometheusOperator"
        ? { serviceMonitor: { enabled: true, renderMode: "failIfMissing", additionalLabels: target.ruleLabels } }
        : { metrics: { service: { enabled: true } } };
}

/** Alert rules on ESO's sync, for Prometheus Operator or AKS's managed Prometheus. */
export class SyncAlerts extends pulumi.ComponentResource {
    constructor(name: string, args: SyncAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:monitoring:SyncAlerts", name, {}, opts);
        const forDuration = `${SYNC_ALERT_FOR_MINUTES}m`;
        const { target } = args;
        if (target.kind === "prometheusOperator") {
            new CustomResource(
                `${name}-rules`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: { name: "external-secrets-sync", namespace: args.namespace, labels: target.ruleLabels },
                    spec: {
                        groups: [
                            {
                                name: "external-secrets-sync",
                                rules: SYNC_ALERT_RULES.map((rule) => ({
                                    alert: rule.alert,
                                    expr: rule.expr,
                                    for: forDuration,
                                    labels: { severity: "warning" },
                                    annotations: { summary: rule.summary, description: rule.description },
                                })),
                            },
                        ],
                    },
                },
                { parent: this },
            );
        } else {
            // Managed Prometheus scrapes what a ServiceMonitor of its own group selects (Microsoft Learn, "Create
            // custom Prometheus scrape job from your Kubernetes cluster using CRDs"): ESO's metrics Service, named
            // `<fullname>-metrics` with port `metrics` and the chart's selector labels (external-secrets
            // deploy/charts/external-secrets/templates/service.yaml and _helpers.tpl `external-secrets.selectorLabels`,
            // helm-chart-2.9.0; app.kubernetes.io/name is the chart's name, as no nameOverride is set).
            new CustomResource(
                `${name}-scrape`,
                {
                    apiVersion: "azmonitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: { name: "external-secrets", namespace: args.namespace },
                    spec: {
                        selector: {
                            matchLabels: {
                                "app.kubernetes.io/name": "external-secrets",
                                "app.kubernetes.io/instance": args.releaseName,
                            },
                        },
                        endpoints: [{ port: "metrics", interval: "30s" }],
                    },
                },
                { parent: this },
            );
            new alertsmanagement.PrometheusRuleGroup(
                `${name}-rules`,
                {
                    resourceGroupName: target.resourceGroupName,
                    location: target.location,
                    scopes: [target.azureMonitorWorkspaceId],
                    clusterName: target.clusterName,
                    enabled: true,
                    interval: "PT1M",
                    description: "External Secrets Operator: ExternalSecrets and stores that do not sync.",
                    rules: SYNC_ALERT_RULES.map((rule) => ({
                        alert: rule.alert,
                        // `clusterName` limits the group to that cluster's series.
                        expression: rule.expr,
                        for: `PT${SYNC_ALERT_FOR_MINUTES}M`,
                        severity: 3,
                        enabled: true,
                        annotations: { summary: rule.summary, description: rule.description },
                        actions: target.actionGroupId === undefined ? [] : [{ actionGroupId: target.actionGroupId }],
                        resolveConfiguration: { autoResolved: true, timeToResolve: "PT10M" },
                    })),
                },
                { parent: this },
            );
        }
        this.registerOutputs({});
    }
}
