/**
 * CEL building blocks shared by the admission forms: string literals, who is an agent, which phase a username
 * belongs to and how phases rank. The phase comes from the ServiceAccount name `<agent>-<phase>`
 * (src/model/naming.ts), the only thing about an agent the API server shows to CEL besides its namespace. Pure.
 */
import { PHASES } from "../model/phases";
import { type ParamKey } from "../model/admission";
import type { AdmissionContext } from "../rules/types";
import { isExecutorRequest, isProxyRequest } from "./cel-approval";

/** A CEL string literal (JSON's escapes are CEL's escapes for the ASCII text we generate). */
export function cel(text: string): string {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`CEL literal must be printable ASCII: ${JSON.stringify(text)}`);
  return JSON.stringify(text);
}

/** Username prefix of every ServiceAccount in the agents namespace. */
export const agentPrefix = (ctx: AdmissionContext) => `system:serviceaccount:${ctx.namespace}:`;

/**
 * An agent's request: a ServiceAccount of the agents namespace, except the approval proxy and the agents' executor
 * ServiceAccounts (exactly those `parseExecutorUsername` accepts), which the approval rules judge instead
 * (src/admission/approval-rules.ts). Every other name of the namespace, whatever it looks like, stays an agent.
 */
export const isAgentRequest = (ctx: AdmissionContext) =>
  `request.userInfo.username.startsWith(${cel(agentPrefix(ctx))}) && !${isExecutorRequest(ctx.namespace)} && !(${isProxyRequest(ctx.namespace)})`;

/** Rank of the phase a string names by suffix; 99 (above everything) when none matches, so unknowns fail closed. */
function rankBySuffix(subject: string): string {
  return PHASES.reduceRight((rest, p) => `${subject}.endsWith(${cel(`-${p}`)}) ? ${PHASES.indexOf(p)} : ${rest}`, "99");
}

/** Rank of a phase given by its exact name; -1 when the name is unknown, so a broken ceiling admits nothing. */
function rankByName(subject: string): string {
  return PHASES.reduceRight((rest, p) => `${subject} == ${cel(p)} ? ${PHASES.indexOf(p)} : ${rest}`, "-1");
}

/** `variables.phase` (a name, "unknown" for a ServiceAccount outside the naming scheme) and `variables.rank`. */
export const PHASE_VARIABLES = [
  {
    name: "phase",
    expression: PHASES.reduceRight(
      (rest, p) => `request.userInfo.username.endsWith(${cel(`-${p}`)}) ? ${cel(p)} : ${rest}`,
      cel("unknown"),
    ),
  },
  { name: "rank", expression: rankBySuffix("request.userInfo.username") },
] as const;

/** `variables.ceilingRank`: the rank of the parameter ConfigMap's `phaseCeiling`. */
export const CEILING_VARIABLE = {
  name: "ceilingRank",
  expression: `has(params.data) && "phaseCeiling" in params.data ? (${rankByName("params.data.phaseCeiling")}) : -1`,
};

/** The parameter ConfigMap's keys (src/model/admission.ts), for the admission room's callers. */
export { PARAM_KEYS, type ParamKey } from "../model/admission";

/** `params.data.<key>`, or "" when absent (an absent deployer list names nobody). */
export const param = (key: ParamKey) =>
  `(has(params.data) && ${cel(key)} in params.data ? params.data[${cel(key)}] : "")`;
