/**
 * Synthetic series and expectations for `promtool test rules`, the trust-evidence cases (accuracy, rollbacks, out
 * of scope, and the recorded evidence of one agent); re-exported by observability-promtool-cases.ts. Every value
 * below is worked out by hand in the comments.
 */
import { RECORDED } from "../../src/plan/observability-rules";
import { alertCase, expectAlert, expr, sample, series, type PromtoolTest } from "./observability-promtool-series";

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
