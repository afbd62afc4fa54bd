// ESO's own Azure Key Vault examples, pasted into a stack as a user would: each ExternalSecret's and PushSecret's spec,
// with its name and namespace, under the project's store. And ESO's field names beside the shorthands, with the
// fields only ESO's CRD schema checks reported in the project's style.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { loadAll } from "js-yaml";
import { validateObjects, type KubernetesObject } from "../plan/objects";
import { inputsOf, only, problemsIn, problemsOf, runbookWith, runProgram, twoTenantsWith, TYPES } from "./mocks";

const DOCS = path.join(__dirname, "fixtures", "eso-docs");
const NAMESPACE = "app-namespace";
const SHARED_STORE = { kind: "ClusterSecretStore", name: "azure-secret-store" };
const SCHEMA = "ESO 2.9.0's ExternalSecret schema, external-secrets.io/v1";
const CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
const CERTIFICATES_OFFICER = "a4417e6f-fecd-4de8-b567-7b0420556985";
/** Key Vault Secrets, Crypto and Certificates Officer. */
const WRITE_ROLES = ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7", CRYPTO_OFFICER, CERTIFICATES_OFFICER];

/** The objects of a docs snippet (the docs site's `{% raw %}` markers dropped). */
function snippet(file: string): KubernetesObject[] {
    const text = readFileSync(path.join(DOCS, file), "utf8").replace(/^\{%.*%\}$/gm, "");
    return loadAll(text) as KubernetesObject[];
}

/** An object of a snippet as a config entry: its spec, name and namespace; the store is the project's. */
function entryOf(object: KubernetesObject): Record<string, any> {
    const { secretStoreRef: _ref, secretStoreRefs: _refs, ...spec } = object.spec as Record<string, unknown>;
    void _ref;
    void _refs;
    return {
        name: object.metadata?.name,
        namespace: NAMESPACE,
        ...(object.kind === "ExternalSecret" ? { secretStoreRef: SHARED_STORE } : {}),
        ...spec,
    };
}

/** The runbook with a snippet's ExternalSecrets and PushSecrets added. */
function withSnippet(file: string, change: (config: Record<string, any>) => void = () => {}): Record<string, any> {
    return runbookWith((c) => {
        for (const object of snippet(file)) {
            if (object.kind === "ExternalSecret") c.externalSecrets.push(entryOf(object));
            if (object.kind === "PushSecret") (c.pushSecrets ??= []).push(entryOf(object));
        }
        change(c);
    });
}

describe("ESO's Azure Key Vault examples, pasted into a stack", () => {
    for (const file of [
        "azkv-external-secret.yaml",
        "azkv-datafrom-external-secret.yaml",
        "azkv-pkcs12-cert-external-secret.yaml",
    ]) {
        it(`plans ${file} and emits its spec, which ESO 2.9.0's CRD schema accepts`, async () => {
            const [object] = snippet(file);
            const { cloud } = await runProgram(withSnippet(file));
            const emitted = inputsOf(
                cloud.ofType(TYPES.externalSecret).find((r) => r.name.endsWith(`/${object?.metadata?.name}`)) as never,
            );
            assert.deepEqual(await validateObjects([emitted as KubernetesObject]), []);
            // What the snippet says, ESO reads: its spec, under the project's store, with the project's defaults.
            const { secretStoreRef: _store, ...spec } = object?.spec as Record<string, any>;
            void _store;
            const expected = {
                ...spec,
                secretStoreRef: SHARED_STORE,
                target: {
                    name: object?.metadata?.name,
                    creationPolicy: "Owner",
                    ...spec.target,
                    ...(spec.target?.template === undefined
                        ? {}
                        : { template: { engineVersion: "v2", ...spec.target.template } }),
                },
            };
            assert.deepEqual(emitted.spec, expected);
        });
    }

    it("plans azkv-pushsecret-secret.yaml, pushing a Secret an ExternalSecret of the stack writes", async () => {
        const { cloud } = await runProgram(
            withSnippet("azkv-pushsecret-secret.yaml", (c) => {
                // The snippet's source Secret, written here by an ExternalSecret instead of by hand.
                c.externalSecrets.push({
                    name: "source-secret",
                    namespace: NAMESPACE,
                    data: { "source-key": "key-vault-secret-name" },
                });
                c.pushSecrets[0].data[0].metadata.spec.expirationDate = "2099-12-31T23:59:59Z";
            }),
        );
        const push = cloud.ofType("kubernetes:external-secrets.io/v1alpha1:PushSecret").map(inputsOf);
        assert.deepEqual(await validateObjects(push as KubernetesObject[]), []);
        assert.deepEqual(push[0]?.spec.data[0].match.remoteRef, { remoteKey: "my-azkv-secret-name" });
    });

    for (const [file, remoteKey, role, scope] of [
        ["azkv-pushsecret-key.yaml", "key/my-azkv-key-name", CRYPTO_OFFICER, "keys/my-azkv-key-name"],
        [
            "azkv-pushsecret-certificate-p12.yaml",
            "cert/my-azkv-cert-name",
            CERTIFICATES_OFFICER,
            "certificates/my-azkv-cert-name",
        ],
        [
            "azkv-pushsecret-certificate-pem.yaml",
            "cert/my-azkv-cert-name",
            CERTIFICATES_OFFICER,
            "certificates/my-azkv-cert-name",
        ],
    ] as const) {
        it(`plans ${file}, granting write access to ${remoteKey} alone`, async () => {
            const { cloud } = await runProgram(
                withSnippet(file, (c) =>
                    // The snippet's source Secret, written here by an ExternalSecret instead of by hand.
                    c.externalSecrets.push({
                        name: "source",
                        namespace: NAMESPACE,
                        target: c.pushSecrets[0].selector.secret.name,
                        data: Object.fromEntries(
                            Object.keys(snippet(file)[0]?.data as object).map((key) => [key, "key-vault-secret-name"]),
                        ),
                    }),
                ),
            );
            const push = cloud.ofType("kubernetes:external-secrets.io/v1alpha1:PushSecret").map(inputsOf);
            assert.deepEqual(await validateObjects(push as KubernetesObject[]), []);
            // What the snippet says, ESO reads, under the project's store.
            const { secretStoreRefs: _refs, ...spec } = snippet(file)[1]?.spec as Record<string, any>;
            void _refs;
            assert.deepEqual(push[0]?.spec, { ...spec, secretStoreRefs: [SHARED_STORE] });
            const vaultId = only(cloud, TYPES.vault).id as string;
            const writes = cloud
                .ofType(TYPES.roleAssignment)
                .map(inputsOf)
                .filter((a) => WRITE_ROLES.includes(String(a.roleDefinitionId).split("/").pop() as string));
            assert.deepEqual(
                writes.map((a) => [String(a.roleDefinitionId).split("/").pop(), a.scope]),
                [[role, `${vaultId}/${scope}`]],
            );
        });
    }
});

describe("ESO's field names beside the shorthands", () => {
    /** The runbook's ExternalSecret, written with ESO's fields. */
    const eso = (spec: Record<string, unknown>) =>
        runbookWith((c) => (c.externalSecrets[0] = { name: "external-secret", namespace: NAMESPACE, ...spec }));

    it("reads ESO's data list and target as the shorthands read", () => {
        const shorthand = runbookWith((c) => {
            c.externalSecrets[0].creationPolicy = "Orphan";
            c.externalSecrets[0].template = { type: "Opaque" };
        });
        const written = eso({
            target: { name: "cloud-credentials", creationPolicy: "Orphan", template: { type: "Opaque" } },
            data: [{ secretKey: "cloud-credentials", remoteRef: { key: "key-vault-secret-name" } }],
        });
        assert.deepEqual(problemsIn(written), []);
        assert.deepEqual(problemsIn(shorthand), []);
    });

    it("emits rewrite, templateFrom, finalizers and immutable as ESO spells them", async () => {
        const { cloud } = await runProgram(
            eso({
                target: {
                    name: "cloud-credentials",
                    immutable: true,
                    template: {
                        metadata: { finalizers: ["example.com/keep"] },
                        templateFrom: [{ literal: "{{ .cloud }}", target: "Data" }],
                    },
                },
                data: [
                    { secretKey: "cloud", remoteRef: { key: "key-vault-secret-name", conversionStrategy: "Unicode" } },
                ],
                dataFrom: [
                    {
                        extract: { key: "key-vault-secret-name" },
                        rewrite: [{ regexp: { source: "^", target: "kv-" } }],
                    },
                ],
            }),
        );
        const es = inputsOf(cloud.ofType(TYPES.externalSecret)[0] as never);
        assert.deepEqual(await validateObjects([es as KubernetesObject]), []);
        assert.equal(es.spec.target.immutable, true);
        assert.deepEqual(es.spec.target.template.templateFrom, [{ literal: "{{ .cloud }}", target: "Data" }]);
        assert.deepEqual(es.spec.dataFrom[0].rewrite, [{ regexp: { source: "^", target: "kv-" } }]);
        assert.equal(es.spec.data[0].remoteRef.conversionStrategy, "Unicode");
    });

    it("checks rewrite and templateFrom against ESO's CRD schema, naming the key, value and rule", () => {
        assert.deepEqual(
            problemsOf(
                eso({
                    target: { template: { templateFrom: [{ configMap: { name: "tpl" }, target: "Data" }] } },
                    dataFrom: [
                        { extract: { key: "key-vault-secret-name" }, rewrite: [{ regexp: { source: "^" } }] },
                        { extract: { key: "key-vault-secret-name" }, rewrite: [{ transform: { template: 3 } }] },
                    ],
                }),
            ),
            [
                `externalSecrets[0].dataFrom[0].rewrite[0].regexp {"source":"^"} is invalid: set target (${SCHEMA}).`,
                `externalSecrets[0].dataFrom[1].rewrite[0].transform.template 3 is invalid: use a string (${SCHEMA}).`,
                `externalSecrets[0].target.template.templateFrom[0].configMap {"name":"tpl"} is invalid: set items (${SCHEMA}).`,
            ],
        );
    });

    it("reports the shorthand template's path for a schema problem there", () => {
        assert.deepEqual(
            problemsOf(
                runbookWith(
                    (c) =>
                        (c.externalSecrets[0].template = {
                            templateFrom: [{ secret: { name: "s", items: [{ key: "a", templateAs: "Both" }] } }],
                        }),
                ),
            ),
            [
                `externalSecrets[0].template.templateFrom[0].secret.items[0].templateAs "Both" is invalid: use Values, KeysAndValues (${SCHEMA}).`,
            ],
        );
    });

    it("asks for one rewrite per entry, and reports a typo in it as an unknown key", () => {
        assert.deepEqual(
            problemsOf(
                eso({
                    data: { a: "key-vault-secret-name" },
                    dataFrom: [{ extract: { key: "x" }, rewrite: [{ regex: {} }] }],
                }),
            ),
            [
                "externalSecrets[0].dataFrom[0].rewrite[0].regex is not a known key: use one of regexp, transform, merge (see the key reference in Pulumi.yaml).",
            ],
        );
    });

    it("refuses a target field set both ways", () => {
        assert.deepEqual(
            problemsOf(
                runbookWith((c) => {
                    c.externalSecrets[0].target = { name: "cloud-credentials", deletionPolicy: "Delete" };
                    c.externalSecrets[0].deletionPolicy = "Retain";
                }),
            ),
            [
                'externalSecrets[0].deletionPolicy "Retain" is invalid: set deletionPolicy once: here or as target.deletionPolicy (ESO\'s place for it).',
            ],
        );
    });

    it("names ESO's target.deletionPolicy when the webhook would refuse it", () => {
        assert.deepEqual(
            problemsOf(
                runbookWith(
                    (c) =>
                        (c.externalSecrets[0].target = {
                            name: "c",
                            creationPolicy: "Merge",
                            deletionPolicy: "Delete",
                        }),
                ),
            ).map((p) => p.split(" is invalid")[0]),
            ['externalSecrets[0].target.deletionPolicy "Delete"'],
        );
    });

    it("refuses duplicate secretKeys in ESO's data list", () => {
        assert.deepEqual(
            problemsOf(
                eso({
                    data: [
                        { secretKey: "a", remoteRef: { key: "key-vault-secret-name" } },
                        { secretKey: "a", remoteRef: { key: "other" } },
                    ],
                }),
            ),
            [
                'externalSecrets[0].data[1].secretKey "a" is invalid: give each data entry its own secretKey; a later one would overwrite an earlier one.',
            ],
        );
    });

    it("refuses a secretStoreRef to any store but the namespace's own", () => {
        assert.deepEqual(
            problemsOf(eso({ data: { a: "key-vault-secret-name" }, secretStoreRef: { name: "azure-store" } })),
            [
                'externalSecrets[0].secretStoreRef {"name":"azure-store"} is invalid: an ExternalSecret reads through its namespace\'s store, here ClusterSecretStore "azure-secret-store" (the shared store), whose identity this stack grants exactly what it reads; name that store ({ kind: ClusterSecretStore, name: azure-secret-store }) or leave secretStoreRef out.',
            ],
        );
        const tenant = twoTenantsWith((c) => (c.externalSecrets[1].secretStoreRef = SHARED_STORE));
        assert.match(problemsOf(tenant)[0] as string, /here SecretStore "team-b-keyvault" \(its tenant's\)/);
        const own = twoTenantsWith(
            (c) => (c.externalSecrets[1].secretStoreRef = { kind: "SecretStore", name: "team-b-keyvault" }),
        );
        assert.deepEqual(problemsIn(own), []);
    });

    it("refuses a generator's or another store's sourceRef on a data entry", () => {
        assert.deepEqual(
            problemsOf(
                eso({
                    data: [
                        {
                            secretKey: "a",
                            remoteRef: { key: "x" },
                            sourceRef: { storeRef: { name: "elsewhere", kind: "ClusterSecretStore" } },
                        },
                    ],
                }),
            ),
            [
                "externalSecrets[0].data[0].sourceRef is not a known key: use one of secretKey, remoteRef (see the key reference in Pulumi.yaml).",
            ],
        );
    });

    it("keeps a tenant to its own names in ESO's data list, naming the entry's remoteRef.key", () => {
        const config = twoTenantsWith(
            (c) => (c.externalSecrets[0].data = [{ secretKey: "password", remoteRef: { key: "team-b-token" } }]),
        );
        assert.deepEqual(problemsOf(config), [
            'externalSecrets[0].data[0].remoteRef.key "team-b-token" is invalid: Key Vault object "team-b-token" is not one of tenant "team-a"\'s secrets (prefix team-a-), and this ExternalSecret in namespace "team-a" belongs to tenant "team-a".',
        ]);
    });

    it("still refuses a tenant's find, with or without a rewrite", () => {
        const config = twoTenantsWith(
            (c) =>
                (c.externalSecrets[0].dataFrom = [
                    {
                        find: { name: { regexp: "^team-a-" } },
                        rewrite: [{ regexp: { source: "team-a-", target: "" } }],
                    },
                ]),
        );
        assert.deepEqual(
            problemsOf(config).map((p) => p.split(" is invalid")[0]),
            ['externalSecrets[0].dataFrom[0].find {"name":{"regexp":"^team-a-"}}'],
        );
    });

    it("loads ESO's schema only for an entry that uses a field only it checks", () => {
        // A fresh process: this one has loaded the schema already.
        const script = `
            const { parseStackConfig } = require("./stacks/config");
            const { runbookWith } = require("./test/mocks");
            const loaded = () => Object.keys(require.cache).some((f) => f.endsWith("ExternalSecret.js"));
            const parse = (c) => parseStackConfig(c, { project: "eso-keyvault", stack: "test" });
            parse(runbookWith());
            const plain = loaded();
            parse(runbookWith((c) => (c.externalSecrets[0].template = { templateFrom: [{ literal: "x" }] })));
            console.log(JSON.stringify([plain, loaded()]));`;
        const out = execFileSync(process.execPath, ["--require", "./loader.cjs", "-e", script], {
            cwd: path.resolve(__dirname, ".."),
            encoding: "utf8",
        });
        assert.deepEqual(JSON.parse(out.trim().split("\n").at(-1) as string), [false, true]);
    });
});
