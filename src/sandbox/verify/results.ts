/**
 * One measured cell of the verification matrix, whatever enforcer produced it, and the arithmetic over them.
 * Expected values are computed from the catalog before anything is measured; a check never decides its own
 * expectation from what the server answered. Pure.
 */
import type { Phase } from "../../model/phases";

export type Outcome = "allow" | "deny";

export const SECTIONS = ["rbac", "vault", "pod-security", "network", "admission", "audit", "approval"] as const;
export type Section = (typeof SECTIONS)[number];

export interface CheckSpec {
  readonly section: Section;
  readonly phase: Phase;
  readonly agent: string;
  /** Where: `own ns`, `target ns`, `other ns`, `cluster`, `kv`, `login`, … */
  readonly scope: string;
  /** What was attempted: a verb such as `get`, `read`, `login`, `create`. */
  readonly verb: string;
  /** On what: a resource (with a qualifier such as `[listed name]`), a secret path, a pod variant. */
  readonly object: string;
  readonly expected: Outcome;
  /** Why the expectation is what it is (`catalog`, `forbidden`), shown on a mismatch. */
  readonly basis: string;
}

/** `error`: the server answered neither yes nor no (a broken setup); always a mismatch. */
export type Measured = Outcome | "error";

export interface CheckResult extends CheckSpec {
  readonly measured: Measured;
  /** The server's own words where they help (a refusal message, a TTL). */
  readonly detail?: string;
}

export const matches = (r: CheckResult) => r.measured === r.expected;

export interface Summary {
  readonly total: number;
  readonly mismatches: number;
  readonly bySection: Record<Section, { total: number; mismatches: number }>;
}

export function summarize(results: readonly CheckResult[]): Summary {
  const bySection = Object.fromEntries(SECTIONS.map((s) => [s, { total: 0, mismatches: 0 }])) as Summary["bySection"];
  for (const r of results) {
    bySection[r.section].total++;
    if (!matches(r)) bySection[r.section].mismatches++;
  }
  return { total: results.length, mismatches: results.filter((r) => !matches(r)).length, bySection };
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
