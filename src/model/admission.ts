/**
 * The contract between the admission room (src/admission/, which generates the runtime backstop), the stack rule
 * that holds a foundation to it (src/rules/foundation-admission.ts) and the sandbox that exercises it: the API
 * group and kinds of the generated objects, and the parameter ConfigMap's name and keys. Pure data.
 */

export const ADMISSION_API_VERSION = "admissionregistration.k8s.io/v1";
export const ADMISSION_KINDS = ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"] as const;
/** The parameter ConfigMap in the agents namespace. */
export const ADMISSION_PARAMS = "agent-trust-admission";

/** Keys of the parameter ConfigMap, written by the foundation (src/admission/policies.ts). */
export const PARAM_KEYS = [
  "phaseCeiling",
  "deployerUsers",
  "deployerGroups",
  "minReplicas",
  "maxReplicas",
  "maxStepFactor",
  "protectedLabel",
  "approverUsers",
  "approverGroups",
] as const;
export type ParamKey = (typeof PARAM_KEYS)[number];
