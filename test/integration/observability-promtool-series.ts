/**
 * The building blocks of the `promtool test rules` cases (observability-promtool-cases.ts and
 * observability-promtool-evidence-cases.ts): series, expected samples and expected alerts. Expected annotations are
 * expanded here from the planned rules' own templates, so a template that does not render the way the test expects
 * fails the test.
 */
import { planRuleGroups, type AlertingRule } from "../../src/plan/observability-rules";

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
export const sample = (name: string, labels: Record<string, string>, value: number) => ({
  labels: `${name}${sel(labels)}`,
  value,
});
export const expr = (e: string, eval_time: string, exp_samples: ReturnType<typeof sample>[]) => ({
  expr: e,
  eval_time,
  exp_samples,
});
