// The vault's resource logs and metric alerts, as Azure Policy and Azure Monitor Baseline Alerts ask for them.
import { strict as assert } from "node:assert";
import { SYNC_ALERT_RULES, SyncAlerts } from "../components/syncAlerts";
import { VaultMonitoring, type VaultLogs } from "../components/vaultMonitoring";
import { ownVault } from "../components/vaultSource";
import { validateObjects, type KubernetesObject } from "../plan/objects";
import { inputsOf, only, privateNetwork, problemsOf, runbookWith, runProgram, startCloud, TYPES as K8S } from "./mocks";

const VAULT_ID =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test";
const WORKSPACE_ID =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/logs";
const ACTION_GROUP_ID =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.Insights/actionGroups/ops";
const TYPES = {
    workspace: "azure-native:operationalinsights:Workspace",
    diagnostics: "azure-native:monitor:DiagnosticSetting",
    metricAlert: "azure-native:monitor:MetricAlert",
};

async function monitoring(args: Partial<ConstructorParameters<typeof VaultMonitoring>[1]>) {
    const cloud = await startCloud();
    new VaultMonitoring("vault", { vaultId: VAULT_ID, resourceGroupName: "rg", location: "westeurope", ...args });
    await cloud.settle();
    return cloud;
}

describe("VaultMonitoring", () => {
    it("sends AuditEvent logs and all metrics to a workspace it creates, with the retention asked for", async () => {
        const cloud = await monitoring({ logs: { createWorkspace: { retentionInDays: 365 } } });
        const workspace = inputsOf(only(cloud, TYPES.workspace));
        assert.deepEqual(workspace.sku, { name: "PerGB2018" });
        assert.equal(workspace.retentionInDays, 365);
        assert.equal(workspace.location, "westeurope");
        const setting = inputsOf(only(cloud, TYPES.diagnostics));
        assert.equal(setting.resourceUri, VAULT_ID);
        assert.equal(setting.workspaceId, only(cloud, TYPES.workspace).id);
        // Azure Policy AuditDiagnosticLog_Audit.json: at least one enabled log category, no storage retention.
        assert.deepEqual(setting.logs, [{ category: "AuditEvent", enabled: true }]);
        assert.deepEqual(setting.metrics, [{ category: "AllMetrics", enabled: true }]);
        assert.equal(setting.storageAccountId, undefined);
    });

    it("adopts an existing workspace by id without creating one", async () => {
        const cloud = await monitoring({ logs: { workspaceId: WORKSPACE_ID } });
        assert.equal(cloud.ofType(TYPES.workspace).length, 0);
        assert.equal(inputsOf(only(cloud, TYPES.diagnostics)).workspaceId, WORKSPACE_ID);
    });

    it("alerts the action group on availability, latency, throttled and denied requests of the vault", async () => {
        const cloud = await monitoring({ actionGroupId: ACTION_GROUP_ID });
        const alerts = cloud.ofType(TYPES.metricAlert).map(inputsOf);
        assert.equal(alerts.length, 4);
        const criteria = (key: string) => {
            const alert = alerts.find((a) => a.criteria.allOf[0].name === key);
            assert.ok(alert, key);
            assert.deepEqual(alert.scopes, [VAULT_ID]);
            assert.deepEqual(alert.actions, [{ actionGroupId: ACTION_GROUP_ID }]);
            assert.equal(alert.location, "global");
            assert.equal(alert.criteria.odataType, "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria");
            return { ...alert.criteria.allOf[0], severity: alert.severity, windowSize: alert.windowSize };
        };
        // Azure Monitor Baseline Alerts for Key Vault: ServiceApiLatency > 1000 ms, average over 15 minutes, severity 3.
        assert.deepEqual(
            (({ metricName, operator, threshold, timeAggregation, severity, windowSize }) => ({
                metricName,
                operator,
                threshold,
                timeAggregation,
                severity,
                windowSize,
            }))(criteria("latency")),
            {
                metricName: "ServiceApiLatency",
                operator: "GreaterThan",
                threshold: 1000,
                timeAggregation: "Average",
                severity: 3,
                windowSize: "PT15M",
            },
        );
        assert.equal(criteria("availability").threshold, 100);
        assert.equal(criteria("availability").operator, "LessThan");
        assert.deepEqual(criteria("throttled").dimensions, [
            { name: "StatusCode", operator: "Include", values: ["429"] },
        ]);
        assert.deepEqual(criteria("denied").dimensions, [{ name: "StatusCode", operator: "Include", values: ["403"] }]);
        assert.equal(criteria("denied").timeAggregation, "Count");
    });

    it("creates nothing when neither logs nor an action group are asked for", async () => {
        const cloud = await monitoring({});
        assert.equal(cloud.resources.filter((r) => r.custom).length, 0);
    });

    describe("from the stack's configuration", () => {
        it("creates nothing unless monitoring is configured", async () => {
            const { cloud } = await runProgram(runbookWith());
            for (const type of Object.values(TYPES)) assert.equal(cloud.ofType(type).length, 0, type);
        });

        it("turns logs on with monitoring.logs, in a workspace kept 365 days, protected in production", async () => {
            const { cloud } = await runProgram(
                runbookWith((c) => {
                    c.production = true;
                    c.vault.network = privateNetwork();
                    c.monitoring = { logs: {}, actionGroupId: ACTION_GROUP_ID };
                }),
            );
            const workspace = only(cloud, TYPES.workspace);
            assert.equal(inputsOf(workspace).retentionInDays, 365);
            assert.equal(inputsOf(workspace).resourceGroupName, "rg-external-secrets");
            assert.equal(workspace.options.protect, true);
            assert.equal(
                inputsOf(only(cloud, TYPES.diagnostics)).resourceUri,
                only(cloud, "azure-native:keyvault:Vault").id,
            );
            assert.equal(cloud.ofType(TYPES.metricAlert).length, 4);
        });

        it("refuses a retention for a workspace it does not create, and ids of the wrong type", () => {
            assert.deepEqual(
                problemsOf(
                    runbookWith((c) => (c.monitoring = { logs: { workspaceId: WORKSPACE_ID, retentionInDays: 90 } })),
                ),
                [
                    "monitoring.logs.retentionInDays 90 is invalid: applies only to a workspace this stack creates; monitoring.logs.workspaceId names an existing one, whose retention is its owner's.",
                ],
            );
            assert.deepEqual(problemsOf(runbookWith((c) => (c.monitoring = { actionGroupId: WORKSPACE_ID }))), [
                `monitoring.actionGroupId "${WORKSPACE_ID.slice(0, 76)}... is invalid: use a resource id: /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Insights/actionGroups/<action group>.`,
            ]);
            assert.deepEqual(problemsOf(runbookWith((c) => (c.monitoring = { logs: { retentionInDays: 7 } }))), [
                "monitoring.logs.retentionInDays 7 is invalid: use a whole number from 30 to 730 (days a created Log Analytics workspace keeps the logs).",
            ]);
        });
    });

    describe("alerts on ESO's sync", () => {
        const MONITOR_WORKSPACE_ID =
            "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.Monitor/accounts/prom";
        const CUSTOM = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
        const AZ_SCRAPE = "kubernetes:azmonitoring.coreos.com/v1:ServiceMonitor";
        const RULE_GROUP = "azure-native:alertsmanagement:PrometheusRuleGroup";

        it("adds a PrometheusRule beside ESO and the chart's ServiceMonitor for Prometheus Operator", async () => {
            const { cloud } = await runProgram(
                runbookWith((c) => {
                    c.monitoring = { prometheus: { kind: "prometheusOperator", ruleLabels: { release: "kps" } } };
                }),
            );
            assert.deepEqual(inputsOf(only(cloud, K8S.release)).values.serviceMonitor, {
                enabled: true,
                renderMode: "failIfMissing",
                additionalLabels: { release: "kps" },
            });
            const rule = inputsOf(only(cloud, CUSTOM));
            assert.equal(rule.metadata.namespace, "external-secrets");
            assert.deepEqual(rule.metadata.labels, { release: "kps" });
            const rules = rule.spec.groups[0].rules;
            assert.deepEqual(
                rules.map((r: { alert: string }) => r.alert),
                [
                    "ExternalSecretNotReady",
                    "ExternalSecretSyncErrors",
                    "SecretStoreNotReady",
                    "ClusterSecretStoreNotReady",
                ],
            );
            // Quiet through a healthy first deploy: RBAC (up to 600 s) and ESO's retry at 931 s.
            assert.ok(rules.every((r: { for: string }) => r.for === "20m"));
            assert.deepEqual(await validateObjects([rule as KubernetesObject]), []);
            assert.equal(cloud.ofType(RULE_GROUP).length, 0);
        });

        it("for AKS's managed Prometheus, scrapes ESO's metrics Service and evaluates the rules in Azure Monitor", async () => {
            const ACTION_GROUP = ACTION_GROUP_ID;
            const { cloud } = await runProgram(
                runbookWith((c) => {
                    c.monitoring = {
                        prometheus: {
                            kind: "azureManagedPrometheus",
                            azureMonitorWorkspaceId: MONITOR_WORKSPACE_ID,
                            clusterName: "aks-dev",
                        },
                        actionGroupId: ACTION_GROUP,
                    };
                }),
            );
            const values = inputsOf(only(cloud, K8S.release)).values;
            assert.deepEqual(values.metrics, { service: { enabled: true } });
            assert.equal(values.serviceMonitor, undefined);
            const scrape = inputsOf(only(cloud, AZ_SCRAPE));
            assert.deepEqual(scrape.spec.selector.matchLabels, {
                "app.kubernetes.io/name": "external-secrets",
                "app.kubernetes.io/instance": "external-secrets",
            });
            assert.deepEqual(scrape.spec.endpoints, [{ port: "metrics", interval: "30s" }]);
            assert.deepEqual(await validateObjects([scrape as KubernetesObject]), []);
            const group = inputsOf(only(cloud, RULE_GROUP));
            assert.deepEqual(group.scopes, [MONITOR_WORKSPACE_ID]);
            assert.equal(group.clusterName, "aks-dev");
            assert.equal(group.resourceGroupName, "rg-external-secrets");
            assert.deepEqual(
                group.rules.map((r: { expression: string }) => r.expression),
                SYNC_ALERT_RULES.map((r) => r.expr),
            );
            assert.ok(group.rules.every((r: { for: string }) => r.for === "PT20M"));
            assert.ok(
                group.rules.every(
                    (r: { actions: unknown }) =>
                        JSON.stringify(r.actions) === JSON.stringify([{ actionGroupId: ACTION_GROUP }]),
                ),
            );
            assert.equal(cloud.ofType(CUSTOM).length, 0);
        });

        it("refuses an unknown kind and a workspace id of another type", () => {
            assert.deepEqual(problemsOf(runbookWith((c) => (c.monitoring = { prometheus: { kind: "datadog" } }))), [
                'monitoring.prometheus.kind "datadog" is invalid: use kind "prometheusOperator" or "azureManagedPrometheus".',
            ]);
            const problems = problemsOf(
                runbookWith(
                    (c) =>
                        (c.monitoring = {
                            prometheus: {
                                kind: "azureManagedPrometheus",
                                azureMonitorWorkspaceId: WORKSPACE_ID,
                                clusterName: "aks",
                            },
                        }),
                ),
            );
            assert.equal(problems.length, 1);
            assert.match(
                problems[0] ?? "",
                /^monitoring\.prometheus\.azureMonitorWorkspaceId .* is invalid: use a resource id: .*Microsoft\.Monitor\/accounts\/<workspace>\.$/,
            );
        });
    });
});

describe("SyncAlerts", () => {
    const MONITOR_WORKSPACE_ID =
        "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.Monitor/accounts/prom";

    async function alerts(target: ConstructorParameters<typeof SyncAlerts>[1]["target"]) {
        const cloud = await startCloud();
        new SyncAlerts("sync-alerts", { target, namespace: "external-secrets", releaseName: "eso" });
        await cloud.settle();
        return { cloud, component: only(cloud, "eso-keyvault:monitoring:SyncAlerts") };
    }

    it("gives Prometheus Operator one named rule group of warnings that say which object and why", async () => {
        const { cloud, component } = await alerts({ kind: "prometheusOperator", ruleLabels: { release: "kps" } });
        const resource = only(cloud, "kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        assert.equal(resource.parent, component.urn);
        const rule = inputsOf(resource);
        assert.equal(rule.metadata.name, "external-secrets-sync");
        assert.deepEqual(
            rule.spec.groups.map((group: { name: string }) => group.name),
            ["external-secrets-sync"],
        );
        assert.deepEqual(
            rule.spec.groups[0].rules,
            SYNC_ALERT_RULES.map((r) => ({
                alert: r.alert,
                expr: r.expr,
                for: "20m",
                labels: { severity: "warning" },
                annotations: { summary: r.summary, description: r.description },
            })),
        );
    });

    it("leaves managed Prometheus's alerts in Azure Monitor when no action group is named", async () => {
        const { cloud, component } = await alerts({
            kind: "azureManagedPrometheus",
            azureMonitorWorkspaceId: MONITOR_WORKSPACE_ID,
            clusterName: "aks-dev",
            resourceGroupName: "rg",
            location: "westeurope",
        });
        const group = only(cloud, "azure-native:alertsmanagement:PrometheusRuleGroup");
        assert.equal(group.parent, component.urn);
        assert.equal(only(cloud, "kubernetes:azmonitoring.coreos.com/v1:ServiceMonitor").parent, component.urn);
        const rules = inputsOf(group).rules as Array<{ actions: unknown[]; annotations: unknown }>;
        assert.equal(rules.length, SYNC_ALERT_RULES.length);
        for (const [i, rule] of rules.entries()) {
            assert.deepEqual(rule.actions, []);
            const expected = SYNC_ALERT_RULES[i] as (typeof SYNC_ALERT_RULES)[number];
            assert.deepEqual(rule.annotations, { summary: expected.summary, description: expected.description });
        }
    });
});

describe("ownVault", () => {
    async function own(monitoringArgs: { logs?: VaultLogs; actionGroupId?: string }) {
        const cloud = await startCloud();
        ownVault("vault", {
            vault: { existing: false, name: "kv-test" },
            seededSecrets: {},
            monitoring: monitoringArgs,
            resourceGroupName: "rg",
            location: "westeurope",
            tenantId: "11111111-1111-4111-a111-111111111111",
            subscriptionId: "22222222-2222-4222-a222-222222222222",
        });
        await cloud.settle();
        return cloud;
    }

    it("alerts on the vault's metrics when only an action group is configured, with no diagnostic setting", async () => {
        const cloud = await own({ actionGroupId: ACTION_GROUP_ID });
        const component = only(cloud, "eso-keyvault:monitoring:VaultMonitoring");
        assert.equal(component.name, "vault-monitoring");
        assert.equal(cloud.ofType(TYPES.metricAlert).length, 4);
        assert.equal(cloud.ofType(TYPES.diagnostics).length, 0);
    });

    it("sends the vault's logs when only logs are configured, and monitors nothing when neither is", async () => {
        const logged = await own({ logs: { workspaceId: WORKSPACE_ID } });
        assert.equal(inputsOf(only(logged, TYPES.diagnostics)).workspaceId, WORKSPACE_ID);
        assert.equal(logged.ofType(TYPES.metricAlert).length, 0);
        const quiet = await own({});
        assert.equal(quiet.ofType("eso-keyvault:monitoring:VaultMonitoring").length, 0);
    });
});
