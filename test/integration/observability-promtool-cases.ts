/**
 * Synthetic series and expectations for `promtool test rules` (used by observability-promtool.test.ts). Expected
 * annotations are expanded here from the planned rules' own templates, so a template that does not render the
 * way the test expects fails the test. Every value below is worked out by hand in the comments.
 */
import { RECORDED, planRuleGroups, type AlertingRule } from "../../src/plan/observability-rules";

export interface PromtoolTest {
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test: {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
  }[];
  promql_expr_test: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

const sel = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ")}}`;

export const series = (name: string, labels: Record<string, string>, values: string) => ({
  series: `${name}${sel(labels)}`,
  values,
});

const ALERTS = new Map(
  planRuleGroups("ai-agents").flatMap((g) =>
    g.rules.filter((r): r is AlertingRule => "alert" in r).map((r) => [r.alert, r] as const),
  ),
);

/** Go's %.4g then "%": enough for the values used here (no exponent forms). */
const humanizePercentage = (v: number) => `${Number((v * 100).toPrecision(4))}%`;

function expand(template: string, labels: Record<string, string>, value: number): string {
  return template.replace(
    /\{\{ *\$(labels\.([a-z_]+)|value)( *\| *humanizePercentage)? *\}\}/g,
    (_, _w, label?: string, pct?: string) => {
      if (label) return labels[label] ?? "";
      return pct ? humanizePercentage(value) : String(value);
    },
  );
}

/** What promtool must see for `alert` raised on a series with `labels` and `value`: rule labels, expanded annotations. */
export function expectAlert(alert: string, labels: Record<string, string>, value: number) {
  const rule = ALERTS.get(alert);
  if (!rule) throw new Error(`no alert ${alert} in the planned rules`);
  return {
    exp_labels: { ...labels, ...rule.labels },
    exp_annotations: Object.fromEntries(
      Object.entries(rule.annotations).map(([k, t]) => [k, expand(t, labels, value)]),
    ),
  };
}

export const alertCase = (eval_time: string, alertname: string, exp_alerts: ReturnType<typeof expectAlert>[]) => ({
  eval_time,
  alertname,
  exp_alerts,
});
const sample = (name: string, labels: Record<string, string>, value: number) => ({
  labels: `${name}${sel(labels)}`,
  value,
});
const expr = (e: string, eval_time: string, exp_samples: ReturnType<typeof sample>[]) => ({
  expr: e,
  eval_time,
  exp_samples,
});

const inv = (investigation: string, agent: string, tier: string, domain = "net", phase = "assist") => ({
  investigation,
  agent,
  phase,
  tier,
  domain,
});
const who = (i: ReturnType<typeof inv>) => ({
  investigation: i.investigation,
  agent: i.agent,
  phase: i.phase,
  tier: i.tier,
});
const CYCLES = "agent_trust_reasoning_cycles_total";
const BUCKET = "agent_trust_investigation_reasoning_cycles_bucket";

/** Cumulative bucket series of `count` finished runs: `{le: count}`. */
const buckets = (i: ReturnType<typeof inv>, outcome: string, counts: Record<string, number>) =>
  Object.entries(counts).map(([le, n]) => series(BUCKET, { ...i, outcome, le }, `${n}x20`));

const breaker = (alert: string, i: ReturnType<typeof inv>, value: number) => expectAlert(alert, who(i), value);
const CB = "AgentTrustReasoningCircuitBreaker";

export const BREAKER_TESTS: PromtoolTest[] = [
  (() => {
    // No resolved runs, so no p95: the limit is the tier cap, 8 (simple) and 15 (complex). A counter at 1 + t/1m
    // reaches 8 at 7m (at the cap: quiet) and 9 at 8m (above: fires); the complex run reaches 15 at 14m, 16 at 15m.
    const s = inv("inc-simple", "diagnostic", "simple");
    const c = inv("inc-complex", "diagnostic", "complex");
    return {
      interval: "1m",
      input_series: [series(CYCLES, s, "1+1x20"), series(CYCLES, c, "1+1x20")],
      alert_rule_test: [
        alertCase("6m", CB, []),
        alertCase("7m", CB, []),
        alertCase("8m", CB, [breaker(CB, s, 9)]),
        alertCase("14m", CB, [breaker(CB, s, 15)]),
        alertCase("15m", CB, [breaker(CB, s, 16), breaker(CB, c, 16)]),
      ],
      promql_expr_test: [
        expr(RECORDED.p95Cycles, "5m", []),
        expr(RECORDED.breaker, "5m", [
          sample(RECORDED.breaker, { tier: "complex" }, 15),
          sample(RECORDED.breaker, { tier: "simple" }, 8),
        ]),
      ],
    };
  })(),
  (() => {
    // 20 resolved simple runs: 12 took ≤ 2 cycles, 20 took ≤ 3. Rank 0.95 × 20 = 19 lies in (2, 3]:
    // p95 = 2 + (19 − 12) / (20 − 12) = 2.875, so the limit is min(8, 5.75) = 5.75: cycle 5 is quiet, cycle 6 fires.
    // Failed runs with many cycles must not count (only resolved ones do). Complex: p95 = 10 + 2 × 7/8 = 11.75,
    // 2 × p95 = 23.5 is above the cap, so the limit stays 15.
    const hist = inv("history", "diagnostic", "simple");
    const histC = inv("history-c", "diagnostic", "complex");
    const s = inv("inc-looping", "diagnostic", "simple");
    const c = inv("inc-deep", "diagnostic", "complex");
    return {
      interval: "1m",
      input_series: [
        ...buckets(hist, "resolved", { "2": 12, "3": 20, "+Inf": 20 }),
        ...buckets(hist, "failed", { "2": 0, "3": 0, "8": 0, "+Inf": 20 }),
        ...buckets(histC, "resolved", { "10": 12, "12": 20, "+Inf": 20 }),
        series(CYCLES, s, "1+1x20"),
        series(CYCLES, c, "1+1x20"),
      ],
      alert_rule_test: [
        alertCase("4m", CB, []),
        alertCase("5m", CB, [breaker(CB, s, 6)]),
        alertCase("14m", CB, [breaker(CB, s, 15)]),
      ],
      promql_expr_test: [
        expr(RECORDED.p95Cycles, "5m", [
          sample(RECORDED.p95Cycles, { tier: "complex" }, 11.75),
          sample(RECORDED.p95Cycles, { tier: "simple" }, 2.875),
        ]),
        expr(RECORDED.breaker, "5m", [
          sample(RECORDED.breaker, { tier: "complex" }, 15),
          sample(RECORDED.breaker, { tier: "simple" }, 5.75),
        ]),
      ],
    };
  })(),
];

const COST = "agent_trust_investigation_cost_usd_total";
// Complex: ten investigations costing k (inference) + 1 (compute), k = 1..10, so 2..11 USD, 65 in all, mean 6.5.
const complex = Array.from({ length: 10 }, (_, k) => ({
  i: inv(`c${k + 1}`, "diagnostic", "complex", "net"),
  cost: k + 2,
}));
// Simple: six investigations (inference only); median 0.25, so 5 × median = 1.25: s5 (1.25) is at the bound, s6 above.
const simple = [0.25, 0.25, 0.25, 0.25, 1.25, 1.5].map((cost, k) => ({
  i: inv(`s${k + 1}`, "diagnostic", "simple", "db"),
  cost,
}));

export const COST_TESTS: PromtoolTest[] = [
  {
    interval: "1m",
    input_series: [
      ...complex.flatMap(({ i, cost }) => [
        series(COST, { ...i, component: "inference" }, `${cost - 1}x10`),
        series(COST, { ...i, component: "compute" }, "1x10"),
      ]),
      ...simple.map(({ i, cost }) => series(COST, { ...i, component: "inference" }, `${cost}x10`)),
    ],
    alert_rule_test: [
      alertCase("5m", "AgentTrustCostAnomaly", [
        expectAlert("AgentTrustCostAnomaly", inv("s6", "diagnostic", "simple", "db"), 1.5),
      ]),
    ],
    promql_expr_test: [
      expr(
        RECORDED.investigationCost,
        "5m",
        [...complex, ...simple].map(({ i, cost }) => sample(RECORDED.investigationCost, i, cost)),
      ),
      expr(RECORDED.costByTier, "5m", [
        sample(RECORDED.costByTier, { tier: "complex" }, 65),
        sample(RECORDED.costByTier, { tier: "simple" }, 3.75),
      ]),
      expr(RECORDED.costPerInvestigationByTier, "5m", [
        sample(RECORDED.costPerInvestigationByTier, { tier: "complex" }, 6.5),
        sample(RECORDED.costPerInvestigationByTier, { tier: "simple" }, 0.625),
      ]),
      expr(RECORDED.costPerInvestigationByAgent, "5m", [
        sample(RECORDED.costPerInvestigationByAgent, { agent: "diagnostic", phase: "assist", domain: "db" }, 0.625),
        sample(RECORDED.costPerInvestigationByAgent, { agent: "diagnostic", phase: "assist", domain: "net" }, 6.5),
      ]),
      // Top decile: complex quantile(0.9) of 2..11 = 10.1, above it only 11: 11 / 65. Simple: quantile(0.9) = 1.375,
      // above it only 1.5: 1.5 / 3.75 = 0.4.
      expr(RECORDED.topDecileShare, "5m", [
        sample(RECORDED.topDecileShare, { tier: "complex" }, 11 / 65),
        sample(RECORDED.topDecileShare, { tier: "simple" }, 0.4),
      ]),
    ],
  },
];

const agentSeries = (name: string, agent: string, labels: Record<string, string>, value: number, phase = "assist") =>
  series(
    name,
    {
      investigation: `${agent}-batch-${Object.values(labels).join("-")}`,
      agent,
      phase,
      tier: "simple",
      domain: "net",
      ...labels,
    },
    `${value}x10`,
  );
const REVIEWS = "agent_trust_diagnosis_reviews_total";
const REMEDIATIONS = "agent_trust_remediations_total";
const ROLLBACKS = "agent_trust_remediation_rollbacks_total";
const OOS = "agent_trust_out_of_scope_attempts_total";
const a = (agent: string, phase = "assist") => ({ agent, phase });
const ev = (labels: Record<string, string>) => ({
  investigation: `ev-${Object.values(labels).join("-")}`,
  agent: "ev",
  phase: "remediation",
  tier: "simple",
  domain: "net",
  ...labels,
});

export const EVIDENCE_TESTS: PromtoolTest[] = [
  {
    interval: "1m",
    input_series: [
      // Accuracy over 1000 reviews: 91.9 % fires, 92 % (at the bound) and 92.1 % do not; all incorrect is 0 %, not "no data".
      ...(
        [
          ["acc-low", 919],
          ["acc-at", 920],
          ["acc-high", 921],
        ] as const
      ).flatMap(([agent, ok]) => [
        agentSeries(REVIEWS, agent, { verdict: "correct" }, ok),
        agentSeries(REVIEWS, agent, { verdict: "incorrect" }, 1000 - ok),
      ]),
      agentSeries(REVIEWS, "acc-zero", { verdict: "incorrect" }, 5),
      // Rollbacks out of 1000 completed remediations: 21 (2.1 %) fires, 20 (2 %, at the bound) and 19 do not; none is 0.
      ...(
        [
          ["rb-high", 21],
          ["rb-at", 20],
          ["rb-low", 19],
        ] as const
      ).flatMap(([agent, n]) => [
        agentSeries(REMEDIATIONS, agent, { result: "completed" }, 1000, "remediation"),
        agentSeries(ROLLBACKS, agent, {}, n, "remediation"),
      ]),
      agentSeries(REMEDIATIONS, "rb-none", { result: "completed" }, 1000, "remediation"),
      // Out of scope: one attempt fires; a series at 0 does not.
      agentSeries(OOS, "oos", {}, 1, "remediation"),
      agentSeries(OOS, "oos-zero", {}, 0, "remediation"),
      // Agent "ev": 5 investigations in 3 domains; verdicts 6 accepted, 2 with minimal edits, 2 rejected; escalations
      // 3 right of 4; remediations 99 completed, 1 failed, 1 rolled back.
      ...[
        ["resolved", "net", "1"],
        ["resolved", "db", "2"],
        ["resolved", "dns", "3"],
        ["escalated", "net", "4"],
        ["failed", "net", "5"],
      ].map(([outcome, domain, n]) =>
        series(
          "agent_trust_investigations_total",
          { ...ev({ outcome: outcome! }), domain: domain!, investigation: `ev-${n}` },
          "1x10",
        ),
      ),
      series("agent_trust_operator_verdicts_total", ev({ verdict: "accepted" }), "6x10"),
      series("agent_trust_operator_verdicts_total", ev({ verdict: "accepted_minimal_edits" }), "2x10"),
      series("agent_trust_operator_verdicts_total", ev({ verdict: "rejected" }), "2x10"),
      series("agent_trust_escalation_reviews_total", ev({ verdict: "correct" }), "3x10"),
      series("agent_trust_escalation_reviews_total", ev({ verdict: "incorrect" }), "1x10"),
      series(REMEDIATIONS, ev({ result: "completed" }), "99x10"),
      series(REMEDIATIONS, ev({ result: "failed" }), "1x10"),
      series(ROLLBACKS, ev({}), "1x10"),
    ],
    alert_rule_test: [
      alertCase("5m", "AgentTrustDemotionAccuracy", [
        expectAlert("AgentTrustDemotionAccuracy", a("acc-low"), 0.919),
        expectAlert("AgentTrustDemotionAccuracy", a("acc-zero"), 0),
      ]),
      alertCase("5m", "AgentTrustDemotionRollbackRate", [
        expectAlert("AgentTrustDemotionRollbackRate", a("rb-high", "remediation"), 0.021),
      ]),
      alertCase("5m", "AgentTrustDemotionOutOfScope", [
        expectAlert("AgentTrustDemotionOutOfScope", a("oos", "remediation"), 1),
      ]),
    ],
    promql_expr_test: [
      expr(`${RECORDED.accuracy}{agent=~"acc-.*"}`, "5m", [
        sample(RECORDED.accuracy, a("acc-at"), 0.92),
        sample(RECORDED.accuracy, a("acc-high"), 0.921),
        sample(RECORDED.accuracy, a("acc-low"), 0.919),
        sample(RECORDED.accuracy, a("acc-zero"), 0),
      ]),
      expr(`${RECORDED.rollbackRate}{agent=~"rb-.*|ev"}`, "5m", [
        sample(RECORDED.rollbackRate, a("ev", "remediation"), 1 / 99),
        sample(RECORDED.rollbackRate, a("rb-at", "remediation"), 0.02),
        sample(RECORDED.rollbackRate, a("rb-high", "remediation"), 0.021),
        sample(RECORDED.rollbackRate, a("rb-low", "remediation"), 0.019),
        sample(RECORDED.rollbackRate, a("rb-none", "remediation"), 0),
      ]),
      expr(`${RECORDED.investigations}{agent="ev"}`, "5m", [
        sample(RECORDED.investigations, a("ev", "remediation"), 5),
      ]),
      expr(`${RECORDED.domains}{agent="ev"}`, "5m", [sample(RECORDED.domains, a("ev", "remediation"), 3)]),
      expr(`${RECORDED.outcomes}{agent="ev"}`, "5m", [
        sample(RECORDED.outcomes, { ...a("ev", "remediation"), tier: "simple", outcome: "escalated" }, 1),
        sample(RECORDED.outcomes, { ...a("ev", "remediation"), tier: "simple", outcome: "failed" }, 1),
        sample(RECORDED.outcomes, { ...a("ev", "remediation"), tier: "simple", outcome: "resolved" }, 3),
      ]),
      expr(RECORDED.operatorAgreement, "5m", [sample(RECORDED.operatorAgreement, a("ev", "remediation"), 0.6)]),
      expr(RECORDED.minimalEditsAcceptance, "5m", [
        sample(RECORDED.minimalEditsAcceptance, a("ev", "remediation"), 0.8),
      ]),
      expr(RECORDED.escalationCorrectness, "5m", [
        sample(RECORDED.escalationCorrectness, a("ev", "remediation"), 0.75),
      ]),
      expr(`${RECORDED.completion}{agent="ev"}`, "5m", [sample(RECORDED.completion, a("ev", "remediation"), 0.99)]),
      expr(`${RECORDED.outOfScope}`, "5m", [
        sample(RECORDED.outOfScope, a("oos", "remediation"), 1),
        sample(RECORDED.outOfScope, a("oos-zero", "remediation"), 0),
      ]),
    ],
  },
];

const KSM = "kube_job_status_failed";
const job = (job_name: string, reason: string, namespace = "ai-agents") => ({ namespace, job_name, reason });

export const JOB_TESTS: PromtoolTest[] = [
  {
    interval: "1m",
    input_series: [
      series(KSM, job("diagnostic-assist-inc-1", "DeadlineExceeded"), "0 0 1 1 1"),
      series(KSM, job("diagnostic-assist-inc-2", "BackoffLimitExceeded"), "1x4"),
      series(KSM, job("other-inc-3", "DeadlineExceeded", "payments"), "1x4"),
      series(KSM, job("diagnostic-assist-inc-4", "DeadlineExceeded"), "0x4"),
    ],
    alert_rule_test: [
      alertCase("1m", "AgentTrustJobPastDeadline", []),
      alertCase("3m", "AgentTrustJobPastDeadline", [
        expectAlert("AgentTrustJobPastDeadline", job("diagnostic-assist-inc-1", "DeadlineExceeded"), 1),
      ]),
    ],
    promql_expr_test: [],
  },
];
