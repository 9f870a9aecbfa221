/**
 * The library surface for launchers and tooling: build an investigation Job from a published PodTemplate,
 * and read the trust catalog. Importing this never runs the Pulumi program.
 */
export { investigationJob, TIERS, type InvestigationRequest, type Tier } from "./plan/job";
export { CATALOG, LIMITS, phaseAllows, vaultCapabilities } from "./model/catalog";
export { PHASES, type Phase } from "./model/phases";
export { agentNames, LABELS } from "./model/naming";
export type { Manifest } from "./model/manifest";
export { METRICS, SIGNALS, type MetricSpec } from "./model/metrics";
export { breakerCap } from "./plan/observability-otel";
export { RECORDED } from "./plan/observability-rules";
