// The Kubernetes objects of a plan: checked against the schemas the API server enforces (ESO's objects against the
// CRD schemas of the chart the stacks install, vendored in schemas/ with generated validators; core objects and
// Prometheus Operator's through kubernetes-models, ES modules loaded with import() one model per kind), and written
// as YAML with secrets redacted. Both happen on a worker thread, beside the program's run on the main thread.
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { dump } from "js-yaml";
import { esoSchemaErrors, esoValidator, type SchemaError } from "../schemas/eso";
import { redact, reveal } from "./secrets";

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

/**
 * Groups whose objects share another group's schema: AKS's managed Prometheus reads Prometheus Operator's
 * ServiceMonitor under its own group (Microsoft Learn, "Create custom Prometheus scrape job from your Kubernetes
 * cluster using CRDs"). They are validated as the other group's, apiVersion aside.
 */
const SCHEMA_ALIASES: Readonly<Record<string, string>> = {
    "azmonitoring.coreos.com/v1": "monitoring.coreos.com/v1",
};

/**
 * The module that holds the model of an apiVersion and kind, or undefined when none is known. ESO's kinds have no
 * module: their schemas are the CRDs' (schemas/eso.ts).
 */
export function modelModule(apiVersion: string, kind: string): string | undefined {
    if (!/^[A-Za-z]+$/.test(kind)) return undefined;
    if (/^(generators\.)?external-secrets\.io\//.test(apiVersion)) return undefined;
    if ((SCHEMA_ALIASES[apiVersion] ?? apiVersion) === "monitoring.coreos.com/v1") {
        return `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`;
    }
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    if (group !== "" && !/^[a-z0-9.]+$/.test(group as string)) return undefined;
    return group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
}

export function describeObject(object: KubernetesObject): string {
    const { name = "?", namespace } = object.metadata ?? {};
    return `${object.kind} ${namespace === undefined ? name : `${namespace}/${name}`}`;
}

type AjvError = Partial<SchemaError>;

/** Models already requested in this thread, by module. */
const models = new Map<string, Promise<ModelClass | undefined>>();

function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
    const module = modelModule(apiVersion, kind);
    if (module === undefined) return Promise.resolve(undefined);
    let model = models.get(module);
    if (model === undefined) {
        model = import(module).then(
            (m: Record<string, ModelClass>) => m[kind],
            () => undefined,
        );
        models.set(module, model);
    }
    return model;
}

/**
 * How an object breaks its schema: ESO's kinds through their CRD's generated validator, others through their model.
 * Undefined when no schema is known for the kind.
 */
async function schemaErrors(object: KubernetesObject): Promise<readonly AjvError[] | undefined> {
    const eso = esoSchemaErrors(object);
    if (eso !== undefined) return eso;
    const Model = await loadModel(object.apiVersion, object.kind);
    if (Model === undefined) return undefined;
    try {
        const alias = SCHEMA_ALIASES[object.apiVersion];
        new Model(alias === undefined ? object : { ...object, apiVersion: alias }).validate();
        return [];
    } catch (error) {
        const errors = (error as { errors?: AjvError[] }).errors ?? [];
        return errors.length > 0 ? errors : [{ instancePath: "", message: (error as Error).message }];
    }
}

/** Validates each object; returns every violation found (an empty list means all objects conform). */
export async function validateObjects(objects: readonly KubernetesObject[]): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const object of objects) {
        const errors = await schemaErrors(object);
        if (errors === undefined) {
            violations.push({
                object: describeObject(object),
                field: "/",
                reason: `no schema is known for ${object.apiVersion} ${object.kind}`,
            });
            continue;
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
    return violations;
}

/**
 * Kinds most stacks emit; their models are loaded ahead, while the program runs. Others (PushSecret, generators,
 * alert rules) load when an object of theirs arrives, so stacks without them do not pay for them.
 */
export const EXPECTED_KINDS: ReadonlyArray<readonly [string, string]> = [
    ["external-secrets.io/v1", "ClusterSecretStore"],
    ["external-secrets.io/v1", "SecretStore"],
    ["external-secrets.io/v1", "ExternalSecret"],
    ["v1", "Namespace"],
    ["v1", "Secret"],
    ["v1", "Pod"],
    ["v1", "ServiceAccount"],
];

/** Names files `<kind>-<namespace>-<name>.yaml`, unique among those it has named. */
export class ObjectFiles {
    private readonly taken = new Set<string>();

    name(object: KubernetesObject): string {
        const { name = "unnamed", namespace } = object.metadata ?? {};
        const base = [object.kind.toLowerCase(), namespace, name].filter(Boolean).join("-");
        let file = `${base}.yaml`;
        for (let i = 2; this.taken.has(file); i++) file = `${base}-${i}.yaml`;
        this.taken.add(file);
        return file;
    }
}

export interface ObjectWorker {
    /** Hands over one object as sent on the wire (secrets wrapped): it is written redacted and validated. */
    add(wireObject: unknown): void;
    /** Waits until every object is written and validated, then stops the thread. */
    finish(): Promise<Violation[]>;
    /** Stops the thread (when the plan ends early). */
    stop(): Promise<void>;
}

/** Reads a file, or undefined if it does not exist. */
function contentsOf(file: string): string | undefined {
    try {
        return readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/**
 * The worker's side: writes each object it receives, redacted, as YAML into `dir`, and validates it once the
 * models are loaded. A file whose contents are unchanged since the last plan is left alone (creating files is the
 * slowest part of a large plan on some file systems), and files of objects that are gone are removed. Answers
 * "finish" with every violation.
 */
export function serveObjects(port: import("node:worker_threads").MessagePort, dir: string): void {
    const sink = new ObjectSink(dir, preloadModels());
    port.on("message", (message: { object?: unknown; finish?: true }) => {
        if (message.finish) void sink.finish().then((violations) => port.postMessage(violations));
        else sink.add(message.object);
    });
}

/** Writes objects into a directory as they arrive, and validates them once `modelsLoaded` has settled. */
class ObjectSink {
    private readonly files = new ObjectFiles();
    private readonly stale: Set<string>;
    private readonly pending: KubernetesObject[] = [];
    private readonly violations: Violation[] = [];
    private ready = false;
    private last: Promise<void>;

    constructor(
        private readonly dir: string,
        modelsLoaded: Promise<void>,
    ) {
        this.stale = new Set(readdirSync(dir));
        // Objects that arrive before the models are loaded wait; later ones are validated on arrival.
        this.last = modelsLoaded.then(async () => {
            this.ready = true;
            await this.validate(this.pending.splice(0));
        });
    }

    private async validate(objects: KubernetesObject[]): Promise<void> {
        this.violations.push(...(await validateObjects(objects)));
    }

    add(wireObject: unknown): void {
        const redacted = redact(wireObject) as KubernetesObject;
        const name = this.files.name(redacted);
        const yaml = dump(redacted, { noRefs: true, lineWidth: -1 });
        this.stale.delete(name);
        if (contentsOf(path.join(this.dir, name)) !== yaml) writeFileSync(path.join(this.dir, name), yaml);
        const revealed = reveal(wireObject) as KubernetesObject;
        if (this.ready) this.last = this.last.then(() => this.validate([revealed]));
        else this.pending.push(revealed);
    }

    async finish(): Promise<Violation[]> {
        for (const file of this.stale) unlinkSync(path.join(this.dir, file));
        await this.last;
        return this.violations;
    }
}

/**
 * Writes and validates objects on the calling thread: for plans of many stacks in one process, which load each
 * model once and share it, where a worker per stack would load them all again.
 */
export function inlineObjectWorker(dir: string): ObjectWorker {
    const sink = new ObjectSink(dir, Promise.resolve());
    return { add: (object) => sink.add(object), finish: () => sink.finish(), stop: async () => undefined };
}

/**
 * Starts the worker thread, which writes objects into `dir` as the program registers them and loads the schema
 * models meanwhile: the work overlaps with the program's run on the main thread.
 */
export function startObjectWorker(dir: string): ObjectWorker {
    // The worker loads this file through the project's TypeScript loader.
    const bootstrap = `
        const { parentPort, workerData } = require("node:worker_threads");
        require(workerData.loader);
        require(workerData.module).serveObjects(parentPort, workerData.dir);`;
    const worker = new Worker(bootstrap, {
        eval: true,
        workerData: { loader: path.resolve(__dirname, "..", "loader.cjs"), module: __filename, dir },
    });
    const result = new Promise<Violation[]>((resolve, reject) => {
        worker.once("message", (violations: Violation[]) => resolve(violations));
        worker.once("error", reject);
    });
    return {
        add(wireObject) {
            worker.postMessage({ object: wireObject });
        },
        async finish() {
            worker.postMessage({ finish: true });
            try {
                return await result;
            } finally {
                await worker.terminate();
            }
        },
        async stop() {
            await worker.terminate();
        },
    };
}

/** Where a plan writes: `<out>/<stack>/`, with `objects/` kept in step with the plan by the worker. */
export function openOutput(
    options: { readonly out: string; readonly stack: string },
    worker: (dir: string) => ObjectWorker = startObjectWorker,
): {
    dir: string;
    objects: ObjectWorker;
} {
    const dir = path.resolve(options.out, options.stack);
    mkdirSync(path.join(dir, "objects"), { recursive: true });
    return { dir, objects: worker(path.join(dir, "objects")) };
}

/** Loads the models of the expected kinds. */
export async function preloadModels(): Promise<void> {
    await Promise.all(
        EXPECTED_KINDS.map(([apiVersion, kind]) => esoValidator(apiVersion, kind) ?? loadModel(apiVersion, kind)),
    );
}
