// Tenants sharing one vault, richer ExternalSecrets, and the Velero preset.
import { strict as assert } from "node:assert";
import { veleroExternalSecret } from "../stacks/config";
import {
    inputsOf,
    ISSUER,
    only,
    problemsOf,
    runbookConfig,
    runbookWith,
    runProgram,
    twoTenantsWith,
    TYPES,
} from "./mocks";
import type { RecordedResource, SimulatedCloud } from "../plan/simulatedCloud";
import { validateObjects, type KubernetesObject } from "../plan/objects";

/** Two teams, their secrets, and one ExternalSecret each. */
function tenantsConfig(auth: Record<string, unknown> = { mode: "servicePrincipal" }): Record<string, any> {
    return {
        azure: { resourceGroupName: "rg-shared", location: "westeurope" },
        vault: { name: "kv-shared" },
        auth,
        seededSecrets: { "team-a-db": "a", "team-b-token": "b", "platform-key": "p" },
        kubernetes: { ownedNamespaces: ["team-a", "team-b", "team-b-jobs", "platform"] },
        tenants: [
            { name: "team-a", namespaces: ["team-a"], secrets: { prefix: "team-a-" } },
            {
                name: "team-b",
                namespaces: ["team-b", "team-b-jobs"],
                secrets: { names: ["team-b-token"] },
                storeKind: "SecretStore",
            },
        ],
        externalSecrets: [
            { name: "db", namespace: "team-a", data: { password: "team-a-db" } },
            { name: "token", namespace: "team-b", data: { token: "team-b-token" } },
            { name: "platform", namespace: "platform", data: { key: "platform-key" } },
        ],
    };
}

/** The role assignments whose principal is the given service principal's. */
function assignmentsOf(cloud: SimulatedCloud, servicePrincipal: RecordedResource): Array<Record<string, any>> {
    return cloud
        .ofType(TYPES.roleAssignment)
        .map(inputsOf)
        .filter((a) => a.principalId === servicePrincipal.outputs?.objectId);
}

/** The service principal whose logical name starts with `prefix`. */
function spOf(cloud: SimulatedCloud, prefix: string): RecordedResource {
    const found = cloud.ofType(TYPES.servicePrincipal).filter((r) => r.name.startsWith(prefix));
    assert.equal(found.length, 1, `service principals named ${prefix}*`);
    return found[0] as RecordedResource;
}

describe("tenants", () => {
    describe("stores", () => {
        it("limits team-a's ClusterSecretStore to its namespace", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const store = cloud
                .ofType(TYPES.clusterSecretStore)
                .map(inputsOf)
                .find((s) => s.metadata.name === "team-a-keyvault");
            assert.deepEqual(store?.spec.conditions, [{ namespaces: ["team-a"] }]);
        });

        it("gives team-b a SecretStore inside each of its namespaces", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const stores = cloud.ofType(TYPES.secretStore).map(inputsOf);
            assert.deepEqual(stores.map((s) => [s.metadata.name, s.metadata.namespace]).sort(), [
                ["team-b-keyvault", "team-b"],
                ["team-b-keyvault", "team-b-jobs"],
            ]);
            for (const store of stores) assert.equal(store.spec.conditions, undefined);
        });

        it("keeps the shared store, which reads the whole vault, to the namespaces no tenant owns", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const shared = cloud
                .ofType(TYPES.clusterSecretStore)
                .map(inputsOf)
                .find((s) => s.metadata.name === "azure-secret-store");
            assert.deepEqual(shared?.spec.conditions, [{ namespaces: ["platform"] }]);
        });

        it("points each ExternalSecret at its tenant's store", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const refs = Object.fromEntries(
                cloud
                    .ofType(TYPES.externalSecret)
                    .map(inputsOf)
                    .map((es) => [es.metadata.name, es.spec.secretStoreRef]),
            );
            assert.deepEqual(refs, {
                db: { kind: "ClusterSecretStore", name: "team-a-keyvault" },
                token: { kind: "SecretStore", name: "team-b-keyvault" },
                platform: { kind: "ClusterSecretStore", name: "azure-secret-store" },
            });
        });
    });

    describe("identities", () => {
        it("gives each tenant its own app registration", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            assert.deepEqual(
                cloud
                    .ofType(TYPES.application)
                    .map((a) => inputsOf(a).displayName)
                    .sort(),
                ["eso-keyvault-test", "eso-keyvault-test-team-a", "eso-keyvault-test-team-b"],
            );
        });

        it("scopes each tenant's roles to its own secrets, never the vault", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const vaultId = only(cloud, TYPES.vault).id as string;
            const scopes = (prefix: string) =>
                assignmentsOf(cloud, spOf(cloud, prefix))
                    .map((a) => a.scope)
                    .sort();
            assert.deepEqual(scopes("tenant-team-a"), [`${vaultId}/secrets/team-a-db`]);
            assert.deepEqual(scopes("tenant-team-b"), [`${vaultId}/secrets/team-b-token`]);
            for (const a of cloud.ofType(TYPES.roleAssignment).map(inputsOf)) {
                assert.match(a.roleDefinitionId, /4633458b-17de-408a-b874-0445c86b69e6$/);
            }
        });

        it("gives the shared identity roles on the secrets no tenant owns, not on the vault", async () => {
            const config = tenantsConfig();
            config.seededSecrets["velero-key"] = "v";
            const { cloud } = await runProgram(config);
            const vaultId = only(cloud, TYPES.vault).id as string;
            assert.deepEqual(
                assignmentsOf(cloud, spOf(cloud, "eso-identity"))
                    .map((a) => a.scope)
                    .sort(),
                [`${vaultId}/secrets/platform-key`, `${vaultId}/secrets/velero-key`],
            );
        });

        it("gives the shared identity the whole vault only when store.vaultWideAccess says so", async () => {
            const config = tenantsConfig();
            config.store = { vaultWideAccess: true };
            const { cloud } = await runProgram(config);
            const vaultId = only(cloud, TYPES.vault).id as string;
            assert.deepEqual(
                assignmentsOf(cloud, spOf(cloud, "eso-identity")).map((a) => a.scope),
                [vaultId],
            );
        });

        it("refuses a shared ExternalSecret that reads a tenant's secret, naming the tenant", () => {
            const config = tenantsConfig();
            config.externalSecrets[2].data = { key: "team-a-db" };
            assert.deepEqual(problemsOf(config), [
                'externalSecrets[2].data.key "team-a-db" is invalid: Key Vault object "team-a-db" belongs to tenant "team-a", and this ExternalSecret in namespace "platform" reads through the shared store; move it into one of the tenant\'s namespaces.',
            ]);
        });

        it("assigns a tenant's seeded secret only after the secret exists", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const secret = cloud
                .ofType(TYPES.kvSecret)
                .find((s) => inputsOf(s).secretName === "team-a-db") as RecordedResource;
            const assignment = cloud
                .ofType(TYPES.roleAssignment)
                .find((a) => inputsOf(a).scope === secret.id) as RecordedResource;
            assert.ok(assignment.dependencies.includes(secret.urn));
        });

        it("grants Key Vault Reader on a certificate a tenant reads with cert/, beside its seeded secrets", async () => {
            const config = tenantsConfig();
            config.externalSecrets[0].data = { "tls.crt": "cert/team-a-tls" };
            const { cloud } = await runProgram(config);
            const vaultId = only(cloud, TYPES.vault).id as string;
            const grants = assignmentsOf(cloud, spOf(cloud, "tenant-team-a"))
                .map((a) => [a.roleDefinitionId.split("/").pop(), a.scope])
                .sort();
            assert.deepEqual(grants, [
                ["21090545-7ca7-4776-b22c-e363652d74d2", `${vaultId}/certificates/team-a-tls`],
                ["4633458b-17de-408a-b874-0445c86b69e6", `${vaultId}/secrets/team-a-db`],
            ]);
        });

        it("puts each tenant's client secret in a Secret of its own", async () => {
            const { cloud } = await runProgram(tenantsConfig());
            const secrets = cloud
                .ofType(TYPES.secret)
                .map(inputsOf)
                .map((s) => `${s.metadata.namespace}/${s.metadata.name}`)
                .sort();
            assert.deepEqual(secrets, [
                "external-secrets/azure-secret-sp",
                "external-secrets/azure-secret-sp-team-a",
                "team-b-jobs/azure-secret-sp",
                "team-b/azure-secret-sp",
            ]);
        });

        it("federates each tenant's own service account in workload identity mode", async () => {
            const { cloud } = await runProgram(tenantsConfig({ mode: "workloadIdentity", oidcIssuerUrl: ISSUER }));
            const subjects = cloud
                .ofType(TYPES.federatedCredential)
                .map((c) => inputsOf(c).subject)
                .sort();
            assert.deepEqual(subjects, [
                "system:serviceaccount:external-secrets:external-secrets",
                "system:serviceaccount:external-secrets:team-a-keyvault",
                "system:serviceaccount:team-b-jobs:team-b-keyvault",
                "system:serviceaccount:team-b:team-b-keyvault",
            ]);
            const accounts = cloud.ofType("kubernetes:core/v1:ServiceAccount").map(inputsOf);
            const teamA = accounts.find((a) => a.metadata.namespace === "external-secrets");
            const teamAApp = cloud.ofType(TYPES.application).find((a) => a.name.startsWith("tenant-team-a"));
            assert.equal(teamA?.metadata.annotations["azure.workload.identity/client-id"], teamAApp?.outputs?.clientId);
            const store = cloud
                .ofType(TYPES.secretStore)
                .map(inputsOf)
                .find((s) => s.metadata.namespace === "team-b");
            assert.deepEqual(store?.spec.provider.azurekv.serviceAccountRef, { name: "team-b-keyvault" });
        });

        it("uses each tenant's own managed identity in managed identity mode", async () => {
            const config = tenantsConfig({
                mode: "managedIdentity",
                clientId: "55555555-5555-4555-a555-555555555555",
                principalId: "66666666-6666-4666-a666-666666666666",
            });
            config.tenants[0].managedIdentity = {
                clientId: "77777777-7777-4777-a777-777777777777",
                principalId: "88888888-8888-4888-a888-888888888888",
            };
            config.tenants[1].managedIdentity = {
                clientId: "99999999-9999-4999-a999-999999999999",
                principalId: "aaaaaaaa-aaaa-4aaa-aaaa-aaaaaaaaaaaa",
            };
            const { cloud } = await runProgram(config);
            const byPrincipal = new Map<string, string[]>();
            for (const a of cloud.ofType(TYPES.roleAssignment).map(inputsOf)) {
                byPrincipal.set(a.principalId, [
                    ...(byPrincipal.get(a.principalId) ?? []),
                    a.scope.split("/").slice(-2).join("/"),
                ]);
            }
            assert.deepEqual(Object.fromEntries(byPrincipal), {
                "66666666-6666-4666-a666-666666666666": ["secrets/platform-key"],
                "88888888-8888-4888-a888-888888888888": ["secrets/team-a-db"],
                "aaaaaaaa-aaaa-4aaa-aaaa-aaaaaaaaaaaa": ["secrets/team-b-token"],
            });
            assert.equal(cloud.ofType(TYPES.application).length, 0);
        });
    });

    describe("boundaries", () => {
        it("rejects an ExternalSecret reading another tenant's secret, naming both", () => {
            const config = tenantsConfig();
            config.externalSecrets[0].data = { stolen: "team-b-token" };
            assert.deepEqual(problemsOf(config), [
                'externalSecrets[0].data.stolen "team-b-token" is invalid: Key Vault object "team-b-token" is not one of tenant "team-a"\'s secrets (prefix team-a-), and this ExternalSecret in namespace "team-a" belongs to tenant "team-a".',
            ]);
        });

        it("rejects an ExternalSecret declared for a tenant but placed in another's namespace, naming both", () => {
            const config = tenantsConfig();
            config.externalSecrets[1].tenant = "team-a";
            assert.deepEqual(problemsOf(config), [
                'externalSecrets[1].namespace "team-b" is invalid: namespace "team-b" is not one of tenant "team-a"\'s namespaces (team-a).',
                'externalSecrets[1].data.token "team-b-token" is invalid: Key Vault object "team-b-token" is not one of tenant "team-a"\'s secrets (prefix team-a-), and this ExternalSecret in namespace "team-b" belongs to tenant "team-a".',
            ]);
        });

        it("rejects a tenant ExternalSecret that would list the whole vault with find", () => {
            const config = tenantsConfig();
            config.externalSecrets[0].dataFrom = [{ find: { name: { regexp: "^team-a-" } } }];
            assert.deepEqual(problemsOf(config), [
                'externalSecrets[0].dataFrom[0].find {"name":{"regexp":"^team-a-"}} is invalid: find lists the whole vault, which tenant "team-a"\'s identity may not do; name its secrets in data or dataFrom.extract.',
            ]);
        });

        it("rejects a namespace owned by two tenants", () => {
            const config = tenantsConfig();
            config.tenants[1].namespaces.push("team-a");
            assert.deepEqual(problemsOf(config), [
                'tenants[1].namespaces[2] "team-a" is invalid: namespace "team-a" already belongs to tenant "team-a"; a namespace has one tenant.',
            ]);
        });

        it("rejects opening a tenant's namespace to the shared store", () => {
            const config = tenantsConfig();
            config.store = { namespaces: ["platform", "team-b"] };
            assert.deepEqual(problemsOf(config), [
                'store.namespaces[1] "team-b" is invalid: namespace "team-b" belongs to tenant "team-b"; the shared store reads secrets no tenant owns and must not serve it.',
            ]);
        });

        it("asks for each tenant's managed identity in managed identity mode", () => {
            const config = tenantsConfig({
                mode: "managedIdentity",
                clientId: "55555555-5555-4555-a555-555555555555",
                principalId: "66666666-6666-4666-a666-666666666666",
            });
            assert.deepEqual(problemsOf(config), [
                "tenants[0].managedIdentity is required: set it with `pulumi config set --path tenants[0].managedIdentity.<key> <value>`.",
                "tenants[1].managedIdentity is required: set it with `pulumi config set --path tenants[1].managedIdentity.<key> <value>`.",
            ]);
        });

        it("rejects a tenant without secrets", () => {
            const config = tenantsConfig();
            config.tenants[0].secrets = {};
            assert.deepEqual(problemsOf(config), [
                "tenants[0].secrets {} is invalid: list the tenant's Key Vault secret names, a prefix, or both.",
            ]);
        });
    });
});

describe("ExternalSecret features", () => {
    function withExternalSecret(es: Record<string, unknown>): Record<string, unknown> {
        return {
            ...runbookConfig(),
            kubernetes: { ownedNamespaces: ["apps"] },
            externalSecrets: [{ name: "app", namespace: "apps", ...es }],
            workloads: [],
        };
    }

    it("passes refreshPolicy, deletionPolicy, pinned versions, properties and object prefixes through to ESO", async () => {
        const { cloud } = await runProgram(
            withExternalSecret({
                refreshPolicy: "OnChange",
                deletionPolicy: "Delete",
                data: {
                    password: { key: "secret/db", version: "0123456789abcdef0123456789abcdef", property: "password" },
                    "tls.crt": "cert/tls",
                    "jwk.json": "key/signing",
                },
            }),
        );
        const spec = inputsOf(only(cloud, TYPES.externalSecret)).spec;
        assert.equal(spec.refreshPolicy, "OnChange");
        assert.equal(spec.target.deletionPolicy, "Delete");
        assert.deepEqual(spec.data, [
            {
                secretKey: "password",
                remoteRef: { key: "secret/db", version: "0123456789abcdef0123456789abcdef", property: "password" },
            },
            { secretKey: "tls.crt", remoteRef: { key: "cert/tls" } },
            { secretKey: "jwk.json", remoteRef: { key: "key/signing" } },
        ]);
    });

    it("grants the shared identity Key Vault Reader when it reads certificates or keys", async () => {
        const { cloud } = await runProgram(withExternalSecret({ data: { "tls.crt": "cert/tls" } }));
        const roles = cloud
            .ofType(TYPES.roleAssignment)
            .map((a) => inputsOf(a).roleDefinitionId.split("/").pop())
            .sort();
        assert.deepEqual(roles, ["21090545-7ca7-4776-b22c-e363652d74d2", "4633458b-17de-408a-b874-0445c86b69e6"]);
    });

    it("reads a JSON secret into keys with dataFrom.extract and finds secrets by name or tags", async () => {
        const { cloud } = await runProgram(
            withExternalSecret({
                dataFrom: [
                    { extract: { key: "app-settings" } },
                    { find: { name: { regexp: "^app-" } } },
                    { find: { tags: { team: "app" } } },
                ],
            }),
        );
        const spec = inputsOf(only(cloud, TYPES.externalSecret)).spec;
        assert.equal(spec.data, undefined);
        assert.deepEqual(spec.dataFrom, [
            { extract: { key: "app-settings" } },
            { find: { name: { regexp: "^app-" } } },
            { find: { tags: { team: "app" } } },
        ]);
    });

    it("shapes the Secret with a template on engine v2", async () => {
        const { cloud } = await runProgram(
            withExternalSecret({
                data: { password: "db-password" },
                template: {
                    type: "Opaque",
                    data: { url: "postgres://app:{{ .password }}@db:5432/app" },
                    metadata: { labels: { app: "db" } },
                },
            }),
        );
        assert.deepEqual(inputsOf(only(cloud, TYPES.externalSecret)).spec.target.template, {
            engineVersion: "v2",
            type: "Opaque",
            data: { url: "postgres://app:{{ .password }}@db:5432/app" },
            metadata: { labels: { app: "db" } },
        });
    });

    it("produces ExternalSecrets ESO's v1 schema accepts, templates and dataFrom included", async () => {
        const { cloud } = await runProgram({
            ...tenantsConfig(),
            // find lists the vault: the shared identity must be allowed to.
            store: { vaultWideAccess: true },
            externalSecrets: [
                ...tenantsConfig().externalSecrets,
                {
                    name: "full",
                    namespace: "platform",
                    refreshPolicy: "Periodic",
                    deletionPolicy: "Retain",
                    data: { a: { key: "cert/tls", decodingStrategy: "Base64" } },
                    dataFrom: [
                        { extract: { key: "platform-key", property: "nested" } },
                        { find: { tags: { env: "prod" } } },
                    ],
                    template: { type: "kubernetes.io/tls", data: { "tls.crt": "{{ .a }}" }, mergePolicy: "Merge" },
                },
            ],
            velero: {},
        });
        const objects = cloud.ofType(TYPES.externalSecret).map((r) => inputsOf(r) as KubernetesObject);
        assert.equal(objects.length, 5);
        assert.deepEqual(await validateObjects(objects), []);
    });

    it("rejects malformed references before anything is registered", () => {
        const config = withExternalSecret({
            data: { a: "vault/x", b: { key: "db", version: "latest" } },
            dataFrom: [{ find: { name: { regexp: "(" } } }, { copy: { key: "x" } }],
            refreshPolicy: "Hourly",
        });
        assert.deepEqual(problemsOf(config), [
            'externalSecrets[0].refreshPolicy "Hourly" is invalid: use Periodic, OnChange or CreatedOnce (ESO refresh policy).',
            'externalSecrets[0].data.a "vault/x" is invalid: use a Key Vault object name of 1-127 letters, digits and hyphens, optionally prefixed with secret/, cert/ or key/.',
            'externalSecrets[0].data.b.version "latest" is invalid: use a Key Vault version id: 32 lower-case hexadecimal characters.',
            'externalSecrets[0].dataFrom[0].find.name.regexp "(" is invalid: use a valid regular expression, such as ^team-a-.',
            'externalSecrets[0].dataFrom[1] {"copy":{"key":"x"}} is invalid: use { extract: { key: <secret> } } (a JSON secret to keys), { find: { name: { regexp: <re> } } } / { find: { tags: {...} } }, or { sourceRef: { generatorRef: { kind: Password, name: <generator> } } }.',
        ]);
    });
});

describe("Velero preset", () => {
    it("writes Velero's Azure credentials file into key cloud of Secret cloud-credentials", () => {
        const es = veleroExternalSecret(
            {
                namespace: "velero",
                secretName: "cloud-credentials",
                refreshInterval: "1h",
                keyVaultSecrets: {
                    subscriptionId: "velero-subscription-id",
                    tenantId: "velero-tenant-id",
                    clientId: "velero-client-id",
                    clientSecret: "velero-client-secret",
                    resourceGroup: "velero-resource-group",
                },
            },
            "PublicCloud",
        );
        assert.equal(es.target, "cloud-credentials");
        assert.equal(es.namespace, "velero");
        assert.equal(
            es.template?.data?.cloud,
            [
                "AZURE_SUBSCRIPTION_ID={{ .subscriptionId }}",
                "AZURE_TENANT_ID={{ .tenantId }}",
                "AZURE_CLIENT_ID={{ .clientId }}",
                "AZURE_CLIENT_SECRET={{ .clientSecret }}",
                "AZURE_RESOURCE_GROUP={{ .resourceGroup }}",
                "AZURE_CLOUD_NAME=AzurePublicCloud",
                "",
            ].join("\n"),
        );
        assert.deepEqual(es.data, {
            subscriptionId: { key: "velero-subscription-id" },
            tenantId: { key: "velero-tenant-id" },
            clientId: { key: "velero-client-id" },
            clientSecret: { key: "velero-client-secret" },
            resourceGroup: { key: "velero-resource-group" },
        });
    });

    it("names the environment outside the public cloud", () => {
        const es = veleroExternalSecret(
            {
                namespace: "velero",
                secretName: "cloud-credentials",
                refreshInterval: "1h",
                keyVaultSecrets: {
                    subscriptionId: "s",
                    tenantId: "t",
                    clientId: "c",
                    clientSecret: "x",
                    resourceGroup: "r",
                },
            },
            "USGovernmentCloud",
        );
        assert.match(
            es.template?.data?.cloud ?? "",
            /\nAZURE_CLOUD_NAME=AzureUSGovernmentCloud\nAZURE_ENVIRONMENT=AzureUSGovernmentCloud\n$/,
        );
    });

    it("deploys the credentials ExternalSecret in Velero's namespace through the shared store", async () => {
        const { cloud } = await runProgram({ ...runbookConfig(), velero: {} });
        const es = cloud
            .ofType(TYPES.externalSecret)
            .map(inputsOf)
            .find((e) => e.metadata.namespace === "velero");
        assert.equal(es?.metadata.name, "cloud-credentials");
        assert.equal(es?.spec.target.name, "cloud-credentials");
        assert.deepEqual(es?.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "azure-secret-store" });
        assert.deepEqual(Object.keys(es?.spec.target.template.data ?? {}), ["cloud"]);
    });

    it("refuses a tenant's namespace for Velero's credentials", () => {
        const config = tenantsConfig();
        config.velero = { namespace: "team-a" };
        assert.deepEqual(problemsOf(config), [
            'velero.namespace "team-a" is invalid: namespace "team-a" belongs to tenant "team-a"; Velero\'s credentials are the platform\'s.',
            'kubernetes.ownedNamespaces[0] "team-a" is invalid: "team-a" is Velero\'s namespace, which Velero\'s installation creates and owns; the stack would create it under the "restricted" Pod Security level, which refuses the privileged pods it runs (Velero\'s node-agent DaemonSet mounts hostPath volumes (host-pods, host-plugins); Kubernetes Pod Security Standards forbid hostPath volumes from the baseline level up, so restricted refuses its pods): list it in kubernetes.existingNamespaces.',
        ]);
    });
});

describe("a tenant's access check", () => {
    it("reads each object of all its namespaces once, in the same order whichever namespace reads it", async () => {
        const { cloud } = await runProgram(
            twoTenantsWith((c) => {
                c.seededSecrets["team-a-batch"] = "b";
                c.kubernetes.ownedNamespaces.push("team-a-jobs");
                c.tenants[0].namespaces = ["team-a", "team-a-jobs"];
                c.externalSecrets.push(
                    { name: "batch", namespace: "team-a-jobs", data: { token: "team-a-batch" } },
                    { name: "db", namespace: "team-a-jobs", data: { password: "team-a-db" } },
                );
            }),
        );
        const probe = cloud.ofType(TYPES.command).find((c) => c.name.startsWith("tenant-team-a-"));
        assert.deepEqual(JSON.parse(inputsOf(probe as RecordedResource).environment.PROBE_OBJECTS), [
            "team-a-batch",
            "team-a-db",
        ]);
    });
});

describe("an ExternalSecret's dataFrom", () => {
    it("extracts a seeded secret only once it exists in the vault", async () => {
        const { cloud } = await runProgram(
            runbookWith((c) => {
                delete c.externalSecrets[0].data;
                c.externalSecrets[0].dataFrom = [{ extract: { key: "key-vault-secret-name" } }];
            }),
        );
        const externalSecret = only(cloud, TYPES.externalSecret);
        assert.deepEqual(inputsOf(externalSecret).spec.dataFrom, [{ extract: { key: "key-vault-secret-name" } }]);
        assert.ok(
            externalSecret.dependencies.includes(only(cloud, TYPES.kvSecret).urn),
            externalSecret.dependencies.join(", "),
        );
    });
});
