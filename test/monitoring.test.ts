// The vault's resource logs and metric alerts, as Azure Policy and Azure Monitor Baseline Alerts ask for them.
import { strict as assert } from "node:assert";
import { VaultMonitoring } from "../components/vaultMonitoring";
import { inputsOf, only, startCloud } from "./mocks";

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
});
