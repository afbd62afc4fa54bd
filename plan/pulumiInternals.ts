// The one place that reads Pulumi SDK internals the public API does not offer: the mock runtime's resource monitor
// (to see what a registration carries: parent, dependencies, options), the URNs it and the engine make, the secret
// marker of the wire format, and an output's settled promise. An SDK upgrade that changes any of them breaks this
// file alone. It imports nothing from the SDK at load time, so the plan's worker thread loads it cheaply.

/** How the wire format marks a secret value: `{ [SECRET_KEY]: SECRET_SIGNATURE, value }`. */
export const WIRE_SECRET = {
    key: "4dabf18193072939515e22adb298388d",
    signature: "1b47061264138c4ac30d75fd1eb44270",
} as const;

/** What the resource monitor's register and read requests both carry. */
export interface ResourceRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getDependenciesList(): string[];
}

export interface ReadRequest extends ResourceRequest {
    getId(): string;
}

export interface RegisterRequest extends ResourceRequest {
    getCustom(): boolean;
    getAliasesList(): Array<{ getUrn(): string; getSpec(): { getName(): string } | undefined }>;
    getObject(): { toJavaScript(): unknown } | undefined;
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDeletebeforereplace(): boolean | undefined;
}

interface Monitor {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
    readResource(req: ReadRequest, callback: unknown): unknown;
}

function settings(): { getMonitor(): Monitor; waitForRPCs(): Promise<void> } {
    return require("@pulumi/pulumi/runtime/settings");
}

/**
 * Calls `onRegister` and `onRead` with each request the program sends to the mock runtime's monitor, before the
 * monitor handles it (the mock API shows the mocks only a resource's inputs). A throw refuses the request.
 */
export function interceptMonitor(onRegister: (req: RegisterRequest) => void, onRead: (req: ReadRequest) => void): void {
    const monitor = settings().getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        onRegister(req);
        return register(req, callback);
    };
    const read = monitor.readResource.bind(monitor);
    monitor.readResource = (req, callback) => {
        onRead(req);
        return read(req, callback);
    };
}

/** Resolves once every request the program started has been answered. */
export function waitForRpcs(): Promise<void> {
    return settings().waitForRPCs();
}

/** A URN as the mock monitor makes it (the parent's own type, then this type): dependencies name resources by it. */
export function mockUrn(
    stack: string,
    project: string,
    parentUrn: string | undefined,
    type: string,
    name: string,
): string {
    const qualified = parentUrn ? `${typeOf(parentUrn).split("$").pop() as string}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** A URN as the engine makes it: the whole chain of parent types, as a deployed stack's state holds it. */
export function engineUrn(
    stack: string,
    project: string,
    parentEngineUrn: string | undefined,
    type: string,
    name: string,
): string {
    const qualified = parentEngineUrn ? `${typeOf(parentEngineUrn)}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

function typeOf(urn: string): string {
    return urn.split("::")[2] as string;
}

/** The settled value of an output: rejects when the output failed, where `apply` would never call back. */
export function outputPromise<T>(output: unknown): Promise<T> {
    return (output as { promise(): Promise<T> }).promise();
}
