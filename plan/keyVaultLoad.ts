// The Key Vault traffic a set of ExternalSecrets causes, against the vault's service limit.
import { durationSeconds } from "../stacks/rules";

/** Key Vault's limit for secret GET-type transactions, per vault and region: 4,000 per 10 seconds. */
export const VAULT_GET_LIMIT = { requests: 4000, perSeconds: 10 } as const;

interface ExternalSecretSpec {
    readonly refreshInterval?: string;
    readonly refreshPolicy?: string;
    readonly data?: readonly unknown[];
    readonly dataFrom?: ReadonlyArray<{ readonly extract?: unknown; readonly find?: unknown }>;
}

export interface KeyVaultLoad {
    /** ExternalSecrets counted. */
    readonly externalSecrets: number;
    /** Reads one sync of every ExternalSecret makes (what ESO does at once when it starts). */
    readonly readsPerSync: number;
    /** Reads per hour from periodic refreshes. */
    readonly readsPerHour: number;
    /** The vault's limit, per hour. */
    readonly limitPerHour: number;
    /** ExternalSecrets using dataFrom.find, whose reads grow with the matching secrets (counted as one list each). */
    readonly finds: number;
}

/** Reads of one sync: one per data entry and per dataFrom.extract; a find lists first (and then reads each match). */
function readsOf(spec: ExternalSecretSpec): number {
    return (spec.data?.length ?? 0) + (spec.dataFrom?.length ?? 0);
}

/** Periodic syncs per hour: none for CreatedOnce, OnChange or an interval of "0". */
function syncsPerHour(spec: ExternalSecretSpec): number {
    if (spec.refreshPolicy === "CreatedOnce" || spec.refreshPolicy === "OnChange") return 0;
    const seconds = spec.refreshInterval === undefined ? 3600 : durationSeconds(spec.refreshInterval);
    return seconds === undefined || seconds === 0 ? 0 : 3600 / seconds;
}

export function keyVaultLoad(specs: readonly ExternalSecretSpec[]): KeyVaultLoad {
    return {
        externalSecrets: specs.length,
        readsPerSync: specs.reduce((sum, spec) => sum + readsOf(spec), 0),
        readsPerHour: specs.reduce((sum, spec) => sum + readsOf(spec) * syncsPerHour(spec), 0),
        limitPerHour: (VAULT_GET_LIMIT.requests * 3600) / VAULT_GET_LIMIT.perSeconds,
        finds: specs.filter((spec) => spec.dataFrom?.some((item) => item.find !== undefined)).length,
    };
}

/** 1440000 -> "1,440,000". (toLocaleString would load ICU's number formatting, a few milliseconds of start-up.) */
export function thousands(n: number): string {
    return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function describeLoad(load: KeyVaultLoad): string {
    const share = (100 * load.readsPerHour) / load.limitPerHour;
    return (
        `Key Vault load: ${thousands(load.readsPerHour)} reads/hour from ` +
        `${load.externalSecrets} ExternalSecret${load.externalSecrets === 1 ? "" : "s"} ` +
        `(${share < 0.01 && share > 0 ? "<0.01" : share.toFixed(2)}% of the vault's ${thousands(load.limitPerHour)}/hour limit); ` +
        `${thousands(load.readsPerSync)} at once when ESO starts (limit ${thousands(VAULT_GET_LIMIT.requests)} per ${VAULT_GET_LIMIT.perSeconds} s)` +
        (load.finds > 0 ? `; ${load.finds} use dataFrom.find, counted as one list each (each match adds a read)` : "") +
        "."
    );
}
