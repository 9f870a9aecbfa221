/**
 * The one flattening of a plan into the ordered list of objects that render writes, the rules judge, the sandbox
 * applies and the Pulumi-inputs-equal-rendered test compares: the order is part of the rendered bytes.
 */
import type { Manifest } from "../model/manifest";
import type { ApprovalPlan } from "./approval";
import type { FoundationPlan } from "./foundation";
import type { AgentPlan } from "./phase";

export type Plan = FoundationPlan | AgentPlan | readonly AgentPlan[];

function isAgentList(plan: Plan): plan is readonly AgentPlan[] {
  return Array.isArray(plan);
}

/** A plan's objects: Kubernetes first and Vault last, each in plan order (agents in the order given). */
/**
 * The approval objects in apply order: the CRD first (its resource must exist before anything names it), the
 * identity and its grants next, the Deployment last, once everything it needs is there.
 */
export function approvalManifests(a: ApprovalPlan | undefined): Manifest[] {
  if (!a) return [];
  return [
    a.crd,
    a.serviceAccount,
    a.proxyRole.role,
    a.proxyRole.binding,
    a.proxyClusterRole.role,
    a.proxyClusterRole.binding,
    a.approvers.role,
    a.approvers.binding,
    a.service,
    a.networkPolicy,
    a.deployment,
  ];
}

export function manifestsOf(plan: Plan): Manifest[] {
  if (isAgentList(plan)) return plan.flatMap((p) => manifestsOf(p));
  if (plan.layer === "agent") {
    return [
      plan.serviceAccount,
      ...plan.grants.flatMap((g) => [g.role, g.binding]),
      ...(plan.executor
        ? [plan.executor.serviceAccount, ...plan.executor.grants.flatMap((g) => [g.role, g.binding])]
        : []),
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
    ...approvalManifests(plan.approval),
    ...plan.observability,
    vault.authBackend,
    vault.authConfig,
    vault.kvMount,
  ];
}
