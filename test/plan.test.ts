// The offline plan, run as a user runs it (`npm run plan`, a child process) and in-process for its contents.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { load } from "js-yaml";
import { stacksIn } from "../plan/stackFile";

const root = path.resolve(__dirname, "..");
const fixtures = path.join(__dirname, "fixtures");

interface CliRun {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly out: string;
}

/** Runs `npm run plan` the way npm does, writing under a fresh temporary directory. */
function runCli(...args: string[]): CliRun {
    const out = mkdtempSync(path.join(tmpdir(), "plan-"));
    const result = spawnSync(process.execPath, ["--require", "./loader.cjs", "plan/cli.ts", "--out", out, ...args], {
        cwd: root,
        encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, out };
}

/** Every file under a directory, with its contents. */
function filesUnder(dir: string): Array<[string, string]> {
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => {
            const file = path.join(entry.parentPath, entry.name);
            return [path.relative(dir, file), readFileSync(file, "utf8")];
        });
}

describe("offline plan", function () {
    this.timeout(120_000);

    describe("of the dev stack", () => {
        let run: CliRun;
        let planJson: {
            resources: Array<{ custom: boolean; type: string; wave?: number; urn: string }>;
            waves: string[][];
            compliance: Array<{ guid: string; status: string }>;
        };
        before(() => {
            run = runCli("--stack", "dev");
            planJson = JSON.parse(readFileSync(path.join(run.out, "dev", "plan.json"), "utf8"));
        });
        after(() => rmSync(run.out, { recursive: true, force: true }));

        it("exits 0 with a one-line summary", () => {
            assert.equal(run.status, 0, run.stderr);
            const lines = run.stdout.trim().split("\n");
            assert.match(
                lines[lines.length - 1] as string,
                /^Plan OK: 18 resources in 13 components, 6 waves, 6 objects validated \(Namespace, Secret, ClusterSecretStore, ExternalSecret, Pod\), no policy violations\.$/,
            );
        });

        it("reports Key Vault compliance, saying what a dev stack skips, in its output and plan.json", () => {
            const lines = run.stdout.split("\n");
            const start = lines.indexOf("Key Vault compliance (Microsoft cloud security benchmark built-ins):");
            assert.ok(start >= 0, run.stdout);
            const builtIns = lines.slice(start + 1, start + 15);
            for (const line of builtIns) assert.match(line, /^ {4}(holds|fails|skipped|n\/a) +[0-9a-f]{8} {2}\S/);
            assert.match(
                run.stdout,
                /^ {4}skipped {2}a6abeaec {2}Azure Key Vaults should use private link: vault kv-dev-[a-z0-9]{6}: no private endpoint \(not a production stack; vault\.network\.privateEndpoint not set\)$/m,
            );
            assert.equal(planJson.compliance.length, 14);
            assert.deepEqual(
                planJson.compliance.filter((c) => c.status === "skipped").map((c) => c.guid.slice(0, 8)),
                ["0b60c0b2", "55615ac9", "a6abeaec", "cf820ca0", "405c5871", "ac673a9a"],
            );
        });

        it("registers the runbook's 16 resources, the vault name's random suffix and the access check", () => {
            assert.equal(planJson.resources.filter((r) => r.custom).length, 18);
        });

        it("orders them in six waves: names, Azure and namespaces, access and operator, store and access check, ExternalSecret, Pod", () => {
            const kinds = planJson.waves.map((wave) =>
                wave.map((urn) => (urn.split("::")[2] as string).split("$").pop()?.split(":").pop()).sort(),
            );
            assert.deepEqual(kinds, [
                ["Application", "RandomString", "kubernetes"],
                [
                    "ApplicationApiAccess",
                    "ApplicationIdentifierUri",
                    "ApplicationPassword",
                    "Namespace",
                    "Namespace",
                    "ServicePrincipal",
                    "Vault",
                ],
                ["Release", "RoleAssignment", "Secret", "Secret"],
                ["ClusterSecretStore", "Command"],
                ["ExternalSecret"],
                ["Pod"],
            ]);
        });

        it("prints the resource tree and the waves", () => {
            assert.match(
                run.stdout,
                /├─ eso-keyvault:vault:KeyVault\s+vault\n\s+│ {2}├─ random:index\/randomString:RandomString\s+vault-name-suffix\n\s+│ {2}└─ azure-native:keyvault:Vault\s+vault-vault\n/,
            );
            assert.match(
                run.stdout,
                /^\s+4 {2}store-store \(ClusterSecretStore\), eso-access-check-probe \(Command\)$/m,
            );
        });

        it("writes each Kubernetes object as YAML, plan.json and a Mermaid graph", () => {
            const files = filesUnder(path.join(run.out, "dev"))
                .map(([name]) => name)
                .sort();
            assert.deepEqual(files, [
                "graph.mmd",
                "objects/clustersecretstore-azure-secret-store.yaml",
                "objects/externalsecret-app-namespace-external-secret.yaml",
                "objects/namespace-app-namespace.yaml",
                "objects/namespace-external-secrets.yaml",
                "objects/pod-app-namespace-app-name.yaml",
                "objects/secret-external-secrets-azure-secret-sp.yaml",
                "plan.json",
                "policy-config.json",
            ]);
            const store = load(
                readFileSync(
                    path.join(run.out, "dev", "objects", "clustersecretstore-azure-secret-store.yaml"),
                    "utf8",
                ),
            ) as { apiVersion: string; spec: { provider: { azurekv: { vaultUrl: string } } } };
            assert.equal(store.apiVersion, "external-secrets.io/v1");
            assert.match(store.spec.provider.azurekv.vaultUrl, /^https:\/\/kv-dev-[a-z0-9]{6}\.vault\.azure\.net\/$/);
            const graph = readFileSync(path.join(run.out, "dev", "graph.mmd"), "utf8");
            assert.match(graph, /^flowchart LR\n/);
            // One arrow per dependency, leaving out the cluster provider every Kubernetes object depends on.
            const dependencies = planJson.resources.flatMap((r: any) => (r.custom ? r.dependsOn : []));
            assert.equal(
                graph.match(/-->/g)?.length,
                dependencies.filter((urn: string) => !urn.includes("pulumi:providers:")).length,
            );
        });
    });

    it("keeps out/<stack>/objects in step with the plan: unchanged files untouched, stale ones removed", () => {
        const first = runCli("--stack", "dev");
        const objects = path.join(first.out, "dev", "objects");
        const store = path.join(objects, "clustersecretstore-azure-secret-store.yaml");
        const before = statSync(store).mtimeMs;
        writeFileSync(path.join(objects, "pod-gone-away.yaml"), "kind: Pod\n");
        const again = spawnSync(
            process.execPath,
            ["--require", "./loader.cjs", "plan/cli.ts", "--out", first.out, "--stack", "dev"],
            { cwd: root, encoding: "utf8" },
        );
        assert.equal(again.status, 0, again.stderr);
        assert.equal(existsSync(path.join(objects, "pod-gone-away.yaml")), false);
        assert.equal(statSync(store).mtimeMs, before);
        assert.equal(readdirSync(objects).length, 6);
        rmSync(first.out, { recursive: true, force: true });
    });

    it("plans every stack of the repository cleanly", () => {
        const stacks = stacksIn(root);
        for (const example of ["dev", "prod", "tenants"]) assert.ok(stacks.includes(example), stacks.join(", "));
        for (const stack of stacks) {
            const run = runCli("--stack", stack);
            assert.equal(run.status, 0, `${stack}: ${run.stderr}${run.stdout}`);
            assert.match(run.stdout, /^Plan OK: /m);
            // The examples carry placeholders (secrets, the all-zero subscription's ids): the plan lists them, without
            // failing.
            assert.match(run.stdout, /^Before `pulumi up` \(\d+ to check; the offline plan cannot\):$/m);
            rmSync(run.out, { recursive: true, force: true });
        }
    });

    it("exits 1 when a production stack fails a Key Vault built-in, with the fix", () => {
        const run = runCli("--cwd", path.join(fixtures, "project"), "--stack", "unlogged");
        assert.equal(run.status, 1, run.stderr);
        assert.match(
            run.stdout,
            /^ {4}fails {2}cf820ca0 {2}Resource logs in Key Vault should be enabled: vault kv-unlogged-fixture: no diagnostic setting sends its logs; fix: set monitoring\.logs \(\{\} creates a Log Analytics workspace; or workspaceId\)$/m,
        );
        assert.match(
            run.stdout,
            /\[keyvault-resource-logs\] {2}Key Vault "kv-unlogged-fixture" sends no resource logs/,
        );
        assert.match(
            run.stdout,
            /^Plan FAILED: 0 schema violations in 0 of 4 objects, 1 policy violation, 1 Key Vault built-in failing\.$/m,
        );
        rmSync(run.out, { recursive: true, force: true });
    });

    it("exits 2 on an invalid stack configuration, naming each problem and writing nothing", () => {
        const run = runCli("--cwd", path.join(fixtures, "project"), "--stack", "broken");
        assert.equal(run.status, 2);
        assert.match(run.stderr, /Stack "broken" has 2 configuration problems; nothing was deployed:/);
        assert.match(run.stderr, /- vault\.name "kv_broken" is invalid: use 3-24 letters/);
        assert.match(
            run.stderr,
            /- externalSecrets\[0\]\.refreshInterval "5s" is invalid: use a duration of at least 1m/,
        );
        assert.deepEqual(filesUnder(run.out), []);
        assert.equal(run.stdout, "");
        rmSync(run.out, { recursive: true, force: true });
    });

    it("exits 1 when an object breaks ESO's v1 schema, naming the object and the field", () => {
        const run = runCli("--cwd", path.join(fixtures, "invalid-object"), "--stack", "bad");
        assert.equal(run.status, 1, run.stderr);
        assert.match(
            run.stdout,
            /ExternalSecret apps\/app {2}\/spec\/target\/creationPolicy {2}must be equal to one of the allowed values: Owner, Orphan, Merge, None/,
        );
        assert.match(run.stdout, /Plan FAILED: 1 schema violation in 1 of 3 objects, 0 policy violations\.$/m);
        rmSync(run.out, { recursive: true, force: true });
    });

    it("exits 1 when a resource breaks the policy pack, naming the resource and the policy", () => {
        const run = runCli("--cwd", path.join(fixtures, "policy-violation"), "--stack", "loose");
        assert.equal(run.status, 1, run.stderr);
        assert.match(
            run.stdout,
            /kubernetes:core\/v1:Pod app {2}\[workload-secret-mounts\] {2}spec\.volumes\[0\]\.secret\.defaultMode is 420 \(0644\)/,
        );
        assert.match(
            run.stdout,
            /kubernetes:core\/v1:Pod app {2}\[workload-service-account-token\] {2}spec\.automountServiceAccountToken is undefined/,
        );
        assert.match(run.stdout, /Plan FAILED: 0 schema violations in 0 of 3 objects, 9 policy violations\.$/m);
        rmSync(run.out, { recursive: true, force: true });
    });

    it("exits 1 when the real services would refuse an object, naming the rule and its upstream source", () => {
        const run = runCli("--cwd", path.join(fixtures, "refused"), "--stack", "webhook");
        assert.equal(run.status, 1, run.stderr);
        assert.match(
            run.stdout,
            /^ {4}creating ExternalSecret apps\/merged failed: ESO's admission webhook denied it: deletionPolicy Delete must not be used with creationPolicy Merge, where ESO does not own the Secret \(external-secrets apis\/externalsecrets\/v1\/externalsecret_validator\.go, validateExternalSecret\)$/m,
        );
        assert.match(run.stdout, /^Plan FAILED: 1 refusal; a real `pulumi up` would fail here\.$/m);
        rmSync(run.out, { recursive: true, force: true });
    });

    it("prints the Key Vault reads the refresh intervals cause, against the vault's limit", () => {
        const run = runCli("--stack", "tenants");
        assert.equal(run.status, 0, run.stderr);
        assert.match(
            run.stdout,
            /^Key Vault load: 10 reads\/hour from 4 ExternalSecrets \(<0\.01% of the vault's 1,440,000\/hour limit\); 8 at once when ESO starts \(limit 4,000 per 10 s\)\.$/m,
        );
        const config = JSON.parse(readFileSync(path.join(run.out, "tenants", "policy-config.json"), "utf8"));
        assert.deepEqual(config["eso-cluster-store-conditions"], { tenantsConfigured: true });
        rmSync(run.out, { recursive: true, force: true });
    });

    it("names the known stacks when asked for an unknown one", () => {
        const run = runCli("--stack", "staging");
        assert.equal(run.status, 2);
        assert.match(
            run.stderr,
            /^error: no stack "staging": Pulumi\.staging\.yaml does not exist in .* or its examples\/; stacks here: (.*, )?dev, (.*, )?prod, (.*, )?tenants/,
        );
        assert.doesNotMatch(run.stderr, /\n\s+at /);
        rmSync(run.out, { recursive: true, force: true });
    });

    it("rejects an unknown option with its usage", () => {
        const run = runCli("--stak", "dev");
        assert.equal(run.status, 2);
        assert.match(run.stderr, /^error: Unknown option '--stak'/);
        assert.match(run.stderr, /usage: npm run plan -- \[--stack <name> \| --all\]/);
        rmSync(run.out, { recursive: true, force: true });
    });

    it("never shows a secret value in its output or files", () => {
        const run = runCli("--cwd", path.join(fixtures, "project"), "--stack", "secrets");
        assert.equal(run.status, 0, run.stderr);
        const planJson = JSON.parse(readFileSync(path.join(run.out, "secrets", "plan.json"), "utf8"));
        const password = planJson.resources.find((r: { type: string }) => r.type.endsWith(":ApplicationPassword"));
        assert.ok(password, "the plan has an application password");
        const leaks = [
            "plain-text-db-password-4711",
            "kubeconfig-token-0815",
            "ZW5jcnlwdGVkLWFwaS1rZXk",
            "simulated-password-",
        ];
        for (const [where, text] of [["stdout", run.stdout], ["stderr", run.stderr], ...filesUnder(run.out)]) {
            for (const leak of leaks) assert.ok(!(text as string).includes(leak), `${where} shows ${leak}`);
        }
        const secret = filesUnder(run.out).find(([name]) =>
            name.endsWith("secret-external-secrets-azure-secret-sp.yaml"),
        );
        assert.match(secret?.[1] ?? "", /ClientSecret: '\[secret\]'/);
        rmSync(run.out, { recursive: true, force: true });
    });
});
