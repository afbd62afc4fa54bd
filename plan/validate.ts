// Checks Kubernetes objects against the schemas the API server and ESO enforce: ESO's CRD schemas through
// @kubernetes-models/external-secrets (generated from ESO's v1 Go types) and core objects through kubernetes-models.
// Both packages are ES modules; they load with import() on demand, one model per kind.
import * as path from "node:path";
import { Worker } from "node:worker_threads";

export interface KubernetesObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata?: { readonly name?: string; readonly namespace?: string };
    readonly [field: string]: unknown;
}

export interface Violation {
    /** `Kind namespace/name`. */
    readonly object: string;
    /** JSON pointer into the object, such as `/spec/target/creationPolicy`. */
    readonly field: string;
    readonly reason: string;
}

interface Model {
    validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** The module that holds the model of an apiVersion and kind, or undefined when none is known. */
export function modelModule(apiVersion: string, kind: string): string | undefined {
    if (!/^[A-Za-z]+$/.test(kind)) return undefined;
    if (apiVersion.startsWith("external-secrets.io/")) {
        return `@kubernetes-models/external-secrets/${apiVersion}/${kind}`;
    }
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    if (group !== "" && !/^[a-z0-9.]+$/.test(group as string)) return undefined;
    return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

export function describeObject(object: KubernetesObject): string {
    const { name = "?", namespace } = object.metadata ?? {};
    return `${object.kind} ${namespace === undefined ? name : `${namespace}/${name}`}`;
}

interface AjvError {
    readonly instancePath?: string;
    readonly message?: string;
    readonly params?: Record<string, unknown>;
}

/** Validates each object; returns every violation found (an empty list means all objects conform). */
export async function validateObjects(objects: readonly KubernetesObject[]): Promise<Violation[]> {
    const models = new Map<string, Promise<ModelClass | undefined>>();
    const load = (module: string, kind: string): Promise<ModelClass | undefined> => {
        let model = models.get(module);
        if (model === undefined) {
            model = import(module).then(
                (m: Record<string, ModelClass>) => m[kind],
                () => undefined,
            );
            models.set(module, model);
        }
        return model;
    };
    const violations: Violation[] = [];
    for (const object of objects) {
        const module = modelModule(object.apiVersion, object.kind);
        const Model = module === undefined ? undefined : await load(module, object.kind);
        if (Model === undefined) {
            violations.push({
                object: describeObject(object),
                field: "/",
                reason: `no schema is known for ${object.apiVersion} ${object.kind}`,
            });
            continue;
        }
        try {
            new Model(object).validate();
        } catch (error) {
            const errors = ((error as { errors?: AjvError[] }).errors ?? []) as AjvError[];
            if (errors.length === 0) {
                violations.push({ object: describeObject(object), field: "/", reason: (error as Error).message });
            }
            for (const e of errors) {
                const allowed = e.params?.allowedValues as unknown[] | undefined;
                const extra = e.params?.additionalProperty as string | undefined;
                violations.push({
                    object: describeObject(object),
                    field: `${e.instancePath || "/"}${extra === undefined ? "" : `/${extra}`}`,
                    reason: `${e.message ?? "is invalid"}${allowed === undefined ? "" : `: ${allowed.join(", ")}`}`,
                });
            }
        }
    }
    return violations;
}

/** Kinds this project emits; their models are loaded ahead, while the program runs. */
export const EXPECTED_KINDS: ReadonlyArray<readonly [string, string]> = [
    ["external-secrets.io/v1", "ClusterSecretStore"],
    ["external-secrets.io/v1", "SecretStore"],
    ["external-secrets.io/v1", "ExternalSecret"],
    ["v1", "Namespace"],
    ["v1", "Secret"],
    ["v1", "Pod"],
    ["v1", "ServiceAccount"],
];

export interface Validator {
    /** Validates the objects in the background thread and stops it. */
    validate(objects: readonly KubernetesObject[]): Promise<Violation[]>;
}

/**
 * Starts validation on a worker thread that loads the schema models at once, so that work overlaps with the
 * program's run on the main thread. Falls back to validating in-process if the thread cannot start.
 */
export function startValidator(): Validator {
    // The worker loads this file through the project's TypeScript loader, then waits for one message.
    const bootstrap = `
        const { parentPort, workerData } = require("node:worker_threads");
        require(workerData.loader);
        const validate = require(workerData.module);
        const preload = validate.preloadModels();
        parentPort.once("message", async (objects) => {
            await preload;
            parentPort.postMessage(await validate.validateObjects(objects));
        });`;
    const worker = new Worker(bootstrap, {
        eval: true,
        workerData: { loader: path.resolve(__dirname, "..", "loader.cjs"), module: __filename },
    });
    const result = new Promise<Violation[]>((resolve, reject) => {
        worker.once("message", (violations: Violation[]) => resolve(violations));
        worker.once("error", reject);
    });
    return {
        async validate(objects) {
            worker.postMessage(objects);
            try {
                return await result;
            } finally {
                await worker.terminate();
            }
        },
    };
}

/** Loads the models of the expected kinds. */
export async function preloadModels(): Promise<void> {
    await Promise.all(
        EXPECTED_KINDS.map(([apiVersion, kind]) =>
            import(modelModule(apiVersion, kind) as string).catch(() => undefined),
        ),
    );
}
