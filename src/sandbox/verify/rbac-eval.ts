/**
 * What a set of RBAC rules grants, evaluated the way the Kubernetes RBAC authorizer does it (verb, API group,
 * resource or resource/subresource, resourceNames; `*` wildcards). Used to compute the matrix's expected
 * cells from the catalog, independently of the server that is measured. Pure.
 */
import type { PolicyRule } from "../../model/rbac";

export interface ResourceRequest {
  readonly verb: string;
  readonly apiGroup: string;
  /** `pods`, or `pods/exec` for a subresource. */
  readonly resource: string;
  /** Empty or absent for collection requests (list, watch, create, deletecollection). */
  readonly name?: string;
}

const has = (list: readonly string[], value: string) => list.includes("*") || list.includes(value);

function resourceMatches(rule: PolicyRule, resource: string): boolean {
  if (rule.resources.includes("*") || rule.resources.includes(resource)) return true;
  // `*/scale` style wildcards: any resource with that subresource.
  const slash = resource.indexOf("/");
  return slash >= 0 && rule.resources.includes(`*${resource.slice(slash)}`);
}

export function ruleAllows(rule: PolicyRule, req: ResourceRequest): boolean {
  if (!has(rule.verbs, req.verb)) return false;
  if (!has(rule.apiGroups, req.apiGroup)) return false;
  if (!resourceMatches(rule, req.resource)) return false;
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return req.name !== undefined && req.name !== "" && names.includes(req.name);
}

export function rulesAllow(rules: readonly PolicyRule[], req: ResourceRequest): boolean {
  return rules.some((r) => ruleAllows(r, req));
}
