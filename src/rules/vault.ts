/**
 * Vault rules over the `agent-trust.io/v1` documents: Kubernetes auth roles bind exactly one identity with short
 * tokens, and ACL policies (parsed by `hcl.ts`) grant only what the phase's catalog entry grants under the
 * agents' KV mount. Pure.
 */
import { CATALOG, vaultCapabilities } from "../model/catalog";
import { FORBIDDEN_VAULT_PREFIXES } from "../model/forbidden";
import type { Manifest } from "../plan/manifest";
import { parseVaultPolicy, type PathBlock } from "./hcl";
import { durationSeconds, vaultList } from "./helpers";
import { field, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";

const ROLE = ["VaultKubernetesAuthRole"];
const POLICY = ["VaultPolicy"];

const spec = (obj: Manifest, key: string): unknown => field(obj, "spec", key);

export const vaultRoleExactBinding: ResourceRule = {
  name: "vault-role-exact-binding",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: ROLE,
  reads: ["spec.bound_service_account_names", "spec.bound_service_account_namespaces", "spec.bound_service_account_namespace_selector"],
  description:
    "Kubernetes auth roles bind exact ServiceAccount names and namespaces: no `*` or glob, no namespace label selector.",
  remediationSteps: "Bind exactly the agent's ServiceAccount (<agent>-<phase>) and the agents namespace.",
  validate: (obj) => {
    const out: string[] = [];
    for (const key of ["bound_service_account_names", "bound_service_account_namespaces"]) {
      const items = vaultList(spec(obj, key));
      if (items.length === 0) out.push(`spec.${key} is ${show(spec(obj, key))}; name the exact value`);
      items.forEach((item, i) => {
        if (typeof item !== "string" || item === "" || item.includes("*")) {
          out.push(`spec.${key}[${i}] is ${show(item)}; wildcards and globs let other pods log in as this agent`);
        }
      });
    }
    const selector = spec(obj, "bound_service_account_namespace_selector");
    if (selector !== undefined && selector !== "") out.push(`spec.bound_service_account_namespace_selector is set; bind namespaces by name`);
    return out;
  },
};

export const vaultRoleAudience: ResourceRule = {
  name: "vault-role-audience",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: ROLE,
  reads: ["spec.audience"],
  description: "Kubernetes auth roles set an audience, so only tokens minted for Vault are accepted.",
  remediationSteps: "Set audience to the foundation's Vault audience (default \"vault\") and project tokens with it.",
  validate: (obj) => {
    const a = spec(obj, "audience");
    return typeof a === "string" && a !== "" ? [] : [`spec.audience is ${show(a)}; set the Vault audience`];
  },
};

export const vaultRoleAliasUid: ResourceRule = {
  name: "vault-role-alias-uid",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: ROLE,
  reads: ["spec.alias_name_source"],
  description: "Kubernetes auth roles alias by serviceaccount_uid, so a re-created ServiceAccount of the same name is a new identity.",
  remediationSteps: "Set alias_name_source: serviceaccount_uid.",
  validate: (obj) => {
    const v = spec(obj, "alias_name_source");
    return v === "serviceaccount_uid" ? [] : [`spec.alias_name_source is ${show(v)}; it must be "serviceaccount_uid"`];
  },
};

export const vaultTokenTtlCapped: ResourceRule = {
  name: "vault-token-ttl-capped",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: ROLE,
  settings: ["maxTtlSeconds"],
  reads: ["spec.token_ttl", "spec.token_max_ttl", "spec.token_explicit_max_ttl", "spec.token_period", "spec.ttl", "spec.max_ttl", "spec.period"],
  description:
    "token_ttl and token_max_ttl are set, token_ttl ≤ token_max_ttl ≤ the cap (900 s by default), and tokens are never periodic.",
  remediationSteps: "Set token_ttl and token_max_ttl (seconds) within the cap; remove token_period.",
  validate: (obj, ctx: RuleContext) => {
    const out: string[] = [];
    const cap = ctx.maxTtlSeconds;
    const seconds: Record<string, number | undefined> = {};
    for (const key of ["token_ttl", "token_max_ttl"]) {
      const raw = spec(obj, key);
      seconds[key] = durationSeconds(raw);
      const s = seconds[key];
      if (s === undefined || s <= 0 || s > cap) out.push(`spec.${key} is ${show(raw)}; set 1..${cap} seconds (unset means Vault's 32-day default)`);
    }
    const ttl = seconds["token_ttl"];
    const max = seconds["token_max_ttl"];
    if (ttl !== undefined && max !== undefined && ttl > max) out.push(`spec.token_ttl (${ttl}) exceeds spec.token_max_ttl (${max})`);
    for (const key of ["token_explicit_max_ttl", "ttl", "max_ttl"]) {
      const raw = spec(obj, key);
      const s = durationSeconds(raw);
      if (raw !== undefined && (s === undefined || s > cap)) out.push(`spec.${key} is ${show(raw)}; at most ${cap} seconds`);
    }
    for (const key of ["token_period", "period"]) {
      const raw = spec(obj, key);
      if (raw !== undefined && raw !== "" && durationSeconds(raw) !== 0) out.push(`spec.${key} is ${show(raw)}; periodic tokens renew forever`);
    }
    return out;
  },
};

export const vaultRoleNoDefaultPolicy: ResourceRule = {
  name: "vault-role-no-default-policy",
  domain: "vault",
  scope: "resource",
  security: false,
  kinds: ROLE,
  reads: ["spec.token_no_default_policy"],
  description: "Kubernetes auth roles set token_no_default_policy, so tokens carry only the agent's own policies.",
  remediationSteps: "Set token_no_default_policy: true.",
  validate: (obj) => {
    const v = spec(obj, "token_no_default_policy");
    return v === true ? [] : [`spec.token_no_default_policy is ${show(v)}; it should be true`];
  },
};

/** The policy's path blocks, or the reason it cannot be judged (which is itself a violation). */
function blocksOf(obj: Manifest): { blocks: PathBlock[] } | { error: string } {
  const text = spec(obj, "policy");
  if (typeof text !== "string") return { error: `spec.policy is ${show(text)}; it must be the policy's HCL text` };
  try {
    return { blocks: parseVaultPolicy(text) };
  } catch (e) {
    return { error: `spec.policy does not parse: ${(e as Error).message}` };
  }
}

/** Shared body of the policy rules: runs `check` on every path block, or reports why it cannot. */
function onBlocks(obj: Manifest, check: (b: PathBlock, segments: string[]) => string | undefined): string[] {
  const parsed = blocksOf(obj);
  if ("error" in parsed) return [parsed.error];
  return parsed.blocks.flatMap((b) => {
    const msg = check(b, b.path.replace(/^\/+/, "").split("/"));
    return msg ? [`path "${b.path}" (line ${b.line}): ${msg}`] : [];
  });
}

const granting = (b: PathBlock) => b.capabilities.filter((c) => c !== "deny");
const policyReads = ["spec.policy"];

export const vaultPolicyNoSudo: ResourceRule = {
  name: "vault-policy-no-sudo",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: POLICY,
  reads: policyReads,
  description: "No `sudo` capability: it opens root-protected endpoints.",
  remediationSteps: "Remove sudo; agents only read secrets.",
  validate: (obj) => onBlocks(obj, (b) => (b.capabilities.includes("sudo") ? `grants "sudo"` : undefined)),
};

export const vaultPolicyNoRootGlobs: ResourceRule = {
  name: "vault-policy-no-root-globs",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: POLICY,
  reads: policyReads,
  description: "No path `*` and no glob (`*`, `+`) in the first path segment: that reaches every mount, present and future.",
  remediationSteps: "Start every path with the agents' KV mount, e.g. agent/data/datasources/*.",
  validate: (obj) =>
    onBlocks(obj, (b, segs) => {
      if (granting(b).length === 0) return undefined;
      const first = segs[0] ?? "";
      return first === "" || first.includes("*") || first === "+" ? `a glob at the root reaches every mount` : undefined;
    }),
};

export const vaultPolicyNoAdminPaths: ResourceRule = {
  name: "vault-policy-no-admin-paths",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: POLICY,
  reads: policyReads,
  description: `Nothing under ${FORBIDDEN_VAULT_PREFIXES.join(", ")}: those paths administer Vault itself.`,
  remediationSteps: "Remove the path; Vault is administered by the foundation stack, not by agents.",
  validate: (obj) =>
    onBlocks(obj, (b, segs) => {
      if (granting(b).length === 0) return undefined;
      const hit = FORBIDDEN_VAULT_PREFIXES.find((p) => segs[0] === p.slice(0, -1));
      return hit ? `"${hit}" administers Vault` : undefined;
    }),
};

export const vaultPolicyKvMountOnly: ResourceRule = {
  name: "vault-policy-kv-mount-only",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: POLICY,
  settings: ["kvMount"],
  reads: policyReads,
  description: "Every path that grants anything lies under the agents' KV mount (`agent/` by default).",
  remediationSteps: "Move the secret under the agents' KV mount, or remove the path.",
  validate: (obj, ctx) =>
    onBlocks(obj, (b, segs) =>
      granting(b).length === 0 || (segs[0] === ctx.kvMount && segs.length > 1)
        ? undefined
        : `is outside the agents' KV mount "${ctx.kvMount}/"`,
    ),
};

function phaseCapabilityCeiling(ctx: RuleContext): string[] {
  return [...new Set(CATALOG[ctx.phase].vault.flatMap((g) => g.capabilities)), "deny"].sort();
}

export const vaultPolicyReadListOnly: ResourceRule = {
  name: "vault-policy-read-list-only",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: POLICY,
  reads: policyReads,
  description:
    "Capabilities stay within what the phase's catalog grants: read and list (and deny); shadow and assist never write.",
  remediationSteps: "Remove create, update, patch and delete; agents read secrets, they never write them.",
  validate: (obj, ctx) =>
    onBlocks(obj, (b) => {
      const allowed = phaseCapabilityCeiling(ctx);
      const extra = b.capabilities.filter((c) => !allowed.includes(c));
      return extra.length ? `grants ${show(extra)}, above phase "${ctx.phase}" (allowed: ${allowed.join(", ")})` : undefined;
    }),
};

export const vaultPolicyWithinPhaseGrants: ResourceRule = {
  name: "vault-policy-within-phase-grants",
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: POLICY,
  settings: ["kvMount"],
  reads: policyReads,
  description:
    "Under the KV mount, a path grants read on data/<p> or list on metadata/<p> only where the phase's catalog grants <p>.",
  remediationSteps: "Deny the path (capabilities = [\"deny\"]) or promote the agent to a phase whose catalog grants it.",
  validate: (obj, ctx) =>
    onBlocks(obj, (b, segs) => {
      const caps = granting(b);
      if (caps.length === 0 || segs[0] !== ctx.kvMount) return undefined;
      const [, sub, ...rest] = segs;
      const rel = rest.join("/");
      const grants = rel ? vaultCapabilities(ctx.phase, rel) : [];
      const needed = sub === "data" ? "read" : sub === "metadata" ? "list" : undefined;
      const allowed = needed && grants.includes(needed) ? [needed] : [];
      const extra = caps.filter((c) => !allowed.includes(c));
      return extra.length
        ? `grants ${show(extra)} but phase "${ctx.phase}" may have only ${show(allowed)} there (trust catalog)`
        : undefined;
    }),
};

export const VAULT_RULES: readonly ResourceRule[] = [
  vaultRoleExactBinding,
  vaultRoleAudience,
  vaultRoleAliasUid,
  vaultTokenTtlCapped,
  vaultRoleNoDefaultPolicy,
  vaultPolicyNoSudo,
  vaultPolicyNoRootGlobs,
  vaultPolicyNoAdminPaths,
  vaultPolicyKvMountOnly,
  vaultPolicyReadListOnly,
  vaultPolicyWithinPhaseGrants,
];
