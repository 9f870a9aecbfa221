/**
 * The admission rules: what the API server itself refuses an agent, whatever RBAC an administrator has granted
 * it, so an irreversible act never depends on the policy pack having run (the deployer-only rules are in
 * deployer-rules.ts). Each rule is one ValidatingAdmissionPolicy (src/admission/policies.ts); its CEL is written
 * here once. Pure.
 */
import { NO_DELETE_RESOURCES } from "../model/forbidden";
import type { AdmissionRule, AdmissionValidation } from "../rules/types";
import { APPROVAL_ADMISSION_RULES } from "./approval-rules";
import { cel, CEILING_VARIABLE, param } from "./cel";
import { deployerOnlyAgentRoles, deployerOnlyGrants } from "./deployer-rules";

/** The annotation `kubectl rollout restart` sets; the one change of a Deployment an agent may make. */
export const RESTART_ANNOTATION = "kubectl.kubernetes.io/restartedAt";

const WRITES = ["CREATE", "UPDATE", "DELETE", "CONNECT"] as const;
/** Every resource and subresource of every group. */
const ALL = { apiGroups: ["*"], resources: ["*/*"] };

const refuse = (reason: string): AdmissionValidation[] => [{ expression: "false", reason }];

const irreversibleDelete: AdmissionRule = {
  name: "admission-no-irreversible-delete",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    "An agent may not delete namespaces, persistentvolumeclaims, secrets, services, deployments or statefulsets, however it was granted.",
  remediationSteps: "Restart instead (delete a pod, rollout-restart a deployment); deletions are an operator's act.",
  admission: {
    requesters: "agents",
    resourceRules: [
      {
        apiGroups: [""],
        resources: [...NO_DELETE_RESOURCES.filter((r) => r !== "deployments" && r !== "statefulsets"), "services"],
        operations: ["DELETE"],
      },
      { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], operations: ["DELETE"] },
    ],
    params: false,
    validations: () => refuse("deleting this kind loses data or a whole application"),
  },
};

const deleteCollection: AdmissionRule = {
  name: "admission-no-deletecollection",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    "An agent may not delete a collection of anything (the API server admits each item of a deletecollection with no request name).",
  remediationSteps: "Delete named objects one by one, within the agent's grants.",
  admission: {
    requesters: "agents",
    resourceRules: [{ ...ALL, operations: ["DELETE"] }],
    params: false,
    validations: () => [
      {
        expression: `request.?name.orValue("") != ""`,
        reason: "deletecollection removes everything a selector matches",
      },
    ],
  },
};

const eviction: AdmissionRule = {
  name: "admission-no-eviction",
  domain: "admission",
  scope: "admission",
  security: true,
  description: "An agent may not evict pods (pods/eviction create): evictions are how a node is drained.",
  remediationSteps: "Restart a pod by deleting it within the agent's grants; draining is an operator's act.",
  admission: {
    requesters: "agents",
    resourceRules: [{ apiGroups: [""], resources: ["pods/eviction"], operations: ["CREATE"] }],
    params: false,
    validations: () => refuse("evicting pods is draining a node"),
  },
};

const nodeChanges: AdmissionRule = {
  name: "admission-no-node-changes",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    "An agent may not create, change or delete Nodes or their status (cordon, taints, drain), nor create or change Namespaces (their labels decide what is protected).",
  remediationSteps: "Report the node problem to an operator; node and namespace changes are never an agent's.",
  admission: {
    requesters: "agents",
    resourceRules: [
      { apiGroups: [""], resources: ["nodes", "nodes/status"], operations: ["CREATE", "UPDATE", "DELETE"] },
      // Deleting a namespace is admission-no-irreversible-delete's.
      {
        apiGroups: [""],
        resources: ["namespaces", "namespaces/status", "namespaces/finalize"],
        operations: ["CREATE", "UPDATE"],
      },
    ],
    params: false,
    validations: () => refuse("nodes (cordon, taints, drain) and namespaces are the cluster operator's"),
  },
};

/** DeploymentSpec fields other than `template`; compared one by one because CEL cannot drop a key from an object. */
const DEPLOYMENT_SPEC_FIELDS = [
  "replicas",
  "selector",
  "strategy",
  "minReadySeconds",
  "revisionHistoryLimit",
  "paused",
  "progressDeadlineSeconds",
];
const METADATA_FIELDS = ["labels", "annotations", "finalizers", "ownerReferences"];

const restartOnly: AdmissionRule = {
  name: "admission-deployment-restart-only",
  domain: "admission",
  scope: "admission",
  security: true,
  description: `An agent's update or patch of a Deployment may change nothing but spec.template.metadata.annotations["${RESTART_ANNOTATION}"] (a rollout restart): no image, ServiceAccount, volume, replica or label change.`,
  remediationSteps:
    "Use `kubectl rollout restart`; any other change to a Deployment goes through its owner's deployment pipeline.",
  admission: {
    requesters: "agents",
    resourceRules: [{ apiGroups: ["apps"], resources: ["deployments"], operations: ["UPDATE"] }],
    params: false,
    variables: () => [
      { name: "newAnn", expression: "object.spec.template.metadata.?annotations.orValue({})" },
      { name: "oldAnn", expression: "oldObject.spec.template.metadata.?annotations.orValue({})" },
    ],
    validations: () => {
      const k = cel(RESTART_ANNOTATION);
      const same = (base: string, f: string) => `object${base}.?${f} == oldObject${base}.?${f}`;
      return [
        {
          expression: [
            "object.spec.template.spec == oldObject.spec.template.spec",
            ...DEPLOYMENT_SPEC_FIELDS.map((f) => same(".spec", f)),
            ...METADATA_FIELDS.filter((f) => f !== "annotations").map((f) => same(".spec.template.metadata", f)),
            ...METADATA_FIELDS.map((f) => same(".metadata", f)),
            `variables.newAnn.all(k, k == ${k} || (k in variables.oldAnn && variables.oldAnn[k] == variables.newAnn[k]))`,
            `variables.oldAnn.all(k, k == ${k} || k in variables.newAnn)`,
          ].join(" && "),
          reason: `only the restart annotation ${RESTART_ANNOTATION} of the pod template may change`,
        },
      ];
    },
  },
};

const scaleBounded: AdmissionRule = {
  name: "admission-scale-bounded",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    "An agent's scaling (deployments/scale, statefulsets/scale, replicasets/scale) never goes to zero, stays within the foundation's minReplicas..maxReplicas and changes by at most maxStepFactor (default: at most double or half).",
  remediationSteps:
    "Scale in smaller steps within the bounds; scaling to zero or beyond the bounds is an operator's act.",
  admission: {
    requesters: "agents",
    resourceRules: [
      {
        apiGroups: ["apps"],
        resources: ["deployments/scale", "statefulsets/scale", "replicasets/scale"],
        operations: ["UPDATE"],
      },
    ],
    params: true,
    variables: () => [
      { name: "newReplicas", expression: "object.spec.?replicas.orValue(0)" },
      { name: "oldReplicas", expression: "oldObject.spec.?replicas.orValue(0)" },
      { name: "step", expression: `int(${param("maxStepFactor")})` },
    ],
    validations: () => [
      { expression: "variables.newReplicas > 0", reason: "scaling to zero takes the application down" },
      {
        expression: `variables.newReplicas >= int(${param("minReplicas")}) && variables.newReplicas <= int(${param("maxReplicas")})`,
        reason: "the replica count must stay within the foundation's minReplicas..maxReplicas",
      },
      {
        expression:
          "variables.newReplicas <= variables.oldReplicas * variables.step && variables.newReplicas * variables.step >= variables.oldReplicas",
        reason: "one scaling step may change replicas by at most the foundation's maxStepFactor",
      },
    ],
  },
};

const phaseCeiling: AdmissionRule = {
  name: "admission-phase-ceiling",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    "No write (create, update, delete, connect) by an agent whose phase is above the environment's current ceiling (phaseCeiling in the foundation's parameter ConfigMap), so lowering the ceiling takes effect at once; a ServiceAccount outside the `<agent>-<phase>` naming counts as above every ceiling.",
  remediationSteps:
    "Demote the agent (remove it from the higher phase stack) or raise the ceiling through a reviewed foundation change.",
  admission: {
    requesters: "agents",
    resourceRules: [{ ...ALL, operations: [...WRITES] }],
    params: true,
    variables: () => [CEILING_VARIABLE],
    validations: () => [
      {
        expression: "variables.rank <= variables.ceilingRank",
        reason: "the agent's phase is above the environment's current phase ceiling",
      },
    ],
  },
};

const protectedNamespace: AdmissionRule = {
  name: "admission-protected-namespace",
  domain: "admission",
  scope: "admission",
  security: true,
  description:
    'No agent write in a namespace labelled protected (the foundation\'s protectedLabel set to "true"); the agents namespace itself carries the label, so an agent cannot touch its own parameters or Jobs.',
  remediationSteps:
    "Remove the namespace from the agent's targets; protected namespaces are never an agent's to change.",
  admission: {
    requesters: "agents",
    resourceRules: [{ ...ALL, operations: [...WRITES] }],
    params: true,
    variables: () => [
      { name: "protectedLabel", expression: param("protectedLabel") },
      {
        name: "isProtected",
        expression:
          'namespaceObject != null && has(namespaceObject.metadata.labels) && (variables.protectedLabel == "" || (variables.protectedLabel in namespaceObject.metadata.labels && namespaceObject.metadata.labels[variables.protectedLabel] == "true"))',
      },
    ],
    validations: () => [{ expression: "!variables.isProtected", reason: "the namespace is labelled protected" }],
  },
};

/** Every admission rule, in the order policies are generated and documented. */
export const ADMISSION_RULES: readonly AdmissionRule[] = [
  irreversibleDelete,
  deleteCollection,
  eviction,
  nodeChanges,
  restartOnly,
  scaleBounded,
  phaseCeiling,
  protectedNamespace,
  deployerOnlyGrants,
  deployerOnlyAgentRoles,
  ...APPROVAL_ADMISSION_RULES,
];
