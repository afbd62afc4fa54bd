// The "before `pulumi up`" list: what each example stack still needs for a real run, and what a ready stack lacks.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { dump } from "js-yaml";
import { beforeUp, describeBeforeUp } from "../plan/beforeUp";
import { projectValues } from "../plan/run";
import { readStackFile, type StackFile } from "../plan/stackFile";
import { parseStackConfig } from "../stacks/config";
import { ISSUER, runbookWith } from "./mocks";

const ROOT = path.resolve(__dirname, "..");

function listOf(file: StackFile) {
    return beforeUp(
        parseStackConfig(projectValues(file), { project: file.project, stack: file.stack }),
        file.placeholders,
        projectValues(file),
    );
}

/** A project directory holding one stack file with this `config:` (project keys without their namespace). */
function stackWith(config: Record<string, unknown>, topLevel: Record<string, unknown> = {}): StackFile {
    const dir = mkdtempSync(path.join(tmpdir(), "before-up-"));
    try {
        writeFileSync(path.join(dir, "Pulumi.yaml"), "name: eso-keyvault\nruntime: nodejs\n");
        writeFileSync(path.join(dir, "Pulumi.mine.yaml"), dump({ ...topLevel, config }));
        return readStackFile(dir, "mine");
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("before `pulumi up`", () => {
    it("lists what the dev stack still needs: its seeded secret, a kube context, the namespaces it creates", () => {
        const items = listOf(readStackFile(ROOT, "dev"));
        assert.deepEqual(
            items.map((item) => item.fix),
            [
                ["pulumi config set --secret --path 'seededSecrets.key-vault-secret-name' '<value>'"],
                [
                    'pulumi config set --path kubernetes.context "$(kubectl config current-context)"   # after checking it is the right cluster',
                ],
                [
                    "kubectl get namespace app-namespace external-secrets   # any that exists: list it under kubernetes.existingNamespaces (and remove it from kubernetes.ownedNamespaces)",
                ],
            ],
        );
        assert.match(items[0]?.what ?? "", /^seededSecrets\.key-vault-secret-name is a `secure:` placeholder/);
        assert.match(items[2]?.what ?? "", /\(external-secrets often exists already\)$/);
    });

    it("lists what the prod example needs: its network and monitoring ids, the cluster's issuer, Velero's secret", () => {
        const items = listOf(readStackFile(ROOT, "prod"));
        assert.deepEqual(
            items.map((item) => item.what.slice(0, 40)),
            [
                "vault.network.privateEndpoint.subnetId, ",
                "auth.oidcIssuerUrl is the example's all-",
                'ExternalSecrets read "velero-cloud-crede',
                "monitoring.prometheus needs AKS's manage",
                "the stack creates namespace external-sec",
            ],
        );
        assert.deepEqual(items[0]?.fix, [
            "pulumi config set --path 'vault.network.privateEndpoint.subnetId' <your resource id>",
            "pulumi config set --path 'vault.network.privateEndpoint.vnetId' <your resource id>",
            "pulumi config set --path 'monitoring.actionGroupId' <your resource id>",
            "pulumi config set --path 'monitoring.prometheus.azureMonitorWorkspaceId' <your resource id>",
        ]);
        assert.match(items[0]?.what ?? "", /in the example's all-zero subscription: Azure finds no such resource$/);
        assert.deepEqual(items[2]?.fix, [
            "pulumi config set --secret --path 'seededSecrets.velero-cloud-credentials' '<value>'",
        ]);
    });

    it("lists every placeholder of the tenants example in one item, each with its command", () => {
        const [placeholders, ...rest] = listOf(readStackFile(ROOT, "tenants"));
        assert.equal(placeholders?.fix.length, 8);
        assert.ok(
            placeholders?.fix.every((fix) =>
                /^pulumi config set --secret --path 'seededSecrets\.[a-z-]+' '<value>'$/.test(fix),
            ),
        );
        assert.deepEqual(
            rest.map((item) => item.what.slice(0, 24)),
            ["auth.oidcIssuerUrl is th", "no kubernetes.context (o", "the stack creates namesp"],
        );
    });

    it("finds nothing in a stack that is ready: real ciphertexts, an issuer, a context, seeded reads, existing namespaces", () => {
        const ready = runbookWith((c) => {
            c.auth = { mode: "workloadIdentity", oidcIssuerUrl: ISSUER };
            c.kubernetes = { context: "aks-dev", existingNamespaces: ["app-namespace", "external-secrets"] };
            c.seededSecrets = {
                // As the passphrase provider and the service/cloud providers write them.
                "key-vault-secret-name": { secure: "v1:wJ8hQ3i5k0E0Y6aa:V9eUG2vWfRmFz8M0Nq1LkzXc2vA=" },
                other: { secure: "AAABADh2b6Yx0cVkCQ3sC5i1Tq0/a5uVZsL0pQ==" },
            };
        });
        const items = listOf(stackWith(ready, { encryptionsalt: "v1:abc:def" }));
        assert.deepEqual(items, []);
        assert.deepEqual(describeBeforeUp(items), ["Before `pulumi up`: nothing found that a real run would trip on."]);
    });

    it("names a placeholder wherever it sits, and tells an adopted vault's reads to be checked, not seeded", () => {
        const config = runbookWith((c) => {
            c.kubernetes = { context: "aks-dev", existingNamespaces: ["app-namespace", "external-secrets"] };
            c.vault = { name: "kv-existing", existing: true };
            c.seededSecrets = {};
            c.kubeconfig = { secure: "set-me" };
            c.externalSecrets[0].data = { a: "key-vault-secret-name", b: "cert/tls" };
        });
        const items = listOf(stackWith(config));
        assert.deepEqual(
            items.map((item) => item.fix),
            [
                ["pulumi config set --secret --path 'kubeconfig' '<value>'"],
                [
                    "az keyvault certificate show --vault-name kv-existing --name tls",
                    "az keyvault secret show --vault-name kv-existing --name key-vault-secret-name",
                ],
            ],
        );
    });

    it("asks for the CRDs alerts on ESO's sync need, by kind", () => {
        const withAlerts = (prometheus: Record<string, unknown>) =>
            listOf(
                stackWith(
                    runbookWith((c) => {
                        c.kubernetes = {
                            context: "aks-dev",
                            existingNamespaces: ["app-namespace", "external-secrets"],
                        };
                        c.seededSecrets = {};
                        c.vault = { name: "kv-existing", existing: true };
                        c.monitoring = { prometheus };
                    }),
                ),
            ).map((item) => item.fix);
        assert.deepEqual(withAlerts({ kind: "prometheusOperator" }), [
            ["az keyvault secret show --vault-name kv-existing --name key-vault-secret-name"],
            ["kubectl get crd prometheusrules.monitoring.coreos.com servicemonitors.monitoring.coreos.com"],
        ]);
        assert.deepEqual(
            withAlerts({
                kind: "azureManagedPrometheus",
                azureMonitorWorkspaceId:
                    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.Monitor/accounts/prom",
                clusterName: "aks-dev",
            })[1],
            ["kubectl get crd servicemonitors.azmonitoring.coreos.com"],
        );
    });
});
