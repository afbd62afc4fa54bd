import { strict as assert } from "node:assert";
import { checkResources, policies, policyPackConfig, type PolicyConfig, type PolicyResource } from "../policy/policies";
import { inputsOf, privateNetwork, runbookWith, runProgram } from "./mocks";

const NOW = new Date("2026-03-01T00:00:00Z");
const DEV: PolicyConfig = { production: false, tenantsConfigured: false };
const PRODUCTION: PolicyConfig = { production: true, tenantsConfigured: false };
const TENANTS: PolicyConfig = { production: false, tenantsConfigured: true };

const SUBSCRIPTION = "/subscriptions/22222222-2222-4222-a222-222222222222";
const VAULT_ID = `${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-test`;
const SUBNET_ID = `${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/aks`;
const role = (id: string) => `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${id}`;
const SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7";
const READER = "21090545-7ca7-4776-b22c-e363652d74d2";

// Resources as the program registers them, each passing every policy.

const vault = (): PolicyResource => ({
    type: "azure-native:keyvault:Vault",
    name: "vault-vault",
    props: {
        resourceGroupName: "rg",
        vaultName: "kv-test",
        location: "westeurope",
        properties: {
            tenantId: "11111111-1111-4111-a111-111111111111",
            sku: { family: "A", name: "standard" },
            enableRbacAuthorization: true,
            // The SDK's default, sent whether or not the program sets it.
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
        },
    },
});

const roleAssignment = (): PolicyResource => ({
    type: "azure-native:authorization:RoleAssignment",
    name: "eso-access-vault",
    props: {
        principalId: "33333333-3333-4333-a333-333333333333",
        principalType: "ServicePrincipal",
        roleDefinitionId: role(SECRETS_USER),
        scope: VAULT_ID,
    },
});

const password = (endDate = "2026-08-28T00:00:00Z"): PolicyResource => ({
    type: "azuread:index/applicationPassword:ApplicationPassword",
    name: "eso-password-a",
    props: { applicationId: "/applications/55555555-5555-4555-a555-555555555555", displayName: "slot a", endDate },
});

/** One of ESO's chart pods, as the chart's values configure it. */
const chartPod = () => ({
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    podSecurityContext: { enabled: true, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: {
        enabled: true,
        seccompProfile: { type: "RuntimeDefault" },
        appArmorProfile: { type: "RuntimeDefault" },
    },
});

const release = (): PolicyResource => ({
    type: "kubernetes:helm.sh/v3:Release",
    name: "eso-release",
    props: {
        name: "external-secrets",
        chart: "external-secrets",
        version: "2.9.0",
        repositoryOpts: { repo: "https://charts.external-secrets.io" },
        namespace: "external-secrets",
        values: { installCRDs: true, ...chartPod(), webhook: chartPod(), certController: chartPod() },
    },
});

const clusterStore = (): PolicyResource => ({
    type: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
    name: "store-store",
    props: {
        apiVersion: "external-secrets.io/v1",
        kind: "ClusterSecretStore",
        metadata: { name: "azure-secret-store" },
        spec: {
            provider: { azurekv: { authType: "ServicePrincipal", vaultUrl: "https://kv-test.vault.azure.net/" } },
            conditions: [{ namespaces: ["app-namespace"] }],
        },
    },
});

const externalSecret = (refreshInterval = "1h"): PolicyResource => ({
    type: "kubernetes:external-secrets.io/v1:ExternalSecret",
    name: "app-namespace-external-secret-external-secret",
    props: {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "external-secret", namespace: "app-namespace" },
        spec: {
            refreshInterval,
            secretStoreRef: { kind: "ClusterSecretStore", name: "azure-secret-store" },
            target: { name: "cloud-credentials", creationPolicy: "Owner" },
            data: [{ secretKey: "cloud-credentials", remoteRef: { key: "key-vault-secret-name" } }],
        },
    },
});

const podSpec = () => ({
    automountServiceAccountToken: false,
    securityContext: {
        runAsNonRoot: true,
        runAsUser: 65532,
        fsGroup: 65532,
        seccompProfile: { type: "RuntimeDefault" },
        appArmorProfile: { type: "RuntimeDefault" },
    },
    containers: [
        {
            name: "app-name",
            image: "registry.k8s.io/pause:3.10",
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
            },
            volumeMounts: [{ name: "credentials", mountPath: "/credentials", readOnly: true }],
        },
    ],
    volumes: [{ name: "credentials", secret: { secretName: "cloud-credentials", defaultMode: 0o400 } }],
});

const pod = (): PolicyResource => ({
    type: "kubernetes:core/v1:Pod",
    name: "app-namespace-app-name-pod",
    props: { apiVersion: "v1", kind: "Pod", metadata: { name: "app-name" }, spec: podSpec() },
});

const deployment = (): PolicyResource => ({
    type: "kubernetes:apps/v1:Deployment",
    name: "app-deployment",
    props: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "app" },
        spec: {
            selector: { matchLabels: { app: "app" } },
            template: { metadata: { labels: { app: "app" } }, spec: podSpec() },
        },
    },
});

/** A copy of `resource` with its props changed by `change`. */
function changed(resource: PolicyResource, change: (props: any) => void): PolicyResource {
    const props = structuredClone(resource.props);
    change(props);
    return { ...resource, props };
}

/** The messages one policy reports for one resource. */
function reported(policy: string, resource: PolicyResource, config = DEV, now = NOW): string[] {
    return checkResources([resource], config, now)
        .filter((violation) => violation.policy === policy)
        .map((violation) => violation.message);
}

/** Asserts that no policy at all reports the resource: a passing fixture that passes only one policy proves little. */
function assertPasses(resource: PolicyResource, config = DEV, now = NOW): void {
    assert.deepEqual(checkResources([resource], config, now), []);
}

describe("the policy pack", () => {
    it("names each policy once, in kebab-case, and describes it", () => {
        const names = policies.map((policy) => policy.name);
        // The names key --policy-pack-config, so two policies must not share one.
        assert.equal(new Set(names).size, names.length, `duplicate policy names in ${names.join(", ")}`);
        for (const policy of policies) {
            assert.match(policy.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.ok(policy.description.length > 0, `${policy.name} has no description`);
        }
    });

    it("finds nothing to report in the resources the runbook program registers", async () => {
        // Production stacks' vaults are private (vault.network.privateEndpoint) and logged (monitoring.logs), so the
        // strictest settings apply.
        const { cloud } = await runProgram(
            runbookWith((c) => ((c.vault.network = privateNetwork()), (c.monitoring = { logs: {} }))),
        );
        const resources = cloud.resources
            .filter((r) => r.custom)
            .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: inputsOf(r) }));
        assert.ok(resources.length > 10);
        assert.deepEqual(checkResources(resources, PRODUCTION), []);
    });
});

describe("checkResources", () => {
    it("names the policy, the resource as its type and name, and the problem", () => {
        const resource = changed(vault(), (props) => (props.properties.enableRbacAuthorization = false));
        assert.deepEqual(checkResources([resource], DEV, NOW), [
            {
                policy: "keyvault-rbac-authorization",
                resource: "azure-native:keyvault:Vault vault-vault",
                message:
                    "enableRbacAuthorization is false: authorize with Azure RBAC (true); access policies grant vault-wide permissions that cannot be narrowed to one secret",
            },
        ]);
    });

    it("passes resources of types no policy checks", () => {
        assertPasses({ type: "kubernetes:core/v1:Namespace", name: "apps", props: { metadata: { name: "apps" } } });
    });
});

describe("policyPackConfig", () => {
    it("writes what a production stack with a restricted network and tenants passes with --policy-pack-config", () => {
        const config = policyPackConfig({
            production: true,
            restrictedNetwork: { allowedIps: ["203.0.113.7"], allowedSubnetIds: [SUBNET_ID] },
            tenantsConfigured: true,
        });
        assert.deepEqual(config, {
            "keyvault-purge-protection-in-production": { production: true },
            "keyvault-network-restricted": {
                restricted: true,
                publicNetworkAccess: "enabled",
                allowedIps: ["203.0.113.7"],
                allowedSubnetIds: [SUBNET_ID],
            },
            "keyvault-network-closed-in-production": { production: true },
            "keyvault-public-network-disabled": { required: false },
            "keyvault-private-link": { required: true },
            "keyvault-resource-logs": { required: true },
            "eso-cluster-store-conditions": { tenantsConfigured: true },
            "role-assignment-write-scope": { pushedSecrets: [] },
            "eso-chart-pods": { appArmor: true },
            "workload-runtime-profiles": { appArmor: true },
        });
    });

    it("turns each config-dependent policy off for a development stack", () => {
        assert.deepEqual(policyPackConfig(DEV), {
            "keyvault-purge-protection-in-production": { production: false },
            "keyvault-network-restricted": { restricted: false },
            "keyvault-network-closed-in-production": { production: false },
            "keyvault-public-network-disabled": { required: false },
            "keyvault-private-link": { required: false },
            "keyvault-resource-logs": { required: false },
            "eso-cluster-store-conditions": { tenantsConfigured: false },
            "role-assignment-write-scope": { pushedSecrets: [] },
            "eso-chart-pods": { appArmor: true },
            "workload-runtime-profiles": { appArmor: true },
        });
    });

    it("only sets keys each policy's configSchema declares, with the declared types", () => {
        const config = policyPackConfig({
            production: true,
            restrictedNetwork: { allowedIps: [], allowedSubnetIds: [] },
            tenantsConfigured: true,
        });
        for (const [name, values] of Object.entries(config)) {
            const schema = policies.find((policy) => policy.name === name)?.configSchema;
            assert.ok(schema, `${name} is not a policy with a configSchema`);
            for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
                const declared: unknown = schema.properties[key]?.type;
                assert.equal(Array.isArray(value) ? "array" : typeof value, declared, `${name}.${key}`);
            }
        }
    });
});

describe("keyvault-rbac-authorization", () => {
    it("passes a vault authorized by Azure RBAC", () => {
        assertPasses(vault());
    });

    it("reports a vault that leaves RBAC off or unset", () => {
        const rule =
            "authorize with Azure RBAC (true); access policies grant vault-wide permissions that cannot be narrowed to one secret";
        const off = changed(vault(), (props) => (props.properties.enableRbacAuthorization = false));
        const unset = changed(vault(), (props) => delete props.properties.enableRbacAuthorization);
        assert.deepEqual(reported("keyvault-rbac-authorization", off), [`enableRbacAuthorization is false: ${rule}`]);
        assert.deepEqual(reported("keyvault-rbac-authorization", unset), [
            `enableRbacAuthorization is undefined: ${rule}`,
        ]);
    });
});

describe("keyvault-soft-delete-retention", () => {
    it("passes retention of 7 and of 90 days", () => {
        assertPasses(changed(vault(), (props) => (props.properties.softDeleteRetentionInDays = 7)));
        assertPasses(changed(vault(), (props) => (props.properties.softDeleteRetentionInDays = 90)));
    });

    it("reports retention that is unset, too short, too long or not a whole number", () => {
        const rule = "set a whole number of days from 7 to 90; it is fixed when the vault is created";
        for (const [days, shown] of [
            [undefined, "undefined"],
            [6, "6"],
            [91, "91"],
            [30.5, "30.5"],
            ["30", '"30"'],
        ] as const) {
            const resource = changed(vault(), (props) => (props.properties.softDeleteRetentionInDays = days));
            assert.deepEqual(reported("keyvault-soft-delete-retention", resource), [
                `softDeleteRetentionInDays is ${shown}: ${rule}`,
            ]);
        }
    });
});

describe("keyvault-purge-protection-in-production", () => {
    const unprotected = () => changed(vault(), (props) => delete props.properties.enablePurgeProtection);

    it("reports a production vault without purge protection", () => {
        assert.deepEqual(reported("keyvault-purge-protection-in-production", unprotected(), PRODUCTION), [
            "enablePurgeProtection is undefined: production vaults must turn purge protection on",
        ]);
    });

    it("passes a production vault with purge protection on", () => {
        assert.deepEqual(reported("keyvault-purge-protection-in-production", vault(), PRODUCTION), []);
    });

    it("does not apply to a stack that is not production", () => {
        assertPasses(unprotected(), DEV);
    });
});

describe("keyvault-network-restricted", () => {
    const RESTRICTED: PolicyConfig = {
        ...DEV,
        restrictedNetwork: { allowedIps: ["203.0.113.7", "198.51.100.0/24"], allowedSubnetIds: [SUBNET_ID] },
    };
    const restricted = (change: (acls: any) => void = () => undefined) =>
        changed(vault(), (props) => {
            props.properties.networkAcls = {
                defaultAction: "Deny",
                bypass: "None",
                ipRules: [{ value: "203.0.113.7" }, { value: "198.51.100.0/24" }],
                virtualNetworkRules: [{ id: SUBNET_ID }],
            };
            change(props.properties.networkAcls);
        });

    it("passes a vault that denies by default and allows exactly the configured IPs and subnets", () => {
        assertPasses(restricted(), RESTRICTED);
    });

    it("reads a /32 range as its address and subnet ids regardless of case", () => {
        const resource = restricted((acls) => {
            acls.ipRules[0].value = "203.0.113.7/32";
            acls.virtualNetworkRules[0].id = SUBNET_ID.toUpperCase();
        });
        assertPasses(resource, RESTRICTED);
    });

    it("does not apply when the stack asks for no network restriction", () => {
        assertPasses(vault(), DEV);
    });

    it("reports a vault without network rules", () => {
        assert.deepEqual(reported("keyvault-network-restricted", vault(), RESTRICTED), [
            'networkAcls is undefined: this stack asks for a restricted network, so deny by default (defaultAction "Deny") and allow only the configured IPs and subnets',
        ]);
    });

    it("reports a vault that allows by default", () => {
        const resource = restricted((acls) => (acls.defaultAction = "Allow"));
        assert.deepEqual(reported("keyvault-network-restricted", resource, RESTRICTED), [
            'networkAcls.defaultAction is "Allow": use "Deny" so only the configured IPs and subnets reach the vault',
        ]);
    });

    it("reports an IP that is not configured and a configured subnet that is missing", () => {
        const resource = restricted((acls) => {
            acls.ipRules.push({ value: "192.0.2.1" });
            acls.virtualNetworkRules = [];
        });
        assert.deepEqual(reported("keyvault-network-restricted", resource, RESTRICTED), [
            'networkAcls.ipRules[].value is ["203.0.113.7","198.51.100.0/24","192.0.2.1"]: allow exactly the configured IPs ["203.0.113.7","198.51.100.0/24"] (not allowed: 192.0.2.1)',
            `networkAcls.virtualNetworkRules[].id is []: allow exactly the configured subnets ["${SUBNET_ID}"] (missing: ${SUBNET_ID.toLowerCase()})`,
        ]);
    });

    it("leaves subnets alone while their ids are not known", () => {
        assertPasses(
            restricted((acls) => (acls.virtualNetworkRules = [{ id: undefined }])),
            RESTRICTED,
        );
    });
});

describe("role-assignment-least-privilege", () => {
    it("passes Key Vault Secrets User on a vault or on one of its secrets", () => {
        assertPasses(roleAssignment());
        assertPasses(changed(roleAssignment(), (props) => (props.scope = `${VAULT_ID}/secrets/db-password`)));
    });

    it("reports a broader role, naming it", () => {
        const resource = changed(roleAssignment(), (props) => (props.roleDefinitionId = role(SECRETS_OFFICER)));
        assert.deepEqual(reported("role-assignment-least-privilege", resource), [
            `roleDefinitionId is "${role(SECRETS_OFFICER)}" (Key Vault Secrets Officer): grant only "Key Vault Secrets User" (${SECRETS_USER}), which reads secret values and nothing else, or the narrower "Key Vault Reader" (${READER})`,
        ]);
    });

    it("passes the narrower Key Vault Reader on a vault, a certificate or a key", () => {
        for (const scope of [VAULT_ID, `${VAULT_ID}/certificates/tls`, `${VAULT_ID}/keys/signing`]) {
            assertPasses(
                changed(roleAssignment(), (props) => ((props.roleDefinitionId = role(READER)), (props.scope = scope))),
            );
        }
    });

    it("reports Key Vault Reader scoped to a secret, where it would grant nothing ESO needs", () => {
        const resource = changed(roleAssignment(), (props) => {
            props.roleDefinitionId = role(READER);
            props.scope = `${VAULT_ID}/secrets/db-password`;
        });
        assert.deepEqual(reported("role-assignment-least-privilege", resource), [
            `scope is "${VAULT_ID}/secrets/db-password": scope "Key Vault Reader" to one vault (.../providers/Microsoft.KeyVault/vaults/<name>) or one of its certificates or keys (.../vaults/<name>/certificates/<name>, .../vaults/<name>/keys/<name>)`,
        ]);
    });

    it("reports a role id that is not a full role definition id", () => {
        const resource = changed(roleAssignment(), (props) => (props.roleDefinitionId = SECRETS_USER));
        assert.deepEqual(reported("role-assignment-least-privilege", resource), [
            `roleDefinitionId is "${SECRETS_USER}": use /subscriptions/<subscription>/providers/Microsoft.Authorization/roleDefinitions/<role id> and grant only "Key Vault Secrets User" (${SECRETS_USER}), which reads secret values and nothing else, or the narrower "Key Vault Reader" (${READER})`,
        ]);
    });

    it("reports a grant on a resource group", () => {
        const resource = changed(roleAssignment(), (props) => (props.scope = `${SUBSCRIPTION}/resourceGroups/rg`));
        assert.deepEqual(reported("role-assignment-least-privilege", resource), [
            `scope is "${SUBSCRIPTION}/resourceGroups/rg": scope the grant to one vault (.../providers/Microsoft.KeyVault/vaults/<name>) or one of its secrets (.../vaults/<name>/secrets/<secret>), not a resource group or subscription`,
        ]);
    });

    it("reports a missing principalType", () => {
        const resource = changed(roleAssignment(), (props) => delete props.principalType);
        assert.deepEqual(reported("role-assignment-least-privilege", resource), [
            "principalType is undefined: set it (ServicePrincipal for an app or managed identity); the API otherwise assumes User, and a service principal created moments earlier fails with PrincipalNotFound",
        ]);
    });

    it("leaves the principal, role and scope alone while other resources have not computed them", () => {
        assertPasses(
            changed(roleAssignment(), (props) => {
                props.principalId = undefined;
                props.roleDefinitionId = undefined;
                props.scope = undefined;
            }),
        );
    });
});

describe("application-password-lifetime", () => {
    const rule = 'set endDate to an RFC 3339 date-time at most 365 days from now, such as "2026-06-30T00:00:00Z"';

    it("passes an end date 180 days away, in any RFC 3339 form", () => {
        assertPasses(password("2026-08-28T00:00:00Z"));
        assertPasses(password("2026-08-28T02:00:00.123+02:00"));
    });

    it("reports an end date more than 365 days away", () => {
        assert.deepEqual(reported("application-password-lifetime", password("2027-03-05T00:00:00Z")), [
            `endDate is "2027-03-05T00:00:00Z", 369 days away: ${rule}; Microsoft recommends client secrets live under 12 months`,
        ]);
    });

    it("counts from the clock it is given", () => {
        const endDate = "2027-01-01T00:00:00Z";
        assertPasses(password(endDate), DEV, new Date("2026-03-01T00:00:00Z"));
        assert.equal(
            reported("application-password-lifetime", password(endDate), DEV, new Date("2025-12-01T00:00:00Z")).length,
            1,
        );
    });

    it("reports a password without an end date", () => {
        assert.deepEqual(
            reported(
                "application-password-lifetime",
                changed(password(), (props) => delete props.endDate),
            ),
            [`endDate is undefined: ${rule}; without one Entra ID makes the secret valid for 2 years`],
        );
    });

    it("reports end dates that are not RFC 3339 date-times", () => {
        for (const endDate of ["2026-08-28", "2026-08-28 00:00:00Z", "2026-02-30T00:00:00Z", "next year"]) {
            assert.deepEqual(reported("application-password-lifetime", password(endDate)), [
                `endDate is ${JSON.stringify(endDate)}: ${rule}`,
            ]);
        }
    });

    it("reports an end date already past", () => {
        assert.deepEqual(reported("application-password-lifetime", password("2026-02-01T00:00:00Z")), [
            'endDate is "2026-02-01T00:00:00Z", already past: the secret has expired; rotate it to a new one',
        ]);
    });
});

describe("helm-release-pinned", () => {
    it("passes an exact version from an https repository", () => {
        assertPasses(release());
        assertPasses(changed(release(), (props) => (props.version = "2.10.0-rc.1")));
    });

    it("reports a range, latest, an empty or a missing version", () => {
        for (const version of ["^2.9.0", "~2.9", ">=2.9.0", "2.x", "latest", ""]) {
            assert.deepEqual(
                reported(
                    "helm-release-pinned",
                    changed(release(), (props) => (props.version = version)),
                ),
                [
                    `version is ${JSON.stringify(version)}: pin an exact chart version such as "2.9.0"; a range, "latest" or no version lets a \`pulumi up\` install a release nobody reviewed`,
                ],
            );
        }
        assert.equal(
            reported(
                "helm-release-pinned",
                changed(release(), (props) => delete props.version),
            ).length,
            1,
        );
    });

    it("reports a repository that is not https", () => {
        const resource = changed(
            release(),
            (props) => (props.repositoryOpts.repo = "http://charts.external-secrets.io"),
        );
        assert.deepEqual(reported("helm-release-pinned", resource), [
            'repositoryOpts.repo is "http://charts.external-secrets.io": install charts from an https:// repository, so the chart cannot be swapped in transit',
        ]);
        assert.equal(
            reported(
                "helm-release-pinned",
                changed(release(), (props) => delete props.repositoryOpts),
            ).length,
            1,
        );
    });
});

describe("eso-api-version", () => {
    it("passes stores and ExternalSecrets of external-secrets.io/v1", () => {
        assertPasses(clusterStore());
        assertPasses(externalSecret());
    });

    it("reports an object of external-secrets.io/v1beta1", () => {
        const resource: PolicyResource = {
            ...externalSecret(),
            type: "kubernetes:external-secrets.io/v1beta1:ExternalSecret",
            props: { ...externalSecret().props, apiVersion: "external-secrets.io/v1beta1" },
        };
        assert.deepEqual(reported("eso-api-version", resource), [
            'apiVersion is "external-secrets.io/v1beta1": use external-secrets.io/v1; ESO stopped serving v1beta1 in 0.17, so the cluster rejects this object',
        ]);
    });

    it("leaves kinds that ESO serves only as v1alpha1 alone", () => {
        assertPasses({
            type: "kubernetes:external-secrets.io/v1alpha1:PushSecret",
            name: "push",
            props: { apiVersion: "external-secrets.io/v1alpha1", kind: "PushSecret", spec: {} },
        });
    });
});

describe("eso-cluster-store-conditions", () => {
    const unconditioned = () => changed(clusterStore(), (props) => delete props.spec.conditions);
    const rule =
        "tenants are configured, so limit the namespaces that may use this store (namespaceSelector, namespaces or namespaceRegexes); without conditions every namespace can read every secret the store reaches";

    it("passes a store with conditions when tenants are configured", () => {
        assertPasses(clusterStore(), TENANTS);
    });

    it("reports a store without conditions, or with none listed, when tenants are configured", () => {
        assert.deepEqual(reported("eso-cluster-store-conditions", unconditioned(), TENANTS), [
            `spec.conditions is undefined: ${rule}`,
        ]);
        const empty = changed(clusterStore(), (props) => (props.spec.conditions = []));
        assert.deepEqual(reported("eso-cluster-store-conditions", empty, TENANTS), [`spec.conditions is []: ${rule}`]);
    });

    it("does not apply when no tenants are configured", () => {
        assertPasses(unconditioned(), DEV);
    });
});

describe("eso-refresh-interval", () => {
    it('passes intervals of a minute or more, "0" and no interval (ESO then uses 1h)', () => {
        for (const interval of ["1h", "15m", "1m", "90s", "1h30m", "0"]) assertPasses(externalSecret(interval));
        assertPasses(changed(externalSecret(), (props) => delete props.spec.refreshInterval));
    });

    it("reports intervals under a minute and values that are not durations", () => {
        for (const interval of ["30s", "59s", "500ms", "soon", "1d"]) {
            assert.deepEqual(reported("eso-refresh-interval", externalSecret(interval)), [
                `spec.refreshInterval is ${JSON.stringify(interval)}: use a Go duration of at least 1m such as "15m" or "1h", or "0" to sync once; shorter intervals multiply Key Vault reads into its throttling limits`,
            ]);
        }
    });
});

describe("workload-secret-mounts", () => {
    const rule = "give secret files at most 0440 (owner and group read), such as 0400";

    it("passes a pod that mounts its secret read-only with mode 0400 or 0440", () => {
        assertPasses(pod());
        assertPasses(changed(pod(), (props) => (props.spec.volumes[0].secret.defaultMode = 0o440)));
    });

    it("reports a writable mount of a secret volume without a defaultMode", () => {
        const resource = changed(pod(), (props) => {
            delete props.spec.volumes[0].secret.defaultMode;
            props.spec.containers[0].volumeMounts[0].readOnly = false;
        });
        assert.deepEqual(reported("workload-secret-mounts", resource), [
            `spec.volumes[0].secret.defaultMode is undefined, so Kubernetes uses 0644 (world-readable): ${rule}`,
            'spec.containers[0].volumeMounts[0].readOnly is false: mount secret volume "credentials" read-only',
        ]);
    });

    it("reports modes with bits outside 0440, per volume and per item", () => {
        const resource = changed(pod(), (props) => {
            props.spec.volumes[0].secret.defaultMode = 420;
            props.spec.volumes[0].secret.items = [
                { key: "a", path: "a", mode: 0o600 },
                { key: "b", path: "b" },
            ];
        });
        assert.deepEqual(reported("workload-secret-mounts", resource), [
            `spec.volumes[0].secret.defaultMode is 420 (0644): ${rule}`,
            `spec.volumes[0].secret.items[0].mode is 384 (0600): ${rule}`,
        ]);
    });

    it("checks secrets mounted through a projected volume", () => {
        const resource = changed(pod(), (props) => {
            props.spec.volumes[0] = {
                name: "credentials",
                projected: { sources: [{ secret: { name: "cloud-credentials" } }] },
            };
        });
        assert.deepEqual(reported("workload-secret-mounts", resource), [
            `spec.volumes[0].projected.defaultMode is undefined, so Kubernetes uses 0644 (world-readable): ${rule}`,
        ]);
    });

    it("leaves mounts of other volumes alone", () => {
        const resource = changed(pod(), (props) => {
            props.spec.volumes.push({ name: "scratch", emptyDir: {} });
            props.spec.containers[0].volumeMounts.push({ name: "scratch", mountPath: "/tmp" });
        });
        assertPasses(resource);
    });

    it("checks the pod template of a Deployment", () => {
        assertPasses(deployment());
        const resource = changed(
            deployment(),
            (props) => delete props.spec.template.spec.containers[0].volumeMounts[0].readOnly,
        );
        assert.deepEqual(reported("workload-secret-mounts", resource), [
            'spec.template.spec.containers[0].volumeMounts[0].readOnly is undefined: mount secret volume "credentials" read-only',
        ]);
    });
});

describe("workload-security-context", () => {
    it("passes a pod that runs as non-root without privilege escalation or capabilities", () => {
        assertPasses(pod());
    });

    it("accepts runAsNonRoot set on the pod alone", () => {
        assertPasses(changed(pod(), (props) => delete props.spec.containers[0].securityContext.runAsNonRoot));
    });

    it("reports a container without a security context", () => {
        const resource = changed(pod(), (props) => {
            delete props.spec.securityContext.runAsNonRoot;
            delete props.spec.containers[0].securityContext;
        });
        assert.deepEqual(reported("workload-security-context", resource), [
            "spec.securityContext.runAsNonRoot is undefined and spec.containers[0] does not set it: run as non-root (runAsNonRoot: true on the pod or the container)",
            "spec.containers[0].securityContext.allowPrivilegeEscalation is undefined: set false, so no process gains more privileges than its parent (setuid binaries, file capabilities)",
            'spec.containers[0].securityContext.capabilities.drop is undefined: drop "ALL" capabilities',
        ]);
    });

    it("reports a container that overrides the pod's runAsNonRoot or drops only some capabilities", () => {
        const resource = changed(pod(), (props) => {
            props.spec.containers[0].securityContext.runAsNonRoot = false;
            props.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
            props.spec.containers[0].securityContext.capabilities.drop = ["NET_RAW"];
        });
        assert.deepEqual(reported("workload-security-context", resource), [
            "spec.containers[0].securityContext.runAsNonRoot is false: run as non-root (true)",
            "spec.containers[0].securityContext.allowPrivilegeEscalation is true: set false, so no process gains more privileges than its parent (setuid binaries, file capabilities)",
            'spec.containers[0].securityContext.capabilities.drop is ["NET_RAW"]: drop "ALL" capabilities',
        ]);
    });

    it("checks init containers and the pod template of a Deployment", () => {
        const resource = changed(deployment(), (props) => {
            props.spec.template.spec.initContainers = [
                { name: "init", image: "busybox:1.36", securityContext: { allowPrivilegeEscalation: false } },
            ];
        });
        assert.deepEqual(reported("workload-security-context", resource), [
            'spec.template.spec.initContainers[0].securityContext.capabilities.drop is undefined: drop "ALL" capabilities',
        ]);
    });
});

const NOW_SECONDS = NOW.getTime() / 1000;

const keyVaultSecret = (properties: Record<string, unknown> = {}): PolicyResource => ({
    type: "azure-native:keyvault:Secret",
    name: "seeded-key-vault-secret-name",
    props: {
        resourceGroupName: "rg",
        vaultName: "kv-test",
        secretName: "key-vault-secret-name",
        properties: {
            value: "Azure Key Vault",
            contentType: "text/plain",
            attributes: { expires: NOW_SECONDS + 365 * 24 * 3600 },
            ...properties,
        },
    },
});

describe("keyvault-secret-expiration", () => {
    it("passes a secret that expires after now", () => {
        assertPasses(keyVaultSecret());
    });

    it("reports a secret without an expiration date, citing the built-in policy", () => {
        assert.deepEqual(reported("keyvault-secret-expiration", keyVaultSecret({ attributes: {} })), [
            'properties.attributes.expires is undefined: give the secret an expiration date (seconds since 1970 UTC); Azure Policy "Key Vault secrets should have an expiration date" (98728c90-32c7-4049-8429-847dc0f4fe37) flags a secret without one',
        ]);
    });

    it("reports a secret that would be written already expired", () => {
        const resource = keyVaultSecret({ attributes: { expires: NOW_SECONDS } });
        assert.deepEqual(reported("keyvault-secret-expiration", resource), [
            "properties.attributes.expires is 2026-03-01T00:00:00.000Z, not after 2026-03-01T00:00:00.000Z: the secret is written already expired; rotate it and set a later expiry",
        ]);
        assert.deepEqual(reported("keyvault-secret-expiration", resource, DEV, new Date(NOW.getTime() - 1000)), []);
    });
});

describe("keyvault-secret-content-type", () => {
    it("reports a secret without a content type, citing the built-in policy", () => {
        for (const contentType of [undefined, ""]) {
            assert.deepEqual(reported("keyvault-secret-content-type", keyVaultSecret({ contentType })), [
                `properties.contentType is ${contentType === undefined ? "undefined" : '""'}: say what the secret holds ("text/plain", "password", ...); Azure Policy "Secrets should have content type set" (75262d3e-ba4a-4f43-85f8-9f72c090e5e3) flags a secret without one`,
            ]);
        }
    });
});

describe("workload-resources", () => {
    it("reports a container without requests or limits, naming what is missing", () => {
        const resource = changed(pod(), (props) => {
            props.spec.containers[0].resources = { requests: { cpu: "10m" }, limits: { memory: "64Mi" } };
        });
        assert.deepEqual(reported("workload-resources", resource), [
            "spec.containers[0].resources lacks requests.memory, limits.cpu: request CPU and memory so the scheduler places the pod, and limit both so one pod cannot starve its node",
        ]);
    });
});

describe("workload-runtime-profiles", () => {
    it("reports a container without seccomp or AppArmor profiles, and one that overrides the pod's with Unconfined", () => {
        const bare = changed(pod(), (props) => delete props.spec.securityContext.seccompProfile);
        assert.deepEqual(reported("workload-runtime-profiles", bare), [
            'spec.containers[0] runs with seccomp profile undefined: set seccompProfile.type "RuntimeDefault" on the pod or the container (the "restricted" Pod Security profile requires it)',
        ]);
        const unconfined = changed(pod(), (props) => {
            props.spec.containers[0].securityContext.appArmorProfile = { type: "Unconfined" };
        });
        assert.deepEqual(reported("workload-runtime-profiles", unconfined), [
            'spec.containers[0] runs with AppArmor profile "Unconfined": set appArmorProfile.type "RuntimeDefault" on the pod or the container (Kubernetes 1.30 and later), or set kubernetes.appArmor to false if the nodes have no AppArmor',
        ]);
    });

    it("does not ask for AppArmor when the nodes have none", () => {
        const resource = changed(pod(), (props) => delete props.spec.securityContext.appArmorProfile);
        assert.equal(reported("workload-runtime-profiles", resource).length, 1);
        assertPasses(resource, { ...DEV, appArmor: false });
    });
});

describe("workload-service-account-token", () => {
    it("reports a pod that mounts its service account token", () => {
        for (const automount of [undefined, true]) {
            const resource = changed(pod(), (props) => (props.spec.automountServiceAccountToken = automount));
            assert.deepEqual(reported("workload-service-account-token", resource), [
                `spec.automountServiceAccountToken is ${String(automount)}: set false; the token lets anyone in the pod call the Kubernetes API as its service account, and reading mounted files needs no API access`,
            ]);
        }
    });
});

describe("eso-chart-pods", () => {
    it("reports each of ESO's pods without resources or an AppArmor profile, by its values key", () => {
        const resource = changed(release(), (props) => {
            delete props.values.resources;
            props.values.webhook.securityContext.appArmorProfile = { type: "Unconfined" };
            props.values.certController.podSecurityContext.seccompProfile = { type: "Unconfined" };
        });
        assert.deepEqual(reported("eso-chart-pods", resource), [
            "values.resources lacks requests.cpu, requests.memory, limits.cpu, limits.memory: the chart sets none for the controller (values.yaml `resources: {}`); request and limit its CPU and memory",
            'values.webhook.securityContext.appArmorProfile.type is "Unconfined": use "RuntimeDefault" for the webhook, or set kubernetes.appArmor to false if the nodes have no AppArmor',
            'values.certController.podSecurityContext.seccompProfile.type is "Unconfined": use "RuntimeDefault"',
        ]);
    });

    it("leaves other charts alone and AppArmor out where the nodes have none", () => {
        assertPasses(changed(release(), (props) => (props.chart = "ingress-nginx")));
        const noAppArmor = changed(release(), (props) => {
            for (const pod of [props.values, props.values.webhook, props.values.certController]) {
                delete pod.securityContext.appArmorProfile;
            }
        });
        assert.equal(reported("eso-chart-pods", noAppArmor).length, 3);
        assertPasses(noAppArmor, { ...DEV, appArmor: false });
    });
});
