// What the real services refuse, and how they behave where the program depends on it, as read in their own source.
// Each rule names the upstream file it encodes. The configuration checks refuse these cases before anything is
// registered; the simulated cloud (plan/simulatedCloud.ts) applies the same rules to the objects a program
// registers, so the offline plan fails where a real `pulumi up` would.

/** Where a rule was read, for messages and for the next reader. */
export const SOURCES = {
    esoWebhook: "external-secrets apis/externalsecrets/v1/externalsecret_validator.go, validateExternalSecret",
    esoRetries: "external-secrets pkg/controllers/common/common.go, BuildRateLimiter",
    esoWorkloadIdentity: "external-secrets providers/v1/azure/keyvault/keyvault.go, authorizerForWorkloadIdentity",
    esoServicePrincipal: "external-secrets providers/v1/azure/keyvault/keyvault.go, authorizerForServicePrincipal",
    esoValidate: "external-secrets providers/v1/azure/keyvault/keyvault.go, Validate",
    rbacPropagation:
        "Microsoft Learn, Azure RBAC troubleshooting: role assignment changes can take up to 10 minutes to take effect",
    entraFederatedCredentials:
        "Microsoft Learn, workload identity federation considerations: at most 20 federated identity credentials per application or managed identity",
    entraFederatedMatch:
        "Microsoft Learn, workload identity federation: issuer and subject must match the token exactly (AADSTS70021)",
    kubernetesAlreadyExists:
        "pulumi-kubernetes >= 4.29: creating an object that already exists fails with AlreadyExists (provider option upsertExistingObjects, default false)",
    kubernetesInitialNamespaces:
        "Kubernetes docs, Namespaces: default, kube-node-lease, kube-public and kube-system belong to the cluster",
    privilegedNamespaces:
        "Velero's node-agent DaemonSet mounts hostPath volumes (host-pods, host-plugins); Kubernetes Pod Security Standards forbid hostPath volumes from the baseline level up, so restricted refuses its pods",
    keyVaultRetention:
        "Azure Key Vault soft-delete overview: the retention period is set at creation and cannot be changed",
    keyVaultPurgeProtection: "Azure Key Vault soft-delete overview: purge protection cannot be turned off once on",
} as const;

// ---- ESO's retries ----

/**
 * ESO requeues a failed reconcile with a per-object exponential limiter: 1 s, doubling, at most 7 minutes
 * (failureBaseDelay 1 s, failureMaxDelay 7 min).
 */
export const ESO_RETRY = { baseSeconds: 1, maxSeconds: 420 } as const;

/** Seconds after the first attempt at which ESO tries a failing ExternalSecret again: 1, 3, 7 ... 511, 931, 1351 ... */
export function esoRetryTimes(until: number): number[] {
    const times: number[] = [];
    let t = 0;
    for (let failures = 0; t <= until; failures++) {
        t += Math.min(ESO_RETRY.baseSeconds * 2 ** failures, ESO_RETRY.maxSeconds);
        times.push(t);
    }
    return times;
}

/** The first attempt (0, or a retry) at or after `seconds`: when a sync that fails until then succeeds. */
export function firstAttemptAtOrAfter(seconds: number): number {
    if (seconds <= 0) return 0;
    return esoRetryTimes(seconds).find((t) => t >= seconds) as number;
}

/** Azure RBAC: how long a new role assignment may take to apply, at most. */
export const RBAC_PROPAGATION_SECONDS = 600;

/**
 * The shortest Ready wait that survives RBAC propagation when nothing hurries ESO: an ExternalSecret created at the
 * moment its role assignment was may first succeed at the retry after 600 s (931 s), plus one sync.
 */
export const MIN_READY_TIMEOUT_SECONDS = firstAttemptAtOrAfter(RBAC_PROPAGATION_SECONDS) + 29;

// ---- ESO's admission webhook ----

/** The parts of an ExternalSecret's spec the webhook reads, as the v1 API spells them. */
export interface ExternalSecretSpecLike {
    readonly target?: {
        readonly creationPolicy?: string;
        readonly deletionPolicy?: string;
        readonly template?: {
            readonly type?: string;
            readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> };
            readonly templateFrom?: ReadonlyArray<{ readonly target?: string }>;
        };
    };
    readonly data?: ReadonlyArray<{ readonly secretKey?: string }>;
    readonly dataFrom?: ReadonlyArray<{
        readonly extract?: unknown;
        readonly find?: unknown;
        readonly sourceRef?: { readonly generatorRef?: unknown; readonly storeRef?: unknown };
    }>;
}

/** One refusal: where in the spec, what the webhook says, and what to do instead. */
export interface Refusal {
    /** Path into the spec, such as ["target", "deletionPolicy"]. */
    readonly path: readonly PropertyKey[];
    readonly rule: string;
    readonly fix: string;
}

const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";
const SECRET_TEMPLATE_TARGETS = ["data", "annotations", "labels"];

/**
 * ESO's validating webhook on ExternalSecrets (validateExternalSecret), rule for rule. The CRD's defaults apply
 * first: an unset creationPolicy is Owner and an unset deletionPolicy is Retain.
 */
export function externalSecretWebhookRefusals(spec: ExternalSecretSpecLike): Refusal[] {
    const refusals: Refusal[] = [];
    const creation = spec.target?.creationPolicy ?? "Owner";
    const deletion = spec.target?.deletionPolicy ?? "Retain";
    if (deletion === "Delete" && ["Merge", "None", "CreateOrMerge"].includes(creation)) {
        refusals.push({
            path: ["target", "deletionPolicy"],
            rule: `deletionPolicy Delete must not be used with creationPolicy ${creation}, where ESO does not own the Secret`,
            fix: "use creationPolicy Owner, or deletionPolicy Retain",
        });
    }
    if (deletion === "Merge" && creation === "None") {
        refusals.push({
            path: ["target", "deletionPolicy"],
            rule: "deletionPolicy Merge must not be used with creationPolicy None: there is no Secret to merge with",
            fix: "use deletionPolicy Retain, or a creationPolicy that writes the Secret",
        });
    }
    if ((spec.data?.length ?? 0) === 0 && (spec.dataFrom?.length ?? 0) === 0) {
        refusals.push({
            path: ["data"],
            rule: "either data or dataFrom must be specified",
            fix: "map at least one Secret key in data, or read secrets with dataFrom",
        });
    }
    const template = spec.target?.template;
    if (template?.type === "kubernetes.io/service-account-token") {
        if (template.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] !== undefined) {
            refusals.push({
                path: ["target", "template", "metadata", "annotations", SERVICE_ACCOUNT_NAME_ANNOTATION],
                rule: `template type kubernetes.io/service-account-token with the annotation ${SERVICE_ACCOUNT_NAME_ANNOTATION} is not allowed (it would mint a long-lived token)`,
                fix: "remove the annotation, or use another Secret type",
            });
        }
        (template.templateFrom ?? []).forEach((from, i) => {
            if (from.target?.toLowerCase() === "annotations") {
                refusals.push({
                    path: ["target", "template", "templateFrom", i, "target"],
                    rule: "template type kubernetes.io/service-account-token with a templateFrom target Annotations is not allowed",
                    fix: "template data or labels instead",
                });
            }
        });
    }
    if (template?.type === "bootstrap.kubernetes.io/token") {
        refusals.push({
            path: ["target", "template", "type"],
            rule: "template type bootstrap.kubernetes.io/token is not allowed",
            fix: "use another Secret type, such as Opaque",
        });
    }
    (template?.templateFrom ?? []).forEach((from, i) => {
        const target = from.target ?? "";
        if (target !== "" && !SECRET_TEMPLATE_TARGETS.includes(target.toLowerCase())) {
            refusals.push({
                path: ["target", "template", "templateFrom", i, "target"],
                rule: `templateFrom target "${target}" is not allowed when the target is a Secret`,
                fix: "use Data, Annotations or Labels",
            });
        }
    });
    (spec.dataFrom ?? []).forEach((ref, i) => {
        const generator = ref.sourceRef?.generatorRef !== undefined;
        const set = [ref.extract !== undefined, ref.find !== undefined, generator].filter(Boolean).length;
        if (set > 1) {
            refusals.push({
                path: ["dataFrom", i],
                rule: "extract, find and generatorRef cannot be set at the same time",
                fix: "use one of them per dataFrom entry",
            });
        }
        if (ref.extract === undefined && ref.find === undefined && ref.sourceRef === undefined) {
            refusals.push({
                path: ["dataFrom", i],
                rule: "each dataFrom entry needs extract, find or sourceRef",
                fix: "set one of them",
            });
        }
        if (ref.sourceRef !== undefined && !generator && ref.sourceRef.storeRef === undefined) {
            refusals.push({
                path: ["dataFrom", i, "sourceRef"],
                rule: "sourceRef needs generatorRef or storeRef",
                fix: "set one of them",
            });
        }
    });
    if (deletion === "Retain") {
        const seen = new Set<string>();
        (spec.data ?? []).forEach((item, i) => {
            if (item.secretKey === undefined) return;
            if (seen.has(item.secretKey)) {
                refusals.push({
                    path: ["data", i, "secretKey"],
                    rule: `duplicate secretKey ${item.secretKey}`,
                    fix: "give each data entry its own secretKey",
                });
            }
            seen.add(item.secretKey);
        });
    }
    return refusals;
}

// ---- ESO signing in to Key Vault ----

export const WORKLOAD_IDENTITY_TENANT_ANNOTATION = "azure.workload.identity/tenant-id";
export const WORKLOAD_IDENTITY_CLIENT_ANNOTATION = "azure.workload.identity/client-id";

/**
 * The tenant a workload-identity store signs in to, as ESO resolves it with a serviceAccountRef: the store's
 * `tenantId` (or authSecretRef.tenantId), else the service account's annotation; both set is an error, and so is
 * neither (unless the pod's AZURE_TENANT_ID, set by the workload identity webhook, supplies one).
 */
export function workloadIdentityTenant(args: {
    readonly storeTenantId?: string;
    readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
    readonly podTenantEnv?: string;
}): { tenantId: string } | { error: string } {
    let tenantId = args.storeTenantId ?? "";
    const annotated = args.serviceAccountAnnotations[WORKLOAD_IDENTITY_TENANT_ANNOTATION];
    if (annotated !== undefined) {
        if (tenantId !== "") {
            return {
                error: "multiple tenantID found. Check secretRef, 'spec.provider.azurekv.tenantId', and serviceAccountRef",
            };
        }
        tenantId = annotated;
    }
    if (tenantId === "") tenantId = args.podTenantEnv ?? "";
    return tenantId === "" ? { error: "missing tenantID in store config" } : { tenantId };
}

// ---- Entra ID workload identity federation ----

/** Federated identity credentials one application or user-assigned identity can hold. */
export const MAX_FEDERATED_CREDENTIALS = 20;

/**
 * Problems with an OIDC issuer URL that Entra ID would compare, case-sensitively, with the `iss` claim of the
 * cluster's tokens. AKS issues `https://<region>.oic.prod-aks.azure.com/<tenant>/<cluster guid>/`: with the final
 * slash and lower-case GUIDs, exactly as `az aks show --query oidcIssuerProfile.issuerUrl` prints it.
 */
export function aksIssuerProblem(issuer: string): string | undefined {
    let url: URL;
    try {
        url = new URL(issuer);
    } catch {
        return undefined;
    }
    if (!/\.oic\.prod-aks\.azure\.(com|us|cn)$/i.test(url.hostname)) return undefined;
    const guid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    if (!new RegExp(`^/${guid}/${guid}/?$`).test(url.pathname)) {
        return "an AKS issuer is https://<region>.oic.prod-aks.azure.com/<tenant id>/<cluster id>/";
    }
    if (!issuer.endsWith("/")) {
        return "AKS issues tokens for the issuer with a final slash, and Entra ID compares it exactly: add the trailing /";
    }
    if (issuer !== issuer.toLowerCase()) {
        return "AKS issues tokens for the issuer in lower case, and Entra ID compares it case-sensitively: copy it from az aks show";
    }
    return undefined;
}

// ---- Kubernetes ----

/** Namespaces every cluster has and no stack may own: creating or labelling them is the cluster's business. */
export const CLUSTER_NAMESPACES: readonly string[] = ["default", "kube-node-lease", "kube-public", "kube-system"];

/**
 * Namespaces whose pods must run privileged (Velero's node-agent mounts hostPath volumes): never created by a stack,
 * which would put them under the "restricted" Pod Security level.
 */
export const PRIVILEGED_NAMESPACES: readonly string[] = ["velero"];

export function isClusterNamespace(namespace: string): boolean {
    return CLUSTER_NAMESPACES.includes(namespace) || namespace.startsWith("kube-");
}
