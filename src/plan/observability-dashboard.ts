/**
 * The Grafana dashboard of one environment (JSON for the Grafana sidecar loader): investigation-level panels
 * for cost by tier, the cycles distribution and the breaker, outcomes, and the evidence the promotion gates and
 * demotion rules read. Every query reads only contract metrics or the recording rules built from them. Pure.
 */
import { SIGNALS } from "../model/metrics";
import { RECORDED } from "./observability-rules";

interface Panel {
  readonly title: string;
  readonly type: "timeseries" | "stat" | "table" | "bargauge";
  readonly unit: string;
  readonly targets: readonly { readonly expr: string; readonly legend: string }[];
  readonly description: string;
}

const A = '{agent=~"$agent"}';

const PANELS: readonly Panel[] = [
  {
    title: "Cost by tier (30 d)",
    type: "timeseries",
    unit: "currencyUSD",
    description: "Spend of the investigations of the last 30 days, by tier.",
    targets: [{ expr: RECORDED.costByTier, legend: "{{tier}}" }],
  },
  {
    title: "Cost per investigation",
    type: "timeseries",
    unit: "currencyUSD",
    description: "Mean cost of one investigation, by tier and by agent, phase and domain.",
    targets: [
      { expr: RECORDED.costPerInvestigationByTier, legend: "{{tier}}" },
      { expr: `${RECORDED.costPerInvestigationByAgent}${A}`, legend: "{{agent}} {{phase}} {{domain}}" },
    ],
  },
  {
    title: "Share of spend in the top decile",
    type: "stat",
    unit: "percentunit",
    description: "Cost of the most expensive 10 % of investigations over all cost, by tier.",
    targets: [{ expr: RECORDED.topDecileShare, legend: "{{tier}}" }],
  },
  {
    title: "Reasoning cycles of resolved investigations",
    type: "bargauge",
    unit: "none",
    description: "How many investigations needed at most N cycles (cumulative buckets).",
    targets: [
      {
        expr: `sum by (tier, le) (max_over_time(agent_trust_investigation_reasoning_cycles_bucket{outcome="resolved", agent=~"$agent"}[${SIGNALS.p95Window}]))`,
        legend: "{{tier}} ≤ {{le}}",
      },
    ],
  },
  {
    title: "Circuit breaker: cycle limit and p95",
    type: "timeseries",
    unit: "none",
    description: `min(tier cap, ${SIGNALS.p95Factor} × p95 of resolved runs) per tier.`,
    targets: [
      { expr: RECORDED.breaker, legend: "limit {{tier}}" },
      { expr: RECORDED.p95Cycles, legend: "p95 {{tier}}" },
    ],
  },
  {
    title: "Running investigations: cycles so far",
    type: "table",
    unit: "none",
    description: "The live count the breaker alert compares with the limit.",
    targets: [
      {
        expr: `max by (investigation, agent, phase, tier) (agent_trust_reasoning_cycles_total${A})`,
        legend: "{{investigation}}",
      },
    ],
  },
  {
    title: "Outcomes (30 d)",
    type: "timeseries",
    unit: "none",
    description: "Resolved, escalated, circuit-broken and failed investigations.",
    targets: [{ expr: `${RECORDED.outcomes}${A}`, legend: "{{agent}} {{phase}} {{tier}} {{outcome}}" }],
  },
  {
    title: "LLM tokens per second",
    type: "timeseries",
    unit: "short",
    description: "Input and output tokens of running investigations.",
    targets: [
      {
        expr: `sum by (tier, token_type) (rate(agent_trust_llm_tokens_total${A}[5m]))`,
        legend: "{{tier}} {{token_type}}",
      },
    ],
  },
  {
    title: "Evidence for the promotion gates (30 d)",
    type: "table",
    unit: "none",
    description:
      "What the gates and demotion rules read: counts, then rates (accuracy, agreement, minimal-edits acceptance, escalation correctness, completion, rollback) and out-of-scope attempts.",
    targets: [
      { expr: `${RECORDED.investigations}${A}`, legend: "investigations" },
      { expr: `${RECORDED.domains}${A}`, legend: "domains" },
      { expr: `${RECORDED.accuracy}${A}`, legend: "accuracy" },
      { expr: `${RECORDED.operatorAgreement}${A}`, legend: "operator agreement" },
      { expr: `${RECORDED.minimalEditsAcceptance}${A}`, legend: "minimal edits acceptance" },
      { expr: `${RECORDED.escalationCorrectness}${A}`, legend: "escalation correctness" },
      { expr: `${RECORDED.completion}${A}`, legend: "completion" },
      { expr: `${RECORDED.rollbackRate}${A}`, legend: "rollback" },
      { expr: `${RECORDED.outOfScope}${A}`, legend: "out of scope" },
    ],
  },
];

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** The dashboard model (Grafana JSON), with a stable uid per environment. */
export function dashboard(environment: string): Record<string, unknown> {
  const panels = PANELS.map((p, i) => ({
    id: i + 1,
    title: p.title,
    description: p.description,
    type: p.type,
    datasource: DATASOURCE,
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
    targets: p.targets.map((t, j) => ({
      refId: String.fromCharCode(65 + j),
      datasource: DATASOURCE,
      expr: t.expr,
      legendFormat: t.legend,
    })),
  }));
  return {
    uid: `agent-trust-${environment}`,
    title: `agent-trust investigations (${environment})`,
    tags: ["agent-trust", environment],
    schemaVersion: 39,
    editable: false,
    time: { from: "now-7d", to: "now" },
    refresh: "1m",
    templating: {
      list: [
        { name: "datasource", type: "datasource", query: "prometheus", label: "Prometheus" },
        {
          name: "agent",
          type: "query",
          label: "agent",
          datasource: DATASOURCE,
          includeAll: true,
          multi: true,
          allValue: ".*",
          query: { query: `label_values(${RECORDED.investigations}, agent)`, refId: "agents" },
          definition: `label_values(${RECORDED.investigations}, agent)`,
          refresh: 2,
        },
      ],
    },
    panels,
  };
}

/** Every PromQL expression the dashboard runs: panel targets, and the series its variables read values from. */
export function dashboardQueries(d: Record<string, unknown>): string[] {
  const panels = d.panels as { targets: { expr: string }[] }[];
  const variables = ((d.templating as { list?: { type: string; definition?: string }[] }).list ?? [])
    .filter((v) => v.type === "query")
    .map((v) => {
      const m = /^label_values\((.+), *[a-zA-Z_][a-zA-Z0-9_]*\)$/.exec(v.definition ?? "");
      if (!m)
        throw new Error(
          `dashboard variable query ${JSON.stringify(v.definition)} is not label_values(<series>, <label>)`,
        );
      return m[1]!;
    });
  return [...panels.flatMap((p) => p.targets.map((t) => t.expr)), ...variables];
}
