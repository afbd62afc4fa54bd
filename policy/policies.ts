// Pulumi CrossGuard policies for what this program deploys: the vault, ESO's role assignment and client secret, the
// operator's Helm release, ESO's objects and the workloads that mount synced Secrets. Each area has its own file
// (vault.ts, identity.ts, eso.ts, workloads.ts); this module puts the policies in order and is the one to import.
//
// The pack (index.ts) is built elsewhere: constructing a PolicyPack reads package.json and starts a gRPC server, so
// tests and the offline plan import this module alone and run the policies through `checkResources`.
import type { Policies } from "@pulumi/policy";
import type { PolicyConfig, PolicyResource, PolicyViolation } from "./common";
import { privateLinkWaiver, publicNetworkWaiver, resourceLogsWaiver } from "./compliance";
import { esoApiVersion, esoChartPods, esoClusterStoreConditions, esoRefreshInterval, helmReleasePinned } from "./eso";
import { applicationPasswordLifetime, roleAssignmentLeastPrivilege } from "./identity";
import { runPolicies } from "./offline";
import { roleAssignmentWriteScope } from "./push";
import {
    keyVaultNetworkClosedInProduction,
    keyVaultNetworkRestricted,
    keyVaultPrivateLink,
    keyVaultPublicNetworkDisabled,
    keyVaultPurgeProtectionInProduction,
    keyVaultRbacAuthorization,
    keyVaultResourceLogs,
    keyVaultSoftDelete,
    keyVaultSoftDeleteRetention,
} from "./vault";
import { keyVaultSecretContentType, keyVaultSecretExpiration } from "./secrets";
import {
    workloadResources,
    workloadRuntimeProfiles,
    workloadSecretMounts,
    workloadSecurityContext,
    workloadServiceAccountToken,
} from "./workloads";

export type { PolicyConfig, PolicyResource, PolicyViolation } from "./common";

/** The policies, with `clock` as the application-password policy's notion of now. */
export function createPolicies(clock: () => Date): Policies {
    return [
        keyVaultRbacAuthorization,
        keyVaultSoftDelete,
        keyVaultSoftDeleteRetention,
        keyVaultPurgeProtectionInProduction,
        keyVaultNetworkRestricted,
        keyVaultNetworkClosedInProduction,
        keyVaultPublicNetworkDisabled,
        keyVaultPrivateLink,
        keyVaultResourceLogs,
        keyVaultSecretExpiration(clock),
        keyVaultSecretContentType,
        roleAssignmentLeastPrivilege,
        roleAssignmentWriteScope,
        applicationPasswordLifetime(clock),
        helmReleasePinned,
        esoChartPods,
        esoApiVersion,
        esoClusterStoreConditions,
        esoRefreshInterval,
        workloadSecretMounts,
        workloadSecurityContext,
        workloadResources,
        workloadRuntimeProfiles,
        workloadServiceAccountToken,
    ];
}

/** Every policy of the pack, as `pulumi preview --policy-pack policy` runs them. */
export const policies: Policies = createPolicies(() => new Date());

/**
 * The policy pack configuration for a stack: the JSON a user writes to a file and passes with
 * `--policy-pack-config <file>`, keyed by policy name. Policies not listed use their schema's defaults.
 */
export function policyPackConfig(config: PolicyConfig): Record<string, unknown> {
    const network = config.restrictedNetwork;
    return {
        [keyVaultPurgeProtectionInProduction.name]: { production: config.production },
        [keyVaultNetworkRestricted.name]:
            network === undefined
                ? { restricted: false }
                : {
                      restricted: true,
                      publicNetworkAccess: network.publicNetworkAccess ?? "enabled",
                      allowedIps: [...network.allowedIps],
                      allowedSubnetIds: [...network.allowedSubnetIds],
                  },
        [keyVaultNetworkClosedInProduction.name]: { production: config.production },
        // Required exactly where the compliance report (compliance.ts) says the stack must meet the built-in.
        [keyVaultPublicNetworkDisabled.name]: { required: publicNetworkWaiver(config) === undefined },
        [keyVaultPrivateLink.name]: { required: privateLinkWaiver(config) === undefined },
        [keyVaultResourceLogs.name]: { required: resourceLogsWaiver(config) === undefined },
        [esoClusterStoreConditions.name]: { tenantsConfigured: config.tenantsConfigured },
        [roleAssignmentWriteScope.name]: {
            pushedSecrets: [...(config.pushedSecrets ?? [])],
            // Listed when there are any, so a stack that pushes only secrets keeps the configuration it had.
            ...((config.pushedKeys ?? []).length === 0 ? {} : { pushedKeys: [...(config.pushedKeys ?? [])] }),
            ...((config.pushedCertificates ?? []).length === 0
                ? {}
                : { pushedCertificates: [...(config.pushedCertificates ?? [])] }),
        },
        [esoChartPods.name]: { appArmor: config.appArmor ?? true },
        [workloadRuntimeProfiles.name]: { appArmor: config.appArmor ?? true },
    };
}

/**
 * Runs every policy on `resources` as `pulumi preview --policy-pack` would, without the engine: each policy gets its
 * configuration from `policyPackConfig(config)` and `now` as the current time. Returns the violations, resource by
 * resource, in policy order.
 */
export function checkResources(resources: PolicyResource[], config: PolicyConfig, now = new Date()): PolicyViolation[] {
    return runPolicies(
        createPolicies(() => now),
        policyPackConfig(config),
        resources,
    );
}
