// The workflows' choice of stacks (.github/list-stacks.sh): every stack file is planned, only the stacks named in
// DEPLOY_STACKS are previewed and deployed, and a worked example never is.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const SCRIPT = path.join(ROOT, ".github", "list-stacks.sh");

function listStacks(deployStacks?: string, cwd = ROOT) {
    const dir = mkdtempSync(path.join(tmpdir(), "list-stacks-"));
    const output = path.join(dir, "output");
    try {
        const run = spawnSync("bash", [SCRIPT], {
            cwd,
            encoding: "utf8",
            env: {
                PATH: process.env.PATH,
                GITHUB_OUTPUT: output,
                ...(deployStacks === undefined ? {} : { DEPLOY_STACKS: deployStacks }),
            },
        });
        const values = run.status === 0 ? readFileSync(output, "utf8") : "";
        const field = (name: string) => values.match(new RegExp(`^${name}=(.*)$`, "m"))?.[1];
        const stacks = (name: string) =>
            (JSON.parse(field(name) ?? '{"include":[]}') as { include: Array<{ stack: string; key: string }> }).include;
        return {
            status: run.status,
            stdout: run.stdout,
            plan: stacks("plan"),
            deploy: stacks("deploy"),
            deploys: field("deploys"),
            vaults: stacks("deploy_vaults"),
            vaultDeploys: field("vault_deploys"),
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("the workflows' stacks", () => {
    before(function () {
        // The script uses jq, as GitHub's runners have it.
        if (spawnSync("jq", ["--version"]).status !== 0) this.skip();
    });

    it("plans every stack file, the examples included, and deploys none unless DEPLOY_STACKS names it", () => {
        const run = listStacks();
        assert.equal(run.status, 0, run.stdout);
        const planned = run.plan.map((s) => s.stack);
        for (const example of ["dev", "prod", "tenants"]) assert.ok(planned.includes(example), planned.join(", "));
        assert.deepEqual(run.deploy, []);
        assert.equal(run.deploys, "0");
        assert.match(run.stdout, /DEPLOY_STACKS is empty/);
    });

    it("deploys exactly the named stacks of the repository root, with their secret-name keys", () => {
        const run = listStacks(" dev ");
        assert.equal(run.status, 0, run.stdout);
        assert.deepEqual(run.deploy, [{ stack: "dev", key: "DEV" }]);
        assert.equal(run.deploys, "1");
    });

    it("refuses to deploy a worked example, or a stack without a file, or a name Pulumi would not accept", () => {
        const example = listStacks("dev prod");
        assert.equal(example.status, 1);
        assert.match(
            example.stdout,
            /DEPLOY_STACKS names "prod", but examples\/Pulumi\.prod\.yaml is a worked example, not a deployment/,
        );
        const missing = listStacks("staging");
        assert.equal(missing.status, 1);
        assert.match(
            missing.stdout,
            /DEPLOY_STACKS names "staging", but no Pulumi\.staging\.yaml at the repository root/,
        );
        const bad = listStacks("dev;rm");
        assert.equal(bad.status, 1);
        assert.match(bad.stdout, /is not a stack name/);
    });

    it("deploys a fleet's vault stacks apart, before the stacks that read them", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "fleet-stacks-"));
        try {
            for (const stack of ["fleet-vault", "fleet-westeurope", "fleet-northeurope"]) {
                copyFileSync(
                    path.join(ROOT, "examples", `Pulumi.${stack}.yaml`),
                    path.join(dir, `Pulumi.${stack}.yaml`),
                );
            }
            const run = listStacks("fleet-westeurope fleet-vault fleet-northeurope", dir);
            assert.equal(run.status, 0, run.stdout);
            assert.deepEqual(run.vaults, [{ stack: "fleet-vault", key: "FLEET_VAULT" }]);
            assert.equal(run.vaultDeploys, "1");
            assert.deepEqual(
                run.deploy.map((s) => s.stack),
                ["fleet-westeurope", "fleet-northeurope"],
            );
            const deploy = readFileSync(path.join(ROOT, ".github", "workflows", "deploy.yml"), "utf8");
            assert.match(deploy, /\n {2}deploy:\n(?:.*\n)*? {4}needs: \[stacks, test, plan, deploy-vaults\]\n/);
            assert.match(deploy, /needs\['deploy-vaults'\]\.result != 'failure'/);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("installs a pinned kubelogin and signs the Azure CLI in wherever a kubeconfig is used", () => {
        for (const workflow of ["deploy-stack.yml", "preview.yml"]) {
            const text = readFileSync(path.join(ROOT, ".github", "workflows", workflow), "utf8");
            assert.match(
                text,
                /uses: azure\/use-kubelogin@v1\n {8}with:\n {10}kubelogin-version: v\d+\.\d+\.\d+\n/,
                workflow,
            );
            assert.match(text, /uses: azure\/login@v2/, workflow);
            assert.match(
                text,
                /kubelogin convert-kubeconfig -l azurecli --kubeconfig "\$RUNNER_TEMP\/kubeconfig"/,
                workflow,
            );
            // Signed in and kubelogin installed before the kubeconfig is converted.
            assert.ok(text.indexOf("azure/use-kubelogin") < text.indexOf("kubelogin convert-kubeconfig"), workflow);
        }
    });

    it("runs the tests on the Node LTS lines the dependencies support, and plans and deploys on a supported one", () => {
        const engines = (
            JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }
        ).engines.node;
        assert.equal(engines, "^22.18.0 || >=24.11.0");
        const read = (workflow: string) => readFileSync(path.join(ROOT, ".github", "workflows", workflow), "utf8");
        for (const [workflow, text] of [
            ["deploy.yml", read("deploy.yml") + read("deploy-stack.yml")],
            ["preview.yml", read("preview.yml")],
        ] as const) {
            assert.match(text, /node: \[22, 24\]/, workflow);
            const versions = [...text.matchAll(/node-version: (.+)/g)].map((m) => m[1]);
            assert.ok(versions.length >= 3, workflow);
            for (const version of versions) assert.match(version ?? "", /^(24|\$\{\{ matrix\.node \}\})$/, workflow);
        }
    });
});
