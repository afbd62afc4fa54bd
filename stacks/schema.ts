// The shape of a stack's configuration: every key this project reads, its rule and its default.
// Pulumi.yaml documents the same keys for people; test/config-docs.test.ts keeps the two in step.
import { z } from "zod";
import * as rules from "./rules";

export const DEFAULTS = {
    softDeleteRetentionDays: 90,
    purgeProtection: true,
    passwordLifetimeDays: 180,
    passwordSlot: "a",
    credentialSecretName: "azure-secret-sp",
    clientIdKey: "ClientID",
    clientSecretKey: "ClientSecret",
    esoNamespace: "external-secrets",
    esoReleaseName: "external-secrets",
    chartVersion: "2.9.0",
    storeName: "azure-secret-store",
    refreshInterval: "1h",
    creationPolicy: "Owner",
    mountPath: "/credentials",
} as const;

const azure = z.strictObject({
    resourceGroupName: rules.resourceGroupName(),
    location: rules.azureLocation(),
    tenantId: rules.guid("Entra ID tenant id").optional(),
});

const vault = z.strictObject({
    name: rules.vaultName(),
    softDeleteRetentionDays: rules
        .integer(7, 90, "Key Vault soft-delete retention in days, fixed at creation")
        .default(DEFAULTS.softDeleteRetentionDays),
    purgeProtection: rules.bool().default(DEFAULTS.purgeProtection),
});

const credentialSecret = z.strictObject({
    name: rules.k8sName().default(DEFAULTS.credentialSecretName),
    clientIdKey: rules.k8sSecretKey().default(DEFAULTS.clientIdKey),
    clientSecretKey: rules.k8sSecretKey().default(DEFAULTS.clientSecretKey),
});

const servicePrincipal = z.strictObject({
    mode: z.literal("servicePrincipal"),
    displayName: rules.displayName().optional(),
    passwordLifetimeDays: rules
        .integer(1, 365, "days a client secret stays valid; Microsoft recommends under a year")
        .default(DEFAULTS.passwordLifetimeDays),
    passwordSlot: z
        .enum(["a", "b"], { error: 'use "a" or "b" (the password slot ESO uses; switch it to rotate)' })
        .default(DEFAULTS.passwordSlot),
    credentialSecret: credentialSecret.prefault({}),
});

const auth = z.discriminatedUnion("mode", [servicePrincipal], {
    error: 'use "servicePrincipal"',
});

const kubernetes = z.strictObject({
    context: z.string({ error: "use the name of a context in the kubeconfig" }).min(1).optional(),
    existingNamespaces: z.array(rules.k8sNamespace()).default([]),
});

const eso = z.strictObject({
    namespace: rules.k8sNamespace().default(DEFAULTS.esoNamespace),
    releaseName: rules.k8sNamespace().default(DEFAULTS.esoReleaseName),
    chartVersion: rules.chartVersion().default(DEFAULTS.chartVersion),
});

const store = z.strictObject({
    name: rules.k8sName().default(DEFAULTS.storeName),
});

const externalSecret = z.strictObject({
    name: rules.k8sName(),
    namespace: rules.k8sNamespace(),
    target: rules.k8sName().optional(),
    refreshInterval: rules.refreshInterval().default(DEFAULTS.refreshInterval),
    creationPolicy: z
        .enum(["Owner", "Orphan", "Merge", "None"], { error: "use Owner, Orphan, Merge or None (ESO creation policy)" })
        .default(DEFAULTS.creationPolicy),
    data: z.record(rules.k8sSecretKey(), rules.keyVaultSecretName()).refine((data) => Object.keys(data).length > 0, {
        error: "map at least one Secret key to a Key Vault secret name",
    }),
});

const workload = z.strictObject({
    name: rules.k8sName(),
    namespace: rules.k8sNamespace(),
    image: rules.containerImage(),
    command: z.array(z.string()).optional(),
    externalSecret: rules.k8sName(),
    mountPath: rules.absolutePath().default(DEFAULTS.mountPath),
});

/** Every key under the project's config namespace. */
export const stackConfigSchema = z.strictObject({
    // A missing required object is read as {}, so the message names each of its required keys.
    azure: z.preprocess((value) => value ?? {}, azure),
    vault: z.preprocess((value) => value ?? {}, vault),
    seededSecrets: z
        .record(rules.keyVaultSecretName(), z.string().min(1, { error: "use a non-empty value" }))
        .default({}),
    auth: auth.prefault({ mode: "servicePrincipal" }),
    kubeconfig: z.string().min(1, { error: "use a kubeconfig path or its contents" }).optional(),
    kubernetes: kubernetes.prefault({}),
    eso: eso.prefault({}),
    store: store.prefault({}),
    externalSecrets: z.array(externalSecret).default([]),
    workloads: z.array(workload).default([]),
});

/** Configuration keys whose values are secrets: they are redacted in messages and wrapped with `pulumi.secret`. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["seededSecrets", "kubeconfig"]);

export type RawStackConfig = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
