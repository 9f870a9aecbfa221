/**
 * Measures the network matrix: every case of `expect-network.ts` is put to cyclonus, which judges it against
 * NetworkPolicies — in the sandbox those the API server stores (read back, after defaulting), offline those the
 * plan renders. The agent pods are the Job pods of the published PodTemplates, and the agents namespace carries
 * the labels it really has, so a policy that selects the wrong pods shows up as well as one that opens too much.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { LABELS } from "../../model/naming";
import { isPhase } from "../../model/phases";
import type { Manifest } from "../../model/manifest";
import { investigationJob, TIERS, type Tier } from "../../plan/job";
import { queryTraffic } from "./cyclonus";
import type { SandboxEnvironment } from "../deploy/environment";
import { networkMatrix, type NetworkCheck, type SourcePod } from "./expect-network";
import { kubeOk } from "../servers/kube";
import { policyProbes } from "./network-probes";
import type { CheckResult } from "./results";

/** What the network layer is judged on. */
export interface NetworkWorld {
  /** Every NetworkPolicy in force, in every namespace. */
  readonly policies: readonly Manifest[];
  /** The environment's published PodTemplates (agents namespace). */
  readonly podTemplates: readonly Manifest[];
  readonly namespaceLabels: Readonly<Record<string, string>>;
}

export type NetworkResult = NetworkCheck & CheckResult;

/** The rendered desired state: the foundation's and every phase stack's NetworkPolicies and PodTemplates. */
export function renderedWorld(env: SandboxEnvironment): NetworkWorld {
  const all = [env.foundation, ...Object.values(env.phases)].flatMap((r) => r.kubernetes);
  const ns = all.find((m) => m.kind === "Namespace" && m.metadata.name === env.namespace);
  if (!ns) throw new Error(`the foundation renders no Namespace "${env.namespace}"`);
  return {
    policies: all.filter((m) => m.kind === "NetworkPolicy"),
    podTemplates: all.filter((m) => m.kind === "PodTemplate"),
    // The API server adds this label to every namespace.
    namespaceLabels: { ...ns.metadata.labels, "kubernetes.io/metadata.name": env.namespace },
  };
}

/** What the API server stores: all NetworkPolicies, the environment's PodTemplates and the namespace's labels. */
export async function storedWorld(kc: KubeConfig, env: SandboxEnvironment): Promise<NetworkWorld> {
  const items = (body: Record<string, unknown>) => (body.items ?? []) as Manifest[];
  const policies = items(await kubeOk(kc, "GET", "/apis/networking.k8s.io/v1/networkpolicies")).map((p) => ({
    ...p,
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
  }));
  const selector = encodeURIComponent(`${LABELS.environment}=${env.environment}`);
  const podTemplates = items(
    await kubeOk(kc, "GET", `/api/v1/namespaces/${env.namespace}/podtemplates?labelSelector=${selector}`),
  ).map((t) => ({ ...t, apiVersion: "v1", kind: "PodTemplate" }));
  const ns = (await kubeOk(kc, "GET", `/api/v1/namespaces/${env.namespace}`)) as unknown as Manifest;
  return { policies, podTemplates, namespaceLabels: { ...ns.metadata.labels } };
}

/** The Job pod of each published PodTemplate, as a launcher would create it (`investigationJob`). */
export function sourcePods(templates: readonly Manifest[]): SourcePod[] {
  return templates.map((t) => {
    const labels = t.metadata.labels ?? {};
    const [phase, agent, tier] = [labels[LABELS.phase], labels[LABELS.agent], labels[LABELS.tier]];
    if (!isPhase(phase) || !agent || !(TIERS as readonly string[]).includes(tier ?? "")) {
      throw new Error(`PodTemplate ${t.metadata.name} lacks a valid phase, agent or tier label`);
    }
    const job = investigationJob(t, { investigationId: "netcheck", tier: tier as Tier });
    const pod =
      (job.spec as { template: { metadata: { labels?: Record<string, string> } } }).template.metadata.labels ?? {};
    return { phase, agent, tier: tier!, labels: pod };
  });
}

/** Every case for `env`, judged by cyclonus against `world`. */
export async function judgeNetwork(
  cyclonus: string,
  env: SandboxEnvironment,
  world: NetworkWorld,
): Promise<NetworkResult[]> {
  const expected = Object.values(env.phases).reduce(
    (n, r) => n + r.kubernetes.filter((m) => m.kind === "PodTemplate").length,
    0,
  );
  if (world.podTemplates.length !== expected)
    throw new Error(`found ${world.podTemplates.length} published PodTemplates, expected ${expected}`);
  const checks = networkMatrix({
    environment: env.environment,
    namespace: env.namespace,
    namespaceLabels: world.namespaceLabels,
    agents: env.agents,
    sources: sourcePods(world.podTemplates),
    probes: policyProbes(world.policies),
    approvalProxy: env.foundation.config.approval !== undefined,
  });
  const verdicts = await queryTraffic(
    cyclonus,
    world.policies,
    checks.map((c) => c.traffic),
  );
  return checks.map((c, i) => ({
    ...c,
    measured: verdicts[i] ? "allow" : "deny",
    detail: `tier ${c.tier}, ${world.policies.length} NetworkPolicies`,
  }));
}

/** The sandbox's network section: the stored policies. */
export async function verifyNetwork(
  kc: KubeConfig,
  env: SandboxEnvironment,
  cyclonus: string,
): Promise<NetworkResult[]> {
  return judgeNetwork(cyclonus, env, await storedWorld(kc, env));
}
