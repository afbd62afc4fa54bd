// ESO's CRD schemas as the plan and config validation use them: vendored from the chart the stacks install, with
// validators generated from them that match what generation produces today, and behaving as the API server does
// (unknown fields pruned, so refused here; formats it checks). And the ESO fields that only the 2.9.0 schema knows,
// emitted by the program and accepted by it.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { validateObjects, type KubernetesObject } from "../plan/objects";
import { ESO_KINDS, ESO_SCHEMA_VERSION, esoSchemaErrors, SCHEMA_DIR } from "../schemas/eso";
import { compileValidator, refuseUnknownFields, shareRepeated } from "../schemas/generate";
import { DEFAULTS } from "../stacks/schema";
import { inputsOf, only, problemsOf, runbookWith, runProgram, TYPES } from "./mocks";

const schemaOf = (kind: string): unknown => JSON.parse(readFileSync(path.join(SCHEMA_DIR, `${kind}.json`), "utf8"));

function externalSecret(spec: Record<string, unknown>): KubernetesObject {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "app", namespace: "apps" },
        spec: {
            secretStoreRef: { kind: "ClusterSecretStore", name: "azure-secret-store" },
            target: { name: "app" },
            data: [{ secretKey: "password", remoteRef: { key: "db-password" } }],
            ...spec,
        },
    };
}

function store(azurekv: Record<string, unknown>): KubernetesObject {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: "azure" },
        spec: { provider: { azurekv: { vaultUrl: "https://v.vault.azure.net/", ...azurekv } } },
    };
}

describe("ESO's CRD schemas", () => {
    it("are the chart's that the stacks install by default", () => {
        assert.equal(DEFAULTS.chartVersion, ESO_SCHEMA_VERSION);
        for (const { kind } of ESO_KINDS) {
            const schema = schemaOf(kind) as { properties: Record<string, unknown> };
            for (const field of ["apiVersion", "kind", "metadata", "spec"]) assert.ok(field in schema.properties, kind);
        }
    });

    for (const { kind } of ESO_KINDS) {
        it(`${kind}: the committed validator is what the vendored schema generates`, () => {
            const committed = readFileSync(path.join(SCHEMA_DIR, `${kind}.js`), "utf8");
            assert.ok(committed === compileValidator(schemaOf(kind)), `run schemas/vendor.ts again for ${kind}`);
        });
    }

    it("has no CEL rule (which the plan does not evaluate) on a field the program emits", () => {
        /** Dotted paths of the schema's `x-kubernetes-validations`, which only the API server evaluates. */
        const celRules = (node: unknown, at = ""): string[] => {
            if (node === null || typeof node !== "object") return [];
            return Object.entries(node).flatMap(([key, value]) =>
                key === "x-kubernetes-validations"
                    ? [at]
                    : celRules(value, key === "properties" || key === "items" ? at : `${at}.${key}`),
            );
        };
        const emitted: Record<string, RegExp> = {
            // Other providers' rules sit under their own keys; the program only emits azurekv.
            SecretStore: /^\.spec\.provider\.(?!azurekv)/,
            ClusterSecretStore: /^\.spec\.provider\.(?!azurekv)/,
            // dataTo (push by store and key pattern) is not offered: the program pushes data[] entries.
            PushSecret: /^\.spec\.dataTo/,
        };
        for (const { kind } of ESO_KINDS) {
            const notEmitted = emitted[kind];
            assert.deepEqual(
                celRules(schemaOf(kind)).filter((at) => notEmitted === undefined || !notEmitted.test(at)),
                [],
                kind,
            );
        }
        assert.ok(celRules(schemaOf("PushSecret")).length > 0, "the walk finds the rules there are");
    });

    it("validates as the unshared schema does: sharing repeated subschemas changes the code, not the verdicts", () => {
        const schema = refuseUnknownFields(schemaOf("ClusterSecretStore"));
        const shared = shareRepeated(schema) as { $defs?: Record<string, unknown> };
        assert.ok(Object.keys(shared.$defs ?? {}).length > 10, "the store schema repeats its references");
        const plain = new Ajv({ allErrors: true, strict: false }).compile(schema as object);
        const objects = [
            store({ authType: "WorkloadIdentity", serviceAccountRef: { name: "eso", namespace: "eso" } }),
            store({ authSecretRef: { clientId: { name: "sp", key: "ClientID" }, clientSecret: { nam: "sp" } } }),
            store({ authType: "ManagedIdentity", identityId: 3 }),
            {
                ...store({}),
                spec: { provider: { vault: { server: "https://v", auth: { tokenSecretRef: { name: "t", k: 1 } } } } },
            },
        ];
        for (const object of objects) {
            plain(object);
            const fields = (errors: readonly { instancePath: string; keyword: string }[] | null | undefined) =>
                (errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`).sort();
            assert.deepEqual(fields(esoSchemaErrors(object)), fields(plain.errors), JSON.stringify(object));
        }
        assert.deepEqual(esoSchemaErrors(objects[0]!), []);
    });

    it("refuses a field the schema does not declare, at any depth, which the API server would prune", async () => {
        assert.deepEqual(
            await validateObjects([
                externalSecret({
                    refreshIntervall: "1h",
                    target: { name: "app", creationPolicy: "Owner", imutable: true },
                }),
            ]),
            [
                {
                    object: "ExternalSecret apps/app",
                    field: "/spec/refreshIntervall",
                    reason: "must NOT have additional properties",
                },
                {
                    object: "ExternalSecret apps/app",
                    field: "/spec/target/imutable",
                    reason: "must NOT have additional properties",
                },
            ],
        );
    });

    it("keeps maps and free-form fields open, as the schema declares them", async () => {
        const template = {
            engineVersion: "v2",
            metadata: { labels: { "app.kubernetes.io/name": "app" }, annotations: { "any/thing": "x" } },
            data: { "config.yaml": "{{ .password }}" },
        };
        assert.deepEqual(await validateObjects([externalSecret({ target: { name: "app", template } })]), []);
    });

    it("checks the formats the API server checks: base64 for byte, RFC 3339 for date-time", async () => {
        assert.deepEqual(await validateObjects([store({ authType: "WorkloadIdentity" })]), []);
        const caBundle = (value: string) =>
            esoSchemaErrors({
                apiVersion: "external-secrets.io/v1",
                kind: "SecretStore",
                metadata: { name: "vault", namespace: "apps" },
                spec: {
                    provider: {
                        vault: { server: "https://v", auth: { tokenSecretRef: { name: "t" } }, caBundle: value },
                    },
                },
            })?.map((e) => `${e.instancePath} ${e.message}`);
        assert.deepEqual(caBundle("aGVsbG8="), []);
        assert.deepEqual(caBundle("not base64!"), ['/spec/provider/vault/caBundle must match format "byte"']);
    });

    it("knows what ESO 2.9.0 added: CreateOrMerge, nullBytePolicy, syncWindows, rewrite merge", async () => {
        const es = externalSecret({
            target: { name: "app", creationPolicy: "CreateOrMerge" },
            data: [{ secretKey: "password", remoteRef: { key: "db-password", nullBytePolicy: "Fail" } }],
            dataFrom: [{ extract: { key: "settings" }, rewrite: [{ merge: { strategy: "Extract" } }] }],
            syncWindows: { kind: "deny", windows: [{ schedule: "0 2 * * 6", duration: "2h" }] },
        });
        assert.deepEqual(await validateObjects([es]), []);
    });
});

describe("ESO 2.9.0's fields in stack config", () => {
    it("emits creationPolicy CreateOrMerge, which ESO 2.9.0's CRD accepts", async () => {
        const { cloud } = await runProgram(
            runbookWith(
                (c) => (c.externalSecrets[0].target = { name: "azure-secret", creationPolicy: "CreateOrMerge" }),
            ),
        );
        const es = inputsOf(only(cloud, TYPES.externalSecret));
        assert.equal(es.spec.target.creationPolicy, "CreateOrMerge");
        assert.deepEqual(await validateObjects([es as KubernetesObject]), []);
    });

    it("still refuses CreateOrMerge with deletionPolicy Delete, as ESO's webhook does", () => {
        assert.deepEqual(
            problemsOf(
                runbookWith((c) => {
                    c.externalSecrets[0].creationPolicy = "CreateOrMerge";
                    c.externalSecrets[0].deletionPolicy = "Delete";
                }),
            ).map((p) => p.split(" is invalid")[0]),
            ['externalSecrets[0].deletionPolicy "Delete"'],
        );
    });

    it("emits nullBytePolicy, syncWindows and a merge rewrite as written", async () => {
        const syncWindows = { kind: "allow", windows: [{ schedule: "0 9 * * 1-5", duration: "8h" }] };
        const { cloud } = await runProgram(
            runbookWith((c) => {
                const [entry] = c.externalSecrets;
                entry.syncWindows = syncWindows;
                entry.data = { password: { key: "db-password", nullBytePolicy: "Fail" } };
                entry.dataFrom = [
                    { find: { name: { regexp: "^app-" }, nullBytePolicy: "Ignore" } },
                    { extract: { key: "settings" }, rewrite: [{ merge: { strategy: "Extract", into: "app" } }] },
                ];
            }),
        );
        const es = inputsOf(only(cloud, TYPES.externalSecret));
        assert.deepEqual(es.spec.syncWindows, syncWindows);
        assert.equal(es.spec.data[0].remoteRef.nullBytePolicy, "Fail");
        assert.equal(es.spec.dataFrom[0].find.nullBytePolicy, "Ignore");
        assert.deepEqual(es.spec.dataFrom[1].rewrite, [{ merge: { strategy: "Extract", into: "app" } }]);
        assert.deepEqual(await validateObjects([es as KubernetesObject]), []);
    });

    it("refuses a syncWindows block ESO's schema refuses, naming the key, value and rule", () => {
        assert.deepEqual(
            problemsOf(
                runbookWith(
                    (c) =>
                        (c.externalSecrets[0].syncWindows = { kind: "always", windows: [{ schedule: "0 9 * * 1-5" }] }),
                ),
            ),
            [
                `externalSecrets[0].syncWindows.kind "always" is invalid: use allow, deny (ESO ${ESO_SCHEMA_VERSION}'s ExternalSecret schema, external-secrets.io/v1).`,
                `externalSecrets[0].syncWindows.windows[0] {"schedule":"0 9 * * 1-5"} is invalid: set duration (ESO ${ESO_SCHEMA_VERSION}'s ExternalSecret schema, external-secrets.io/v1).`,
            ],
        );
    });

    it("names the rule a syncWindows block breaks: its type, its list's length, its schedule's pattern", () => {
        const problemOf = (syncWindows: unknown) =>
            problemsOf(runbookWith((c) => (c.externalSecrets[0].syncWindows = syncWindows))).map(
                (p) => p.split(` (ESO ${ESO_SCHEMA_VERSION}'s`)[0],
            );
        assert.deepEqual(problemOf("daily"), ['externalSecrets[0].syncWindows "daily" is invalid: use an object']);
        assert.deepEqual(problemOf({ kind: "deny", windows: [] }), [
            "externalSecrets[0].syncWindows.windows [] is invalid: list at least 1",
        ]);
        assert.deepEqual(problemOf({ kind: "deny", windows: [{ schedule: "daily", duration: "1h" }] }), [
            'externalSecrets[0].syncWindows.windows[0].schedule "daily" is invalid: match ^(@(annually|yearly|monthly|weekly|daily|midnight|hourly)|@every [^\\s]+.*|[^\\s]+( [^\\s]+){4})$',
        ]);
    });

    it("refuses a misspelt field inside what only ESO's schema checks", () => {
        assert.deepEqual(
            problemsOf(
                runbookWith(
                    (c) =>
                        (c.externalSecrets[0].dataFrom = [
                            {
                                extract: { key: "settings" },
                                rewrite: [{ regexp: { source: "^", target: "a-", flags: "i" } }],
                            },
                        ]),
                ),
            ),
            [
                `externalSecrets[0].dataFrom[0].rewrite[0].regexp.flags "i" is invalid: the schema declares no such field, so the API server would drop it: check its spelling (ESO ${ESO_SCHEMA_VERSION}'s ExternalSecret schema, external-secrets.io/v1).`,
            ],
        );
    });

    it("refuses a nullBytePolicy ESO does not know", () => {
        assert.deepEqual(
            problemsOf(
                runbookWith(
                    (c) =>
                        (c.externalSecrets[0].data = [
                            { secretKey: "password", remoteRef: { key: "db", nullBytePolicy: "Drop" } },
                        ]),
                ),
            ),
            [
                'externalSecrets[0].data[0].remoteRef.nullBytePolicy "Drop" is invalid: use Ignore or Fail (ESO null byte policy, for values holding NUL bytes).',
            ],
        );
        assert.deepEqual(
            problemsOf(
                runbookWith((c) => (c.externalSecrets[0].data = { password: { key: "db", nullBytePolicy: "Drop" } })),
            ),
            [
                'externalSecrets[0].data.password {"key":"db","nullBytePolicy":"Drop"} is invalid: use a Key Vault object name, or { key, property, version, decodingStrategy, conversionStrategy, metadataPolicy, nullBytePolicy }.',
            ],
        );
    });
});
