// PushSecrets to Key Vault keys (`key/<name>`) and certificates (`cert/<name>`): each object's write role on that
// object alone, the tenant rules, the policy pack, and what a destroy deletes.
import { strict as assert } from "node:assert";
import { checkResources, type PolicyConfig, type PolicyResource } from "../policy/policies";
import { planDestroy } from "../plan/destroyPlan";
import { validateObjects, type KubernetesObject } from "../plan/objects";
import { policyConfigFor } from "../plan/run";
import { lastLoadedStackConfig } from "../stacks/config";
import { inputsOf, only, problemsIn, problemsOf, runbookWith, runProgram, TYPES } from "./mocks";

const SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
const CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
const CERTIFICATES_OFFICER = "a4417e6f-fecd-4de8-b567-7b0420556985";
const PUSH_SECRET = "kubernetes:external-secrets.io/v1alpha1:PushSecret";
const AZURE_PUSH = "external-secrets providers/v1/azure/keyvault/keyvault.go, PushSecret";

/** The role id at the end of a role definition id. */
const roleOf = (assignment: Record<string, any>) => String(assignment.roleDefinitionId).split("/").pop();

/**
 * The runbook with a Secret "tls-source" (written by an ExternalSecret) holding a PEM private key and a PKCS#12
 * certificate, pushed to Key Vault key "app-signing" and certificate "app-tls".
 */
function pushing(change: (config: Record<string, any>) => void = () => {}): Record<string, any> {
    return runbookWith((c) => {
        c.externalSecrets.push({
            name: "tls-source",
            namespace: "app-namespace",
            data: { "tls.key": "key-vault-secret-name", "cert.p12": "key-vault-secret-name" },
        });
        c.pushSecrets = [
            {
                name: "signing-key",
                namespace: "app-namespace",
                deletionPolicy: "Delete",
                selector: { secret: { name: "tls-source" } },
                data: [
                    {
                        match: { secretKey: "tls.key", remoteRef: { remoteKey: "key/app-signing" } },
                        metadata: { spec: { tags: { purpose: "signing" } } },
                    },
                ],
            },
            {
                name: "tls-certificate",
                namespace: "app-namespace",
                deletionPolicy: "Delete",
                selector: { secret: { name: "tls-source" } },
                data: [{ match: { secretKey: "cert.p12", remoteRef: { remoteKey: "cert/app-tls" } } }],
            },
        ];
        change(c);
    });
}

/** The runbook's app-namespace as tenant team-a's (prefix app-), reading its own seeded secret. */
function asTenant(c: Record<string, any>): void {
    c.tenants = [{ name: "team-a", namespaces: ["app-namespace"], secrets: { prefix: "app-" } }];
    c.seededSecrets = { "app-credentials": "x" };
    c.externalSecrets[0].data = { "cloud-credentials": "app-credentials" };
    c.externalSecrets[1].data = { "tls.key": "app-credentials", "cert.p12": "app-credentials" };
}

describe("pushSecrets to keys and certificates: configuration", () => {
    it("accepts pushes to key/ and cert/ from a Secret the stack writes", () => {
        assert.deepEqual(problemsIn(pushing()), []);
    });

    it("asks for the Secret key that holds the private key or certificate", () => {
        const config = pushing((c) => delete c.pushSecrets[0].data[0].match.secretKey);
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].match.secretKey is required (a Key Vault key is imported from the key that holds one PEM private key; without one ESO pushes the whole Secret as JSON, which Key Vault refuses (${AZURE_PUSH}, getSecretKey)): set it with \`pulumi config set --path pushSecrets[0].data[0].match.secretKey <value>\`.`,
        ]);
    });

    it("refuses a generated password as a certificate", () => {
        const config = pushing((c) => {
            c.generators = [{ kind: "Password", name: "pw", namespace: "app-namespace" }];
            c.pushSecrets[1].selector = { generatorRef: { kind: "Password", name: "pw" } };
            c.pushSecrets[1].data[0].match.secretKey = "password";
        });
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[1].data[0].match.remoteRef.remoteKey "cert/app-tls" is invalid: a Password generator writes a password, and a Key Vault certificate is imported from a PKCS#12, DER or PEM certificate with its private key (${AZURE_PUSH}, getKeyFromValue, getCertificateFromValue); push the password to a secret name.`,
        ]);
    });

    it("refuses expirationDate and contentType on a key, which azurekv does not set", () => {
        const config = pushing(
            (c) =>
                (c.pushSecrets[0].data[0].metadata.spec = {
                    expirationDate: "2099-12-31T23:59:59Z",
                    contentType: "application/x-pem-file",
                }),
        );
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].metadata.spec.expirationDate "2099-12-31T23:59:59Z" is invalid: azurekv sets expirationDate on secrets only and imports a key with its tags alone (${AZURE_PUSH}, setKeyVaultKey); remove it.`,
            `pushSecrets[0].data[0].metadata.spec.contentType "application/x-pem-file" is invalid: azurekv sets contentType on secrets only and imports a key with its tags alone (${AZURE_PUSH}, setKeyVaultKey); remove it.`,
        ]);
    });

    it("refuses two pushes to one certificate, and lets a secret share a key's name", () => {
        const twice = pushing((c) => c.pushSecrets.push({ ...c.pushSecrets[1], name: "again" }));
        assert.deepEqual(problemsOf(twice), [
            `pushSecrets[2].data[0].match.remoteRef.remoteKey "cert/app-tls" is invalid: pushSecrets[1].data[0] already pushes Key Vault certificate "app-tls": two pushes would overwrite each other on every refresh (ESO refuses duplicates within one PushSecret: "duplicate remote key", external-secrets pkg/controllers/pushsecret/pushsecret_controller.go, validateRemoteKeyUniqueness); push each certificate once.`,
        ]);
        const sameName = pushing((c) =>
            c.pushSecrets[0].data.push({ match: { secretKey: "tls.key", remoteRef: { remoteKey: "app-signing" } } }),
        );
        assert.deepEqual(problemsIn(sameName), []);
    });

    it("lets a tenant push only keys and certificates of its own names", () => {
        const config = pushing((c) => {
            asTenant(c);
            c.pushSecrets[0].data[0].match.remoteRef.remoteKey = "key/signing";
        });
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].match.remoteRef.remoteKey "key/signing" is invalid: Key Vault key "signing" is not one of tenant "team-a"'s names (tenants[].secrets), and this PushSecret in namespace "app-namespace" writes through tenant "team-a"'s store; push a name the tenant owns.`,
        ]);
    });

    it("lets the shared store push no certificate a tenant owns", () => {
        const config = pushing((c) => {
            c.tenants = [{ name: "team-a", namespaces: ["team-a"], secrets: { prefix: "app-" } }];
            c.kubernetes.ownedNamespaces.push("team-a");
            c.pushSecrets = [c.pushSecrets[1]];
        });
        assert.deepEqual(problemsOf(config), [
            `pushSecrets[0].data[0].match.remoteRef.remoteKey "cert/app-tls" is invalid: Key Vault certificate "app-tls" belongs to tenant "team-a", and this PushSecret in namespace "app-namespace" writes through the shared store; move it into one of the tenant's namespaces.`,
        ]);
    });
});

describe("pushSecrets to keys and certificates: what the program builds", () => {
    it("emits PushSecrets to key/ and cert/ that ESO 2.9.0's CRD schema accepts", async () => {
        const { cloud } = await runProgram(pushing());
        const pushes = cloud
            .ofType(PUSH_SECRET)
            .map(inputsOf)
            .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
        assert.deepEqual(await validateObjects(pushes as KubernetesObject[]), []);
        assert.deepEqual(
            pushes.map((p) => p.spec.data),
            [
                [
                    {
                        match: { secretKey: "tls.key", remoteRef: { remoteKey: "key/app-signing" } },
                        metadata: {
                            apiVersion: "kubernetes.external-secrets.io/v1alpha1",
                            kind: "PushSecretMetadata",
                            spec: { tags: { purpose: "signing" } },
                        },
                    },
                ],
                [{ match: { secretKey: "cert.p12", remoteRef: { remoteKey: "cert/app-tls" } } }],
            ],
        );
    });

    it("grants Key Vault Crypto Officer on the pushed key and Certificates Officer on the pushed certificate, only", async () => {
        const { cloud } = await runProgram(pushing());
        const vaultId = only(cloud, TYPES.vault).id as string;
        const writers = cloud
            .ofType(TYPES.roleAssignment)
            .filter((r) => [SECRETS_OFFICER, CRYPTO_OFFICER, CERTIFICATES_OFFICER].includes(roleOf(inputsOf(r)) ?? ""))
            .map((r) => [r.name, roleOf(inputsOf(r)), inputsOf(r).scope])
            .sort();
        assert.deepEqual(writers, [
            ["eso-access-writer-push-certificates/app-tls", CERTIFICATES_OFFICER, `${vaultId}/certificates/app-tls`],
            ["eso-access-writer-push-keys/app-signing", CRYPTO_OFFICER, `${vaultId}/keys/app-signing`],
        ]);
        for (const assignment of cloud.ofType(TYPES.roleAssignment).map(inputsOf)) {
            assert.equal(assignment.principalType, "ServicePrincipal");
        }
    });

    it("gives a tenant's identity the write grants on its own key and certificate", async () => {
        const { cloud } = await runProgram(pushing(asTenant));
        const vaultId = only(cloud, TYPES.vault).id as string;
        const writers = cloud
            .ofType(TYPES.roleAssignment)
            .filter((r) => [CRYPTO_OFFICER, CERTIFICATES_OFFICER].includes(roleOf(inputsOf(r)) ?? ""))
            .map((r) => [r.name, inputsOf(r).scope])
            .sort();
        assert.deepEqual(writers, [
            ["tenant-team-a-access-writer-push-certificates/app-tls", `${vaultId}/certificates/app-tls`],
            ["tenant-team-a-access-writer-push-keys/app-signing", `${vaultId}/keys/app-signing`],
        ]);
    });

    it("passes the policy pack with the configuration the plan hands it", async () => {
        const { cloud } = await runProgram(pushing());
        const config = policyConfigFor(lastLoadedStackConfig());
        assert.deepEqual(
            [config.pushedSecrets, config.pushedKeys, config.pushedCertificates],
            [[], ["app-signing"], ["app-tls"]],
        );
        const resources: PolicyResource[] = cloud
            .ofType(TYPES.roleAssignment)
            .map((r) => ({ type: r.type, name: r.name, props: inputsOf(r) }));
        assert.deepEqual(checkResources(resources, config), []);
    });
});

describe("pushSecrets to keys and certificates: the policy pack", () => {
    const vault = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
    const grant = (role: string, scope: string): PolicyResource => ({
        type: "azure-native:authorization:RoleAssignment",
        name: "eso-access-writer",
        props: {
            principalId: "33333333-3333-4333-a333-333333333333",
            principalType: "ServicePrincipal",
            roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${role}`,
            scope,
        },
    });
    const config: PolicyConfig = {
        production: false,
        tenantsConfigured: false,
        pushedKeys: ["app-signing"],
        pushedCertificates: ["app-tls"],
    };
    const violations = (resource: PolicyResource) =>
        checkResources([resource], config).map((v) => `${v.policy}: ${v.message}`);
    const leastPrivilege = (role: string, name: string) =>
        `role-assignment-least-privilege: roleDefinitionId is "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${role}" (${name}): grant only "Key Vault Secrets User" (4633458b-17de-408a-b874-0445c86b69e6), which reads secret values and nothing else, or the narrower "Key Vault Reader" (21090545-7ca7-4776-b22c-e363652d74d2)`;

    it("allows Crypto Officer on a pushed key and Certificates Officer on a pushed certificate", () => {
        assert.deepEqual(violations(grant(CRYPTO_OFFICER, `${vault}/keys/app-signing`)), []);
        assert.deepEqual(violations(grant(CERTIFICATES_OFFICER, `${vault}/certificates/app-tls`)), []);
    });

    it("reports Crypto Officer on a key the stack does not push, on the vault, and on a certificate", () => {
        const keyRule = (scope: string) =>
            `role-assignment-write-scope: scope is "${scope}": grant "Key Vault Crypto Officer" only on one key a PushSecret of this stack writes (.../vaults/<name>/keys/<key>, one of: app-signing), never on a vault`;
        assert.deepEqual(violations(grant(CRYPTO_OFFICER, `${vault}/keys/other`)), [keyRule(`${vault}/keys/other`)]);
        assert.deepEqual(violations(grant(CRYPTO_OFFICER, vault)), [
            leastPrivilege(CRYPTO_OFFICER, "Key Vault Crypto Officer"),
            keyRule(vault),
        ]);
        assert.deepEqual(violations(grant(CRYPTO_OFFICER, `${vault}/certificates/app-tls`)), [
            leastPrivilege(CRYPTO_OFFICER, "Key Vault Crypto Officer"),
            `role-assignment-least-privilege: scope is "${vault}/certificates/app-tls": scope the grant to one vault (.../providers/Microsoft.KeyVault/vaults/<name>) or one of its secrets (.../vaults/<name>/secrets/<secret>), not a resource group or subscription`,
            keyRule(`${vault}/certificates/app-tls`),
        ]);
    });

    it("reports Certificates Officer anywhere but a pushed certificate", () => {
        const certificateRule = (scope: string) =>
            `role-assignment-write-scope: scope is "${scope}": grant "Key Vault Certificates Officer" only on one certificate a PushSecret of this stack writes (.../vaults/<name>/certificates/<certificate>, one of: app-tls), never on a vault`;
        assert.deepEqual(violations(grant(CERTIFICATES_OFFICER, `${vault}/certificates/other`)), [
            certificateRule(`${vault}/certificates/other`),
        ]);
        assert.deepEqual(violations(grant(CERTIFICATES_OFFICER, vault)), [
            leastPrivilege(CERTIFICATES_OFFICER, "Key Vault Certificates Officer"),
            certificateRule(vault),
        ]);
    });

    it("reports a key or certificate write grant in a stack that pushes none", () => {
        const none = checkResources([grant(CRYPTO_OFFICER, `${vault}/keys/app-signing`)], {
            production: false,
            tenantsConfigured: false,
        }).map((v) => v.message);
        assert.deepEqual(none, [
            `scope is "${vault}/keys/app-signing": grant "Key Vault Crypto Officer" only on one key a PushSecret of this stack writes (.../vaults/<name>/keys/<key>, one of: none are configured), never on a vault`,
        ]);
    });
});

describe("pushSecrets to keys and certificates on destroy", () => {
    it("lists the key and the certificate ESO deletes for deletionPolicy Delete", async () => {
        const { cloud } = await runProgram(pushing());
        const plan = planDestroy(cloud.resources, { production: false });
        assert.deepEqual(
            plan.cascades
                .filter((c) => c.from.startsWith("PushSecret"))
                .map((c) => `${c.from} -> ${c.deletes}`)
                .sort(),
            [
                "PushSecret app-namespace/signing-key -> Key Vault key app-signing, which it pushed (soft-deleted for 90 days)",
                "PushSecret app-namespace/tls-certificate -> Key Vault certificate app-tls (with its key and secret of that name), which it pushed (soft-deleted for 90 days)",
            ],
        );
        assert.deepEqual(
            plan.dataLoss
                .filter((d) => d.what.includes("pushed by"))
                .map((d) => d.what)
                .sort(),
            [
                "Key Vault certificate app-tls (with its key and secret of that name), pushed by PushSecret app-namespace/tls-certificate",
                "Key Vault key app-signing, pushed by PushSecret app-namespace/signing-key",
            ],
        );
    });
});
