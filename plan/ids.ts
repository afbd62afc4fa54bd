import { createHash } from "node:crypto";

/** A stable GUID derived from text, so simulated ids repeat from run to run. */
export function stableGuid(text: string): string {
    const hex = createHash("sha256").update(text).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
