/** The contract between a foundation stack and the phase stacks built on it. Pure types. */
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
