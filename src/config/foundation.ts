/** The foundation's outputs as its own config gives them: what `pulumi up` exports and the renderer reads back. */
import type { FoundationOutputs } from "../model/foundation";
import type { FoundationConfig } from "./schema";

export function foundationOutputs(cfg: FoundationConfig): FoundationOutputs {
  return {
    environment: cfg.environment,
    namespace: cfg.namespace,
    phaseCeiling: cfg.phaseCeiling,
    authMount: cfg.vault.authMount,
    kvMount: cfg.vault.kvMount,
    audience: cfg.vault.audience,
  };
}
