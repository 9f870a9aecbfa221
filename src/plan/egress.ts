/**
 * The egress NetworkPolicy of one agent in one phase: only the destinations of the egress classes the phase
 * allows, broad CIDRs carved so they never reach private networks or the cloud metadata service. Pure.
 */
import type { EgressDestination } from "../config/egress-schema";
import type { AgentConfig } from "../config/schema";
import { CATALOG } from "../model/catalog";
import { requiredExcepts } from "../model/cidr";
import { agentNames, LABELS } from "../model/naming";
import type { Environment, Phase } from "../model/phases";
import type { Manifest } from "../model/manifest";
import { PROXY_POD_LABELS, PROXY_PORT } from "./approval-endpoint";

const PROXY_PORT_RULE = { port: PROXY_PORT, protocol: "TCP" } as const;

function peer(dest: EgressDestination): Record<string, unknown> {
  if ("cidr" in dest) {
    const except = requiredExcepts(dest.cidr);
    return { ipBlock: except.length > 0 ? { cidr: dest.cidr, except } : { cidr: dest.cidr } };
  }
  const out: Record<string, unknown> = { namespaceSelector: { matchLabels: { ...dest.namespaceSelector } } };
  if (dest.podSelector) out.podSelector = { matchLabels: { ...dest.podSelector } };
  return out;
}

/** Selects the pods of exactly this agent in exactly this phase. */
export function agentPodSelector(agent: string, phase: Phase): Record<string, string> {
  return { [LABELS.agent]: agent, [LABELS.phase]: phase };
}

export function planEgressPolicy(
  env: Environment,
  phase: Phase,
  namespace: string,
  agent: AgentConfig,
  labels: Record<string, string>,
  viaProxy = false,
): Manifest {
  const allowed = CATALOG[phase].egress;
  const egress = allowed.flatMap((cls) =>
    (agent.egress[cls] ?? []).map((dest) => ({
      to: [peer(dest)],
      ports: dest.ports.map((p) => ({ port: p.port, protocol: p.protocol })),
    })),
  );
  // The approval proxy (same namespace) when the agent's client talks to it: its pods and its port, nothing else.
  if (viaProxy)
    egress.push({ to: [{ podSelector: { matchLabels: { ...PROXY_POD_LABELS } } }], ports: [PROXY_PORT_RULE] });
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: agentNames(env, phase, agent.name).networkPolicy,
      namespace,
      labels,
      annotations: { "agent-trust.io/egress-classes": allowed.join(",") },
    },
    spec: {
      podSelector: { matchLabels: agentPodSelector(agent.name, phase) },
      // Ingress is listed with no rules: agent pods accept no connections even if the default deny is lost.
      policyTypes: ["Ingress", "Egress"],
      egress,
    },
  };
}
