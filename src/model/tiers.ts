/**
 * The resource tiers an investigation runs in, and each tier's defaults: the contract the config schema fills in
 * and the metrics contract reads (the reasoning-cycle caps). Pure data.
 */

export interface TierConfig {
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
  workspaceSize: string;
  deadlineSeconds: number;
  maxReasoningCycles: number;
}

/** Each tier's defaults; a stack that sets some fields of a tier keeps that tier's defaults for the rest. */
export const DEFAULT_TIERS = {
  simple: {
    cpuRequest: "250m",
    memoryRequest: "256Mi",
    cpuLimit: "500m",
    memoryLimit: "512Mi",
    workspaceSize: "512Mi",
    deadlineSeconds: 300,
    maxReasoningCycles: 8,
  },
  complex: {
    cpuRequest: "500m",
    memoryRequest: "512Mi",
    cpuLimit: "1",
    memoryLimit: "1Gi",
    workspaceSize: "1Gi",
    deadlineSeconds: 900,
    maxReasoningCycles: 15,
  },
} satisfies Record<string, TierConfig>;
