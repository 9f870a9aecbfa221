/**
 * The closed world of a phase stack's Vault documents: what Vault itself is configured with (the auth backend, its
 * config, the KV mount) belongs to the foundation, and a phase stack holds only its own agents' policies and roles,
 * named by the naming module for this environment and phase, each role bound to its own agent's ServiceAccount
 * and policies on the foundation's auth mount. Pure.
 */
import { SECRET_DOMAINS } from "../model/catalog";
import { agentNames, DEFAULTS, parseVaultPolicyName, parseVaultRoleName } from "../model/naming";
import type { Manifest } from "../model/manifest";
import { FOUNDATION_VAULT_KINDS } from "../model/vault-kinds";
import { field, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";
import { vaultStrings } from "./vault-role";

const inPhaseLayer = (_obj: Manifest, ctx: RuleContext) => ctx.layer !== "foundation";
const spec = (obj: Manifest, key: string): unknown => field(obj, "spec", key);

/** A security rule of the vault domain on the objects it names. */
const vaultRule = (r: Omit<ResourceRule, "domain" | "scope" | "security">): ResourceRule => ({
  domain: "vault",
  scope: "resource",
  security: true,
  ...r,
});

export const vaultFoundationOnly = vaultRule({
  name: "vault-foundation-only",
  kinds: FOUNDATION_VAULT_KINDS,
  reads: ["metadata.name"],
  appliesTo: inPhaseLayer,
  description:
    "The Kubernetes auth backend, its config and the KV mount configure Vault itself: only the foundation stack declares them, never a phase stack.",
  remediationSteps: "Remove the object from the phase stack; the foundation stack of the environment owns it.",
  validate: (obj) => [
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the kind is a string; the rest go through show()
    `${[obj.kind, spec(obj, "path") ?? spec(obj, "backend")]
      .filter((x) => x !== undefined)
      .map((x, i) => (i ? show(x) : x))
      .join(" ")} configures Vault itself and belongs to the foundation stack (layer "foundation"); ` +
      `expected in a phase stack: only its agents' VaultPolicy and VaultKubernetesAuthRole documents`,
  ],
});

/** A Vault name as Vault stores it: policy names trimmed and lower-cased (SanitizePolicies). */
const stored = (v: unknown): unknown => (typeof v === "string" ? v.trim().toLowerCase() : v);

/**
 * Whose names this stack holds: the stack's own phase and environment. Unlike the phase a rule judges grants at, no
 * label lowers these: a shadow-named role labelled shadow is another phase's object in an autonomous stack.
 */
const owner = (ctx: RuleContext) => ({ env: ctx.stackEnvironment ?? ctx.environment, phase: ctx.stackPhase });

const pattern = (ctx: RuleContext, domain = false) =>
  `agent-trust-${owner(ctx).env}-<agent>-${owner(ctx).phase}${domain ? `-<${SECRET_DOMAINS.join("|")}>` : ""}`;

export const vaultPolicyOwnName = vaultRule({
  name: "vault-policy-own-name",
  kinds: ["VaultPolicy"],
  reads: ["spec.name"],
  appliesTo: inPhaseLayer,
  description:
    "In a phase stack a Vault policy is named for this environment and phase by the naming module (agent-trust-<env>-<agent>-<phase>-<domain>): never another phase's, another environment's or a name of its own.",
  remediationSteps:
    "Name the policy agent-trust-<env>-<agent>-<phase>-<domain> for this stack's environment and phase.",
  validate: (obj, ctx) => {
    const { env, phase } = owner(ctx);
    const name = spec(obj, "name");
    const parsed = typeof name === "string" ? parseVaultPolicyName(env, phase, name, SECRET_DOMAINS) : undefined;
    if (!parsed)
      return [
        `spec.name is ${show(name)}; expected a policy name of environment "${env}", phase "${phase}": ${pattern(ctx, true)}`,
      ];
    return [];
  },
});

export const vaultRoleOwnName = vaultRule({
  name: "vault-role-own-name",
  kinds: ["VaultKubernetesAuthRole"],
  reads: ["spec.role_name", "spec.backend", "spec.bound_service_account_names", "spec.token_policies"],
  appliesTo: inPhaseLayer,
  description:
    "In a phase stack a Kubernetes auth role is named for this environment and phase (agent-trust-<env>-<agent>-<phase>), lives on the foundation's auth mount, binds that agent's ServiceAccount (<agent>-<phase>) and lists only that agent's own policies of this phase.",
  remediationSteps:
    "Name the role agent-trust-<env>-<agent>-<phase>, set backend to the foundation's auth mount, bind <agent>-<phase> and list only agent-trust-<env>-<agent>-<phase>-<domain> policies.",
  validate: (obj, ctx) => {
    const out: string[] = [];
    const { env, phase } = owner(ctx);
    const backend = spec(obj, "backend");
    if (backend !== DEFAULTS.authMount)
      out.push(`spec.backend is ${show(backend)}; expected the foundation's auth mount "${DEFAULTS.authMount}"`);
    const name = spec(obj, "role_name");
    const agent = typeof name === "string" ? parseVaultRoleName(env, phase, name) : undefined;
    if (agent === undefined) {
      out.push(
        `spec.role_name is ${show(name)}; expected a role name of environment "${env}", phase "${phase}": ${pattern(ctx)}`,
      );
      return out;
    }
    const names = agentNames(env, phase, agent);
    const accounts = vaultStrings(spec(obj, "bound_service_account_names"));
    if (accounts.length !== 1 || accounts[0] !== names.serviceAccount) {
      out.push(
        `spec.bound_service_account_names is ${show(spec(obj, "bound_service_account_names"))}; role ${show(name)} is agent "${agent}"'s: expected exactly ["${names.serviceAccount}"]`,
      );
    }
    vaultStrings(spec(obj, "token_policies")).forEach((p, i) => {
      const policy = stored(p);
      const owner = typeof policy === "string" ? parseVaultPolicyName(env, phase, policy, SECRET_DOMAINS) : undefined;
      if (owner?.agent !== agent) {
        out.push(
          `spec.token_policies[${i}] is ${show(p)}; expected only agent "${agent}"'s policies of this phase: ${SECRET_DOMAINS.map((d) => names.vaultPolicy(d)).join(", ")}`,
        );
      }
    });
    return out;
  },
});

export const VAULT_CLOSED_RULES: readonly ResourceRule[] = [vaultFoundationOnly, vaultPolicyOwnName, vaultRoleOwnName];
