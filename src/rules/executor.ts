/**
 * The executor identity in a phase stack (src/plan/phase.ts): `<agent>-<phase>-executor`, a ServiceAccount in the
 * agents namespace and a Role and RoleBinding in each target namespace holding exactly the phase's approvable
 * verbs. Only the approval proxy acts as it, by impersonation with a person's approval (the admission policies
 * refuse every other use). The RBAC rules judge an executor's Role against those approvable verbs instead of the
 * agent's own ceiling; everything else they refuse stays refused. Pure.
 */
import { parseAgentName, EXECUTOR_SUFFIX, type ParsedAgentName } from "../model/naming";
import type { Manifest } from "../model/manifest";
import { layerOf } from "./closed-kinds";
import type { RuleContext } from "./types";

/**
 * The agent whose executor Role `obj` is, when it is a Role of a phase stack named `<agent>-<phase>-executor` for
 * the phase it is judged as; undefined otherwise (then it is judged like any agent Role).
 */
export function executorRoleOf(obj: Manifest, ctx: RuleContext): ParsedAgentName | undefined {
  if (obj.kind !== "Role" || layerOf(ctx.layer) !== "phase" || ctx.approvalProxy === false) return undefined;
  const name = obj.metadata?.name;
  const parsed = typeof name === "string" ? parseAgentName(name) : undefined;
  return parsed?.role === EXECUTOR_SUFFIX && parsed.phase === ctx.phase ? parsed : undefined;
}
