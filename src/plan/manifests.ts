/**
 * The one flattening of a plan into the ordered list of objects that render writes, the rules judge, the sandbox
 * applies and the Pulumi-inputs-equal-rendered test compares: the order is part of the rendered bytes.
 */
import type { Manifest } from "../model/manifest";
import type { FoundationPlan } from "./foundation";
import type { AgentPlan } from "./phase";

export type Plan = FoundationPlan | AgentPlan | readonly AgentPlan[];

function isAgentList(plan: Plan): plan is readonly AgentPlan[] {
  return Array.isArray(plan);
}

/** A plan's objects: Kubernetes first and Vault last, each in plan order (agents in the order given). */
export function manifestsOf(plan: Plan): Manifest[] {
  if (isAgentList(plan)) return plan.flatMap((p) => manifestsOf(p));
  if (plan.layer === "agent") {
    return [
      plan.serviceAccount,
      ...plan.grants.flatMap((g) => [g.role, g.binding]),
      plan.egress,
      ...plan.podTemplates,
      ...plan.vault.policies,
      plan.vault.role,
    ];
  }
  const { guards, admission, vault } = plan;
  return [
    plan.namespace,
    guards.quota,
    guards.limitRange,
    guards.defaultDeny,
    guards.dnsEgress,
    admission.params,
    ...admission.rules.flatMap((r) => [r.policy, r.binding]),
    ...plan.observability,
    vault.authBackend,
    vault.authConfig,
    vault.kvMount,
  ];
}
