import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
    AppRegistration,
    ClientSecret,
    CredentialSecret,
    defaultVaultName,
    ESO_RESOURCES,
    ExternalSecretsOperator,
    type CreatedVault,
    KeyVault,
    Namespaces,
    objectGrants,
    requireUnchangeable,
    SecretStore,
    type SeededSecret,
    SyncedSecrets,
    VaultAccess,
    VaultSecrets,
    VaultSettingError,
    vaultUrlInCloud,
    Workload,
} from "../components";
import { reveal } from "../plan/secrets";
import { isSecretValue } from "../plan/simulatedCloud";
import { inputsOf, isSecretInput, only, registeredOutputsOf, startCloud, TYPES, unwrap } from "./mocks";

const VAULT_ID =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test";

describe("KeyVault", () => {
    async function vaultInputs(settings: Partial<CreatedVault> = {}) {
        const cloud = await startCloud();
        const vault = new KeyVault("kv", {
            vault: { existing: false, name: "kv-test", ...settings },
            resourceGroupName: "rg",
            location: "westeurope",
            tenantId: "11111111-1111-4111-a111-111111111111",
            subscriptionId: "22222222-2222-4222-a222-222222222222",
        });
        await cloud.settle();
        return { inputs: inputsOf(only(cloud, TYPES.vault)), vault };
    }

    it("authorizes with Azure RBAC on the standard SKU in the given tenant", async () => {
        const { inputs } = await vaultInputs();
        assert.equal(inputs.vaultName, "kv-test");
        assert.equal(inputs.resourceGroupName, "rg");
        assert.equal(inputs.location, "westeurope");
        assert.equal(inputs.properties.enableRbacAuthorization, true);
        assert.deepEqual(inputs.properties.sku, { family: "A", name: "standard" });
        assert.equal(inputs.properties.tenantId, "11111111-1111-4111-a111-111111111111");
        assert.equal(inputs.properties.accessPolicies, undefined);
    });

    it("keeps deleted secrets 90 days and turns purge protection on by default", async () => {
        const { inputs } = await vaultInputs();
        assert.equal(inputs.properties.softDeleteRetentionInDays, 90);
        assert.equal(inputs.properties.enablePurgeProtection, true);
    });

    it("leaves purge protection unset when it is off, since ARM rejects false", async () => {
        const { inputs } = await vaultInputs({ purgeProtection: false, softDeleteRetentionDays: 7 });
        assert.equal("enablePurgeProtection" in inputs.properties, false);
        assert.equal(inputs.properties.softDeleteRetentionInDays, 7);
    });

    it("exposes the vault URI the service reports", async () => {
        const { vault } = await vaultInputs();
        assert.equal(await unwrap(vault.vaultUri), "https://kv-test.vault.azure.net/");
        assert.equal(await unwrap(vault.vaultId), VAULT_ID);
    });
});

describe("VaultSecrets", () => {
    /** 2026-03-01T00:00:00Z, a clock tests pin. */
    const NOW = new Date(Date.UTC(2026, 2, 1));
    const NOW_SECONDS = NOW.getTime() / 1000;

    async function seed(secrets: Record<string, Partial<SeededSecret>>) {
        const cloud = await startCloud();
        const seeded = new VaultSecrets("seeded", {
            resourceGroupName: "rg",
            vaultName: "kv-test",
            now: NOW,
            secrets: Object.fromEntries(
                Object.entries(secrets).map(([name, secret]) => [
                    name,
                    { value: "v", contentType: "text/plain", expiry: { afterDays: 365 }, ...secret },
                ]),
            ),
        });
        await cloud.settle();
        return { cloud, seeded };
    }

    it("writes each seeded secret into the vault with its value sent as a secret", async () => {
        const { cloud, seeded } = await seed({
            "db-password": { value: pulumi.secret("hunter2") },
            "api-key": { value: "plain-in-config" },
        });
        const secrets = cloud.ofType(TYPES.kvSecret);
        assert.deepEqual(secrets.map((s) => [inputsOf(s).secretName, inputsOf(s).properties.value]).sort(), [
            ["api-key", "plain-in-config"],
            ["db-password", "hunter2"],
        ]);
        for (const secret of secrets) assert.ok(isSecretInput(secret, "properties.value"));
        assert.equal(
            await unwrap(seeded.secretIds["db-password"] as pulumi.Output<string>),
            `${VAULT_ID}/secrets/db-password`,
        );
    });

    it("gives each secret its content type", async () => {
        const { cloud } = await seed({ db: { contentType: "password" }, api: {} });
        const types = cloud
            .ofType(TYPES.kvSecret)
            .map((s) => [inputsOf(s).secretName, inputsOf(s).properties.contentType]);
        assert.deepEqual(types.sort(), [
            ["api", "text/plain"],
            ["db", "password"],
        ]);
    });

    it("expires a secret the configured number of days after its creation, in seconds since 1970", async () => {
        const { cloud } = await seed({ db: { expiry: { afterDays: 30 } } });
        const secret = only(cloud, TYPES.kvSecret);
        assert.equal(inputsOf(secret).properties.attributes.expires, NOW_SECONDS + 30 * 24 * 3600);
        assert.deepEqual(secret.options.ignoreChanges, ["properties.attributes.expires"]);
    });

    /** The state a later run leaves for secret "db", deployed before with `deployed` as its inputs. */
    async function rerun(deployed: Record<string, unknown>, secret: Partial<SeededSecret>, daysLater: number) {
        const urn = only((await seed({ db: {} })).cloud, TYPES.kvSecret).urn;
        const cloud = await startCloud({ deployed: new Map([[urn, deployed]]) });
        new VaultSecrets("seeded", {
            resourceGroupName: "rg",
            vaultName: "kv-test",
            now: new Date(NOW.getTime() + daysLater * 24 * 3600 * 1000),
            secrets: { db: { value: "v", contentType: "text/plain", expiry: { afterDays: 30 }, ...secret } },
        });
        await cloud.settle();
        return reveal(only(cloud, TYPES.kvSecret).outputs) as Record<string, any>;
    }

    it("keeps a deployed secret's expiry on later runs, so the clock does not update every secret", async () => {
        const first = inputsOf(only((await seed({ db: { expiry: { afterDays: 30 } } })).cloud, TYPES.kvSecret));
        const state = await rerun(first, {}, 90);
        assert.equal(state.properties.attributes.expires, NOW_SECONDS + 30 * 24 * 3600);
    });

    it("leaves a secret deployed without an expiry without one until it is given a fixed day", async () => {
        const before = { properties: { value: "v" } };
        const kept = await rerun(before, {}, 1);
        assert.equal(kept.properties.value, "v");
        assert.equal(kept.properties.attributes?.expires, undefined);
        const renewed = await rerun(before, { expiry: { on: "2027-06-30" } }, 1);
        assert.equal(renewed.properties.attributes.expires, Date.UTC(2027, 5, 30) / 1000);
    });

    it("expires a secret on a fixed day at midnight UTC, applied on every update so changing it renews", async () => {
        const { cloud } = await seed({ db: { expiry: { on: "2027-06-30" } } });
        const secret = only(cloud, TYPES.kvSecret);
        assert.equal(inputsOf(secret).properties.attributes.expires, Date.UTC(2027, 5, 30) / 1000);
        assert.deepEqual(secret.options.ignoreChanges, []);
    });
});

describe("AppRegistration", () => {
    async function identity() {
        const cloud = await startCloud();
        const app = new AppRegistration("id", { displayName: "external-secret-operator", owners: ["owner-object-id"] });
        await cloud.settle();
        return { cloud, app };
    }

    it("registers a single-tenant application owned by the deployer", async () => {
        const { cloud } = await identity();
        const app = inputsOf(only(cloud, TYPES.application));
        assert.equal(app.displayName, "external-secret-operator");
        assert.equal(app.signInAudience, "AzureADMyOrg");
        assert.deepEqual(app.owners, ["owner-object-id"]);
    });

    it("lets the standalone permission and identifier URI resources own those properties", async () => {
        const { cloud } = await identity();
        assert.deepEqual(only(cloud, TYPES.application).options.ignoreChanges, [
            "identifierUris",
            "requiredResourceAccesses",
        ]);
    });

    it("creates the service principal for the application's client id", async () => {
        const { cloud, app } = await identity();
        assert.equal(inputsOf(only(cloud, TYPES.servicePrincipal)).clientId, await unwrap(app.clientId));
    });

    it("grants the delegated user_impersonation permission on the Azure Key Vault API", async () => {
        const { cloud, app } = await identity();
        const access = inputsOf(only(cloud, TYPES.apiAccess));
        assert.equal(access.applicationId, await unwrap(app.applicationId));
        assert.equal(access.apiClientId, "cfa8b339-82a2-471a-a3c9-0fc0be7a4093");
        assert.deepEqual(access.scopeIds, ["f53da476-18e3-4152-8e01-aec403e6edc0"]);
    });

    it("exposes the API as api://<clientId>", async () => {
        const { cloud, app } = await identity();
        const uri = inputsOf(only(cloud, TYPES.identifierUri));
        assert.equal(uri.identifierUri, `api://${await unwrap(app.clientId)}`);
        assert.match(uri.applicationId, /^\/applications\//);
    });
});

describe("VaultAccess", () => {
    it("assigns Key Vault Secrets User on the vault alone, to a service principal", async () => {
        const cloud = await startCloud();
        new VaultAccess("access", {
            principalId: "sp-object-id",
            subscriptionId: "22222222-2222-4222-a222-222222222222",
            grants: { secrets: { vault: VAULT_ID } },
        });
        await cloud.settle();
        const assignment = inputsOf(only(cloud, TYPES.roleAssignment));
        assert.equal(assignment.scope, VAULT_ID);
        assert.equal(assignment.principalId, "sp-object-id");
        assert.equal(assignment.principalType, "ServicePrincipal");
        assert.equal(
            assignment.roleDefinitionId,
            "/subscriptions/22222222-2222-4222-a222-222222222222/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
        );
    });
});

describe("ClientSecret", () => {
    const now = new Date("2026-11-28T10:00:00Z");

    it("ends the password the configured number of days after it is created", async () => {
        const cloud = await startCloud();
        new ClientSecret("pw", { applicationId: "/applications/app", slot: "a", lifetimeDays: 180, now });
        await cloud.settle();
        const password = inputsOf(only(cloud, TYPES.password));
        assert.equal(password.endDate, "2027-05-27T10:00:00Z");
        assert.equal(password.applicationId, "/applications/app");
    });

    it("names the password after its slot and keeps later runs from replacing it", async () => {
        const cloud = await startCloud();
        new ClientSecret("pw", { applicationId: "/applications/app", slot: "b", lifetimeDays: 30, now });
        await cloud.settle();
        const password = only(cloud, TYPES.password);
        assert.equal(password.name, "pw-b");
        assert.deepEqual(password.options.ignoreChanges, ["endDate"]);
    });

    it("returns the password as a secret", async () => {
        await startCloud();
        const secret = new ClientSecret("pw", { applicationId: "/applications/app", slot: "a", lifetimeDays: 30, now });
        assert.equal(await pulumi.isSecret(secret.value), true);
    });

    it("keeps the password a secret in the component's state, beside its end date", async () => {
        const cloud = await startCloud();
        new ClientSecret("pw", { applicationId: "/applications/app", slot: "a", lifetimeDays: 30, now });
        await cloud.settle();
        const state = registeredOutputsOf(only(cloud, "eso-keyvault:identity:ClientSecret"));
        assert.deepEqual(Object.keys(state).sort(), ["endDate", "value"]);
        assert.ok(isSecretValue(state.value));
        assert.equal(state.endDate, "2026-12-28T10:00:00Z");
    });
});

describe("CredentialSecret", () => {
    it("stores the client id and secret under the configured keys in ESO's namespace, as a secret", async () => {
        const cloud = await startCloud();
        new CredentialSecret("creds", {
            namespace: "external-secrets",
            secretName: "azure-secret-sp",
            clientIdKey: "ClientID",
            clientSecretKey: "ClientSecret",
            clientId: "client-id",
            clientSecret: pulumi.secret("s3cret"),
        });
        await cloud.settle();
        const secret = only(cloud, TYPES.secret);
        const inputs = inputsOf(secret);
        assert.deepEqual(inputs.metadata.name, "azure-secret-sp");
        assert.deepEqual(inputs.metadata.namespace, "external-secrets");
        assert.deepEqual(inputs.stringData, { ClientID: "client-id", ClientSecret: "s3cret" });
        assert.ok(isSecretInput(secret, "stringData"));
    });
});

describe("ExternalSecretsOperator", () => {
    async function operator(args: Partial<ConstructorParameters<typeof ExternalSecretsOperator>[1]> = {}) {
        const cloud = await startCloud();
        new ExternalSecretsOperator("eso", {
            namespace: "external-secrets",
            releaseName: "external-secrets",
            chartVersion: "2.9.0",
            ...args,
        });
        await cloud.settle();
        return cloud;
    }

    it("installs the pinned chart from the ESO repository with its CRDs", async () => {
        const release = inputsOf(only(await operator(), TYPES.release));
        assert.equal(release.chart, "external-secrets");
        assert.equal(release.version, "2.9.0");
        assert.deepEqual(release.repositoryOpts, { repo: "https://charts.external-secrets.io" });
        assert.equal(release.values.installCRDs, true);
        assert.equal(release.namespace, "external-secrets");
    });

    it("waits for the release to be ready so the webhook serves before custom resources arrive", async () => {
        const release = inputsOf(only(await operator(), TYPES.release));
        assert.notEqual(release.skipAwait, true);
        assert.equal(release.atomic, true);
    });

    it("gives each of the chart's pods resources and RuntimeDefault seccomp and AppArmor profiles", async () => {
        const { values } = inputsOf(only(await operator(), TYPES.release));
        const profiles = { seccompProfile: { type: "RuntimeDefault" }, appArmorProfile: { type: "RuntimeDefault" } };
        for (const [pod, settings] of [
            ["controller", values],
            ["webhook", values.webhook],
            ["certController", values.certController],
        ] as const) {
            assert.deepEqual(settings.resources, ESO_RESOURCES[pod], pod);
            assert.deepEqual(settings.podSecurityContext, { enabled: true, ...profiles }, pod);
            assert.deepEqual(settings.securityContext, { enabled: true, ...profiles }, pod);
        }
    });

    it("leaves AppArmor out of the chart's pods when the nodes have none, and takes configured resources", async () => {
        const webhook = { requests: { cpu: "20m", memory: "48Mi" }, limits: { cpu: "1", memory: "512Mi" } };
        const { values } = inputsOf(
            only(await operator({ appArmor: false, resources: { ...ESO_RESOURCES, webhook } }), TYPES.release),
        );
        assert.deepEqual(values.podSecurityContext, { enabled: true, seccompProfile: { type: "RuntimeDefault" } });
        assert.equal(values.certController.securityContext.appArmorProfile, undefined);
        assert.deepEqual(values.webhook.resources, webhook);
    });

    it("creates ESO's namespace under the restricted Pod Security profile", async () => {
        const namespace = inputsOf(only(await operator(), TYPES.namespace));
        assert.equal(namespace.metadata.name, "external-secrets");
        assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });
});

describe("SecretStore", () => {
    async function storeWith(args: Partial<ConstructorParameters<typeof SecretStore>[1]> = {}) {
        const cloud = await startCloud();
        new SecretStore("store", {
            storeName: "azure-secret-store",
            scope: { kind: "ClusterSecretStore" },
            vaultUrl: "https://kv-test.vault.azure.net/",
            cloud: "PublicCloud",
            auth: {
                type: "servicePrincipal",
                secretName: "azure-secret-sp",
                secretNamespace: "external-secrets",
                clientIdKey: "ClientID",
                clientSecretKey: "ClientSecret",
                tenantId: "11111111-1111-4111-a111-111111111111",
            },
            readyTimeoutSeconds: 900,
            ...args,
        });
        await cloud.settle();
        return cloud;
    }

    it("is an external-secrets.io/v1 ClusterSecretStore for Azure Key Vault with namespaced secret refs", async () => {
        const store = inputsOf(only(await storeWith(), TYPES.clusterSecretStore));
        assert.equal(store.apiVersion, "external-secrets.io/v1");
        assert.equal(store.kind, "ClusterSecretStore");
        assert.equal(store.metadata.name, "azure-secret-store");
        assert.deepEqual(store.spec.provider.azurekv, {
            authType: "ServicePrincipal",
            tenantId: "11111111-1111-4111-a111-111111111111",
            vaultUrl: "https://kv-test.vault.azure.net/",
            environmentType: "PublicCloud",
            authSecretRef: {
                clientId: { name: "azure-secret-sp", namespace: "external-secrets", key: "ClientID" },
                clientSecret: { name: "azure-secret-sp", namespace: "external-secrets", key: "ClientSecret" },
            },
        });
    });

    it("makes `pulumi up` wait until the store is Ready, for the configured time", async () => {
        const store = inputsOf(only(await storeWith({ readyTimeoutSeconds: 1200 }), TYPES.clusterSecretStore));
        assert.deepEqual(store.metadata.annotations, {
            "pulumi.com/waitFor": "condition=Ready",
            "pulumi.com/timeoutSeconds": "1200",
        });
    });

    it("accepts a vault URI of its cloud and refuses one of another cloud", () => {
        assert.doesNotThrow(() => vaultUrlInCloud("https://kv-test.vault.azure.cn/", "ChinaCloud"));
        assert.doesNotThrow(() => vaultUrlInCloud("https://kv-test.vault.usgovcloudapi.net/", "USGovernmentCloud"));
        assert.throws(
            () => vaultUrlInCloud("https://kv-test.vault.azure.net/", "ChinaCloud"),
            /^Error: the vault URI https:\/\/kv-test\.vault\.azure\.net\/ is not in ChinaCloud \(\*\.vault\.azure\.cn\)/,
        );
    });
});

/** A stand-in for a store resource: something to depend on. */
class Store extends pulumi.CustomResource {
    constructor(name: string) {
        super("test:index:Store", name, {});
    }
}

describe("SyncedSecrets", () => {
    async function synced() {
        const cloud = await startCloud();
        const store = new Store("store");
        const secrets = new SyncedSecrets("synced", {
            externalSecrets: [
                {
                    key: "app-namespace/external-secret",
                    formerKey: "app-namespace-external-secret",
                    name: "external-secret",
                    namespace: "app-namespace",
                    // A store name that resolves once the store exists, as storeRefOf hands it out.
                    store: { kind: "ClusterSecretStore", name: store.urn.apply(() => "azure-secret-store") },
                    targetName: "cloud-credentials",
                    refreshInterval: "1h",
                    creationPolicy: "Owner",
                    data: { "cloud-credentials": { key: "key-vault-secret-name" } },
                },
            ],
            readyTimeoutSeconds: 900,
        });
        await cloud.settle();
        return { cloud, store, secrets };
    }

    it("syncs each Key Vault secret into its key of the target Secret through the store", async () => {
        const { cloud } = await synced();
        const es = inputsOf(only(cloud, TYPES.externalSecret));
        assert.equal(es.apiVersion, "external-secrets.io/v1");
        assert.deepEqual(es.metadata, {
            name: "external-secret",
            namespace: "app-namespace",
            annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "900" },
        });
        assert.deepEqual(es.spec, {
            refreshInterval: "1h",
            secretStoreRef: { kind: "ClusterSecretStore", name: "azure-secret-store" },
            target: { name: "cloud-credentials", creationPolicy: "Owner" },
            data: [{ secretKey: "cloud-credentials", remoteRef: { key: "key-vault-secret-name" } }],
        });
    });

    it("applies each ExternalSecret after its store, names it by its key, and hands out its Secret once synced", async () => {
        const { cloud, secrets } = await synced();
        const es = only(cloud, TYPES.externalSecret);
        assert.equal(es.name, "synced-app-namespace/external-secret");
        assert.ok(es.dependencies.includes(only(cloud, "test:index:Store").urn));
        assert.equal(await unwrap(secrets.secretName("app-namespace/external-secret")), "cloud-credentials");
        assert.throws(() => secrets.secretName("nope"), /no ExternalSecret with key "nope"/);
    });

    it("keeps the name it had before as an alias, so a deployed ExternalSecret is not replaced", async () => {
        const { cloud } = await synced();
        assert.deepEqual(only(cloud, TYPES.externalSecret).aliases, ["synced-app-namespace-external-secret"]);
    });
});

describe("Namespaces", () => {
    it("creates the namespaces it owns and never touches existing ones", async () => {
        const cloud = await startCloud();
        const namespaces = new Namespaces("apps", { owned: ["team-a"], existing: ["shared"] });
        await cloud.settle();
        assert.deepEqual(
            cloud.ofType(TYPES.namespace).map((n) => inputsOf(n).metadata.name),
            ["team-a"],
        );
        assert.equal(await unwrap(namespaces.get("shared")), "shared");
        assert.throws(() => namespaces.get("elsewhere"), /namespace "elsewhere" was not declared/);
    });

    it("refuses to own a namespace that exists or that another component creates", async () => {
        await startCloud();
        assert.throws(
            () => new Namespaces("apps", { owned: ["shared"], existing: ["shared"] }),
            /namespace "shared" is owned by this stack and also exists or is created elsewhere/,
        );
    });
});

/** The Pod a Workload of the runbook's shape creates, with `args` and `opts` changed. */
async function podOf(
    args: Partial<ConstructorParameters<typeof Workload>[1]>,
    opts: pulumi.ComponentResourceOptions = {},
) {
    const cloud = await startCloud();
    new Workload(
        "app",
        {
            podName: "app-name",
            namespace: "app-namespace",
            image: "registry.k8s.io/pause:3.10",
            secretName: "cloud-credentials",
            mountPath: "/credentials",
            ...args,
        },
        opts,
    );
    await cloud.settle();
    return only(cloud, TYPES.pod);
}

describe("Workload", () => {
    const pod = async (args: Partial<ConstructorParameters<typeof Workload>[1]> = {}) => inputsOf(await podOf(args));

    it("mounts the synced Secret read-only with file mode 0400", async () => {
        const { spec } = await pod();
        assert.deepEqual(spec.volumes, [
            { name: "credentials", secret: { secretName: "cloud-credentials", defaultMode: 0o400 } },
        ]);
        assert.deepEqual(spec.containers[0].volumeMounts, [
            { name: "credentials", mountPath: "/credentials", readOnly: true },
        ]);
    });

    it("runs under the restricted Pod Security profile", async () => {
        const { spec } = await pod();
        assert.equal(spec.securityContext.runAsNonRoot, true);
        assert.equal(spec.securityContext.seccompProfile.type, "RuntimeDefault");
        assert.ok(spec.securityContext.runAsUser > 0);
        assert.equal(spec.securityContext.fsGroup, spec.securityContext.runAsGroup);
        const container = spec.containers[0].securityContext;
        assert.equal(container.allowPrivilegeEscalation, false);
        assert.deepEqual(container.capabilities, { drop: ["ALL"] });
        assert.equal(container.readOnlyRootFilesystem, true);
        assert.equal(spec.automountServiceAccountToken, false);
    });

    it("runs under the runtime's default AppArmor profile unless the nodes have no AppArmor", async () => {
        assert.deepEqual((await pod()).spec.securityContext.appArmorProfile, { type: "RuntimeDefault" });
        assert.equal((await pod({ appArmor: false })).spec.securityContext.appArmorProfile, undefined);
    });

    it("requests and limits CPU and memory, by default and as configured", async () => {
        assert.deepEqual((await pod()).spec.containers[0].resources, {
            requests: { cpu: "10m", memory: "32Mi" },
            limits: { cpu: "200m", memory: "128Mi" },
        });
        const given = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "1Gi" } };
        assert.deepEqual((await pod({ resources: given })).spec.containers[0].resources, given);
    });
});

describe("Workload, renamed or given a command", () => {
    it("runs the configured command instead of the image's entrypoint", async () => {
        const pod = await podOf({ command: ["sleep", "infinity"] });
        assert.deepEqual(inputsOf(pod).spec.containers[0].command, ["sleep", "infinity"]);
    });

    it("keeps its Pod under the Pod's former name when the component was renamed, and only then", async () => {
        const renamed = await podOf({}, { aliases: [{ name: "old-app" }, { type: "eso-keyvault:index:App" }] });
        assert.deepEqual(renamed.aliases, ["old-app-pod"]);
        const unrenamed = await podOf({});
        assert.deepEqual(unrenamed.aliases, []);
    });
});

describe("vault helpers", () => {
    it("drops a hyphen the name's length limit leaves at the end of the stack's part", () => {
        assert.equal(defaultVaultName("team-platform-prod", "a1b2c3"), "kv-team-platform-a1b2c3");
    });

    it("accepts a deployed vault whose fixed settings match, and names its refusals", () => {
        assert.doesNotThrow(() =>
            requireUnchangeable(
                "kv",
                { softDeleteRetentionDays: 30, purgeProtection: true },
                { softDeleteRetentionInDays: 30, enablePurgeProtection: true },
            ),
        );
        // A vault that reports no retention (nor purge protection) has nothing to compare.
        assert.doesNotThrow(() =>
            requireUnchangeable("kv", { softDeleteRetentionDays: 30, purgeProtection: false }, {}),
        );
        assert.throws(
            () =>
                requireUnchangeable(
                    "kv",
                    { softDeleteRetentionDays: 30, purgeProtection: false },
                    { softDeleteRetentionInDays: 30, enablePurgeProtection: true },
                ),
            (error: Error) =>
                error instanceof VaultSettingError &&
                error.name === "VaultSettingError" &&
                error.message ===
                    "vault.purgeProtection is false, but Key Vault kv has purge protection on, which cannot be turned off. Set vault.purgeProtection back to true.",
        );
    });

    it("grants Key Vault Reader on each certificate and key, named after the object", async () => {
        await startCloud();
        const grants = objectGrants(VAULT_ID, { secrets: [], certificates: ["tls"], keys: ["signing"] });
        const readers = grants.readers ?? {};
        assert.deepEqual(Object.keys(readers), ["certificate-tls", "key-signing"]);
        assert.equal(await unwrap(pulumi.output(readers["certificate-tls"])), `${VAULT_ID}/certificates/tls`);
        assert.equal(await unwrap(pulumi.output(readers["key-signing"])), `${VAULT_ID}/keys/signing`);
    });

    it("grants a certificate on the certificate, even when the stack creates a secret of the same name", async () => {
        await startCloud();
        const created = `${VAULT_ID}/secrets/tls`;
        const grants = objectGrants(VAULT_ID, { secrets: ["tls"], certificates: ["tls"], keys: [] }, { tls: created });
        assert.equal(grants.secrets["secret-tls"], created);
        assert.equal(
            await unwrap(pulumi.output((grants.readers ?? {})["certificate-tls"])),
            `${VAULT_ID}/certificates/tls`,
        );
    });
});

describe("VaultSecrets.reference", () => {
    it("waits for a seeded secret read as a secret, and never for a certificate or key of the same name", async () => {
        const cloud = await startCloud();
        const seeded = new VaultSecrets("seeded", {
            resourceGroupName: "rg",
            vaultName: "kv-test",
            secrets: { db: { value: "v", contentType: "text/plain", expiry: { afterDays: 30 } } },
        });
        for (const reference of ["db", "secret/db"]) {
            assert.ok(pulumi.Output.isInstance(seeded.reference(reference)), reference);
            assert.equal(await unwrap(pulumi.output(seeded.reference(reference))), reference);
        }
        for (const reference of ["cert/db", "key/db", "db/extra", "other"]) {
            assert.equal(seeded.reference(reference), reference);
        }
        await cloud.settle();
    });
});
