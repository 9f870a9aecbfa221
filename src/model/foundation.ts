/**
 * The contract between a foundation stack and the phase stacks on it: what a phase stack reads from its
 * foundation (the foundation stack's outputs). Pure data.
 */
import type { Environment, Phase } from "./phases";

/** What a phase stack needs from its foundation (the foundation stack's outputs). */
export interface FoundationOutputs {
  readonly environment: Environment;
  readonly namespace: string;
  readonly phaseCeiling: Phase;
  readonly authMount: string;
  readonly kvMount: string;
  readonly audience: string;
}

/** The part of a foundation's settings its outputs are made of (a parsed foundation config has this shape). */
export interface FoundationOutputSource {
  readonly environment: Environment;
  readonly namespace: string;
  readonly phaseCeiling: Phase;
  readonly vault: { readonly authMount: string; readonly kvMount: string; readonly audience: string };
}

export function foundationOutputs(cfg: FoundationOutputSource): FoundationOutputs {
  return {
    environment: cfg.environment,
    namespace: cfg.namespace,
    phaseCeiling: cfg.phaseCeiling,
    authMount: cfg.vault.authMount,
    kvMount: cfg.vault.kvMount,
    audience: cfg.vault.audience,
  };
}
