// What `pulumi destroy` would do to a stack, computed offline from the resources its program registers: the order
// the engine deletes them in, what it leaves (protected, retained, only read, kept by Helm), what Kubernetes, Entra ID
// and Key Vault then delete on their own, and which secrets that loses or leaves only recoverable. Each rule names
// the upstream source it follows. `npm run plan -- --stack <name> --destroy` prints it and writes destroy.json.
import { HELM_KEEP_POLICY } from "../components/operator";
import { PULUMI_AWAIT } from "../components/wellKnown";
import { reveal } from "./secrets";
import type { RecordedResource } from "./simulatedCloud";

/** Where each behaviour the plan relies on was read. */
export const DESTROY_SOURCES = {
    protect:
        "pulumi pkg/resource/deploy/step.go DeleteStep.Apply refuses a protected resource; step_executor.go cancelDueToError carries on past that refusal; deployment_executor.go then skips everything the refused resource depends on",
    retain: "pulumi pkg/resource/deploy/step.go DeleteStep.Apply: a RetainOnDelete resource leaves the state, its provider is not called",
    read: "pulumi pkg/resource/deploy/step.go DeleteStep.Apply: a read (External) resource leaves the state, its provider is not called",
    helmKeep:
        "helm v3 pkg/action/uninstall.go deleteRelease and pkg/action/resource_policy.go filterManifestsToKeep (pulumi-kubernetes' Release uninstalls through that action); ESO's chart templates crds.annotations onto every CRD (external-secrets hack/helm.generate.sh, chart test tests/crds_test.yaml)",
    helmUninstall:
        "helm v3 pkg/action/uninstall.go deleteRelease deletes every manifest of the release without the keep policy, then waits for them to be gone (pulumi-kubernetes provider/pkg/provider/helm_release.go Delete sets Wait unless skipAwait)",
    crdCascade:
        "Kubernetes: deleting a CustomResourceDefinition deletes every object of its kind (kubernetes.io, Extend the Kubernetes API with CustomResourceDefinitions, Delete a CustomResourceDefinition)",
    ownerGc:
        "ESO sets an owner reference on a Secret it writes with creationPolicy Owner, and Kubernetes' garbage collector deletes the Secret once its owner is gone (external-secrets docs/guides/ownership-deletion-policy.md, Owner; pkg/controllers/externalsecret/externalsecret_controller.go cleanupManagedSecrets deletes it first with deletionPolicy Delete)",
    notOwned:
        "ESO sets no owner reference with creationPolicy Orphan, Merge or None, so deleting the ExternalSecret leaves the Secret (external-secrets docs/guides/ownership-deletion-policy.md, behavior matrix, Retain on ES delete)",
    finalizer:
        "an ExternalSecret carries the finalizer externalsecrets.external-secrets.io/externalsecret-cleanup, which only ESO's controller removes (external-secrets pkg/controllers/externalsecret/externalsecret_controller.go)",
    namespace: "Kubernetes: deleting a namespace deletes every object in it (kubernetes.io, Namespaces)",
    entraApp:
        "Microsoft Entra ID: deleting an app registration in its home tenant deletes its service principal too; its passwords and federated credentials are properties of the application; both stay restorable from deleted items for 30 days (learn.microsoft.com, entra/identity/enterprise-apps/restore-application, delete-recover-faq)",
    pushSecretDelete:
        "external-secrets pkg/controllers/pushsecret/pushsecret_controller.go (v2.9.0): a PushSecret with deletionPolicy Delete carries a finalizer, and its deletion makes ESO delete the secrets, keys and certificates it pushed from the provider (DeleteSecretFromProviders; azurekv's DeleteSecret picks the type by the key/ or cert/ prefix); with None they stay",
    keyVaultSoftDelete:
        "Azure Key Vault: a deleted vault and every object in it stay soft-deleted, recoverable (az keyvault recover) for the retention days set at creation; with purge protection nobody can purge them sooner (learn.microsoft.com, key-vault/general/soft-delete-overview)",
} as const;

const TYPE = {
    vault: "azure-native:keyvault:Vault",
    kvSecret: "azure-native:keyvault:Secret",
    application: "azuread:index/application:Application",
    namespace: "kubernetes:core/v1:Namespace",
    release: "kubernetes:helm.sh/v3:Release",
    externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
    secretStore: "kubernetes:external-secrets.io/v1:SecretStore",
    clusterSecretStore: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
    pushSecret: "kubernetes:external-secrets.io/v1alpha1:PushSecret",
} as const;

/** A resource the engine deletes, in order: the resources of one round are deleted together, after earlier rounds. */
export interface DeletedResource {
    readonly round: number;
    readonly type: string;
    readonly name: string;
    /** As the engine names it (what `pulumi state` commands take). */
    readonly urn: string;
}

/** Something a destroy leaves in place: a resource of the stack (with its URN) or an object it does not manage. */
export interface KeptThing {
    readonly what: string;
    readonly type?: string;
    readonly urn?: string;
    /** A component: only its entry in the state stays. */
    readonly component?: true;
    /** Still in the stack's state afterwards (protected, or needed by a protected resource). */
    readonly inState: boolean;
    readonly why: string;
    readonly source: string;
}

/** What Kubernetes, Entra ID or Key Vault delete on their own once something is deleted. */
export interface Cascade {
    readonly from: string;
    readonly deletes: string;
    readonly source: string;
}

/** A secret that would be gone, or only recoverable for a while. */
export interface DataLoss {
    readonly what: string;
    readonly outcome: "gone" | "recoverable";
    /** Until when a recoverable secret can be brought back. */
    readonly until?: string;
    readonly recoverableForDays?: number;
    readonly why: string;
    readonly source: string;
}

/** Where the destroy itself would stall or fail. */
export interface DestroyWarning {
    readonly message: string;
    readonly source: string;
}

export interface DestroyPlan {
    readonly production: boolean;
    readonly deleted: DeletedResource[];
    readonly kept: KeptThing[];
    readonly cascades: Cascade[];
    readonly dataLoss: DataLoss[];
    readonly warnings: DestroyWarning[];
}

export interface DestroyOptions {
    /** A production stack: any data loss fails the destroy plan. */
    readonly production: boolean;
}

type Obj = Record<string, any>;

/** What happens to a resource of the stack's state. */
type Fate =
    | { readonly kind: "deleted"; readonly round: number }
    | { readonly kind: "protected" | "retained" | "read"; readonly round: number }
    | { readonly kind: "needed"; readonly round: number; readonly by: readonly string[] };

/**
 * The engine's dependencies of each resource: its explicit and input dependencies (a component standing for itself
 * and its children registered before the dependent), its provider and its parent (dependency_graph.go
 * DependenciesOf).
 */
function dependencyGraph(resources: readonly RecordedResource[]): Map<string, Set<string>> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, RecordedResource[]>();
    for (const r of resources) {
        if (r.parent !== undefined) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    }
    const descendants = (urn: string): RecordedResource[] =>
        (children.get(urn) ?? []).flatMap((child) => [child, ...descendants(child.urn)]);
    const graph = new Map<string, Set<string>>();
    for (const r of resources) {
        const deps = new Set<string>();
        const direct = [...r.dependencies];
        // A provider reference is `<urn>::<id>`.
        if (r.provider !== undefined) direct.push(r.provider.slice(0, r.provider.lastIndexOf("::")));
        for (const urn of direct) {
            const dep = byUrn.get(urn);
            if (dep === undefined) continue;
            deps.add(urn);
            if (!dep.custom) {
                for (const child of descendants(urn)) if (child.order < r.order) deps.add(child.urn);
            }
        }
        if (r.parent !== undefined && byUrn.has(r.parent)) deps.add(r.parent);
        deps.delete(r.urn);
        graph.set(r.urn, deps);
    }
    return graph;
}

/**
 * Rounds of deletion as the engine schedules them (pulumi pkg/resource/deploy/step_generator.go ScheduleDeletes):
 * it takes out, round after round, the resources that depend on nothing left, then reverses the rounds, so a resource
 * goes once nothing that depends on it is left. It finishes a round before it starts the next (deployment_executor.go).
 */
function deletionRounds(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
    const condemned = new Set(graph.keys());
    const rounds: string[][] = [];
    while (condemned.size > 0) {
        const round = [...condemned].filter((urn) => ![...(graph.get(urn) ?? [])].some((dep) => condemned.has(dep)));
        if (round.length === 0) throw new Error(`dependency cycle among ${[...condemned].join(", ")}`);
        for (const urn of round) condemned.delete(urn);
        rounds.push(round);
    }
    return rounds.reverse();
}

function transitiveDependencies(graph: ReadonlyMap<string, ReadonlySet<string>>, urn: string): Set<string> {
    const seen = new Set<string>();
    const walk = (at: string): void => {
        for (const dep of graph.get(at) ?? []) {
            if (!seen.has(dep)) {
                seen.add(dep);
                walk(dep);
            }
        }
    };
    walk(urn);
    return seen;
}

/** The fate of every resource of the state, following the engine's delete steps round by round. */
function fates(resources: readonly RecordedResource[]): Map<string, Fate> {
    const graph = dependencyGraph(resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const result = new Map<string, Fate>();
    const neededBy = new Map<string, string[]>();
    deletionRounds(graph).forEach((round, i) => {
        for (const urn of round) {
            const r = byUrn.get(urn) as RecordedResource;
            const by = neededBy.get(urn);
            if (by !== undefined) {
                result.set(urn, { kind: "needed", round: i + 1, by });
            } else if (r.read) {
                result.set(urn, { kind: "read", round: i + 1 });
            } else if (r.options.protect) {
                result.set(urn, { kind: "protected", round: i + 1 });
                // Its dependencies come in later rounds; the engine skips every one of them.
                for (const dep of transitiveDependencies(graph, urn)) {
                    neededBy.set(dep, [...(neededBy.get(dep) ?? []), r.name]);
                }
            } else if (r.options.retainOnDelete) {
                result.set(urn, { kind: "retained", round: i + 1 });
            } else {
                result.set(urn, { kind: "deleted", round: i + 1 });
            }
        }
    });
    return result;
}

function keptWhy(fate: Fate): { why: string; source: string } {
    switch (fate.kind) {
        case "protected":
            return {
                why: "protected: `pulumi destroy` refuses to delete it, reports an error, and deletes the rest",
                source: DESTROY_SOURCES.protect,
            };
        case "needed":
            return {
                why: `${fate.by.join(", ")}, protected, depends on it: the engine does not delete what a refused delete still needs`,
                source: DESTROY_SOURCES.protect,
            };
        case "retained":
            return {
                why: "retainOnDelete: it leaves the stack's state and stays where it is",
                source: DESTROY_SOURCES.retain,
            };
        case "read":
            return {
                why: "only read, never managed: it leaves the stack's state and stays",
                source: DESTROY_SOURCES.read,
            };
        default:
            throw new Error(`not kept: ${fate.kind}`);
    }
}

/** `ns/name` of a Kubernetes object's inputs. */
function objectName(inputs: Obj): string {
    const { name, namespace } = inputs.metadata ?? {};
    return namespace === undefined ? String(name) : `${namespace}/${name}`;
}

/**
 * The Key Vault object a PushSecret's remoteKey names, as ESO deletes it (keyvault.go DeleteSecret, by the prefix): a
 * secret, a key, or a certificate, whose deletion takes the key and secret of the same name that Key Vault keeps
 * with every certificate ("Composition of a certificate", Microsoft Learn).
 */
function pushedObjectOf(remoteKey: string): string {
    if (remoteKey.startsWith("key/")) return `Key Vault key ${remoteKey.slice("key/".length)}`;
    if (remoteKey.startsWith("cert/")) {
        return `Key Vault certificate ${remoteKey.slice("cert/".length)} (with its key and secret of that name)`;
    }
    return `Key Vault secret ${remoteKey.replace(/^secret\//, "")}`;
}

/** A synced Secret: the Secret an ExternalSecret writes, who owns it, and what it reads. */
interface SyncedSecret {
    readonly externalSecret: string;
    readonly namespace: string;
    readonly secret: string;
    readonly creationPolicy: string;
    readonly reads: string[];
}

function syncedSecretOf(inputs: Obj): SyncedSecret {
    const spec: Obj = inputs.spec ?? {};
    const target: Obj = spec.target ?? {};
    const namespace = String(inputs.metadata?.namespace);
    return {
        externalSecret: objectName(inputs),
        namespace,
        secret: `${namespace}/${target.name ?? inputs.metadata?.name}`,
        // ESO's defaults (apis/externalsecrets/v1/externalsecret_types.go).
        creationPolicy: target.creationPolicy ?? "Owner",
        reads: [
            ...(spec.data ?? []).map((d: Obj) => String(d.remoteRef?.key)),
            ...(spec.dataFrom ?? []).flatMap((d: Obj) => (d.extract === undefined ? [] : [String(d.extract.key)])),
        ],
    };
}

/** The Key Vault object a reference names, without its `secret/` prefix. */
function vaultObjectName(reference: string): string {
    return reference.replace(/^secret\//, "");
}

/** The destroy plan of a stack whose program registered `resources` (on the simulated cloud). */
export function planDestroy(resources: readonly RecordedResource[], options: DestroyOptions): DestroyPlan {
    const fate = fates(resources);
    const fateOf = (r: RecordedResource): Fate => fate.get(r.urn) as Fate;
    const inputsOf = (r: RecordedResource): Obj => reveal(r.inputs) as Obj;
    const ofType = (type: string): RecordedResource[] => resources.filter((r) => r.type === type);
    const isDeleted = (r: RecordedResource): boolean => fateOf(r).kind === "deleted";
    const inOrder = (a: RecordedResource, b: RecordedResource): number =>
        fateOf(a).round - fateOf(b).round || a.engineUrn.localeCompare(b.engineUrn);

    // Components hold nothing outside the state: only the resources they group are listed, rounds counted on those.
    const deletedResources = resources.filter((r) => r.custom && isDeleted(r)).sort(inOrder);
    const rounds = [...new Set(deletedResources.map((r) => fateOf(r).round))];
    const roundOf = (r: RecordedResource): number => rounds.indexOf(fateOf(r).round) + 1;
    const deleted: DeletedResource[] = deletedResources.map((r) => ({
        round: roundOf(r),
        type: r.type,
        name: r.name,
        urn: r.engineUrn,
    }));
    const kept: KeptThing[] = resources
        .filter((r) => !isDeleted(r) && (r.custom || ["protected", "needed"].includes(fateOf(r).kind)))
        .sort(inOrder)
        .map((r) => ({
            what: r.name,
            type: r.type,
            urn: r.engineUrn,
            ...(r.custom ? {} : { component: true as const }),
            inState: ["protected", "needed"].includes(fateOf(r).kind),
            ...keptWhy(fateOf(r)),
        }));
    const cascades: Cascade[] = [];
    const dataLoss: DataLoss[] = [];
    const warnings: DestroyWarning[] = [];

    // The operator: uninstalling the release deletes the CRDs, unless Helm keeps them.
    const releases = ofType(TYPE.release).filter((r) => isDeleted(r) && inputsOf(r).chart === "external-secrets");
    let crdsDeleted = false;
    for (const release of releases) {
        const { values = {}, timeout } = inputsOf(release);
        const from = `Release ${release.name}`;
        cascades.push({
            from,
            deletes: "ESO's controller, webhook and cert controller, their service accounts and RBAC",
            source: DESTROY_SOURCES.helmUninstall,
        });
        if (values.installCRDs === false) continue;
        if (values.crds?.annotations?.[HELM_KEEP_POLICY.annotation] === HELM_KEEP_POLICY.value) {
            kept.push({
                what: "ESO's CustomResourceDefinitions, and every ExternalSecret and store left in the cluster",
                inState: false,
                why: `the chart annotates them ${HELM_KEEP_POLICY.annotation}: ${HELM_KEEP_POLICY.value} (crds.annotations), which \`helm uninstall\` leaves in place`,
                source: DESTROY_SOURCES.helmKeep,
            });
            continue;
        }
        crdsDeleted = true;
        cascades.push(
            {
                from,
                deletes:
                    "ESO's CustomResourceDefinitions, and with them every ExternalSecret, ClusterExternalSecret, SecretStore, ClusterSecretStore and PushSecret in the cluster, other teams' included",
                source: `${DESTROY_SOURCES.helmUninstall}; ${DESTROY_SOURCES.crdCascade}`,
            },
            {
                from: "each ExternalSecret outside this stack with creationPolicy Owner",
                deletes: "the Secret it owns",
                source: DESTROY_SOURCES.ownerGc,
            },
        );
        dataLoss.push({
            what: "every Secret that an ExternalSecret outside this stack owns in this cluster, if another team uses ESO here",
            outcome: "gone",
            why: "ESO's CRDs are deleted, and those ExternalSecrets with them",
            source: `${DESTROY_SOURCES.crdCascade}; ${DESTROY_SOURCES.ownerGc}`,
        });
        warnings.push({
            message:
                "An ExternalSecret outside this stack that still exists when ESO's controller stops keeps its cleanup " +
                `finalizer: its CRD then stays terminating, and the awaited uninstall of ${release.name} fails after ${timeout ?? 300} s.`,
            source: `${DESTROY_SOURCES.finalizer}; ${DESTROY_SOURCES.helmUninstall}`,
        });
    }

    // ESO must still run when the stack's own ExternalSecrets and stores are deleted: they go before the release.
    const releaseRound = Math.min(...releases.map(roundOf));
    for (const r of [TYPE.externalSecret, TYPE.secretStore, TYPE.clusterSecretStore].flatMap(ofType).sort(inOrder)) {
        if (isDeleted(r) && roundOf(r) >= releaseRound) {
            warnings.push({
                message:
                    `${r.name} is deleted in round ${roundOf(r)}, not before the ESO release (round ${releaseRound}): ` +
                    "once ESO's controller is gone, nothing removes its cleanup finalizer and its delete hangs.",
                source: DESTROY_SOURCES.finalizer,
            });
        }
    }

    // Synced Secrets: gone with an owning ExternalSecret, with their namespace or with ESO's CRDs; kept otherwise.
    const deletedNamespaces = new Set(
        ofType(TYPE.namespace)
            .filter(isDeleted)
            .map((r) => String(inputsOf(r).metadata?.name)),
    );
    const vaultReads = new Map<string, string[]>();
    for (const es of ofType(TYPE.externalSecret).sort(inOrder)) {
        const synced = syncedSecretOf(inputsOf(es));
        for (const read of synced.reads.map(vaultObjectName)) {
            vaultReads.set(read, [...(vaultReads.get(read) ?? []), `ExternalSecret ${synced.externalSecret}`]);
        }
        // ESO writes no Secret with creationPolicy None.
        if (synced.creationPolicy === "None") continue;
        const secret = `Secret ${synced.secret}`;
        const lost = (why: string, source: string): void =>
            void dataLoss.push({
                what: `${secret}, synced by ExternalSecret ${synced.externalSecret}`,
                outcome: "gone",
                why,
                source,
            });
        const owned = synced.creationPolicy === "Owner";
        if (isDeleted(es) && owned) {
            cascades.push({
                from: `ExternalSecret ${synced.externalSecret}`,
                deletes: secret,
                source: DESTROY_SOURCES.ownerGc,
            });
            lost("its ExternalSecret is deleted and owns it", DESTROY_SOURCES.ownerGc);
        } else if (deletedNamespaces.has(synced.namespace)) {
            lost(`namespace ${synced.namespace} is deleted`, DESTROY_SOURCES.namespace);
            if (!isDeleted(es)) {
                warnings.push({
                    message: `ExternalSecret ${synced.externalSecret} is kept but its namespace is deleted: if ESO no longer runs by then, its cleanup finalizer keeps the namespace terminating.`,
                    source: DESTROY_SOURCES.finalizer,
                });
            }
        } else if (!isDeleted(es) && crdsDeleted && owned) {
            lost(
                "its ExternalSecret is kept, but goes with ESO's CRDs, and owns it",
                `${DESTROY_SOURCES.crdCascade}; ${DESTROY_SOURCES.ownerGc}`,
            );
            warnings.push({
                message: `ExternalSecret ${synced.externalSecret} is kept while ESO's CRDs are deleted: its cleanup finalizer, which ESO's stopped controller no longer removes, keeps the CRD terminating.`,
                source: DESTROY_SOURCES.finalizer,
            });
        } else {
            kept.push({
                what: secret,
                inState: false,
                ...(isDeleted(es)
                    ? {
                          why: `creationPolicy ${synced.creationPolicy}: its ExternalSecret does not own it`,
                          source: DESTROY_SOURCES.notOwned,
                      }
                    : {
                          why: `its ExternalSecret ${synced.externalSecret} stays and still owns it, in a namespace that stays`,
                          source: DESTROY_SOURCES.ownerGc,
                      }),
            });
        }
    }
    for (const name of deletedNamespaces) {
        cascades.push({
            from: `Namespace ${name}`,
            deletes: `everything left in namespace ${name}, objects created outside this stack included`,
            source: DESTROY_SOURCES.namespace,
        });
    }

    // PushSecrets with deletionPolicy Delete: ESO deletes what they pushed, into the vault's soft delete.
    const vault = ofType(TYPE.vault)[0];
    const retention = Number(
        (vault === undefined ? undefined : inputsOf(vault).properties?.softDeleteRetentionInDays) ?? 90,
    );
    for (const push of ofType(TYPE.pushSecret).filter(isDeleted)) {
        const inputs = inputsOf(push);
        if (inputs.spec?.deletionPolicy !== "Delete") continue;
        const keys = ((inputs.spec?.data ?? []) as Array<{ match?: { remoteRef?: { remoteKey?: string } } }>)
            .map((item) => item.match?.remoteRef?.remoteKey)
            .filter((key): key is string => key !== undefined);
        const name = `${String(inputs.metadata?.namespace)}/${String(inputs.metadata?.name)}`;
        for (const key of keys) {
            const object = pushedObjectOf(key);
            cascades.push({
                from: `PushSecret ${name}`,
                deletes: `${object}, which it pushed (soft-deleted for ${retention} days)`,
                source: DESTROY_SOURCES.pushSecretDelete,
            });
            dataLoss.push({
                what: `${object}, pushed by PushSecret ${name}`,
                outcome: "recoverable",
                until: `${retention} days after the destroy`,
                recoverableForDays: retention,
                why: "its PushSecret has deletionPolicy Delete: set it to None to keep what was pushed",
                source: DESTROY_SOURCES.pushSecretDelete,
            });
        }
    }

    // Entra ID: an application takes its service principal and credentials with it.
    for (const app of ofType(TYPE.application).filter(isDeleted)) {
        cascades.push({
            from: `Application ${app.name}`,
            deletes: "its service principal, passwords and federated identity credentials (restorable for 30 days)",
            source: DESTROY_SOURCES.entraApp,
        });
    }

    // Key Vault: a deleted vault takes every object in it into soft delete.
    for (const vault of ofType(TYPE.vault).filter(isDeleted)) {
        const inputs = inputsOf(vault);
        const vaultName = String(inputs.vaultName);
        // The retention is fixed at creation; 90 days is Key Vault's default.
        const days = Number(inputs.properties?.softDeleteRetentionInDays ?? 90);
        const purge =
            inputs.properties?.enablePurgeProtection === true
                ? "purge protection is on: nobody can purge them sooner"
                : "purge protection is off: anyone allowed to purge can erase them at once";
        cascades.push({
            from: `Vault ${vaultName}`,
            deletes: `every secret, key and certificate in it, soft-deleted with the vault for ${days} days (${purge})`,
            source: DESTROY_SOURCES.keyVaultSoftDelete,
        });
        const recoverable = (what: string): DataLoss => ({
            what,
            outcome: "recoverable",
            until: `${days} days after the destroy`,
            recoverableForDays: days,
            why: `vault ${vaultName} is deleted: recover the vault within ${days} days to get it back; ${purge}`,
            source: DESTROY_SOURCES.keyVaultSoftDelete,
        });
        const seeded = [
            ...new Set(
                ofType(TYPE.kvSecret)
                    .map(inputsOf)
                    .filter((secret) => String(secret.vaultName) === vaultName)
                    .map((secret) => String(secret.secretName)),
            ),
        ];
        for (const name of seeded) {
            dataLoss.push(recoverable(`Key Vault secret ${name} of vault ${vaultName}, seeded by this stack`));
        }
        for (const [name, readers] of vaultReads) {
            if (!seeded.includes(name)) {
                dataLoss.push(
                    recoverable(`Key Vault object ${name} of vault ${vaultName}, read by ${readers.join(", ")}`),
                );
            }
        }
        dataLoss.push(recoverable(`every other secret, key and certificate in vault ${vaultName}`));
    }

    return { production: options.production, deleted, kept, cascades, dataLoss, warnings };
}

/** Exit code of `npm run plan -- --destroy`: 1 when a production stack's destroy would lose data, else 0. */
export function destroyExitCode(plan: DestroyPlan): number {
    return plan.production && plan.dataLoss.length > 0 ? 1 : 0;
}

/** The destroy plan as the command line prints it (sources are in destroy.json), ending with its verdict. */
export function renderDestroyPlan(plan: DestroyPlan, stackLabel: string): string[] {
    const lines = [
        `Destroy plan of stack ${stackLabel} (${plan.production ? "production" : "not production"}), offline: what \`pulumi destroy\` would do.`,
        "",
        "Deleted, in the engine's order (a round's resources are deleted together, after the round before):",
    ];
    const rounds = [...new Set(plan.deleted.map((d) => d.round))];
    for (const round of rounds) {
        const names = plan.deleted
            .filter((d) => d.round === round)
            .map((d) => `${d.name} (${d.type.split(":").pop()})`);
        lines.push(`    ${String(round).padStart(2)}  ${names.join(", ")}`);
    }
    if (rounds.length === 0) lines.push("    nothing");
    lines.push("", `Kept (${plan.kept.length}):`);
    for (const k of plan.kept) {
        lines.push(`    ${k.what}${k.type === undefined ? "" : ` (${k.type.split(":").pop()})`}: ${k.why}`);
    }
    lines.push("", "Then deleted by Kubernetes, Entra ID or Key Vault on their own:");
    for (const c of plan.cascades) lines.push(`    ${c.from} -> ${c.deletes}`);
    if (plan.cascades.length === 0) lines.push("    nothing");
    lines.push("", `Data lost or only recoverable: ${plan.dataLoss.length === 0 ? "none" : plan.dataLoss.length}`);
    for (const d of plan.dataLoss) {
        lines.push(`    ${d.outcome === "gone" ? "gone" : `recoverable until ${d.until}`}: ${d.what}`);
    }
    if (plan.warnings.length > 0) {
        lines.push("", `Warnings (${plan.warnings.length}):`);
        for (const w of plan.warnings) lines.push(`    ${w.message}`);
    }
    const count = `${plan.dataLoss.length} item${plan.dataLoss.length === 1 ? "" : "s"} of data`;
    lines.push(
        "",
        plan.dataLoss.length === 0
            ? `Destroy plan OK: ${plan.production ? "this production stack" : "this stack"} loses no data.`
            : plan.production
              ? `Destroy plan FAILED: this production stack would lose ${count} (docs/lifecycle.md).`
              : `Destroy plan OK: ${count} lost or only recoverable, allowed outside production.`,
    );
    return lines;
}

/**
 * What `pulumi up` waits for on ESO's objects, said plainly: a created object's Ready, but after a change of spec the
 * Ready of the spec before satisfies the wait (ESO's status records no observed generation).
 */
export function describeUpdateAwait(resources: readonly RecordedResource[]): string | undefined {
    const awaited = resources.filter(
        (r) =>
            r.custom &&
            (reveal(r.inputs) as Obj).metadata?.annotations?.[PULUMI_AWAIT.waitFor] !== undefined &&
            [TYPE.externalSecret, TYPE.clusterSecretStore, TYPE.secretStore].some((type) => type === r.type),
    );
    if (awaited.length === 0) return undefined;
    const counts = [
        [TYPE.externalSecret, "ExternalSecret"],
        [TYPE.clusterSecretStore, "ClusterSecretStore"],
        [TYPE.secretStore, "SecretStore"],
    ].flatMap(([type, noun]) => {
        const n = awaited.filter((r) => r.type === type).length;
        return n === 0 ? [] : [`${n} ${noun}${n === 1 ? "" : "s"}`];
    });
    return (
        `Updates: \`pulumi up\` waits for ${counts.join(", ")} to be Ready when created; after a change of spec it does not ` +
        "wait for ESO to apply it (ESO's status has no observedGeneration). An ExternalSecret has synced its spec when " +
        "status.syncedResourceVersion starts with <metadata.generation>- (docs/lifecycle.md)."
    );
}
