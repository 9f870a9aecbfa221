/**
 * The closed world of references, judged with the whole stack in view: whatever a phase stack's RoleBindings and
 * pod templates refer to (a Role, a ServiceAccount) is declared in that same stack, so a binding never reaches a
 * Role someone else keeps and a pod never runs as a ServiceAccount this stack does not declare. The file-by-file
 * half of the closed world of names (ownership, placement, own references) is in closed-names.ts. Pure.
 */
import { field, list, podSpecsOf, show } from "./paths";
import type { StackFinding, StackRule } from "./types";

const key = (kind: string, ns: unknown, name: unknown) => `${kind}|${String(ns)}|${String(name)}`;

/**
 * With the whole stack in view (the pack, `check --stack`): what a phase stack's objects refer to is in the same
 * stack, so a binding never reaches a Role someone else keeps (in kube-system, in another phase's stack) and a pod
 * never runs as a ServiceAccount this stack does not declare.
 */
export const phaseReferencesInStack: StackRule = {
  name: "phase-references-in-stack",
  domain: "rbac",
  scope: "stack",
  security: true,
  kinds: ["RoleBinding", "Role", "ServiceAccount", "PodTemplate", "Job"],
  description:
    "In a phase stack, every Role a RoleBinding references and every ServiceAccount a binding or pod template names is declared in the same stack.",
  remediationSteps:
    "Declare the agent's Role and ServiceAccount in this phase stack (the plan does), or remove the reference.",
  validate: (objects, settings, given) => {
    if (given.layer === "foundation") return [];
    const declared = new Set(objects.map((o) => key(o.kind, o.metadata?.namespace, o.metadata?.name)));
    const out: StackFinding[] = [];
    for (const o of objects) {
      if (o.kind === "RoleBinding") {
        const ref = o.roleRef;
        const name = field(ref, "name");
        if (!declared.has(key("Role", o.metadata?.namespace, name))) {
          out.push({
            object: o,
            message: `roleRef names Role ${show(name)} in namespace ${show(o.metadata?.namespace)}, which this stack does not declare`,
          });
        }
        list(o.subjects).forEach((s, i) => {
          if (!declared.has(key("ServiceAccount", field(s, "namespace"), field(s, "name")))) {
            out.push({
              object: o,
              message: `subjects[${i}] names ServiceAccount ${show(field(s, "namespace"))}/${show(field(s, "name"))}, which this stack does not declare`,
            });
          }
        });
      }
      for (const pod of o.kind === "PodTemplate" || o.kind === "Job" ? podSpecsOf(o) : []) {
        const sa = pod.spec.serviceAccountName;
        if (!declared.has(key("ServiceAccount", o.metadata?.namespace ?? settings.namespace, sa))) {
          out.push({
            object: o,
            message: `${pod.at}.serviceAccountName ${show(sa)} is not a ServiceAccount this stack declares`,
          });
        }
      }
    }
    return out;
  },
};

export const CLOSED_STACK_RULES: readonly StackRule[] = [phaseReferencesInStack];
