// The shape of a plan: which component holds which resource, and in which waves the engine can create them.
import type { RecordedResource } from "./simulatedCloud";

export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    readonly custom: boolean;
    /** Only read (an existing resource the stack references): never created or deleted. */
    readonly read: boolean;
    /** URNs of the custom resources this one must wait for (components resolved to their resources). */
    readonly dependsOn: readonly string[];
    /** 1-based wave: created together with the others of its wave, after every earlier wave. */
    readonly wave?: number;
}

/** The list of children of `parent` in `children`, created on first use. */
function childrenOf<K, V>(children: Map<K, V[]>, parent: K): V[] {
    let list = children.get(parent);
    if (list === undefined) {
        list = [];
        children.set(parent, list);
    }
    return list;
}

/** Resolves each resource's dependencies to custom resources (a component stands for everything under it). */
export function planResources(recorded: readonly RecordedResource[]): PlannedResource[] {
    const byUrn = new Map(recorded.map((r) => [r.urn, r]));
    const children = new Map<string, RecordedResource[]>();
    for (const r of recorded) {
        if (r.parent !== undefined) childrenOf(children, r.parent).push(r);
    }
    const customUnder = (urn: string): string[] => {
        const resource = byUrn.get(urn);
        if (resource === undefined) return [];
        if (resource.custom) return [urn];
        return (children.get(urn) ?? []).flatMap((child) => customUnder(child.urn));
    };
    const dependsOn = new Map<string, string[]>();
    for (const r of recorded) {
        const direct = [...r.dependencies];
        // Resources wait for the provider that creates them (a provider reference is `<urn>::<id>`).
        if (r.provider !== undefined) direct.push(r.provider.slice(0, r.provider.lastIndexOf("::")));
        dependsOn.set(r.urn, [...new Set(direct.flatMap(customUnder))].filter((urn) => urn !== r.urn).sort());
    }

    const waves = new Map<string, number>();
    const waveOf = (urn: string, seen: Set<string>): number => {
        const known = waves.get(urn);
        if (known !== undefined) return known;
        if (seen.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        seen.add(urn);
        const wave = 1 + Math.max(0, ...(dependsOn.get(urn) ?? []).map((dep) => waveOf(dep, seen)));
        waves.set(urn, wave);
        return wave;
    };
    return recorded.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        custom: r.custom,
        read: r.read,
        dependsOn: dependsOn.get(r.urn) ?? [],
        wave: r.custom ? waveOf(r.urn, new Set()) : undefined,
    }));
}

/** Custom resources grouped by wave, each wave sorted by URN. */
export function wavesOf(resources: readonly PlannedResource[]): PlannedResource[][] {
    const waves: PlannedResource[][] = [];
    for (const r of resources) {
        if (r.wave === undefined) continue;
        (waves[r.wave - 1] ??= []).push(r);
    }
    return waves.map((wave) => [...wave].sort((a, b) => a.urn.localeCompare(b.urn)));
}

/** The resource tree as `pulumi preview` draws it, under a line for the stack. */
export function renderTree(resources: readonly PlannedResource[], stackLabel: string): string[] {
    const children = new Map<string | undefined, PlannedResource[]>();
    for (const r of resources) childrenOf(children, r.parent).push(r);
    const parents = new Map(resources.map((r) => [r.urn, r.parent]));
    const depth = (r: PlannedResource): number => {
        let d = 1;
        for (let p = r.parent; p !== undefined; p = parents.get(p)) d++;
        return d;
    };
    const width = Math.max(...resources.map((r) => r.type.length + 3 * depth(r))) + 4;
    const lines = [`${"Type".padEnd(width)}Name`, `${"pulumi:pulumi:Stack".padEnd(width)}${stackLabel}`];
    const walk = (parent: string | undefined, prefix: string): void => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const branch = `${prefix}${last ? "└─ " : "├─ "}`;
            lines.push(`${(branch + r.type).padEnd(width)}${r.name}${r.read ? " (read, not managed)" : ""}`);
            walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk(undefined, "");
    return lines;
}

/**
 * A Mermaid flowchart: one box per resource, grouped by top-level component in program order, arrows from each
 * dependency to its dependent. Providers are left out: every object of theirs depends on them, which says little.
 */
export function renderMermaid(all: readonly PlannedResource[]): string {
    const providers = new Set(all.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.urn));
    const resources = all
        .filter((r) => !providers.has(r.urn))
        .map((r) => ({ ...r, dependsOn: r.dependsOn.filter((dep) => !providers.has(dep)) }));
    const children = new Map<string | undefined, PlannedResource[]>();
    for (const r of resources) childrenOf(children, r.parent).push(r);
    const customUnder = (r: PlannedResource): PlannedResource[] =>
        r.custom ? [r] : (children.get(r.urn) ?? []).flatMap(customUnder);
    const byWave = (a: PlannedResource, b: PlannedResource): number =>
        (a.wave ?? 0) - (b.wave ?? 0) || a.name.localeCompare(b.name);

    const ids = new Map<string, string>();
    const box = (r: PlannedResource): string => {
        ids.set(r.urn, `r${ids.size}`);
        return `${ids.get(r.urn)}["${r.type.split(":").pop()}<br/>${r.name}"]`;
    };
    const lines = ["flowchart LR"];
    for (const top of children.get(undefined) ?? []) {
        if (top.custom) {
            lines.push(`    ${box(top)}`);
            continue;
        }
        const members = customUnder(top).sort(byWave);
        if (members.length === 0) continue;
        lines.push(`    subgraph g${lines.length}["${top.name}"]`);
        for (const r of members) lines.push(`        ${box(r)}`);
        lines.push("    end");
    }
    for (const r of resources.filter((x) => x.custom).sort(byWave)) {
        for (const dep of r.dependsOn) lines.push(`    ${ids.get(dep)} --> ${ids.get(r.urn)}`);
    }
    return `${lines.join("\n")}\n`;
}
