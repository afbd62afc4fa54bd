// PushSecrets and generators: a Secret generated in the cluster, pushed to Key Vault so it survives the cluster.
import { strict as assert } from "node:assert";
import { checkResources, type PolicyConfig, type PolicyResource } from "../policy/policies";
import { planDestroy } from "../plan/destroyPlan";
import { validateObjects, type KubernetesObject } from "../plan/objects";
import {
    inputsOf,
    only,
    problemsIn,
    problemsOf,
    runProgram,
    runProgramExpectingRefusal,
    recoveryWith,
    TYPES,
} from "./mocks";

const OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
const PUSH_SECRET = "kubernetes:external-secrets.io/v1alpha1:PushSecret";
const PASSWORD = "kubernetes:generators.external-secrets.io/v1alpha1:Password";
const CONTROLLER = "external-secrets pkg/controllers/pushsecret/pushsecret_controller.go";
const AZURE_PUSH = "external-secrets providers/v1/azure/keyvault/keyvault.go, PushSecret";
const GO_PASSWORD =
    "external-secrets generators/v1/password/password.go, with github.com/sethvargo/go-password Generate (v0.3.1)";

describe("pushSecrets and generators: configuration", () => {
    it("accepts ESO's PushSecret and Password shapes", () => {
        assert.deepEqual(problemsIn(recoveryWith()), []);
    });

    it("refuses a generatorRef no generator of the namespace answers", () => {
        assert.deepEqual(problemsOf(recoveryWith((c) => (c.pushSecrets[0].selector.generatorRef.name = "other"))), [
            `pushSecrets[0].selector.generatorRef.name "other" is invalid: name a generator of generators[] in namespace "app-namespace" (Password db-password): ESO resolves a generatorRef in the object's own namespace and fails while Password "other" does not exist there (${CONTROLLER}, resolveSecretFromGenerator).`,
        ]);
    });

    it("refuses an ExternalSecret's sourceRef to a generator that is not declared", () => {
        const config = recoveryWith((c) =>
            c.externalSecrets.push({
                name: "generated",
                namespace: "app-namespace",
                dataFrom: [{ sourceRef: { generatorRef: { kind: "Password", name: "nope" } } }],
            }),
        );
        assert.deepEqual(problemsOf(config), [
            `externalSecrets[1].dataFrom[0].sourceRef.generatorRef.name "nope" is invalid: name a generator of generators[] in namespace "app-namespace" (Password db-password): ESO resolves a generatorRef in the object's own namespace and fails while Password "nope" does not exist there (${CONTROLLER}, resolveSecretFromGenerator).`,
        ]);
    });

    it("refuses to push a Secret the stack does not write", () => {
        assert.deepEqual(problemsOf(recoveryWith((c) => (c.pushSecrets[0].selector = { secret: { name: "nope" } }))), [
            `pushSecrets[0].selector.secret.name "nope" is invalid: names no Secret an ExternalSecret of this stack writes in namespace "app-namespace" (cloud-credentials): \`pulumi up\` waits for each PushSecret to be Ready, and ESO reports "could not get source secret" while the Secret does not exist (${CONTROLLER}, Reconcile); name one of them, or push a generator's output with selector.generatorRef.`,
        ]);
    });

    it("refuses a key the generator does not write", () => {
        assert.deepEqual(problemsOf(recoveryWith((c) => (c.pushSecrets[0].data[0].match.secretKey = "pw"))), [
            `pushSecrets[0].data[0].match.secretKey "pw" is invalid: Password "db-password" writes no such key (it writes password): ESO fails the push with "secret key pw does not exist" (${CONTROLLER}, pushSecretEntry); use one of them.`,
        ]);
    });

    it("refuses to push over a seeded secret, which ESO would not overwrite", () => {
        const config = recoveryWith(
            (c) => (c.pushSecrets[0].data[0].match.remoteRef.remoteKey = "key-vault-secret-name"),
        );
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].match.remoteRef.remoteKey "key-vault-secret-name" is invalid: "key-vault-secret-name" is a seeded secret, which this stack writes through Azure Resource Manager without ESO's "managed-by" tag: ESO refuses to overwrite it ("not managed by external-secrets", ${AZURE_PUSH}, canCreate); push to another name.`,
        ]);
    });

    it("refuses two pushes to one Key Vault secret", () => {
        const config = recoveryWith((c) => c.pushSecrets.push({ ...c.pushSecrets[0], name: "again" }));
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[1].data[0].match.remoteRef.remoteKey "app-db-password" is invalid: pushSecrets[0].data[0] already pushes Key Vault secret "app-db-password": two pushes would overwrite each other on every refresh (ESO refuses duplicates within one PushSecret: "duplicate remote key", ${CONTROLLER}, validateRemoteKeyUniqueness); push each secret once.`,
        ]);
    });

    it("refuses remoteRef.property, which azurekv ignores", () => {
        assert.deepEqual(problemsOf(recoveryWith((c) => (c.pushSecrets[0].data[0].match.remoteRef.property = "x"))), [
            `pushSecrets[0].data[0].match.remoteRef.property "x" is invalid: Azure Key Vault's PushSecret ignores remoteRef.property and writes the whole value to remoteKey (${AZURE_PUSH}), so entries that differ only by property overwrite each other; remove it, and push each value to its own secret.`,
        ]);
    });

    it("refuses a managed-by tag, which ESO sets itself", () => {
        const config = recoveryWith((c) => (c.pushSecrets[0].data[0].metadata.spec.tags = { "managed-by": "me" }));
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].metadata.spec.tags.managed-by "me" is invalid: ESO sets the "managed-by" tag itself and fails the push with "Cannot specify a 'managed-by' tag" (${AZURE_PUSH}); remove it.`,
        ]);
    });

    it("refuses an expirationDate that is not RFC 3339", () => {
        const config = recoveryWith((c) => (c.pushSecrets[0].data[0].metadata.spec.expirationDate = "2027-06-30"));
        assert.deepEqual(problemsOf(config), [
            'pushSecrets[0].data[0].metadata.spec.expirationDate "2027-06-30" is invalid: use an RFC 3339 date-time such as "2027-06-30T00:00:00Z" (when the pushed secret expires in Key Vault).',
        ]);
    });

    it("refuses pushing a generated password to a key, which Key Vault imports only from a private key", () => {
        const config = recoveryWith((c) => {
            c.pushSecrets[0].data[0].match.remoteRef.remoteKey = "key/app-db-password";
            delete c.pushSecrets[0].data[0].metadata;
        });
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].match.remoteRef.remoteKey "key/app-db-password" is invalid: a Password generator writes a password, and a Key Vault key is imported from one PEM private key (${AZURE_PUSH}, getKeyFromValue, getCertificateFromValue); push the password to a secret name.`,
        ]);
    });

    it("refuses a password the generator cannot make", () => {
        const short = recoveryWith((c) => (c.generators[0].spec = { length: 8, digits: 5, symbols: 5 }));
        assert.deepEqual(problemsOf(short), [
            `generators[0].spec.length 8 is invalid: leaves no room for 5 digits and 5 symbols: the generator fails with "number of digits and symbols must be less than total length" (${GO_PASSWORD}); raise length or lower digits and symbols.`,
        ]);
        const long = recoveryWith((c) => (c.generators[0].spec = { length: 80, digits: 10, symbols: 10 }));
        assert.deepEqual(problemsOf(long), [
            `generators[0].spec.length 80 is invalid: needs 60 distinct letters and only 52 exist: without allowRepeat the generator fails with "number of letters exceeds available letters and repeats are not allowed" (${GO_PASSWORD}); set allowRepeat, or more digits and symbols.`,
        ]);
        assert.deepEqual(
            problemsIn(recoveryWith((c) => (c.generators[0].spec = { length: 80, allowRepeat: true }))),
            [],
        );
    });

    it("lets a tenant push only its own names", () => {
        const config = recoveryWith((c) => {
            c.tenants = [{ name: "team-a", namespaces: ["app-namespace"], secrets: { prefix: "team-a-" } }];
            c.externalSecrets[0].data = { "cloud-credentials": "team-a-credentials" };
        });
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].match.remoteRef.remoteKey "app-db-password" is invalid: Key Vault secret "app-db-password" is not one of tenant "team-a"'s secrets, and this PushSecret in namespace "app-namespace" writes through tenant "team-a"'s store; push a name the tenant owns.`,
        ]);
    });

    it("lets the shared store push only names no tenant owns", () => {
        const config = recoveryWith((c) => {
            c.tenants = [{ name: "team-a", namespaces: ["team-a"], secrets: { prefix: "app-" } }];
            c.kubernetes.ownedNamespaces.push("team-a");
        });
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].match.remoteRef.remoteKey "app-db-password" is invalid: Key Vault secret "app-db-password" belongs to tenant "team-a", and this PushSecret in namespace "app-namespace" writes through the shared store; move it into one of the tenant's namespaces.`,
        ]);
    });
});

describe("pushSecrets and generators: what the program builds", () => {
    it("grants Key Vault Secrets Officer on the pushed secret only, never on the vault", async () => {
        const { cloud } = await runProgram(recoveryWith());
        const writers = cloud
            .ofType(TYPES.roleAssignment)
            .map(inputsOf)
            .filter((a) => String(a.roleDefinitionId).endsWith(OFFICER));
        const vaultId = only(cloud, TYPES.vault).id as string;
        assert.deepEqual(
            writers.map((a) => a.scope),
            [`${vaultId}/secrets/app-db-password`],
        );
    });

    it("gives a tenant's identity the write grant on its own pushed secret", async () => {
        const { cloud } = await runProgram(
            recoveryWith((c) => {
                c.tenants = [{ name: "team-a", namespaces: ["app-namespace"], secrets: { prefix: "app-" } }];
                c.externalSecrets[0].data = { "cloud-credentials": "app-credentials" };
                c.seededSecrets = { "app-credentials": "x" };
            }),
        );
        const writer = cloud
            .ofType(TYPES.roleAssignment)
            .filter((r) => String(inputsOf(r).roleDefinitionId).endsWith(OFFICER));
        assert.deepEqual(
            writer.map((r) => r.name),
            ["tenant-team-a-access-writer-push-app-db-password"],
        );
    });

    it("emits a Password and a PushSecret that ESO 2.9.0's CRD schemas accept", async () => {
        const { cloud } = await runProgram(recoveryWith());
        const objects = [only(cloud, PASSWORD), only(cloud, PUSH_SECRET)].map(inputsOf) as KubernetesObject[];
        assert.deepEqual(await validateObjects(objects), []);
        assert.deepEqual(objects[0]?.spec, { length: 32, symbols: 0, noUpper: false, allowRepeat: false });
        assert.deepEqual(objects[1]?.spec, {
            refreshInterval: "1h",
            updatePolicy: "IfNotExists",
            secretStoreRefs: [{ kind: "ClusterSecretStore", name: "azure-secret-store" }],
            selector: {
                generatorRef: {
                    apiVersion: "generators.external-secrets.io/v1alpha1",
                    kind: "Password",
                    name: "db-password",
                },
            },
            data: [
                {
                    match: { secretKey: "password", remoteRef: { remoteKey: "app-db-password" } },
                    metadata: {
                        apiVersion: "kubernetes.external-secrets.io/v1alpha1",
                        kind: "PushSecretMetadata",
                        spec: { contentType: "text/plain", tags: { purpose: "app-database" } },
                    },
                },
            ],
        });
    });

    it("creates the generator before the PushSecret, and the PushSecret after its write grant", async () => {
        const slow = new Set<string>([TYPES.roleAssignment, PASSWORD]);
        const { cloud } = await runProgram(recoveryWith(), { latencyMs: (type) => (slow.has(type) ? 100 : 0) });
        const push = only(cloud, PUSH_SECRET);
        const generator = only(cloud, PASSWORD);
        const grant = cloud.ofType(TYPES.roleAssignment).find((r) => r.name.includes("writer")) as typeof push;
        assert.ok((generator.completedAt as number) <= push.registeredAt);
        assert.ok((grant.completedAt as number) <= push.registeredAt);
    });

    it("feeds an ExternalSecret from a generator once the generator exists", async () => {
        const { cloud } = await runProgram(
            recoveryWith((c) =>
                c.externalSecrets.push({
                    name: "generated",
                    namespace: "app-namespace",
                    dataFrom: [{ sourceRef: { generatorRef: { kind: "Password", name: "db-password" } } }],
                }),
            ),
            { latencyMs: (type) => (type === PASSWORD ? 150 : 0) },
        );
        const es = only(cloud, TYPES.externalSecret, "generated");
        // ESO fails the sync while the generator does not exist (resolveSecretFromGenerator): with a slow
        // generator, the ExternalSecret still waits for it.
        const generator = only(cloud, PASSWORD);
        assert.ok((generator.completedAt as number) <= es.registeredAt);
        assert.ok(es.dependencies.includes(generator.urn));
        assert.deepEqual(inputsOf(es).spec.dataFrom, [
            {
                sourceRef: {
                    generatorRef: {
                        apiVersion: "generators.external-secrets.io/v1alpha1",
                        kind: "Password",
                        name: "db-password",
                    },
                },
            },
        ]);
        assert.deepEqual(await validateObjects([inputsOf(es) as KubernetesObject]), []);
    });

    it("never exports a generated value", async () => {
        const { outputs } = await runProgram(recoveryWith());
        assert.deepEqual(
            Object.keys(outputs).filter((name) => /password|generat|push/i.test(name)),
            [],
        );
    });
});

describe("pushSecrets: what the simulated cluster refuses", () => {
    it("refuses a PushSecret whose Secret does not exist, as ESO's controller reports it", async () => {
        // Validation requires a Secret this stack writes; an ExternalSecret that writes none (creationPolicy None)
        // leaves the PushSecret's source missing in the cluster.
        const { failures } = await runProgramExpectingRefusal(
            recoveryWith((c) => {
                c.externalSecrets[0].creationPolicy = "None";
                c.workloads = [];
                c.pushSecrets[0].selector = { secret: { name: "cloud-credentials" } };
                c.pushSecrets[0].data[0].match.secretKey = "cloud-credentials";
            }),
        );
        assert.ok(
            failures.some((f) =>
                f.includes(
                    `PushSecret app-namespace/db-password would never become Ready: could not get source secret: secrets "cloud-credentials" not found (${CONTROLLER}, Reconcile)`,
                ),
            ),
            failures.join("\n"),
        );
    });
});

describe("pushSecrets: the policy pack", () => {
    const vault = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
    const grant = (scope: string): PolicyResource => ({
        type: "azure-native:authorization:RoleAssignment",
        name: "eso-access-writer-push-app-db-password",
        props: {
            principalId: "33333333-3333-4333-a333-333333333333",
            principalType: "ServicePrincipal",
            roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${OFFICER}`,
            scope,
        },
    });
    const config: PolicyConfig = { production: false, tenantsConfigured: false, pushedSecrets: ["app-db-password"] };

    it("allows Key Vault Secrets Officer on a pushed secret", () => {
        assert.deepEqual(checkResources([grant(`${vault}/secrets/app-db-password`)], config), []);
    });

    it("reports it on a secret the stack does not push, and on the vault", () => {
        const messages = checkResources([grant(`${vault}/secrets/other`), grant(vault)], config).map(
            (v) => `${v.policy}: ${v.message}`,
        );
        assert.deepEqual(messages, [
            `role-assignment-write-scope: scope is "${vault}/secrets/other": grant "Key Vault Secrets Officer" only on one secret a PushSecret of this stack writes (.../vaults/<name>/secrets/<secret>, one of: app-db-password), never on a vault`,
            `role-assignment-least-privilege: roleDefinitionId is "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${OFFICER}" (Key Vault Secrets Officer): grant only "Key Vault Secrets User" (4633458b-17de-408a-b874-0445c86b69e6), which reads secret values and nothing else, or the narrower "Key Vault Reader" (21090545-7ca7-4776-b22c-e363652d74d2)`,
            `role-assignment-write-scope: scope is "${vault}": grant "Key Vault Secrets Officer" only on one secret a PushSecret of this stack writes (.../vaults/<name>/secrets/<secret>, one of: app-db-password), never on a vault`,
        ]);
    });
});

describe("pushSecrets on destroy", () => {
    it("lists what ESO deletes from Key Vault for a PushSecret with deletionPolicy Delete, and nothing for None", async () => {
        const remove = await runProgram(recoveryWith((c) => (c.pushSecrets[0].deletionPolicy = "Delete")));
        const plan = planDestroy(remove.cloud.resources, { production: false });
        assert.deepEqual(
            plan.cascades.filter((c) => c.from.startsWith("PushSecret")).map((c) => c.deletes),
            ["Key Vault secret app-db-password, which it pushed (soft-deleted for 90 days)"],
        );
        assert.ok(
            plan.dataLoss.some(
                (d) => d.what === "Key Vault secret app-db-password, pushed by PushSecret app-namespace/db-password",
            ),
        );
        const keep = await runProgram(recoveryWith((c) => (c.pushSecrets[0].deletionPolicy = "None")));
        const kept = planDestroy(keep.cloud.resources, { production: false });
        assert.deepEqual(
            kept.cascades.filter((c) => c.from.startsWith("PushSecret")),
            [],
        );
    });
});
