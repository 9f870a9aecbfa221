/**
 * Synthetic series and expectations for `promtool test rules` (used by observability-promtool.test.ts): the
 * reasoning circuit breaker, cost and Job cases here, the trust-evidence cases in
 * observability-promtool-evidence-cases.ts, the building blocks in observability-promtool-series.ts. Every value
 * below is worked out by hand in the comments.
 */
import { RECORDED } from "../../src/plan/observability-rules";
import { alertCase, expectAlert, expr, sample, series, type PromtoolTest } from "./observability-promtool-series";

export { alertCase, expectAlert, series, type PromtoolTest } from "./observability-promtool-series";
export { EVIDENCE_TESTS } from "./observability-promtool-evidence-cases";

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
