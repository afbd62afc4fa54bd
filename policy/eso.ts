// Policies for the External Secrets Operator: the Helm release that installs it, and the ESO objects the program
// creates (their API version, who may use a ClusterSecretStore, how often ExternalSecrets refresh).
import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as v from "valibot";
import { ESO_API_VERSION, ESO_CHART } from "../components/wellKnown";
import { chartVersion, refreshInterval } from "../stacks/rules";
import {
    APP_ARMOR_CONFIG_SCHEMA,
    type AppArmorConfig,
    CONFINING_PROFILES,
    isType,
    missingResources,
    onTypes,
    record,
    RESOURCE_TYPES,
    show,
} from "./common";

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

/** Where the chart's values configure each of its pods: the controller at the top, the others under their key. */
const ESO_CHART_PODS = [
    { pod: "controller", key: undefined },
    { pod: "webhook", key: "webhook" },
    { pod: "certController", key: "certController" },
] as const;

export const esoChartPods: ResourceValidationPolicy = {
    name: "eso-chart-pods",
    description:
        "ESO's chart runs its controller, webhook and cert controller with CPU and memory requests and limits, and, where the nodes run AppArmor, its RuntimeDefault profile.",
    configSchema: APP_ARMOR_CONFIG_SCHEMA,
    validateResource: onTypes(isType(RESOURCE_TYPES.helmRelease), (props, args, report) => {
        if (props.chart !== ESO_CHART.name) return;
        const appArmor = args.getConfig<AppArmorConfig>().appArmor !== false;
        const values = record(props.values) ?? {};
        for (const { pod, key } of ESO_CHART_PODS) {
            const settings = key === undefined ? values : (record(values[key]) ?? {});
            const at = (field: string) => (key === undefined ? `values.${field}` : `values.${key}.${field}`);
            const missing = missingResources(settings.resources);
            if (missing.length > 0) {
                report(
                    `${at("resources")} lacks ${missing.join(", ")}: the chart sets none for the ${pod} (values.yaml \`resources: {}\`); ` +
                        "request and limit its CPU and memory",
                );
            }
            // The chart's own default for each container is RuntimeDefault seccomp; values may only keep it confining.
            for (const context of ["podSecurityContext", "securityContext"]) {
                const seccomp = record(record(settings[context])?.seccompProfile)?.type;
                if (seccomp !== undefined && !CONFINING_PROFILES.has(seccomp)) {
                    report(`${at(`${context}.seccompProfile.type`)} is ${show(seccomp)}: use "RuntimeDefault"`);
                }
            }
            const apparmor = record(record(settings.securityContext)?.appArmorProfile)?.type;
            if (appArmor && !CONFINING_PROFILES.has(apparmor)) {
                report(
                    `${at("securityContext.appArmorProfile.type")} is ${show(apparmor)}: use "RuntimeDefault" for the ${pod}, ` +
                        "or set kubernetes.appArmor to false if the nodes have no AppArmor",
                );
            }
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
