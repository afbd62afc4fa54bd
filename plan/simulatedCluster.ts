// What the real Kubernetes API server, ESO and Entra ID do with what a program registers, where Pulumi's mocks
// would accept anything: objects that exist already, namespaces that do not, custom resources before ESO's webhook
// serves, ESO's admission webhook, and whether an ExternalSecret's store can sign in and read what it names. The
// rules come from stacks/upstream.ts, each with the upstream source it encodes; a refusal fails the plan as the real
// `pulumi up` would fail (at once, or when a Ready wait times out).
import { stableGuid } from "./ids";
import {
    CLUSTER_NAMESPACES,
    externalSecretWebhookRefusals,
    SOURCES,
    WORKLOAD_IDENTITY_CLIENT_ANNOTATION,
    workloadIdentityTenant,
} from "../stacks/upstream";
import { reveal } from "./secrets";

/** What the cluster sees of a registered resource. */
export interface ClusterResource {
    readonly type: string;
    readonly name: string;
    /** Inputs as sent on the wire (secrets wrapped). */
    readonly inputs: Record<string, unknown>;
    readonly id?: string;
    readonly outputs?: Record<string, unknown>;
    readonly completedAt?: number;
}

/** A refusal of the real services, with where the rule was read. */
export class Refusal extends Error {
    override readonly name = "Refusal";
}

export interface SimulatedClusterOptions {
    /** Namespaces that exist before the stack runs, besides the cluster's own. */
    readonly existingNamespaces?: readonly string[];
    /** The `iss` claim of the cluster's service account tokens. @default any issuer is accepted */
    readonly oidcIssuer?: string;
    /** Managed identities: client id -> principal (object) id. */
    readonly managedIdentities?: Readonly<Record<string, string>>;
    /**
     * When the stack names its AKS cluster: what Azure reports of it.
     * @default the OIDC issuer and workload identity enabled
     */
    readonly aks?: { readonly oidcIssuer: boolean; readonly workloadIdentity: boolean };
}

type Obj = Record<string, any>;

const ESO_GROUP = "external-secrets.io";
/** ESO's CRD groups: their objects exist only once the chart has installed the CRDs. */
const ESO_GROUPS = /^(generators\.)?external-secrets\.io\//;
/**
 * Azure's built-in roles that write each type of Key Vault object a PushSecret writes, by the object's path under a
 * vault (Key Vault Secrets, Crypto and Certificates Officer), and the remoteKey prefix azurekv reads the type from.
 * Kept apart from the program's constants: the simulation stands for Azure, and the program must agree with it.
 */
const WRITER_ROLES = [
    { path: "secrets", prefix: /^(secret\/)?/, object: "secret", role: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7" },
    { path: "keys", prefix: /^key\//, object: "key", role: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603" },
    { path: "certificates", prefix: /^cert\//, object: "certificate", role: "a4417e6f-fecd-4de8-b567-7b0420556985" },
] as const;
/** Where ESO's PushSecret controller fails a push, as read at v2.9.0. */
const PUSH_CONTROLLER = "external-secrets pkg/controllers/pushsecret/pushsecret_controller.go";
const SECRETS_READER_ROLES = ["4633458b-17de-408a-b874-0445c86b69e6", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"];
const PUBLIC_READER_ROLES = ["21090545-7ca7-4776-b22c-e363652d74d2", ...SECRETS_READER_ROLES];

function keyOf(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
    return `${group}/${kind}/${namespace ?? ""}/${name}`;
}

export class SimulatedCluster {
    private namespaces?: Set<string>;
    /** Objects that exist: `<group>/<kind>/<namespace>/<name>` -> the object. */
    private readonly objects = new Map<string, Obj>();
    private esoServing = false;

    private settled?: SimulatedClusterOptions;

    constructor(
        /** The cluster before the stack runs, asked for when the first object is applied. */
        private readonly describe: () => SimulatedClusterOptions,
        /** Everything registered so far, with the state the simulated providers answered. */
        private readonly world: () => readonly ClusterResource[],
    ) {}

    /**
     * What `getManagedCluster` answers for this cluster (azure-native containerservice; the fields the program
     * reads). Its issuer is the cluster's, or a stable one of AKS's form.
     */
    managedCluster(resourceGroupName: string, name: string): Record<string, unknown> {
        const { aks = { oidcIssuer: true, workloadIdentity: true }, oidcIssuer } = this.options;
        const issuer =
            oidcIssuer ??
            `https://westeurope.oic.prod-aks.azure.com/${stableGuid(`tenant:${resourceGroupName}`)}/${stableGuid(`aks:${resourceGroupName}/${name}`)}/`;
        return {
            name,
            fqdn: `${name}-dns.hcp.westeurope.azmk8s.io`,
            oidcIssuerProfile: aks.oidcIssuer ? { enabled: true, issuerURL: issuer } : { enabled: false },
            securityProfile: { workloadIdentity: { enabled: aks.workloadIdentity } },
        };
    }

    /** What `listManagedClusterUserCredentials` answers: a kubeconfig whose user runs kubelogin, as AKS writes it. */
    managedClusterCredentials(name: string): Record<string, unknown> {
        const kubeconfig = [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            `- cluster: { server: "https://${name}-dns.hcp.westeurope.azmk8s.io:443" }`,
            `  name: ${name}`,
            "contexts:",
            `- context: { cluster: ${name}, user: clusterUser_${name} }`,
            `  name: ${name}`,
            `current-context: ${name}`,
            "users:",
            `- name: clusterUser_${name}`,
            "  user:",
            "    exec:",
            "      apiVersion: client.authentication.k8s.io/v1beta1",
            "      command: kubelogin",
            "      args: [get-token, --environment, AzurePublicCloud, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, --login, devicecode]",
            "",
        ].join("\n");
        return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] };
    }

    private get options(): SimulatedClusterOptions {
        this.settled ??= this.describe();
        return this.settled;
    }

    /**
     * Applies a Kubernetes object (or a Helm release, or an access check) as the real services would; throws a
     * Refusal when they would not accept it, or when what it waits for would never happen.
     */
    apply(resource: ClusterResource): void {
        this.namespaces ??= new Set([...CLUSTER_NAMESPACES, ...(this.options.existingNamespaces ?? [])]);
        const inputs = reveal(resource.inputs) as Obj;
        if (resource.type === "kubernetes:helm.sh/v3:Release") return this.install(inputs);
        if (resource.type === "command:local:Command") return this.check(resource.name, inputs);
        if (!resource.type.startsWith("kubernetes:") || typeof inputs.kind !== "string") return;
        const { apiVersion, kind } = inputs as { apiVersion: string; kind: string };
        const namespace: string | undefined = inputs.metadata?.namespace;
        const name: string = inputs.metadata?.name ?? "";
        const what = `${kind} ${namespace === undefined ? name : `${namespace}/${name}`}`;
        if (kind === "Namespace") {
            if (this.namespaces.has(name)) {
                throw new Refusal(
                    `creating ${what} failed: namespaces "${name}" already exists (${SOURCES.kubernetesAlreadyExists})`,
                );
            }
            this.namespaces.add(name);
            return;
        }
        if (namespace !== undefined && !this.namespaces.has(namespace)) {
            throw new Refusal(`creating ${what} failed: namespaces "${namespace}" not found`);
        }
        const key = keyOf(apiVersion, kind, namespace, name);
        if (this.objects.has(key)) {
            throw new Refusal(`creating ${what} failed: it already exists (${SOURCES.kubernetesAlreadyExists})`);
        }
        if (ESO_GROUPS.test(apiVersion)) {
            if (!this.esoServing) {
                throw new Refusal(
                    `creating ${what} failed: no endpoints available for service "external-secrets-webhook" (ESO's webhook does not serve yet; wait for the release)`,
                );
            }
            if (kind === "ExternalSecret") this.admitExternalSecret(what, namespace as string, inputs);
            if (kind === "PushSecret") this.admitPushSecret(what, namespace as string, inputs);
        }
        if (kind === "Pod") this.requireMountedSecrets(what, namespace as string, inputs);
        this.objects.set(key, inputs);
    }

    /** The chart's objects that matter here: ESO's service account, and its webhook serving. */
    private install(release: Obj): void {
        const namespace: string = release.namespace;
        if (!this.namespaces?.has(namespace)) {
            throw new Refusal(`installing release ${release.name} failed: namespaces "${namespace}" not found`);
        }
        if (release.chart !== "external-secrets") return;
        const account = release.values?.serviceAccount ?? {};
        this.objects.set(keyOf("v1", "ServiceAccount", namespace, account.name ?? "external-secrets"), {
            metadata: { annotations: account.annotations ?? {} },
            // The chart's pods carry these labels; the workload identity webhook then sets AZURE_TENANT_ID in them.
            podLabels: release.values?.podLabels ?? {},
        });
        this.esoServing = true;
    }

    private admitExternalSecret(what: string, namespace: string, es: Obj): void {
        const refusals = externalSecretWebhookRefusals(es.spec ?? {});
        if (refusals.length > 0) {
            throw new Refusal(
                `creating ${what} failed: ESO's admission webhook denied it: ${refusals.map((r) => r.rule).join("; ")} (${SOURCES.esoWebhook})`,
            );
        }
        const problem = this.syncProblem(namespace, es.spec ?? {});
        if (problem !== undefined) {
            throw new Refusal(`${what} would never become Ready: ${problem}`);
        }
        const target = es.spec?.target ?? {};
        if (!["None", "Merge"].includes(target.creationPolicy ?? "Owner")) {
            this.objects.set(keyOf("v1", "Secret", namespace, target.name ?? es.metadata?.name), { synced: true });
        }
    }

    /**
     * A PushSecret is admitted as the CRD allows (ESO has no webhook for it); it would never become Ready when its
     * source is missing (the controller reports "could not get source secret"), a generated key does not exist, or its
     * store cannot write the Key Vault secrets.
     */
    private admitPushSecret(what: string, namespace: string, ps: Obj): void {
        const spec: Obj = ps.spec ?? {};
        const fail = (problem: string) => {
            throw new Refusal(`${what} would never become Ready: ${problem}`);
        };
        const secretName: string | undefined = spec.selector?.secret?.name;
        const generator: Obj | undefined = spec.selector?.generatorRef;
        let keys: readonly string[] | undefined;
        if (secretName !== undefined) {
            if (!this.objects.has(keyOf("v1", "Secret", namespace, secretName))) {
                fail(`could not get source secret: secrets "${secretName}" not found (${PUSH_CONTROLLER}, Reconcile)`);
            }
        } else if (generator !== undefined) {
            const found = this.objects.get(
                keyOf(
                    generator.apiVersion ?? "generators.external-secrets.io/v1alpha1",
                    generator.kind,
                    namespace,
                    generator.name,
                ),
            );
            if (found === undefined) {
                fail(
                    `unable to resolve generator: ${generator.kind} "${generator.name}" not found (${PUSH_CONTROLLER}, resolveSecretFromGenerator)`,
                );
            }
            keys = found?.spec?.secretKeys ?? ["password"];
        }
        for (const item of spec.data ?? []) {
            const key: string | undefined = item.match?.secretKey;
            if (keys !== undefined && key !== undefined && !keys.includes(key)) {
                fail(`secret key ${key} does not exist (${PUSH_CONTROLLER}, pushSecretEntry)`);
            }
        }
        for (const ref of spec.secretStoreRefs ?? []) {
            const signedIn = this.storePrincipal(namespace, ref);
            if ("error" in signedIn) return fail(signedIn.error);
            const remoteKeys = (spec.data ?? []).map((d: Obj) => String(d.match?.remoteRef?.remoteKey));
            const problem = this.writeProblem(signedIn.objectId, signedIn.vaultUrl, remoteKeys);
            if (problem !== undefined) fail(problem);
        }
    }

    /** The principal a store signs in as and the vault it names, or why it cannot serve this namespace. */
    private storePrincipal(
        namespace: string,
        ref: Obj,
    ): { objectId: string | undefined; vaultUrl: string } | { error: string } {
        const kind = ref.kind ?? "SecretStore";
        const store = this.objects.get(
            keyOf(`${ESO_GROUP}/v1`, kind, kind === "SecretStore" ? namespace : undefined, ref.name),
        );
        if (store === undefined) return { error: `its ${kind} "${ref.name}" does not exist` };
        const conditions: Obj[] = store.spec?.conditions ?? [];
        if (kind === "ClusterSecretStore" && conditions.length > 0) {
            if (!conditions.some((c) => (c.namespaces ?? []).includes(namespace))) {
                return {
                    error: `ClusterSecretStore "${ref.name}" does not allow namespace "${namespace}" (spec.conditions)`,
                };
            }
        }
        const provider = store.spec?.provider?.azurekv;
        if (provider === undefined) return { error: `${kind} "${ref.name}" has no azurekv provider` };
        const principal = this.signIn(kind, kind === "SecretStore" ? namespace : undefined, provider);
        return "error" in principal ? principal : { objectId: principal.objectId, vaultUrl: provider.vaultUrl };
    }

    /**
     * Why the principal could not write these objects (the Officer role of each one's type, on it or on the vault), if
     * not.
     */
    private writeProblem(
        principalId: string | undefined,
        vaultUrl: string,
        remoteKeys: readonly string[],
    ): string | undefined {
        const vaultId = this.vaultIdOf(vaultUrl);
        if (principalId === undefined || vaultId === undefined) return undefined;
        const assignments = this.assignmentsOf(principalId);
        for (const remoteKey of remoteKeys) {
            const writer =
                WRITER_ROLES.find((w) => w.path !== "secrets" && w.prefix.test(remoteKey)) ?? WRITER_ROLES[0];
            const name = remoteKey.replace(writer.prefix, "");
            const scopes = [vaultId, `${vaultId}/${writer.path}/${name}`.toLowerCase()];
            const covered = assignments.some(
                (a) =>
                    String(a.roleDefinitionId).toLowerCase().endsWith(writer.role) &&
                    scopes.includes(String(a.scope).toLowerCase()),
            );
            if (!covered) {
                return `its identity ${principalId} has no role that lets it write ${writer.object} "${name}" (Key Vault answers 403 ForbiddenByRbac to the push)`;
            }
        }
        return undefined;
    }

    /** The id of the vault a store's URL names, in lower case, when the program creates or adopts it. */
    private vaultIdOf(vaultUrl: string): string | undefined {
        const vaultName = /^https:\/\/([^.]+)\./.exec(vaultUrl ?? "")?.[1];
        const vault = this.world().find(
            (r) => r.type === "azure-native:keyvault:Vault" && (r.outputs?.name ?? r.inputs.vaultName) === vaultName,
        );
        return vault?.id?.toLowerCase();
    }

    /** The role assignments of a principal that exist. */
    private assignmentsOf(principalId: string): Obj[] {
        return this.world()
            .filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.completedAt !== undefined)
            .map((r) => reveal(r.inputs) as Obj)
            .filter((a) => a.principalId === principalId);
    }

    /** Why ESO could not sync an ExternalSecret with this spec, or undefined if it could. */
    private syncProblem(namespace: string, spec: Obj): string | undefined {
        const ref = spec.secretStoreRef ?? {};
        const kind = ref.kind ?? "SecretStore";
        const store = this.objects.get(
            keyOf(`${ESO_GROUP}/v1`, kind, kind === "SecretStore" ? namespace : undefined, ref.name),
        );
        if (store === undefined) return `its ${kind} "${ref.name}" does not exist`;
        const conditions: Obj[] = store.spec?.conditions ?? [];
        if (kind === "ClusterSecretStore" && conditions.length > 0) {
            const allowed = conditions.some((c) => (c.namespaces ?? []).includes(namespace));
            if (!allowed)
                return `ClusterSecretStore "${ref.name}" does not allow namespace "${namespace}" (spec.conditions)`;
        }
        const provider = store.spec?.provider?.azurekv;
        if (provider === undefined) return `${kind} "${ref.name}" has no azurekv provider`;
        const principal = this.signIn(kind, kind === "SecretStore" ? namespace : undefined, provider);
        if ("error" in principal) return principal.error;
        return this.readProblem(principal.objectId, provider.vaultUrl, readsOf(spec));
    }

    /** The principal a store signs in as, following ESO's authorizers, or why it cannot sign in. */
    private signIn(
        kind: string,
        storeNamespace: string | undefined,
        provider: Obj,
    ): { objectId: string | undefined } | { error: string } {
        const authType = provider.authType ?? "ServicePrincipal";
        if (authType === "ServicePrincipal") {
            if (provider.tenantId === undefined) {
                return { error: `missing tenantID in store config (${SOURCES.esoServicePrincipal})` };
            }
            const ref = provider.authSecretRef?.clientId;
            if (ref === undefined) return { error: "authSecretRef.clientId is not set" };
            const secretNamespace = kind === "ClusterSecretStore" ? ref.namespace : storeNamespace;
            const clientId = this.secretValue(secretNamespace, ref.name, ref.key);
            const secretRef = provider.authSecretRef?.clientSecret;
            const secret =
                secretRef === undefined
                    ? undefined
                    : this.secretValue(
                          kind === "ClusterSecretStore" ? secretRef.namespace : storeNamespace,
                          secretRef.name,
                          secretRef.key,
                      );
            if (clientId === undefined || secret === undefined) {
                return {
                    error: `the credential Secret ${secretNamespace}/${ref.name} does not exist or lacks the keys ${ref.key} and ${secretRef?.key}`,
                };
            }
            return { objectId: this.servicePrincipalOf(clientId) };
        }
        if (authType === "WorkloadIdentity") {
            const ref = provider.serviceAccountRef;
            if (ref === undefined) return { error: "serviceAccountRef is not set" };
            const accountNamespace = kind === "ClusterSecretStore" ? ref.namespace : storeNamespace;
            const account = this.objects.get(keyOf("v1", "ServiceAccount", accountNamespace, ref.name));
            if (account === undefined)
                return { error: `service account ${accountNamespace}/${ref.name} does not exist` };
            const annotations: Record<string, string> = account.metadata?.annotations ?? {};
            const clientId = annotations[WORKLOAD_IDENTITY_CLIENT_ANNOTATION];
            if (clientId === undefined) {
                return {
                    error: `service account ${accountNamespace}/${ref.name} has no ${WORKLOAD_IDENTITY_CLIENT_ANNOTATION} annotation`,
                };
            }
            const tenant = workloadIdentityTenant({
                storeTenantId: provider.tenantId,
                serviceAccountAnnotations: annotations,
            });
            if ("error" in tenant) return { error: `${tenant.error} (${SOURCES.esoWorkloadIdentity})` };
            const federation = this.federationProblem(
                clientId,
                `system:serviceaccount:${accountNamespace}:${ref.name}`,
            );
            if (federation !== undefined) return { error: federation };
            return { objectId: this.servicePrincipalOf(clientId) };
        }
        return { objectId: this.options.managedIdentities?.[provider.identityId] };
    }

    /** Why Entra ID would refuse the service account's token for this client id (AADSTS70021), if it would. */
    private federationProblem(clientId: string, subject: string): string | undefined {
        const app = this.world().find(
            (r) => r.type === "azuread:index/application:Application" && r.outputs?.clientId === clientId,
        );
        if (app === undefined) return undefined;
        const credentials = this.world()
            .filter((r) => r.type.endsWith(":ApplicationFederatedIdentityCredential") && r.completedAt !== undefined)
            .map((r) => reveal(r.inputs) as Obj)
            .filter((c) => c.applicationId === app.id);
        const issuer = this.options.oidcIssuer;
        if (credentials.some((c) => c.subject === subject && (issuer === undefined || c.issuer === issuer))) {
            return undefined;
        }
        return (
            `AADSTS70021: no federated credential of app ${clientId} matches issuer ${issuer ?? "(any)"} and subject ${subject} ` +
            `(it has ${credentials.map((c) => `${c.issuer} ${c.subject}`).join(", ") || "none"}; ${SOURCES.entraFederatedMatch})`
        );
    }

    /** Why the principal could not read these objects from the vault, or undefined if it could. */
    private readProblem(
        principalId: string | undefined,
        vaultUrl: string,
        objects: readonly string[],
    ): string | undefined {
        if (principalId === undefined) return undefined;
        const vaultName = /^https:\/\/([^.]+)\./.exec(vaultUrl ?? "")?.[1];
        const vault = this.world().find(
            (r) => r.type === "azure-native:keyvault:Vault" && (r.outputs?.name ?? r.inputs.vaultName) === vaultName,
        );
        if (vault?.id === undefined) return undefined;
        const vaultId = vault.id.toLowerCase();
        const assignments = this.world()
            .filter((r) => r.type === "azure-native:authorization:RoleAssignment" && r.completedAt !== undefined)
            .map((r) => reveal(r.inputs) as Obj)
            .filter((a) => a.principalId === principalId);
        const covers = (roles: readonly string[], scope: string): boolean =>
            assignments.some(
                (a) =>
                    roles.some((role) => String(a.roleDefinitionId).toLowerCase().endsWith(role)) &&
                    [vaultId, scope.toLowerCase()].includes(String(a.scope).toLowerCase()),
            );
        for (const object of objects) {
            const [kind, name] = object === "*" ? ["list", ""] : splitReference(object);
            const scope = kind === "list" ? vaultId : `${vaultId}/${kind}/${name}`;
            const roles = kind === "secrets" || kind === "list" ? SECRETS_READER_ROLES : PUBLIC_READER_ROLES;
            if (!covers(roles, scope)) {
                return `its identity ${principalId} has no role that lets it read ${object === "*" ? "the vault's list of secrets" : `${kind.slice(0, -1)} "${name}"`} (Key Vault answers 403 ForbiddenByRbac)`;
            }
        }
        return undefined;
    }

    /** The access check (probe/verifyAccess.ts) signs in as a store would and reads; it times out when it cannot. */
    private check(name: string, command: Obj): void {
        const env: Record<string, string> = command.environment ?? {};
        if (env.PROBE_MODE === undefined) return;
        let principal: { objectId: string | undefined } | { error: string };
        if (env.PROBE_MODE === "servicePrincipal") {
            principal = { objectId: this.servicePrincipalOf(env.PROBE_CLIENT_ID as string) };
        } else {
            const [namespace, account] = (env.PROBE_SERVICE_ACCOUNT ?? "").split("/");
            const found = this.objects.get(keyOf("v1", "ServiceAccount", namespace, account as string));
            principal =
                found === undefined
                    ? { error: `kubectl create token: serviceaccounts "${account}" not found in ${namespace}` }
                    : (() => {
                          const federation = this.federationProblem(
                              env.PROBE_CLIENT_ID as string,
                              `system:serviceaccount:${namespace}:${account}`,
                          );
                          return federation === undefined
                              ? { objectId: this.servicePrincipalOf(env.PROBE_CLIENT_ID as string) }
                              : { error: federation };
                      })();
        }
        const problem =
            "error" in principal
                ? principal.error
                : this.readProblem(
                      principal.objectId,
                      env.PROBE_VAULT_URL as string,
                      JSON.parse(env.PROBE_OBJECTS ?? "[]"),
                  );
        if (problem !== undefined) throw new Refusal(`access check ${name} would time out: ${problem}`);
    }

    private requireMountedSecrets(what: string, namespace: string, pod: Obj): void {
        for (const volume of pod.spec?.volumes ?? []) {
            const secretName = volume.secret?.secretName;
            if (secretName !== undefined && !this.objects.has(keyOf("v1", "Secret", namespace, secretName))) {
                throw new Refusal(
                    `${what} would never start: its secret volume names Secret "${secretName}", which does not exist`,
                );
            }
        }
    }

    private secretValue(namespace: string | undefined, name: string, key: string): string | undefined {
        const secret = this.objects.get(keyOf("v1", "Secret", namespace, name));
        return secret?.stringData?.[key] ?? secret?.data?.[key];
    }

    private servicePrincipalOf(clientId: string): string | undefined {
        const sp = this.world().find(
            (r) =>
                r.type === "azuread:index/servicePrincipal:ServicePrincipal" &&
                (reveal(r.inputs) as Obj).clientId === clientId,
        );
        return sp?.outputs?.objectId as string | undefined;
    }
}

/** `cert/x` -> ["certificates", "x"], `key/x` -> ["keys", "x"], `x` or `secret/x` -> ["secrets", "x"]. */
function splitReference(reference: string): [string, string] {
    const match = /^(secret|cert|key)\/(.*)$/.exec(reference);
    const kind = match?.[1] ?? "secret";
    return [{ secret: "secrets", cert: "certificates", key: "keys" }[kind] as string, match?.[2] ?? reference];
}

/** What an ExternalSecret's spec reads: each named object, and `*` for a find. */
function readsOf(spec: Obj): string[] {
    return [
        ...(spec.data ?? []).map((d: Obj) => d.remoteRef?.key as string),
        ...(spec.dataFrom ?? []).flatMap((d: Obj) =>
            d.extract !== undefined ? [d.extract.key as string] : d.find !== undefined ? ["*"] : [],
        ),
    ];
}

/**
 * The cluster a stack's configuration describes: the namespaces it declares existing (which a real `up` then needs
 * to exist), the OIDC issuer its tokens carry (as configured: the plan cannot see the real cluster), and the
 * managed identities it names.
 */
export function clusterOptionsFor(config: {
    readonly namespaces: { readonly existing: readonly string[] };
    readonly eso: { readonly namespace: string; readonly createNamespace: boolean };
    readonly auth: IdentityAuth;
    readonly tenants: ReadonlyArray<{ readonly auth: IdentityAuth }>;
}): SimulatedClusterOptions {
    const identities: Record<string, string> = {};
    for (const auth of [config.auth, ...config.tenants.map((tenant) => tenant.auth)]) {
        if (auth.mode === "managedIdentity") identities[auth.clientId] = auth.principalId;
    }
    return {
        existingNamespaces: [
            ...config.namespaces.existing,
            ...(config.eso.createNamespace ? [] : [config.eso.namespace]),
        ],
        oidcIssuer: config.auth.mode === "workloadIdentity" ? config.auth.oidcIssuerUrl : undefined,
        managedIdentities: identities,
    };
}

/** The parts of an identity's authentication the cluster knows of. */
type IdentityAuth =
    | { readonly mode: "managedIdentity"; readonly clientId: string; readonly principalId: string }
    | { readonly mode: "workloadIdentity"; readonly oidcIssuerUrl?: string }
    | { readonly mode: "servicePrincipal" };
