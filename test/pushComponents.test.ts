// The PushSecrets and Generators components built alone: what each object ESO receives carries, what a destroy
// does to it, and what the stack's state records.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { Generators, PushSecrets, type PushSecretSpec } from "../components";
import { inputsOf, only, registeredOutputsOf, startCloud } from "./mocks";

const PUSH_SECRET = "kubernetes:external-secrets.io/v1alpha1:PushSecret";
const PASSWORD = "kubernetes:generators.external-secrets.io/v1alpha1:Password";

function push(extra: Partial<PushSecretSpec> = {}): PushSecretSpec {
    return {
        key: "app-db",
        name: "db-password",
        namespace: "app-namespace",
        store: { kind: "ClusterSecretStore", name: "azure-store" },
        source: { secretName: "db" },
        refreshInterval: "1h",
        data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "app-db-password" } } }],
        ...extra,
    };
}

describe("PushSecrets", () => {
    async function pushed(spec: PushSecretSpec, keepOnDestroy?: boolean) {
        const cloud = await startCloud();
        const component = new PushSecrets("pushed", { pushSecrets: [spec], readyTimeoutSeconds: 300, keepOnDestroy });
        await cloud.settle();
        return { cloud, component, resource: only(cloud, PUSH_SECRET) };
    }

    it("sends only what the entry sets: ESO's defaults apply to the rest", async () => {
        const { resource } = await pushed(push());
        const inputs = inputsOf(resource);
        assert.deepEqual(Object.keys(inputs.spec).sort(), ["data", "refreshInterval", "secretStoreRefs", "selector"]);
        assert.deepEqual(inputs.metadata.annotations, {
            "pulumi.com/waitFor": "condition=Ready",
            "pulumi.com/timeoutSeconds": "300",
        });
        assert.deepEqual(inputs.spec.selector, { secret: { name: "db" } });
    });

    it("sends the update and deletion policies, the template and the store's force-sync when set", async () => {
        const template = { engineVersion: "v2" as const, data: { "bundle.p12": "{{ .tls | fullPkcs12 }}" } };
        const { resource } = await pushed(
            push({
                store: { kind: "SecretStore", name: "team-a", forceSync: "verified-2026-12-01" },
                updatePolicy: "IfNotExists",
                deletionPolicy: "Delete",
                template,
            }),
        );
        const inputs = inputsOf(resource);
        assert.equal(inputs.metadata.annotations["force-sync"], "verified-2026-12-01");
        assert.equal(inputs.spec.updatePolicy, "IfNotExists");
        assert.equal(inputs.spec.deletionPolicy, "Delete");
        assert.deepEqual(inputs.spec.template, template);
        assert.deepEqual(inputs.spec.secretStoreRefs, [{ kind: "SecretStore", name: "team-a" }]);
    });

    it("is deleted with the stack unless it is kept, and records its names in the state", async () => {
        const deleted = await pushed(push());
        assert.equal(deleted.resource.options.retainOnDelete, false);
        assert.deepEqual(registeredOutputsOf(only(deleted.cloud, "eso-keyvault:eso:PushSecrets")), {
            names: ["db-password"],
        });
        const kept = await pushed(push(), true);
        assert.equal(kept.resource.options.retainOnDelete, true);
    });
});

describe("Generators", () => {
    async function generated(keepOnDestroy?: boolean) {
        const cloud = await startCloud();
        const generators = new Generators("generated", {
            generators: [{ key: "db", kind: "Password", name: "db-password", namespace: "app", spec: { length: 32 } }],
            operatorReady: pulumi.output("ready"),
            keepOnDestroy,
        });
        await cloud.settle();
        return { cloud, generators, resource: only(cloud, PASSWORD) };
    }

    it("is deleted with the stack unless it is kept, and records its names in the state", async () => {
        const deleted = await generated();
        assert.equal(deleted.resource.options.retainOnDelete, false);
        assert.deepEqual(registeredOutputsOf(only(deleted.cloud, "eso-keyvault:eso:Generators")), {
            names: ["db-password"],
        });
        const kept = await generated(true);
        assert.equal(kept.resource.options.retainOnDelete, true);
    });

    it("refuses a reference to a generator it does not hold", async () => {
        const { generators } = await generated();
        assert.throws(() => generators.ref("cache"), { message: 'no generator with key "cache"' });
    });
});
