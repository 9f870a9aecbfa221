/**
 * RBAC rules: what a Role or RoleBinding of an agent may never say, and the verb ceiling of each phase. The
 * never-lists come from `model/forbidden.ts` and the ceiling from the trust catalog; nothing is restated here.
 */
import { allowedVerbs, executorAllows, phaseAllows, readOnlyPhases } from "../model/catalog";
import {
  CLUSTER_ONLY_RESOURCES,
  CLUSTER_SCOPED_GRANT_KINDS,
  ESCALATION_VERBS,
  FORBIDDEN_RESOURCES,
  NO_DELETE_RESOURCES,
  NO_WRITE_RESOURCES,
  WORKLOAD_RESOURCES,
  WRITE_VERB_SET,
} from "../model/forbidden";
import { READ_VERBS } from "../model/rbac";
import { executorRoleOf } from "./executor";
import { forbidResources, policyRules } from "./helpers";
import { field, isObj, list, show } from "./paths";
import type { ResourceRule } from "./types";

const ROLE_KINDS = ["Role", "ClusterRole"] as const;
const BINDING_KINDS = ["RoleBinding", "ClusterRoleBinding"] as const;

const ruleReads = ["rules"];

/** A security rule of the rbac domain on the objects it names. */
const rbacRule = (r: Omit<ResourceRule, "domain" | "scope" | "security">): ResourceRule => ({
  domain: "rbac",
  scope: "resource",
  security: true,
  ...r,
});

/** A security rule of the rbac domain on the rules of a Role or ClusterRole. */
const roleRule = (r: Omit<ResourceRule, "domain" | "scope" | "security" | "kinds" | "reads">): ResourceRule => ({
  domain: "rbac",
  scope: "resource",
  security: true,
  kinds: ROLE_KINDS,
  reads: ruleReads,
  ...r,
});

export const noClusterScopedGrants = rbacRule({
  name: "no-cluster-scoped-grants",
  kinds: CLUSTER_SCOPED_GRANT_KINDS,
  reads: [],
  description:
    "Refuses ClusterRoles, ClusterRoleBindings and validating or mutating webhook configurations: an agent stack never grants or hooks anything cluster-wide.",
  remediationSteps:
    "Use a namespaced Role and RoleBinding in each target namespace instead; webhooks belong to the platform team, not to an agent stack.",
  validate: (obj) => [`${obj.kind} is cluster-scoped; agent stacks may only create namespaced grants`],
});

export const noRoleBindingToClusterRole = rbacRule({
  name: "no-rolebinding-to-clusterrole",
  kinds: ["RoleBinding"],
  reads: ["roleRef"],
  description:
    "A RoleBinding must reference a namespaced Role: binding a ClusterRole imports rules the stack does not own and cannot review.",
  remediationSteps: "Copy the rules the agent needs into a Role in the same namespace and set roleRef.kind: Role.",
  validate: (obj) => {
    const kind = field(obj, "roleRef", "kind");
    return kind === "Role" ? [] : [`roleRef.kind is ${show(kind)}; it must be "Role"`];
  },
});

export const noRbacWildcards = roleRule({
  name: "no-rbac-wildcards",
  description:
    "No `*` in verbs, resources, apiGroups or non-resource URLs: a wildcard grants every verb or resource that exists now or is added later.",
  remediationSteps: "List the exact verbs, resources and API groups the agent needs (see the trust catalog).",
  validate: (obj) =>
    policyRules(obj).flatMap((r) =>
      (["verbs", "resources", "apiGroups", "nonResourceURLs"] as const)
        .filter((k) => r[k].some((v) => v.includes("*")))
        .map((k) => `${r.at}.${k} contains a wildcard (${r[k].filter((v) => v.includes("*")).join(", ")})`),
    ),
});

export const noEscalationVerbs = roleRule({
  name: "no-escalation-verbs",
  description:
    "No escalate, bind or impersonate: each lets a subject grant itself more than it has or act as someone else.",
  remediationSteps: "Remove the verb; an agent never manages RBAC or identities.",
  validate: (obj) =>
    policyRules(obj).flatMap((r) => {
      const hits = r.verbs.filter((v) => (ESCALATION_VERBS as readonly string[]).includes(v));
      return hits.length ? [`${r.at}.verbs contains ${hits.map((v) => `"${v}"`).join(", ")}`] : [];
    }),
});

const POD_ACCESS = FORBIDDEN_RESOURCES.filter((r) => r.startsWith("pods/"));

export const noSecretsAccess = roleRule({
  name: "no-secrets-access",
  description: "No access to Secrets with any verb: even list and watch return every secret's data.",
  remediationSteps: "Remove secrets from the rule; agents get credentials from Vault through their own auth role.",
  validate: (obj) => forbidResources(obj, ["secrets"], undefined, "secrets are never readable by agents"),
});

export const noPodExec = roleRule({
  name: "no-pod-exec",
  description: `No ${POD_ACCESS.join(", ")} with any verb: exec over websockets needs only get, and each runs code inside another workload.`,
  remediationSteps: "Remove the subresource; read pods/log and events for diagnostics instead.",
  validate: (obj) => forbidResources(obj, POD_ACCESS, undefined, "runs code or opens a channel into another pod"),
});

export const noServiceAccountTokens = roleRule({
  name: "no-serviceaccount-tokens",
  description: "No serviceaccounts/token: minting tokens for other ServiceAccounts is impersonation by another name.",
  remediationSteps: "Remove serviceaccounts/token; the agent's own token is projected into its pod.",
  validate: (obj) => forbidResources(obj, ["serviceaccounts/token"], undefined, "mints tokens for other identities"),
});

export const noWorkloadCreate = roleRule({
  name: "no-workload-create",
  description: `No create on workloads (${WORKLOAD_RESOURCES.join(", ")}): creating one runs new code with any ServiceAccount in the namespace.`,
  remediationSteps:
    "Remove create; agents restart existing workloads (delete a pod, patch a deployment), never start new ones.",
  validate: (obj) => forbidResources(obj, WORKLOAD_RESOURCES, ["create"], "creating workloads runs arbitrary code"),
});

export const noIdentityWrites = roleRule({
  name: "no-identity-writes",
  description: `No writes on ${NO_WRITE_RESOURCES.join(", ")}: changing identities or RBAC is escalation by another route.`,
  remediationSteps: "Keep only get, list and watch on these resources, or drop them.",
  validate: (obj) =>
    forbidResources(obj, NO_WRITE_RESOURCES, WRITE_VERB_SET, "identity and RBAC objects are read-only"),
});

export const noDeleteCollection = roleRule({
  name: "no-deletecollection",
  description:
    "No deletecollection on anything: one call removes every object of a kind, and resourceNames cannot narrow it.",
  remediationSteps: "Use delete on named resources (resourceNames) if the phase allows deletes at all.",
  validate: (obj) =>
    policyRules(obj).flatMap((r) =>
      r.verbs.includes("deletecollection") ? [`${r.at}.verbs contains "deletecollection"`] : [],
    ),
});

export const noDestructiveDelete = roleRule({
  name: "no-destructive-delete",
  description:
    `No delete on ${NO_DELETE_RESOURCES.join(", ")}: that loses data or whole applications, and no restart needs it. ` +
    "Only an executor Role (`<agent>-<phase>-executor`) may hold the deletes its phase approves, which the API server lets run only with a person's approval.",
  remediationSteps: "Restart by deleting a pod or patching a deployment (rollout restart) instead.",
  validate: (obj, ctx) => {
    const executor = executorRoleOf(obj, ctx);
    const approvable = executor && ((v: string, g: string, res: string) => executorAllows(executor.phase, v, g, res));
    return forbidResources(
      obj,
      NO_DELETE_RESOURCES,
      ["delete"],
      "deleting it loses data or an application",
      approvable,
    );
  },
});

export const noClusterOnlyResources = roleRule({
  name: "no-cluster-only-resources",
  description:
    "No cluster-only resources (nodes, nodes/proxy, CSRs and their approval, webhook configurations, persistent volumes, …) and no non-resource URLs in a Role.",
  remediationSteps: "Remove them; an agent has no business with cluster infrastructure.",
  validate: (obj) => [
    ...forbidResources(obj, CLUSTER_ONLY_RESOURCES, undefined, "cluster-only resources never belong to an agent"),
    ...policyRules(obj).flatMap((r) =>
      r.nonResourceURLs.length ? [`${r.at} grants nonResourceURLs (cluster-scoped)`] : [],
    ),
  ],
});

/**
 * The proxy subresources (pods/proxy, services/proxy, nodes/proxy) forward any HTTP request to the target, with
 * the API server's credentials for a node's kubelet: `get` alone reaches the kubelet's exec and every port of a
 * pod or service. RBAC matches `*\/proxy` (every resource's proxy), `<res>/*` and `*` as well.
 */
function proxyGrants(resource: string): boolean {
  if (resource === "*") return true;
  const slash = resource.indexOf("/");
  if (slash < 0) return false;
  const sub = resource.slice(slash + 1);
  return sub === "proxy" || sub === "*";
}

export const noProxySubresources = roleRule({
  name: "no-proxy-subresources",
  description:
    "No proxy subresource with any verb (pods/proxy, services/proxy, nodes/proxy, */proxy, <resource>/* or *): get on a proxy forwards any request to the pod, service or kubelet behind it.",
  remediationSteps: "Remove the proxy subresource; read pods/log, events and the objects themselves for diagnostics.",
  validate: (obj) =>
    policyRules(obj).flatMap((r) => {
      const hits = r.resources.filter(proxyGrants);
      return hits.length && r.verbs.length
        ? [`${r.at} grants ${hits.map((x) => `"${x}"`).join(", ")}: a proxy reaches whatever is behind it`]
        : [];
    }),
});

export const verbsWithinPhaseCeiling = roleRule({
  name: "verbs-within-phase-ceiling",
  description:
    `Every write verb must be one the trust catalog grants the phase on that resource; ${readOnlyPhases().join(" and ")} get get/list/watch only. ` +
    "An executor Role (`<agent>-<phase>-executor`) holds exactly its phase's approvable verbs instead.",
  remediationSteps:
    "Remove the verb, or promote the agent to a phase whose catalog grants it (through the reviewed promotion path).",
  validate: (obj, ctx) => {
    const executor = executorRoleOf(obj, ctx) !== undefined;
    const allows = executor ? executorAllows : phaseAllows;
    const ceiling = executor
      ? `the approvable verbs of phase "${ctx.phase}"`
      : `the ceiling of phase "${ctx.phase}" (its verbs: ${allowedVerbs(ctx.phase).join(", ")})`;
    return policyRules(obj).flatMap((r) =>
      r.verbs
        .filter((v) => !(READ_VERBS as readonly string[]).includes(v))
        .flatMap((verb) =>
          r.apiGroups.flatMap((g) =>
            r.resources
              .filter((res) => !allows(ctx.phase, verb, g, res))
              .map((res) => `${r.at}: "${verb}" on ${g ? `${g}/` : ""}${res} is above ${ceiling}`),
          ),
        ),
    );
  },
});

export const bindingSubjectsServiceAccounts = rbacRule({
  name: "binding-subjects-service-accounts",
  kinds: BINDING_KINDS,
  reads: ["subjects"],
  description:
    "Bindings bind only named ServiceAccounts (never `default`, never users or groups), each with its namespace.",
  remediationSteps: "Bind the agent's own ServiceAccount: kind ServiceAccount, its name and its namespace.",
  validate: (obj) => {
    const subjects = list(obj.subjects);
    if (subjects.length === 0) return ["subjects is empty or missing; bind the agent's ServiceAccount"];
    return subjects.flatMap((s, i) => {
      const at = `subjects[${i}]`;
      if (!isObj(s)) return [`${at} is not an object`];
      const out: string[] = [];
      if (s.kind !== "ServiceAccount")
        out.push(`${at}.kind is ${show(s.kind)}; only ServiceAccount subjects are allowed`);
      else {
        if (typeof s.name !== "string" || s.name === "" || s.name === "default") {
          out.push(`${at}.name is ${show(s.name)}; bind the agent's own ServiceAccount, never "default"`);
        }
        if (typeof s.namespace !== "string" || s.namespace === "") out.push(`${at}.namespace is ${show(s.namespace)}`);
      }
      return out;
    });
  },
});

export const RBAC_RULES: readonly ResourceRule[] = [
  noClusterScopedGrants,
  noRoleBindingToClusterRole,
  noRbacWildcards,
  noEscalationVerbs,
  noSecretsAccess,
  noPodExec,
  noServiceAccountTokens,
  noWorkloadCreate,
  noIdentityWrites,
  noDeleteCollection,
  noDestructiveDelete,
  noClusterOnlyResources,
  noProxySubresources,
  verbsWithinPhaseCeiling,
  bindingSubjectsServiceAccounts,
];
