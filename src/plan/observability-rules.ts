/**
 * The Prometheus rule groups of one environment, generated from the metrics contract: the reasoning-depth
 * circuit breaker, cost attribution, the evidence the promotion gates read, and the demotion triggers. Pure.
 * Each group is self-contained, because Prometheus evaluates the rules of one group in order but groups
 * independently of each other.
 */
import { SIGNALS } from "../model/metrics";

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}
export type Rule = RecordingRule | AlertingRule;
export interface RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: Rule[];
}

const W = SIGNALS.evidenceWindow;
const BY_AGENT = "agent, phase";

/** Sum over the window of each per-investigation series' final value. */
const total = (selector: string, by: string, window: string = W) =>
  `sum by (${by}) (max_over_time(${selector}[${window}]))`;

/**
 * part/whole, where a missing part (no series of that label value in the window) counts as 0, not as "no data":
 * an agent whose diagnoses were all wrong must show 0 % accuracy, not nothing.
 */
function share(metric: string, part: string, by: string): string {
  const whole = total(metric, by);
  return `(${total(`${metric}{${part}}`, by)} or 0 * ${whole}) / ${whole}`;
}

/** Names of the recording rules (the dashboard and the tests use them). */
export const RECORDED = {
  p95Cycles: "agent_trust:reasoning_cycles_resolved:p95_by_tier",
  tierCap: "agent_trust:reasoning_cycle_cap:by_tier",
  breaker: "agent_trust:reasoning_cycle_breaker:by_tier",
  investigationCost: "agent_trust:investigation_cost_usd:30d",
  costPerInvestigationByAgent: "agent_trust:cost_usd_per_investigation:30d_by_agent_phase_domain",
  costPerInvestigationByTier: "agent_trust:cost_usd_per_investigation:30d_by_tier",
  costByTier: "agent_trust:cost_usd:30d_by_tier",
  topDecileShare: "agent_trust:spend_share_top_decile:30d_by_tier",
  investigations: "agent_trust:investigations:30d",
  outcomes: "agent_trust:investigations:30d_by_tier_outcome",
  domains: "agent_trust:domains:30d",
  accuracy: "agent_trust:accuracy:30d",
  operatorAgreement: "agent_trust:operator_agreement:30d",
  minimalEditsAcceptance: "agent_trust:minimal_edits_acceptance:30d",
  escalationCorrectness: "agent_trust:escalation_correctness:30d",
  completion: "agent_trust:remediation_completion:30d",
  rollbackRate: "agent_trust:rollback_rate:30d",
  outOfScope: "agent_trust:out_of_scope_attempts:30d",
} as const;

function breakerGroup(): RuleGroup {
  const caps: RecordingRule[] = Object.entries(SIGNALS.tierCycleCaps).map(([tier, cap]) => ({
    record: RECORDED.tierCap,
    expr: `vector(${cap})`,
    labels: { tier },
  }));
  return {
    name: "agent-trust.breaker",
    interval: "30s",
    rules: [
      {
        record: RECORDED.p95Cycles,
        expr: `histogram_quantile(0.95, ${total('agent_trust_investigation_reasoning_cycles_bucket{outcome="resolved"}', "tier, le", SIGNALS.p95Window)})`,
      },
      ...caps,
      {
        // The p95 bound carries an extra label so `or` keeps it beside the cap; `> 0` drops NaN (no resolved runs).
        record: RECORDED.breaker,
        expr: `min by (tier) (${RECORDED.tierCap} or label_replace(${SIGNALS.p95Factor} * ${RECORDED.p95Cycles} > 0, "bound", "p95", "", ""))`,
      },
      {
        alert: "AgentTrustReasoningCircuitBreaker",
        expr: `max by (investigation, agent, phase, tier) (agent_trust_reasoning_cycles_total) > on (tier) group_left () ${RECORDED.breaker}`,
        labels: { severity: "critical" },
        annotations: {
          summary:
            "Investigation {{ $labels.investigation }} of {{ $labels.agent }} ({{ $labels.phase }}, {{ $labels.tier }}) is past its reasoning-cycle limit",
          description: `Cycle {{ $value }} is above min(tier cap, ${SIGNALS.p95Factor} x p95 of resolved ${SIGNALS.p95Window} runs); stop the Job: the run is looping.`,
        },
      },
    ],
  };
}

function costGroup(namespace: string): RuleGroup {
  const c = RECORDED.investigationCost;
  return {
    name: "agent-trust.cost",
    interval: "1m",
    rules: [
      {
        record: c,
        expr: total("agent_trust_investigation_cost_usd_total", "investigation, agent, phase, tier, domain"),
      },
      { record: RECORDED.costPerInvestigationByAgent, expr: `avg by (agent, phase, domain) (${c})` },
      { record: RECORDED.costPerInvestigationByTier, expr: `avg by (tier) (${c})` },
      { record: RECORDED.costByTier, expr: `sum by (tier) (${c})` },
      {
        record: RECORDED.topDecileShare,
        expr: `sum by (tier) (${c} > on (tier) group_left () quantile by (tier) (${SIGNALS.topDecile}, ${c})) / sum by (tier) (${c})`,
      },
      {
        alert: "AgentTrustCostAnomaly",
        expr: `${c} > on (tier) group_left () ${SIGNALS.costAnomalyFactor} * quantile by (tier) (0.5, ${c})`,
        labels: { severity: "warning" },
        annotations: {
          summary:
            "Investigation {{ $labels.investigation }} of {{ $labels.agent }} ({{ $labels.phase }}) cost {{ $value }} USD",
          description: `More than ${SIGNALS.costAnomalyFactor} times the median cost of a {{ $labels.tier }} investigation in the last ${W} (namespace ${namespace}).`,
        },
      },
    ],
  };
}

function demotion(alert: string, expr: string, what: string): AlertingRule {
  return {
    alert,
    expr,
    labels: { severity: "critical", demotion: "true" },
    annotations: {
      summary: `Demote {{ $labels.agent }} from {{ $labels.phase }}: ${what}`,
      description:
        "A demotion trigger fired: move the agent to the previous phase (a reviewed config change) pending review before re-promotion.",
    },
  };
}

function evidenceGroup(): RuleGroup {
  const d = SIGNALS.demotion;
  return {
    name: "agent-trust.evidence",
    interval: "5m",
    rules: [
      { record: RECORDED.investigations, expr: total("agent_trust_investigations_total", BY_AGENT) },
      { record: RECORDED.outcomes, expr: total("agent_trust_investigations_total", "agent, phase, tier, outcome") },
      {
        record: RECORDED.domains,
        expr: `count by (${BY_AGENT}) (${total("agent_trust_investigations_total", "agent, phase, domain")})`,
      },
      { record: RECORDED.accuracy, expr: share("agent_trust_diagnosis_reviews_total", 'verdict="correct"', BY_AGENT) },
      {
        record: RECORDED.operatorAgreement,
        expr: share("agent_trust_operator_verdicts_total", 'verdict="accepted"', BY_AGENT),
      },
      {
        record: RECORDED.minimalEditsAcceptance,
        expr: share("agent_trust_operator_verdicts_total", 'verdict=~"accepted|accepted_minimal_edits"', BY_AGENT),
      },
      {
        record: RECORDED.escalationCorrectness,
        expr: share("agent_trust_escalation_reviews_total", 'verdict="correct"', BY_AGENT),
      },
      { record: RECORDED.completion, expr: share("agent_trust_remediations_total", 'result="completed"', BY_AGENT) },
      {
        // Rolled back out of the completed remediations.
        record: RECORDED.rollbackRate,
        expr: `(${total("agent_trust_remediation_rollbacks_total", BY_AGENT)} or 0 * ${total('agent_trust_remediations_total{result="completed"}', BY_AGENT)}) / ${total('agent_trust_remediations_total{result="completed"}', BY_AGENT)}`,
      },
      { record: RECORDED.outOfScope, expr: total("agent_trust_out_of_scope_attempts_total", BY_AGENT) },
      demotion(
        "AgentTrustDemotionAccuracy",
        `${RECORDED.accuracy} < ${d.minAccuracy}`,
        `diagnostic accuracy {{ $value | humanizePercentage }} is below ${d.minAccuracy * 100} % over ${W}`,
      ),
      demotion(
        "AgentTrustDemotionRollbackRate",
        `${RECORDED.rollbackRate} > ${d.maxRollbackRate}`,
        `rollback rate {{ $value | humanizePercentage }} is above ${d.maxRollbackRate * 100} % over ${W}`,
      ),
      demotion(
        "AgentTrustDemotionOutOfScope",
        `${RECORDED.outOfScope} > ${d.maxOutOfScope}`,
        `{{ $value }} action(s) outside the permitted scope in ${W}`,
      ),
    ],
  };
}

function jobsGroup(namespace: string): RuleGroup {
  return {
    name: "agent-trust.jobs",
    interval: "1m",
    rules: [
      {
        alert: "AgentTrustJobPastDeadline",
        expr: `kube_job_status_failed{namespace="${namespace}", reason="DeadlineExceeded"} > 0`,
        labels: { severity: "warning" },
        annotations: {
          summary: "Investigation Job {{ $labels.job_name }} was stopped at its deadline",
          description:
            "The API server ended the Job at activeDeadlineSeconds: the agent neither finished nor tripped its own breaker.",
        },
      },
    ],
  };
}

/** The rule groups of one environment; `namespace` is its agents namespace. */
export function planRuleGroups(namespace: string): RuleGroup[] {
  return [breakerGroup(), costGroup(namespace), evidenceGroup(), jobsGroup(namespace)];
}
