/**
 * Vault rules over the `agent-trust.io/v1` documents: Kubernetes auth roles (`vault-role.ts`) bind exactly one
 * identity with short tokens and their own policies, and ACL policies (HCL or JSON, parsed by `hcl.ts`) grant only
 * what the phase's catalog entry grants under the agents' KV mount. Pure.
 */
import { CATALOG, readOnlyPhases, vaultCapabilities } from "../model/catalog";
import { FORBIDDEN_VAULT_PREFIXES } from "../model/forbidden";
import type { Manifest } from "../model/manifest";
import { parseVaultPolicy, type PathBlock } from "./hcl";
import { field, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";
import { VAULT_CLOSED_RULES } from "./vault-closed";
import { VAULT_ROLE_RULES } from "./vault-role";

export * from "./vault-closed";
export * from "./vault-role";

const POLICY = ["VaultPolicy"];

const spec = (obj: Manifest, key: string): unknown => field(obj, "spec", key);

type Parsed = { blocks: PathBlock[] } | { error: string };

/** Parsed once per object: half a dozen rules read the same policy's blocks. */
const PARSED = new WeakMap<Manifest, Parsed>();

/** The policy's path blocks, or the reason it cannot be judged (which is itself a violation). */
function blocksOf(obj: Manifest): Parsed {
  let parsed = PARSED.get(obj);
  if (!parsed) PARSED.set(obj, (parsed = parse(obj)));
  return parsed;
}

function parse(obj: Manifest): Parsed {
  const text = spec(obj, "policy");
  if (typeof text !== "string")
    return { error: `spec.policy is ${show(text)}; it must be the policy's HCL or JSON text` };
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

/** A security rule of the vault domain on a VaultPolicy's HCL or JSON text. */
const policyRule = (r: Omit<ResourceRule, "domain" | "scope" | "security" | "kinds" | "reads">): ResourceRule => ({
  domain: "vault",
  scope: "resource",
  security: true,
  kinds: POLICY,
  reads: policyReads,
  ...r,
});

export const vaultPolicyNoSudo = policyRule({
  name: "vault-policy-no-sudo",
  description: "No `sudo` capability: it opens root-protected endpoints.",
  remediationSteps: "Remove sudo; agents only read secrets.",
  validate: (obj) => onBlocks(obj, (b) => (b.capabilities.includes("sudo") ? `grants "sudo"` : undefined)),
});

export const vaultPolicyNoRootGlobs = policyRule({
  name: "vault-policy-no-root-globs",
  description:
    "No path `*` and no glob (`*`, `+`) in the first path segment: that reaches every mount, present and future.",
  remediationSteps: "Start every path with the agents' KV mount, e.g. agent/data/datasources/*.",
  validate: (obj) =>
    onBlocks(obj, (b, segs) => {
      if (granting(b).length === 0) return undefined;
      const first = segs[0] ?? "";
      return first === "" || first.includes("*") || first === "+"
        ? `a glob at the root reaches every mount`
        : undefined;
    }),
});

export const vaultPolicyNoAdminPaths = policyRule({
  name: "vault-policy-no-admin-paths",
  description: `Nothing under ${FORBIDDEN_VAULT_PREFIXES.join(", ")}: those paths administer Vault itself.`,
  remediationSteps: "Remove the path; Vault is administered by the foundation stack, not by agents.",
  validate: (obj) =>
    onBlocks(obj, (b, segs) => {
      if (granting(b).length === 0) return undefined;
      const hit = FORBIDDEN_VAULT_PREFIXES.find((p) => segs[0] === p.slice(0, -1));
      return hit ? `"${hit}" administers Vault` : undefined;
    }),
});

export const vaultPolicyKvMountOnly = policyRule({
  name: "vault-policy-kv-mount-only",
  settings: ["kvMount"],
  description: "Every path that grants anything lies under the agents' KV mount (`agent/` by default).",
  remediationSteps: "Move the secret under the agents' KV mount, or remove the path.",
  validate: (obj, ctx) =>
    onBlocks(obj, (b, segs) =>
      granting(b).length === 0 || (segs[0] === ctx.kvMount && segs.length > 1)
        ? undefined
        : `is outside the agents' KV mount "${ctx.kvMount}/"`,
    ),
});

function phaseCapabilityCeiling(ctx: RuleContext): string[] {
  return [...new Set(CATALOG[ctx.phase].vault.flatMap((g) => g.capabilities)), "deny"].sort();
}

export const vaultPolicyReadListOnly = policyRule({
  name: "vault-policy-read-list-only",
  description: `Capabilities stay within what the phase's catalog grants: read and list (and deny); ${readOnlyPhases().join(" and ")} never write.`,
  remediationSteps: "Remove create, update, patch and delete; agents read secrets, they never write them.",
  validate: (obj, ctx) =>
    onBlocks(obj, (b) => {
      const allowed = phaseCapabilityCeiling(ctx);
      const extra = b.capabilities.filter((c) => !allowed.includes(c));
      return extra.length
        ? `grants ${show(extra)}, above phase "${ctx.phase}" (allowed: ${allowed.join(", ")})`
        : undefined;
    }),
});

export const vaultPolicyWithinPhaseGrants = policyRule({
  name: "vault-policy-within-phase-grants",
  settings: ["kvMount"],
  description:
    "Under the KV mount, a path grants read on data/<p> or list on metadata/<p> only where the phase's catalog grants <p>.",
  remediationSteps: 'Deny the path (capabilities = ["deny"]) or promote the agent to a phase whose catalog grants it.',
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
});

export const VAULT_RULES: readonly ResourceRule[] = [
  ...VAULT_ROLE_RULES,
  vaultPolicyNoSudo,
  vaultPolicyNoRootGlobs,
  vaultPolicyNoAdminPaths,
  vaultPolicyKvMountOnly,
  vaultPolicyReadListOnly,
  vaultPolicyWithinPhaseGrants,
  ...VAULT_CLOSED_RULES,
];
