/**
 * Rules over Kubernetes auth roles (`VaultKubernetesAuthRole` documents, and the pack's
 * vault.kubernetes.AuthBackendRole inputs through `model/vault-kinds.ts`), judged on what Vault stores: Vault reads a
 * list field given as a string by splitting it on commas and trimming each part (parseutil.ParseCommaStringSlice),
 * and a token's policy names are trimmed and lower-cased (policyutil.SanitizePolicies), so `"a,b"` binds two
 * names and `" ROOT "` on a role is the root policy on its tokens. Both measured against OpenBao in
 * test/integration/storage-facts.test.ts. Pure.
 */
import { SECRET_DOMAINS } from "../model/catalog";
import { agentNames, DEFAULTS, isDnsLabel } from "../model/naming";
import type { Manifest } from "../model/manifest";
import { durationSeconds } from "./helpers";
import { field, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";

const ROLE = ["VaultKubernetesAuthRole"];

const spec = (obj: Manifest, key: string): unknown => field(obj, "spec", key);

/** A Vault comma-string-slice field as Vault stores it: a string split on commas, every entry trimmed. */
export function vaultStrings(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string")
    return v
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  if (typeof v === "number") return [String(v)];
  return (Array.isArray(v) ? (v as unknown[]) : [v]).map((x) => (typeof x === "string" ? x.trim() : x));
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function bindingProblems(obj: Manifest, key: string, what: string, isName: (s: string) => boolean): string[] {
  const raw = spec(obj, key);
  const items = vaultStrings(raw);
  if (items.length === 0) return [`spec.${key} is ${show(raw)}; name the exact value`];
  const out: string[] = [];
  if (typeof raw === "string" && raw.includes(",")) {
    out.push(
      `spec.${key} is ${show(raw)}: Vault splits a comma-joined string into ${items.length} ${what}s; bind exactly one`,
    );
  } else if (items.length > 1) {
    out.push(`spec.${key} holds ${items.length} ${what}s (${show(items)}); bind exactly one`);
  }
  items.forEach((item, i) => {
    if (typeof item !== "string" || item === "" || item.includes("*")) {
      out.push(`spec.${key}[${i}] is ${show(item)}; wildcards and globs let other pods log in as this agent`);
    } else if (item === "default") {
      out.push(
        `spec.${key}[${i}] is "default": every pod without a ServiceAccount of its own could log in as this agent`,
      );
    } else if (!isName(item)) {
      out.push(
        `spec.${key}[${i}] is ${show(item)}, not a valid ${what} (lowercase a-z, 0-9, "-"; no commas or spaces)`,
      );
    }
  });
  return out;
}

/** A rule of the vault domain on a VaultKubernetesAuthRole. */
const roleRule = (r: Omit<ResourceRule, "domain" | "scope" | "kinds">): ResourceRule => ({
  domain: "vault",
  scope: "resource",
  kinds: ROLE,
  ...r,
});

export const vaultRoleExactBinding = roleRule({
  name: "vault-role-exact-binding",
  security: true,
  settings: ["namespace"],
  reads: [
    "spec.bound_service_account_names",
    "spec.bound_service_account_namespaces",
    "spec.bound_service_account_namespace_selector",
  ],
  description:
    "Kubernetes auth roles bind exactly one ServiceAccount name and exactly the agents namespace, as Vault stores them: no `*` or glob, no comma-joined list, never `default`, no namespace label selector.",
  remediationSteps:
    "Bind exactly the agent's ServiceAccount (<agent>-<phase>) and the agents namespace, each as a one-item list.",
  validate: (obj, ctx) => {
    const out = [
      ...bindingProblems(
        obj,
        "bound_service_account_names",
        "ServiceAccount name",
        (s) => s.length <= 253 && DNS_SUBDOMAIN.test(s),
      ),
      ...bindingProblems(obj, "bound_service_account_namespaces", "namespace", isDnsLabel),
    ];
    const namespaces = vaultStrings(spec(obj, "bound_service_account_namespaces"));
    if (
      namespaces.length === 1 &&
      typeof namespaces[0] === "string" &&
      namespaces[0] !== ctx.namespace &&
      isDnsLabel(namespaces[0])
    ) {
      out.push(
        `spec.bound_service_account_namespaces is ${show(namespaces)}; agents log in only from the agents namespace "${ctx.namespace}"`,
      );
    }
    const selector = spec(obj, "bound_service_account_namespace_selector");
    if (selector !== undefined && selector !== "")
      out.push(`spec.bound_service_account_namespace_selector is set; bind namespaces by name`);
    return out;
  },
});

/** The agent a role serves, from its one bound ServiceAccount `<agent>-<phase>`; undefined when it names none. */
function agentOf(obj: Manifest, ctx: RuleContext): string | undefined {
  const names = vaultStrings(spec(obj, "bound_service_account_names"));
  const sa = names.length === 1 ? names[0] : undefined;
  const suffix = `-${ctx.phase}`;
  if (typeof sa !== "string" || !sa.endsWith(suffix) || sa.length === suffix.length) return undefined;
  const agent = sa.slice(0, -suffix.length);
  return isDnsLabel(agent) ? agent : undefined;
}

export const vaultRoleOwnPolicies = roleRule({
  name: "vault-role-own-policies",
  security: true,
  reads: ["spec.token_policies", "spec.policies", "spec.bound_service_account_names"],
  description:
    "A role's token_policies name only the policies the naming module gives its agent in its phase and environment (agent-trust-<env>-<agent>-<phase>-<domain>): never `root`, `default` or another agent's; the legacy `policies` field is absent.",
  remediationSteps: "List only this agent's own per-domain policies in token_policies and remove `policies`.",
  validate: (obj, ctx) => {
    const out: string[] = [];
    const legacy = spec(obj, "policies");
    if (legacy !== undefined && legacy !== null) {
      out.push(
        `spec.policies (the legacy field) is ${show(legacy)}; Vault adds it to every token: remove it and use token_policies`,
      );
    }
    const agent = agentOf(obj, ctx);
    const allowed = agent
      ? SECRET_DOMAINS.map((d) => agentNames(ctx.environment, ctx.phase, agent).vaultPolicy(d))
      : [];
    vaultStrings(spec(obj, "token_policies")).forEach((p, i) => {
      const at = `spec.token_policies[${i}]`;
      if (typeof p !== "string") return void out.push(`${at} is ${show(p)}, not a policy name`);
      const name = p.trim().toLowerCase(); // Vault stores policy names trimmed and lower-cased
      if (name === "root") out.push(`${at} is ${show(p)}: the root policy can do everything in Vault`);
      else if (name === "default")
        out.push(
          `${at} is ${show(p)}: the default policy grants self-lookup, cubbyhole and more; agents get only their own`,
        );
      else if (!agent)
        out.push(
          `${at} is ${show(p)}, but the role names no agent of phase "${ctx.phase}" (bound_service_account_names must be exactly <agent>-${ctx.phase})`,
        );
      else if (!allowed.includes(name)) {
        out.push(
          `${at} is ${show(p)}, not one of agent "${agent}"'s policies in phase "${ctx.phase}", environment "${ctx.environment}" (${allowed.join(", ")})`,
        );
      }
    });
    return out;
  },
});

export const vaultRoleAudience = roleRule({
  name: "vault-role-audience",
  security: true,
  reads: ["spec.audience"],
  description: `Kubernetes auth roles set audience to exactly the configured Vault audience ("${DEFAULTS.audience}"), so only tokens minted for Vault are accepted.`,
  remediationSteps: `Set audience: ${DEFAULTS.audience} (the foundation's Vault audience, the one agent pods project their tokens for).`,
  validate: (obj) => {
    const a = spec(obj, "audience");
    // Vault stores the string as given and compares it with the token's aud claim; unset (or "") accepts any audience.
    if (a === DEFAULTS.audience) return [];
    const why =
      a === undefined || a === null || a === ""
        ? "Vault then accepts a token minted for any audience"
        : "it is not the configured Vault audience";
    return [`spec.audience is ${show(a)}: ${why}; expected exactly "${DEFAULTS.audience}"`];
  },
});

/**
 * Vault's stored value of `alias_name_source` (vault-plugin-auth-kubernetes path_role.go): a new role given none, or
 * "", stores the default `serviceaccount_uid`; any other value is stored as given (Vault refuses unknown ones).
 */
export function storedAliasNameSource(v: unknown): unknown {
  return v === undefined || v === null || v === "" ? "serviceaccount_uid" : v;
}

export const vaultRoleAliasUid = roleRule({
  name: "vault-role-alias-uid",
  security: true,
  reads: ["spec.alias_name_source"],
  description:
    'Kubernetes auth roles alias by serviceaccount_uid, so a re-created ServiceAccount of the same name is a new identity; omitted (or ""), Vault stores that default and the role is judged by it.',
  remediationSteps: "Set alias_name_source: serviceaccount_uid, or leave it out (Vault's default).",
  validate: (obj) => {
    const v = spec(obj, "alias_name_source");
    return storedAliasNameSource(v) === "serviceaccount_uid"
      ? []
      : [
          `spec.alias_name_source is ${show(v)}; expected "serviceaccount_uid" (or omitted: Vault's default), never an alias by name`,
        ];
  },
});

export const vaultTokenTtlCapped = roleRule({
  name: "vault-token-ttl-capped",
  security: true,
  settings: ["maxTtlSeconds"],
  reads: [
    "spec.token_ttl",
    "spec.token_max_ttl",
    "spec.token_explicit_max_ttl",
    "spec.token_period",
    "spec.ttl",
    "spec.max_ttl",
    "spec.period",
  ],
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
      if (s === undefined || s <= 0 || s > cap)
        out.push(`spec.${key} is ${show(raw)}; set 1..${cap} seconds (unset means Vault's 32-day default)`);
    }
    const ttl = seconds.token_ttl;
    const max = seconds.token_max_ttl;
    if (ttl !== undefined && max !== undefined && ttl > max)
      out.push(`spec.token_ttl (${ttl}) exceeds spec.token_max_ttl (${max})`);
    for (const key of ["token_explicit_max_ttl", "ttl", "max_ttl"]) {
      const raw = spec(obj, key);
      const s = durationSeconds(raw);
      if (raw !== undefined && (s === undefined || s > cap))
        out.push(`spec.${key} is ${show(raw)}; at most ${cap} seconds`);
    }
    for (const key of ["token_period", "period"]) {
      const raw = spec(obj, key);
      if (raw !== undefined && raw !== "" && durationSeconds(raw) !== 0)
        out.push(`spec.${key} is ${show(raw)}; periodic tokens renew forever`);
    }
    return out;
  },
});

export const vaultRoleNoDefaultPolicy = roleRule({
  name: "vault-role-no-default-policy",
  security: false,
  reads: ["spec.token_no_default_policy"],
  description: "Kubernetes auth roles set token_no_default_policy, so tokens carry only the agent's own policies.",
  remediationSteps: "Set token_no_default_policy: true.",
  validate: (obj) => {
    const v = spec(obj, "token_no_default_policy");
    const stored = v === undefined || v === null ? " (Vault stores false when omitted)" : "";
    return v === true ? [] : [`spec.token_no_default_policy is ${show(v)}${stored}; expected true`];
  },
});

export const VAULT_ROLE_RULES: readonly ResourceRule[] = [
  vaultRoleExactBinding,
  vaultRoleOwnPolicies,
  vaultRoleAudience,
  vaultRoleAliasUid,
  vaultTokenTtlCapped,
  vaultRoleNoDefaultPolicy,
];
