// The rules of generators[] and pushSecrets[] at their edges: what ESO's Password generator (go-password) can make,
// names that must be unique, sources that must exist, and the shared store's namespaces. Each refusal names the key,
// the value and the upstream rule, before anything is registered.
import { strict as assert } from "node:assert";
import { problemsIn, problemsOf, recoveryWith } from "./mocks";

const GO_PASSWORD =
    "external-secrets generators/v1/password/password.go, with github.com/sethvargo/go-password Generate (v0.3.1)";
const CONTROLLER = "external-secrets pkg/controllers/pushsecret/pushsecret_controller.go";

/** The recovery stack with the generator's spec replaced. */
const withPassword = (spec: Record<string, unknown>) => recoveryWith((c) => (c.generators[0].spec = spec));

describe("generators: what go-password can generate", () => {
    it("accepts up to 52 distinct letters (26 without upper case), and refuses one more", () => {
        assert.deepEqual(problemsIn(withPassword({ length: 52, digits: 0, symbols: 0 })), []);
        assert.deepEqual(problemsOf(withPassword({ length: 53, digits: 0, symbols: 0 })), [
            `generators[0].spec.length 53 is invalid: needs 53 distinct letters and only 52 exist: without allowRepeat the generator fails with "number of letters exceeds available letters and repeats are not allowed" (${GO_PASSWORD}); set allowRepeat, or more digits and symbols.`,
        ]);
        assert.deepEqual(problemsIn(withPassword({ length: 53, digits: 0, symbols: 0, allowRepeat: true })), []);
        assert.deepEqual(problemsIn(withPassword({ length: 26, digits: 0, symbols: 0, noUpper: true })), []);
        assert.deepEqual(
            problemsOf(withPassword({ length: 27, digits: 0, symbols: 0, noUpper: true })).map(
                (p) => p.split(": without")[0],
            ),
            ["generators[0].spec.length 27 is invalid: needs 27 distinct letters and only 26 exist"],
        );
    });

    it("accepts a password of digits and symbols only, and refuses more of them than its length", () => {
        assert.deepEqual(problemsIn(withPassword({ length: 10, digits: 5, symbols: 5, allowRepeat: true })), []);
        assert.deepEqual(
            problemsOf(withPassword({ length: 10, digits: 6, symbols: 5, allowRepeat: true })).map(
                (p) => p.split(" is invalid")[0],
            ),
            ["generators[0].spec.length 10"],
        );
    });

    it("accepts 10 distinct digits, and refuses 11 without allowRepeat", () => {
        assert.deepEqual(problemsIn(withPassword({ length: 40, digits: 10, symbols: 0 })), []);
        assert.deepEqual(problemsOf(withPassword({ length: 40, digits: 11, symbols: 0 })), [
            `generators[0].spec.digits 11 is invalid: asks for 11 distinct digits and only 10 exist: without allowRepeat the generator fails with "number of digits exceeds available digits and repeats are not allowed" (${GO_PASSWORD}); set allowRepeat or at most 10 digits.`,
        ]);
        assert.deepEqual(problemsIn(withPassword({ length: 40, digits: 11, symbols: 0, allowRepeat: true })), []);
    });

    it("counts distinct symbol characters: as many symbols as there are, not one more", () => {
        const spec = { length: 20, digits: 0, symbolCharacters: "!!@#" };
        assert.deepEqual(problemsIn(withPassword({ ...spec, symbols: 3 })), []);
        assert.deepEqual(problemsOf(withPassword({ ...spec, symbols: 4 })), [
            `generators[0].spec.symbols 4 is invalid: asks for 4 distinct symbols and only 3 are available: without allowRepeat the generator fails with "number of symbols exceeds available symbols and repeats are not allowed" (${GO_PASSWORD}); set allowRepeat or fewer symbols.`,
        ]);
    });

    it("refuses two generators of one kind and name in a namespace, and names the second", () => {
        assert.deepEqual(
            problemsOf(recoveryWith((c) => c.generators.push({ ...c.generators[0], spec: { length: 20 } }))),
            [
                'generators[1].name "db-password" is invalid: another Password generator already uses this name in namespace "app-namespace"; use a unique name.',
            ],
        );
    });
});

describe("pushSecrets: names and sources", () => {
    it("refuses two PushSecrets of one name in a namespace, and names the second", () => {
        assert.deepEqual(
            problemsOf(
                recoveryWith((c) =>
                    c.pushSecrets.push({
                        ...c.pushSecrets[0],
                        data: [{ match: { secretKey: "password", remoteRef: { remoteKey: "another-secret" } } }],
                    }),
                ),
            ),
            [
                'pushSecrets[1].name "db-password" is invalid: another PushSecret already uses this name in namespace "app-namespace"; use a unique name.',
            ],
        );
    });

    it("refuses a key the generator does not write, unless a template writes it", () => {
        assert.deepEqual(problemsOf(recoveryWith((c) => (c.pushSecrets[0].data[0].match.secretKey = "pass"))), [
            `pushSecrets[0].data[0].match.secretKey "pass" is invalid: Password "db-password" writes no such key (it writes password): ESO fails the push with "secret key pass does not exist" (${CONTROLLER}, pushSecretEntry); use one of them.`,
        ]);
        assert.deepEqual(
            problemsIn(
                recoveryWith((c) => {
                    c.pushSecrets[0].data[0].match.secretKey = "pass";
                    c.pushSecrets[0].template = { data: { pass: "{{ .password }}" } };
                }),
            ),
            [],
        );
    });

    it("refuses a Secret no ExternalSecret of the PushSecret's namespace writes, listing only that namespace's", () => {
        const problems = problemsOf(
            recoveryWith((c) => {
                c.pushSecrets[0].selector = { secret: { name: "elsewhere" } };
                c.pushSecrets[0].data[0].match.secretKey = "x";
                // Writes "elsewhere", but in ESO's namespace: a PushSecret reads only its own namespace's Secrets.
                c.externalSecrets.push({
                    name: "elsewhere",
                    namespace: "external-secrets",
                    data: { x: "azure-secret" },
                });
            }),
        );
        assert.deepEqual(problems, [
            `pushSecrets[0].selector.secret.name "elsewhere" is invalid: names no Secret an ExternalSecret of this stack writes in namespace "app-namespace" (cloud-credentials): \`pulumi up\` waits for each PushSecret to be Ready, and ESO reports "could not get source secret" while the Secret does not exist (${CONTROLLER}, Reconcile); name one of them, or push a generator's output with selector.generatorRef.`,
        ]);
    });

    it("refuses a PushSecret in a namespace the shared store does not serve, and accepts one it serves", () => {
        assert.deepEqual(problemsOf(recoveryWith((c) => (c.store = { namespaces: ["other-namespace"] }))), [
            'pushSecrets[0].namespace "app-namespace" is invalid: namespace "app-namespace" is not among store.namespaces (other-namespace), so the shared ClusterSecretStore refuses this PushSecret; add it there.',
        ]);
        assert.deepEqual(problemsIn(recoveryWith((c) => (c.store = { namespaces: ["app-namespace"] }))), []);
    });
});
