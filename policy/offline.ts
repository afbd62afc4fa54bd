// The offline runner: runs policies on resources the way `pulumi preview --policy-pack` would, without the engine,
// for the tests and the offline plan (constructing the PolicyPack of index.ts would start a gRPC server).
import type { Policies, PolicyResourceOptions, ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { type PolicyResource, type PolicyViolation, type Props, record } from "./common";

/** A policy's configuration as the engine hands it over: the schema's defaults, then the configured values. */
function configFor(policy: Policies[number], packConfig: Record<string, unknown>): Props {
    const config: Props = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema.default !== undefined) config[key] = schema.default;
    }
    Object.assign(config, record(packConfig[policy.name]));
    // The engine strips the enforcement level before a policy reads its configuration.
    delete config.enforcementLevel;
    return config;
}

class NotApplicable extends Error {}

const OFFLINE_OPTIONS: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
};

/** A stand-in for the arguments the engine passes to `validateResource`, for running policies without it. */
function validationArgs(resource: PolicyResource, config: Props): ResourceValidationArgs {
    const isType = (resourceClass: unknown) =>
        (resourceClass as { __pulumiType?: string } | undefined)?.__pulumiType === resource.type;
    return {
        type: resource.type,
        props: resource.props,
        urn: resource.urn ?? `urn:pulumi:offline::offline::${resource.type}::${resource.name}`,
        name: resource.name,
        opts: OFFLINE_OPTIONS,
        stackTags: new Map<string, string>(),
        isType,
        asType: (resourceClass: unknown) => (isType(resourceClass) ? resource.props : undefined) as never,
        getConfig: <T extends object>() => ({ ...config }) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/**
 * Runs `policies` on `resources` as the engine would: each policy gets its configuration from `packConfig`, the JSON
 * of `--policy-pack-config`, keyed by policy name. Returns the violations, resource by resource, in policy order.
 */
export function runPolicies(
    policies: Policies,
    packConfig: Record<string, unknown>,
    resources: readonly PolicyResource[],
): PolicyViolation[] {
    const pack = policies.map((policy) => ({ policy, config: configFor(policy, packConfig) }));
    const violations: PolicyViolation[] = [];
    for (const resource of resources) {
        for (const { policy, config: policyConfig } of pack) {
            if (!("validateResource" in policy)) continue;
            const report: ReportViolation = (message) =>
                void violations.push({ policy: policy.name, resource: `${resource.type} ${resource.name}`, message });
            const validations = policy.validateResource ?? [];
            for (const validate of Array.isArray(validations) ? validations : [validations]) {
                try {
                    const result = validate(validationArgs(resource, policyConfig), report);
                    if (result instanceof Promise) {
                        throw new Error(
                            `policy ${policy.name} is asynchronous; checkResources runs synchronous policies only`,
                        );
                    }
                } catch (error) {
                    if (!(error instanceof NotApplicable)) throw error;
                }
            }
        }
    }
    violations.push(...runStackPolicies(pack, resources));
    return violations;
}

/** Stack policies see every resource at once, after the resource policies, as the engine runs them. */
function runStackPolicies(
    pack: ReadonlyArray<{ policy: Policies[number]; config: Props }>,
    resources: readonly PolicyResource[],
): PolicyViolation[] {
    const violations: PolicyViolation[] = [];
    const urnOf = (resource: PolicyResource) =>
        resource.urn ?? `urn:pulumi:offline::offline::${resource.type}::${resource.name}`;
    const stackResources = resources.map((resource) => {
        const { isType, asType, type, name, props, urn } = validationArgs(resource, {});
        return {
            type,
            name,
            props,
            urn,
            opts: OFFLINE_OPTIONS,
            isType,
            asType,
            dependencies: [],
            propertyDependencies: {},
        };
    });
    for (const { policy, config } of pack) {
        if (!("validateStack" in policy)) continue;
        const report: ReportViolation = (message, urn) => {
            const resource = resources.find((r) => urnOf(r) === urn);
            violations.push({
                policy: policy.name,
                resource: resource === undefined ? "stack" : `${resource.type} ${resource.name}`,
                message,
            });
        };
        try {
            const result = policy.validateStack(
                {
                    resources: stackResources,
                    stackTags: new Map<string, string>(),
                    getConfig: <T extends object>() => ({ ...config }) as T,
                    notApplicable: (reason?: string): never => {
                        throw new NotApplicable(reason);
                    },
                },
                report,
            );
            if (result instanceof Promise) {
                throw new Error(`policy ${policy.name} is asynchronous; checkResources runs synchronous policies only`);
            }
        } catch (error) {
            if (!(error instanceof NotApplicable)) throw error;
        }
    }
    return violations;
}
