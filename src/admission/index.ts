/**
 * The admission room: the runtime backstop as an adapter over the rules. The admission rule table and its CEL
 * (rules.ts, cel.ts) and the generator of the foundation's ValidatingAdmissionPolicies, bindings and parameter
 * ConfigMap (policies.ts). It may import model, config, plan and rules; nothing below it imports it. Loading it
 * registers the generator with the stack rule `foundation-admission-policies` (src/rules/foundation-admission.ts),
 * which is why every adapter that runs stack rules imports this module.
 */
export { ADMISSION_RULES, RESTART_ANNOTATION } from "./rules";
export { admissionPolicyName, planAdmission, planAdmissionPolicies } from "./policies";
