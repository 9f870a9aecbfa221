/**
 * The Vault half of the matrix: which secrets exist in the sandbox (one at every catalog path, plus one
 * unlisted key per domain) and what each phase's agent must be able to do with them, computed from the catalog
 * and the agent's configured secret domains. Pure.
 */
import type { AgentConfig } from "../../config/schema";
import { SECRET_DOMAINS, vaultCapabilities, type SecretDomain } from "../../model/catalog";
import { FORBIDDEN_VAULT_PREFIXES } from "../../model/forbidden";
import type { Phase } from "../../model/phases";
import type { CheckSpec, Outcome } from "./results";
import { vaultProbes } from "../deploy/vault-probes";

export type VaultOperation = "read" | "list" | "write";

export interface VaultCheck extends CheckSpec {
  readonly operation: VaultOperation | "admin";
  /** Vault API path relative to /v1/. */
  readonly path: string;
}

const outcome = (b: boolean): Outcome => (b ? "allow" : "deny");

/** What `agent` in `phase` must be able to do with the KV secrets and the admin endpoints. */
export function vaultMatrix(phase: Phase, agent: AgentConfig, kvMount: string, authMount: string): VaultCheck[] {
  const inDomain = (d: SecretDomain) => (agent.secretDomains as readonly string[]).includes(d);
  const caps = (secret: string, d: SecretDomain) => (inDomain(d) ? vaultCapabilities(phase, secret) : []);
  const base = { section: "vault" as const, phase, agent: agent.name, basis: "catalog" };
  const checks: VaultCheck[] = [];
  for (const p of vaultProbes()) {
    checks.push({
      ...base,
      scope: "kv",
      verb: "read",
      object: p.catalogPath,
      operation: "read",
      path: `${kvMount}/data/${p.secret}`,
      expected: outcome(caps(p.secret, p.domain).includes("read")),
    });
    checks.push({
      ...base,
      scope: "kv",
      verb: "write",
      object: p.catalogPath,
      operation: "write",
      path: `${kvMount}/data/${p.secret}`,
      expected: outcome(caps(p.secret, p.domain).some((c) => c === "create" || c === "update")),
    });
  }
  for (const d of SECRET_DOMAINS) {
    checks.push({
      ...base,
      scope: "kv",
      verb: "list",
      object: `${d}/`,
      operation: "list",
      path: `${kvMount}/metadata/${d}/`,
      expected: outcome(caps(`${d}/`, d).includes("list")),
    });
  }
  const admin: Record<(typeof FORBIDDEN_VAULT_PREFIXES)[number], string> = {
    "sys/": "sys/policies/acl",
    "auth/": `auth/${authMount}/role`,
    "identity/": "identity/entity/id",
  };
  for (const prefix of FORBIDDEN_VAULT_PREFIXES) {
    checks.push({
      ...base,
      basis: "forbidden",
      scope: "admin",
      verb: "list",
      object: admin[prefix],
      operation: "admin",
      path: admin[prefix],
      expected: "deny",
    });
  }
  return checks;
}
