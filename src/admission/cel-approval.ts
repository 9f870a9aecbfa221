/**
 * CEL building blocks of the approval feature (issue 20): who is an agent's executor ServiceAccount (the exact
 * inverse of `executorServiceAccount`, as `parseExecutorUsername` reads it), who is the approval proxy, who is a
 * configured approver or the deployer, and which operations each phase's executor may carry out. Shared by the
 * approval admission rules (approval-rules.ts) and by `isAgentRequest` (cel.ts), which must not count executors or
 * the proxy as agents. Pure.
 */
import { CATALOG } from "../model/catalog";
import { PHASES, type Phase } from "../model/phases";
import { approvalProxyUsername, EXECUTOR_SUFFIX } from "../model/naming";
import type { ParamKey } from "../model/admission";

/** A CEL string literal (JSON's escapes are CEL's escapes for the printable ASCII we generate). */
function lit(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`CEL literal must be printable ASCII: ${JSON.stringify(text)}`);
  return JSON.stringify(text);
}

/** `params.data.<key>`, or "" when absent (an absent list names nobody). */
const paramOf = (key: ParamKey) => `(has(params.data) && ${lit(key)} in params.data ? params.data[${lit(key)}] : "")`;

/** The CEL list of every phase word. */
export const PHASE_LIST = `[${PHASES.map(lit).join(", ")}]`;

/** Username prefix of every ServiceAccount in the agents namespace. */
export const serviceAccountPrefix = (namespace: string) => `system:serviceaccount:${namespace}:`;

/**
 * CEL: the ServiceAccount name `name` (a CEL string expression) is an executor's, `<agent>-<phase>-executor`,
 * exactly as `parseExecutorUsername` accepts it: a DNS label of non-empty segments, at most 63 characters, ending
 * in `-executor`, whose only phase word is the segment just before that, with at least one agent segment before it.
 * Written without variables so it can serve in a matchCondition; `&&` absorbs the index error of a short name.
 */
export function isExecutorName(name: string): string {
  const segs = `${name}.split("-")`;
  return (
    `(${name}.size() <= 63 && ${name}.matches("^[a-z0-9]+(-[a-z0-9]+)*$") && ` +
    `${name}.endsWith(${lit(`-${EXECUTOR_SUFFIX}`)}) && ${segs}.size() >= 3 && ` +
    `${segs}.filter(s, s in ${PHASE_LIST}).size() == 1 && ${segs}[${segs}.size() - 2] in ${PHASE_LIST})`
  );
}

/** CEL: the requester's ServiceAccount name, when its username is one of the agents namespace (else garbage). */
const requesterName = (namespace: string) =>
  `request.userInfo.username.substring(${serviceAccountPrefix(namespace).length})`;

/** CEL: the requester is an executor ServiceAccount of the agents namespace. */
export function isExecutorRequest(namespace: string): string {
  return (
    `(request.userInfo.username.startsWith(${lit(serviceAccountPrefix(namespace))}) && ` +
    `${isExecutorName(requesterName(namespace))})`
  );
}

/** CEL: the requester is the approval proxy's ServiceAccount. */
export const isProxyRequest = (namespace: string) =>
  `request.userInfo.username == ${lit(approvalProxyUsername(namespace))}`;

/** `variables.execName`, `variables.execPhase` and `variables.reviewPrefix` of an executor's request. */
export function executorVariables(namespace: string): { name: string; expression: string }[] {
  return [
    { name: "execName", expression: requesterName(namespace) },
    { name: "execSegs", expression: `variables.execName.split("-")` },
    { name: "execPhase", expression: "variables.execSegs[variables.execSegs.size() - 2]" },
    {
      // `<agent>-<phase>-review-`: the reviews `reviewName` builds for this executor's agent and phase.
      name: "reviewPrefix",
      expression: `variables.execName.substring(0, variables.execName.size() - ${EXECUTOR_SUFFIX.length}) + "review-"`,
    },
  ];
}

/** RBAC verb → the admission operation it arrives as. */
const OPERATION: Readonly<Record<string, string>> = { delete: "DELETE", patch: "UPDATE", update: "UPDATE" };

/** `group|resource|subresource|OPERATION` of every approvable action of `phase`, as admission sees the request. */
export function approvableOperations(phase: Phase): string[] {
  const keys = CATALOG[phase].approvable.flatMap((a) => {
    const [resource = "", sub = ""] = a.resource.resource.split("/");
    return a.verbs.map((v) => {
      const op = OPERATION[v];
      if (!op) throw new Error(`approvable verb "${v}" has no admission operation`);
      return `${a.resource.apiGroup}|${resource}|${sub}|${op}`;
    });
  });
  return [...new Set(keys)].sort();
}

/** CEL: the map phase → approvable operation keys (every phase present; a phase without approvables: empty). */
export const APPROVABLE_MAP = `{${PHASES.map((p) => `${lit(p)}: [${approvableOperations(p).map(lit).join(", ")}]`).join(", ")}}`;

/** CEL: this request's `group|resource|subresource|OPERATION`. */
export const REQUEST_KEY =
  '(request.resource.group + "|" + request.resource.resource + "|" + request.?subResource.orValue("") + "|" + request.operation)';

/** CEL: `list` (a comma-separated parameter) holds `value`. */
const listed = (key: ParamKey, value: string) => `${paramOf(key)}.split(",").exists(x, x != "" && x == ${value})`;
/** CEL: one of the requester's groups is in the comma-separated parameter `key`. */
const inGroups = (key: ParamKey) => `request.userInfo.?groups.orValue([]).exists(g, ${listed(key, "g")})`;

/** `variables.isDeployer`: the requester is a deployer user or in a deployer group (parameter ConfigMap). */
export const DEPLOYER_VARIABLE = {
  name: "isDeployer",
  expression: `${listed("deployerUsers", "request.userInfo.username")} || ${inGroups("deployerGroups")}`,
};

/**
 * `variables.isApprover`: the requester is a configured approver (a user, or in a group) and no ServiceAccount or
 * other `system:` identity, whatever the parameters say.
 */
export const APPROVER_VARIABLE = {
  name: "isApprover",
  expression:
    `!request.userInfo.username.startsWith("system:") && ` +
    `(${listed("approverUsers", "request.userInfo.username")} || ${inGroups("approverGroups")})`,
};
