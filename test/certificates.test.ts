// The certificate preset: a Key Vault certificate as a kubernetes.io/tls Secret, read through the secret that backs it.
import { strict as assert } from "node:assert";
import { checkResources, type PolicyResource } from "../policy/policies";
import { validateObjects, type KubernetesObject } from "../plan/objects";
import { inputsOf, only, problemsIn, problemsOf, runProgram, twoTenantsWith, TYPES } from "./mocks";

const SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const READER = "21090545-7ca7-4776-b22c-e363652d74d2";

/** Two tenants; team-a also syncs its certificate "team-a-tls" as a TLS Secret. */
function withCertificate(certificate: unknown = "team-a-tls"): Record<string, any> {
    return twoTenantsWith((c) => c.externalSecrets.push({ name: "tls", namespace: "team-a", certificate }));
}

describe("the certificate preset", () => {
    it("emits ESO's PKCS#12 template for a kubernetes.io/tls Secret, which ESO 2.9.0's CRD schema accepts", async () => {
        const { cloud } = await runProgram(withCertificate());
        const es = inputsOf(only(cloud, TYPES.externalSecret, "team-a/tls"));
        assert.deepEqual(es.spec.data, [{ secretKey: "tls", remoteRef: { key: "secret/team-a-tls" } }]);
        assert.deepEqual(es.spec.target, {
            name: "tls",
            creationPolicy: "Owner",
            template: {
                engineVersion: "v2",
                type: "kubernetes.io/tls",
                data: {
                    "tls.crt": "{{ .tls | b64dec | pkcs12cert }}",
                    "tls.key": "{{ .tls | b64dec | pkcs12key }}",
                },
            },
        });
        assert.deepEqual(await validateObjects([es as KubernetesObject]), []);
    });

    it("splits a PEM certificate with filterPEM", async () => {
        const { cloud } = await runProgram(withCertificate({ name: "team-a-tls", format: "pem" }));
        const es = inputsOf(only(cloud, TYPES.externalSecret, "team-a/tls"));
        assert.deepEqual(es.spec.target.template.data, {
            "tls.crt": '{{ .tls | filterPEM "CERTIFICATE" }}',
            "tls.key": '{{ .tls | filterPEM "PRIVATE KEY" }}',
        });
        assert.deepEqual(await validateObjects([es as KubernetesObject]), []);
    });

    it("grants Key Vault Secrets User on the certificate's backing secret only, where the private key is read", async () => {
        const { cloud } = await runProgram(withCertificate());
        const grants = cloud
            .ofType(TYPES.roleAssignment)
            .map(inputsOf)
            .filter((inputs) => String(inputs.scope).endsWith("/team-a-tls"));
        assert.deepEqual(
            grants.map((inputs) => [String(inputs.roleDefinitionId).split("/").at(-1), inputs.principalType]),
            [[SECRETS_USER, "ServicePrincipal"]],
        );
        assert.match(
            String(grants[0]?.scope),
            /^\/subscriptions\/[^/]+\/resourceGroups\/rg-external-secrets\/providers\/Microsoft\.KeyVault\/vaults\/external-secret-vault\/secrets\/team-a-tls$/,
        );
    });

    it("keeps Key Vault Reader for a cert/ reference, which reads the public certificate only", async () => {
        const { cloud } = await runProgram(
            twoTenantsWith((c) =>
                c.externalSecrets.push({ name: "ca", namespace: "team-a", data: { "ca.crt": "cert/team-a-ca" } }),
            ),
        );
        const grants = cloud
            .ofType(TYPES.roleAssignment)
            .map(inputsOf)
            .filter((inputs) => String(inputs.scope).includes("team-a-ca"));
        assert.deepEqual(
            grants.map((inputs) => [
                String(inputs.roleDefinitionId).split("/").at(-1),
                String(inputs.scope).split("/").slice(-2).join("/"),
            ]),
            [[READER, "certificates/team-a-ca"]],
        );
    });

    it("keeps Key Vault Reader for a key/ reference, scoped to that key, which reads the public key only", async () => {
        const { cloud } = await runProgram(
            twoTenantsWith((c) =>
                c.externalSecrets.push({
                    name: "jwks",
                    namespace: "team-a",
                    data: { "signing.pem": "key/team-a-signing" },
                }),
            ),
        );
        const grants = cloud
            .ofType(TYPES.roleAssignment)
            .map(inputsOf)
            .filter((inputs) => String(inputs.scope).includes("team-a-signing"));
        assert.deepEqual(
            grants.map((inputs) => [
                String(inputs.roleDefinitionId).split("/").at(-1),
                String(inputs.scope).split("/").slice(-2).join("/"),
            ]),
            [[READER, "keys/team-a-signing"]],
        );
    });

    it("passes the policy pack's least-privilege rule", async () => {
        const { cloud } = await runProgram(withCertificate());
        const resources: PolicyResource[] = cloud
            .ofType(TYPES.roleAssignment)
            .map((r) => ({ type: r.type, name: r.name, props: inputsOf(r) }));
        assert.deepEqual(
            checkResources(resources, { production: false, tenantsConfigured: true, pushedSecrets: [] }),
            [],
        );
    });

    it("keeps a tenant to its own certificates", () => {
        assert.deepEqual(problemsOf(withCertificate("shared-tls")), [
            'externalSecrets[2].certificate "shared-tls" is invalid: Key Vault object "shared-tls" is not one of tenant "team-a"\'s secrets (prefix team-a-), and this ExternalSecret in namespace "team-a" belongs to tenant "team-a".',
        ]);
        assert.deepEqual(problemsOf(withCertificate({ name: "shared-tls" })).length, 1);
        assert.match(
            problemsOf(withCertificate({ name: "shared-tls" }))[0] as string,
            /^externalSecrets\[2\]\.certificate\.name "shared-tls"/,
        );
    });

    it("refuses data, dataFrom or a template type beside the preset, which writes them itself", () => {
        const config = twoTenantsWith((c) =>
            c.externalSecrets.push({
                name: "tls",
                namespace: "team-a",
                certificate: "team-a-tls",
                data: { extra: "team-a-db" },
                template: { type: "Opaque", metadata: { labels: { app: "web" } } },
            }),
        );
        assert.deepEqual(problemsOf(config), [
            'externalSecrets[2].certificate "team-a-tls" is invalid: the certificate preset writes the Secret\'s data and type itself (tls.crt, tls.key, kubernetes.io/tls); remove data, template.type, or leave certificate out and write them yourself.',
        ]);
    });

    it("keeps the template's labels and annotations beside the preset", () => {
        const config = twoTenantsWith((c) =>
            c.externalSecrets.push({
                name: "tls",
                namespace: "team-a",
                certificate: "team-a-tls",
                template: { metadata: { labels: { app: "web" } } },
            }),
        );
        assert.deepEqual(problemsIn(config), []);
    });

    it("refuses an unknown format", () => {
        assert.deepEqual(problemsOf(withCertificate({ name: "team-a-tls", format: "der" })), [
            'externalSecrets[2].certificate.format "der" is invalid: use pkcs12 (Key Vault\'s default content type, application/x-pkcs12) or pem (application/x-pem-file).',
        ]);
    });
});
