/**
 * The trust phases, in order: the one phase list. Pure data: nothing here may import Pulumi, so the policy pack,
 * the offline checker, the renderer and the tests all share exactly one definition. Everything else about a phase
 * (its grants, its gate) is a row keyed by it in src/model/catalog.ts and src/model/promotion-gates.ts; every
 * other file reads those rows, and every order question goes through `isAbove` / `highestAtOrBelow` here.
 */
export const PHASES = ["shadow", "assist", "remediation", "autonomous"] as const;
export type Phase = (typeof PHASES)[number];

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The strictest phase (the first): where every agent starts, and what an object is judged as when nothing says. */
export const STRICTEST_PHASE: Phase = PHASES[0];

/** The most trusted phase (the last). */
export const HIGHEST_PHASE: Phase = PHASES[PHASES.length - 1]!;

export function isPhase(value: unknown): value is Phase {
  return typeof value === "string" && (PHASES as readonly string[]).includes(value);
}

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** Position of a phase in the trust order (the strictest = 0): a sort key, never compared by hand. */
export function phaseRank(phase: Phase): number {
  return PHASES.indexOf(phase);
}

/** True when `phase` grants more than `ceiling` allows: the one answer to "is P above ceiling C". */
export function isAbove(phase: Phase, ceiling: Phase): boolean {
  return phaseRank(phase) > phaseRank(ceiling);
}

/** The highest of `candidates` (default: every phase) at or below `ceiling`; undefined when none is. */
export function highestAtOrBelow(ceiling: Phase, candidates: readonly Phase[] = PHASES): Phase | undefined {
  let best: Phase | undefined;
  for (const p of candidates) if (!isAbove(p, ceiling) && (best === undefined || isAbove(p, best))) best = p;
  return best;
}

/** The phase just below `phase`; undefined for the strictest. */
export function previousPhase(phase: Phase): Phase | undefined {
  const rank = phaseRank(phase);
  return rank <= 0 ? undefined : PHASES[rank - 1];
}

/**
 * The highest phase each environment may run by default: the pack's `ceilings` config default, and what the
 * shipped foundation stack files set as `agent-trust:phaseCeiling` (test/closed-world.test.ts holds them equal).
 */
export const DEFAULT_CEILINGS: Readonly<Record<Environment, Phase>> = {
  dev: "autonomous",
  staging: "remediation",
  prod: "assist",
};

/** The one error every layer raises for a phase above its environment's ceiling, so the wording never drifts. */
export function ceilingMessage(env: string, phase: Phase, ceiling: Phase): string {
  return (
    `phase "${phase}" is above the phase ceiling "${ceiling}" of environment "${env}"; ` +
    `raise agent-trust:phaseCeiling in the ${env} foundation stack through a reviewed change first`
  );
}
