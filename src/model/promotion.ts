/**
 * Promotion gates and demotion rules as data: the default table every environment starts from, each number
 * overridable per environment (never silently: an override is reported next to the default it replaced).
 * Pure types, data and functions; the evidence files that feed them are read in src/promotion/.
 */
import type { z } from "zod";
import { PHASES, type Phase } from "./phases";
import { PROMOTION_GATES, type PromotedPhase } from "./promotion-gates";

export { previousPhase } from "./phases";
export {
  PROMOTION_GATES,
  type AssistRecord,
  type GateRow,
  type PromotedPhase,
  type RemediationRecord,
  type ShadowRecord,
} from "./promotion-gates";

/** A rate always travels with its counts: `count` of `of` (never a bare percentage). */
export interface Ratio {
  readonly count: number;
  readonly of: number;
}

/** The period a record was measured over, as ISO dates (YYYY-MM-DD), both inclusive. */
export interface Window {
  readonly from: string;
  readonly to: string;
}

export interface SignOff {
  readonly person: string;
  readonly role: string;
  readonly date: string;
}

/** How a criterion compares: counts with ≥ / ≤, rates in percent strictly above / below, or sign-off roles. */
export type Bound =
  | { readonly kind: "atLeast"; readonly value: number }
  | { readonly kind: "atMost"; readonly value: number }
  | { readonly kind: "above"; readonly percent: number }
  | { readonly kind: "below"; readonly percent: number }
  | { readonly kind: "signOff"; readonly roles: readonly string[] };

export type Measured =
  | { readonly kind: "count"; readonly value: number }
  | { readonly kind: "ratio"; readonly ratio: Ratio }
  | { readonly kind: "signOffs"; readonly signOffs: readonly SignOff[] };

export interface Criterion<R> {
  /** The key an override uses: `agent-trust:promotionGates.<phase>.<id>`. */
  readonly id: string;
  readonly label: string;
  readonly bound: Bound;
  /** Safety invariants (zero tolerance) cannot be overridden. */
  readonly fixed?: boolean;
  readonly measure: (record: R) => Measured;
}

type Gates = typeof PROMOTION_GATES;
/** The record each gate judges, keyed by the phase it is measured in (`records.<phase>` in an evidence file). */
export type RecordOf = { -readonly [P in PromotedPhase as Gates[P]["from"]]: z.output<Gates[P]["record"]> };
export type RecordPhase = keyof RecordOf;
/** Any row of the gate table. */
export type AnyGate = Gates[PromotedPhase];

export function isPromoted(phase: Phase): phase is PromotedPhase {
  return Object.hasOwn(PROMOTION_GATES, phase);
}

/** The gate that earns `phase`; undefined for the strictest phase, which every agent starts in. */
export function gateFor(phase: Phase): AnyGate | undefined {
  return isPromoted(phase) ? PROMOTION_GATES[phase] : undefined;
}

/** The promoted phases in trust order, each with its gate row. */
export function gateRows(): [PromotedPhase, AnyGate][] {
  return PHASES.filter(isPromoted).map((p) => [p, PROMOTION_GATES[p]]);
}

/**
 * Measures a record with a criterion of its row. The record must be one that row's own `record` schema parsed
 * (the evidence file schema is built from those schemas), which is what makes this one widening safe.
 */
export function measureRecord<R>(criterion: Criterion<R>, record: unknown): Measured {
  return criterion.measure(record as R);
}

/** What an agent did in its current phase over a recent window, as measured from the audit log and feedback. */
export interface Observation {
  readonly agent: string;
  readonly environment: string;
  readonly phase: Phase;
  readonly window: Window;
  readonly diagnosticAccuracy: Ratio;
  /** Rollbacks of successful remediations; phases without writes have none. */
  readonly rollbacks?: Ratio;
  readonly outOfScopeActions: number;
}

const count = (value: number): Measured => ({ kind: "count", value });
const ratio = (r: Ratio): Measured => ({ kind: "ratio", ratio: r });

/** The demotion rules: any trigger sends the agent to the previous phase, pending review before re-promotion. */
export const DEMOTION_RULES: readonly Criterion<Observation>[] = [
  {
    id: "diagnosticAccuracy",
    label: "diagnostic accuracy",
    bound: { kind: "below", percent: 92 },
    measure: (o) => ratio(o.diagnosticAccuracy),
  },
  {
    id: "rollbackRate",
    label: "rollbacks of successful remediations",
    bound: { kind: "above", percent: 2 },
    measure: (o) => ratio(o.rollbacks ?? { count: 0, of: 0 }),
  },
  {
    id: "outOfScopeActions",
    label: "actions outside the permitted scope",
    bound: { kind: "atLeast", value: 1 },
    fixed: true,
    measure: (o) => count(o.outOfScopeActions),
  },
];
/** The demotion rules judge the most recent window of at most this many days. */
export const DEMOTION_WINDOW_DAYS = 30;

/** `count/of` compared with a percentage in exact integer arithmetic (percent has at most 2 decimals). */
function comparePercent(r: Ratio, percent: number): number {
  const lhs = r.count * 10000;
  const rhs = Math.round(percent * 100) * r.of;
  return Math.sign(lhs - rhs);
}

/**
 * Whether a measured value meets a bound. A rate with nothing behind it (`of` = 0) is never a pass: there is no
 * evidence. Sign-offs pass when each role is signed by a different person.
 */
export function meets(bound: Bound, m: Measured): boolean {
  switch (bound.kind) {
    case "atLeast":
      return m.kind === "count" && m.value >= bound.value;
    case "atMost":
      return m.kind === "count" && m.value <= bound.value;
    case "above":
      return m.kind === "ratio" && m.ratio.of > 0 && comparePercent(m.ratio, bound.percent) > 0;
    case "below":
      return m.kind === "ratio" && m.ratio.of > 0 && comparePercent(m.ratio, bound.percent) < 0;
    case "signOff":
      return m.kind === "signOffs" && signOffsCover(bound.roles, m.signOffs);
  }
}

/** Each role signed by someone, and no person counted for two roles (people compared trimmed, case-folded). */
export function signOffsCover(roles: readonly string[], signOffs: readonly SignOff[]): boolean {
  const used = new Set<string>();
  // Small: try each assignment of distinct people to roles (roles are few).
  const assign = (i: number): boolean => {
    if (i === roles.length) return true;
    for (const s of signOffs.filter((s) => s.role === roles[i])) {
      const who = s.person.trim().toLowerCase();
      if (used.has(who)) continue;
      used.add(who);
      if (assign(i + 1)) return true;
      used.delete(who);
    }
    return false;
  };
  return assign(0);
}

export function formatBound(b: Bound): string {
  switch (b.kind) {
    case "atLeast":
      return `≥ ${b.value}`;
    case "atMost":
      return `≤ ${b.value}`;
    case "above":
      return `> ${b.percent} %`;
    case "below":
      return `< ${b.percent} %`;
    case "signOff":
      return b.roles.join(" + ");
  }
}

export function formatMeasured(m: Measured): string {
  switch (m.kind) {
    case "count":
      return String(m.value);
    case "ratio":
      return m.ratio.of === 0
        ? `0 of 0 (no data)`
        : `${m.ratio.count} of ${m.ratio.of} = ${(Math.floor((m.ratio.count * 10000) / m.ratio.of) / 100).toFixed(2)} %`;
    case "signOffs":
      return m.signOffs.length === 0 ? "none" : m.signOffs.map((s) => `${s.person} (${s.role}, ${s.date})`).join(", ");
  }
}

/** Where an agent's evidence lives, relative to the project root: one file per environment and agent. */
export function evidencePath(environment: string, agent: string): string {
  return `evidence/${environment}/${agent}.yaml`;
}

/**
 * Problems with a phase stack's `promotion` block, each as `[field, message]` so config errors name the exact
 * key: the evidence reference must be this agent's file in this environment, and the change needs its
 * approvers. Whether the evidence earns the phase is the gate's job (src/promotion/gate.ts).
 */
export function promotionProblems(
  phase: Phase,
  evidence: string,
  agent: string,
  environment: string,
  approvedBy: readonly string[],
): [string, string][] {
  const gate = gateFor(phase);
  if (!gate) return [];
  const out: [string, string][] = [];
  const expected = evidencePath(environment, agent);
  if (evidence !== expected)
    out.push(["evidence", `is "${evidence}"; agent "${agent}" in ${environment} is judged on ${expected}`]);
  if (new Set(approvedBy).size < gate.minApprovers) {
    out.push(["approvedBy", `${phase} requires ${gate.minApprovers} distinct approver(s)`]);
  }
  return out;
}
