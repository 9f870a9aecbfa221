/**
 * The admission rules of the approval feature (issue 20): an executor ServiceAccount acts only with an approval's
 * proof and only within its phase's approvable actions; no credential of an executor ever exists; and an
 * ApprovalReview is created by the proxy alone, decided once by an approver and closed once by the proxy. Each rule
 * is one ValidatingAdmissionPolicy (src/admission/policies.ts), applying to every requester. Pure.
 */
import { APPROVAL_EXTRAS, REVIEW_API, REVIEW_OUTCOMES, REVIEW_VERDICTS } from "../model/approval";
import { PHASES } from "../model/phases";
import type { AdmissionRule } from "../rules/types";
import { CEILING_VARIABLE, cel, param } from "./cel";
import {
  APPROVABLE_MAP,
  APPROVER_VARIABLE,
  DEPLOYER_VARIABLE,
  executorVariables,
  isExecutorName,
  isExecutorRequest,
  isProxyRequest,
  REQUEST_KEY,
} from "./cel-approval";

/** CEL: the single, non-empty value of a user extra, or "" when it is missing or not exactly one value. */
const extra = (key: string) =>
  `(${cel(key)} in request.userInfo.?extra.orValue({}) && request.userInfo.extra[${cel(key)}].size() == 1 ? request.userInfo.extra[${cel(key)}][0] : "")`;

/** CEL: the rank of the executor's phase (-1 for none, so it passes no ceiling). */
const EXEC_RANK = PHASES.reduceRight((rest, p, i) => `variables.execPhase == ${cel(p)} ? ${i} : ${rest}`, "-1");

const executorNeedsApproval: AdmissionRule = {
  name: "admission-executor-needs-approval",
  domain: "admission",
  scope: "admission",
  security: true,
  description: `An agent's executor ServiceAccount (<agent>-<phase>-executor) writes only with an approval's proof (exactly one ${APPROVAL_EXTRAS.review} naming a review of its agent and phase, exactly one ${APPROVAL_EXTRAS.approver} that is no system: identity), only the approvable actions of its phase (a scale only downwards), one named object at a time, within the phase ceiling and never in a protected namespace.`,
  remediationSteps:
    "Ask through the approval proxy and have an approver approve the review; never impersonate an executor by hand.",
  admission: {
    requesters: "everyone",
    resourceRules: [{ apiGroups: ["*"], resources: ["*/*"], operations: ["CREATE", "UPDATE", "DELETE", "CONNECT"] }],
    matchConditions: (ctx) => [{ name: "executor-service-account", expression: isExecutorRequest(ctx.namespace) }],
    params: true,
    variables: (ctx) => [
      ...executorVariables(ctx.namespace),
      { name: "review", expression: extra(APPROVAL_EXTRAS.review) },
      { name: "approver", expression: extra(APPROVAL_EXTRAS.approver) },
      { name: "execRank", expression: EXEC_RANK },
      CEILING_VARIABLE,
      { name: "protectedLabel", expression: param("protectedLabel") },
    ],
    validations: () => [
      {
        expression:
          'variables.review != "" && variables.review.startsWith(variables.reviewPrefix) && variables.review.size() > variables.reviewPrefix.size()',
        reason: `the request carries no single ${APPROVAL_EXTRAS.review} naming a review of this agent and phase`,
      },
      {
        expression: 'variables.approver != "" && !variables.approver.startsWith("system:")',
        reason: `the request carries no single ${APPROVAL_EXTRAS.approver}, or it names a ServiceAccount or system identity`,
      },
      {
        expression: `${REQUEST_KEY} in ${APPROVABLE_MAP}[variables.execPhase]`,
        reason: "the operation is none of the phase's approvable actions",
      },
      {
        expression:
          'request.?subResource.orValue("") != "scale" || (object.spec.?replicas.orValue(0) < oldObject.spec.?replicas.orValue(0))',
        reason: "an approved scale may only lower the replica count",
      },
      { expression: 'request.?name.orValue("") != ""', reason: "an approval is for one named object" },
      {
        expression: "variables.execRank >= 0 && variables.execRank <= variables.ceilingRank",
        reason: "the executor's phase is above the environment's current phase ceiling",
      },
      {
        expression:
          'namespaceObject == null || !has(namespaceObject.metadata.labels) || (variables.protectedLabel != "" && !(variables.protectedLabel in namespaceObject.metadata.labels && namespaceObject.metadata.labels[variables.protectedLabel] == "true"))',
        reason: "the namespace is labelled protected",
      },
    ],
  },
};

/** Where each pod-creating kind holds its pod spec (`object` relative), by resource. */
const POD_SPECS: Readonly<Record<string, string>> = {
  pods: "object.spec",
  podtemplates: "object.template.spec",
  replicationcontrollers: "object.spec.template.spec",
  deployments: "object.spec.template.spec",
  statefulsets: "object.spec.template.spec",
  daemonsets: "object.spec.template.spec",
  replicasets: "object.spec.template.spec",
  jobs: "object.spec.template.spec",
  cronjobs: "object.spec.jobTemplate.spec.template.spec",
};
/** CEL: a string field `field` of this request's pod spec, "" when absent (`object.a.b` read as `object.?a.?b`). */
const podSpecField = (field: string) =>
  Object.entries(POD_SPECS).reduceRight(
    (rest, [resource, path]) =>
      `request.resource.resource == ${cel(resource)} ? ${`${path}.${field}`.split(".").reduce((acc, f) => `${acc}.?${f}`)}.orValue("") : ${rest}`,
    '""',
  );
const SA_ANNOTATION = "kubernetes.io/service-account.name";

const executorNoCredentials: AdmissionRule = {
  name: "admission-executor-no-credentials",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    "Nobody (administrators included) may create a credential of an executor ServiceAccount: no TokenRequest, no Pod or pod-creating workload or PodTemplate running as it, no service-account-token Secret for it, and the executor ServiceAccount never automounts a token. Only the approval proxy acts as it, by impersonation.",
  remediationSteps:
    "Leave the executor ServiceAccounts to the phase stack; approved actions are carried out by the approval proxy.",
  admission: {
    requesters: "everyone",
    resourceRules: [
      { apiGroups: [""], resources: ["serviceaccounts/token"], operations: ["CREATE"] },
      { apiGroups: [""], resources: ["serviceaccounts", "secrets"], operations: ["CREATE", "UPDATE"] },
      {
        apiGroups: [""],
        resources: ["pods", "podtemplates", "replicationcontrollers"],
        operations: ["CREATE", "UPDATE"],
      },
      {
        apiGroups: ["apps"],
        resources: ["deployments", "statefulsets", "daemonsets", "replicasets"],
        operations: ["CREATE", "UPDATE"],
      },
      { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], operations: ["CREATE", "UPDATE"] },
    ],
    matchConditions: (ctx) => [{ name: "agents-namespace", expression: `request.namespace == ${cel(ctx.namespace)}` }],
    params: false,
    variables: () => [
      { name: "sub", expression: 'request.?subResource.orValue("")' },
      { name: "podServiceAccount", expression: podSpecField("serviceAccountName") },
      // The deprecated alias, which the API server still honours when serviceAccountName is empty.
      { name: "podServiceAccountAlias", expression: podSpecField("serviceAccount") },
      { name: "annotations", expression: "object.metadata.?annotations.orValue({})" },
    ],
    validations: () => [
      {
        expression: `request.resource.resource != "serviceaccounts" || variables.sub != "token" || !${isExecutorName('request.?name.orValue("")')}`,
        reason: "no token may be requested for an executor ServiceAccount",
      },
      {
        expression: `!(request.resource.resource in ${JSON.stringify(Object.keys(POD_SPECS))}) || !(${isExecutorName("variables.podServiceAccount")} || ${isExecutorName("variables.podServiceAccountAlias")})`,
        reason: "no pod may run as an executor ServiceAccount",
      },
      {
        expression: `request.resource.resource != "secrets" || object.?type.orValue("") != "kubernetes.io/service-account-token" || !${isExecutorName(`(${cel(SA_ANNOTATION)} in variables.annotations ? variables.annotations[${cel(SA_ANNOTATION)}] : "")`)}`,
        reason: "no service-account-token Secret may be made for an executor ServiceAccount",
      },
      {
        expression: `request.resource.resource != "serviceaccounts" || variables.sub != "" || !${isExecutorName('object.metadata.?name.orValue("")')} || object.?automountServiceAccountToken.orValue(false) != true`,
        reason: "an executor ServiceAccount must not automount a token",
      },
    ],
  },
};

const reviewIntegrity: AdmissionRule = {
  name: "admission-approval-review-integrity",
  domain: "admission",
  scope: "admission",
  security: true,
  description: `An ApprovalReview (${REVIEW_API.plural}.${REVIEW_API.group}) is created only by the approval proxy, without decision or result; its spec and labels never change; its decision is set once, by a configured approver (never a ServiceAccount) naming themself in decision.by, before any result; its result is set once, by the proxy; only the deployer deletes one.`,
  remediationSteps:
    "Decide reviews with `agent-trust approvals approve|deny` as a configured approver; let the proxy create and close them.",
  admission: {
    requesters: "everyone",
    resourceRules: [
      { apiGroups: [REVIEW_API.group], resources: [REVIEW_API.plural], operations: ["CREATE", "UPDATE", "DELETE"] },
    ],
    params: true,
    variables: (ctx) => [
      { name: "isProxy", expression: isProxyRequest(ctx.namespace) },
      DEPLOYER_VARIABLE,
      APPROVER_VARIABLE,
    ],
    validations: () => {
      const update = (e: string) => `request.operation != "UPDATE" || (${e})`;
      return [
        {
          expression:
            'request.operation != "CREATE" || (variables.isProxy && !has(object.decision) && !has(object.result))',
          reason: "only the approval proxy creates a review, and without a decision or result",
        },
        {
          expression: 'request.operation != "DELETE" || variables.isDeployer',
          reason: "only the deployer identity deletes a review (the audit trail)",
        },
        {
          expression: update(
            "has(object.spec) == has(oldObject.spec) && (!has(object.spec) || object.spec == oldObject.spec)",
          ),
          reason: "a review's spec never changes",
        },
        {
          expression: update("object.metadata.?labels.orValue({}) == oldObject.metadata.?labels.orValue({})"),
          reason: "a review's labels never change",
        },
        {
          expression: update(
            "!has(oldObject.decision) || (has(object.decision) && object.decision == oldObject.decision)",
          ),
          reason: "a decision, once recorded, never changes",
        },
        {
          expression: update(
            `has(oldObject.decision) || !has(object.decision) || (variables.isApprover && !has(oldObject.result) && object.decision.?by.orValue("") == request.userInfo.username && object.decision.?verdict.orValue("") in ${JSON.stringify(REVIEW_VERDICTS)})`,
          ),
          reason:
            "only a configured approver decides, as themself (decision.by is their username), approved or denied, before the review has a result",
        },
        {
          expression: update("!has(oldObject.result) || (has(object.result) && object.result == oldObject.result)"),
          reason: "a result, once recorded, never changes",
        },
        {
          expression: update(
            `has(oldObject.result) || !has(object.result) || (variables.isProxy && object.result.?outcome.orValue("") in ${JSON.stringify(REVIEW_OUTCOMES)})`,
          ),
          reason: "only the approval proxy records a result",
        },
      ];
    },
  },
};

/** The approval feature's admission rules, appended to the rule table after the agents' own. */
export const APPROVAL_ADMISSION_RULES: readonly AdmissionRule[] = [
  executorNeedsApproval,
  executorNoCredentials,
  reviewIntegrity,
];
