// What the policy files share: the configuration and resources they work on, the violations they report, the type
// tokens they match, and small helpers for reading resource inputs.
//
// Values not known yet. During `pulumi preview` an input computed by another resource has no value. The engine
// hands it to the pack as a placeholder that throws when read (Pulumi then reports the policy as "can't run during
// preview", advisory), and the offline plan hands it over as undefined. Neither may count as a violation. Here the
// inputs that come from other resources are a role assignment's principalId (the service principal's object id),
// scope (the vault's id) and roleDefinitionId (built from the subscription id an invoke reads), a vault's tenantId and
// subnet ids, and the names and namespaces in Kubernetes objects. The policies never read principalId, tenantId, names
// or namespaces, and skip an undefined scope, roleDefinitionId or subnet id: the SDK rejects a missing required input,
// and `pulumi up` analyzes each resource again, with every input known, before it creates it. Every other property
// the policies read is a plain value the program writes, so undefined there means unset, and that is reported.
import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";

/** What the policies need to know about a stack, derived from its configuration by the caller. */
export interface PolicyConfig {
    /** The stack is marked production: its vault must have purge protection on. */
    production: boolean;
    /** The network the vault must be limited to; undefined when the stack asks for no restriction. */
    restrictedNetwork?: {
        /** Whether the vault accepts public traffic at all. @default "enabled" */
        publicNetworkAccess?: "disabled" | "enabled";
        allowedIps: string[];
        allowedSubnetIds: string[];
    };
    /** The vault must have a private endpoint: a production stack, or one that configures it. */
    privateEndpoint?: boolean;
    /** The stack sends the vault's resource logs to Log Analytics (monitoring.logs). */
    resourceLogs?: boolean;
    /** Tenants are configured: a ClusterSecretStore must say which namespaces may use it. */
    tenantsConfigured: boolean;
    /** The nodes run AppArmor, so pods must ask for its RuntimeDefault profile (default true). */
    appArmor?: boolean;
    /** Key Vault secrets the stack's PushSecrets write: the only scopes of "Key Vault Secrets Officer". */
    pushedSecrets?: readonly string[];
    /** Key Vault keys the stack's PushSecrets write: the only scopes of "Key Vault Crypto Officer". */
    pushedKeys?: readonly string[];
    /** Key Vault certificates the stack's PushSecrets write: the only scopes of "Key Vault Certificates Officer". */
    pushedCertificates?: readonly string[];
}

/** A resource as the engine registers it: its type token, name and inputs. */
export interface PolicyResource {
    type: string;
    name: string;
    urn?: string;
    props: Record<string, unknown>;
}

export interface PolicyViolation {
    policy: string;
    /** "<type> <name>" */
    resource: string;
    message: string;
}

/** Type tokens of the resources the policies check. */
export const RESOURCE_TYPES = {
    vault: "azure-native:keyvault:Vault",
    privateEndpoint: "azure-native:network:PrivateEndpoint",
    diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
    keyVaultSecret: "azure-native:keyvault:Secret",
    keyVaultKey: "azure-native:keyvault:Key",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    applicationPassword: "azuread:index/applicationPassword:ApplicationPassword",
    helmRelease: "kubernetes:helm.sh/v3:Release",
} as const;

export type Props = Record<string, unknown>;

export function record(value: unknown): Props | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Props) : undefined;
}

export function list(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

/** A value as a message shows it: strings quoted, everything else as JSON would write it. */
export function show(value: unknown): string {
    return value === undefined ? "undefined" : JSON.stringify(value);
}

/** A validation that runs `check` on resources whose type `applies` accepts, and passes every other resource. */
export function onTypes(
    applies: (type: string) => boolean,
    check: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
    return (args, report) => {
        if (applies(args.type)) check(args.props, args, report);
    };
}

export const isType = (token: string) => (type: string) => type === token;

/** The CPU and memory requests and limits a container's `resources` lacks, as `requests.cpu` and so on. */
export function missingResources(resources: unknown): string[] {
    return (["requests", "limits"] as const).flatMap((kind) =>
        (["cpu", "memory"] as const)
            .filter((amount) => {
                const value = record(record(resources)?.[kind])?.[amount];
                return !(typeof value === "string" ? value !== "" : typeof value === "number");
            })
            .map((amount) => `${kind}.${amount}`),
    );
}

/** Profile types that confine a container: the runtime's default or one loaded on the node. */
export const CONFINING_PROFILES: ReadonlySet<unknown> = new Set(["RuntimeDefault", "Localhost"]);

/** Whether pods must ask for an AppArmor profile, from a policy's configuration (default true). */
export interface AppArmorConfig {
    appArmor?: boolean;
}

/** The configuration schema of a policy that checks AppArmor profiles. */
export const APP_ARMOR_CONFIG_SCHEMA = {
    properties: {
        appArmor: {
            type: "boolean" as const,
            default: true,
            description:
                "The nodes run AppArmor, so pods must ask for a confining profile (kubelet refuses such pods on nodes without AppArmor).",
        },
    },
};
