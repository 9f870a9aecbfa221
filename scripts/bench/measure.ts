/** Running and timing child processes for the bench: wall time as a user sees it, best of several runs. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface Timed {
  readonly ms: number;
  readonly stdout: string;
}

/** Runs a command once; throws with its stderr when it exits with a code not in `okCodes`. */
export function timeOnce(cmd: string, args: readonly string[], okCodes: readonly number[] = [0]): Timed {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.error) throw r.error;
  if (!okCodes.includes(r.status ?? -1))
    throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return { ms, stdout: r.stdout };
}

/** Best (lowest) wall time of `runs` runs: the least disturbed by whatever else the machine is doing. */
export function best(runs: number, cmd: string, args: readonly string[], okCodes?: readonly number[]): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, timeOnce(cmd, args, okCodes).ms);
  return min;
}

/** Runs one workload of workloads.ts in its own process and returns its JSON line. */
export function workload(name: string, args: readonly (string | number)[]): Record<string, number> {
  const r = timeOnce(process.execPath, [
    "--import",
    "tsx",
    path.join(__dirname, "workloads.ts"),
    name,
    ...args.map(String),
  ]);
  const last = r.stdout.trim().split("\n").pop() ?? "{}";
  return JSON.parse(last) as Record<string, number>;
}

/** The best of `runs` runs of a workload, by its `ms`. */
export function bestWorkload(runs: number, name: string, args: readonly (string | number)[]): Record<string, number> {
  let bestRun: Record<string, number> | undefined;
  for (let i = 0; i < runs; i++) {
    const r = workload(name, args);
    if (!bestRun || r.ms! < bestRun.ms!) bestRun = r;
  }
  return bestRun!;
}

/** Growth exponent between two sizes: 1 is linear, 2 quadratic. */
export const exponent = (t1: number, t2: number, n1: number, n2: number) => Math.log(t2 / t1) / Math.log(n2 / n1);
