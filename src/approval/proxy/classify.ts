/**
 * Which approvable action a request matches, if any, and for a scale the replica count it asks for. Pure: the
 * server supplies the caller's phase, the parsed request and (for a scale) the buffered body and the current count.
 * Fail closed: a scale body the proxy cannot read is held for a person, never passed through on a guess.
 */
import { approvableAction } from "../../model/catalog";
import { isDrasticScaleDown, SCALE_DOWN, type ApprovableAction, type ScaleBounds } from "../../model/approval";
import type { Phase } from "../../model/phases";
import { rbacResource, type ResourceRequestInfo } from "./request-info";

/** The approvable action of the caller's phase this request would carry out, before any scale count is read. */
export function candidateAction(phase: Phase, info: ResourceRequestInfo): ApprovableAction | undefined {
  if (info.name === "" || info.namespace === "") return undefined;
  return approvableAction(phase, info.verb, info.apiGroup, rbacResource(info));
}

/** True for the one action whose approvability depends on the body and the current state. */
export function needsScaleCheck(action: ApprovableAction): boolean {
  return action.id === SCALE_DOWN.id;
}

function replicasOf(value: unknown): number | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const spec = (value as Record<string, unknown>).spec;
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) return undefined;
  return countOf((spec as Record<string, unknown>).replicas);
}

function countOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** The replica count a JSON patch sets: the last `replace`/`add` of `/spec/replicas`, if nothing else touches spec. */
function jsonPatchReplicas(ops: unknown): number | undefined {
  if (!Array.isArray(ops)) return undefined;
  let next: number | undefined;
  for (const op of ops as unknown[]) {
    if (typeof op !== "object" || op === null) return undefined;
    const { op: kind, path, from, value } = op as Record<string, unknown>;
    const touches = (p: unknown): boolean =>
      typeof p === "string" && (p === "" || p === "/spec" || p.startsWith("/spec/"));
    if (kind === "test") continue;
    if (touches(from)) return undefined;
    if (!touches(path)) continue;
    if ((kind !== "replace" && kind !== "add") || path !== "/spec/replicas") return undefined;
    next = countOf(value);
    if (next === undefined) return undefined;
  }
  return next;
}

/**
 * The replica count a patch or update of `deployments/scale` asks for: a JSON merge patch or strategic merge patch
 * setting `spec.replicas`, a JSON patch replacing or adding `/spec/replicas`, or a PUT Scale object. Undefined when
 * it cannot be read (another content type such as server-side apply, invalid JSON, no count).
 */
export function requestedReplicas(method: string, contentType: string, body: Buffer): number | undefined {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (method === "PUT") return type === "application/json" || type === "" ? replicasOf(parseJson(body)) : undefined;
  if (method !== "PATCH") return undefined;
  if (type === "application/merge-patch+json" || type === "application/strategic-merge-patch+json")
    return replicasOf(parseJson(body));
  if (type === "application/json-patch+json") return jsonPatchReplicas(parseJson(body));
  return undefined;
}

/** The replica count of a Deployment object as the API server returned it. */
export function currentReplicas(deployment: unknown): number | undefined {
  return replicasOf(deployment);
}

/**
 * Whether a scale request must wait for a person: yes when it cuts drastically (`isDrasticScaleDown`), and yes
 * when either count is unknown (fail closed toward a person).
 */
export function scaleIsApprovable(current: number | undefined, next: number | undefined, bounds: ScaleBounds): boolean {
  if (current === undefined || next === undefined) return true;
  return isDrasticScaleDown(current, next, bounds);
}
