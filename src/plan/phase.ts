/**
 * One phase stack, planned as plain objects: per agent a ServiceAccount, namespaced Roles and RoleBindings, an
 * egress NetworkPolicy, the investigation PodTemplates and the Vault role and policies. Pure.
 */
import type { AgentConfig, PhaseConfig } from "../config/schema";
import { agentsNamespaceRules, executorRules, targetNamespaceRules } from "../model/catalog";
import { agentNames, LABELS, type AgentNames } from "../model/naming";
import { ceilingMessage, isAbove } from "../model/phases";
import { planEgressPolicy } from "./egress";
import type { FoundationOutputs } from "../model/foundation";
import { baseLabels } from "./foundation";
import { proxyFor } from "./approval-endpoint";
import { planPodTemplate, TIERS } from "./job";
import type { Manifest } from "../model/manifest";
import { planAgentVault, type AgentVaultPlan } from "./vault";

/** A namespaced Role and the RoleBinding that binds exactly it to the agent's ServiceAccount. */
export interface RoleGrant {
  readonly role: Manifest;
  readonly binding: Manifest;
}

/**
 * The executor identity of an agent whose phase has approvable actions, where the foundation runs the approval
 * proxy: the ServiceAccount the proxy impersonates to carry out an approved request, and its Role and RoleBinding
 * in each target namespace (sorted), holding exactly the phase's approvable verbs. No credential of it ever exists
 * (admission refuses one).
 */
export interface ExecutorPlan {
  readonly serviceAccount: Manifest;
  readonly grants: readonly RoleGrant[];
}

/**
 * Everything one agent has in one phase, by what each object is: components and readers take the part they
 * need by name, and `manifestsOf` (./manifests) lays them out as the one ordered list render and the rules see.
 */
export interface AgentPlan {
  readonly layer: "agent";
  readonly agent: string;
  readonly names: AgentNames;
  readonly serviceAccount: Manifest;
  /** The Role in the agents' namespace first, then one per target namespace (sorted). */
  readonly grants: readonly RoleGrant[];
  /** Undefined for a phase with nothing approvable. */
  readonly executor: ExecutorPlan | undefined;
  readonly egress: Manifest;
  /** One per resource tier, in tier order. */
  readonly podTemplates: readonly Manifest[];
  readonly vault: AgentVaultPlan;
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
): RoleGrant {
  const metadata = { name, namespace, labels };
  return {
    role: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules },
    binding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata,
      // Always a namespaced Role, never a ClusterRole: a binding to a ClusterRole imports rules we do not own.
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: serviceAccount, namespace: saNamespace }],
    },
  };
}

function planExecutor(
  cfg: PhaseConfig,
  agent: AgentConfig,
  names: AgentNames,
  ns: string,
  labels: Record<string, string>,
  viaProxy: boolean,
): ExecutorPlan | undefined {
  // Only where the foundation runs the proxy (the one identity that may act as an executor) and the phase approves
  // something: an executor nobody can act as would be an identity without a purpose.
  if (!viaProxy) return undefined;
  const serviceAccount: Manifest = {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: names.executor, namespace: ns, labels },
    // Never mounted anywhere: only the approval proxy acts as it, by impersonation.
    automountServiceAccountToken: false,
  };
  const rules = executorRules(cfg.phase, agent.resourceNames ?? {});
  const grants = [...agent.targetNamespaces]
    .sort()
    .map((t) => roleAndBinding(names.executor, t, names.executor, ns, labels, rules));
  return { serviceAccount, grants };
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
    .map((t) => roleAndBinding(names.targetRole, t, names.serviceAccount, ns, labels, targetRules));
  return {
    layer: "agent",
    agent: agent.name,
    names,
    serviceAccount,
    grants: [self, ...targets],
    executor: planExecutor(cfg, agent, names, ns, labels, proxyFor(cfg, foundation) !== undefined),
    egress: planEgressPolicy(cfg.environment, cfg.phase, ns, agent, labels, proxyFor(cfg, foundation) !== undefined),
    podTemplates: TIERS.map((tier) => planPodTemplate(cfg, foundation, agent, tier, labels)),
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
