// Workload policies: how pods mount the Secrets ESO syncs, and the security context their containers run with.
import type { ReportViolation, ResourceValidationPolicy } from "@pulumi/policy";
import {
    APP_ARMOR_CONFIG_SCHEMA,
    type AppArmorConfig,
    CONFINING_PROFILES,
    list,
    missingResources,
    onTypes,
    type Props,
    record,
    show,
} from "./common";

/** Where each workload type keeps its pod spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The only permission bits a mounted secret file may have: owner and group read. */
const SECRET_MODE_BITS = 0o440;
/** The mode Kubernetes gives secret files when a volume sets no defaultMode. */
const KUBERNETES_DEFAULT_SECRET_MODE = 0o644;

function octal(mode: number): string {
    return `0${mode.toString(8)}`;
}

interface PodSpec {
    /** Dotted path of the pod spec in the resource, for messages. */
    readonly path: string;
    readonly spec: Props;
}

function podSpecOf(type: string, props: Props): PodSpec | undefined {
    const path = POD_SPEC_PATHS[type];
    if (path === undefined) return undefined;
    let node: Props | undefined = props;
    for (const key of path) node = record(node?.[key]);
    return node === undefined ? undefined : { path: path.join("."), spec: node };
}

const isWorkload = (type: string) => POD_SPEC_PATHS[type] !== undefined;

/** Every container that runs in the pod, init containers included, with its path for messages. */
function containersOf({ path, spec }: PodSpec): Array<{ path: string; container: Props }> {
    return ["initContainers", "containers"].flatMap((key) =>
        list(spec[key]).flatMap((item, i) => {
            const container = record(item);
            return container === undefined ? [] : [{ path: `${path}.${key}[${i}]`, container }];
        }),
    );
}

/** Reports a secret file mode with bits outside 0440 (a missing defaultMode means Kubernetes' 0644). */
function checkSecretMode(report: ReportViolation, path: string, mode: unknown, isDefaultMode: boolean): void {
    const rule = `give secret files at most ${octal(SECRET_MODE_BITS)} (owner and group read), such as 0400`;
    if (mode === undefined) {
        if (isDefaultMode) {
            report(
                `${path} is undefined, so Kubernetes uses ${octal(KUBERNETES_DEFAULT_SECRET_MODE)} (world-readable): ${rule}`,
            );
        }
        return;
    }
    if (typeof mode !== "number" || !Number.isInteger(mode) || mode < 0 || (mode & ~SECRET_MODE_BITS) !== 0) {
        report(`${path} is ${typeof mode === "number" ? `${mode} (${octal(mode)})` : show(mode)}: ${rule}`);
    }
}

export const workloadSecretMounts: ResourceValidationPolicy = {
    name: "workload-secret-mounts",
    description: "Workloads mount secret volumes read-only, with file modes of at most 0440.",
    validateResource: onTypes(isWorkload, (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (pod === undefined) return;
        const secretVolumes = new Set<unknown>();
        list(pod.spec.volumes).forEach((item, i) => {
            const volume = record(item) ?? {};
            const path = `${pod.path}.volumes[${i}]`;
            const secret = record(volume.secret);
            if (secret !== undefined) {
                secretVolumes.add(volume.name);
                checkSecretMode(report, `${path}.secret.defaultMode`, secret.defaultMode, true);
                list(secret.items).forEach((key, k) =>
                    checkSecretMode(report, `${path}.secret.items[${k}].mode`, record(key)?.mode, false),
                );
                return;
            }
            // A projected volume with a secret source mounts that secret just the same.
            const projected = record(volume.projected);
            const sources = list(projected?.sources).map((source) => record(record(source)?.secret));
            if (projected === undefined || !sources.some((source) => source !== undefined)) return;
            secretVolumes.add(volume.name);
            checkSecretMode(report, `${path}.projected.defaultMode`, projected.defaultMode, true);
            sources.forEach((source, s) =>
                list(source?.items).forEach((key, k) =>
                    checkSecretMode(
                        report,
                        `${path}.projected.sources[${s}].secret.items[${k}].mode`,
                        record(key)?.mode,
                        false,
                    ),
                ),
            );
        });
        for (const { path, container } of containersOf(pod)) {
            list(container.volumeMounts).forEach((item, m) => {
                const mount = record(item);
                if (mount === undefined || !secretVolumes.has(mount.name)) return;
                if (mount.readOnly !== true) {
                    report(
                        `${path}.volumeMounts[${m}].readOnly is ${show(mount.readOnly)}: mount secret volume ${show(mount.name)} read-only`,
                    );
                }
            });
        }
    }),
};

export const workloadSecurityContext: ResourceValidationPolicy = {
    name: "workload-security-context",
    description: "Workload containers run as non-root, without privilege escalation, with every capability dropped.",
    validateResource: onTypes(isWorkload, (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (pod === undefined) return;
        const podNonRoot = record(pod.spec.securityContext)?.runAsNonRoot;
        for (const { path, container } of containersOf(pod)) {
            const context = record(container.securityContext);
            // A container's own setting overrides the pod's.
            const nonRoot = context?.runAsNonRoot;
            if (nonRoot !== undefined && nonRoot !== true) {
                report(`${path}.securityContext.runAsNonRoot is ${show(nonRoot)}: run as non-root (true)`);
            } else if (nonRoot === undefined && podNonRoot !== true) {
                report(
                    `${pod.path}.securityContext.runAsNonRoot is ${show(podNonRoot)} and ${path} does not set it: run as non-root ` +
                        "(runAsNonRoot: true on the pod or the container)",
                );
            }
            const escalation = context?.allowPrivilegeEscalation;
            if (escalation !== false) {
                report(
                    `${path}.securityContext.allowPrivilegeEscalation is ${show(escalation)}: set false, so no process ` +
                        "gains more privileges than its parent (setuid binaries, file capabilities)",
                );
            }
            const drop = record(context?.capabilities)?.drop;
            if (!list(drop).includes("ALL")) {
                report(`${path}.securityContext.capabilities.drop is ${show(drop)}: drop "ALL" capabilities`);
            }
        }
    }),
};

export const workloadResources: ResourceValidationPolicy = {
    name: "workload-resources",
    description: "Workload containers request CPU and memory and are limited in both.",
    validateResource: onTypes(isWorkload, (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (pod === undefined) return;
        for (const { path, container } of containersOf(pod)) {
            const missing = missingResources(container.resources);
            if (missing.length > 0) {
                report(
                    `${path}.resources lacks ${missing.join(", ")}: request CPU and memory so the scheduler places the pod, ` +
                        "and limit both so one pod cannot starve its node",
                );
            }
        }
    }),
};

/** A container's profile of `field` (seccompProfile, appArmorProfile): its own, else the pod's. */
function profileType(pod: PodSpec, container: Props, field: string): unknown {
    const own = record(record(container.securityContext)?.[field]);
    return (own ?? record(record(pod.spec.securityContext)?.[field]))?.type;
}

export const workloadRuntimeProfiles: ResourceValidationPolicy = {
    name: "workload-runtime-profiles",
    description:
        "Workload containers run under a seccomp profile and, where the nodes run AppArmor, an AppArmor profile (RuntimeDefault or Localhost).",
    configSchema: APP_ARMOR_CONFIG_SCHEMA,
    validateResource: onTypes(isWorkload, (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (pod === undefined) return;
        const appArmor = args.getConfig<AppArmorConfig>().appArmor !== false;
        for (const { path, container } of containersOf(pod)) {
            const seccomp = profileType(pod, container, "seccompProfile");
            if (!CONFINING_PROFILES.has(seccomp)) {
                report(
                    `${path} runs with seccomp profile ${show(seccomp)}: set seccompProfile.type "RuntimeDefault" on the pod or the container ` +
                        '(the "restricted" Pod Security profile requires it)',
                );
            }
            const apparmor = profileType(pod, container, "appArmorProfile");
            if (appArmor && !CONFINING_PROFILES.has(apparmor)) {
                report(
                    `${path} runs with AppArmor profile ${show(apparmor)}: set appArmorProfile.type "RuntimeDefault" on the pod or the container ` +
                        "(Kubernetes 1.30 and later), or set kubernetes.appArmor to false if the nodes have no AppArmor",
                );
            }
        }
    }),
};

export const workloadServiceAccountToken: ResourceValidationPolicy = {
    name: "workload-service-account-token",
    description: "Workloads that only read mounted Secrets do not mount a service account token.",
    validateResource: onTypes(isWorkload, (props, args, report) => {
        const pod = podSpecOf(args.type, props);
        if (pod === undefined) return;
        const automount = pod.spec.automountServiceAccountToken;
        if (automount !== false) {
            report(
                `${pod.path}.automountServiceAccountToken is ${show(automount)}: set false; the token lets anyone in the pod ` +
                    "call the Kubernetes API as its service account, and reading mounted files needs no API access",
            );
        }
    }),
};
