// CPU and memory of the pods this project runs, unless configured: a module of plain values, so the configuration
// schema takes its defaults from here without loading the components.

/** CPU and memory of a container, as Kubernetes quantities ("10m", "64Mi"). */
export interface ContainerResources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/**
 * A workload's CPU and memory unless configured: requests as ESO's chart suggests for its own pods (values.yaml,
 * commented `resources.requests`: cpu 10m, memory 32Mi), limits with room for a small reader of mounted files.
 */
export const WORKLOAD_RESOURCES: ContainerResources = {
    requests: { cpu: "10m", memory: "32Mi" },
    limits: { cpu: "200m", memory: "128Mi" },
};

/** The chart's three pods, by the values key that configures each (the controller's are top-level values). */
export type EsoPod = "controller" | "webhook" | "certController";

/**
 * CPU and memory of ESO's pods unless configured. Requests as the chart suggests (values.yaml, commented
 * `resources.requests`: cpu 10m, memory 32Mi; more memory for the controller, which caches the secrets it syncs),
 * limits with headroom over them.
 */
export const ESO_RESOURCES: Readonly<Record<EsoPod, ContainerResources>> = {
    controller: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    webhook: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    certController: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
};
