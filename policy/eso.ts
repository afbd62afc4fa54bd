// Policies for the External Secrets Operator: the Helm release that installs it, and the ESO objects the program
// creates (their API version, who may use a ClusterSecretStore, how often ExternalSecrets refresh).
import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as v from "valibot";
import { ESO_API_VERSION } from "../components/wellKnown";
import { chartVersion, refreshInterval } from "../stacks/rules";
import { onTypes, isType, record, RESOURCE_TYPES, show } from "./common";

/** ESO custom resources: `kubernetes:external-secrets.io/<version>:<Kind>` (`apiextensions.CustomResource` tokens). */
const ESO_TYPE = /^kubernetes:external-secrets\.io\/([^:]+):([A-Za-z]+)$/;

/** The ESO kinds served as `external-secrets.io/v1`. PushSecret and ClusterPushSecret exist only as v1alpha1. */
const ESO_V1_KINDS: ReadonlySet<string> = new Set([
    "ExternalSecret",
    "ClusterExternalSecret",
    "SecretStore",
    "ClusterSecretStore",
]);
const CLUSTER_SECRET_STORE: ReadonlySet<string> = new Set(["ClusterSecretStore"]);
const EXTERNAL_SECRET: ReadonlySet<string> = new Set(["ExternalSecret"]);

/** The kind of an ESO object whose type token names one of `kinds`, else undefined. */
function esoKind(type: string, kinds: ReadonlySet<string>): string | undefined {
    const kind = ESO_TYPE.exec(type)?.[2];
    return kind !== undefined && kinds.has(kind) ? kind : undefined;
}

// ---- The operator ----

export const helmReleasePinned: ResourceValidationPolicy = {
    name: "helm-release-pinned",
    description: "Helm releases pin an exact chart version and install from an https repository.",
    validateResource: onTypes(isType(RESOURCE_TYPES.helmRelease), (props, _args, report) => {
        const version = props.version;
        if (!v.is(chartVersion(), version)) {
            report(
                `version is ${show(version)}: pin an exact chart version such as "2.9.0"; a range, "latest" or no version ` +
                    "lets a `pulumi up` install a release nobody reviewed",
            );
        }
        const repo = record(props.repositoryOpts)?.repo;
        if (typeof repo !== "string" || !repo.startsWith("https://")) {
            report(
                `repositoryOpts.repo is ${show(repo)}: install charts from an https:// repository, so the chart cannot be swapped in transit`,
            );
        }
    }),
};

// ---- ESO objects ----

export const esoApiVersion: ResourceValidationPolicy = {
    name: "eso-api-version",
    description: `ESO objects use ${ESO_API_VERSION}: v1beta1 is no longer served since ESO 0.17.`,
    validateResource: onTypes(
        (type) => esoKind(type, ESO_V1_KINDS) !== undefined,
        (props, args, report) => {
            // The type token carries the apiVersion too; props are the object itself and normally say it.
            const apiVersion = props.apiVersion ?? `external-secrets.io/${ESO_TYPE.exec(args.type)?.[1]}`;
            if (apiVersion !== ESO_API_VERSION) {
                report(
                    `apiVersion is ${show(apiVersion)}: use ${ESO_API_VERSION}; ESO stopped serving v1beta1 in 0.17, so the cluster rejects this object`,
                );
            }
        },
    ),
};

interface TenancyConfig {
    tenantsConfigured?: boolean;
}

export const esoClusterStoreConditions: ResourceValidationPolicy = {
    name: "eso-cluster-store-conditions",
    description: "When tenants are configured, a ClusterSecretStore limits the namespaces that may use it.",
    configSchema: {
        properties: {
            tenantsConfigured: {
                type: "boolean",
                default: false,
                description: "The stack configures tenants (namespaces that must not read each other's secrets).",
            },
        },
    },
    validateResource: onTypes(
        (type) => esoKind(type, CLUSTER_SECRET_STORE) !== undefined,
        (props, args, report) => {
            if (args.getConfig<TenancyConfig>().tenantsConfigured !== true) return;
            const conditions = record(props.spec)?.conditions;
            if (!Array.isArray(conditions) || conditions.length === 0) {
                report(
                    `spec.conditions is ${show(conditions)}: tenants are configured, so limit the namespaces that may use this store ` +
                        "(namespaceSelector, namespaces or namespaceRegexes); without conditions every namespace can read every secret the store reaches",
                );
            }
        },
    ),
};

export const esoRefreshInterval: ResourceValidationPolicy = {
    name: "eso-refresh-interval",
    description: 'ExternalSecrets refresh at most once a minute ("0" syncs once).',
    validateResource: onTypes(
        (type) => esoKind(type, EXTERNAL_SECRET) !== undefined,
        (props, _args, report) => {
            const interval = record(props.spec)?.refreshInterval;
            // Unset, ESO refreshes every hour.
            if (interval !== undefined && !v.is(refreshInterval(), interval)) {
                report(
                    `spec.refreshInterval is ${show(interval)}: use a Go duration of at least 1m such as "15m" or "1h", or "0" to sync once; ` +
                        "shorter intervals multiply Key Vault reads into its throttling limits",
                );
            }
        },
    ),
};
