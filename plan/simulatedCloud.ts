// A stand-in for Azure, Entra ID and Kubernetes on Pulumi's mock runtime. It answers every registration with the
// state the real provider would return (ids, vault URI, client ids, passwords), records what the program asked for
// (inputs with their secret markers, parent, dependencies, timing) and refuses any invoke it does not know.
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { KEY_VAULT_DNS_SUFFIX } from "../components/wellKnown";
import {
    engineUrn,
    interceptMonitor,
    mockUrn,
    type ReadRequest,
    type RegisterRequest,
    type ResourceRequest,
    waitForRpcs,
} from "./pulumiInternals";
import { stableGuid } from "./ids";
import { isSecretValue, reveal } from "./secrets";
import { Refusal, SimulatedCluster, type SimulatedClusterOptions } from "./simulatedCluster";
export { isSecretValue, mapSecrets, reveal, type SecretValue } from "./secrets";
export { Refusal, type SimulatedClusterOptions } from "./simulatedCluster";

export interface ClientConfig {
    readonly tenantId: string;
    readonly subscriptionId: string;
    readonly objectId: string;
    readonly clientId: string;
}

export interface RecordedResource {
    /** Type token, such as `azure-native:keyvault:Vault`. */
    readonly type: string;
    /** Logical name. */
    readonly name: string;
    /** URN as Pulumi's mock monitor makes it (parent's own type only); dependencies name resources by it. */
    readonly urn: string;
    /**
     * URN as the engine makes it, with the whole chain of parent types: what a deployed stack's state holds, so
     * what must not change between versions of the program (or a resource is replaced).
     */
    readonly engineUrn: string;
    /** URN of the parent component, if any. */
    readonly parent?: string;
    /** False for component resources. */
    readonly custom: boolean;
    /** An existing resource the program only reads (`Resource.get`): never created or deleted. */
    readonly read: boolean;
    /** Inputs as sent on the wire: secret values stay wrapped (see `isSecretValue`). */
    readonly inputs: Record<string, unknown>;
    /** URNs this resource waited for (explicit `dependsOn` and the resources its inputs came from). */
    readonly dependencies: readonly string[];
    /** Provider reference (`<urn>::<id>`) for custom resources that name one. */
    readonly provider?: string;
    /** Resource options the engine would honour. */
    readonly options: {
        readonly ignoreChanges: readonly string[];
        readonly additionalSecretOutputs: readonly string[];
        readonly protect: boolean;
        readonly retainOnDelete: boolean;
        readonly deleteBeforeReplace: boolean;
    };
    /** Former names (or URNs) given as aliases: a deployed resource under one of them is renamed, not replaced. */
    readonly aliases: readonly string[];
    /** Registration order, from 0. */
    readonly order: number;
    /** Milliseconds since install when the engine received the registration. */
    readonly registeredAt: number;
    /** Milliseconds since install when the simulated provider answered. */
    completedAt?: number;
    /** Id the simulated provider returned. */
    id?: string;
    /** State the simulated provider returned. */
    outputs?: Record<string, unknown>;
}

export interface SimulatedCloudOptions {
    /** What `getClientConfig` answers. */
    readonly clientConfig: ClientConfig;
    /** Simulated provider latency per resource type, in milliseconds. */
    readonly latencyMs?: (type: string, name: string) => number;
    /** Key Vault DNS suffix for vault URIs. */
    readonly vaultDnsSuffix?: string;
    /** Called with each registration (or read) as it arrives. */
    readonly onRecord?: (resource: RecordedResource) => void;
    /**
     * The cluster as it is before the stack runs: namespaces that exist, the OIDC issuer, managed identities; or
     * false to accept every object as Pulumi's mocks do (for tests of one component alone). A function is asked
     * once, when the first object is applied (after the program has read its configuration).
     * @default a cluster with only its own namespaces
     */
    readonly cluster?: SimulatedClusterOptions | (() => SimulatedClusterOptions) | false;
    /**
     * State of a stack deployed before, by URN: a resource found here is updated, not created, and the paths it
     * ignores changes to keep their deployed values (as the engine sends the old inputs there).
     */
    readonly deployed?: ReadonlyMap<string, Record<string, unknown>>;
    /**
     * The outputs of other stacks, by fully qualified name, for the program's StackReferences (the offline plan
     * plans the referenced stack first); undefined for a stack that does not exist.
     */
    readonly stackOutputs?: (stack: string) => Record<string, unknown> | undefined;
}

type State = { id: string | undefined; state: Record<string, unknown> };

export class SimulatedCloud {
    readonly resources: RecordedResource[] = [];
    readonly invokes: Array<{ token: string; inputs: Record<string, unknown> }> = [];
    private readonly byUrn = new Map<string, RecordedResource>();
    /** The latest registration of each type and name, which the mock's answer belongs to. */
    private readonly pending = new Map<string, RecordedResource>();
    private started = 0;
    private readonly cluster?: SimulatedCluster;
    /** What the real services refused (the plan fails on any). */
    readonly refusals: string[] = [];

    constructor(private readonly options: SimulatedCloudOptions) {
        const { cluster } = options;
        if (cluster !== false) {
            this.cluster = new SimulatedCluster(
                typeof cluster === "function" ? cluster : () => cluster ?? {},
                () => this.resources,
            );
        }
    }

    /** Installs the simulation as Pulumi's runtime. Call before loading program code. */
    async install(project: string, stack: string): Promise<void> {
        // Outputs a mock does not return never resolve in preview mode, so run as an update.
        await pulumi.runtime.setMocks(
            {
                newResource: async (args) => this.newResource(args),
                call: async (args) => this.call(args.token, args.inputs),
            },
            project,
            stack,
            false,
        );
        this.started = performance.now();
        interceptMonitor(
            (req) => this.record(req),
            (req) => this.recordRead(req),
        );
    }

    /** Resolves once every registration the program started has been answered. */
    async settle(): Promise<void> {
        await waitForRpcs();
    }

    /** Recorded resources of one type, in registration order. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    byUrnOf(urn: string): RecordedResource | undefined {
        return this.byUrn.get(urn);
    }

    private recordRead(req: ReadRequest): void {
        this.add(req, {
            custom: true,
            read: true,
            aliases: [],
            inputs: { id: req.getId() },
            options: {
                ignoreChanges: [],
                additionalSecretOutputs: [],
                protect: false,
                retainOnDelete: false,
                deleteBeforeReplace: false,
            },
        });
    }

    private record(req: RegisterRequest): void {
        this.add(req, {
            custom: req.getCustom(),
            read: false,
            // Former names and URNs; providers' type aliases (a spec with a type and no name) are not renames.
            aliases: req
                .getAliasesList()
                .map((alias) => alias.getSpec()?.getName() || alias.getUrn())
                .filter((alias) => alias !== ""),
            inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
            options: {
                ignoreChanges: req.getIgnorechangesList(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                protect: req.getProtect() ?? false,
                retainOnDelete: req.getRetainondelete() ?? false,
                deleteBeforeReplace: req.getDeletebeforereplace() ?? false,
            },
        });
    }

    /** Records a registration or a read with what both requests carry: identity, parent, provider, dependencies. */
    private add(
        req: ResourceRequest,
        what: Pick<RecordedResource, "custom" | "read" | "inputs" | "options" | "aliases">,
    ): void {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent() || undefined;
        const urn = mockUrn(pulumi.getStack(), pulumi.getProject(), parent, type, name);
        if (this.byUrn.has(urn)) {
            // The engine's own refusal: two resources with one URN cannot both be tracked.
            const message = `Duplicate resource URN '${urn}'; try giving it a unique name`;
            this.refusals.push(message);
            throw new Error(message);
        }
        const parentEngineUrn = parent === undefined ? undefined : this.byUrn.get(parent)?.engineUrn;
        const resource: RecordedResource = {
            type,
            name,
            urn,
            engineUrn: engineUrn(pulumi.getStack(), pulumi.getProject(), parentEngineUrn, type, name),
            parent,
            ...what,
            dependencies: [...new Set(req.getDependenciesList())],
            provider: req.getProvider() || undefined,
            order: this.resources.length,
            registeredAt: performance.now() - this.started,
        };
        this.resources.push(resource);
        this.byUrn.set(urn, resource);
        this.pending.set(`${type}::${name}`, resource);
        this.options.onRecord?.(resource);
    }

    private async newResource(args: pulumi.runtime.MockResourceArgs): Promise<State> {
        const latency = this.options.latencyMs?.(args.type, args.name) ?? 0;
        if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
        const result: State = args.custom
            ? args.id
                ? this.existing(args.type, args.id)
                : this.stateFor(args.type, args.name, args.inputs)
            : { id: undefined, state: {} };
        const recorded = this.pending.get(`${args.type}::${args.name}`);
        if (recorded !== undefined) {
            const deployed = this.options.deployed?.get(recorded.urn);
            keepIgnoredPaths(result.state, recorded, deployed);
            keepIrreversible(result.state, recorded.type, deployed);
            if (args.custom && !args.id) {
                try {
                    this.cluster?.apply(recorded);
                } catch (error) {
                    if (error instanceof Refusal) this.refusals.push(error.message);
                    throw error;
                }
            }
            recorded.completedAt = performance.now() - this.started;
            recorded.id = result.id;
            recorded.outputs = result.state;
        }
        return result;
    }

    private call(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
        this.invokes.push({ token, inputs });
        if (token === "azure-native:authorization:getClientConfig") return { ...this.options.clientConfig };
        if (this.cluster !== undefined && token === "azure-native:containerservice:getManagedCluster") {
            return this.cluster.managedCluster(String(inputs.resourceGroupName), String(inputs.resourceName));
        }
        if (this.cluster !== undefined && token === "azure-native:containerservice:listManagedClusterUserCredentials") {
            return this.cluster.managedClusterCredentials(String(inputs.resourceName));
        }
        throw new Error(`the simulated cloud does not know the invoke ${token}`);
    }

    /** State of an existing resource the program reads by id. */
    private existing(type: string, id: string): State {
        if (type === "pulumi:pulumi:StackReference") {
            // A StackReference is a read whose id is the referenced stack's name (@pulumi/pulumi stackReference.js).
            const outputs = this.options.stackOutputs?.(id);
            if (outputs === undefined) throw new Error(`the stack ${id} does not exist or has no outputs yet`);
            return { id, state: { name: id, outputs, secretOutputNames: [] } };
        }
        if (type === "azure-native:keyvault:Vault") {
            // /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>
            const parts = id.split("/");
            const [resourceGroupName, vaultName] = [parts[4], parts[8]];
            const suffix = this.options.vaultDnsSuffix ?? KEY_VAULT_DNS_SUFFIX.PublicCloud;
            return {
                id,
                state: {
                    name: vaultName,
                    resourceGroupName,
                    properties: { enableRbacAuthorization: true, vaultUri: `https://${vaultName}.${suffix}/` },
                },
            };
        }
        throw new Error(`the simulated cloud has no existing ${type} ${id}`);
    }

    private stateFor(type: string, name: string, inputs: Record<string, unknown>): State {
        const { subscriptionId } = this.options.clientConfig;
        const str = (value: unknown): string => String(value ?? "");
        const resourceGroup = `/subscriptions/${subscriptionId}/resourceGroups/${str(inputs.resourceGroupName)}`;
        switch (type) {
            case "azure-native:keyvault:Vault": {
                const vaultName = str(inputs.vaultName);
                const suffix = this.options.vaultDnsSuffix ?? KEY_VAULT_DNS_SUFFIX.PublicCloud;
                return {
                    id: `${resourceGroup}/providers/Microsoft.KeyVault/vaults/${vaultName}`,
                    state: {
                        ...inputs,
                        name: vaultName,
                        type: "Microsoft.KeyVault/vaults",
                        properties: {
                            ...(inputs.properties as object),
                            vaultUri: `https://${vaultName}.${suffix}/`,
                            provisioningState: "Succeeded",
                        },
                    },
                };
            }
            case "azure-native:keyvault:Secret": {
                const vaultId = `${resourceGroup}/providers/Microsoft.KeyVault/vaults/${str(inputs.vaultName)}`;
                return {
                    id: `${vaultId}/secrets/${str(inputs.secretName)}`,
                    state: { ...inputs, name: inputs.secretName },
                };
            }
            case "azure-native:network:PrivateEndpoint": {
                // Automatic connections to a vault in the deployer's reach are approved at once.
                const connections =
                    (inputs.privateLinkServiceConnections as Record<string, unknown>[] | undefined) ?? [];
                return {
                    id: `${resourceGroup}/providers/Microsoft.Network/privateEndpoints/${str(inputs.privateEndpointName)}`,
                    state: {
                        ...inputs,
                        name: inputs.privateEndpointName,
                        privateLinkServiceConnections: connections.map((connection) => ({
                            ...connection,
                            privateLinkServiceConnectionState: { status: "Approved", actionsRequired: "None" },
                        })),
                        provisioningState: "Succeeded",
                    },
                };
            }
            case "azure-native:privatedns:PrivateZone":
                return {
                    id: `${resourceGroup}/providers/Microsoft.Network/privateDnsZones/${str(inputs.privateZoneName)}`,
                    state: { ...inputs, name: inputs.privateZoneName },
                };
            case "azure-native:privatedns:VirtualNetworkLink":
                return {
                    id: `${resourceGroup}/providers/Microsoft.Network/privateDnsZones/${str(inputs.privateZoneName)}/virtualNetworkLinks/${str(inputs.virtualNetworkLinkName)}`,
                    state: { ...inputs, name: inputs.virtualNetworkLinkName },
                };
            case "azure-native:network:PrivateDnsZoneGroup":
                return {
                    id: `${resourceGroup}/providers/Microsoft.Network/privateEndpoints/${str(inputs.privateEndpointName)}/privateDnsZoneGroups/${str(inputs.privateDnsZoneGroupName)}`,
                    state: { ...inputs, name: inputs.privateDnsZoneGroupName },
                };
            case "azuread:index/application:Application": {
                const objectId = stableGuid(`application-object:${name}`);
                return {
                    id: `/applications/${objectId}`,
                    state: { ...inputs, objectId, clientId: stableGuid(`application-client:${name}`) },
                };
            }
            case "azuread:index/servicePrincipal:ServicePrincipal": {
                const objectId = stableGuid(`service-principal:${name}`);
                return { id: `/servicePrincipals/${objectId}`, state: { ...inputs, objectId } };
            }
            case "azuread:index/applicationPassword:ApplicationPassword": {
                const keyId = stableGuid(`password:${name}`);
                return {
                    id: `${str(inputs.applicationId)}/password/${keyId}`,
                    state: { ...inputs, keyId, value: `simulated-password-${keyId.slice(0, 8)}` },
                };
            }
            case "azure-native:authorization:RoleAssignment": {
                const assignment = stableGuid(`role-assignment:${name}`);
                return {
                    id: `${str(inputs.scope)}/providers/Microsoft.Authorization/roleAssignments/${assignment}`,
                    state: { ...inputs, name: assignment },
                };
            }
            case "random:index/randomString:RandomString": {
                const alphabet = `${inputs.lower === false ? "" : "abcdefghijklmnopqrstuvwxyz"}${inputs.numeric === false ? "" : "0123456789"}`;
                const digest = createHash("sha256").update(`random:${name}`).digest();
                const length = Number(inputs.length ?? 16);
                const result = Array.from({ length }, (_, i) => alphabet[(digest[i] as number) % alphabet.length]);
                return { id: `${name}-id`, state: { ...inputs, result: result.join("") } };
            }
            case "command:local:Command": {
                // The access check's report (probe/verifyAccess.ts); the simulated cluster decides whether it passes.
                const env = reveal(inputs.environment ?? {}) as Record<string, string>;
                const objects = JSON.parse(env.PROBE_OBJECTS ?? "[]") as unknown[];
                const report = {
                    result: "verified",
                    objects: objects.length,
                    elapsedSeconds: 0,
                    verifiedAt: "simulated",
                };
                return { id: `${name}-id`, state: { ...inputs, stdout: `${JSON.stringify(report)}\n`, stderr: "" } };
            }
            case "kubernetes:helm.sh/v3:Release":
                return {
                    id: `${str(inputs.namespace)}/${str(inputs.name)}`,
                    state: {
                        ...inputs,
                        status: {
                            name: inputs.name,
                            namespace: inputs.namespace,
                            chart: inputs.chart,
                            version: inputs.version,
                            status: "deployed",
                            revision: 1,
                        },
                    },
                };
            default: {
                if (type.startsWith("pulumi:providers:")) return { id: `${name}-id`, state: inputs };
                const metadata = inputs.metadata as { name?: string; namespace?: string } | undefined;
                const id =
                    metadata?.name === undefined
                        ? `${name}-id`
                        : [metadata.namespace, metadata.name].filter(Boolean).join("/");
                return { id, state: inputs };
            }
        }
    }
}

/**
 * For an update: the paths a resource ignores changes to keep their deployed values, as the engine sends the old
 * inputs there and the provider answers with the resource's real state.
 */
function keepIgnoredPaths(
    state: Record<string, unknown>,
    resource: RecordedResource,
    deployed: Record<string, unknown> | undefined,
): void {
    if (deployed === undefined) return;
    // The engine looks through secrets along the path (sdk resource/properties_path.go, reset).
    const open = (value: unknown): unknown => (isSecretValue(value) ? open(value.value) : value);
    for (const dotted of resource.options.ignoreChanges) {
        const path = dotted.split(".");
        let from: unknown = deployed;
        for (const part of path) from = (open(from) as Record<string, unknown> | undefined)?.[part];
        let to = state;
        for (const part of path.slice(0, -1)) {
            const next = to[part];
            if (isSecretValue(next)) {
                const inner = { ...((open(next) as Record<string, unknown> | undefined) ?? {}) };
                to[part] = { ...next, value: inner };
                to = inner;
            } else {
                to[part] = { ...((next as Record<string, unknown> | undefined) ?? {}) };
                to = to[part] as Record<string, unknown>;
            }
        }
        const last = path[path.length - 1] as string;
        if (from === undefined) delete to[last];
        else to[last] = from;
    }
}

/** For an update: what Azure keeps whatever the request says (Key Vault's purge protection, once on). */
function keepIrreversible(
    state: Record<string, unknown>,
    type: string,
    deployed: Record<string, unknown> | undefined,
): void {
    const was = (deployed?.properties as Record<string, unknown> | undefined)?.enablePurgeProtection;
    if (type === "azure-native:keyvault:Vault" && was === true) {
        state.properties = { ...(state.properties as Record<string, unknown>), enablePurgeProtection: true };
    }
}
