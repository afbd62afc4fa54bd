// The one mock helper for tests: runs the real program (index.ts) or a component on the simulated cloud and
// gives back what was registered.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isSecretValue, reveal, SimulatedCloud, type RecordedResource } from "../plan/simulatedCloud";
import { outputPromise } from "../plan/pulumiInternals";
import { redact } from "../plan/secrets";
import { clusterOptionsFor, type SimulatedClusterOptions } from "../plan/simulatedCluster";
import { parseStackConfig } from "../stacks/config";
import { StackConfigError } from "../stacks/errors";
import { SECRET_KEYS } from "../stacks/schema";

export const PROJECT = "eso-keyvault";
export const STACK = "test";

/** An AKS OIDC issuer, spelled as `az aks show` prints it. */
export const ISSUER =
    "https://westeurope.oic.prod-aks.azure.com/11111111-1111-4111-a111-111111111111/22222222-aaaa-4bbb-8ccc-333333333333/";

/** A user-assigned managed identity. */
export const MANAGED = {
    clientId: "55555555-5555-4555-a555-555555555555",
    principalId: "66666666-6666-4666-a666-666666666666",
};

export const CLIENT_CONFIG = {
    tenantId: "11111111-1111-4111-a111-111111111111",
    subscriptionId: "22222222-2222-4222-a222-222222222222",
    objectId: "33333333-3333-4333-a333-333333333333",
    clientId: "44444444-4444-4444-a444-444444444444",
};

const NETWORK_GROUP =
    "/subscriptions/22222222-2222-4222-a222-222222222222/resourceGroups/rg-network/providers/Microsoft.Network";

/** The cluster's virtual network, and the subnet a private endpoint takes its address from. */
export const VNET_ID = `${NETWORK_GROUP}/virtualNetworks/vnet-aks`;
export const ENDPOINT_SUBNET_ID = `${VNET_ID}/subnets/private-endpoints`;

/** `vault.network` of a private vault, as production stacks must set it. */
export function privateNetwork(): Record<string, any> {
    return { privateEndpoint: { subnetId: ENDPOINT_SUBNET_ID, vnetId: VNET_ID } };
}

/** A valid stack configuration reproducing the runbook, as a user would write it under `config:`. */
export function runbookConfig(): Record<string, unknown> {
    return {
        azure: { resourceGroupName: "rg-external-secrets", location: "westeurope" },
        vault: { name: "external-secret-vault" },
        seededSecrets: { "key-vault-secret-name": "Azure Key Vault" },
        auth: { mode: "servicePrincipal", displayName: "external-secret-operator" },
        kubernetes: { ownedNamespaces: ["app-namespace"] },
        externalSecrets: [
            {
                name: "external-secret",
                namespace: "app-namespace",
                target: "cloud-credentials",
                data: { "cloud-credentials": "key-vault-secret-name" },
            },
        ],
        workloads: [
            {
                name: "app-name",
                namespace: "app-namespace",
                image: "registry.k8s.io/pause:3.10",
                externalSecret: "external-secret",
            },
        ],
    };
}

/** The runbook's configuration with `change` applied. */
export function runbookWith(change: (config: Record<string, any>) => void = () => {}): Record<string, any> {
    const config = runbookConfig() as Record<string, any>;
    change(config);
    return config;
}

/**
 * The runbook with two tenants: team-a reads its secrets by prefix through one ClusterSecretStore, team-b its one
 * secret by name through a SecretStore; an ExternalSecret each, and no workloads. `change` adds what a test needs.
 */
export function twoTenantsWith(change: (config: Record<string, any>) => void = () => {}): Record<string, any> {
    return runbookWith((c) => {
        c.seededSecrets = { "team-a-db": "a", "team-b-token": "b" };
        c.kubernetes.ownedNamespaces = ["app-namespace", "team-a", "team-b"];
        c.tenants = [
            { name: "team-a", namespaces: ["team-a"], secrets: { prefix: "team-a-" } },
            { name: "team-b", namespaces: ["team-b"], secrets: { names: ["team-b-token"] }, storeKind: "SecretStore" },
        ];
        c.externalSecrets = [
            { name: "db", namespace: "team-a", data: { password: "team-a-db" } },
            { name: "token", namespace: "team-b", data: { token: "team-b-token" } },
        ];
        c.workloads = [];
        change(c);
    });
}

/** How many custom resources of each type were registered (only the given types, when some are given). */
export function countsByType(cloud: SimulatedCloud, types?: readonly string[]): Record<string, number> {
    const counts: Record<string, number> = Object.fromEntries((types ?? []).map((type) => [type, 0]));
    for (const r of cloud.resources) {
        if (r.custom && (types === undefined || types.includes(r.type))) counts[r.type] = (counts[r.type] ?? 0) + 1;
    }
    return counts;
}

export interface CloudOptions {
    /** Simulated latency per resource type, in milliseconds. */
    readonly latencyMs?: (type: string, name: string) => number;
    /** Key Vault DNS suffix of the simulated cloud. */
    readonly vaultDnsSuffix?: string;
    /**
     * The cluster before the stack runs, or false to accept every object.
     * @default runProgram: as the stack's configuration describes it; startCloud: false
     */
    readonly cluster?: SimulatedClusterOptions | false;
    /** State of a stack deployed before, by URN: resources found there are updated. */
    readonly deployed?: ReadonlyMap<string, Record<string, unknown>>;
    /** Outputs of other stacks, by fully qualified name, for StackReferences. */
    readonly stackOutputs?: (stack: string) => Record<string, unknown> | undefined;
}

/** Installs a fresh simulated cloud as Pulumi's runtime. */
export async function startCloud(options: CloudOptions = {}): Promise<SimulatedCloud> {
    const cloud = new SimulatedCloud({ clientConfig: CLIENT_CONFIG, cluster: false, ...options });
    await cloud.install(PROJECT, STACK);
    return cloud;
}

/** Sets the stack's configuration: each top-level value under `<project>:<key>`, as the engine passes it. */
export function setConfig(values: Record<string, unknown>, secretKeys: readonly string[] = []): void {
    const all: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        all[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    pulumi.runtime.setAllConfig(
        all,
        secretKeys.map((key) => `${PROJECT}:${key}`),
    );
}

const PROGRAM = path.resolve(__dirname, "..", "index.ts");

export interface ProgramRun {
    readonly cloud: SimulatedCloud;
    /** The program's stack outputs. */
    readonly outputs: Record<string, pulumi.Output<unknown>>;
}

/** The cluster a configuration describes (its existing namespaces, issuer, managed identities), if it is valid. */
function clusterOf(values: Record<string, unknown>): SimulatedClusterOptions | false {
    try {
        return clusterOptionsFor(parseStackConfig(values, { project: PROJECT, stack: STACK }));
    } catch {
        return false;
    }
}

/**
 * Runs index.ts with the given configuration on a fresh simulated cloud and waits for every registration. Fails if
 * anything the program registered failed, or the simulated services refused it (as a real `pulumi up` would fail);
 * `runProgramExpectingRefusal` returns those instead.
 */
export async function runProgram(values: Record<string, unknown>, options: CloudOptions = {}): Promise<ProgramRun> {
    const { run, failures } = await runCollectingFailures(values, options);
    if (failures.length > 0) throw new Error(`the run failed:\n${failures.join("\n")}`);
    return run;
}

/** Runs index.ts expecting the simulated services to refuse something; returns what failed, in order. */
export async function runProgramExpectingRefusal(
    values: Record<string, unknown>,
    options: CloudOptions = {},
): Promise<{ cloud: SimulatedCloud; failures: string[] }> {
    const { run, failures } = await runCollectingFailures(values, options);
    if (failures.length === 0) throw new Error("the run succeeded; a refusal was expected");
    return { cloud: run.cloud, failures };
}

async function runCollectingFailures(
    values: Record<string, unknown>,
    options: CloudOptions,
): Promise<{ run: ProgramRun; failures: string[] }> {
    const cloud = await startCloud({ cluster: clusterOf(values), ...options });
    setConfig(
        values,
        [...SECRET_KEYS].filter((key) => key in values),
    );
    const failures: string[] = [];
    const onRejection = (reason: unknown): void => void failures.push((reason as Error)?.message ?? String(reason));
    process.on("unhandledRejection", onRejection);
    try {
        delete require.cache[PROGRAM];
        const outputs = require(PROGRAM) as Record<string, pulumi.Output<unknown>>;
        await cloud.settle();
        // Rejections surface on the next turns of the event loop.
        await new Promise((resolve) => setTimeout(resolve, 0));
        return { run: { cloud, outputs }, failures: [...new Set([...cloud.refusals, ...failures])] };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
}

/** Runs index.ts expecting a configuration error; returns its message and the cloud, to check nothing was registered. */
export async function runProgramExpectingError(
    values: Record<string, unknown>,
): Promise<{ message: string; cloud: SimulatedCloud }> {
    const cloud = await startCloud();
    setConfig(values);
    delete require.cache[PROGRAM];
    try {
        require(PROGRAM);
    } catch (error) {
        await cloud.settle();
        return { message: (error as Error).message, cloud };
    }
    throw new Error("the program accepted a configuration it should have rejected");
}

/** The value of an output; rejects when the output failed (a refused resource), so a test fails instead of hanging. */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    const settled = outputPromise<T>(output);
    return new Promise((resolve, reject) => {
        output.apply(resolve);
        settled.catch(reject);
    });
}

/** The single recorded resource of a type (and name suffix), failing the test if there is not exactly one. */
export function only(cloud: SimulatedCloud, type: string, nameSuffix = ""): RecordedResource {
    const found = cloud.ofType(type).filter((r) => r.name.endsWith(nameSuffix));
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${nameSuffix ? ` named *${nameSuffix}` : ""}, found ${found.length}`);
    }
    return found[0] as RecordedResource;
}

/** A resource's inputs as the provider receives them (secrets unwrapped). */
export function inputsOf(resource: RecordedResource): Record<string, any> {
    return reveal(resource.inputs) as Record<string, any>;
}

/**
 * A resource's inputs (secrets redacted) as the engine compares them on an update: the paths it ignores changes to
 * (values computed from the clock at creation, settings fixed at creation) are left out.
 */
export function comparedInputs(resource: RecordedResource): unknown {
    const inputs = redact(resource.inputs);
    for (const dotted of resource.options.ignoreChanges) {
        const path = dotted.split(".");
        let node: unknown = inputs;
        for (const part of path.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[part];
        if (node !== null && typeof node === "object") delete (node as Record<string, unknown>)[path.at(-1) as string];
    }
    return inputs;
}

/** True if the input at the dotted path (or one of its ancestors) is sent as a secret. */
export function isSecretInput(resource: RecordedResource, dotted: string): boolean {
    let node: unknown = resource.inputs;
    for (const part of dotted.split(".")) {
        if (isSecretValue(node)) return true;
        if (node === null || typeof node !== "object") return false;
        node = (node as Record<string, unknown>)[part];
    }
    return isSecretValue(node);
}

export const TYPES = {
    vault: "azure-native:keyvault:Vault",
    kvSecret: "azure-native:keyvault:Secret",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    application: "azuread:index/application:Application",
    servicePrincipal: "azuread:index/servicePrincipal:ServicePrincipal",
    apiAccess: "azuread:index/applicationApiAccess:ApplicationApiAccess",
    identifierUri: "azuread:index/applicationIdentifierUri:ApplicationIdentifierUri",
    password: "azuread:index/applicationPassword:ApplicationPassword",
    federatedCredential: "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    pod: "kubernetes:core/v1:Pod",
    release: "kubernetes:helm.sh/v3:Release",
    clusterSecretStore: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
    secretStore: "kubernetes:external-secrets.io/v1:SecretStore",
    externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    command: "command:local:Command",
    randomString: "random:index/randomString:RandomString",
    privateEndpoint: "azure-native:network:PrivateEndpoint",
    privateZone: "azure-native:privatedns:PrivateZone",
    zoneLink: "azure-native:privatedns:VirtualNetworkLink",
    zoneGroup: "azure-native:network:PrivateDnsZoneGroup",
    diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
} as const;

/** The problems a configuration is refused for, as the user reads them; none when it is accepted. */
export function problemsIn(values: Record<string, unknown>): string[] {
    try {
        parseStackConfig(values, { project: PROJECT, stack: STACK });
        return [];
    } catch (error) {
        if (!(error instanceof StackConfigError)) throw error;
        return [...error.problems];
    }
}

/** The problems a configuration is refused for, as the user reads them; fails the test if it is accepted. */
export function problemsOf(values: Record<string, unknown>): string[] {
    const problems = problemsIn(values);
    if (problems.length === 0) throw new Error("the configuration was accepted");
    return problems;
}

/**
 * The outputs a component registered (`registerOutputs`), as the engine keeps them in the stack's state (`pulumi
 * stack export`, the console's resource view): secret values stay wrapped (see `isSecretValue`).
 */
export function registeredOutputsOf(component: RecordedResource): Record<string, unknown> {
    const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor() as {
        getRegisteredResources(): Map<string, { state?: unknown }>;
    };
    const state = monitor.getRegisteredResources().get(component.urn)?.state as
        { toJavaScript?: () => unknown } | undefined;
    if (state === undefined) throw new Error(`${component.urn} was not registered`);
    return (typeof state.toJavaScript === "function" ? state.toJavaScript() : state) as Record<string, unknown>;
}

/** The runbook with a generated password pushed to Key Vault, as examples/Pulumi.recovery.yaml does. */
export function recoveryWith(change: (config: Record<string, any>) => void = () => {}): Record<string, any> {
    return runbookWith((c) => {
        c.generators = [
            { kind: "Password", name: "db-password", namespace: "app-namespace", spec: { length: 32, symbols: 0 } },
        ];
        c.pushSecrets = [
            {
                name: "db-password",
                namespace: "app-namespace",
                updatePolicy: "IfNotExists",
                selector: { generatorRef: { kind: "Password", name: "db-password" } },
                data: [
                    {
                        match: { secretKey: "password", remoteRef: { remoteKey: "app-db-password" } },
                        metadata: { spec: { contentType: "text/plain", tags: { purpose: "app-database" } } },
                    },
                ],
            },
        ];
        change(c);
    });
}
