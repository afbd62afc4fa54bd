// The upstream rules on their own: ESO's admission webhook rule for rule, ESO's retry schedule, AKS's issuer form and
// the cluster's namespaces, each checked at the edge where a looser rule would let a refused object through.
import { strict as assert } from "node:assert";
import { aksIssuerProblem, esoRetryTimes, externalSecretWebhookRefusals, isClusterNamespace } from "../stacks/upstream";

const DATA = [{ secretKey: "a" }];
const refusals = (spec: Parameters<typeof externalSecretWebhookRefusals>[0]) => externalSecretWebhookRefusals(spec);

describe("ESO's admission webhook, rule for rule", () => {
    it("admits the CRD's defaults: creationPolicy Owner, deletionPolicy Retain", () => {
        assert.deepEqual(refusals({ data: DATA }), []);
        assert.deepEqual(refusals({ target: { deletionPolicy: "Delete" }, data: DATA }), []);
        assert.deepEqual(refusals({ target: { deletionPolicy: "Merge", creationPolicy: "Owner" }, data: DATA }), []);
    });

    it("refuses deletionPolicy Delete where ESO does not own the Secret, and Merge with nothing to merge", () => {
        assert.deepEqual(
            refusals({ target: { deletionPolicy: "Delete", creationPolicy: "CreateOrMerge" }, data: DATA }),
            [
                {
                    path: ["target", "deletionPolicy"],
                    rule: "deletionPolicy Delete must not be used with creationPolicy CreateOrMerge, where ESO does not own the Secret",
                    fix: "use creationPolicy Owner, or deletionPolicy Retain",
                },
            ],
        );
        assert.deepEqual(refusals({ target: { deletionPolicy: "Merge", creationPolicy: "None" }, data: DATA }), [
            {
                path: ["target", "deletionPolicy"],
                rule: "deletionPolicy Merge must not be used with creationPolicy None: there is no Secret to merge with",
                fix: "use deletionPolicy Retain, or a creationPolicy that writes the Secret",
            },
        ]);
    });

    it("refuses an ExternalSecret that reads nothing", () => {
        assert.deepEqual(refusals({}), [
            {
                path: ["data"],
                rule: "either data or dataFrom must be specified",
                fix: "map at least one Secret key in data, or read secrets with dataFrom",
            },
        ]);
    });

    it("refuses service-account-token templates that would mint a token, and only those", () => {
        const token = "kubernetes.io/service-account-token";
        assert.deepEqual(refusals({ data: DATA, target: { template: { type: token } } }), []);
        assert.deepEqual(
            refusals({
                data: DATA,
                target: {
                    template: { type: token, metadata: { annotations: { "kubernetes.io/service-account.name": "x" } } },
                },
            }).map((r) => r.path),
            [["target", "template", "metadata", "annotations", "kubernetes.io/service-account.name"]],
        );
        assert.deepEqual(
            refusals({
                data: DATA,
                target: { template: { type: token, templateFrom: [{ target: "Labels" }, { target: "Annotations" }] } },
            }),
            [
                {
                    path: ["target", "template", "templateFrom", 1, "target"],
                    rule: "template type kubernetes.io/service-account-token with a templateFrom target Annotations is not allowed",
                    fix: "template data or labels instead",
                },
            ],
        );
        assert.deepEqual(
            refusals({
                data: DATA,
                target: { template: { type: "Opaque", templateFrom: [{ target: "Annotations" }] } },
            }),
            [],
        );
    });

    it("refuses templateFrom targets a Secret does not have, in any case, and accepts an unset one", () => {
        assert.deepEqual(
            refusals({
                data: DATA,
                target: { template: { templateFrom: [{ target: "Data" }, {}, { target: "Spec" }] } },
            }),
            [
                {
                    path: ["target", "template", "templateFrom", 2, "target"],
                    rule: 'templateFrom target "Spec" is not allowed when the target is a Secret',
                    fix: "use Data, Annotations or Labels",
                },
            ],
        );
    });

    it("refuses dataFrom entries with two sources, with none, and a sourceRef with neither ref", () => {
        assert.deepEqual(
            refusals({
                dataFrom: [
                    { extract: { key: "a" }, find: { name: { regexp: "x" } } },
                    {},
                    { sourceRef: {} },
                    { sourceRef: { generatorRef: { kind: "Password", name: "p" } } },
                    { sourceRef: { storeRef: { name: "s" } } },
                ],
            }),
            [
                {
                    path: ["dataFrom", 0],
                    rule: "extract, find and generatorRef cannot be set at the same time",
                    fix: "use one of them per dataFrom entry",
                },
                {
                    path: ["dataFrom", 1],
                    rule: "each dataFrom entry needs extract, find or sourceRef",
                    fix: "set one of them",
                },
                {
                    path: ["dataFrom", 2, "sourceRef"],
                    rule: "sourceRef needs generatorRef or storeRef",
                    fix: "set one of them",
                },
            ],
        );
        assert.equal(
            refusals({
                dataFrom: [
                    { find: { name: { regexp: "x" } }, sourceRef: { generatorRef: { kind: "Password", name: "p" } } },
                ],
            }).length,
            1,
        );
    });

    it("refuses a repeated secretKey when the Secret is retained, and skips entries without one", () => {
        assert.deepEqual(refusals({ data: [{ secretKey: "a" }, {}, { secretKey: "a" }] }), [
            {
                path: ["data", 2, "secretKey"],
                rule: "duplicate secretKey a",
                fix: "give each data entry its own secretKey",
            },
        ]);
        assert.deepEqual(refusals({ data: [{}, {}] }), []);
    });
});

describe("upstream facts", () => {
    it("retries at 1, 3, 7 ... 511 s, then every 420 s, up to and including the given time", () => {
        assert.deepEqual(esoRetryTimes(931), [1, 3, 7, 15, 31, 63, 127, 255, 511, 931, 1351]);
        assert.deepEqual(esoRetryTimes(930).at(-1), 931);
        assert.deepEqual(esoRetryTimes(0), [1]);
    });

    it("checks an AKS issuer's form, and only an AKS issuer's", () => {
        const good =
            "https://westeurope.oic.prod-aks.azure.com/11111111-1111-4111-a111-111111111111/22222222-aaaa-4bbb-8ccc-333333333333/";
        assert.equal(aksIssuerProblem(good), undefined);
        assert.equal(aksIssuerProblem("https://token.actions.githubusercontent.com"), undefined);
        assert.equal(aksIssuerProblem("https://issuer.example/oic.prod-aks.azure.com/x"), undefined);
        assert.equal(aksIssuerProblem("not a url"), undefined);
        assert.equal(
            aksIssuerProblem("https://westeurope.oic.prod-aks.azure.com/11111111-1111-4111-a111-111111111111/"),
            "an AKS issuer is https://<region>.oic.prod-aks.azure.com/<tenant id>/<cluster id>/",
        );
        assert.equal(
            aksIssuerProblem(
                "https://westeurope.oic.prod-aks.azure.com/x/11111111-1111-4111-a111-111111111111/22222222-aaaa-4bbb-8ccc-333333333333/",
            ),
            "an AKS issuer is https://<region>.oic.prod-aks.azure.com/<tenant id>/<cluster id>/",
        );
        assert.match(aksIssuerProblem(good.slice(0, -1)) ?? "", /final slash/);
        assert.match(aksIssuerProblem(good.replace("aaaa", "AAAA")) ?? "", /lower case/);
    });

    it("knows the cluster's own namespaces by name and by the kube- prefix", () => {
        for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease", "kube-anything"]) {
            assert.equal(isClusterNamespace(ns), true, ns);
        }
        for (const ns of ["apps", "my-kube-", "team-kube", "defaults"]) assert.equal(isClusterNamespace(ns), false, ns);
    });
});
