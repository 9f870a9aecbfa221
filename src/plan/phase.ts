/**
 * One phase stack, planned as plain objects: per agent a ServiceAccount, namespaced Roles and RoleBindings, an
 * egress NetworkPolicy, the investigation PodTemplates and the Vault role and policies. Pure.
 */
import type { AgentConfig, PhaseConfig } from "../config/schema";
import { agentsNamespaceRules, targetNamespaceRules } from "../model/catalog";
import { agentNames, LABELS } from "../model/naming";
import { ceilingMessage, isAbove } from "../model/phases";
import { planEgressPolicy } from "./egress";
import type { FoundationOutputs } from "../model/foundation";
import { baseLabels } from "./foundation";
import { planPodTemplate, TIERS } from "./job";
import type { Manifest } from "./manifest";
import { planAgentVault } from "./vault";

/** Objects of one agent, grouped so the Pulumi component can give each group its own parent. */
export interface AgentPlan {
  readonly agent: string;
  readonly kubernetes: Manifest[];
  readonly vault: Manifest[];
}

/** Raised when a phase stack does not fit its foundation; nothing may be created after it. */
export class PlanError extends Error {
  override readonly name = "PlanError";
}

/**
 * Refuses a phase stack whose foundation belongs to another environment or namespace, or whose phase is above
 * the ceiling. `allowAboveCeiling` (rendering only) excuses the ceiling, never a wrong foundation.
 */
export function checkAgainstFoundation(
  cfg: PhaseConfig,
  foundation: FoundationOutputs,
  options: { allowAboveCeiling?: boolean } = {},
): void {
  if (foundation.environment !== cfg.environment) {
    throw new PlanError(
      `phase stack is for environment "${cfg.environment}" but its foundation is "${foundation.environment}"; ` +
        `check agent-trust:foundationStack`,
    );
  }
  if (foundation.namespace !== cfg.namespace) {
    throw new PlanError(
      `agent-trust:namespace is "${cfg.namespace}" but the foundation created "${foundation.namespace}"`,
    );
  }
  if (!options.allowAboveCeiling && isAbove(cfg.phase, foundation.phaseCeiling)) {
    throw new PlanError(ceilingMessage(cfg.environment, cfg.phase, foundation.phaseCeiling));
  }
}

function roleAndBinding(
  name: string,
  namespace: string,
  serviceAccount: string,
  saNamespace: string,
  labels: Record<string, string>,
  rules: object[],
): Manifest[] {
  const metadata = { name, namespace, labels };
  return [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata,
      // Always a namespaced Role, never a ClusterRole: a binding to a ClusterRole imports rules we do not own.
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace: saNamespace }],
    },
  ];
}

function planAgent(cfg: PhaseConfig, foundation: FoundationOutputs, agent: AgentConfig): AgentPlan {
  const names = agentNames(cfg.environment, cfg.phase, agent.name);
  const labels = { ...baseLabels(cfg.environment), [LABELS.phase]: cfg.phase, [LABELS.agent]: agent.name };
  const ns = foundation.namespace;
  const serviceAccount: Manifest = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: names.serviceAccount,
      namespace: ns,
      labels,
      // The review that granted this phase travels with the identity, so the audit trail points back to it.
      ...(agent.promotion ? { annotations: { "agent-trust.io/promotion-reference": agent.promotion.reference } } : {}),
    },
    // Secure default: pods get no API token unless they project one explicitly (the Job template does).
    automountServiceAccountToken: false,
  };
  const self = roleAndBinding(names.agentsRole, ns, names.serviceAccount, ns, labels, agentsNamespaceRules());
  const targetRules = targetNamespaceRules(cfg.phase, agent.resourceNames ?? {});
  const targets = [...agent.targetNamespaces]
    .sort()
    .flatMap((t) => roleAndBinding(names.targetRole, t, names.serviceAccount, ns, labels, targetRules));
  const egress = planEgressPolicy(cfg.environment, cfg.phase, ns, agent, labels);
  const templates = TIERS.map((tier) => planPodTemplate(cfg, foundation, agent, tier, labels));
  return {
    agent: agent.name,
    kubernetes: [serviceAccount, ...self, ...targets, egress, ...templates],
    vault: planAgentVault(cfg, foundation, agent, labels),
  };
}

/**
 * Plans a phase stack. Checks the foundation first (environment and ceiling), so a refused phase produces no
 * objects at all. `allowAboveCeiling` is for rendering only: reviewers see what a promotion would grant.
 */
export function planPhase(
  cfg: PhaseConfig,
  foundation: FoundationOutputs,
  options: { allowAboveCeiling?: boolean } = {},
): AgentPlan[] {
  checkAgainstFoundation(cfg, foundation, options);
  return [...cfg.agents].sort((a, b) => a.name.localeCompare(b.name)).map((a) => planAgent(cfg, foundation, a));
}
