/**
 * Vault objects of one agent in one phase: one ACL policy per secret domain (granting or explicitly denying)
 * and one Kubernetes auth role bound to exactly the agent's ServiceAccount. Pure.
 */
import type { PhaseConfig } from "../config/schema";
import { domainGrants, type SecretDomain, type VaultGrant } from "../model/catalog";
import { agentNames } from "../model/naming";
import type { Phase } from "../model/phases";
import type { FoundationOutputs } from "../model/foundation";
import type { Manifest } from "../model/manifest";
import { vaultDocument } from "../model/vault-kinds";

/** KV v2 keeps data and metadata under separate prefixes: read needs `data/`, list needs `metadata/`. */
function kvPaths(kvMount: string, grant: VaultGrant): { path: string; capabilities: string[] }[] {
  const out: { path: string; capabilities: string[] }[] = [];
  if (grant.capabilities.includes("read")) out.push({ path: `${kvMount}/data/${grant.path}`, capabilities: ["read"] });
  if (grant.capabilities.includes("list"))
    out.push({ path: `${kvMount}/metadata/${grant.path}`, capabilities: ["list"] });
  return out;
}

/**
 * HCL for one domain. Whatever the phase does not grant in the domain is denied explicitly: a deny survives
 * any other policy a careless operator might attach to the same token, and it documents intent in the diff.
 */
export function domainPolicyHcl(kvMount: string, phase: Phase, agent: string, domain: SecretDomain): string {
  const grants = domainGrants(phase, domain);
  const blocks = grants.flatMap((g) => kvPaths(kvMount, g));
  const wholeDomain = grants.some((g) => g.path === `${domain}/*`);
  if (!wholeDomain) {
    blocks.push({ path: `${kvMount}/data/${domain}/*`, capabilities: ["deny"] });
    blocks.push({ path: `${kvMount}/metadata/${domain}/*`, capabilities: ["deny"] });
  }
  const header = `# agent-trust: agent "${agent}", phase "${phase}", secret domain "${domain}". Generated; do not edit.\n`;
  const body = blocks
    .map((b) => `path "${b.path}" {\n  capabilities = [${b.capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`)
    .join("\n");
  return header + body;
}

/** One agent's Vault objects: a policy per secret domain (sorted) and the auth role that carries them. */
export interface AgentVaultPlan {
  readonly policies: readonly Manifest[];
  readonly role: Manifest;
}

export function planAgentVault(
  cfg: PhaseConfig,
  foundation: FoundationOutputs,
  agent: PhaseConfig["agents"][number],
  labels: Record<string, string>,
): AgentVaultPlan {
  const names = agentNames(cfg.environment, cfg.phase, agent.name);
  const domains = [...agent.secretDomains].sort();
  const policies = domains.map((domain) =>
    vaultDocument("VaultPolicy", names.vaultPolicy(domain), labels, {
      name: names.vaultPolicy(domain),
      policy: domainPolicyHcl(foundation.kvMount, cfg.phase, agent.name, domain),
    }),
  );
  const role = vaultDocument("VaultKubernetesAuthRole", names.vaultRole, labels, {
    backend: foundation.authMount,
    role_name: names.vaultRole,
    // Exactly one ServiceAccount in exactly one namespace: a wildcard here would let any pod be this agent.
    bound_service_account_names: [names.serviceAccount],
    bound_service_account_namespaces: [foundation.namespace],
    // Only tokens minted for Vault are accepted, so a token stolen from another audience is useless here.
    audience: foundation.audience,
    // Aliases by UID: a ServiceAccount deleted and re-created under the same name is a new identity.
    alias_name_source: "serviceaccount_uid",
    token_ttl: cfg.vault.tokenTtlSeconds,
    token_max_ttl: cfg.vault.tokenMaxTtlSeconds,
    token_policies: domains.map((d) => names.vaultPolicy(d)),
    // The default policy grants self-lookup, cubbyhole and more; the agent needs none of it.
    token_no_default_policy: true,
  });
  return { policies, role };
}
