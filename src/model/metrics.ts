/**
 * The metrics contract: what an investigation must emit so that the circuit breaker, cost attribution, the
 * promotion gates and the demotion rules can be measured at all. Pure data. The PrometheusRule, the collector
 * configuration, the dashboard and the README table are all generated from it, and tests check that nothing
 * queries a metric that is not declared here.
 *
 * Names are the Prometheus names as stored. Agents create OpenTelemetry instruments with exactly these names and
 * units; the collector exports them with `add_metric_suffixes: false`, so no `_total`/unit suffix is added twice.
 * Every series carries the investigation's identity (`investigation`, `agent`, `phase`, `tier`) copied from the
 * pod's OpenTelemetry resource attributes by the collector, so each series belongs to exactly one investigation.
 * That is why windows are taken with `max_over_time` (a series' final value) and never `increase`, which
 * misses the first sample of a series that is born already counting.
 */
import { DEFAULT_TIERS } from "./tiers";

/** Labels on every series; the first four come from the pod (resource attributes), `domain` from the agent. */
export const IDENTITY_LABELS = ["investigation", "agent", "phase", "tier", "domain"] as const;

export const OUTCOMES = ["resolved", "escalated", "circuit_broken", "failed"] as const;
export const COST_COMPONENTS = ["inference", "compute", "retrieval", "storage_egress"] as const;
export const OPERATOR_VERDICTS = ["accepted", "accepted_minimal_edits", "rejected"] as const;
export const REVIEW_VERDICTS = ["correct", "incorrect"] as const;
export const REMEDIATION_RESULTS = ["completed", "failed"] as const;
export const TOKEN_TYPES = ["input", "output"] as const;

/** Who produces a metric: the agent process, the operator-feedback recorder, or the audit-log pipeline. */
export type Emitter = "agent" | "feedback" | "audit";

export interface MetricSpec {
  readonly name: string;
  readonly type: "counter" | "histogram";
  /** UCUM-style unit given to the OpenTelemetry instrument. */
  readonly unit: string;
  /** Labels beyond IDENTITY_LABELS, with their closed set of values. */
  readonly labels: Readonly<Record<string, readonly string[]>>;
  readonly emitter: Emitter;
  /** When it is recorded. */
  readonly when: string;
  readonly description: string;
  /** Histogram bucket upper bounds the instrument must use (explicit bucket histogram view). */
  readonly buckets?: readonly number[];
}

export const METRICS = [
  {
    name: "agent_trust_investigations_total",
    type: "counter",
    unit: "{investigation}",
    labels: { outcome: OUTCOMES },
    emitter: "agent",
    when: "once, when the investigation ends",
    description: "Investigations by how they ended.",
  },
  {
    name: "agent_trust_investigation_duration_seconds",
    type: "histogram",
    unit: "s",
    labels: { outcome: OUTCOMES },
    emitter: "agent",
    when: "once, when the investigation ends",
    description: "Wall time of the investigation.",
    buckets: [15, 30, 60, 120, 300, 600, 900],
  },
  {
    name: "agent_trust_investigation_reasoning_cycles",
    type: "histogram",
    unit: "{cycle}",
    labels: { outcome: OUTCOMES },
    emitter: "agent",
    when: "once, when the investigation ends",
    description: "Hypothesis-evaluation cycles the investigation used; the breaker's p95 is read from resolved ones.",
    buckets: [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 50],
  },
  {
    name: "agent_trust_reasoning_cycles_total",
    type: "counter",
    unit: "{cycle}",
    labels: {},
    emitter: "agent",
    when: "at the start of every cycle (the breaker alert reads it live)",
    description: "Hypothesis-evaluation cycles started so far.",
  },
  {
    name: "agent_trust_llm_calls_total",
    type: "counter",
    unit: "{call}",
    labels: {},
    emitter: "agent",
    when: "after every LLM call",
    description: "LLM calls made.",
  },
  {
    name: "agent_trust_llm_tokens_total",
    type: "counter",
    unit: "{token}",
    labels: { token_type: TOKEN_TYPES },
    emitter: "agent",
    when: "after every LLM call",
    description: "LLM tokens, input (prompt) and output (completion).",
  },
  {
    name: "agent_trust_investigation_cost_usd_total",
    type: "counter",
    unit: "USD",
    labels: { component: COST_COMPONENTS },
    emitter: "agent",
    when: "as cost accrues",
    description: "Cost attributed to the investigation, by component.",
  },
  {
    name: "agent_trust_diagnosis_reviews_total",
    type: "counter",
    unit: "{review}",
    labels: { verdict: REVIEW_VERDICTS },
    emitter: "feedback",
    when: "when an operator reviews the root cause the agent named",
    description: "Operator reviews of the diagnosis (diagnostic accuracy).",
  },
  {
    name: "agent_trust_operator_verdicts_total",
    type: "counter",
    unit: "{verdict}",
    labels: { verdict: OPERATOR_VERDICTS },
    emitter: "feedback",
    when: "when an operator acts on the agent's recommendation",
    description:
      "Accepted as is, accepted with minimal edits (same root-cause category and remediation classes), or rejected.",
  },
  {
    name: "agent_trust_escalation_reviews_total",
    type: "counter",
    unit: "{review}",
    labels: { verdict: REVIEW_VERDICTS },
    emitter: "feedback",
    when: "when an operator reviews an escalation",
    description: "Whether escalating was the right call.",
  },
  {
    name: "agent_trust_remediations_total",
    type: "counter",
    unit: "{remediation}",
    labels: { result: REMEDIATION_RESULTS },
    emitter: "agent",
    when: "when a remediation the agent performed finishes",
    description: "Remediations, completed or failed.",
  },
  {
    name: "agent_trust_remediation_rollbacks_total",
    type: "counter",
    unit: "{remediation}",
    labels: {},
    emitter: "feedback",
    when: "when a completed remediation is rolled back",
    description: "Completed remediations later rolled back.",
  },
  {
    name: "agent_trust_out_of_scope_attempts_total",
    type: "counter",
    unit: "{attempt}",
    labels: {},
    emitter: "audit",
    when: "for every request of the agent's ServiceAccount the API server or Vault denied",
    description: "Actions attempted outside the permitted scope; one is a demotion trigger.",
  },
] as const satisfies readonly MetricSpec[];

export type MetricName = (typeof METRICS)[number]["name"];

/** The series names a metric is stored under (a histogram is three series). */
export function seriesNames(m: MetricSpec): string[] {
  return m.type === "histogram" ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
}

/**
 * Metrics the rules read that other exporters produce. Only kube-state-metrics, for Jobs the API server ended
 * at their deadline (the agent cannot report its own kill).
 */
export const EXTERNAL_METRICS = [
  {
    name: "kube_job_status_failed",
    source: "kube-state-metrics",
    description: "Failed Jobs with the reason (DeadlineExceeded).",
  },
] as const;

/** Every series name an expression may read, apart from recording rules. */
export function knownSeries(): Set<string> {
  return new Set([...METRICS.flatMap((m) => seriesNames(m)), ...EXTERNAL_METRICS.map((m) => m.name)]);
}

/** The numbers the alerts and recording rules are built from. */
export const SIGNALS = {
  /** The tier caps the breaker never exceeds (the launcher caps each investigation at the same numbers). */
  tierCycleCaps: { simple: DEFAULT_TIERS.simple.maxReasoningCycles, complex: DEFAULT_TIERS.complex.maxReasoningCycles },
  /** The breaker trips at min(tier cap, p95Factor × p95 of resolved runs' cycles in the tier). */
  p95Factor: 2,
  p95Window: "7d",
  evidenceWindow: "30d",
  /** Demotion triggers (issue 9): accuracy below, rollback rate above, any out-of-scope attempt. */
  demotion: { minAccuracy: 0.92, maxRollbackRate: 0.02, maxOutOfScope: 0 },
  /** An investigation costing more than this many times its tier's median is an anomaly. */
  costAnomalyFactor: 5,
  /** The share of spend the top decile of investigations takes (recorded, shown; the headline says > 60 %). */
  topDecile: 0.9,
} as const;

/** The OpenTelemetry resource attributes the Job template sets, and the label the collector copies each to. */
export const RESOURCE_ATTRIBUTES = {
  investigation: "agent_trust.investigation",
  agent: "agent_trust.agent",
  phase: "agent_trust.phase",
  tier: "agent_trust.tier",
  environment: "agent_trust.environment",
} as const;
