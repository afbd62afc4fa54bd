import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
    CLIENT_CONFIG,
    countsByType,
    inputsOf,
    isSecretInput,
    only,
    runbookConfig,
    runProgram,
    TYPES,
    unwrap,
} from "./mocks";

describe("the program on the runbook's configuration", () => {
    it("registers the whole runbook: vault, secret, identity, operator, store, ExternalSecret and Pod", async () => {
        const { cloud } = await runProgram(runbookConfig());
        assert.deepEqual(countsByType(cloud), {
            [TYPES.vault]: 1,
            [TYPES.kvSecret]: 1,
            [TYPES.application]: 1,
            [TYPES.servicePrincipal]: 1,
            [TYPES.apiAccess]: 1,
            [TYPES.identifierUri]: 1,
            [TYPES.roleAssignment]: 1,
            [TYPES.password]: 1,
            "command:local:Command": 1,
            "pulumi:providers:kubernetes": 1,
            [TYPES.namespace]: 2,
            [TYPES.secret]: 1,
            [TYPES.release]: 1,
            [TYPES.clusterSecretStore]: 1,
            [TYPES.externalSecret]: 1,
            [TYPES.pod]: 1,
        });
    });

    it("points the store at the vault's URI as the service reports it", async () => {
        const { cloud, outputs } = await runProgram(runbookConfig());
        const store = inputsOf(only(cloud, TYPES.clusterSecretStore));
        const vault = only(cloud, TYPES.vault);
        assert.equal(
            store.spec.provider.azurekv.vaultUrl,
            (vault.outputs?.properties as { vaultUri: string }).vaultUri,
        );
        assert.equal(store.spec.provider.azurekv.vaultUrl, await unwrap(outputs.vaultUri as pulumi.Output<string>));
    });

    it("uses the signed-in client's tenant and subscription when the tenant is not configured", async () => {
        const { cloud } = await runProgram(runbookConfig());
        assert.equal(inputsOf(only(cloud, TYPES.vault)).properties.tenantId, CLIENT_CONFIG.tenantId);
        assert.equal(
            inputsOf(only(cloud, TYPES.clusterSecretStore)).spec.provider.azurekv.tenantId,
            CLIENT_CONFIG.tenantId,
        );
        assert.match(
            inputsOf(only(cloud, TYPES.roleAssignment)).roleDefinitionId,
            new RegExp(`^/subscriptions/${CLIENT_CONFIG.subscriptionId}/`),
        );
    });

    it("uses the configured tenant for the vault and the store", async () => {
        const config = runbookConfig() as Record<string, any>;
        config.azure.tenantId = "99999999-9999-4999-a999-999999999999";
        const { cloud } = await runProgram(config);
        assert.equal(inputsOf(only(cloud, TYPES.vault)).properties.tenantId, "99999999-9999-4999-a999-999999999999");
        assert.equal(
            inputsOf(only(cloud, TYPES.clusterSecretStore)).spec.provider.azurekv.tenantId,
            "99999999-9999-4999-a999-999999999999",
        );
    });

    it("grants the service principal read access on the vault it created", async () => {
        const { cloud } = await runProgram(runbookConfig());
        const assignment = inputsOf(only(cloud, TYPES.roleAssignment));
        assert.equal(assignment.scope, only(cloud, TYPES.vault).id as string);
        assert.equal(assignment.principalId, only(cloud, TYPES.servicePrincipal).outputs?.objectId);
        assert.match(assignment.scope, /\/providers\/Microsoft\.KeyVault\/vaults\/external-secret-vault$/);
    });

    it("hands ESO the app's client id and the slot's password in the credential Secret", async () => {
        const { cloud } = await runProgram(runbookConfig());
        const secret = only(cloud, TYPES.secret);
        assert.deepEqual(inputsOf(secret).stringData, {
            ClientID: only(cloud, TYPES.application).outputs?.clientId,
            ClientSecret: only(cloud, TYPES.password).outputs?.value,
        });
        assert.equal(inputsOf(secret).metadata.namespace, "external-secrets");
        assert.ok(isSecretInput(secret, "stringData"));
    });

    it("places every Kubernetes object on the stack's cluster provider", async () => {
        const { cloud } = await runProgram(runbookConfig());
        const provider = only(cloud, "pulumi:providers:kubernetes");
        const kubernetesObjects = cloud.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.equal(kubernetesObjects.length, 7);
        for (const object of kubernetesObjects) assert.ok(object.provider?.startsWith(provider.urn), object.name);
    });

    it("passes a configured kubeconfig and context to the provider, the kubeconfig as a secret", async () => {
        const { cloud } = await runProgram({
            ...runbookConfig(),
            kubeconfig: "apiVersion: v1\nkind: Config\n",
            kubernetes: { context: "aks-dev", ownedNamespaces: ["app-namespace"] },
        });
        const provider = only(cloud, "pulumi:providers:kubernetes");
        assert.equal(inputsOf(provider).context, "aks-dev");
        assert.ok(isSecretInput(provider, "kubeconfig"));
    });

    it("creates the ExternalSecret's namespace unless it is declared existing", async () => {
        const created = await runProgram(runbookConfig());
        assert.deepEqual(
            created.cloud
                .ofType(TYPES.namespace)
                .map((n) => inputsOf(n).metadata.name)
                .sort(),
            ["app-namespace", "external-secrets"],
        );
        const existing = await runProgram({
            ...runbookConfig(),
            kubernetes: { existingNamespaces: ["app-namespace"] },
        });
        assert.deepEqual(
            existing.cloud.ofType(TYPES.namespace).map((n) => inputsOf(n).metadata.name),
            ["external-secrets"],
        );
        assert.equal(inputsOf(only(existing.cloud, TYPES.externalSecret)).metadata.namespace, "app-namespace");
    });

    it("mounts the ExternalSecret's target Secret in the Pod", async () => {
        const { cloud } = await runProgram(runbookConfig());
        const pod = inputsOf(only(cloud, TYPES.pod));
        assert.equal(pod.metadata.namespace, "app-namespace");
        assert.equal(pod.spec.volumes[0].secret.secretName, "cloud-credentials");
        assert.equal(pod.spec.containers[0].volumeMounts[0].mountPath, "/credentials");
    });

    it("exports the vault, client id, store and ExternalSecret names", async () => {
        const { outputs } = await runProgram(runbookConfig());
        assert.equal(await unwrap(outputs.vaultName as pulumi.Output<string>), "external-secret-vault");
        assert.equal(
            await unwrap(outputs.vaultUri as pulumi.Output<string>),
            "https://external-secret-vault.vault.azure.net/",
        );
        assert.match(await unwrap(outputs.clientId as pulumi.Output<string>), /^[0-9a-f-]{36}$/);
        assert.equal(await unwrap(outputs.storeName as pulumi.Output<string>), "azure-secret-store");
        assert.deepEqual(await unwrap(pulumi.output(outputs.externalSecretNames)), ["external-secret"]);
    });

    it("exports no secret value in plain text", async () => {
        const { cloud, outputs } = await runProgram(runbookConfig());
        const password = only(cloud, TYPES.password).outputs?.value as string;
        for (const [name, output] of Object.entries(outputs)) {
            const value = JSON.stringify(await unwrap(pulumi.output(output)));
            assert.ok(!value.includes(password), `${name} leaks the client secret`);
            assert.ok(!value.includes("Azure Key Vault"), `${name} leaks a seeded secret`);
        }
    });

    it("sends the seeded secret's value to Key Vault as a secret", async () => {
        const { cloud } = await runProgram(runbookConfig());
        const secret = only(cloud, TYPES.kvSecret);
        assert.equal(inputsOf(secret).secretName, "key-vault-secret-name");
        assert.equal(inputsOf(secret).properties.value, "Azure Key Vault");
        assert.ok(isSecretInput(secret, "properties.value"));
    });
});
