/**
 * Real requests as each agent, and their trace in the audit log. Each phase's agent runs as an investigation
 * would: a Pod named after its investigation's Job (`<job>-<random>`) is created, and the agent's token is bound
 * to that Pod by TokenRequest, as the kubelet does. The agent then reads, is refused a secret and attempts a
 * write; the API server's JSON audit log must hold each request at the level the rendered policy promises
 * (writes RequestResponse, reads and secrets Metadata), and each event's pod name must map back to exactly the
 * investigation that made it.
 */
import * as fs from "node:fs";
import type { KubeConfig } from "@kubernetes/client-node";
import type { AgentConfig } from "../../config/schema";
import { targetNamespaceRules } from "../../model/catalog";
import { agentNames, LABELS } from "../../model/naming";
import { PHASES, type Phase } from "../../model/phases";
import { AUDIT_LEVELS } from "../../plan/audit";
import { investigationJob, investigationOfPod } from "../../plan/job";
import type { Manifest } from "../../model/manifest";
import { RESTART_ANNOTATION } from "../../admission/rules";
import { deployment } from "./admission-fixtures";
import type { SandboxEnvironment } from "../deploy/environment";
import { applyAll, kubeOk, kubeRequest, tokenKubeConfig } from "../servers/kube";
import { investigationPod, POD_VARIANTS } from "./pod-variants";
import { rulesAllow } from "./rbac-eval";
import type { CheckResult, Outcome } from "./results";
import { requestToken } from "../servers/tokens";

export const POD_NAME_EXTRA = "authentication.kubernetes.io/pod-name";

interface AuditEvent {
  level?: string;
  stage?: string;
  requestURI?: string;
  verb?: string;
  user?: { username?: string; extra?: Record<string, string[]> };
  responseStatus?: { code?: number };
}

export function readAuditLog(file: string): AuditEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditEvent);
}

interface Probe {
  readonly object: string;
  readonly method: "GET" | "PATCH";
  readonly verb: "list" | "patch";
  readonly uri: string;
  readonly body?: unknown;
  readonly expected: Outcome;
  readonly basis: string;
  readonly level: string;
}

function probes(agent: AgentConfig, phase: Phase): Probe[] {
  const ns = [...agent.targetNamespaces].sort()[0]!;
  const rules = targetNamespaceRules(phase, agent.resourceNames ?? {});
  const dep = agent.resourceNames?.deployments?.[0] ?? "agent-trust-admission-web";
  const allow = (verb: string, apiGroup: string, resource: string, name?: string): Outcome =>
    rulesAllow(rules, { verb, apiGroup, resource, ...(name ? { name } : {}) }) ? "allow" : "deny";
  return [
    {
      object: "pods in a target ns",
      method: "GET",
      verb: "list",
      uri: `/api/v1/namespaces/${ns}/pods`,
      expected: allow("list", "", "pods"),
      basis: "catalog",
      level: AUDIT_LEVELS.agentRead,
    },
    {
      object: "secrets in a target ns",
      method: "GET",
      verb: "list",
      uri: `/api/v1/namespaces/${ns}/secrets`,
      expected: "deny",
      basis: "forbidden",
      level: AUDIT_LEVELS.sensitive,
    },
    {
      object: "rollout restart of a deployment",
      method: "PATCH",
      verb: "patch",
      uri: `/apis/apps/v1/namespaces/${ns}/deployments/${dep}`,
      body: { spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: "2026-01-01T00:00:00Z" } } } } },
      expected: allow("patch", "apps", "deployments", dep),
      basis: "catalog",
      level: AUDIT_LEVELS.agentWrite,
    },
  ];
}

/** The pod an investigation's Job would run, created directly (nothing runs Jobs here), named `<job>-<random>`. */
async function investigationPodFor(
  admin: KubeConfig,
  template: Manifest,
  investigationId: string,
): Promise<{ name: string; uid: string }> {
  const job = investigationJob(template, {
    investigationId,
    tier: template.metadata.labels?.[LABELS.tier] as "simple",
  });
  const pod = investigationPod(template, POD_VARIANTS[0]!);
  const labels = (job.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
  const created = await kubeOk(admin, "POST", `/api/v1/namespaces/${template.metadata.namespace}/pods`, {
    ...pod,
    metadata: {
      generateName: `${job.metadata.name}-`,
      namespace: template.metadata.namespace,
      labels: { ...labels, "job-name": job.metadata.name },
    },
  });
  const meta = created.metadata as { name: string; uid: string };
  return { name: meta.name, uid: meta.uid };
}

/**
 * A token of `agent`'s ServiceAccount bound to a new pod of its published PodTemplate for `investigation`, as the
 * kubelet projects it into the Job's pod: the API server then names the pod (and so the investigation) in audit
 * events and in the user extras the approval proxy reads.
 */
export async function investigationToken(
  kc: KubeConfig,
  env: SandboxEnvironment,
  phase: Phase,
  agent: string,
  investigation: string,
): Promise<{ token: string; pod: { name: string; uid: string } }> {
  const sa = agentNames(env.environment, phase, agent).serviceAccount;
  const template = env.phases[phase].kubernetes.find(
    (m) => m.kind === "PodTemplate" && m.metadata.labels?.[LABELS.agent] === agent,
  );
  if (!template) throw new Error(`phase ${phase} publishes no PodTemplate for agent ${agent}`);
  const pod = await investigationPodFor(kc, template, investigation);
  const bound = await kubeOk(kc, "POST", `/api/v1/namespaces/${env.namespace}/serviceaccounts/${sa}/token`, {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: {
      expirationSeconds: 600,
      boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.name, uid: pod.uid },
    },
  });
  const token = (bound.status as { token?: string } | undefined)?.token;
  if (!token) throw new Error(`TokenRequest bound to pod ${pod.name} returned no token`);
  return { token, pod };
}

export async function verifyAudit(kc: KubeConfig, env: SandboxEnvironment, auditLog: string): Promise<CheckResult[]> {
  const made: {
    phase: Phase;
    agent: string;
    user: string;
    p: Probe;
    status: number;
    pod?: string;
    investigation?: string;
  }[] = [];
  for (const phase of PHASES) {
    for (const agent of env.agents[phase]) {
      const sa = agentNames(env.environment, phase, agent.name).serviceAccount;
      const user = `system:serviceaccount:${env.namespace}:${sa}`;
      const investigation = `audit-${phase}`;
      const { token, pod } = await investigationToken(kc, env, phase, agent.name, investigation);
      const asAgent = tokenKubeConfig(kc, token, `${sa}-${investigation}`);
      const ns = [...agent.targetNamespaces].sort()[0]!;
      await applyAll(kc, [deployment(agent.resourceNames?.deployments?.[0] ?? "agent-trust-admission-web", ns, 2)]);
      for (const p of probes(agent, phase)) {
        const r = await kubeRequest(asAgent, p.method, p.uri, p.body, "application/strategic-merge-patch+json");
        made.push({ phase, agent: agent.name, user, p, status: r.status, pod: pod.name, investigation });
      }
      // The token the agent's pod carries is minted for Vault; the API server must not accept it at all.
      const vaultToken = await requestToken(kc, env.namespace, sa, [env.foundation.config.vault.audience]);
      const first = probes(agent, phase)[0]!;
      const r = await kubeRequest(tokenKubeConfig(kc, vaultToken, `${sa}-vault`), "GET", first.uri);
      made.push({
        phase,
        agent: agent.name,
        user,
        p: { ...first, object: `${first.object} with its Vault-audience token`, expected: "deny", basis: "audience" },
        status: r.status,
      });
    }
  }
  const events = readAuditLog(auditLog).filter((e) => e.stage === "ResponseComplete");
  const results: CheckResult[] = [];
  for (const m of made) {
    const base = { section: "audit" as const, phase: m.phase, agent: m.agent, object: m.p.object };
    const refused = m.p.basis === "audience" ? 401 : 403;
    const measured = m.status === 200 ? "allow" : m.status === refused ? "deny" : "error";
    results.push({
      ...base,
      scope: "real request",
      verb: m.p.verb,
      expected: m.p.expected,
      basis: m.p.basis,
      measured,
      detail: `HTTP ${m.status}`,
    });
    // An unauthenticated request has no user to attribute; only authenticated ones must be on record.
    if (m.p.basis === "audience") continue;
    const hit = events.find(
      (e) =>
        e.user?.username === m.user &&
        e.requestURI === m.p.uri &&
        e.verb === m.p.verb &&
        e.user.extra?.[POD_NAME_EXTRA]?.[0] === m.pod,
    );
    const recorded = hit?.level === m.p.level && hit.responseStatus?.code === m.status;
    results.push({
      ...base,
      scope: "audit log",
      verb: "recorded",
      object: `${m.p.object} at ${m.p.level}`,
      expected: "allow",
      basis: "audit policy",
      measured: recorded ? "allow" : "deny",
      detail: hit ? `level ${hit.level}, code ${hit.responseStatus?.code}` : "no event",
    });
    const podName = hit?.user?.extra?.[POD_NAME_EXTRA]?.[0];
    const traced = podName ? investigationOfPod(m.user, podName) : undefined;
    results.push({
      ...base,
      scope: "audit log",
      verb: "recorded",
      object: `${m.p.object}: names its investigation's pod`,
      expected: "allow",
      basis: "bound token",
      measured: traced?.investigationId === m.investigation ? "allow" : "deny",
      detail: podName
        ? `pod ${podName} → investigation ${traced?.investigationId ?? "none"}`
        : "no pod name in the event",
    });
  }
  return results;
}
