// How a store signs in (components/storeSignIn.ts) and the access check that proves it can read
// (components/accessCheck.ts), each built alone on the simulated cloud.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";
import { Release } from "@pulumi/kubernetes/helm/v3";
import {
    AccessCheck,
    ACCESS_CHECK_COMMAND,
    checkOf,
    type EsoAuth,
    EsoIdentity,
    objectGrants,
    sharedStore,
    type StoreContext,
    storeRefOf,
    storeSignIn,
    Tenant,
    verificationOf,
} from "../components";
import type { SimulatedCloud, RecordedResource } from "../plan/simulatedCloud";
import {
    CLIENT_CONFIG,
    inputsOf,
    ISSUER,
    isSecretInput,
    only,
    registeredOutputsOf,
    startCloud,
    TYPES,
    unwrap,
} from "./mocks";

const VAULT_ID =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test";
const VAULT_URL = "https://kv-test.vault.azure.net/";

const SERVICE_PRINCIPAL: EsoAuth = {
    mode: "servicePrincipal",
    displayName: "eso",
    passwordSlot: "a",
    passwordLifetimeDays: 30,
    credentialSecret: { name: "azure-secret-sp", clientIdKey: "ClientID", clientSecretKey: "ClientSecret" },
};
const WORKLOAD_IDENTITY: EsoAuth = {
    mode: "workloadIdentity",
    displayName: "eso",
    oidcIssuerUrl: ISSUER,
    serviceAccountName: "team-a-eso",
};

function identityFor(auth: EsoAuth): EsoIdentity {
    return new EsoIdentity("eso", {
        auth,
        serviceAccounts: auth.mode === "workloadIdentity" ? [{ namespace: "team-a", name: "team-a-eso" }] : [],
        deployer: CLIENT_CONFIG.objectId,
        subscriptionId: CLIENT_CONFIG.subscriptionId,
        grants: objectGrants(VAULT_ID, { secrets: ["db"], certificates: [], keys: [] }),
    });
}

function operator() {
    const release = new Release("eso-release", {
        name: "external-secrets",
        chart: "external-secrets",
        namespace: "external-secrets",
    });
    return { servingNamespace: pulumi.output("external-secrets"), release };
}

/** The context every store of these tests shares: the vault, ESO's namespace and `operator`, a 600 s wait. */
function storeContext(
    op: { readonly servingNamespace: pulumi.Output<string>; readonly release: pulumi.CustomResource },
    extra: Partial<StoreContext> = {},
): StoreContext {
    return {
        vaultUrl: VAULT_URL,
        cloud: "PublicCloud",
        tenantId: CLIENT_CONFIG.tenantId,
        operator: { namespaceName: "external-secrets", namespace: pulumi.output("external-secrets"), ...op },
        readyTimeoutSeconds: 600,
        ...extra,
    };
}

const NAMES = { credentials: "team-a-credentials", serviceAccount: "team-a-account", check: "team-a-check" };

/** The access check's command, with its environment as the probe reads it. */
function probeOf(cloud: SimulatedCloud): { command: RecordedResource; env: Record<string, string> } {
    const command = only(cloud, TYPES.command);
    return { command, env: inputsOf(command).environment as Record<string, string> };
}

describe("AccessCheck", () => {
    it("reads the probe's one-line report as <result>-<verifiedAt>, and any other output as its trimmed text", () => {
        assert.equal(
            verificationOf('{"result":"verified","objects":2,"verifiedAt":"2026-12-01T10:00:00Z"}\n'),
            "verified-2026-12-01T10:00:00Z",
        );
        assert.equal(verificationOf("  skipped: kubectl is not on PATH\n"), "skipped: kubectl is not on PATH");
    });

    it("runs again when a resource it waits for is replaced, and waits for every one, components too", async () => {
        const cloud = await startCloud();
        const role = new core.ConfigMap("role", { metadata: { name: "role", namespace: "ns" } });
        const grouping = new pulumi.ComponentResource("test:index:Grants", "grants");
        new core.ConfigMap("federation", { metadata: { name: "federation", namespace: "ns" } }, { parent: grouping });
        const check = new AccessCheck("check", {
            identity: { mode: "servicePrincipal", tenantId: "t", clientId: "c", clientSecret: "s3cret" },
            vaultUrl: VAULT_URL,
            cloud: "PublicCloud",
            objects: ["db"],
            after: [role, grouping],
            timeoutSeconds: 600,
        });
        await cloud.settle();
        const { command, env } = probeOf(cloud);
        assert.equal(inputsOf(command).create, ACCESS_CHECK_COMMAND);
        assert.deepEqual(inputsOf(command).triggers, ["ns/role", ""]);
        const federation = only(cloud, "kubernetes:core/v1:ConfigMap", "federation");
        // Waiting for a component is waiting for each resource in it.
        assert.deepEqual(command.dependencies, [
            only(cloud, "kubernetes:core/v1:ConfigMap", "role").urn,
            federation.urn,
        ]);
        assert.equal(env.PROBE_TIMEOUT_SECONDS, "600");
        assert.ok(isSecretInput(command, "environment.PROBE_CLIENT_SECRET"));
        assert.equal(await unwrap(check.verification), "verified-simulated");
        assert.deepEqual(registeredOutputsOf(only(cloud, "eso-keyvault:identity:AccessCheck")), {
            verification: "verified-simulated",
        });
    });

    it("passes a workload identity's kubeconfig and context only when they are given", async () => {
        const args = (extra: { kubeconfig?: string; context?: string }) => ({
            identity: {
                mode: "workloadIdentity" as const,
                tenantId: "t",
                clientId: "c",
                serviceAccount: { namespace: "team-a", name: "team-a-eso" },
                ...extra,
            },
            vaultUrl: VAULT_URL,
            cloud: "PublicCloud" as const,
            objects: ["db"],
            after: [],
            timeoutSeconds: 600,
        });
        let cloud = await startCloud();
        new AccessCheck("check", args({}));
        await cloud.settle();
        let { env } = probeOf(cloud);
        assert.equal(env.PROBE_SERVICE_ACCOUNT, "team-a/team-a-eso");
        assert.deepEqual(
            Object.keys(env).filter((key) => key.startsWith("PROBE_KUBE")),
            [],
        );

        cloud = await startCloud();
        new AccessCheck("check", args({ kubeconfig: "apiVersion: v1\nkind: Config\n", context: "aks-admin" }));
        await cloud.settle();
        const probe = probeOf(cloud);
        env = probe.env;
        assert.equal(env.PROBE_KUBECONFIG, "apiVersion: v1\nkind: Config\n");
        assert.ok(isSecretInput(probe.command, "environment.PROBE_KUBECONFIG"));
        assert.equal(env.PROBE_KUBE_CONTEXT, "aks-admin");
    });
});

describe("checkOf", () => {
    // No release: checkOf only reads the context.
    const context = (extra: Partial<StoreContext> = {}): StoreContext =>
        storeContext(
            {
                servingNamespace: pulumi.output("external-secrets"),
                release: undefined as unknown as pulumi.CustomResource,
            },
            { readyTimeoutSeconds: 900, ...extra },
        );

    it("checks the references as they are, with the ambient kubeconfig, when the stack creates none of them", () => {
        const check = checkOf(context(), ["db", "cert/tls"]);
        assert.deepEqual(check.objects, ["db", "cert/tls"]);
        assert.equal(check.kubeconfig, undefined);
        assert.equal(check.context, undefined);
        assert.equal(check.timeoutSeconds, 900);
    });

    it("waits for what the stack creates, and reaches the cluster as the stack does", () => {
        const check = checkOf(
            context({
                reference: (object) => `${object}@created`,
                kubernetes: { kubeconfig: "/home/ci/.kube/config", context: "aks" },
            }),
            ["db"],
        );
        assert.deepEqual(check.objects, ["db@created"]);
        assert.equal(check.kubeconfig, "/home/ci/.kube/config");
        assert.equal(check.context, "aks");
    });
});

describe("storeSignIn", () => {
    const check = { vaultUrl: VAULT_URL, cloud: "PublicCloud" as const, objects: ["db"], timeoutSeconds: 600 };

    it("refuses a store whose mode is not its identity's", async () => {
        await startCloud();
        const identity = identityFor(SERVICE_PRINCIPAL);
        assert.throws(
            () =>
                storeSignIn(
                    NAMES,
                    { identity, auth: WORKLOAD_IDENTITY, tenantId: "t", namespace: "team-a", operator: operator() },
                    {},
                ),
            { message: "a workloadIdentity store cannot sign in as a servicePrincipal identity" },
        );
    });

    it("signs a workload identity in through an annotated service account of its own, and no credential Secret", async () => {
        const cloud = await startCloud();
        const identity = identityFor(WORKLOAD_IDENTITY);
        const signIn = storeSignIn(
            NAMES,
            {
                identity,
                auth: WORKLOAD_IDENTITY,
                tenantId: CLIENT_CONFIG.tenantId,
                namespace: "team-a",
                operator: operator(),
                check: { ...check, kubeconfig: "/home/ci/.kube/config", context: "aks" },
            },
            {},
        );
        await cloud.settle();
        assert.equal(cloud.ofType(TYPES.secret).length, 0);
        const account = only(cloud, TYPES.serviceAccount);
        assert.equal(account.name, "team-a-account");
        assert.deepEqual(inputsOf(account).metadata.annotations, {
            "azure.workload.identity/client-id": await unwrap(identity.clientId),
            "azure.workload.identity/tenant-id": CLIENT_CONFIG.tenantId,
        });
        assert.equal(signIn.auth.type, "workloadIdentity");
        const { command, env } = probeOf(cloud);
        assert.equal(command.name, "team-a-check-probe");
        assert.equal(env.PROBE_MODE, "workloadIdentity");
        assert.equal(env.PROBE_SERVICE_ACCOUNT, "team-a/team-a-eso");
        assert.equal(env.PROBE_KUBECONFIG, "/home/ci/.kube/config");
        assert.equal(env.PROBE_KUBE_CONTEXT, "aks");
        // Checked again when the federated credential, the release or the service account is replaced.
        const triggers = inputsOf(command).triggers as string[];
        assert.ok(triggers.includes("external-secrets/external-secrets"), triggers.join(", "));
        assert.ok(triggers.includes("team-a/team-a-eso"), triggers.join(", "));
        assert.equal(await unwrap(signIn.verification as pulumi.Output<string>), "verified-simulated");
    });

    it("checks nothing when no ExternalSecret reads through the store", async () => {
        for (const [auth, checked] of [
            [WORKLOAD_IDENTITY, undefined],
            [WORKLOAD_IDENTITY, { ...check, objects: [] }],
            [SERVICE_PRINCIPAL, undefined],
            [SERVICE_PRINCIPAL, { ...check, objects: [] }],
        ] as const) {
            const cloud = await startCloud();
            const signIn = storeSignIn(
                NAMES,
                {
                    identity: identityFor(auth),
                    auth,
                    tenantId: "t",
                    namespace: "team-a",
                    operator: operator(),
                    check: checked,
                },
                {},
            );
            await cloud.settle();
            assert.equal(cloud.ofType(TYPES.command).length, 0, `${auth.mode} with ${JSON.stringify(checked)}`);
            assert.equal(signIn.verification, undefined);
        }
    });

    it("signs a service principal in through its credential Secret, checked with its client secret", async () => {
        const cloud = await startCloud();
        const signIn = storeSignIn(
            NAMES,
            {
                identity: identityFor(SERVICE_PRINCIPAL),
                auth: SERVICE_PRINCIPAL,
                tenantId: "t",
                namespace: "team-a",
                operator: operator(),
                check,
            },
            {},
        );
        await cloud.settle();
        assert.equal(cloud.ofType(TYPES.serviceAccount).length, 0);
        assert.equal(inputsOf(only(cloud, TYPES.secret)).metadata.name, "azure-secret-sp");
        assert.equal(signIn.auth.type, "servicePrincipal");
        const { command, env } = probeOf(cloud);
        assert.equal(env.PROBE_MODE, "servicePrincipal");
        assert.ok(isSecretInput(command, "environment.PROBE_CLIENT_SECRET"));
    });
});

describe("storeRefOf", () => {
    const store = { kind: "ClusterSecretStore" as const, storeName: pulumi.output("shared") };

    it("names the store only once its access check has passed, and forces a sync when it passes again", async () => {
        const cloud = await startCloud();
        const grants = new core.ConfigMap("grants", { metadata: { name: "grants", namespace: "ns" } });
        const check = new AccessCheck("check", {
            identity: { mode: "servicePrincipal", tenantId: "t", clientId: "c", clientSecret: "s" },
            vaultUrl: VAULT_URL,
            cloud: "PublicCloud",
            objects: ["db"],
            after: [grants],
            timeoutSeconds: 600,
        });
        const ref = storeRefOf(store, {
            auth: { type: "managedIdentity", identityId: "id" },
            verification: check.verification,
        });
        new core.ConfigMap("reader", { metadata: { name: "reader", namespace: "ns" }, data: { store: ref.name } });
        await cloud.settle();
        const reader = only(cloud, "kubernetes:core/v1:ConfigMap", "reader");
        assert.equal(inputsOf(reader).data.store, "shared");
        assert.ok(reader.dependencies.includes(only(cloud, TYPES.command).urn), reader.dependencies.join(", "));
        assert.equal(await unwrap(ref.forceSync as pulumi.Output<string>), "verified-simulated");
    });

    it("names the store as it is when nothing checks its access", async () => {
        await startCloud();
        const ref = storeRefOf(store, { auth: { type: "managedIdentity", identityId: "id" } });
        assert.equal(ref.kind, "ClusterSecretStore");
        assert.equal(await unwrap(pulumi.output(ref.name)), "shared");
        assert.equal(ref.forceSync, undefined);
    });
});

describe("sharedStore", () => {
    it("signs in with the chart's own service account, creating none, and names the check after the sign-in", async () => {
        const cloud = await startCloud();
        const identity = identityFor({ ...WORKLOAD_IDENTITY, serviceAccountName: "external-secrets" } as EsoAuth);
        const { ref } = sharedStore(
            { signIn: "shared", store: "shared-store" },
            {
                identity,
                auth: { ...WORKLOAD_IDENTITY, serviceAccountName: "external-secrets" } as EsoAuth,
                storeName: "azure-store",
                reads: ["db"],
                ...storeContext(operator()),
            },
            {},
        );
        await cloud.settle();
        assert.equal(cloud.ofType(TYPES.serviceAccount).length, 0);
        assert.equal(probeOf(cloud).command.name, "shared-access-check-probe");
        assert.equal(await unwrap(pulumi.output(ref.name)), "azure-store");
    });
});

describe("Tenant", () => {
    it("gives each of its namespaces its store, checks only those read through, and refuses other namespaces", async () => {
        const cloud = await startCloud();
        const tenant = new Tenant("tenant-team-a", {
            tenant: "team-a",
            auth: SERVICE_PRINCIPAL,
            namespaces: { "team-a": pulumi.output("team-a"), "team-a-jobs": pulumi.output("team-a-jobs") },
            storeKind: "SecretStore",
            storeName: "team-a-keyvault",
            grants: objectGrants(VAULT_ID, { secrets: ["team-a-db"], certificates: [], keys: [] }),
            deployer: CLIENT_CONFIG.objectId,
            subscriptionId: CLIENT_CONFIG.subscriptionId,
            reads: { "team-a": ["team-a-db"] },
            ...storeContext(operator()),
        });
        const ref = tenant.storeFor("team-a");
        assert.equal(ref.kind, "SecretStore");
        assert.equal(await unwrap(pulumi.output(ref.name)), "team-a-keyvault");
        assert.throws(() => tenant.storeFor("team-b"), { message: 'namespace "team-b" is not one of this tenant\'s' });
        await cloud.settle();
        // Only team-a's store is read through, so only its access is checked.
        assert.deepEqual(
            cloud.ofType(TYPES.command).map((c) => [c.name, inputsOf(c).environment.PROBE_OBJECTS]),
            [["tenant-team-a-access-check-team-a-probe", '["team-a-db"]']],
        );
    });
});
