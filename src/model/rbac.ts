/**
 * Intent-level RBAC vocabulary (in the spirit of cdk8s-plus `allowRead`): the catalog says "read these" or
 * "restart those", never scatters verb strings. Pure data, no Pulumi.
 */

/** A Kubernetes resource as RBAC names it: API group plus (sub)resource. */
export interface ResourceRef {
  readonly apiGroup: string;
  readonly resource: string;
}

/** One RBAC PolicyRule, in the shape the Kubernetes API uses. */
export interface PolicyRule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

export const READ_VERBS = ["get", "list", "watch"] as const;

const core = (resource: string): ResourceRef => ({ apiGroup: "", resource });
const apps = (resource: string): ResourceRef => ({ apiGroup: "apps", resource });
const batch = (resource: string): ResourceRef => ({ apiGroup: "batch", resource });

/** What a diagnostic agent reads, in every phase. */
export const DIAGNOSTIC_RESOURCES: readonly ResourceRef[] = [
  core("pods"),
  core("pods/log"),
  core("events"),
  core("services"),
  core("endpoints"),
  apps("deployments"),
  apps("replicasets"),
  apps("statefulsets"),
  batch("jobs"),
];

/** What an agent may see of its own investigations in the agents namespace (never their secrets). */
export const SELF_RESOURCES: readonly ResourceRef[] = [core("pods"), core("pods/log"), core("events"), batch("jobs")];

export const POD = core("pods");
export const DEPLOYMENT = apps("deployments");
export const DEPLOYMENT_SCALE = apps("deployments/scale");

/** Groups resources by API group so one rule is emitted per group, sorted for byte-stable output. */
function byGroup(refs: readonly ResourceRef[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const ref of refs) {
    const list = groups.get(ref.apiGroup) ?? [];
    if (!list.includes(ref.resource)) list.push(ref.resource);
    groups.set(ref.apiGroup, list);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** get/list/watch on the given resources: the whole of what shadow and assist may do. */
export function allowRead(refs: readonly ResourceRef[]): PolicyRule[] {
  return [...byGroup(refs)].map(([group, resources]) => ({
    apiGroups: [group],
    resources: [...resources].sort(),
    verbs: [...READ_VERBS],
  }));
}

/**
 * One write verb on one resource, optionally narrowed to named objects. RBAC cannot narrow `list`/`watch` by
 * name, but it can narrow delete and patch, which is exactly what a restart needs.
 */
export function allowVerb(ref: ResourceRef, verb: string, resourceNames?: readonly string[]): PolicyRule {
  const rule: PolicyRule = { apiGroups: [ref.apiGroup], resources: [ref.resource], verbs: [verb] };
  return resourceNames && resourceNames.length > 0 ? { ...rule, resourceNames: [...resourceNames].sort() } : rule;
}
