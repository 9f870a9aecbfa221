/**
 * The API server's audit policy (`audit.k8s.io/v1` Policy, rendered for `--audit-policy-file`): the record of what
 * agents do. The API server takes the first rule that matches a request and records nothing when none does, so the
 * policy is judged as it evaluates: rule by rule, in order, for every request an agent's ServiceAccount could send.
 * Every such request must be recorded (at least `Metadata`), and every write at least with its body (`Request`),
 * except writes to the kinds whose bodies are credentials (Secrets, ConfigMaps, TokenReviews), which are recorded
 * at `Metadata` so the audit log never holds a secret. Pure.
 */
import type { Manifest } from "../model/manifest";
import { field, isObj, list, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";

const LEVELS = ["None", "Metadata", "Request", "RequestResponse"] as const;
type Level = (typeof LEVELS)[number];
const rank = (l: Level) => LEVELS.indexOf(l);

/** The verbs that change an object: an agent's write is recorded with its body. */
export const WRITE_VERBS: readonly string[] = ["create", "update", "patch", "delete", "deletecollection"];

/** Resources whose bodies are credentials: recorded at Metadata only, by design. */
const BODY_WITHHELD: Readonly<Record<string, readonly string[]>> = {
  "": ["secrets", "configmaps"],
  "authentication.k8s.io": ["tokenreviews"],
};

/** The stages whose omission loses the outcome of a request (ResponseComplete carries the status code). */
const REQUIRED_STAGES: readonly string[] = ["ResponseComplete", "Panic"];

const strings = (v: unknown): string[] | undefined => {
  const l = list(v);
  return l.every((s) => typeof s === "string") ? l : undefined;
};

/** Whether a rule's subject (users, userGroups) can be an agent's ServiceAccount of `namespace`. */
function mayMatchAgent(rule: Record<string, unknown>, namespace: string): boolean {
  const users = strings(rule.users) ?? [];
  const groups = strings(rule.userGroups) ?? [];
  const agentUser = (u: string) => u.startsWith(`system:serviceaccount:${namespace}:`);
  const agentGroup = (g: string) =>
    ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"].includes(g);
  return (users.length === 0 || users.some(agentUser)) && (groups.length === 0 || groups.some(agentGroup));
}

/** Whether a rule matches every request of every agent (no narrowing but by the agents' groups). */
function matchesAllAgentRequests(rule: Record<string, unknown>, namespace: string, verbs: "all" | "writes"): boolean {
  const narrowed = ["users", "namespaces", "resources", "nonResourceURLs"].some((k) => list(rule[k]).length > 0);
  const ruleVerbs = strings(rule.verbs) ?? [];
  const coversVerbs = ruleVerbs.length === 0 || (verbs === "writes" && WRITE_VERBS.every((v) => ruleVerbs.includes(v)));
  return !narrowed && coversVerbs && mayMatchAgent(rule, namespace);
}

/** Whether a rule can match a write by an agent to a resource whose body is not withheld. */
function mayMatchBodyWrite(rule: Record<string, unknown>): boolean {
  const verbs = strings(rule.verbs) ?? [];
  if (verbs.length > 0 && !verbs.some((v) => WRITE_VERBS.includes(v) || v === "*")) return false;
  // A rule of only non-resource URLs never matches a write to an object.
  if (list(rule.nonResourceURLs).length > 0 && list(rule.resources).length === 0 && list(rule.namespaces).length === 0)
    return false;
  const resources = list(rule.resources);
  if (resources.length === 0) return true;
  return resources.some((gr) => {
    const group = isObj(gr) && typeof gr.group === "string" ? gr.group : "";
    const names = isObj(gr) ? strings(gr.resources) : undefined;
    if (!names || names.length === 0) return true;
    const withheld = BODY_WITHHELD[group] ?? [];
    return names.some((n) => !withheld.includes(n));
  });
}

function judge(obj: Manifest, ctx: RuleContext): string[] {
  const out: string[] = [];
  const omitted = strings(field(obj, "omitStages"));
  if (!omitted) out.push(`omitStages is ${show(field(obj, "omitStages"))}; expected a list of stage names`);
  for (const s of REQUIRED_STAGES)
    if (omitted?.includes(s)) out.push(`omitStages drops ${s}: the outcome of every request would go unrecorded`);
  const rules = field(obj, "rules");
  if (!Array.isArray(rules) || rules.length === 0)
    return [...out, "the policy has no rules: the API server records nothing"];
  let readsCovered = false;
  let writesCovered = false;
  rules.forEach((rule: unknown, i) => {
    const at = `rules[${i}]`;
    if (!isObj(rule)) return out.push(`${at} is ${show(rule)}; expected an object`);
    const level = rule.level;
    if (!LEVELS.includes(level as Level))
      return out.push(`${at}.level is ${show(level)}; expected one of ${LEVELS.join(", ")}`);
    for (const k of ["users", "userGroups", "verbs", "namespaces", "nonResourceURLs"]) {
      if (!strings(rule[k])) return out.push(`${at}.${k} is ${show(rule[k])}; expected a list of strings`);
    }
    const ruleOmits = strings(rule.omitStages) ?? [];
    if (!mayMatchAgent(rule, ctx.namespace)) return;
    for (const s of REQUIRED_STAGES) if (ruleOmits.includes(s)) out.push(`${at} drops ${s} for requests of the agents`);
    const l = rank(level as Level);
    if (!readsCovered && l < rank("Metadata")) out.push(`${at} records requests of the agents at level None`);
    else if (!writesCovered && l < rank("Request") && mayMatchBodyWrite(rule)) {
      out.push(`${at} records writes of the agents at level ${String(level)}: their bodies would go unrecorded`);
    }
    if (l >= rank("Metadata") && matchesAllAgentRequests(rule, ctx.namespace, "all")) readsCovered = true;
    if (l >= rank("Request") && matchesAllAgentRequests(rule, ctx.namespace, "writes")) writesCovered = true;
    return undefined;
  });
  if (!readsCovered)
    out.push(
      `no rule matches every request of the agents (group system:serviceaccounts:${ctx.namespace}): unmatched requests are not recorded`,
    );
  if (!writesCovered)
    out.push(`no rule records every write of the agents with its body (level Request or RequestResponse)`);
  return out;
}

export const auditPolicyRecordsAgents: ResourceRule = {
  name: "audit-policy-records-agents",
  domain: "cluster",
  scope: "resource",
  security: true,
  kinds: ["Policy"],
  settings: ["namespace"],
  reads: ["omitStages", "rules"],
  description:
    "The API server's audit policy records every request of the agents' ServiceAccounts, and every write with its body " +
    "(credential kinds at Metadata): judged in the API server's first-match order, a rule that silences them, or a gap " +
    "no rule covers, is refused.",
  remediationSteps:
    "Keep the rendered audit policy: a rule recording the agents' writes at RequestResponse and one recording all their " +
    "requests at Metadata, both before any rule at level None; never omit the ResponseComplete stage.",
  appliesTo: (obj) => obj.apiVersion === "audit.k8s.io/v1",
  validate: judge,
};
