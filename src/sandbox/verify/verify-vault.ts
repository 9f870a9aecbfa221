/**
 * Measures the Vault matrix as the agents themselves: each phase's ServiceAccount gets a token by TokenRequest
 * with Vault's audience, logs in through the Kubernetes auth method (Vault asks the API server's TokenReview),
 * and tries every probe path. Then the ways in that must stay shut: another ServiceAccount's token, a token
 * without the Vault audience, and the agent's own token on another phase's role.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { AgentConfig } from "../../config/schema";
import { LIMITS } from "../../model/catalog";
import { agentNames } from "../../model/naming";
import { PHASES, type Phase } from "../../model/phases";
import type { SandboxEnvironment } from "../deploy/environment";
import { vaultMatrix, type VaultCheck } from "./expect-vault";
import type { CheckResult, CheckSpec, Measured, Outcome } from "./results";
import { requestToken } from "../servers/tokens";
import type { VaultHttp, VaultResponse } from "../servers/vault-http";

/** 2xx allow; 403 (and 400/401 for a refused login) deny; anything else is a broken setup: `error`. */
function judge(r: VaultResponse, denyCodes: readonly number[]): Measured {
  if (r.status >= 200 && r.status < 300) return "allow";
  return denyCodes.includes(r.status) ? "deny" : "error";
}

const detailOf = (r: VaultResponse) =>
  r.status >= 300 ? { detail: `HTTP ${r.status}: ${JSON.stringify(r.body.errors ?? r.body)}` } : {};

const LOGIN_DENIED = [400, 401, 403];

async function login(vault: VaultHttp, authMount: string, role: string, jwt: string): Promise<VaultResponse> {
  return vault.request("POST", `auth/${authMount}/login`, { role, jwt });
}

async function probe(client: VaultHttp, c: VaultCheck): Promise<CheckResult> {
  const r =
    c.operation === "write"
      ? await client.request("POST", c.path, { data: { written: "by an agent" } })
      : await client.request(c.operation === "read" ? "GET" : "LIST", c.path);
  return { ...c, measured: judge(r, [403]), ...detailOf(r) };
}

async function verifyAgent(
  kc: KubeConfig,
  vault: VaultHttp,
  env: SandboxEnvironment,
  phase: Phase,
  agent: AgentConfig,
): Promise<CheckResult[]> {
  const { authMount, kvMount, audience } = env.foundation.config.vault;
  const cfg = env.phases[phase].config;
  const names = agentNames(env.environment, phase, agent.name);
  const base = { section: "vault" as const, phase, agent: agent.name, scope: "login", basis: "catalog" };
  const loginCheck = (object: string, expected: Outcome, r: VaultResponse): CheckResult => ({
    ...base,
    verb: "login",
    object,
    expected,
    measured: judge(r, LOGIN_DENIED),
    ...detailOf(r),
  });

  const jwt = await requestToken(kc, env.namespace, names.serviceAccount, [audience]);
  const ok = await login(vault, authMount, names.vaultRole, jwt);
  const results: CheckResult[] = [loginCheck("own token, own role", "allow", ok)];
  const auth = ok.body.auth as { client_token?: string; lease_duration?: number } | undefined;
  if (auth?.client_token) {
    const cap = Math.min(cfg.vault.tokenMaxTtlSeconds, LIMITS.maxTokenTtlSeconds);
    const ttl = auth.lease_duration ?? Number.POSITIVE_INFINITY;
    const ttlSpec: CheckSpec = {
      ...base,
      scope: "token",
      verb: "ttl",
      object: `≤ role max (${cap}s)`,
      expected: "allow",
    };
    results.push({ ...ttlSpec, measured: ttl > 0 && ttl <= cap ? "allow" : "deny", detail: `${ttl}s` });
    const client = vault.withToken(auth.client_token);
    for (const c of vaultMatrix(phase, agent, kvMount, authMount)) results.push(await probe(client, c));
  } else {
    // No token, no access: every cell is measured as refused, so each one the catalog allows shows as a mismatch.
    for (const c of vaultMatrix(phase, agent, kvMount, authMount))
      results.push({ ...c, measured: "deny", detail: "login failed" });
  }

  // Another ServiceAccount's Vault-audience token on this agent's role: the role binds one ServiceAccount only.
  const other = PHASES.flatMap((p) => env.agents[p].map((a) => ({ p, a }))).find(
    (x) => x.a.name !== agent.name || x.p !== phase,
  )!;
  const otherJwt = await requestToken(
    kc,
    env.namespace,
    agentNames(env.environment, other.p, other.a.name).serviceAccount,
    [audience],
  );
  results.push(
    loginCheck("another ServiceAccount's token", "deny", await login(vault, authMount, names.vaultRole, otherJwt)),
  );
  // The agent's own token, minted for the API server rather than Vault.
  const apiJwt = await requestToken(kc, env.namespace, names.serviceAccount);
  results.push(
    loginCheck("own token without the vault audience", "deny", await login(vault, authMount, names.vaultRole, apiJwt)),
  );
  // The agent's own Vault token on the same agent's role of another phase: promotion is a new identity.
  const otherPhase = PHASES.find((p) => p !== phase && env.agents[p].some((a) => a.name === agent.name));
  if (otherPhase) {
    const role = agentNames(env.environment, otherPhase, agent.name).vaultRole;
    results.push(loginCheck("own token, another phase's role", "deny", await login(vault, authMount, role, jwt)));
  }
  return results;
}

export async function verifyVault(kc: KubeConfig, vault: VaultHttp, env: SandboxEnvironment): Promise<CheckResult[]> {
  const jobs = PHASES.flatMap((phase) => env.agents[phase].map((agent) => verifyAgent(kc, vault, env, phase, agent)));
  return (await Promise.all(jobs)).flat();
}
