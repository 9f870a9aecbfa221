/**
 * The foundation's PrometheusRule holds the safety signals of the trust model: the reasoning-cycle circuit breaker,
 * the cost anomaly, the Job deadline and the evidence the demotion rules read. Nothing in it depends on a stack's
 * config but the agents namespace, so the object must be exactly what the planner produces: a silenced alert, a
 * loosened threshold or an extra group is refused, with the first differences named. Pure.
 */
import type { Manifest } from "../model/manifest";
import { planRuleGroups } from "../plan/observability-rules";
import { field, isObj, joinAt, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";

const MAX_REPORTED = 3;

/** The paths where `got` differs from `want` (objects by key, arrays by position), at most `MAX_REPORTED`. */
export function differences(got: unknown, want: unknown, at: string, out: string[]): void {
  if (out.length >= MAX_REPORTED) return;
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return void out.push(`${at} is ${show(got)}; the plan has a list of ${want.length}`);
    if (got.length !== want.length) out.push(`${at} has ${got.length} item(s); the plan has ${want.length}`);
    for (let i = 0; i < Math.min(got.length, want.length); i++) differences(got[i], want[i], joinAt(at, i), out);
    return;
  }
  if (isObj(want)) {
    if (!isObj(got)) return void out.push(`${at} is ${show(got)}; the plan has an object`);
    for (const k of new Set([...Object.keys(want), ...Object.keys(got)])) {
      if (!Object.hasOwn(want, k)) out.push(`${joinAt(at, k)} is not in the plan`);
      else if (!Object.hasOwn(got, k)) out.push(`${joinAt(at, k)} is missing; the plan has ${show(want[k])}`);
      else differences(got[k], want[k], joinAt(at, k), out);
      if (out.length >= MAX_REPORTED) return;
    }
    return;
  }
  if (got !== want) out.push(`${at} is ${show(got)}; the plan has ${show(want)}`);
}

function judge(obj: Manifest, ctx: RuleContext): string[] {
  const out: string[] = [];
  const ns = obj.metadata?.namespace;
  if (ns !== ctx.namespace)
    out.push(`the PrometheusRule is in namespace ${show(ns)}; the plan puts it in ${ctx.namespace}`);
  const diffs: string[] = [];
  differences(field(obj, "spec", "groups"), planRuleGroups(ctx.namespace), "spec.groups", diffs);
  if (diffs.length > 0) out.push(`the safety rules differ from the plan: ${diffs.join("; ")}`);
  return out;
}

export const prometheusRulesAsPlanned: ResourceRule = {
  name: "prometheus-rules-as-planned",
  domain: "cluster",
  scope: "resource",
  security: true,
  kinds: ["PrometheusRule"],
  settings: ["namespace"],
  reads: ["metadata.namespace", "spec.groups"],
  description:
    "The foundation's PrometheusRule (circuit breaker, cost anomaly, Job deadline and the demotion evidence) is exactly what " +
    "the planner renders for the agents namespace: a silenced alert or loosened threshold is refused.",
  remediationSteps:
    "Render the foundation again (`agent-trust render <env>`) and deploy its PrometheusRule unchanged; change thresholds in the catalog.",
  appliesTo: (obj) => obj.apiVersion === "monitoring.coreos.com/v1",
  validate: judge,
};
