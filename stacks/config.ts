// The one place that reads stack configuration. It returns a typed, validated object or throws a
// StackConfigError listing every problem, before any resource is registered.
import * as pulumi from "@pulumi/pulumi";
import { describeIssues, formatKey, formatValue, StackConfigError, valueAt } from "./errors";
import * as v from "valibot";
import { type ParsedStackConfig, SECRET_KEYS, stackConfigSchema } from "./schema";

type Parsed = ParsedStackConfig;

export interface StackContext {
    /** Pulumi project name: the config namespace, and part of derived names. */
    readonly project: string;
    /** Pulumi stack name. */
    readonly stack: string;
}

type ParsedAuth = Parsed["auth"];

/** The authentication mode, with the app registration's display name resolved where there is one. */
export type AuthConfig =
    | (Extract<ParsedAuth, { mode: "servicePrincipal" }> & { readonly displayName: string })
    | (Extract<ParsedAuth, { mode: "workloadIdentity" }> & { readonly displayName: string })
    | Extract<ParsedAuth, { mode: "managedIdentity" }>;

export interface ExternalSecretConfig extends Omit<Parsed["externalSecrets"][number], "target"> {
    /** The Kubernetes Secret ESO writes; defaults to the ExternalSecret's name. */
    readonly target: string;
}

export type WorkloadConfig = Parsed["workloads"][number];

/** The validated configuration of one stack: what index.ts composes components from. */
export interface StackConfig extends StackContext {
    readonly azure: Parsed["azure"];
    readonly vault: Parsed["vault"];
    /** Key Vault secret name -> value, each a Pulumi secret. */
    readonly seededSecrets: Readonly<Record<string, pulumi.Output<string>>>;
    readonly auth: AuthConfig;
    readonly kubernetes: Parsed["kubernetes"] & { readonly kubeconfig?: pulumi.Output<string> };
    readonly eso: Parsed["eso"];
    readonly store: Parsed["store"];
    readonly externalSecrets: readonly ExternalSecretConfig[];
    readonly workloads: readonly WorkloadConfig[];
}

/** Parses the values of a project's config keys (`vault`, not `project:vault`): JSON where it parses, else text. */
export function decodeConfigValues(values: Readonly<Record<string, string>>): Record<string, unknown> {
    const decoded: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(values)) {
        try {
            decoded[key] = JSON.parse(text);
        } catch {
            decoded[key] = text;
        }
    }
    return decoded;
}

type Issue = { path: PropertyKey[]; message: string };

/** The elements of a list key that are objects; the schema reports the rest. */
function entries(values: Readonly<Record<string, unknown>>, key: string): Array<[number, Record<string, unknown>]> {
    const list = values[key];
    if (!Array.isArray(list)) return [];
    return list.flatMap((item, i): Array<[number, Record<string, unknown>]> =>
        item !== null && typeof item === "object" ? [[i, item as Record<string, unknown>]] : [],
    );
}

/**
 * Rules that span keys: references between objects and names that must be unique. They read the raw values
 * defensively, so they run even when other keys are invalid and every problem is reported in one pass.
 */
function crossKeyProblems(values: Readonly<Record<string, unknown>>): Issue[] {
    const problems: Issue[] = [];
    const names = new Map<string, number>();
    const targets = new Map<string, number>();
    for (const [i, es] of entries(values, "externalSecrets")) {
        const { name, namespace } = es;
        if (typeof name !== "string" || typeof namespace !== "string") continue;
        const first = names.get(`${namespace}/${name}`);
        if (first !== undefined) {
            problems.push({
                path: ["externalSecrets", i, "name"],
                message: `externalSecrets[${first}] already uses this name in namespace "${namespace}"; use a unique name`,
            });
            continue;
        }
        names.set(`${namespace}/${name}`, i);
        const target = typeof es.target === "string" ? es.target : name;
        const firstTarget = targets.get(`${namespace}/${target}`);
        if (firstTarget === undefined) targets.set(`${namespace}/${target}`, i);
        else {
            problems.push({
                path: ["externalSecrets", i, typeof es.target === "string" ? "target" : "name"],
                message: `externalSecrets[${firstTarget}] already writes the Secret "${target}" in namespace "${namespace}"; two ExternalSecrets would overwrite each other`,
            });
        }
    }
    const workloads = new Set<string>();
    for (const [i, workload] of entries(values, "workloads")) {
        const { name, namespace, externalSecret } = workload;
        if (typeof namespace !== "string") continue;
        if (typeof name === "string") {
            if (workloads.has(`${namespace}/${name}`)) {
                problems.push({
                    path: ["workloads", i, "name"],
                    message: `another workload already uses this name in namespace "${namespace}"; use a unique name`,
                });
            }
            workloads.add(`${namespace}/${name}`);
        }
        if (typeof externalSecret === "string" && !names.has(`${namespace}/${externalSecret}`)) {
            problems.push({
                path: ["workloads", i, "externalSecret"],
                message: `name an ExternalSecret from externalSecrets in namespace "${namespace}" (a Pod mounts Secrets of its own namespace only)`,
            });
        }
    }
    return problems;
}

/**
 * Validates decoded config values and resolves defaults that depend on the stack. Pure apart from wrapping secrets,
 * so tests drive it directly.
 */
export function parseStackConfig(values: Readonly<Record<string, unknown>>, context: StackContext): StackConfig {
    const isSecret = (path: ReadonlyArray<PropertyKey>): boolean => SECRET_KEYS.has(String(path[0]));
    const result = v.safeParse(stackConfigSchema, values, { abortPipeEarly: true });
    const problems = describeIssues(result.issues ?? [], values, stackConfigSchema, isSecret);
    for (const issue of crossKeyProblems(values)) {
        problems.push(
            `${formatKey(issue.path)} ${formatValue(valueAt(values, issue.path), false)} is invalid: ${issue.message}.`,
        );
    }
    if (!result.success || problems.length > 0) {
        throw new StackConfigError(context.stack, problems);
    }
    return resolve(result.output, context);
}

function resolve(config: Parsed, context: StackContext): StackConfig {
    const seededSecrets: Record<string, pulumi.Output<string>> = {};
    for (const [name, value] of Object.entries(config.seededSecrets)) {
        seededSecrets[name] = pulumi.secret(value);
    }
    return {
        ...context,
        azure: config.azure,
        vault: config.vault,
        seededSecrets,
        auth:
            config.auth.mode === "managedIdentity"
                ? config.auth
                : { ...config.auth, displayName: config.auth.displayName ?? `${context.project}-${context.stack}` },
        kubernetes: {
            ...config.kubernetes,
            ...(config.kubeconfig === undefined ? {} : { kubeconfig: pulumi.secret(config.kubeconfig) }),
        },
        eso: config.eso,
        store: config.store,
        externalSecrets: config.externalSecrets.map((es) => ({ ...es, target: es.target ?? es.name })),
        workloads: config.workloads,
    };
}

/** Reads this stack's configuration from the Pulumi engine (or from mocks) and validates it. */
export function loadStackConfig(): StackConfig {
    const project = pulumi.getProject();
    const prefix = `${project}:`;
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(prefix)) values[key.slice(prefix.length)] = value;
    }
    return parseStackConfig(decodeConfigValues(values), { project, stack: pulumi.getStack() });
}
