/**
 * The deployer-only admission rules: only the configured deployer identity (deployerUsers / deployerGroups in the
 * foundation's parameter ConfigMap) may bind an agent ServiceAccount or change a Role labelled as an agent's, so
 * an agent's permissions change only through its phase stack, system:masters included. Holds the CEL that
 * recognises an agent subject or an agent's Role and the shared `isDeployer` variable. Pure.
 */
import { LABELS } from "../model/naming";
import type { AdmissionRule } from "../rules/types";
import { agentPrefix, cel, param } from "./cel";

/** CEL: the binding's subjects include an agent ServiceAccount (directly, by username or through a group that holds it). */
export function namesAgent(ns: string): string {
  const groups = ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"].map(cel).join(", ");
  return (
    "object.?subjects.orValue([]).exists(s, " +
    `(s.kind == "ServiceAccount" && s.?namespace.orValue(object.metadata.?namespace.orValue("")) == ${cel(ns)}) || ` +
    `(s.kind == "User" && s.name.startsWith(${cel(agentPrefix({ namespace: ns }))})) || ` +
    `(s.kind == "Group" && s.name in [${groups}]))`
  );
}

/** `variables.isDeployer`: the requester is a deployer user or in a deployer group (parameter ConfigMap). */
const IS_DEPLOYER = {
  name: "isDeployer",
  expression:
    `${param("deployerUsers")}.split(",").exists(u, u != "" && u == request.userInfo.username) || ` +
    `request.userInfo.?groups.orValue([]).exists(g, ${param("deployerGroups")}.split(",").exists(d, d != "" && d == g))`,
};

export const deployerOnlyGrants: AdmissionRule = {
  name: "admission-deployer-only-grants",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    "Only the configured deployer identity (deployerUsers / deployerGroups in the foundation's parameter ConfigMap) may create or change a RoleBinding or ClusterRoleBinding whose subjects include an agent ServiceAccount; system:masters is not exempt.",
  remediationSteps:
    "Grant agents only through their phase stack (`pulumi up` as the deployer); never bind an agent by hand.",
  admission: {
    requesters: "everyone",
    resourceRules: [
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["rolebindings", "clusterrolebindings"],
        operations: ["CREATE", "UPDATE"],
      },
    ],
    matchConditions: (ctx) => [{ name: "names-an-agent", expression: namesAgent(ctx.namespace) }],
    params: true,
    variables: () => [IS_DEPLOYER],
    validations: () => [
      { expression: "variables.isDeployer", reason: "only the deployer identity may bind an agent ServiceAccount" },
    ],
  },
};

/** CEL: the object (or, on an update, the object before it) carries an agent-trust phase or agent label. */
export const AGENT_LABELLED = ["object", "oldObject"]
  .map(
    (o) =>
      `(${o} != null && has(${o}.metadata.labels) && (${cel(LABELS.phase)} in ${o}.metadata.labels || ${cel(LABELS.agent)} in ${o}.metadata.labels))`,
  )
  .join(" || ");

export const deployerOnlyAgentRoles: AdmissionRule = {
  name: "admission-deployer-only-agent-roles",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    "Only the configured deployer identity may create or change a Role or ClusterRole labelled as an agent's (agent-trust.io/phase or agent-trust.io/agent, before or after the change): widening an agent's Role is granting it, system:masters included.",
  remediationSteps:
    "Change an agent's permissions only through the trust catalog and its phase stack (`pulumi up` as the deployer).",
  admission: {
    requesters: "everyone",
    resourceRules: [
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["roles", "clusterroles"],
        operations: ["CREATE", "UPDATE"],
      },
    ],
    matchConditions: () => [{ name: "an-agents-role", expression: AGENT_LABELLED }],
    params: true,
    variables: () => [IS_DEPLOYER],
    validations: () => [
      { expression: "variables.isDeployer", reason: "only the deployer identity may change an agent's Role" },
    ],
  },
};
