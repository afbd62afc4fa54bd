// The rules that span keys, each on the smallest configuration that breaks it, with the whole message a user reads.
// Cases here were chosen where mutation testing (npm run test:mutation) showed a rule could change unnoticed.
import { strict as assert } from "node:assert";
import { objectName, tenantMayRead } from "../stacks/crossChecks";
import { ISSUER, MANAGED, problemsIn, runbookWith } from "./mocks";

/** Two tenants and a platform namespace that no tenant owns, all valid. */
function tenants(change: (c: Record<string, any>) => void = () => {}): Record<string, any> {
    const config: Record<string, any> = {
        azure: { resourceGroupName: "rg-shared", location: "westeurope" },
        vault: { name: "kv-shared" },
        auth: { mode: "servicePrincipal" },
        seededSecrets: { "team-a-db": "a", "team-b-token": "b", "platform-key": "p" },
        kubernetes: { ownedNamespaces: ["team-a", "team-b", "platform"] },
        tenants: [
            { name: "team-a", namespaces: ["team-a"], secrets: { prefix: "team-a-" } },
            { name: "team-b", namespaces: ["team-b"], secrets: { names: ["team-b-token"] } },
        ],
        externalSecrets: [
            { name: "db", namespace: "team-a", data: { password: "team-a-db" } },
            { name: "token", namespace: "team-b", data: { token: "team-b-token" } },
            { name: "platform", namespace: "platform", data: { key: "platform-key" } },
        ],
    };
    change(config);
    return config;
}

describe("rules across keys", () => {
    it("accepts the two-tenant configuration these cases start from", () => {
        assert.deepEqual(problemsIn(tenants()), []);
    });

    describe("Key Vault object names and tenants' allowances", () => {
        it("strips only a leading secret/, cert/ or key/ prefix", () => {
            assert.equal(objectName("cert/tls"), "tls");
            assert.equal(objectName("secret/db"), "db");
            assert.equal(objectName("key/signing"), "signing");
            assert.equal(objectName("db"), "db");
            assert.equal(objectName("mysecret/db"), "mysecret/db");
        });

        it("lets a tenant read its named secrets and those under its prefix, nothing else", () => {
            assert.equal(tenantMayRead({ names: ["a"] }, "a"), true);
            assert.equal(tenantMayRead({ names: ["a"] }, "b"), false);
            assert.equal(tenantMayRead({ names: [], prefix: "t-" }, "t-x"), true);
            assert.equal(tenantMayRead({ names: [], prefix: "t-" }, "u-x"), false);
            assert.equal(tenantMayRead({ names: [] }, "t-x"), false);
        });

        it("names a tenant's whole allowance, names and prefix, when it reads beyond it", () => {
            const config = tenants((c) => {
                c.tenants[0].secrets = { names: ["shared-api"], prefix: "team-a-" };
                c.externalSecrets[0].data = { token: "team-b-token" };
            });
            assert.deepEqual(problemsIn(config), [
                `externalSecrets[0].data.token "team-b-token" is invalid: Key Vault object "team-b-token" is not one of tenant "team-a"'s secrets (names shared-api; prefix team-a-), and this ExternalSecret in namespace "team-a" belongs to tenant "team-a".`,
            ]);
        });

        it("refuses a tenant's dataFrom.extract of another tenant's secret", () => {
            const config = tenants((c) => (c.externalSecrets[0].dataFrom = [{ extract: { key: "team-b-token" } }]));
            assert.deepEqual(problemsIn(config), [
                `externalSecrets[0].dataFrom[0].extract.key "team-b-token" is invalid: Key Vault object "team-b-token" is not one of tenant "team-a"'s secrets (prefix team-a-), and this ExternalSecret in namespace "team-a" belongs to tenant "team-a".`,
            ]);
        });

        it("refuses a tenant's find, which lists the whole vault", () => {
            const config = tenants(
                (c) => (c.externalSecrets[0].dataFrom = [{ find: { name: { regexp: "^team-a-" } } }]),
            );
            assert.deepEqual(problemsIn(config), [
                `externalSecrets[0].dataFrom[0].find {"name":{"regexp":"^team-a-"}} is invalid: find lists the whole vault, which tenant "team-a"'s identity may not do; name its secrets in data or dataFrom.extract.`,
            ]);
        });
    });

    describe("tenants and their namespaces", () => {
        it("refuses a second tenant of the same name", () => {
            const config = tenants((c) =>
                c.tenants.push({ name: "team-a", namespaces: ["platform"], secrets: { names: ["platform-key"] } }),
            );
            assert.deepEqual(problemsIn(config), [
                'tenants[2].name "team-a" is invalid: another tenant already has this name; use a unique name.',
            ]);
        });

        it("refuses a tenant in ESO's own namespace, and leaves ESO's ExternalSecrets to the shared store", () => {
            const config = tenants((c) => {
                c.tenants[0].namespaces = ["team-a", "external-secrets"];
                c.externalSecrets.push({ name: "own", namespace: "external-secrets", data: { key: "platform-key" } });
            });
            assert.deepEqual(problemsIn(config), [
                `tenants[0].namespaces[1] "external-secrets" is invalid: "external-secrets" is ESO's own namespace, which holds every tenant's credentials.`,
            ]);
        });

        it("refuses a namespace two tenants claim, and lets one tenant repeat its own", () => {
            assert.deepEqual(problemsIn(tenants((c) => (c.tenants[1].namespaces = ["team-b", "team-a"]))), [
                'tenants[1].namespaces[1] "team-a" is invalid: namespace "team-a" already belongs to tenant "team-a"; a namespace has one tenant.',
            ]);
            assert.deepEqual(problemsIn(tenants((c) => (c.tenants[0].namespaces = ["team-a", "team-a"]))), []);
        });

        it("asks for a tenant's managed identity in managedIdentity mode, and refuses one in any other mode", () => {
            assert.deepEqual(
                problemsIn(
                    tenants((c) => {
                        c.auth = { mode: "managedIdentity", ...MANAGED };
                        c.tenants[1].managedIdentity = MANAGED;
                    }),
                ),
                [
                    "tenants[0].managedIdentity is required: set it with `pulumi config set --path tenants[0].managedIdentity.<key> <value>`.",
                ],
            );
            const problems = problemsIn(tenants((c) => (c.tenants[1].managedIdentity = MANAGED)));
            assert.equal(problems.length, 1);
            assert.match(
                problems[0] ?? "",
                /^tenants\[1\]\.managedIdentity .* is invalid: is only used with auth\.mode managedIdentity \(auth\.mode is servicePrincipal\)\.$/,
            );
        });

        it("refuses a workload-identity tenant whose SecretStores need more than 20 federated credentials", () => {
            const many = (n: number) => Array.from({ length: n }, (_, i) => `team-b-${i}`);
            const withNamespaces = (n: number, mode: string, storeKind: string) =>
                tenants((c) => {
                    c.auth = mode === "workloadIdentity" ? { mode, oidcIssuerUrl: ISSUER } : { mode };
                    c.kubernetes.ownedNamespaces = ["team-a", "platform", ...many(n)];
                    c.tenants[1] = { ...c.tenants[1], namespaces: many(n), storeKind };
                    c.externalSecrets[1].namespace = "team-b-0";
                });
            assert.deepEqual(problemsIn(withNamespaces(21, "workloadIdentity", "SecretStore")), [
                `tenants[1].namespaces ${JSON.stringify(many(21)).slice(0, 77)}... is invalid: needs one federated credential per namespace with storeKind SecretStore, and an app registration holds at most 20 (Microsoft Learn, workload identity federation considerations: at most 20 federated identity credentials per application or managed identity); use storeKind ClusterSecretStore or split the tenant.`,
            ]);
            assert.deepEqual(problemsIn(withNamespaces(20, "workloadIdentity", "SecretStore")), []);
            assert.deepEqual(problemsIn(withNamespaces(21, "workloadIdentity", "ClusterSecretStore")), []);
            assert.deepEqual(problemsIn(withNamespaces(21, "servicePrincipal", "SecretStore")), []);
        });
    });

    describe("ExternalSecrets and their tenant", () => {
        it("follows a declared tenant, not the first one", () => {
            const config = tenants((c) => (c.externalSecrets[1].tenant = "team-b"));
            assert.deepEqual(problemsIn(config), []);
        });

        it("refuses an unknown tenant, naming the known ones or saying there are none", () => {
            assert.deepEqual(problemsIn(tenants((c) => (c.externalSecrets[2].tenant = "team-c"))), [
                'externalSecrets[2].tenant "team-c" is invalid: name one of the tenants (team-a, team-b).',
            ]);
            assert.deepEqual(problemsIn(runbookWith((c) => (c.externalSecrets[0].tenant = "team-c"))), [
                'externalSecrets[0].tenant "team-c" is invalid: name one of the tenants (none are configured).',
            ]);
        });

        it("refuses a tenant's ExternalSecret outside the tenant's namespaces", () => {
            const config = tenants(
                (c) => (c.externalSecrets[2] = { ...c.externalSecrets[0], tenant: "team-a", namespace: "platform" }),
            );
            assert.deepEqual(problemsIn(config), [
                `externalSecrets[2].namespace "platform" is invalid: namespace "platform" is not one of tenant "team-a"'s namespaces (team-a).`,
            ]);
        });

        it("reports a repeated ExternalSecret once, by the rule for names, not again by each rule after it", () => {
            const config = tenants((c) => {
                c.externalSecrets[0].data = { token: "team-b-token" };
                c.externalSecrets.push({ ...c.externalSecrets[0], target: "db-copy" });
            });
            assert.deepEqual(problemsIn(config), [
                'externalSecrets[3].name "db" is invalid: externalSecrets[0] already uses this name in namespace "team-a"; use a unique name.',
                `externalSecrets[0].data.token "team-b-token" is invalid: Key Vault object "team-b-token" is not one of tenant "team-a"'s secrets (prefix team-a-), and this ExternalSecret in namespace "team-a" belongs to tenant "team-a".`,
            ]);
        });

        it("refuses two ExternalSecrets writing one Secret, at the key that names it", () => {
            const byName = tenants((c) =>
                c.externalSecrets.push({
                    name: "platform-2",
                    namespace: "platform",
                    target: "platform",
                    data: { k: "platform-key" },
                }),
            );
            assert.deepEqual(problemsIn(byName), [
                'externalSecrets[3].target "platform" is invalid: externalSecrets[2] already writes the Secret "platform" in namespace "platform"; two ExternalSecrets would overwrite each other.',
            ]);
            const implicit = tenants((c) => {
                c.externalSecrets[2].target = "shared";
                c.externalSecrets.push({ name: "shared", namespace: "platform", data: { k: "platform-key" } });
            });
            assert.deepEqual(problemsIn(implicit), [
                'externalSecrets[3].name "shared" is invalid: externalSecrets[2] already writes the Secret "shared" in namespace "platform"; two ExternalSecrets would overwrite each other.',
            ]);
        });

        it("refuses an ExternalSecret writing the Secret of the Velero preset", () => {
            const config = runbookWith((c) => {
                c.velero = {};
                c.externalSecrets.push({
                    name: "cloud-credentials",
                    namespace: "velero",
                    data: { cloud: "key-vault-secret-name" },
                });
            });
            assert.deepEqual(problemsIn(config), [
                'externalSecrets[1].name "cloud-credentials" is invalid: the velero preset already writes the Secret "cloud-credentials" in namespace "velero"; two ExternalSecrets would overwrite each other.',
            ]);
        });

        it("lets Velero's preset sit beside tenants in a namespace no tenant owns", () => {
            assert.deepEqual(problemsIn(tenants((c) => (c.velero = {}))), []);
        });

        it("refuses the shared store's find unless it reads the whole vault", () => {
            const find = [{ find: { name: { regexp: "^platform-" } } }];
            assert.deepEqual(
                problemsIn(
                    runbookWith((c) => {
                        c.store = { vaultWideAccess: false };
                        c.externalSecrets[0].dataFrom = find;
                    }),
                ),
                [
                    'externalSecrets[0].dataFrom[0].find {"name":{"regexp":"^platform-"}} is invalid: find lists the whole vault, and store.vaultWideAccess is false; name the secrets, or set store.vaultWideAccess to true.',
                ],
            );
            assert.deepEqual(problemsIn(tenants((c) => (c.externalSecrets[2].dataFrom = find))), [
                `externalSecrets[2].dataFrom[0].find {"name":{"regexp":"^platform-"}} is invalid: find lists the whole vault, and with tenants the shared store's identity reads only the secrets no tenant owns; name the secrets, or set store.vaultWideAccess to true to let it read every secret, tenants' included.`,
            ]);
            assert.deepEqual(problemsIn(runbookWith((c) => (c.externalSecrets[0].dataFrom = find))), []);
        });
    });

    describe("namespaces and workloads", () => {
        it("asks for an owner of a workload's or a tenant's namespace, at the key that uses it", () => {
            const config = tenants((c) => {
                c.kubernetes.ownedNamespaces = ["team-a", "platform"];
                c.externalSecrets = [c.externalSecrets[0], c.externalSecrets[2]];
                c.workloads = [
                    { name: "app", namespace: "jobs", image: "registry.k8s.io/pause:3.10", externalSecret: "db" },
                ];
            });
            const problems = problemsIn(config);
            const unowned = (key: string, ns: string) =>
                `${key} "${ns}" is invalid: namespace "${ns}" has no owner: list it in kubernetes.ownedNamespaces (the stack creates it under the "restricted" Pod Security level and deletes it, with everything in it, on destroy) or in kubernetes.existingNamespaces (it exists already; the stack only uses it).`;
            assert.ok(problems.includes(unowned("tenants[1].namespaces[0]", "team-b")), problems.join("\n"));
            assert.ok(problems.includes(unowned("workloads[0].namespace", "jobs")), problems.join("\n"));
        });

        it("accepts distinct workloads, and refuses a second one of the same name in a namespace", () => {
            const pod = { image: "registry.k8s.io/pause:3.10", externalSecret: "external-secret" };
            const two = (second: string) =>
                runbookWith((c) => {
                    c.workloads = [
                        { ...pod, name: "app-name", namespace: "app-namespace" },
                        { ...pod, name: second, namespace: "app-namespace" },
                    ];
                });
            assert.deepEqual(problemsIn(two("other")), []);
            assert.deepEqual(problemsIn(two("app-name")), [
                'workloads[1].name "app-name" is invalid: another workload already uses this name in namespace "app-namespace"; use a unique name.',
            ]);
        });
    });
});
