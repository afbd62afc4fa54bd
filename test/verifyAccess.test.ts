// The access probe `pulumi up` runs before creating ExternalSecrets, against a local server that plays both
// Entra ID's token endpoint and Key Vault. Time is a fake clock: sleeping advances it at once.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { optionsFromEnv, verifyAccess, type ProbeIo, type ProbeOptions, type ProbeResult } from "../probe/verifyAccess";

const TENANT = "11111111-1111-4111-a111-111111111111";
const CLIENT = "22222222-2222-4222-a222-222222222222";
const CLIENT_SECRET = "Sup3r~Secret.Value-42";
const ACCESS_TOKEN = "eyJ0eXAi.access-token.1";
const SCOPE = "https://vault.azure.net/.default";
const ROOT = path.resolve(__dirname, "..");

interface Recorded {
    method: string;
    path: string;
    query: Record<string, string>;
    headers: IncomingHttpHeaders;
    form: Record<string, string>;
}

interface Reply {
    status: number;
    body?: unknown;
}

/** Answers the nth request (1-based) to the token endpoint, or to Key Vault. */
type Script = (request: Recorded, nth: number) => Reply;

const tokenOk =
    (expiresIn = 3599): Script =>
    () => ({ status: 200, body: { token_type: "Bearer", expires_in: expiresIn, access_token: ACCESS_TOKEN } });

const found = (): Reply => ({ status: 200, body: { value: "the-secret-value", id: "https://kv/secrets/x/1" } });

function kvError(status: number, code: string, message: string, inner?: string): Reply {
    return { status, body: { error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) } } };
}

const rbacRefused = (): Reply =>
    kvError(403, "Forbidden", "Caller is not authorized to perform action on resource.", "ForbiddenByRbac");

function aadError(status: number, error: string, aadsts: string, text: string): Reply {
    return {
        status,
        body: {
            error,
            error_description: `${aadsts}: ${text}\r\nTrace ID: 0000 Correlation ID: 1111 Timestamp: 2025-01-01 00:00:00Z`,
            error_codes: [Number(aadsts.slice(6))],
        },
    };
}

/** Entra ID on POST /<tenant>/oauth2/v2.0/token, Key Vault on GET /secrets, /certificates and /keys. */
class FakeAzure {
    requests: Recorded[] = [];
    token: Script = tokenOk();
    vault: Script = found;
    url = "";
    private readonly server: Server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://127.0.0.1");
            const body = Buffer.concat(chunks).toString("utf8");
            const recorded: Recorded = {
                method: req.method ?? "",
                path: url.pathname,
                query: Object.fromEntries(url.searchParams),
                headers: req.headers,
                form: Object.fromEntries(new URLSearchParams(body)),
            };
            this.requests.push(recorded);
            let reply: Reply;
            if (req.method === "POST" && url.pathname === `/${TENANT}/oauth2/v2.0/token`) {
                reply = this.token(recorded, this.tokenRequests().length);
            } else if (req.method === "GET" && /^\/(secrets|certificates|keys)(\/|$)/.test(url.pathname)) {
                reply = this.vault(recorded, this.vaultRequests().length);
            } else {
                reply = { status: 418, body: { error: `unexpected ${req.method} ${url.pathname}` } };
            }
            res.writeHead(reply.status, { "Content-Type": "application/json" });
            res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
        });
    });

    async start(): Promise<void> {
        await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise((resolve) => this.server.close(resolve));
    }

    reset(): void {
        this.requests = [];
        this.token = tokenOk();
        this.vault = found;
    }

    tokenRequests(): Recorded[] {
        return this.requests.filter((r) => r.method === "POST");
    }

    vaultRequests(path?: string): Recorded[] {
        return this.requests.filter((r) => r.method === "GET" && (path === undefined || r.path === path));
    }
}

const azure = new FakeAzure();

function spEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
        PROBE_VAULT_URL: azure.url,
        PROBE_OBJECTS: '["db-password"]',
        PROBE_TENANT_ID: TENANT,
        PROBE_CLIENT_ID: CLIENT,
        PROBE_AUTHORITY: azure.url,
        PROBE_SCOPE: SCOPE,
        PROBE_MODE: "servicePrincipal",
        PROBE_CLIENT_SECRET: CLIENT_SECRET,
        ...overrides,
    };
}

function wiEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
        ...spEnv({ PROBE_MODE: "workloadIdentity", PROBE_CLIENT_SECRET: undefined }),
        PROBE_SERVICE_ACCOUNT: "external-secrets/eso-sa",
        ...overrides,
    };
}

/** A clock that only moves when the probe sleeps. */
function fakeClock(): Pick<ProbeIo, "now" | "sleep"> & { sleeps: number[] } {
    let time = 1_700_000_000_000;
    const sleeps: number[] = [];
    return {
        sleeps,
        now: () => time,
        sleep: async (ms) => {
            sleeps.push(ms);
            time += ms;
        },
    };
}

async function probe(env: NodeJS.ProcessEnv) {
    const logs: string[] = [];
    const clock = fakeClock();
    const result: ProbeResult = await verifyAccess(optionsFromEnv(env), { ...clock, log: (line) => logs.push(line) });
    return { result, logs, sleeps: clock.sleeps };
}

async function probeFailure(env: NodeJS.ProcessEnv) {
    const logs: string[] = [];
    const clock = fakeClock();
    try {
        await verifyAccess(optionsFromEnv(env), { ...clock, log: (line) => logs.push(line) });
    } catch (e) {
        return { message: (e as Error).message, logs, sleeps: clock.sleeps };
    }
    throw new Error("expected the probe to fail");
}

// One describe holds the hooks: at the root, mocha would run them around every test file's tests.
describe("probe/verifyAccess", () => {
    before(() => azure.start());
    after(() => azure.stop());
    afterEach(() => azure.reset());

    describe("verifyAccess", () => {
        describe("polling Key Vault", () => {
            it("verifies once RBAC applies (refused, refused, then 200) and stops polling afterwards", async () => {
                azure.vault = (_, nth) => (nth <= 2 ? rbacRefused() : found());
                const { result, sleeps } = await probe(spEnv());
                assert.deepEqual(result, {
                    result: "verified",
                    objects: 1,
                    elapsedSeconds: 10,
                    verifiedAt: "2023-11-14T22:13:30.000Z",
                });
                assert.equal(azure.vaultRequests().length, 3);
                assert.deepEqual(sleeps, [5000, 5000]);
            });

            it("reuses one token across polls while it is valid", async () => {
                azure.vault = (_, nth) => (nth <= 2 ? rbacRefused() : found());
                await probe(spEnv());
                assert.equal(azure.tokenRequests().length, 1);
            });

            it("sends the client-credentials form to <authority><tenant>/oauth2/v2.0/token", async () => {
                await probe(spEnv());
                const [token] = azure.tokenRequests();
                assert.equal(token?.path, `/${TENANT}/oauth2/v2.0/token`);
                assert.equal(token?.headers["content-type"], "application/x-www-form-urlencoded");
                assert.deepEqual(token?.form, {
                    grant_type: "client_credentials",
                    client_id: CLIENT,
                    scope: SCOPE,
                    client_secret: CLIENT_SECRET,
                });
            });

            it("sends the bearer token and api-version 7.4 to Key Vault", async () => {
                await probe(spEnv());
                const [read] = azure.vaultRequests();
                assert.equal(read?.headers.authorization, `Bearer ${ACCESS_TOKEN}`);
                assert.deepEqual(read?.query, { "api-version": "7.4" });
            });

            it("maps plain, secret/, cert/ and key/ names and * to Key Vault's paths", async () => {
                const objects = ["plain", "secret/db-password", "cert/tls-cert", "key/signing-key", "*"];
                const { result } = await probe(spEnv({ PROBE_OBJECTS: JSON.stringify(objects) }));
                assert.equal(result.objects, 5);
                assert.deepEqual(
                    azure.vaultRequests().map((r) => [r.path, r.query]),
                    [
                        ["/secrets/plain", { "api-version": "7.4" }],
                        ["/secrets/db-password", { "api-version": "7.4" }],
                        ["/certificates/tls-cert", { "api-version": "7.4" }],
                        ["/keys/signing-key", { "api-version": "7.4" }],
                        ["/secrets", { "api-version": "7.4", maxresults: "1" }],
                    ],
                );
            });

            it("builds the same paths when the vault and authority URLs lack the trailing slash", async () => {
                const base = azure.url.replace(/\/$/, "");
                await probe(spEnv({ PROBE_VAULT_URL: base, PROBE_AUTHORITY: base }));
                assert.deepEqual(
                    azure.requests.map((r) => r.path),
                    [`/${TENANT}/oauth2/v2.0/token`, "/secrets/db-password"],
                );
            });

            it("reads a secret named both plain and with secret/ once", async () => {
                const { result } = await probe(spEnv({ PROBE_OBJECTS: '["db-password", "secret/db-password"]' }));
                assert.equal(result.objects, 1);
                assert.equal(azure.vaultRequests().length, 1);
            });

            it("keeps polling while Key Vault answers 429 and 503", async () => {
                azure.vault = (_, nth) =>
                    [kvError(429, "Throttled", "Too many requests"), kvError(503, "ServiceUnavailable", "Try again")][
                        nth - 1
                    ] ?? found();
                const { result } = await probe(spEnv());
                assert.equal(result.result, "verified");
                assert.equal(azure.vaultRequests().length, 3);
            });

            it("signs in afresh after Key Vault answers 401", async () => {
                azure.vault = (_, nth) =>
                    nth === 1 ? kvError(401, "Unauthorized", "AKV10022: Invalid audience.") : found();
                const { result } = await probe(spEnv());
                assert.equal(result.result, "verified");
                assert.equal(azure.tokenRequests().length, 2);
            });

            it("signs in again 5 minutes before the token expires", async () => {
                azure.token = tokenOk(600);
                // Polls every 5 s: the 61st poll, at 300 s, is the first with the old token due for renewal.
                azure.vault = (_, nth) => (nth <= 61 ? rbacRefused() : found());
                await probe(spEnv());
                assert.equal(azure.tokenRequests().length, 2);
            });

            it("logs the first refusal, then at most once a minute", async () => {
                azure.vault = rbacRefused;
                const { logs } = await probeFailure(spEnv({ PROBE_TIMEOUT_SECONDS: "200" }));
                assert.deepEqual(logs, [
                    "still waiting: 1 of 1 objects refused (ForbiddenByRbac), 0 s elapsed",
                    "still waiting: 1 of 1 objects refused (ForbiddenByRbac), 60 s elapsed",
                    "still waiting: 1 of 1 objects refused (ForbiddenByRbac), 120 s elapsed",
                    "still waiting: 1 of 1 objects refused (ForbiddenByRbac), 180 s elapsed",
                ]);
            });
        });

        describe("Key Vault's verdicts", () => {
            it("skips at once when the vault's firewall refuses this machine (ForbiddenByFirewall)", async () => {
                azure.vault = () =>
                    kvError(
                        403,
                        "Forbidden",
                        "Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7",
                        "ForbiddenByFirewall",
                    );
                const { result } = await probe(spEnv());
                assert.deepEqual(result, {
                    result: "skipped",
                    objects: 1,
                    elapsedSeconds: 0,
                    verifiedAt: "2023-11-14T22:13:20.000Z",
                    reason:
                        "Key Vault refused this machine's network (ForbiddenByFirewall): the deployer has no network path " +
                        "to the vault, so access cannot be checked from here; pulumi up goes on and ESO's own retries " +
                        "apply until Azure RBAC has applied",
                });
                assert.equal(azure.vaultRequests().length, 1);
            });

            it("skips at once when the message says public network access is disabled", async () => {
                azure.vault = () =>
                    kvError(
                        403,
                        "Forbidden",
                        "Public network access is disabled and request is not from a trusted service nor via an approved private link.",
                    );
                const { result } = await probe(spEnv());
                assert.equal(result.result, "skipped");
                assert.equal(azure.vaultRequests().length, 1);
            });

            it("fails naming the missing objects on 404, after the others verify", async () => {
                azure.vault = (request, nth) => {
                    if (request.path === "/secrets/app-key")
                        return kvError(404, "SecretNotFound", "A secret was not found.");
                    if (request.path === "/certificates/tls") return kvError(404, "CertificateNotFound", "Not found.");
                    return nth <= 3 ? rbacRefused() : found();
                };
                const { message } = await probeFailure(
                    spEnv({ PROBE_OBJECTS: '["app-key", "cert/tls", "db-password"]' }),
                );
                assert.equal(
                    message,
                    `Key Vault ${azure.url} has no secret app-key, certificate tls: ESO cannot sync an object that does ` +
                        "not exist. Create them before pulumi up: list secrets in the stack's seededSecrets, or run " +
                        "az keyvault secret set --vault-name <vault> --name app-key --value <value> " +
                        "(az keyvault certificate import / az keyvault key create for cert/ and key/).",
                );
            });

            it("asks for a missing object only once", async () => {
                azure.vault = (request, nth) =>
                    request.path === "/secrets/app-key"
                        ? kvError(404, "SecretNotFound", "A secret was not found.")
                        : nth <= 2
                          ? rbacRefused()
                          : found();
                await probeFailure(spEnv({ PROBE_OBJECTS: '["app-key", "db-password"]' }));
                assert.equal(azure.vaultRequests("/secrets/app-key").length, 1);
                assert.equal(azure.vaultRequests("/secrets/db-password").length, 2);
            });

            it("times out naming the refused objects, the last error code and what to check", async () => {
                azure.vault = (request) => (request.path === "/secrets/a" ? found() : rbacRefused());
                const { message } = await probeFailure(
                    spEnv({
                        PROBE_OBJECTS: '["a", "b", "cert/c"]',
                        PROBE_TIMEOUT_SECONDS: "1",
                        PROBE_INTERVAL_SECONDS: "0.25",
                    }),
                );
                assert.equal(
                    message,
                    "2 of 3 Key Vault objects still refused after 1 s (PROBE_TIMEOUT_SECONDS=1): b, cert/c. " +
                        "Last error: Key Vault answered 403 ForbiddenByRbac: Caller is not authorized to perform action " +
                        `on resource. Check that a role assignment grants the principal of client ${CLIENT} read access ` +
                        "(Key Vault Secrets User for secrets, Key Vault Reader for cert/ and key/) with a scope that " +
                        "covers the vault or these objects. Azure RBAC can take up to 10 minutes to apply.",
                );
            });

            it("stops reading an object once it is verified", async () => {
                azure.vault = (request) => (request.path === "/secrets/a" ? found() : rbacRefused());
                await probeFailure(
                    spEnv({ PROBE_OBJECTS: '["a", "b"]', PROBE_TIMEOUT_SECONDS: "1", PROBE_INTERVAL_SECONDS: "0.25" }),
                );
                assert.equal(azure.vaultRequests("/secrets/a").length, 1);
                assert.equal(azure.vaultRequests("/secrets/b").length, 5);
            });

            it("keeps retrying an unreachable vault and times out naming ECONNREFUSED", async () => {
                const closed = createServer();
                await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
                const port = (closed.address() as AddressInfo).port;
                await new Promise((resolve) => closed.close(resolve));
                const { message, sleeps } = await probeFailure(
                    spEnv({ PROBE_VAULT_URL: `http://127.0.0.1:${port}/`, PROBE_TIMEOUT_SECONDS: "1" }),
                );
                assert.match(
                    message,
                    /^1 of 1 Key Vault objects still refused after 1 s .* Last error: Key Vault unreachable \(ECONNREFUSED\): /,
                );
                assert.deepEqual(sleeps, [1000]);
            });
        });

        describe("signing in", () => {
            const replication: [string, Reply][] = [
                ["AADSTS700016", aadError(400, "unauthorized_client", "AADSTS700016", "Application not found.")],
                ["AADSTS7000215", aadError(401, "invalid_client", "AADSTS7000215", "Invalid client secret provided.")],
                [
                    "AADSTS70021",
                    aadError(400, "invalid_request", "AADSTS70021", "No matching federated identity record."),
                ],
                ["AADSTS700213", aadError(400, "invalid_request", "AADSTS700213", "No matching federated identity.")],
                ["429", { status: 429, body: { error: "temporarily_unavailable" } }],
                ["503", { status: 503 }],
            ];
            for (const [code, reply] of replication) {
                it(`retries ${code} from the token endpoint, then verifies`, async () => {
                    azure.token = (request, nth) => (nth <= 2 ? reply : tokenOk()(request, nth));
                    const { result } = await probe(spEnv());
                    assert.equal(result.result, "verified");
                    assert.equal(azure.tokenRequests().length, 3);
                });
            }

            it("logs the retried sign-in error's AADSTS code", async () => {
                azure.token = (request, nth) =>
                    nth <= 2
                        ? aadError(401, "invalid_client", "AADSTS7000215", "Invalid client secret provided.")
                        : tokenOk()(request, nth);
                const { logs } = await probe(spEnv());
                assert.deepEqual(logs, [
                    "still waiting: the token endpoint refused the sign-in (AADSTS7000215), 0 s elapsed",
                ]);
            });

            it("fails at once on a non-retryable sign-in error, with its AADSTS text", async () => {
                azure.token = () => aadError(400, "invalid_request", "AADSTS90002", `Tenant '${TENANT}' not found.`);
                const { message, sleeps } = await probeFailure(spEnv());
                assert.equal(
                    message,
                    `Entra ID refused to sign in client ${CLIENT} in tenant ${TENANT} (AADSTS90002): the token endpoint ` +
                        `answered 400 invalid_request: AADSTS90002: Tenant '${TENANT}' not found. Trace ID: 0000 ` +
                        "Correlation ID: 1111 Timestamp: 2025-01-01 00:00:00Z. Check PROBE_TENANT_ID, PROBE_CLIENT_ID, " +
                        "PROBE_AUTHORITY and PROBE_SCOPE.",
                );
                assert.deepEqual(sleeps, []);
                assert.equal(azure.vaultRequests().length, 0);
            });

            it("does not take AADSTS700211 for the retryable AADSTS70021", async () => {
                azure.token = () => aadError(400, "invalid_request", "AADSTS700211", "No matching federated issuer.");
                const { message } = await probeFailure(spEnv());
                assert.match(message, /\(AADSTS700211\)/);
                assert.equal(azure.tokenRequests().length, 1);
            });

            it("times out with the last sign-in error when the token endpoint keeps refusing", async () => {
                azure.token = () => aadError(401, "invalid_client", "AADSTS7000215", "Invalid client secret provided.");
                const { message } = await probeFailure(spEnv({ PROBE_TIMEOUT_SECONDS: "10" }));
                assert.match(
                    message,
                    /^1 of 1 Key Vault objects still refused after 10 s \(PROBE_TIMEOUT_SECONDS=10\): db-password\. Last error: the token endpoint answered 401 invalid_client: AADSTS7000215: Invalid client secret provided\./,
                );
            });

            it("never includes the client secret in an error, even when a server echoes it", async () => {
                azure.token = () =>
                    aadError(400, "invalid_request", "AADSTS90002", `Bad request with ${CLIENT_SECRET}`);
                const { message } = await probeFailure(spEnv());
                assert.equal(message.includes(CLIENT_SECRET), false);
                assert.match(message, /AADSTS90002: Bad request with \[redacted\]/);
            });

            it("never includes the client secret in a log line, even when a server echoes it", async () => {
                azure.vault = () => kvError(403, "Forbidden", "Denied.", `Denied:${CLIENT_SECRET}`);
                const { logs } = await probeFailure(spEnv({ PROBE_TIMEOUT_SECONDS: "60" }));
                assert.deepEqual(logs, [
                    "still waiting: 1 of 1 objects refused (Denied:[redacted]), 0 s elapsed",
                    "still waiting: 1 of 1 objects refused (Denied:[redacted]), 60 s elapsed",
                ]);
            });
        });

        describe("workload identity", () => {
            let bin: string;
            let record: string;
            const savedPath = process.env.PATH;

            beforeEach(() => {
                bin = mkdtempSync(path.join(tmpdir(), "probe-bin-"));
                record = mkdtempSync(path.join(tmpdir(), "probe-record-"));
                // Fake kubectl: records its arguments, copies the kubeconfig it is given, and prints a token.
                const script = [
                    "#!/bin/sh",
                    `record='${record}'`,
                    'printf \'%s\\n\' "$@" > "$record/args"',
                    '[ "$1 $2" = "create token" ] || { echo "unexpected arguments: $*" >&2; exit 1; }',
                    '[ "$3" = "missing-sa" ] && { echo \'error: serviceaccounts "missing-sa" not found\' >&2; exit 1; }',
                    "while [ $# -gt 0 ]; do",
                    '    if [ "$1" = "--kubeconfig" ]; then ls -ln "$2" > "$record/ls"; cat "$2" > "$record/kubeconfig"; fi',
                    "    shift",
                    "done",
                    'echo "sa-token-$$" >> "$record/tokens"',
                    'echo "sa-token-$$"',
                ].join("\n");
                writeFileSync(path.join(bin, "kubectl"), `${script}\n`, { mode: 0o755 });
                process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
            });

            afterEach(() => {
                process.env.PATH = savedPath;
                rmSync(bin, { recursive: true, force: true });
                rmSync(record, { recursive: true, force: true });
            });

            const args = (): string[] => readFileSync(path.join(record, "args"), "utf8").trimEnd().split("\n");
            const tokens = (): string[] => readFileSync(path.join(record, "tokens"), "utf8").trimEnd().split("\n");

            it("asks kubectl for a service account token for Entra ID's token exchange", async () => {
                await probe(wiEnv());
                assert.deepEqual(args(), [
                    "create",
                    "token",
                    "eso-sa",
                    "-n",
                    "external-secrets",
                    "--audience",
                    "api://AzureADTokenExchange",
                    "--duration",
                    "10m",
                ]);
            });

            it("sends kubectl's token in the client-assertion grant", async () => {
                const { result } = await probe(wiEnv());
                assert.equal(result.result, "verified");
                assert.deepEqual(azure.tokenRequests()[0]?.form, {
                    grant_type: "client_credentials",
                    client_id: CLIENT,
                    scope: SCOPE,
                    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    client_assertion: tokens()[0],
                });
            });

            it("passes kubeconfig contents as a 0600 temp file and the context to kubectl", async () => {
                const contents = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: kube-secret\n";
                await probe(wiEnv({ PROBE_KUBECONFIG: contents, PROBE_KUBE_CONTEXT: "aks-dev" }));
                const given = args();
                const file = given[given.indexOf("--kubeconfig") + 1] as string;
                assert.deepEqual(given.slice(9), ["--kubeconfig", file, "--context", "aks-dev"]);
                assert.match(readFileSync(path.join(record, "ls"), "utf8"), /^-rw------- /);
                assert.equal(readFileSync(path.join(record, "kubeconfig"), "utf8"), contents);
            });

            it("deletes the temp kubeconfig and its directory afterwards", async () => {
                await probe(wiEnv({ PROBE_KUBECONFIG: "apiVersion: v1\nkind: Config\n" }));
                const given = args();
                const file = given[given.indexOf("--kubeconfig") + 1] as string;
                assert.equal(existsSync(file), false);
                assert.equal(existsSync(path.dirname(file)), false);
            });

            it("deletes the temp kubeconfig also when the probe fails", async () => {
                azure.token = () => aadError(400, "invalid_request", "AADSTS90002", "Tenant not found.");
                await probeFailure(wiEnv({ PROBE_KUBECONFIG: "apiVersion: v1\nkind: Config\n" }));
                const given = args();
                assert.equal(existsSync(path.dirname(given[given.indexOf("--kubeconfig") + 1] as string)), false);
            });

            it("passes a kubeconfig path as it is and leaves the file alone", async () => {
                const file = path.join(record, "given-kubeconfig");
                writeFileSync(file, "apiVersion: v1\nkind: Config\n");
                await probe(wiEnv({ PROBE_KUBECONFIG: file }));
                assert.deepEqual(args().slice(9), ["--kubeconfig", file]);
                assert.equal(existsSync(file), true);
            });

            it("gets a fresh service account token once the previous one is 5 minutes old", async () => {
                azure.token = tokenOk(600);
                azure.vault = (_, nth) => (nth <= 61 ? rbacRefused() : found());
                await probe(wiEnv());
                const assertions = azure.tokenRequests().map((r) => r.form.client_assertion);
                assert.deepEqual(assertions, tokens());
                assert.equal(new Set(assertions).size, 2);
            });

            it("skips when kubectl is not on PATH, relying on ESO's own retries", async () => {
                process.env.PATH = bin;
                rmSync(path.join(bin, "kubectl"));
                const { result } = await probe(wiEnv());
                assert.deepEqual(result, {
                    result: "skipped",
                    objects: 1,
                    elapsedSeconds: 0,
                    verifiedAt: "2023-11-14T22:13:20.000Z",
                    reason:
                        "kubectl was not found on PATH, so the probe cannot get a service account token for workload " +
                        "identity; pulumi up goes on and relies on ESO's own retries until Azure RBAC has applied",
                });
                assert.equal(azure.requests.length, 0);
            });

            it("fails with kubectl's error output when kubectl create token fails", async () => {
                const { message } = await probeFailure(wiEnv({ PROBE_SERVICE_ACCOUNT: "external-secrets/missing-sa" }));
                assert.equal(
                    message,
                    'kubectl create token missing-sa -n external-secrets exited 1: error: serviceaccounts "missing-sa" ' +
                        "not found. Check PROBE_SERVICE_ACCOUNT, PROBE_KUBECONFIG and PROBE_KUBE_CONTEXT.",
                );
            });

            it("names the federated credential's subject when it times out", async () => {
                azure.token = () =>
                    aadError(400, "invalid_request", "AADSTS70021", "No matching federated identity record.");
                const { message } = await probeFailure(wiEnv({ PROBE_TIMEOUT_SECONDS: "5" }));
                assert.match(
                    message,
                    / For workload identity, the federated credential's issuer and subject must match the cluster's OIDC issuer and system:serviceaccount:external-secrets:eso-sa exactly \(AADSTS70021 otherwise\)\.$/,
                );
            });
        });
    });

    describe("optionsFromEnv", () => {
        const base = {
            PROBE_VAULT_URL: "https://kv-x.vault.azure.net/",
            PROBE_OBJECTS: '["db-password", "cert/tls", "*"]',
            PROBE_TENANT_ID: TENANT,
            PROBE_CLIENT_ID: CLIENT,
            PROBE_AUTHORITY: "https://login.microsoftonline.com/",
            PROBE_SCOPE: SCOPE,
            PROBE_MODE: "servicePrincipal",
            PROBE_CLIENT_SECRET: CLIENT_SECRET,
        };

        it("reads a servicePrincipal environment, with the default timeout and interval", () => {
            assert.deepEqual(optionsFromEnv(base), {
                vaultUrl: "https://kv-x.vault.azure.net/",
                objects: ["db-password", "cert/tls", "*"],
                tenantId: TENANT,
                clientId: CLIENT,
                authority: "https://login.microsoftonline.com/",
                scope: SCOPE,
                auth: { mode: "servicePrincipal", clientSecret: CLIENT_SECRET },
                timeoutSeconds: 1200,
                intervalSeconds: 5,
            } satisfies ProbeOptions);
        });

        it("reads a workloadIdentity environment with kubeconfig contents and a context", () => {
            const options = optionsFromEnv({
                ...base,
                PROBE_CLIENT_SECRET: undefined,
                PROBE_MODE: "workloadIdentity",
                PROBE_SERVICE_ACCOUNT: "external-secrets/eso-sa",
                PROBE_KUBECONFIG: "apiVersion: v1\nkind: Config\n",
                PROBE_KUBE_CONTEXT: "aks-dev",
                PROBE_TIMEOUT_SECONDS: "600",
                PROBE_INTERVAL_SECONDS: "0.5",
            });
            assert.deepEqual(options.auth, {
                mode: "workloadIdentity",
                namespace: "external-secrets",
                serviceAccount: "eso-sa",
                kubeconfig: { contents: "apiVersion: v1\nkind: Config\n" },
                kubeContext: "aks-dev",
            });
            assert.deepEqual([options.timeoutSeconds, options.intervalSeconds], [600, 0.5]);
        });

        it("adds the trailing slash to the vault URL", () => {
            assert.equal(
                optionsFromEnv({ ...base, PROBE_VAULT_URL: "https://kv-x.vault.azure.net" }).vaultUrl,
                base.PROBE_VAULT_URL,
            );
        });

        it("treats empty optional variables as unset", () => {
            const options = optionsFromEnv({ ...base, PROBE_TIMEOUT_SECONDS: "", PROBE_INTERVAL_SECONDS: "" });
            assert.deepEqual([options.timeoutSeconds, options.intervalSeconds], [1200, 5]);
        });

        const urlRule =
            "must be an https URL without query or credentials (http only for 127.0.0.1 or localhost), e.g. https://kv-x.vault.azure.net/";
        const objectsRule =
            'must be a non-empty JSON array of Key Vault object references: "name", "secret/name", "cert/name", ' +
            '"key/name" (names of 1-127 letters, digits and hyphens) or "*" (list secrets)';
        const guidRule = "must be a GUID, e.g. 11111111-1111-4111-a111-111111111111";
        const invalid: [string, NodeJS.ProcessEnv, string][] = [
            ["a missing PROBE_VAULT_URL", { PROBE_VAULT_URL: undefined }, `PROBE_VAULT_URL ${urlRule}; it is not set`],
            [
                "a plain-http vault URL",
                { PROBE_VAULT_URL: "http://kv-x.vault.azure.net/" },
                `PROBE_VAULT_URL ${urlRule}; got "http://kv-x.vault.azure.net/"`,
            ],
            [
                "PROBE_OBJECTS that is no JSON",
                { PROBE_OBJECTS: "db-password" },
                `PROBE_OBJECTS ${objectsRule}; got "db-password"`,
            ],
            ["an empty PROBE_OBJECTS array", { PROBE_OBJECTS: "[]" }, `PROBE_OBJECTS ${objectsRule}; got "[]"`],
            [
                "an unknown object prefix",
                { PROBE_OBJECTS: '["vault/a"]' },
                `PROBE_OBJECTS ${objectsRule}, and "vault/a" is none of them; got "[\\"vault/a\\"]"`,
            ],
            [
                "a tenant domain instead of its id",
                { PROBE_TENANT_ID: "contoso.onmicrosoft.com" },
                `PROBE_TENANT_ID ${guidRule}; got "contoso.onmicrosoft.com"`,
            ],
            [
                "a scope other than .default",
                { PROBE_SCOPE: "https://vault.azure.net/user_impersonation" },
                "PROBE_SCOPE must be a resource's .default scope, e.g. https://vault.azure.net/.default; " +
                    'got "https://vault.azure.net/user_impersonation"',
            ],
            [
                "an unknown mode",
                { PROBE_MODE: "managedIdentity" },
                'PROBE_MODE must be servicePrincipal or workloadIdentity; got "managedIdentity"',
            ],
            [
                "a service principal without a secret",
                { PROBE_CLIENT_SECRET: "" },
                "PROBE_CLIENT_SECRET is required when PROBE_MODE is servicePrincipal; it is not set",
            ],
            [
                "a service account without its namespace",
                { PROBE_MODE: "workloadIdentity", PROBE_SERVICE_ACCOUNT: "eso-sa" },
                "PROBE_SERVICE_ACCOUNT must be <namespace>/<service account name> (lowercase letters, digits and " +
                    'hyphens), e.g. external-secrets/external-secrets; got "eso-sa"',
            ],
            [
                "a zero timeout",
                { PROBE_TIMEOUT_SECONDS: "0" },
                'PROBE_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 7200; got "0"',
            ],
            [
                "a fractional timeout",
                { PROBE_TIMEOUT_SECONDS: "1.5" },
                'PROBE_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 7200; got "1.5"',
            ],
            [
                "a timeout above 7200",
                { PROBE_TIMEOUT_SECONDS: "7201" },
                'PROBE_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 7200; got "7201"',
            ],
            [
                "a zero interval",
                { PROBE_INTERVAL_SECONDS: "0" },
                'PROBE_INTERVAL_SECONDS must be a number of seconds greater than 0, e.g. 5 or 0.5; got "0"',
            ],
            [
                "an interval that is no number",
                { PROBE_INTERVAL_SECONDS: "fast" },
                'PROBE_INTERVAL_SECONDS must be a number of seconds greater than 0, e.g. 5 or 0.5; got "fast"',
            ],
        ];
        for (const [what, overrides, message] of invalid) {
            it(`rejects ${what}, naming the variable and the rule`, () => {
                assert.throws(() => optionsFromEnv({ ...base, ...overrides }), { message });
            });
        }

        it("never echoes the client secret or kubeconfig contents in its errors", () => {
            const contents = "apiVersion: v1\nusers:\n- user:\n    token: kube-secret\n";
            const messages = [
                { ...base, PROBE_MODE: "managed", PROBE_KUBECONFIG: contents },
                { ...base, PROBE_MODE: "workloadIdentity", PROBE_SERVICE_ACCOUNT: "x", PROBE_KUBECONFIG: contents },
            ].map((env) => {
                try {
                    optionsFromEnv(env);
                    return "";
                } catch (e) {
                    return (e as Error).message;
                }
            });
            assert.deepEqual(
                messages.filter((m) => m === "" || m.includes(CLIENT_SECRET) || m.includes("kube-secret")),
                [],
            );
        });
    });

    describe("the probe's CLI", () => {
        function cli(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
            const inherited = Object.fromEntries(
                Object.entries(process.env).filter(([name]) => !name.startsWith("PROBE_")),
            );
            return new Promise((resolve) => {
                execFile(
                    process.execPath,
                    ["--require", "./loader.cjs", "probe/verifyAccess.ts"],
                    { cwd: ROOT, env: { ...inherited, ...env } },
                    (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
                );
            });
        }

        it("prints one JSON line of the result and exits 0 once access is verified", async () => {
            const { code, stdout } = await cli(spEnv({ PROBE_INTERVAL_SECONDS: "0.01" }));
            assert.equal(code, 0);
            assert.match(
                stdout,
                /^\{"result":"verified","objects":1,"elapsedSeconds":\d+,"verifiedAt":"\d{4}-\d\d-\d\dT[\d:.]+Z"\}\n$/,
            );
            // Verified at the first poll: whole seconds of a process start on a loaded machine, not of waiting.
            assert.ok((JSON.parse(stdout) as { elapsedSeconds: number }).elapsedSeconds <= 5, stdout);
        });

        it("prints the error and exits 1 when the probe fails", async () => {
            azure.token = () => aadError(400, "invalid_request", "AADSTS90002", "Tenant not found.");
            const { code, stdout, stderr } = await cli(spEnv());
            assert.deepEqual([code, stdout], [1, ""]);
            assert.match(stderr, /^error: Entra ID refused to sign in client .* \(AADSTS90002\)/);
        });

        it("prints the validation error and exits 2 on a bad environment", async () => {
            const { code, stderr } = await cli(spEnv({ PROBE_MODE: "password" }));
            assert.deepEqual(
                [code, stderr],
                [2, 'error: PROBE_MODE must be servicePrincipal or workloadIdentity; got "password"\n'],
            );
        });
    });
});
