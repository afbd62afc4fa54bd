// Small helpers shared by the benchmarks (timing and medians live in coldStart.ts and are imported from there).
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const root = path.resolve(__dirname, "..");

/** One line naming the machine, as every benchmark prints it. */
export function machine(): string {
    return `${os.cpus().length} x ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export interface Measured {
    /** Wall time of the child process, in milliseconds. */
    readonly ms: number;
    /** The child's peak resident set size, in MiB (GNU time's %M). */
    readonly maxRssMiB: number;
    readonly stdout: string;
}

/**
 * Runs `node <args>` under GNU time; fails loudly if the child fails. The child's stdout goes to a file: a child
 * that ends with `process.exit()` loses output still queued for a pipe (Node 20 on Linux), never for a file.
 */
export function measureNode(args: readonly string[], cwd = root): Measured {
    const dir = mkdtempSync(path.join(os.tmpdir(), "eso-keyvault-bench-"));
    const file = path.join(dir, "stdout");
    const fd = openSync(file, "w");
    try {
        const start = process.hrtime.bigint();
        const result = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, ...args], {
            cwd,
            stdio: ["ignore", fd, "pipe"],
            maxBuffer: 64 * 2 ** 20,
        });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        const stderr = result.stderr.toString();
        if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${stderr}`);
        const kib = Number(stderr.trim().split("\n").pop());
        if (!Number.isFinite(kib)) throw new Error(`no peak memory from /usr/bin/time: ${stderr}`);
        return { ms, maxRssMiB: kib / 1024, stdout: readFileSync(file, "utf8") };
    } finally {
        closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
    }
}

/** Slope of log(y) against log(x) between two points: 1 is linear growth, 2 quadratic. */
export function growthExponent(x1: number, y1: number, x2: number, y2: number): number {
    return Math.log(y2 / y1) / Math.log(x2 / x1);
}

export const verdict = (ok: boolean): string => (ok ? "PASS" : "FAIL");
