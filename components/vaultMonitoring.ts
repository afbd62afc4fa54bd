import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";

/** Where the vault's resource logs go: a Log Analytics workspace the stack creates, or an existing one by id. */
export type VaultLogs =
    { readonly workspaceId: string } | { readonly createWorkspace: { readonly retentionInDays: number } };

/**
 * One metric alert on the vault. Thresholds come from Azure Monitor Baseline Alerts for Key Vault where it has one
 * (latency), and from Key Vault's own alerting guidance otherwise ("Configure Azure Key Vault alerts": availability
 * below 100 %); throttled (429) and denied (403) requests alert on the first one in the window.
 */
interface VaultAlert {
    readonly key: string;
    readonly description: string;
    readonly severity: number;
    readonly metricName: "Availability" | "ServiceApiLatency" | "ServiceApiResult";
    readonly operator: "LessThan" | "GreaterThan";
    readonly threshold: number;
    readonly timeAggregation: "Average" | "Count";
    readonly window: string;
    readonly statusCode?: string;
}

export const VAULT_ALERTS: readonly VaultAlert[] = [
    {
        key: "availability",
        description: "Key Vault availability below 100 %: requests fail on the service side, and ESO cannot sync.",
        severity: 1,
        metricName: "Availability",
        operator: "LessThan",
        threshold: 100,
        timeAggregation: "Average",
        window: "PT5M",
    },
    {
        key: "latency",
        description: "Key Vault latency above 1000 ms (Azure Monitor Baseline Alerts: Deploy_KeyVault_Latency_Alert).",
        severity: 3,
        metricName: "ServiceApiLatency",
        operator: "GreaterThan",
        threshold: 1000,
        timeAggregation: "Average",
        window: "PT15M",
    },
    {
        key: "throttled",
        description:
            "Key Vault throttled requests (429): refresh intervals read the vault faster than its limits allow.",
        severity: 2,
        metricName: "ServiceApiResult",
        operator: "GreaterThan",
        threshold: 0,
        timeAggregation: "Count",
        window: "PT5M",
        statusCode: "429",
    },
    {
        key: "denied",
        description:
            "Key Vault denied requests (403): an identity lost its role, or the firewall refuses a caller ESO needs.",
        severity: 2,
        metricName: "ServiceApiResult",
        operator: "GreaterThan",
        threshold: 0,
        timeAggregation: "Count",
        window: "PT5M",
        statusCode: "403",
    },
];

export interface VaultMonitoringArgs {
    /** ARM id of the vault. */
    readonly vaultId: pulumi.Input<string>;
    /** Resource group of the vault, which also holds a created workspace and the alert rules. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Region of a created workspace. */
    readonly location: pulumi.Input<string>;
    /**
     * Resource logs (AuditEvent) and metrics to Log Analytics: Azure Policy "Resource logs in Key Vault should be
     * enabled" (AuditDiagnosticLog_Audit.json) holds once a diagnostic setting sends enabled logs there.
     * @default no diagnostic setting
     */
    readonly logs?: VaultLogs;
    /**
     * The action group that metric alerts notify, by ARM id.
     * @default no metric alerts
     */
    readonly actionGroupId?: string;
}

/** The vault's resource logs and its metric alerts. */
export class VaultMonitoring extends pulumi.ComponentResource {
    /** The Log Analytics workspace that receives the vault's logs, when there is one. */
    public readonly workspaceId?: pulumi.Output<string>;

    constructor(name: string, args: VaultMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:monitoring:VaultMonitoring", name, {}, opts);
        if (args.logs !== undefined) {
            const workspaceId =
                "workspaceId" in args.logs
                    ? pulumi.output(args.logs.workspaceId)
                    : new operationalinsights.Workspace(
                          `${name}-workspace`,
                          {
                              resourceGroupName: args.resourceGroupName,
                              location: args.location,
                              sku: { name: "PerGB2018" },
                              retentionInDays: args.logs.createWorkspace.retentionInDays,
                          },
                          { parent: this },
                      ).id;
            new monitor.DiagnosticSetting(
                `${name}-diagnostics`,
                {
                    name: "eso-keyvault",
                    resourceUri: args.vaultId,
                    workspaceId,
                    logs: [{ category: "AuditEvent", enabled: true }],
                    metrics: [{ category: "AllMetrics", enabled: true }],
                },
                { parent: this },
            );
            this.workspaceId = workspaceId;
        }
        if (args.actionGroupId !== undefined) {
            for (const alert of VAULT_ALERTS) {
                new monitor.MetricAlert(
                    `${name}-${alert.key}`,
                    {
                        resourceGroupName: args.resourceGroupName,
                        // Metric alert rules are global resources (Microsoft.Insights/metricAlerts ARM reference).
                        location: "global",
                        description: alert.description,
                        severity: alert.severity,
                        enabled: true,
                        scopes: [args.vaultId],
                        evaluationFrequency: "PT1M",
                        windowSize: alert.window,
                        autoMitigate: true,
                        criteria: {
                            odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                            allOf: [
                                {
                                    criterionType: "StaticThresholdCriterion",
                                    name: alert.key,
                                    metricNamespace: "Microsoft.KeyVault/vaults",
                                    metricName: alert.metricName,
                                    operator: alert.operator,
                                    threshold: alert.threshold,
                                    timeAggregation: alert.timeAggregation,
                                    dimensions:
                                        alert.statusCode === undefined
                                            ? []
                                            : [{ name: "StatusCode", operator: "Include", values: [alert.statusCode] }],
                                },
                            ],
                        },
                        actions: [{ actionGroupId: args.actionGroupId }],
                    },
                    { parent: this },
                );
            }
        }
        this.registerOutputs({ workspaceId: this.workspaceId });
    }
}
