import * as pulumi from "@pulumi/pulumi";
import * as core from "@pulumi/kubernetes/core/v1";
import { type ContainerResources, WORKLOAD_RESOURCES } from "./podResources";
import { RUNTIME_DEFAULT, SECRET_FILE_MODE, WORKLOAD_UID } from "./wellKnown";

export interface WorkloadArgs {
    /** Pod name. */
    readonly podName: string;
    /** Namespace of the Pod and of the Secret it mounts. */
    readonly namespace: pulumi.Input<string>;
    /** Container image, pinned by tag or digest. */
    readonly image: string;
    /**
     * Container command.
     * @default the image's entrypoint
     */
    readonly command?: readonly string[];
    /** Secret to mount (the ExternalSecret's target), resolved once it is synced (SyncedSecrets.secretName). */
    readonly secretName: pulumi.Input<string>;
    /** Directory the Secret's keys appear in, one file per key. */
    readonly mountPath: string;
    /**
     * CPU and memory the container requests and may use at most.
     * @default WORKLOAD_RESOURCES
     */
    readonly resources?: ContainerResources;
    /**
     * Run under the container runtime's default AppArmor profile. Kubelet refuses the Pod on a node without AppArmor.
     * @default true
     */
    readonly appArmor?: boolean;
}

/** The names a component had before, from the `{ name }` aliases it was given. */
function formerNames(opts: pulumi.ComponentResourceOptions | undefined): string[] {
    return (opts?.aliases ?? []).flatMap((alias) =>
        typeof alias === "object" && typeof (alias as pulumi.Alias).name === "string"
            ? [(alias as pulumi.Alias).name as string]
            : [],
    );
}

/**
 * A Pod that consumes a synced Secret as files: mounted read-only with mode 0400 (0440 once kubelet applies
 * fsGroup, so only the Pod's group can read), under the "restricted" Pod Security profile: non-root, no privilege
 * escalation, no capabilities, RuntimeDefault seccomp, read-only root filesystem; with RuntimeDefault AppArmor, CPU
 * and memory requests and limits, and no service account token (it never calls the Kubernetes API).
 */
export class Workload extends pulumi.ComponentResource {
    public readonly podName: pulumi.Output<string>;

    constructor(name: string, args: WorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:workload:Workload", name, {}, opts);

        const volume = "credentials";
        const resources = args.resources ?? WORKLOAD_RESOURCES;
        const appArmor = (args.appArmor ?? true) ? { appArmorProfile: RUNTIME_DEFAULT } : {};
        const pod = new core.Pod(
            `${name}-pod`,
            {
                metadata: { name: args.podName, namespace: args.namespace, labels: { app: args.podName } },
                spec: {
                    automountServiceAccountToken: false,
                    securityContext: {
                        runAsNonRoot: true,
                        runAsUser: WORKLOAD_UID,
                        runAsGroup: WORKLOAD_UID,
                        fsGroup: WORKLOAD_UID,
                        seccompProfile: RUNTIME_DEFAULT,
                        ...appArmor,
                    },
                    containers: [
                        {
                            name: args.podName,
                            image: args.image,
                            ...(args.command === undefined ? {} : { command: [...args.command] }),
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                capabilities: { drop: ["ALL"] },
                                privileged: false,
                                readOnlyRootFilesystem: true,
                                runAsNonRoot: true,
                            },
                            resources: {
                                requests: { ...resources.requests },
                                limits: { ...resources.limits },
                            },
                            volumeMounts: [{ name: volume, mountPath: args.mountPath, readOnly: true }],
                        },
                    ],
                    volumes: [{ name: volume, secret: { secretName: args.secretName, defaultMode: SECRET_FILE_MODE } }],
                },
            },
            // A renamed component keeps its Pod under the Pod's former name too.
            { parent: this, aliases: formerNames(opts).map((former) => ({ name: `${former}-pod` })) },
        );
        this.podName = pod.metadata.name;
        this.registerOutputs({ podName: this.podName });
    }
}
