/**
 * Every physical name that must be fixed comes from here, so two stacks can never collide in one cluster or one
 * Vault: phase is part of every per-phase name, environment is part of every Vault name (environments may share
 * a Vault), and each name is checked against the limits of the system that stores it. Pure.
 */
import { PHASES, type Environment, type Phase } from "./phases";

export const LABELS = {
  phase: "agent-trust.io/phase",
  agent: "agent-trust.io/agent",
  environment: "agent-trust.io/environment",
  investigation: "agent-trust.io/investigation",
  tier: "agent-trust.io/tier",
  managedBy: "app.kubernetes.io/managed-by",
  partOf: "app.kubernetes.io/part-of",
} as const;

export const DEFAULTS = {
  namespace: "ai-agents",
  kvMount: "agent",
  authMount: "kubernetes",
  audience: "vault",
} as const;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws unless `value` is an RFC 1123 DNS label (what Kubernetes demands of namespace and most names). */
export function assertDnsLabel(value: string, what: string): string {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    throw new Error(`${what} "${value}" is not a DNS label (lowercase a-z, 0-9 and "-", at most 63 characters)`);
  }
  return value;
}

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** Names for everything one agent has in one phase of one environment. */
export interface AgentNames {
  readonly serviceAccount: string;
  readonly agentsRole: string;
  readonly targetRole: string;
  /** The executor ServiceAccount (agents namespace) and its Role and RoleBinding in each target namespace. */
  readonly executor: string;
  readonly networkPolicy: string;
  /** Name of the published PodTemplate of one resource tier. */
  readonly podTemplate: (tier: string) => string;
  readonly vaultRole: string;
  readonly vaultPolicy: (domain: string) => string;
  /** Name of one investigation's Job. */
  readonly job: (investigationId: string) => string;
}

/** The ServiceAccount of one agent in one phase, `<agent>-<phase>`: the base of every per-phase Kubernetes name. */
export function agentServiceAccount(agent: string, phase: Phase): string {
  const phaseWord = phaseWordIn(agent);
  if (phaseWord)
    throw new Error(
      `agent name "${agent}" contains the phase word "${phaseWord}" as a segment; names of different phases would collide`,
    );
  return assertDnsLabel(`${agent}-${phase}`, "ServiceAccount name");
}

export function agentNames(env: Environment, phase: Phase, agent: string): AgentNames {
  const base = agentServiceAccount(agent, phase);
  const vaultBase = `agent-trust-${env}-${agent}-${phase}`;
  return {
    serviceAccount: assertDnsLabel(base, "ServiceAccount name"),
    agentsRole: assertDnsLabel(`${base}-${ROLE_SUFFIXES.agents}`, "Role name"),
    targetRole: assertDnsLabel(`${base}-${ROLE_SUFFIXES.target}`, "Role name"),
    executor: executorServiceAccount(agent, phase),
    networkPolicy: assertDnsLabel(`${base}-${EGRESS_SUFFIX}`, "NetworkPolicy name"),
    podTemplate: (tier) => assertDnsLabel(`${base}-${tier}`, "PodTemplate name"),
    vaultRole: vaultBase,
    vaultPolicy: (domain) => `${vaultBase}-${domain}`,
    job: (investigationId) => assertDnsLabel(`${base}-${investigationId}`, "Job name"),
  };
}

/** Names the foundation of one environment owns. */
export const FOUNDATION_NAMES = {
  quota: "agent-trust-quota",
  limitRange: "agent-trust-limits",
  defaultDeny: "agent-trust-default-deny",
  dnsEgress: "agent-trust-dns-egress",
  /** The approval proxy's ServiceAccount, Deployment, Service and NetworkPolicy (namespaced). */
  approvalProxy: "agent-trust-approval-proxy",
  /** The Role and RoleBinding that let the foundation's approvers read and decide reviews. */
  approvers: "agent-trust-approvers",
} as const;

/**
 * Names of the cluster-scoped objects the approval proxy needs (TokenReview, impersonating its executors): one
 * per agents namespace, so two environments in one cluster never share them.
 */
export function approvalProxyClusterName(namespace: string): string {
  return `agent-trust-approval-proxy-${namespace}`;
}

/** The approval proxy's ServiceAccount username: the one identity that may create reviews and impersonate executors. */
export function approvalProxyUsername(namespace: string): string {
  return `system:serviceaccount:${namespace}:${FOUNDATION_NAMES.approvalProxy}`;
}

/**
 * The ServiceAccount an agent's approved requests are carried out as: `<agent>-<phase>-executor` in the agents
 * namespace, holding exactly the phase's approvable verbs. Only the approval proxy may impersonate it, and the
 * admission policies refuse any token, Pod or Secret for it (no credential of its own ever exists). Its name parses
 * as the agent's with the role `executor`.
 */
export function executorServiceAccount(agent: string, phase: Phase): string {
  return assertDnsLabel(`${agentServiceAccount(agent, phase)}-${EXECUTOR_SUFFIX}`, "ServiceAccount name");
}

/** The executor's username: `system:serviceaccount:<namespace>:<agent>-<phase>-executor`. */
export function executorUsername(namespace: string, agent: string, phase: Phase): string {
  return `system:serviceaccount:${namespace}:${executorServiceAccount(agent, phase)}`;
}

/** The agent and phase of an executor username of this namespace, if `executorUsername` builds exactly it. */
export function parseExecutorUsername(
  namespace: string,
  username: string,
): { readonly agent: string; readonly phase: Phase } | undefined {
  const prefix = `system:serviceaccount:${namespace}:`;
  if (!username.startsWith(prefix)) return undefined;
  const parsed = parseAgentName(username.slice(prefix.length));
  if (parsed?.role !== EXECUTOR_SUFFIX || !isDnsLabel(parsed.agent)) return undefined;
  return builds(
    "dev",
    parsed.phase,
    parsed.agent,
    () => executorUsername(namespace, parsed.agent, parsed.phase) === username,
  )
    ? { agent: parsed.agent, phase: parsed.phase }
    : undefined;
}

/** The agent and phase of a ServiceAccount username of this namespace (`system:serviceaccount:<ns>:<agent>-<phase>`). */
export function parseAgentUsername(
  namespace: string,
  username: string,
): { readonly agent: string; readonly phase: Phase } | undefined {
  const prefix = `system:serviceaccount:${namespace}:`;
  if (!username.startsWith(prefix)) return undefined;
  const parsed = parseAgentName(username.slice(prefix.length));
  if (parsed?.role !== "" || !isDnsLabel(parsed.agent)) return undefined;
  return `${prefix}${agentServiceAccount(parsed.agent, parsed.phase)}` === username
    ? { agent: parsed.agent, phase: parsed.phase }
    : undefined;
}

/**
 * The name of one held request's review: `<agent>-<phase>-review-<suffix>`, the suffix random (from the proxy) so
 * two held requests never share one. Refused unless it is a DNS subdomain-safe label.
 */
export function reviewName(agent: string, phase: Phase, suffix: string): string {
  return assertDnsLabel(`${agentServiceAccount(agent, phase)}-review-${suffix}`, "ApprovalReview name");
}

/** The investigation id of an investigation's pod name (`<agent>-<phase>-<investigation>-<random>`), if it is one. */
export function investigationOfPod(agent: string, phase: Phase, pod: string): string | undefined {
  const parsed = parseAgentName(pod);
  if (parsed?.agent !== agent || parsed.phase !== phase) return undefined;
  // A Job's pod is `<job>-<5 random>`; the Job is `<agent>-<phase>-<investigation>`.
  const m = /^(.+)-[a-z0-9]{5}$/.exec(parsed.role);
  return m?.[1];
}

/** Pulumi stack name of a phase stack: `dev-shadow`; the foundation stack is just the environment. */
export function stackName(env: Environment, phase?: Phase): string {
  return phase ? `${env}-${phase}` : env;
}

/** Namespaces no agent may target: the cluster's own. */
export const SYSTEM_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease", "default"];

/** The first `-`-separated segment of `name` that is a phase word, if any. */
export function phaseWordIn(name: string): Phase | undefined {
  return name.split("-").find((s): s is Phase => (PHASES as readonly string[]).includes(s));
}

/** What a per-phase Kubernetes name says: the agent, the phase, and the role after them (`""` for the ServiceAccount). */
export interface ParsedAgentName {
  readonly agent: string;
  readonly phase: Phase;
  /** `self`, `target`, `egress`, a tier, or an investigation id; empty for the ServiceAccount itself. */
  readonly role: string;
}

/**
 * Parses a name `agentNames` built: `<agent>-<phase>[-<role>]`. Agent names never hold a phase word as a segment
 * (refused in config and by `agentNames`), so the first phase word splits the name unambiguously. Undefined when
 * the name holds no phase word or no agent before it.
 */
export function parseAgentName(name: string): ParsedAgentName | undefined {
  const segments = name.split("-");
  const at = segments.findIndex((s) => (PHASES as readonly string[]).includes(s));
  if (at < 1 || segments.slice(0, at).some((s) => s === "")) return undefined;
  return {
    agent: segments.slice(0, at).join("-"),
    phase: segments[at] as Phase,
    role: segments.slice(at + 1).join("-"),
  };
}

/** The suffixes of the two Roles (and their bindings) an agent has per phase: its own namespace, and each target. */
export const ROLE_SUFFIXES = { agents: "self", target: "target" } as const;
/** The suffix of an agent's executor ServiceAccount (and of its Role and RoleBinding in each target namespace). */
export const EXECUTOR_SUFFIX = "executor";
/** The suffix of an agent's egress NetworkPolicy. */
export const EGRESS_SUFFIX = "egress";

/*
 * Parsing Vault names back (the inverse of `agentNames`). A name parses only when `agentNames` builds exactly it
 * again, so a phase or environment spelled differently, or an agent that is no DNS label, never parses.
 */

/** The agent whose Vault role `name` is in this environment and phase (`agent-trust-<env>-<agent>-<phase>`), if any. */
export function parseVaultRoleName(env: Environment, phase: Phase, name: string): string | undefined {
  const prefix = `agent-trust-${env}-`;
  const suffix = `-${phase}`;
  if (!name.startsWith(prefix) || !name.endsWith(suffix) || name.length <= prefix.length + suffix.length)
    return undefined;
  const agent = name.slice(prefix.length, -suffix.length);
  return builds(env, phase, agent, (n) => n.vaultRole === name) ? agent : undefined;
}

/** The agent and secret domain whose Vault policy `name` is (`agent-trust-<env>-<agent>-<phase>-<domain>`), if any. */
export function parseVaultPolicyName(
  env: Environment,
  phase: Phase,
  name: string,
  domains: readonly string[],
): { readonly agent: string; readonly domain: string } | undefined {
  for (const domain of domains) {
    const suffix = `-${domain}`;
    if (!name.endsWith(suffix)) continue;
    const agent = parseVaultRoleName(env, phase, name.slice(0, -suffix.length));
    if (agent !== undefined && builds(env, phase, agent, (n) => n.vaultPolicy(domain) === name))
      return { agent, domain };
  }
  return undefined;
}

/** The agent of a Vault role or policy name of this environment and phase (a role name first), or undefined. */
export function parseVaultName(
  env: Environment,
  phase: Phase,
  name: string,
  domains: readonly string[],
): string | undefined {
  return parseVaultRoleName(env, phase, name) ?? parseVaultPolicyName(env, phase, name, domains)?.agent;
}

/** Whether `agentNames` accepts `agent` and its names satisfy `test`. */
function builds(env: Environment, phase: Phase, agent: string, test: (n: AgentNames) => boolean): boolean {
  if (!isDnsLabel(agent)) return false;
  try {
    return test(agentNames(env, phase, agent));
  } catch {
    return false;
  }
}
