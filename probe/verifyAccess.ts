// Access probe run by `pulumi up` (a local.Command) before the ExternalSecrets are created: it signs in as ESO's
// identity and polls Key Vault until that identity can really read every object. Azure RBAC takes up to ~10
// minutes to apply, and an ExternalSecret created before that waits out ESO's exponential backoff (up to ~931 s).
//
//   node --require ./loader.cjs probe/verifyAccess.ts      (configured only by PROBE_* environment variables)
//
// Exit codes: 0 verified or skipped (one JSON line on stdout); 1 the probe failed; 2 invalid environment.
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export interface ServicePrincipalAuth {
    mode: "servicePrincipal";
    clientSecret: string;
}

export interface WorkloadIdentityAuth {
    mode: "workloadIdentity";
    namespace: string;
    serviceAccount: string;
    /** A kubeconfig file, or kubeconfig contents (written to a private temp file while the probe runs). */
    kubeconfig?: { path: string } | { contents: string };
    kubeContext?: string;
}

export interface ProbeOptions {
    /** Data-plane URL, ending with `/`. */
    vaultUrl: string;
    /** Object references as ESO writes them: `name`, `secret/name`, `cert/name`, `key/name`, or `*` (list). */
    objects: string[];
    tenantId: string;
    clientId: string;
    /** Entra ID authority host, ending with `/`. */
    authority: string;
    scope: string;
    auth: ServicePrincipalAuth | WorkloadIdentityAuth;
    timeoutSeconds: number;
    intervalSeconds: number;
}

export interface ProbeIo {
    sleep(ms: number): Promise<void>;
    now(): number;
    /** One progress line for stderr. */
    log(line: string): void;
    fetch: typeof fetch;
}

export interface ProbeResult {
    result: "verified" | "skipped";
    objects: number;
    elapsedSeconds: number;
    /** When the probe finished (ISO 8601): a new value each run, which the ExternalSecrets carry as `force-sync`. */
    verifiedAt: string;
    reason?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OBJECT_REF = /^(?:(secret|cert|key)\/)?([a-zA-Z0-9-]{1,127})$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE_ACCOUNT = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const API_VERSION = "7.4";
const TOKEN_AUDIENCE = "api://AzureADTokenExchange";
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
const SERVICE_ACCOUNT_TOKEN_MAX_AGE_MS = 5 * 60_000;
const LOG_EVERY_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KUBECTL_TIMEOUT_MS = 60_000;
// Entra ID errors that a just-created app, secret or federated credential causes until it has replicated.
const RETRYABLE_AADSTS = new Set(["700016", "7000215", "70021", "700213"]);
const NETWORK_REFUSALS = new Set(["ForbiddenByFirewall", "ForbiddenByConnection"]);

function fail(variable: string, value: string | undefined, rule: string): never {
    const shown = value === undefined ? "it is not set" : `got ${JSON.stringify(truncate(value, 200))}`;
    throw new Error(`${variable} ${rule}; ${shown}`);
}

function truncate(text: string, max: number): string {
    return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** Unset and empty are the same: the Command resource passes empty strings for options left out. */
function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
}

function required(env: NodeJS.ProcessEnv, name: string, rule: string): string {
    return optional(env, name) ?? fail(name, undefined, rule);
}

/** A URL ending with `/`; plain http only for a local test server. */
function baseUrl(env: NodeJS.ProcessEnv, name: string, example: string): string {
    const rule = `must be an https URL without query or credentials (http only for 127.0.0.1 or localhost), e.g. ${example}`;
    const value = required(env, name, rule);
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return fail(name, value, rule);
    }
    const local = url.hostname === "127.0.0.1" || url.hostname === "localhost";
    const schemeOk = url.protocol === "https:" || (url.protocol === "http:" && local);
    if (!schemeOk || url.search || url.hash || url.username || url.password) fail(name, value, rule);
    if (!url.pathname.endsWith("/")) url.pathname += "/";
    return url.href;
}

/** Parses and validates the probe's environment; errors name the variable, the value (never a secret) and the rule. */
export function optionsFromEnv(env: NodeJS.ProcessEnv): ProbeOptions {
    const vaultUrl = baseUrl(env, "PROBE_VAULT_URL", "https://kv-x.vault.azure.net/");
    const objectsRule =
        'must be a non-empty JSON array of Key Vault object references: "name", "secret/name", "cert/name", ' +
        '"key/name" (names of 1-127 letters, digits and hyphens) or "*" (list secrets)';
    const rawObjects = required(env, "PROBE_OBJECTS", objectsRule);
    let objects: unknown;
    try {
        objects = JSON.parse(rawObjects);
    } catch {
        return fail("PROBE_OBJECTS", rawObjects, objectsRule);
    }
    if (!Array.isArray(objects) || objects.length === 0) return fail("PROBE_OBJECTS", rawObjects, objectsRule);
    for (const ref of objects) {
        if (typeof ref !== "string" || (ref !== "*" && !OBJECT_REF.test(ref))) {
            fail("PROBE_OBJECTS", rawObjects, `${objectsRule}, and ${JSON.stringify(ref)} is none of them`);
        }
    }
    const guidRule = "must be a GUID, e.g. 11111111-1111-4111-a111-111111111111";
    const tenantId = required(env, "PROBE_TENANT_ID", guidRule);
    if (!GUID.test(tenantId)) fail("PROBE_TENANT_ID", tenantId, guidRule);
    const clientId = required(env, "PROBE_CLIENT_ID", guidRule);
    if (!GUID.test(clientId)) fail("PROBE_CLIENT_ID", clientId, guidRule);
    const authority = baseUrl(env, "PROBE_AUTHORITY", "https://login.microsoftonline.com/");
    // The client-credentials grant only accepts a resource's `.default` scope.
    const scopeRule = "must be a resource's .default scope, e.g. https://vault.azure.net/.default";
    const scope = required(env, "PROBE_SCOPE", scopeRule);
    if (!/^\S+\/\.default$/.test(scope)) fail("PROBE_SCOPE", scope, scopeRule);

    const modeRule = "must be servicePrincipal or workloadIdentity";
    const mode = required(env, "PROBE_MODE", modeRule);
    let auth: ServicePrincipalAuth | WorkloadIdentityAuth;
    if (mode === "servicePrincipal") {
        const clientSecret = optional(env, "PROBE_CLIENT_SECRET");
        if (clientSecret === undefined) {
            throw new Error("PROBE_CLIENT_SECRET is required when PROBE_MODE is servicePrincipal; it is not set");
        }
        auth = { mode, clientSecret };
    } else if (mode === "workloadIdentity") {
        const saRule =
            "must be <namespace>/<service account name> (lowercase letters, digits and hyphens), e.g. external-secrets/external-secrets";
        const sa = required(env, "PROBE_SERVICE_ACCOUNT", saRule);
        const [namespace = "", serviceAccount = "", ...rest] = sa.split("/");
        if (rest.length > 0 || !NAMESPACE.test(namespace) || !SERVICE_ACCOUNT.test(serviceAccount)) {
            fail("PROBE_SERVICE_ACCOUNT", sa, saRule);
        }
        auth = { mode, namespace, serviceAccount };
        const kubeconfig = optional(env, "PROBE_KUBECONFIG");
        if (kubeconfig !== undefined) {
            auth.kubeconfig = isFile(kubeconfig) ? { path: kubeconfig } : { contents: kubeconfig };
        }
        const kubeContext = optional(env, "PROBE_KUBE_CONTEXT");
        if (kubeContext !== undefined) auth.kubeContext = kubeContext;
    } else {
        return fail("PROBE_MODE", mode, modeRule);
    }

    const timeoutRule = "must be a whole number of seconds from 1 to 7200";
    const rawTimeout = optional(env, "PROBE_TIMEOUT_SECONDS");
    const timeoutSeconds = rawTimeout === undefined ? 1200 : Number(rawTimeout);
    if (rawTimeout !== undefined && (!/^\d+$/.test(rawTimeout) || timeoutSeconds < 1 || timeoutSeconds > 7200)) {
        fail("PROBE_TIMEOUT_SECONDS", rawTimeout, timeoutRule);
    }
    const intervalRule = "must be a number of seconds greater than 0, e.g. 5 or 0.5";
    const rawInterval = optional(env, "PROBE_INTERVAL_SECONDS");
    const intervalSeconds = rawInterval === undefined ? 5 : Number(rawInterval);
    if (rawInterval !== undefined && !(/^(\d+\.?\d*|\.\d+)$/.test(rawInterval) && intervalSeconds > 0)) {
        fail("PROBE_INTERVAL_SECONDS", rawInterval, intervalRule);
    }

    return {
        vaultUrl,
        objects: objects as string[],
        tenantId,
        clientId,
        authority,
        scope,
        auth,
        timeoutSeconds,
        intervalSeconds,
    };
}

function isFile(candidate: string): boolean {
    try {
        return statSync(candidate, { throwIfNoEntry: false })?.isFile() ?? false;
    } catch {
        // Kubeconfig contents are no valid path (too long, NUL bytes): they are contents, not a file.
        return false;
    }
}

type Kind = "secret" | "cert" | "key" | "list";

interface VaultObject {
    /** How messages name it: the reference as given. */
    ref: string;
    kind: Kind;
    name: string;
    url: string;
}

const COLLECTION: Record<Kind, string> = { secret: "secrets", cert: "certificates", key: "keys", list: "secrets" };

function withSlash(url: string): string {
    return url.endsWith("/") ? url : `${url}/`;
}

function vaultObject(vaultUrl: string, ref: string): VaultObject {
    const base = withSlash(vaultUrl);
    if (ref === "*") {
        const url = new URL("secrets", base);
        url.searchParams.set("api-version", API_VERSION);
        url.searchParams.set("maxresults", "1");
        return { ref, kind: "list", name: "*", url: url.href };
    }
    const match = OBJECT_REF.exec(ref);
    if (!match) throw new Error(`invalid Key Vault object reference ${JSON.stringify(ref)}`);
    const kind = (match[1] ?? "secret") as Kind;
    const name = match[2] as string;
    const url = new URL(`${COLLECTION[kind]}/${encodeURIComponent(name)}`, base);
    url.searchParams.set("api-version", API_VERSION);
    return { ref, kind, name, url: url.href };
}

/** Why a request did not verify an object: `code` is what logs and the final error name. */
interface Refusal {
    code: string;
    status?: number;
    /** Full sentence for the final error, e.g. "Key Vault answered 403 ForbiddenByRbac: Caller is not ...". */
    detail: string;
}

type Check =
    | { outcome: "verified" }
    | { outcome: "missing" }
    | { outcome: "retry"; refusal: Refusal }
    | { outcome: "noNetworkPath"; code: string };

type TokenAttempt = { ok: true; token: string } | { ok: false; refusal: Refusal };

/** The probe cannot run at all (kubectl missing); the caller turns it into a `skipped` result. */
class ProbeSkipped extends Error {}

function oneLine(text: string, max = 300): string {
    return truncate(text.replace(/\s+/g, " ").trim(), max);
}

function networkCode(error: unknown): string {
    const e = error as { name?: string; code?: string; cause?: { code?: string } };
    return e.cause?.code ?? e.code ?? e.name ?? "network error";
}

function networkMessage(error: unknown): string {
    const e = error as { message?: string; cause?: { message?: string } };
    return oneLine(e.cause?.message ?? e.message ?? String(error));
}

async function jsonBody(response: Response): Promise<unknown> {
    try {
        return JSON.parse(await response.text());
    } catch {
        return undefined;
    }
}

/** What must never reach a log or an error: the client secret, kubeconfig contents and their credentials. */
function secretValues(options: ProbeOptions): string[] {
    const auth = options.auth;
    if (auth.mode === "servicePrincipal") return [auth.clientSecret];
    if (!auth.kubeconfig || !("contents" in auth.kubeconfig)) return [];
    const contents = auth.kubeconfig.contents;
    const credentials = contents.matchAll(
        /^\s*(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token):\s*["']?([^\s"']+)/gm,
    );
    return [contents, ...[...credentials].map((m) => m[1] as string)];
}

/** Signs in and polls Key Vault until ESO's identity can read every object, or the timeout passes. */
export async function verifyAccess(options: ProbeOptions, io: Partial<ProbeIo> = {}): Promise<ProbeResult> {
    const sleep = io.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
    const now = io.now ?? Date.now;
    const fetchFn = io.fetch ?? fetch;
    const secrets = secretValues(options);
    // Every line and message leaves through here, so a secret echoed back by a server never reaches a log.
    const redact = (text: string): string =>
        secrets.reduce((out, secret) => (secret ? out.split(secret).join("[redacted]") : out), text);
    const log = (line: string): void => (io.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(redact(line));

    const byUrl = new Map<string, VaultObject>();
    for (const ref of options.objects) {
        const object = vaultObject(options.vaultUrl, ref);
        if (!byUrl.has(object.url)) byUrl.set(object.url, object);
    }
    const objects = [...byUrl.values()];
    const start = now();
    const elapsedSeconds = (): number => Math.round((now() - start) / 1000);

    let kubeconfigDir: string | undefined;
    try {
        let kubeconfigPath: string | undefined;
        const auth = options.auth;
        if (auth.mode === "workloadIdentity" && auth.kubeconfig) {
            if ("path" in auth.kubeconfig) {
                kubeconfigPath = auth.kubeconfig.path;
            } else {
                kubeconfigDir = await mkdtemp(path.join(tmpdir(), "eso-probe-"));
                kubeconfigPath = path.join(kubeconfigDir, "kubeconfig");
                await writeFile(kubeconfigPath, auth.kubeconfig.contents, { mode: 0o600, flag: "wx" });
            }
        }
        const signIn = tokenSource(options, fetchFn, now, secrets, kubeconfigPath);
        return await poll(options, objects, { sleep, now, log, fetch: fetchFn }, signIn, start, elapsedSeconds);
    } catch (e) {
        if (e instanceof ProbeSkipped) {
            const reason = redact(e.message);
            log(`skipped: ${reason}`);
            return {
                result: "skipped",
                objects: objects.length,
                elapsedSeconds: elapsedSeconds(),
                verifiedAt: new Date(now()).toISOString(),
                reason,
            };
        }
        throw e instanceof Error ? new Error(redact(e.message)) : e;
    } finally {
        if (kubeconfigDir) await rm(kubeconfigDir, { recursive: true, force: true });
    }
}

async function poll(
    options: ProbeOptions,
    objects: VaultObject[],
    io: ProbeIo,
    signIn: { token(): Promise<TokenAttempt>; invalidate(): void },
    start: number,
    elapsedSeconds: () => number,
): Promise<ProbeResult> {
    const deadline = start + options.timeoutSeconds * 1000;
    const pending = new Map(objects.map((o) => [o.url, o]));
    const missing: VaultObject[] = [];
    const lastRefusal = new Map<string, Refusal>();
    let lastError: Refusal | undefined;
    let lastLog: number | undefined;

    for (;;) {
        const attempt = await signIn.token();
        if (!attempt.ok) {
            lastError = attempt.refusal;
            for (const object of pending.values()) lastRefusal.set(object.url, attempt.refusal);
        } else {
            for (const object of [...pending.values()]) {
                const check = await checkObject(object, attempt.token, io.fetch);
                if (check.outcome === "noNetworkPath") {
                    throw new ProbeSkipped(
                        `Key Vault refused this machine's network (${check.code}): the deployer has no network path ` +
                            "to the vault, so access cannot be checked from here; pulumi up goes on and ESO's own " +
                            "retries apply until Azure RBAC has applied",
                    );
                }
                if (check.outcome === "retry") {
                    lastError = check.refusal;
                    lastRefusal.set(object.url, check.refusal);
                    // Key Vault rejects the token itself: sign in afresh next round.
                    if (check.refusal.status === 401) signIn.invalidate();
                    continue;
                }
                pending.delete(object.url);
                if (check.outcome === "missing") missing.push(object);
            }
        }
        if (pending.size === 0) break;

        const time = io.now();
        if (lastLog === undefined || time - lastLog >= LOG_EVERY_MS) {
            lastLog = time;
            io.log(waitingLine(attempt, pending, objects.length, lastRefusal, elapsedSeconds()));
        }
        if (time >= deadline) {
            throw new Error(
                timeoutMessage(options, [...pending.values()], objects.length, lastError, missing, time - start),
            );
        }
        await io.sleep(Math.min(options.intervalSeconds * 1000, deadline - time));
    }
    if (missing.length > 0) throw new Error(missingMessage(options.vaultUrl, missing));
    return {
        result: "verified",
        objects: objects.length,
        elapsedSeconds: elapsedSeconds(),
        verifiedAt: new Date(io.now()).toISOString(),
    };
}

function waitingLine(
    attempt: TokenAttempt,
    pending: Map<string, VaultObject>,
    total: number,
    lastRefusal: Map<string, Refusal>,
    elapsed: number,
): string {
    if (!attempt.ok) {
        return `still waiting: the token endpoint refused the sign-in (${attempt.refusal.code}), ${elapsed} s elapsed`;
    }
    const codes = new Set([...pending.keys()].map((url) => lastRefusal.get(url)?.code ?? "unknown"));
    return `still waiting: ${pending.size} of ${total} objects refused (${[...codes].join(", ")}), ${elapsed} s elapsed`;
}

function label(object: VaultObject): string {
    return object.kind === "list" ? "* (list secrets)" : object.ref;
}

function timeoutMessage(
    options: ProbeOptions,
    refused: VaultObject[],
    total: number,
    lastError: Refusal | undefined,
    missing: VaultObject[],
    waitedMs: number,
): string {
    const lines = [
        `${refused.length} of ${total} Key Vault objects still refused after ${Math.round(waitedMs / 1000)} s ` +
            `(PROBE_TIMEOUT_SECONDS=${options.timeoutSeconds}): ${refused.map(label).join(", ")}.`,
        `Last error: ${lastError?.detail.replace(/\.$/, "") ?? "none"}.`,
        `Check that a role assignment grants the principal of client ${options.clientId} read access ` +
            "(Key Vault Secrets User for secrets, Key Vault Reader for cert/ and key/) with a scope that covers the " +
            "vault or these objects. Azure RBAC can take up to 10 minutes to apply.",
    ];
    if (options.auth.mode === "workloadIdentity") {
        lines.push(
            "For workload identity, the federated credential's issuer and subject must match the cluster's OIDC " +
                `issuer and system:serviceaccount:${options.auth.namespace}:${options.auth.serviceAccount} exactly ` +
                "(AADSTS70021 otherwise).",
        );
    }
    if (missing.length > 0) lines.push(missingMessage(options.vaultUrl, missing));
    return lines.join(" ");
}

function missingMessage(vaultUrl: string, missing: VaultObject[]): string {
    const host = new URL(vaultUrl).hostname;
    const vault = /^[a-z]/i.test(host) ? (host.split(".")[0] as string) : "<vault>";
    const example = missing.find((o) => o.kind === "secret")?.name ?? "<name>";
    const noun: Record<Kind, string> = { secret: "secret", cert: "certificate", key: "key", list: "secrets" };
    const names = missing.map((o) => `${noun[o.kind]} ${o.name}`).join(", ");
    return (
        `Key Vault ${vaultUrl} has no ${names}: ESO cannot sync an object that does not ` +
        "exist. Create them before pulumi up: list secrets in the stack's seededSecrets, or run " +
        `az keyvault secret set --vault-name ${vault} --name ${example} --value <value> ` +
        "(az keyvault certificate import / az keyvault key create for cert/ and key/)."
    );
}

async function checkObject(object: VaultObject, token: string, fetchFn: typeof fetch): Promise<Check> {
    let response: Response;
    try {
        response = await fetchFn(object.url, {
            headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
            signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
    } catch (e) {
        const code = networkCode(e);
        return { outcome: "retry", refusal: { code, detail: `Key Vault unreachable (${code}): ${networkMessage(e)}` } };
    }
    if (response.ok) {
        // The body holds the secret's value: drop it unread.
        await response.body?.cancel().catch(() => undefined);
        return { outcome: "verified" };
    }
    const body = (await jsonBody(response)) as
        { error?: { code?: string; message?: string; innererror?: { code?: string } } } | undefined;
    const error = body?.error;
    const code = error?.innererror?.code ?? error?.code ?? `HTTP ${response.status}`;
    const message = oneLine(error?.message ?? response.statusText);
    const refusal = {
        code,
        status: response.status,
        detail: `Key Vault answered ${response.status} ${code}: ${message}`,
    };
    if (response.status === 404 && object.kind !== "list") return { outcome: "missing" };
    const noNetworkPath =
        NETWORK_REFUSALS.has(error?.innererror?.code ?? "") ||
        /client address is not authorized|public network access is disabled/i.test(message);
    if (response.status === 403 && noNetworkPath) return { outcome: "noNetworkPath", code };
    // 401, other 403s (ForbiddenByRbac), 429, 5xx and anything unexpected: RBAC may not have applied yet.
    return { outcome: "retry", refusal };
}

/** Entra ID tokens for ESO's identity, cached until 5 minutes before they expire. */
function tokenSource(
    options: ProbeOptions,
    fetchFn: typeof fetch,
    now: () => number,
    secrets: string[],
    kubeconfigPath: string | undefined,
): { token(): Promise<TokenAttempt>; invalidate(): void } {
    const tokenUrl = new URL(`${encodeURIComponent(options.tenantId)}/oauth2/v2.0/token`, withSlash(options.authority))
        .href;
    let cached: { token: string; refreshAt: number } | undefined;
    let assertion: { token: string; issuedAt: number } | undefined;

    async function form(): Promise<URLSearchParams> {
        const params = new URLSearchParams({
            grant_type: "client_credentials",
            client_id: options.clientId,
            scope: options.scope,
        });
        const auth = options.auth;
        if (auth.mode === "servicePrincipal") {
            params.set("client_secret", auth.clientSecret);
            return params;
        }
        if (!assertion || now() - assertion.issuedAt >= SERVICE_ACCOUNT_TOKEN_MAX_AGE_MS) {
            const token = await serviceAccountToken(auth, kubeconfigPath);
            secrets.push(token);
            assertion = { token, issuedAt: now() };
        }
        params.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        params.set("client_assertion", assertion.token);
        return params;
    }

    async function token(): Promise<TokenAttempt> {
        if (cached && now() < cached.refreshAt) return { ok: true, token: cached.token };
        const body = await form();
        let response: Response;
        try {
            response = await fetchFn(tokenUrl, {
                method: "POST",
                headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
                body: body.toString(),
                signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
        } catch (e) {
            const code = networkCode(e);
            return {
                ok: false,
                refusal: { code, detail: `token endpoint ${tokenUrl} unreachable (${code}): ${networkMessage(e)}` },
            };
        }
        const json = (await jsonBody(response)) as
            | { access_token?: string; expires_in?: number | string; error?: string; error_description?: string }
            | undefined;
        if (response.ok && typeof json?.access_token === "string" && json.access_token) {
            secrets.push(json.access_token);
            const lifetimeMs = Number(json.expires_in ?? 0) * 1000;
            cached = { token: json.access_token, refreshAt: now() + lifetimeMs - TOKEN_REFRESH_MARGIN_MS };
            return { ok: true, token: json.access_token };
        }
        const description = oneLine(json?.error_description ?? response.statusText, 500);
        const aadsts = /AADSTS(\d+)/.exec(description)?.[1];
        const code = aadsts ? `AADSTS${aadsts}` : (json?.error ?? `HTTP ${response.status}`);
        const detail = `the token endpoint answered ${response.status}${json?.error ? ` ${json.error}` : ""}: ${description}`;
        const retryable =
            response.ok || // 200 without a token: a proxy or a hiccup, not a verdict on the identity.
            response.status === 429 ||
            response.status >= 500 ||
            (aadsts !== undefined && RETRYABLE_AADSTS.has(aadsts));
        if (!retryable) {
            throw new Error(
                `Entra ID refused to sign in client ${options.clientId} in tenant ${options.tenantId} ` +
                    `(${code}): ${detail}. Check PROBE_TENANT_ID, PROBE_CLIENT_ID, PROBE_AUTHORITY and PROBE_SCOPE.`,
            );
        }
        return { ok: false, refusal: { code, detail } };
    }

    return { token, invalidate: () => (cached = undefined) };
}

/** A token of the Kubernetes service account ESO runs as, for the federated client-assertion grant. */
function serviceAccountToken(auth: WorkloadIdentityAuth, kubeconfigPath: string | undefined): Promise<string> {
    const args = ["create", "token", auth.serviceAccount, "-n", auth.namespace, "--audience", TOKEN_AUDIENCE];
    args.push("--duration", "10m");
    if (kubeconfigPath) args.push("--kubeconfig", kubeconfigPath);
    if (auth.kubeContext) args.push("--context", auth.kubeContext);
    // kubectl needs HOME, PATH and KUBECONFIG, but not the probe's own variables (a client secret, kubeconfig contents).
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("PROBE_")));
    return new Promise((resolve, reject) => {
        const child = spawn("kubectl", args, { env, stdio: ["ignore", "pipe", "pipe"] });
        // Not spawn's own `timeout`: its timer outlives a kubectl that never started (ENOENT) by a minute.
        let timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill();
        }, KUBECTL_TIMEOUT_MS);
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", (e: NodeJS.ErrnoException) => {
            clearTimeout(timer);
            if (e.code === "ENOENT") {
                reject(
                    new ProbeSkipped(
                        "kubectl was not found on PATH, so the probe cannot get a service account token for workload " +
                            "identity; pulumi up goes on and relies on ESO's own retries until Azure RBAC has applied",
                    ),
                );
            } else {
                reject(new Error(`could not run kubectl: ${e.message}`));
            }
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const token = Buffer.concat(stdout).toString("utf8").trim();
            if (code === 0 && token) return resolve(token);
            const hint =
                auth.kubeconfig && "contents" in auth.kubeconfig && !auth.kubeconfig.contents.includes("\n")
                    ? " (PROBE_KUBECONFIG names no existing file, so it was used as kubeconfig contents)"
                    : "";
            const why = timedOut
                ? `did not finish within ${KUBECTL_TIMEOUT_MS / 1000} s`
                : code === 0
                  ? "printed no token"
                  : `exited ${signal ?? code}`;
            reject(
                new Error(
                    `kubectl create token ${auth.serviceAccount} -n ${auth.namespace} ${why}: ` +
                        `${oneLine(Buffer.concat(stderr).toString("utf8"), 500) || "no error output"}${hint}. ` +
                        "Check PROBE_SERVICE_ACCOUNT, PROBE_KUBECONFIG and PROBE_KUBE_CONTEXT.",
                ),
            );
        });
    });
}

async function main(env: NodeJS.ProcessEnv): Promise<number> {
    let options: ProbeOptions;
    try {
        options = optionsFromEnv(env);
    } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        return 2;
    }
    try {
        const result = await verifyAccess(options);
        console.log(JSON.stringify(result));
        return 0;
    } catch (e) {
        console.error(`error: ${(e as Error).message}`);
        return 1;
    }
}

if (require.main === module) {
    // Exit codes are set, not forced: process.exit() would drop output still queued on a piped stdout.
    void main(process.env).then((code) => (process.exitCode = code));
}
