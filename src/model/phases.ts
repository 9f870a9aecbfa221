/**
 * The four trust phases, in order. Pure data: nothing here may import Pulumi, so the policy pack, the offline
 * checker, the renderer and the tests all share exactly one definition.
 */
export const PHASES = ["shadow", "assist", "remediation", "autonomous"] as const;
export type Phase = (typeof PHASES)[number];

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The strictest phase: what an object is judged as when nothing says which phase it belongs to. */
export const STRICTEST_PHASE: Phase = "shadow";

export function isPhase(value: unknown): value is Phase {
  return typeof value === "string" && (PHASES as readonly string[]).includes(value);
}

export function isEnvironment(value: unknown): value is Environment {
  return typeof value === "string" && (ENVIRONMENTS as readonly string[]).includes(value);
}

/** Position of a phase in the trust order (shadow = 0). */
export function phaseRank(phase: Phase): number {
  return PHASES.indexOf(phase);
}

/** True when `phase` grants more than `ceiling` allows. */
export function isAbove(phase: Phase, ceiling: Phase): boolean {
  return phaseRank(phase) > phaseRank(ceiling);
}

/**
 * The highest phase each environment may run by default: the pack's `ceilings` config default, and what the
 * shipped foundation stack files set as `agent-trust:phaseCeiling` (a test holds them equal).
 */
export const DEFAULT_CEILINGS: Readonly<Record<Environment, Phase>> = { dev: "autonomous", staging: "remediation", prod: "assist" };

/** The one error every layer raises for a phase above its environment's ceiling, so the wording never drifts. */
export function ceilingMessage(env: string, phase: Phase, ceiling: Phase): string {
  return (
    `phase "${phase}" is above the phase ceiling "${ceiling}" of environment "${env}"; ` +
    `raise agent-trust:phaseCeiling in the ${env} foundation stack through a reviewed change first`
  );
}
