/**
 * Real requests as each agent, and their trace in the audit log. A SubjectAccessReview asks the authorizer a
 * hypothetical question; here each phase's ServiceAccount makes an actual request with its own token (one the
 * catalog allows, one the never-lists forbid), the status is measured, and the API server's JSON audit log must
 * hold both at RequestResponse level under the agent's own username, as the rendered audit policy demands.
 */
import * as fs from "node:fs";
import type { KubeConfig } from "@kubernetes/client-node";
import type { AgentConfig } from "../config/schema";
import { targetNamespaceRules } from "../model/catalog";
import { agentNames } from "../model/naming";
import { PHASES, type Phase } from "../model/phases";
import type { SandboxEnvironment } from "./environment";
import { kubeRequest, tokenKubeConfig } from "./kube";
import { rulesAllow } from "./rbac-eval";
import type { CheckResult, Outcome } from "./results";
import { requestToken } from "./tokens";

interface AuditEvent {
  level?: string;
  stage?: string;
  requestURI?: string;
  verb?: string;
  user?: { username?: string };
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
  readonly uri: string;
  readonly expected: Outcome;
  readonly basis: string;
}

function probes(agent: AgentConfig, phase: Phase): Probe[] {
  const ns = [...agent.targetNamespaces].sort()[0]!;
  const rules = targetNamespaceRules(phase, agent.resourceNames ?? {});
  return [
    {
      object: "pods in a target ns",
      uri: `/api/v1/namespaces/${ns}/pods`,
      expected: rulesAllow(rules, { verb: "list", apiGroup: "", resource: "pods" }) ? "allow" : "deny",
      basis: "catalog",
    },
    { object: "secrets in a target ns", uri: `/api/v1/namespaces/${ns}/secrets`, expected: "deny", basis: "forbidden" },
  ];
}

export async function verifyAudit(kc: KubeConfig, env: SandboxEnvironment, auditLog: string): Promise<CheckResult[]> {
  const made: { phase: Phase; agent: string; user: string; p: Probe; status: number }[] = [];
  for (const phase of PHASES) {
    for (const agent of env.agents[phase]) {
      const sa = agentNames(env.environment, phase, agent.name).serviceAccount;
      const user = `system:serviceaccount:${env.namespace}:${sa}`;
      const asAgent = tokenKubeConfig(kc, await requestToken(kc, env.namespace, sa), sa);
      for (const p of probes(agent, phase)) {
        const r = await kubeRequest(asAgent, "GET", p.uri);
        made.push({ phase, agent: agent.name, user, p, status: r.status });
      }
      // The token the agent's pod carries is minted for Vault; the API server must not accept it at all.
      const vaultToken = await requestToken(kc, env.namespace, sa, [env.foundation.config.vault.audience]);
      const first = probes(agent, phase)[0]!;
      const r = await kubeRequest(tokenKubeConfig(kc, vaultToken, `${sa}-vault`), "GET", first.uri);
      made.push({ phase, agent: agent.name, user, p: { ...first, object: `${first.object} with its Vault-audience token`, expected: "deny", basis: "audience" }, status: r.status });
    }
  }
  const events = readAuditLog(auditLog).filter((e) => e.stage === "ResponseComplete");
  const results: CheckResult[] = [];
  for (const m of made) {
    const base = { section: "audit" as const, phase: m.phase, agent: m.agent, object: m.p.object };
    const refused = m.p.basis === "audience" ? 401 : 403;
    const measured = m.status === 200 ? "allow" : m.status === refused ? "deny" : "error";
    results.push({ ...base, scope: "real request", verb: "list", expected: m.p.expected, basis: m.p.basis, measured, detail: `HTTP ${m.status}` });
    // An unauthenticated request has no user to attribute; only authenticated ones must be on record.
    if (m.p.basis === "audience") continue;
    const hit = events.find((e) => e.user?.username === m.user && e.requestURI === m.p.uri && e.verb === "list");
    const recorded = hit?.level === "RequestResponse" && hit.responseStatus?.code === m.status;
    results.push({
      ...base,
      scope: "audit log",
      verb: "recorded",
      expected: "allow",
      basis: "audit policy",
      measured: recorded ? "allow" : "deny",
      detail: hit ? `level ${hit.level}, code ${hit.responseStatus?.code}` : "no event",
    });
  }
  return results;
}
