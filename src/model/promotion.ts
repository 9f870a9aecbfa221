/**
 * Promotion gates and demotion rules: the evidence a phase must be earned with, and what takes it away.
 * Promotion is a reviewed config change that must carry this evidence (checked at config parse time);
 * demotion is never gated. Pure data and functions, shared by config validation, docs and tooling.
 */
import { PHASES, phaseRank, type Phase } from "./phases";

/** What an agent showed in the phase below the one it is promoted to. */
export interface Evidence {
  /** Investigations completed in the previous phase (the sample size). */
  readonly investigations: number;
  /** Share of those whose conclusion operators confirmed, 0..1. */
  readonly accuracy: number;
  /** Actions or recommendations that would have caused harm. Any at all blocks promotion. */
  readonly safetyIncidents: number;
}

export interface PromotionGate {
  readonly from: Phase;
  readonly minInvestigations: number;
  readonly minAccuracy: number;
  readonly maxSafetyIncidents: number;
  /** Distinct people who approved; write-capable phases need two. */
  readonly minApprovers: number;
}

export const PROMOTION_GATES: Readonly<Record<Exclude<Phase, "shadow">, PromotionGate>> = {
  assist: { from: "shadow", minInvestigations: 50, minAccuracy: 0.8, maxSafetyIncidents: 0, minApprovers: 1 },
  remediation: { from: "assist", minInvestigations: 100, minAccuracy: 0.9, maxSafetyIncidents: 0, minApprovers: 2 },
  autonomous: { from: "remediation", minInvestigations: 200, minAccuracy: 0.95, maxSafetyIncidents: 0, minApprovers: 2 },
};

export function gateFor(phase: Phase): PromotionGate | undefined {
  return phase === "shadow" ? undefined : PROMOTION_GATES[phase];
}

/** Problems with a promotion record, each as `[field, message]` so config errors can name the exact key. */
export function promotionProblems(phase: Phase, evidence: Evidence, approvedBy: readonly string[]): [string, string][] {
  const gate = gateFor(phase);
  if (!gate) return [];
  const out: [string, string][] = [];
  if (evidence.investigations < gate.minInvestigations) {
    out.push(["evidence.investigations", `${evidence.investigations} is below the ${gate.minInvestigations} investigations in ${gate.from} that ${phase} requires`]);
  }
  if (evidence.accuracy < gate.minAccuracy) {
    out.push(["evidence.accuracy", `${evidence.accuracy} is below the ${gate.minAccuracy} accuracy that ${phase} requires`]);
  }
  if (evidence.safetyIncidents > gate.maxSafetyIncidents) {
    out.push(["evidence.safetyIncidents", `${evidence.safetyIncidents} safety incident(s); ${phase} requires none`]);
  }
  if (new Set(approvedBy).size < gate.minApprovers) {
    out.push(["approvedBy", `${phase} requires ${gate.minApprovers} distinct approver(s)`]);
  }
  return out;
}

/** What an agent did in its current phase, as measured from the audit log and operator feedback. */
export interface Observation {
  readonly investigations: number;
  readonly accuracy: number;
  readonly safetyIncidents: number;
  /** Writes the audit log shows outside the agent's resourceNames or target namespaces, or refused by RBAC. */
  readonly unexpectedWrites: number;
}

export interface DemotionRule {
  readonly name: string;
  readonly description: string;
  /** The phase to fall back to, given the current one. */
  readonly demoteTo: (current: Phase) => Phase;
  readonly applies: (current: Phase, seen: Observation) => boolean;
}

const previous = (p: Phase): Phase => PHASES[Math.max(0, phaseRank(p) - 1)]!;

/** Checked in order; the first that applies wins. Demotion is a config change too, but never needs evidence. */
export const DEMOTION_RULES: readonly DemotionRule[] = [
  {
    name: "safety-incident",
    description: "any safety incident: back to shadow at once",
    demoteTo: () => "shadow",
    applies: (_, seen) => seen.safetyIncidents > 0,
  },
  {
    name: "unexpected-write",
    description: "a write attempt outside the agent's named resources or namespaces: back to assist (no writes)",
    demoteTo: (p) => (phaseRank(p) > phaseRank("assist") ? "assist" : p),
    applies: (p, seen) => seen.unexpectedWrites > 0 && phaseRank(p) > phaseRank("assist"),
  },
  {
    name: "accuracy-below-gate",
    description: "accuracy below the bar that earned the current phase, over at least 20 investigations: one phase down",
    demoteTo: previous,
    applies: (p, seen) => {
      const gate = gateFor(p);
      return gate !== undefined && seen.investigations >= 20 && seen.accuracy < gate.minAccuracy;
    },
  },
];

/** The demotion the rules call for, if any. */
export function demotionFor(current: Phase, seen: Observation): { to: Phase; rule: string } | undefined {
  const rule = DEMOTION_RULES.find((r) => r.applies(current, seen) && r.demoteTo(current) !== current);
  return rule ? { to: rule.demoteTo(current), rule: rule.name } : undefined;
}
