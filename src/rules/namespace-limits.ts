/**
 * The agents namespace's resource guard rails, as the foundation renders them: one ResourceQuota that bounds every
 * pod of the namespace (a scoped quota bounds only the pods its scopes select, e.g. `BestEffort` leaves every pod
 * with requests unbounded), and one LimitRange that gives every container limits and caps them. Without them one
 * runaway investigation starves the node. Hygiene: mandatory outside dev. Pure.
 */
import { compareQuantities, parseQuantity, type Quantity } from "../config/quantity";
import type { Manifest } from "../model/manifest";
import { field, isObj, list, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";

/** What the quota must bound: pods, and requests and limits of CPU and memory. */
export const QUOTA_KEYS: readonly string[] = ["pods", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];
/** What every container gets by default and may not exceed. */
export const LIMIT_RESOURCES: readonly string[] = ["cpu", "memory"];

const quantity = (v: unknown): Quantity | undefined =>
  typeof v === "string" ? parseQuantity(v) : typeof v === "number" && v >= 0 ? parseQuantity(String(v)) : undefined;

function inAgentsNamespace(obj: Manifest, ctx: RuleContext): string[] {
  const ns = obj.metadata?.namespace;
  return ns === ctx.namespace
    ? []
    : [`${obj.kind} is in namespace ${show(ns)}; it guards the agents namespace ${ctx.namespace} only there`];
}

function judgeQuota(obj: Manifest, ctx: RuleContext): string[] {
  const out = inAgentsNamespace(obj, ctx);
  if (list(field(obj, "spec", "scopes")).length > 0 || field(obj, "spec", "scopeSelector") !== undefined) {
    out.push(
      `spec.scopes/scopeSelector narrow the quota to some pods; the agents namespace needs one quota over all of them`,
    );
  }
  const hard = field(obj, "spec", "hard");
  if (!isObj(hard)) return [...out, `spec.hard is ${show(hard)}; expected ${QUOTA_KEYS.join(", ")}`];
  for (const k of QUOTA_KEYS) {
    if (hard[k] === undefined) out.push(`spec.hard.${k} is not set: nothing bounds it`);
    else if (!quantity(hard[k])) out.push(`spec.hard.${k} is ${show(hard[k])}; expected a Kubernetes quantity`);
  }
  return out;
}

function judgeLimits(obj: Manifest, ctx: RuleContext): string[] {
  const out = inAgentsNamespace(obj, ctx);
  const items = list(field(obj, "spec", "limits"));
  const containers = items.filter((i) => isObj(i) && i.type === "Container");
  if (containers.length !== 1)
    return [...out, `spec.limits has ${containers.length} Container item(s); expected exactly one`];
  const item = containers[0] as Record<string, unknown>;
  for (const r of LIMIT_RESOURCES) {
    const max = quantity(field(item, "max", r));
    const def = quantity(field(item, "default", r));
    if (!max)
      out.push(
        `the Container item's max.${r} is ${show(field(item, "max", r))}; expected a quantity that caps every container`,
      );
    if (!def)
      out.push(
        `the Container item's default.${r} is ${show(field(item, "default", r))}; expected a quantity: a container without limits would have none`,
      );
    if (max && def && compareQuantities(def, max) > 0)
      out.push(`the Container item's default.${r} is above its max.${r}`);
  }
  return out;
}

const HYGIENE = { domain: "cluster", scope: "resource", security: false, settings: ["namespace"] } as const;

export const agentsNamespaceQuota: ResourceRule = {
  ...HYGIENE,
  name: "agents-namespace-quota",
  kinds: ["ResourceQuota"],
  reads: ["metadata.namespace", "spec.hard", "spec.scopes", "spec.scopeSelector"],
  description: `The agents namespace's ResourceQuota bounds every pod (no scopes) in ${QUOTA_KEYS.join(", ")}.`,
  remediationSteps:
    "Keep the foundation's quota: in the agents namespace, unscoped, with every listed key set to a quantity.",
  appliesTo: (obj) => obj.apiVersion === "v1",
  validate: judgeQuota,
};

export const agentsNamespaceLimits: ResourceRule = {
  ...HYGIENE,
  name: "agents-namespace-limits",
  kinds: ["LimitRange"],
  reads: ["metadata.namespace", "spec.limits"],
  description:
    "The agents namespace's LimitRange gives every container default CPU and memory limits and caps them (default ≤ max).",
  remediationSteps:
    "Keep the foundation's LimitRange: in the agents namespace, one Container item with default and max for cpu and memory.",
  appliesTo: (obj) => obj.apiVersion === "v1",
  validate: judgeLimits,
};

export const NAMESPACE_LIMIT_RULES: readonly ResourceRule[] = [agentsNamespaceQuota, agentsNamespaceLimits];
