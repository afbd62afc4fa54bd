// The offline plan: runs the real program with a stack's Pulumi.<stack>.yaml on Pulumi's mock runtime, prints
// the resource tree and dependency waves, validates every Kubernetes object against ESO's and Kubernetes'
// schemas, runs the policy pack, reports which Key Vault built-in policies hold (policy/compliance.ts), estimates
// the Key Vault load, and writes out/<stack>/. The command line is plan/cli.ts.
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { type AzureCloud, KEY_VAULT_DNS_SUFFIX } from "../components/wellKnown";
import { complianceOf, describeCompliance } from "../policy/compliance";
import { checkResources, policyPackConfig, type PolicyConfig, type PolicyResource } from "../policy/policies";
import { decodeConfigValues, lastLoadedStackConfig, type StackConfig } from "../stacks/config";
import { pushedObjects } from "../stacks/pushRules";
import { planResources, renderMermaid, renderTree, wavesOf, type PlannedResource } from "./graph";
import { beforeUp, describeBeforeUp } from "./beforeUp";
import { describeUpdateAwait, destroyExitCode, planDestroy, renderDestroyPlan } from "./destroyPlan";
import { describeLoad, keyVaultLoad, type KeyVaultLoad } from "./keyVaultLoad";
import { describeObject, openOutput, type KubernetesObject, type ObjectWorker, type Violation } from "./objects";
import { redact, reveal, SECRET_PLACEHOLDER } from "./secrets";
import { stableGuid } from "./ids";
import { SimulatedCloud, type RecordedResource } from "./simulatedCloud";
import { clusterOptionsFor } from "./simulatedCluster";
import type { StackOutputs } from "./references";
import { readStackFile, StackFileError, type StackFile } from "./stackFile";

export const EXIT = { ok: 0, violations: 1, config: 2 } as const;

/** The values of the project's own config keys (`vault`, not `project:vault`), as the program decodes them. */
export function projectValues(file: StackFile): Record<string, unknown> {
    const prefix = `${file.project}:`;
    return decodeConfigValues(
        Object.fromEntries(
            Object.entries(file.config)
                .filter(([key]) => key.startsWith(prefix))
                .map(([key, value]) => [key.slice(prefix.length), value]),
        ),
    );
}

/** The stack's `azure` key, read leniently: the program reports what is wrong with it. */
function azureOf(values: Record<string, unknown>): { tenantId?: unknown; cloud?: unknown } {
    return values.azure !== null && typeof values.azure === "object" ? values.azure : {};
}

/** `getClientConfig` as the stack's configuration implies it: its tenant, and stable ids derived from the stack. */
function clientConfigFor(file: StackFile, values: Record<string, unknown>) {
    const { tenantId } = azureOf(values);
    return {
        tenantId: typeof tenantId === "string" ? tenantId : stableGuid(`tenant:${file.project}:${file.stack}`),
        subscriptionId: stableGuid(`subscription:${file.project}:${file.stack}`),
        objectId: stableGuid(`deployer:${file.project}:${file.stack}`),
        clientId: stableGuid(`deployer-client:${file.project}:${file.stack}`),
    };
}

function isKubernetesObject(resource: RecordedResource): boolean {
    return (
        resource.custom &&
        resource.type.startsWith("kubernetes:") &&
        resource.type !== "kubernetes:helm.sh/v3:Release" &&
        typeof resource.inputs.apiVersion === "string" &&
        typeof resource.inputs.kind === "string"
    );
}

export async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const resolved: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(outputs)) {
        const output = pulumi.output(value as pulumi.Input<unknown>) as pulumi.Output<unknown>;
        const [plain, secret] = await Promise.all([
            new Promise<unknown>((resolve) => output.apply(resolve)),
            pulumi.isSecret(output),
        ]);
        if (plain !== undefined) resolved[name] = secret ? SECRET_PLACEHOLDER : plain;
    }
    return resolved;
}

/**
 * What the policy pack must know of a stack (production, the network asked for, tenants), from its validated
 * configuration; a program that is not this one gets the pack's defaults.
 */
export function policyConfigFor(config: StackConfig | undefined): PolicyConfig {
    const network = config === undefined || config.vault.existing ? undefined : config.vault.network;
    const pushed = pushedObjects(config?.pushSecrets ?? []);
    return {
        // A cluster stack only reads its fleet's vault: the vault's policies are its vault stack's to hold.
        production: (config?.production ?? false) && config?.fleet.role !== "cluster",
        // The firewall lets the deployer's temporary addresses through as well as the allowed ones.
        restrictedNetwork:
            network === undefined
                ? undefined
                : {
                      publicNetworkAccess: network.publicNetworkAccess,
                      allowedIps: [...new Set([...network.allowedIps, ...network.deployerIps])],
                      allowedSubnetIds: [...network.allowedSubnetIds],
                  },
        privateEndpoint: network?.privateEndpoint !== undefined,
        resourceLogs: config?.monitoring.logs !== undefined,
        tenantsConfigured: (config?.tenants.length ?? 0) > 0,
        appArmor: config?.eso.appArmor ?? true,
        pushedSecrets: [...pushed.secrets],
        ...(pushed.keys.length === 0 ? {} : { pushedKeys: [...pushed.keys] }),
        ...(pushed.certificates.length === 0 ? {} : { pushedCertificates: [...pushed.certificates] }),
    };
}

/** The resources a run creates (not those it only reads), with their inputs, as the policy pack is handed them. */
export function policyResourcesOf(resources: readonly RecordedResource[]): PolicyResource[] {
    return resources
        .filter((r) => r.custom && !r.read)
        .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: reveal(r.inputs) as Record<string, unknown> }));
}

/** What the shared store's identity may read, said plainly: vault-wide access with tenants is worth a look. */
export function describeSharedAccess(config: StackConfig): string {
    const { sharedAccess } = config;
    if (!sharedAccess.vaultWide) {
        const count =
            sharedAccess.grants.secrets.length +
            sharedAccess.grants.certificates.length +
            sharedAccess.grants.keys.length;
        return `Shared store access: ${count} named Key Vault object${count === 1 ? "" : "s"}, one role assignment each (no tenant's).`;
    }
    return config.tenants.length === 0
        ? "Shared store access: the whole vault (no tenants; set store.vaultWideAccess to false to grant single secrets)."
        : "Shared store access: the whole vault, every tenant's secrets included, because store.vaultWideAccess is true.";
}

/** Who reaches the vault's data plane, said plainly: what a deployment needs to read it, and what stays open. */
export function describeVaultNetwork(config: StackConfig): string {
    if (config.fleet.role === "cluster") return `Vault network: the vault stack's (${config.fleet.vaultStack}).`;
    if (config.vault.existing) return "Vault network: the adopted vault's own (not managed by this stack).";
    const network = config.vault.network;
    if (network === undefined) {
        return "Vault network: open to all networks, no private endpoint (no vault.network; production stacks must set it).";
    }
    const parts: string[] = [];
    if (network.privateEndpoint !== undefined) {
        const zone = network.privateEndpoint.dnsZone;
        parts.push(
            `a private endpoint in ${network.privateEndpoint.subnetId.split("/").slice(-3).join("/")}, resolved through ` +
                `${zone.create ? `the created zone ${zone.name}` : `the existing zone ${zone.id.split("/").at(-1)}`}`,
        );
    }
    parts.push(
        network.publicNetworkAccess === "disabled"
            ? "public network access disabled (the access check verifies only from inside the linked network, and skips itself elsewhere)"
            : `public access through a firewall that denies all but ${network.allowedIps.length + network.deployerIps.length} IP rule(s) and ${network.allowedSubnetIds.length} subnet(s)`,
    );
    const temporary =
        network.deployerIps.length === 0
            ? ""
            : ` vault.network.deployerIps lets ${network.deployerIps.join(", ")} through the firewall: remove it once this deployment is done.`;
    return `Vault network: ${parts.join("; ")}.${temporary}`;
}

/** One run of a stack's program on the simulated cloud. */
export interface SimulatedRun {
    readonly cloud: SimulatedCloud;
    /** The stack's configuration values, decoded as the program reads them. */
    readonly values: Record<string, unknown>;
    /** Validated, when the configuration is this program's and valid. */
    readonly stackConfig?: StackConfig;
    readonly programExports: Record<string, unknown>;
    /** Rejections the run caused (refused resources, failed applies). */
    readonly failures: unknown[];
}

/**
 * Runs a stack's program on a fresh simulated cloud, with the cluster its configuration describes, and waits for
 * every registration. A configuration the program refuses comes back as `configError`.
 */
export async function simulateStack(
    file: StackFile,
    onRecord?: (resource: RecordedResource) => void,
    stackOutputs?: (stack: string) => Record<string, unknown> | undefined,
): Promise<SimulatedRun | { configError: string }> {
    const values = projectValues(file);
    const { cloud: azureCloud } = azureOf(values);
    // What this run's program validates (a config left from an earlier run in this process is not this stack's).
    const earlier = lastLoadedStackConfig();
    const loaded = (): StackConfig | undefined => {
        const config = lastLoadedStackConfig();
        return config === earlier ? undefined : config;
    };
    const cloud = new SimulatedCloud({
        clientConfig: clientConfigFor(file, values),
        // The cluster the stack describes (the namespaces it declares existing, its issuer, its managed identities),
        // from the configuration the program validated; another program's stack describes a bare cluster.
        cluster: () => {
            const config = loaded();
            return config === undefined ? {} : clusterOptionsFor(config);
        },
        vaultDnsSuffix:
            KEY_VAULT_DNS_SUFFIX[(azureCloud as AzureCloud | undefined) ?? "PublicCloud"] ??
            KEY_VAULT_DNS_SUFFIX.PublicCloud,
        onRecord,
        stackOutputs,
    });
    await cloud.install(file.project, file.stack);
    pulumi.runtime.setAllConfig(file.config, file.secretKeys);

    const failures: unknown[] = [];
    const onRejection = (reason: unknown): void => void failures.push(reason);
    process.on("unhandledRejection", onRejection);
    // The SDK records a stack trace with every promise and resource it makes (for leak reports and source
    // positions), a third of a warm plan's time; nothing here reads them. Errors keep their message and throw site.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 1;
    try {
        let programExports: Record<string, unknown>;
        try {
            // A fresh load, so that one process can plan several stacks (as the tests do).
            delete require.cache[require.resolve(file.program)];
            programExports = require(file.program) as Record<string, unknown>;
        } catch (e) {
            if ((e as Error).name === "StackConfigError") return { configError: (e as Error).message };
            throw e;
        }
        await cloud.settle();
        // Rejections surface on the next turns of the event loop.
        await new Promise((resolve) => setTimeout(resolve, 0));
        return { cloud, values, stackConfig: loaded(), programExports, failures };
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
        process.off("unhandledRejection", onRejection);
    }
}

export interface PlanOptions {
    readonly stack: string;
    /** Project directory (where Pulumi.yaml is). */
    readonly cwd: string;
    /** Directory the plan is written under, as <out>/<stack>/. */
    readonly out: string;
    /**
     * Plan `pulumi destroy` instead: what is deleted, kept, cascaded and lost (plan/destroyPlan.ts), to destroy.json.
     * @default false
     */
    readonly destroy?: boolean;
    /**
     * Outputs of the project's stacks planned before, for a cluster stack's StackReference to its vault stack.
     * @default planned on demand
     */
    readonly stackOutputs?: StackOutputs;
}

/** One stack's plan, as `npm run plan -- --all` sums up a fleet. */
export interface StackSummary {
    readonly stack: string;
    readonly code: number;
    readonly resources: number;
    readonly waves: number;
    /** Schema and policy violations, refusals and failures. */
    readonly problems: number;
    readonly outputs: Record<string, unknown>;
    readonly load?: KeyVaultLoad;
    /** Each app registration the stack creates, with the federated credentials it holds. */
    readonly identities: ReadonlyArray<{ readonly name: string; readonly federatedCredentials: number }>;
}

/** Runs the plan and returns its exit code; everything it prints goes to `log` (stdout) and `error` (stderr). */
export async function plan(
    options: PlanOptions,
    log: (line: string) => void = console.log,
    error: (line: string) => void = console.error,
    output: { dir: string; objects: ObjectWorker } = openOutput(options),
): Promise<number> {
    return (await planStack(options, log, error, output)).code;
}

/** Runs the plan of one stack and sums it up. */
export async function planStack(
    options: PlanOptions,
    log: (line: string) => void,
    error: (line: string) => void,
    output: { dir: string; objects: ObjectWorker },
): Promise<{ code: number; summary?: StackSummary }> {
    try {
        const result = await planWith(options, log, error, output);
        // A plan that never ran leaves no output behind, not even an empty directory.
        if (result.code === EXIT.config) rmSync(output.dir, { recursive: true, force: true });
        return result;
    } finally {
        await output.objects.stop();
    }
}

async function planWith(
    options: PlanOptions,
    log: (line: string) => void,
    error: (line: string) => void,
    { dir, objects }: { dir: string; objects: ObjectWorker },
): Promise<{ code: number; summary?: StackSummary }> {
    let file: StackFile;
    try {
        file = readStackFile(path.resolve(options.cwd), options.stack);
    } catch (e) {
        if (e instanceof StackFileError) {
            error(`error: ${e.message}`);
            return { code: EXIT.config };
        }
        throw e;
    }

    // A fleet's cluster stack reads its vault stack's outputs: that stack is planned first.
    const { StackOutputs, vaultStackOf } = require("./references") as typeof import("./references");
    const vaultStack = vaultStackOf(file);
    let referenced: Record<string, unknown> | undefined;
    if (vaultStack !== undefined) {
        const resolved = await (options.stackOutputs ?? new StackOutputs(options.cwd)).of(vaultStack, file);
        if ("error" in resolved) {
            error(`error: ${resolved.error}`);
            return { code: EXIT.config };
        }
        referenced = resolved.outputs;
    }
    const run = await simulateStack(
        file,
        (resource) => {
            // Each Kubernetes object goes to the worker as it is registered, to be written and validated meanwhile.
            if (!options.destroy && isKubernetesObject(resource)) objects.add(resource.inputs);
        },
        (stack) => (stack === vaultStack ? referenced : undefined),
    );
    if ("configError" in run) {
        error(run.configError);
        return { code: EXIT.config };
    }
    const { cloud, stackConfig, programExports, failures } = run;
    if (cloud.refusals.length > 0) {
        log(`Refused, as the real services would refuse it (${cloud.refusals.length}):`);
        for (const refusal of cloud.refusals) log(`    ${refusal}`);
        log(
            `Plan FAILED: ${cloud.refusals.length} refusal${cloud.refusals.length === 1 ? "" : "s"}; a real \`pulumi up\` would fail here.`,
        );
        return { code: EXIT.violations };
    }
    if (failures.length > 0) {
        for (const failure of failures) error(`error: ${(failure as Error).message ?? String(failure)}`);
        return { code: EXIT.violations };
    }
    if (options.destroy) {
        const destroy = planDestroy(cloud.resources, { production: stackConfig?.production ?? false });
        const json = { project: file.project, stack: file.stack, ...destroy };
        writeFileSync(path.join(dir, "destroy.json"), `${JSON.stringify(json, null, 2)}\n`);
        for (const line of renderDestroyPlan(destroy, `${file.project}/${file.stack}`)) log(line);
        return { code: destroyExitCode(destroy) };
    }
    const outputs = await resolveOutputs(programExports);

    const resources = planResources(cloud.resources);
    const waves = wavesOf(resources);
    const recordedObjects = cloud.resources.filter(isKubernetesObject);
    const objectsChecked = objects.finish();
    const policyConfig = policyConfigFor(stackConfig);
    const planned = policyResourcesOf(cloud.resources);
    const policyViolations = checkResources(planned, policyConfig);
    const compliance = complianceOf(planned, policyConfig);
    const builtInsFailing = compliance.filter((c) => c.status === "fails").length;
    const load = keyVaultLoad(
        recordedObjects
            .filter((r) => r.inputs.kind === "ExternalSecret")
            .map((r) => (reveal(r.inputs) as { spec: object }).spec),
    );

    const summary = (code: number): { code: number; summary: StackSummary } => ({
        code,
        summary: {
            stack: file.stack,
            code,
            resources: resources.filter((r) => r.custom).length,
            waves: waves.length,
            problems: violations.length + policyViolations.length,
            outputs,
            load: recordedObjects.some((r) => r.inputs.kind === "ExternalSecret") ? load : undefined,
            identities: identitiesOf(cloud.resources),
        },
    });
    const notReady = stackConfig === undefined ? [] : beforeUp(stackConfig, file.placeholders, run.values);

    writeFileSync(path.join(dir, "graph.mmd"), renderMermaid(resources));
    // For `pulumi preview --policy-pack policy --policy-pack-config out/<stack>/policy-config.json`.
    writeFileSync(path.join(dir, "policy-config.json"), `${JSON.stringify(policyPackConfig(policyConfig), null, 2)}\n`);
    const violations: Violation[] = await objectsChecked;
    const byUrn = new Map(cloud.resources.map((r) => [r.urn, r]));
    writeFileSync(
        path.join(dir, "plan.json"),
        `${JSON.stringify(
            {
                project: file.project,
                stack: file.stack,
                resources: resources.map((r: PlannedResource) => ({
                    urn: r.urn,
                    type: r.type,
                    name: r.name,
                    parent: r.parent,
                    custom: r.custom,
                    wave: r.wave,
                    dependsOn: r.dependsOn,
                    inputs: r.custom ? redact(byUrn.get(r.urn)?.inputs) : undefined,
                })),
                waves: waves.map((wave) => wave.map((r) => r.urn)),
                outputs,
                violations,
                policyViolations,
                compliance,
                keyVaultLoad: load,
                beforeUp: notReady,
            },
            null,
            2,
        )}\n`,
    );

    const custom = resources.filter((r) => r.custom);
    log(`Plan of stack ${file.project}/${file.stack}, offline: simulated Azure, Entra ID and Kubernetes.`);
    log("");
    for (const line of renderTree(resources, `${file.project}-${file.stack}`)) log(`    ${line}`);
    log("");
    log("Dependency waves (a wave's resources can be created together, after every earlier wave):");
    waves.forEach((wave, i) => {
        log(
            `    ${String(i + 1).padStart(2)}  ${wave.map((r) => `${r.name} (${r.type.split(":").pop()})`).join(", ")}`,
        );
    });
    log("");
    log("Outputs:");
    for (const [name, value] of Object.entries(outputs)) log(`    ${name}: ${JSON.stringify(value)}`);
    log("");
    const relative = path.relative(process.cwd(), dir);
    const shown = relative.startsWith("..") ? dir : relative;
    log(`Wrote ${shown}/: objects/ (${recordedObjects.length} YAML files), plan.json, graph.mmd`);
    const hasCluster = stackConfig?.fleet.role !== "vault";
    if (hasCluster) log(describeLoad(load));
    if (stackConfig !== undefined && hasCluster) log(describeSharedAccess(stackConfig));
    if (stackConfig !== undefined) log(describeVaultNetwork(stackConfig));
    const updates = describeUpdateAwait(cloud.resources);
    if (updates !== undefined) log(updates);
    log("");
    for (const line of describeBeforeUp(notReady)) log(line);
    log("");
    for (const line of describeCompliance(compliance)) log(line);
    if (violations.length > 0 || policyViolations.length > 0 || builtInsFailing > 0) {
        if (violations.length > 0) {
            log("");
            log(`Schema violations (${violations.length}):`);
            for (const v of violations) log(`    ${v.object}  ${v.field}  ${v.reason}`);
        }
        if (policyViolations.length > 0) {
            log("");
            log(`Policy violations (${policyViolations.length}):`);
            for (const v of policyViolations) log(`    ${v.resource}  [${v.policy}]  ${v.message}`);
        }
        const bad = new Set(violations.map((v) => v.object)).size;
        log(
            `Plan FAILED: ${violations.length} schema violation${violations.length === 1 ? "" : "s"} in ${bad} of ${recordedObjects.length} objects, ` +
                `${policyViolations.length} policy violation${policyViolations.length === 1 ? "" : "s"}` +
                (builtInsFailing === 0
                    ? "."
                    : `, ${builtInsFailing} Key Vault built-in${builtInsFailing === 1 ? "" : "s"} failing.`),
        );
        return summary(EXIT.violations);
    }
    log(
        `Plan OK: ${custom.length} resources in ${resources.length - custom.length} components, ${waves.length} waves, ` +
            (recordedObjects.length === 0
                ? "no Kubernetes objects"
                : `${recordedObjects.length} objects validated (${recordedObjects
                      .map((r) => describeObject(r.inputs as KubernetesObject).split(" ")[0])
                      .filter((k, i, all) => all.indexOf(k) === i)
                      .join(", ")})`) +
            ", no policy violations.",
    );
    return summary(EXIT.ok);
}

/** The app registrations a run creates, each with how many federated credentials it holds. */
function identitiesOf(resources: readonly RecordedResource[]): StackSummary["identities"] {
    const applications = resources.filter((r) => r.type === "azuread:index/application:Application" && !r.read);
    return applications.map((app) => ({
        name: String(app.inputs.displayName ?? app.name),
        federatedCredentials: resources.filter(
            (r) =>
                r.type ===
                    "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential" &&
                r.inputs.applicationId === app.id,
        ).length,
    }));
}
