// What real ESO, Kubernetes, Entra ID and Azure do where Pulumi's mocks would accept anything: each behaviour the
// program depends on, read in upstream source (stacks/upstream.ts names where), and the simulated cloud refusing
// what the real services refuse.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as core from "@pulumi/kubernetes/core/v1";
import {
    AccessCheck,
    defaultVaultName,
    EsoIdentity,
    ExternalSecretsOperator,
    KeyVault,
    objectGrants,
    wellKnown,
} from "../components";
import { SimulatedCloud, type RecordedResource } from "../plan/simulatedCloud";
import { vaultName as vaultNameRule } from "../stacks/rules";
import {
    esoRetryTimes,
    externalSecretWebhookRefusals,
    firstAttemptAtOrAfter,
    MIN_READY_TIMEOUT_SECONDS,
    workloadIdentityTenant,
} from "../stacks/upstream";
import * as v from "valibot";
import {
    CLIENT_CONFIG,
    inputsOf,
    isSecretInput,
    ISSUER,
    MANAGED,
    only,
    PROJECT,
    problemsIn,
    problemsOf,
    runbookWith,
    runProgram,
    runProgramExpectingRefusal,
    STACK,
    TYPES,
    twoTenantsWith,
} from "./mocks";

const config = runbookWith;

const workloadIdentity = (c: Record<string, any>) => (c.auth = { mode: "workloadIdentity", oidcIssuerUrl: ISSUER });

/** The tenants example's shape: two teams, workload identity, a shared ExternalSecret. */
function tenantsConfig(): Record<string, any> {
    return twoTenantsWith((c) => {
        workloadIdentity(c);
        c.seededSecrets["platform-key"] = "p";
        c.externalSecrets.push({ name: "platform", namespace: "app-namespace", data: { key: "platform-key" } });
    });
}

/** A fresh simulated cloud with a cluster that has only its own namespaces, for registering objects by hand. */
async function bareCluster(): Promise<SimulatedCloud> {
    const cloud = new SimulatedCloud({ clientConfig: CLIENT_CONFIG, cluster: { oidcIssuer: ISSUER } });
    await cloud.install(PROJECT, STACK);
    return cloud;
}

/** Waits for every registration and the rejections that follow, and returns what the services refused. */
async function refusalsOf(cloud: SimulatedCloud): Promise<string[]> {
    const swallow = (): void => undefined;
    process.on("unhandledRejection", swallow);
    try {
        await cloud.settle();
        await new Promise((resolve) => setTimeout(resolve, 0));
    } finally {
        process.off("unhandledRejection", swallow);
    }
    return cloud.refusals;
}

describe("real runs", () => {
    describe("workload identity: the tenant is given once", () => {
        it("gives the shared store no tenant: ESO reads it from the service account's annotation", async () => {
            const { cloud } = await runProgram(config(workloadIdentity));
            const azurekv = inputsOf(only(cloud, TYPES.clusterSecretStore)).spec.provider.azurekv;
            assert.equal(azurekv.authType, "WorkloadIdentity");
            assert.equal(azurekv.tenantId, undefined);
            const annotations = inputsOf(only(cloud, TYPES.release)).values.serviceAccount.annotations;
            assert.equal(annotations[wellKnown.WORKLOAD_IDENTITY.tenantIdAnnotation], CLIENT_CONFIG.tenantId);
        });

        it("gives every tenant store no tenant, and each tenant's service account the annotation", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const stores = [...cloud.ofType(TYPES.clusterSecretStore), ...cloud.ofType(TYPES.secretStore)];
            assert.equal(stores.length, 3);
            for (const store of stores) assert.equal(inputsOf(store).spec.provider.azurekv.tenantId, undefined);
            const accounts = cloud.ofType(TYPES.serviceAccount).map(inputsOf);
            assert.equal(accounts.length, 2);
            for (const account of accounts) {
                assert.equal(
                    account.metadata.annotations[wellKnown.WORKLOAD_IDENTITY.tenantIdAnnotation],
                    CLIENT_CONFIG.tenantId,
                );
            }
        });

        it("keeps the tenant on a service principal's store, where ESO requires it", async () => {
            const { cloud } = await runProgram(config());
            assert.equal(
                inputsOf(only(cloud, TYPES.clusterSecretStore)).spec.provider.azurekv.tenantId,
                CLIENT_CONFIG.tenantId,
            );
        });

        it("resolves the tenant as ESO's authorizerForWorkloadIdentity does", () => {
            const annotated = { [wellKnown.WORKLOAD_IDENTITY.tenantIdAnnotation]: "t-annotation" };
            assert.deepEqual(workloadIdentityTenant({ serviceAccountAnnotations: annotated }), {
                tenantId: "t-annotation",
            });
            assert.deepEqual(workloadIdentityTenant({ storeTenantId: "t-store", serviceAccountAnnotations: {} }), {
                tenantId: "t-store",
            });
            assert.deepEqual(workloadIdentityTenant({ serviceAccountAnnotations: {}, podTenantEnv: "t-env" }), {
                tenantId: "t-env",
            });
            assert.deepEqual(
                workloadIdentityTenant({ storeTenantId: "t-store", serviceAccountAnnotations: annotated }),
                {
                    error: "multiple tenantID found. Check secretRef, 'spec.provider.azurekv.tenantId', and serviceAccountRef",
                },
            );
            assert.deepEqual(workloadIdentityTenant({ serviceAccountAnnotations: {} }), {
                error: "missing tenantID in store config",
            });
        });

        it("refuses, as ESO does, an ExternalSecret whose store gives the tenant twice", async () => {
            const cloud = await bareCluster();
            const operator = new ExternalSecretsOperator("eso", {
                namespace: "external-secrets",
                releaseName: "external-secrets",
                chartVersion: "2.9.0",
                workloadIdentity: {
                    serviceAccountName: "external-secrets",
                    clientId: "77777777-7777-4777-a777-777777777777",
                    tenantId: CLIENT_CONFIG.tenantId,
                },
            });
            const store = new CustomResource(
                "store",
                {
                    apiVersion: "external-secrets.io/v1",
                    kind: "ClusterSecretStore",
                    metadata: { name: "azure-secret-store" },
                    spec: {
                        provider: {
                            azurekv: {
                                authType: "WorkloadIdentity",
                                tenantId: CLIENT_CONFIG.tenantId,
                                vaultUrl: "https://kv-test.vault.azure.net/",
                                serviceAccountRef: { name: "external-secrets", namespace: "external-secrets" },
                            },
                        },
                    },
                },
                { dependsOn: [operator.release] },
            );
            new CustomResource(
                "es",
                {
                    apiVersion: "external-secrets.io/v1",
                    kind: "ExternalSecret",
                    metadata: { name: "app", namespace: "external-secrets" },
                    spec: {
                        secretStoreRef: { kind: "ClusterSecretStore", name: "azure-secret-store" },
                        target: { name: "app" },
                        data: [{ secretKey: "password", remoteRef: { key: "db-password" } }],
                    },
                },
                { dependsOn: [store] },
            );
            const refusals = await refusalsOf(cloud);
            assert.equal(refusals.length, 1);
            assert.match(
                refusals[0] as string,
                /^ExternalSecret external-secrets\/app would never become Ready: multiple tenantID found\. .*authorizerForWorkloadIdentity\)$/,
            );
        });
    });

    describe("a Ready store proves nothing; the access check and ExternalSecrets do", () => {
        it("follows ESO's retries: 1, 3, 7 ... 511 s, then every 420 s", () => {
            assert.deepEqual(esoRetryTimes(1400), [1, 3, 7, 15, 31, 63, 127, 255, 511, 931, 1351, 1771]);
            assert.equal(firstAttemptAtOrAfter(600), 931);
            assert.equal(firstAttemptAtOrAfter(0), 0);
            assert.equal(MIN_READY_TIMEOUT_SECONDS, 960);
        });

        it("applies each ExternalSecret after its store's access check, which waits for the role assignment", async () => {
            const { cloud } = await runProgram(config());
            const check = only(cloud, TYPES.command);
            assert.ok(only(cloud, TYPES.externalSecret).dependencies.includes(check.urn));
            assert.ok(check.dependencies.includes(only(cloud, TYPES.roleAssignment).urn));
        });

        it("signs in as ESO does and reads what its ExternalSecrets name, keeping the client secret secret", async () => {
            const { cloud } = await runProgram(config());
            const check = only(cloud, TYPES.command);
            const env = inputsOf(check).environment;
            assert.equal(inputsOf(check).create, "node --require ./loader.cjs probe/verifyAccess.ts");
            assert.deepEqual(
                { ...env, PROBE_CLIENT_SECRET: "(checked below)" },
                {
                    PROBE_MODE: "servicePrincipal",
                    PROBE_VAULT_URL: "https://external-secret-vault.vault.azure.net/",
                    PROBE_OBJECTS: '["key-vault-secret-name"]',
                    PROBE_TENANT_ID: CLIENT_CONFIG.tenantId,
                    PROBE_CLIENT_ID: only(cloud, TYPES.application).outputs?.clientId,
                    PROBE_AUTHORITY: "https://login.microsoftonline.com/",
                    PROBE_SCOPE: "https://vault.azure.net/.default",
                    PROBE_TIMEOUT_SECONDS: "1200",
                    PROBE_CLIENT_SECRET: "(checked below)",
                },
            );
            assert.equal(env.PROBE_CLIENT_SECRET, only(cloud, TYPES.password).outputs?.value);
            assert.ok(isSecretInput(check, "environment.PROBE_CLIENT_SECRET"));
        });

        it("nudges ESO with force-sync each time the check passes again", async () => {
            const { cloud } = await runProgram(config());
            const es = inputsOf(only(cloud, TYPES.externalSecret));
            assert.equal(es.metadata.annotations["force-sync"], "verified-simulated");
        });

        it("checks a workload identity with a token of ESO's own service account, after the chart creates it", async () => {
            const { cloud } = await runProgram(config(workloadIdentity));
            const check = only(cloud, TYPES.command);
            assert.equal(inputsOf(check).environment.PROBE_MODE, "workloadIdentity");
            assert.equal(inputsOf(check).environment.PROBE_SERVICE_ACCOUNT, "external-secrets/external-secrets");
            assert.ok(check.dependencies.includes(only(cloud, TYPES.release).urn));
            assert.ok(check.dependencies.includes(only(cloud, TYPES.federatedCredential).urn));
        });

        it("checks each tenant's store for what that tenant's ExternalSecrets read, and nothing else", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const objects = cloud
                .ofType(TYPES.command)
                .map((c) => [c.name, inputsOf(c).environment.PROBE_OBJECTS])
                .sort();
            assert.deepEqual(objects, [
                ["eso-access-check-probe", '["platform-key"]'],
                ["tenant-team-a-access-check-eso-probe", '["team-a-db"]'],
                ["tenant-team-b-access-check-team-b-probe", '["team-b-token"]'],
            ]);
        });

        it("cannot check a managed identity from where `pulumi up` runs, and then relies on the Ready wait", async () => {
            const { cloud } = await runProgram(config((c) => (c.auth = { mode: "managedIdentity", ...MANAGED })));
            assert.equal(cloud.ofType(TYPES.command).length, 0);
            const annotations = inputsOf(only(cloud, TYPES.externalSecret)).metadata.annotations;
            assert.equal(annotations["force-sync"], undefined);
            assert.ok(Number(annotations["pulumi.com/timeoutSeconds"]) >= MIN_READY_TIMEOUT_SECONDS);
        });

        it("says, as the real check would, when the identity has no role on what an ExternalSecret reads", async () => {
            const cloud = await bareCluster();
            const vault = new KeyVault("vault", {
                vault: { existing: false, name: "kv-test" },
                resourceGroupName: "rg",
                location: "westeurope",
                tenantId: CLIENT_CONFIG.tenantId,
                subscriptionId: CLIENT_CONFIG.subscriptionId,
            });
            const identity = new EsoIdentity("eso", {
                auth: {
                    mode: "servicePrincipal",
                    displayName: "eso",
                    passwordSlot: "a",
                    passwordLifetimeDays: 30,
                    credentialSecret: {
                        name: "azure-secret-sp",
                        clientIdKey: "ClientID",
                        clientSecretKey: "ClientSecret",
                    },
                },
                deployer: CLIENT_CONFIG.objectId,
                subscriptionId: CLIENT_CONFIG.subscriptionId,
                grants: objectGrants(vault.vaultId, { secrets: ["other"], certificates: [], keys: [] }),
            });
            assert.ok(identity.credentials.mode === "servicePrincipal");
            new AccessCheck("check", {
                identity: {
                    mode: "servicePrincipal",
                    tenantId: CLIENT_CONFIG.tenantId,
                    clientId: identity.grantedClientId,
                    clientSecret: identity.credentials.clientSecret,
                },
                vaultUrl: vault.vaultUri,
                cloud: "PublicCloud",
                objects: ["db-password"],
                after: identity.grants,
                timeoutSeconds: 1200,
            });
            const refusals = await refusalsOf(cloud);
            assert.equal(refusals.length, 1);
            assert.match(
                refusals[0] as string,
                /^access check check-probe would time out: its identity [0-9a-f-]{36} has no role that lets it read secret "db-password" \(Key Vault answers 403 ForbiddenByRbac\)$/,
            );
        });
    });

    describe("namespaces have one owner", () => {
        it("creates every namespace it owns under the restricted Pod Security level", async () => {
            const { cloud } = await runProgram(config((c) => c.kubernetes.ownedNamespaces.push("second")));
            const created = cloud.ofType(TYPES.namespace).map(inputsOf);
            assert.deepEqual(created.map((n) => n.metadata.name).sort(), [
                "app-namespace",
                "external-secrets",
                "second",
            ]);
            for (const namespace of created) {
                assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            }
        });

        it("refuses a namespace nobody owns, naming both ways to own it", () => {
            assert.deepEqual(problemsOf(config((c) => (c.kubernetes = {}))), [
                'externalSecrets[0].namespace "app-namespace" is invalid: namespace "app-namespace" has no owner: list it in kubernetes.ownedNamespaces (the stack creates it under the "restricted" Pod Security level and deletes it, with everything in it, on destroy) or in kubernetes.existingNamespaces (it exists already; the stack only uses it).',
            ]);
        });

        it("never creates ESO's namespace a second time for an ExternalSecret that lives there", async () => {
            const { cloud } = await runProgram(
                config((c) => {
                    c.externalSecrets.push({
                        name: "own",
                        namespace: "external-secrets",
                        data: { a: "key-vault-secret-name" },
                    });
                }),
            );
            assert.deepEqual(
                cloud
                    .ofType(TYPES.namespace)
                    .map((n) => inputsOf(n).metadata.name)
                    .sort(),
                ["app-namespace", "external-secrets"],
            );
        });

        it("uses ESO's namespace without creating it when it is declared existing", async () => {
            const { cloud } = await runProgram(config((c) => (c.kubernetes.existingNamespaces = ["external-secrets"])));
            assert.deepEqual(
                cloud.ofType(TYPES.namespace).map((n) => inputsOf(n).metadata.name),
                ["app-namespace"],
            );
            assert.equal(inputsOf(only(cloud, TYPES.release)).namespace, "external-secrets");
        });

        it("never creates Velero's namespace, which the Velero preset needs to exist", async () => {
            const { cloud } = await runProgram(config((c) => (c.velero = {})));
            assert.ok(!cloud.ofType(TYPES.namespace).some((n) => inputsOf(n).metadata.name === "velero"));
        });

        it("refuses to own the cluster's own namespaces, a namespace declared existing, or ESO's", () => {
            assert.deepEqual(
                problemsOf(
                    config((c) => {
                        c.kubernetes = {
                            ownedNamespaces: ["app-namespace", "kube-system", "default", "shared", "external-secrets"],
                            existingNamespaces: ["shared"],
                        };
                    }),
                ),
                [
                    'kubernetes.ownedNamespaces[1] "kube-system" is invalid: "kube-system" is one of the cluster\'s own namespaces, which no stack creates, labels or deletes (Kubernetes docs, Namespaces: default, kube-node-lease, kube-public and kube-system belong to the cluster).',
                    'kubernetes.ownedNamespaces[2] "default" is invalid: "default" is one of the cluster\'s own namespaces, which no stack creates, labels or deletes (Kubernetes docs, Namespaces: default, kube-node-lease, kube-public and kube-system belong to the cluster).',
                    'kubernetes.ownedNamespaces[3] "shared" is invalid: "shared" is also in kubernetes.existingNamespaces; a namespace is either the stack\'s or someone else\'s.',
                    'kubernetes.ownedNamespaces[4] "external-secrets" is invalid: "external-secrets" is ESO\'s namespace (eso.namespace), which the operator creates; list it in kubernetes.existingNamespaces only if it exists already.',
                ],
            );
        });

        it("refuses to own Velero's namespace, whose node-agent pods the restricted level would refuse", () => {
            const velero = (owned: string[], preset?: object) =>
                problemsIn(
                    config((c) => {
                        c.kubernetes = { ownedNamespaces: ["app-namespace", ...owned] };
                        if (preset !== undefined) c.velero = preset;
                    }),
                );
            const message = (ns: string) =>
                `kubernetes.ownedNamespaces[1] "${ns}" is invalid: "${ns}" is Velero's namespace, which Velero's installation creates and owns; the stack would create it under the "restricted" Pod Security level, which refuses the privileged pods it runs (Velero's node-agent DaemonSet mounts hostPath volumes (host-pods, host-plugins); Kubernetes Pod Security Standards forbid hostPath volumes from the baseline level up, so restricted refuses its pods): list it in kubernetes.existingNamespaces.`;
            // Velero's default namespace, with or without the preset, and the preset's own namespace when moved.
            assert.deepEqual(velero(["velero"]), [message("velero")]);
            assert.deepEqual(velero(["velero"], {}), [message("velero")]);
            assert.deepEqual(velero(["backup"], { namespace: "backup" }), [message("backup")]);
            assert.deepEqual(velero(["backup"]), []);
        });

        it("refuses, as the API server does, a namespace that exists and an object in one that does not", async () => {
            const cloud = await bareCluster();
            new core.Namespace("system", { metadata: { name: "kube-system" } });
            new core.Secret("orphan", { metadata: { name: "orphan", namespace: "nowhere" }, stringData: { a: "b" } });
            assert.deepEqual((await refusalsOf(cloud)).sort(), [
                'creating Namespace kube-system failed: namespaces "kube-system" already exists (pulumi-kubernetes >= 4.29: creating an object that already exists fails with AlreadyExists (provider option upsertExistingObjects, default false))',
                'creating Secret nowhere/orphan failed: namespaces "nowhere" not found',
            ]);
        });
    });

    describe("ESO's admission webhook, before anything is registered", () => {
        const cases: Array<[string, Record<string, unknown>, string]> = [
            [
                "deletionPolicy Delete with creationPolicy Merge",
                { creationPolicy: "Merge", deletionPolicy: "Delete" },
                'externalSecrets[0].deletionPolicy "Delete" is invalid: ESO\'s admission webhook refuses it: deletionPolicy Delete must not be used with creationPolicy Merge, where ESO does not own the Secret (external-secrets apis/externalsecrets/v1/externalsecret_validator.go, validateExternalSecret); use creationPolicy Owner, or deletionPolicy Retain.',
            ],
            [
                "deletionPolicy Delete with creationPolicy None",
                { creationPolicy: "None", deletionPolicy: "Delete" },
                'externalSecrets[0].deletionPolicy "Delete" is invalid: ESO\'s admission webhook refuses it: deletionPolicy Delete must not be used with creationPolicy None, where ESO does not own the Secret (external-secrets apis/externalsecrets/v1/externalsecret_validator.go, validateExternalSecret); use creationPolicy Owner, or deletionPolicy Retain.',
            ],
            [
                "deletionPolicy Merge with creationPolicy None",
                { creationPolicy: "None", deletionPolicy: "Merge" },
                'externalSecrets[0].deletionPolicy "Merge" is invalid: ESO\'s admission webhook refuses it: deletionPolicy Merge must not be used with creationPolicy None: there is no Secret to merge with (external-secrets apis/externalsecrets/v1/externalsecret_validator.go, validateExternalSecret); use deletionPolicy Retain, or a creationPolicy that writes the Secret.',
            ],
            [
                "a bootstrap token template",
                { template: { type: "bootstrap.kubernetes.io/token" } },
                'externalSecrets[0].template.type "bootstrap.kubernetes.io/token" is invalid: ESO\'s admission webhook refuses it: template type bootstrap.kubernetes.io/token is not allowed (external-secrets apis/externalsecrets/v1/externalsecret_validator.go, validateExternalSecret); use another Secret type, such as Opaque.',
            ],
            [
                "a service-account-token template naming its service account",
                {
                    template: {
                        type: "kubernetes.io/service-account-token",
                        metadata: { annotations: { "kubernetes.io/service-account.name": "default" } },
                    },
                },
                'externalSecrets[0].template.metadata.annotations["kubernetes.io/service-account.name"] "default" is invalid: ESO\'s admission webhook refuses it: template type kubernetes.io/service-account-token with the annotation kubernetes.io/service-account.name is not allowed (it would mint a long-lived token) (external-secrets apis/externalsecrets/v1/externalsecret_validator.go, validateExternalSecret); remove the annotation, or use another Secret type.',
            ],
        ];
        for (const [what, fields, message] of cases) {
            it(`refuses ${what}, naming the key, the value and the webhook's rule`, () => {
                assert.deepEqual(problemsOf(config((c) => Object.assign(c.externalSecrets[0], fields))), [message]);
            });
        }

        it("admits what the webhook admits: Retain with any creation policy, Delete with Owner", () => {
            for (const creationPolicy of ["Owner", "Orphan", "Merge", "None"]) {
                assert.deepEqual(
                    externalSecretWebhookRefusals({ target: { creationPolicy }, data: [{ secretKey: "a" }] }),
                    [],
                );
            }
            assert.deepEqual(
                externalSecretWebhookRefusals({
                    target: { creationPolicy: "Owner", deletionPolicy: "Delete" },
                    data: [{ secretKey: "a" }],
                }),
                [],
            );
        });

        it("refuses what the config cannot express but the webhook checks: duplicate keys, mixed dataFrom, stray templateFrom", () => {
            const rules = (spec: Parameters<typeof externalSecretWebhookRefusals>[0]) =>
                externalSecretWebhookRefusals(spec).map((r) => r.rule);
            assert.deepEqual(rules({ data: [{ secretKey: "a" }, { secretKey: "a" }] }), ["duplicate secretKey a"]);
            assert.deepEqual(
                rules({ target: { deletionPolicy: "Delete" }, data: [{ secretKey: "a" }, { secretKey: "a" }] }),
                [],
            );
            assert.deepEqual(rules({ dataFrom: [{ extract: {}, find: {} }] }), [
                "extract, find and generatorRef cannot be set at the same time",
            ]);
            assert.deepEqual(rules({ dataFrom: [{}] }), ["each dataFrom entry needs extract, find or sourceRef"]);
            assert.deepEqual(rules({ dataFrom: [{ sourceRef: {} }] }), ["sourceRef needs generatorRef or storeRef"]);
            assert.deepEqual(
                rules({ data: [{ secretKey: "a" }], target: { template: { templateFrom: [{ target: "Metadata" }] } } }),
                ['templateFrom target "Metadata" is not allowed when the target is a Secret'],
            );
            assert.deepEqual(rules({}), ["either data or dataFrom must be specified"]);
        });
    });

    describe("names that cannot collide", () => {
        const colliding = () =>
            config((c) => {
                c.kubernetes.ownedNamespaces = ["a", "a-b"];
                c.seededSecrets = { s: "v" };
                c.externalSecrets = [
                    { name: "b-c", namespace: "a", data: { k: "s" } },
                    { name: "c", namespace: "a-b", data: { k: "s" } },
                ];
                c.workloads = [];
            });

        it("gives ExternalSecrets whose namespace-name pairs once joined alike two different URNs", async () => {
            const { cloud } = await runProgram(colliding());
            assert.deepEqual(
                cloud
                    .ofType(TYPES.externalSecret)
                    .map((r) => r.name)
                    .sort(),
                ["synced-a-b/c", "synced-a/b-c"],
            );
        });

        it("keeps the former name as an alias, for the first of entries that shared it", async () => {
            const { cloud } = await runProgram(colliding());
            assert.deepEqual(Object.fromEntries(cloud.ofType(TYPES.externalSecret).map((r) => [r.name, r.aliases])), {
                "synced-a/b-c": ["synced-a-b-c"],
                "synced-a-b/c": [],
            });
        });

        it("keeps a workload's former name, and its Pod's, as aliases", async () => {
            const { cloud } = await runProgram(config());
            const pod = only(cloud, TYPES.pod);
            assert.equal(pod.name, "app-namespace/app-name-pod");
            assert.deepEqual(pod.aliases, ["app-namespace-app-name-pod"]);
            const workload = cloud.byUrnOf(pod.parent as string) as RecordedResource;
            assert.deepEqual(workload.aliases, ["app-namespace-app-name"]);
        });

        it("refuses, as the engine does, two resources with one URN", async () => {
            const cloud = await bareCluster();
            new core.Namespace("twice", { metadata: { name: "one" } });
            try {
                new core.Namespace("twice", { metadata: { name: "two" } });
            } catch {
                // The engine's refusal arrives asynchronously; a synchronous one is as good.
            }
            const refusals = await refusalsOf(cloud);
            assert.deepEqual(refusals, [
                "Duplicate resource URN 'urn:pulumi:test::eso-keyvault::kubernetes:core/v1:Namespace::twice'; try giving it a unique name",
            ]);
        });
    });

    describe("destroy needs no data-plane rights", () => {
        it("leaves seeded secrets in the vault on delete, so no data-plane delete and no soft-deleted name", async () => {
            const { cloud } = await runProgram(config());
            assert.equal(only(cloud, TYPES.kvSecret).options.retainOnDelete, true);
        });

        it("documents exactly the roles the program grants in CI's role-assignment condition", () => {
            const ci = readFileSync(path.join(__dirname, "..", "docs", "ci.md"), "utf8");
            const variables = new Map([...ci.matchAll(/^(\w+)=([0-9a-f-]{36})\b/gm)].map((m) => [m[1], m[2]]));
            const condition = /--condition "([^"]+)"/.exec(ci)?.[1] ?? "";
            const lists = [...condition.matchAll(/GuidEquals \{([^}]+)\}/g)].map((m) =>
                (m[1] as string)
                    .split(",")
                    .map((item) => variables.get(item.trim().replace(/^\$/, "")))
                    .sort(),
            );
            const granted = wellKnown.ESO_GRANTED_ROLES.map((role) => role.id).sort();
            assert.deepEqual(lists, [granted, granted]);
        });
    });

    describe("settings Key Vault fixes at creation", () => {
        const deployedVault = (properties: Record<string, unknown>) =>
            new Map([
                [
                    "urn:pulumi:test::eso-keyvault::eso-keyvault:vault:KeyVault$azure-native:keyvault:Vault::vault-vault",
                    { properties },
                ],
            ]);

        it("keeps the deployed retention on an update and refuses a changed one, saying what to set", async () => {
            const { failures } = await runProgramExpectingRefusal(
                config((c) => (c.vault.softDeleteRetentionDays = 7)),
                { deployed: deployedVault({ softDeleteRetentionInDays: 90 }) },
            );
            assert.ok(
                failures.some((f) =>
                    f.includes(
                        "vault.softDeleteRetentionDays is 7, but Key Vault external-secret-vault keeps the 90 days it was created with: the retention cannot change after creation. Set vault.softDeleteRetentionDays back to 90.",
                    ),
                ),
                failures.join("\n"),
            );
        });

        it("updates a vault whose retention is unchanged", async () => {
            await runProgram(config(), { deployed: deployedVault({ softDeleteRetentionInDays: 90 }) });
        });

        it("refuses to turn purge protection off on a vault that has it", async () => {
            const { failures } = await runProgramExpectingRefusal(
                config((c) => (c.vault.purgeProtection = false)),
                { deployed: deployedVault({ softDeleteRetentionInDays: 90, enablePurgeProtection: true }) },
            );
            assert.ok(
                failures.some((f) =>
                    f.includes(
                        "vault.purgeProtection is false, but Key Vault external-secret-vault has purge protection on",
                    ),
                ),
                failures.join("\n"),
            );
        });
    });

    describe("a vault name nobody else has", () => {
        it("draws kv-<stack>-<suffix> when no name is set, once per stack", async () => {
            const { cloud } = await runProgram(config((c) => delete c.vault.name));
            const name = inputsOf(only(cloud, TYPES.vault)).vaultName as string;
            assert.match(name, /^kv-test-[a-z0-9]{6}$/);
            assert.ok(v.is(vaultNameRule(), name));
            assert.equal(only(cloud, TYPES.randomString).name, "vault-name-suffix");
        });

        it("draws nothing when a name is set", async () => {
            const { cloud } = await runProgram(config());
            assert.equal(cloud.ofType(TYPES.randomString).length, 0);
        });

        it("fits any stack name into Key Vault's naming rule", () => {
            for (const stack of ["dev", "Production-West-Europe-2", "a--b", "---", "x".repeat(40)]) {
                const name = defaultVaultName(stack, "a1b2c3");
                assert.ok(v.is(vaultNameRule(), name), `${stack} -> ${name}`);
            }
            assert.equal(defaultVaultName("Production-West-Europe-2", "a1b2c3"), "kv-production-wes-a1b2c3");
        });

        it("still needs the name of a vault it adopts", () => {
            assert.deepEqual(problemsOf(config((c) => (c.vault = { existing: true }))), [
                "vault.name is required: set it with `pulumi config set --path vault.name <value>`.",
            ]);
        });
    });

    describe("federated credentials Entra ID will match", () => {
        it("refuses an AKS issuer without its final slash, which Entra ID compares exactly", () => {
            assert.deepEqual(
                problemsOf(config((c) => (c.auth = { mode: "workloadIdentity", oidcIssuerUrl: ISSUER.slice(0, -1) }))),
                [
                    'auth.oidcIssuerUrl "https://westeurope.oic.prod-aks.azure.com/11111111-1111-4111-a111-1111111111... is invalid: AKS issues tokens for the issuer with a final slash, and Entra ID compares it exactly: add the trailing / (Microsoft Learn, workload identity federation: issuer and subject must match the token exactly (AADSTS70021)).',
                ],
            );
        });

        it("refuses an AKS issuer in capitals", () => {
            const problems = problemsOf(
                config(
                    (c) =>
                        (c.auth = {
                            mode: "workloadIdentity",
                            oidcIssuerUrl: ISSUER.replace("11111111-1111", "AAAAAAAA-1111"),
                        }),
                ),
            );
            assert.match(problems[0] as string, /AKS issues tokens for the issuer in lower case/);
        });

        it("refuses, as Entra ID does, a service account no federated credential names (AADSTS70021)", async () => {
            const { failures } = await runProgramExpectingRefusal(config(workloadIdentity), {
                cluster: { oidcIssuer: "https://westeurope.oic.prod-aks.azure.com/other/" },
            });
            assert.ok(
                failures.some((f) =>
                    /^access check eso-access-check-probe would time out: AADSTS70021: no federated credential of app .* matches issuer https:\/\/westeurope\.oic\.prod-aks\.azure\.com\/other\/ and subject system:serviceaccount:external-secrets:external-secrets/.test(
                        f,
                    ),
                ),
                failures.join("\n"),
            );
        });
    });
});
