/**
 * Pure views of ApprovalReview objects for the reviewers: reading one defensively from the API server's JSON, its
 * state at a given time (pending, decided, carried out, expired), why a decision would be refused before it is
 * sent, the table and JSON forms of `approvals list`, and the text shown before deciding. Nothing here does I/O.
 */
import {
  REVIEW_API,
  REVIEW_API_VERSION,
  REVIEW_OUTCOMES,
  REVIEW_VERDICTS,
  type ApprovalReview,
  type ReviewDecision,
  type ReviewResult,
} from "../../model/approval";
import { DEFAULTS } from "../../model/naming";

export const DEFAULT_NAMESPACE = DEFAULTS.namespace;

/** The API paths of reviews in `namespace` (the collection, or one review). */
export function reviewPath(namespace: string, name?: string): string {
  const base = `/apis/${REVIEW_API.group}/${REVIEW_API.version}/namespaces/${encodeURIComponent(namespace)}/${REVIEW_API.plural}`;
  return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (o: Json, k: string): string | undefined => (typeof o[k] === "string" ? o[k] : undefined);

const SPEC_FIELDS = {
  requester: ["username", "agent", "phase", "pod", "investigation"],
  request: ["verb", "apiGroup", "resource", "subresource", "namespace", "name", "digest", "preview"],
} as const;

/** An ApprovalReview read from untrusted JSON, or why it is not one (a field named). */
export function readReview(v: unknown): ApprovalReview | string {
  if (!isObject(v) || v.apiVersion !== REVIEW_API_VERSION || v.kind !== REVIEW_API.kind)
    return `not an ${REVIEW_API.kind} of ${REVIEW_API_VERSION}`;
  const meta = v.metadata;
  if (!isObject(meta) || !str(meta, "name") || !str(meta, "namespace")) return "metadata.name/namespace missing";
  const labels = meta.labels;
  if (
    ["creationTimestamp", "resourceVersion"].some((k) => meta[k] !== undefined && typeof meta[k] !== "string") ||
    (labels !== undefined && (!isObject(labels) || Object.values(labels).some((l) => typeof l !== "string")))
  )
    return `${str(meta, "name")}: metadata malformed`;
  const spec = v.spec;
  if (!isObject(spec)) return `${str(meta, "name")}: spec missing`;
  for (const [part, fields] of Object.entries(SPEC_FIELDS)) {
    const o = spec[part];
    if (!isObject(o)) return `${str(meta, "name")}: spec.${part} missing`;
    const bad = fields.find((f) => typeof o[f] !== "string");
    if (bad !== undefined) return `${str(meta, "name")}: spec.${part}.${bad} is not a string`;
  }
  if (typeof spec.action !== "string" || typeof spec.expiresAt !== "string" || Number.isNaN(Date.parse(spec.expiresAt)))
    return `${str(meta, "name")}: spec.action or spec.expiresAt missing or malformed`;
  const d = v.decision;
  const optional = (o: Json, k: string, type: "string" | "number") => o[k] === undefined || typeof o[k] === type;
  if (
    d !== undefined &&
    (!isObject(d) ||
      !REVIEW_VERDICTS.includes(d.verdict as never) ||
      typeof d.by !== "string" ||
      !optional(d, "reason", "string"))
  )
    return `${str(meta, "name")}: decision malformed`;
  const r = v.result;
  if (
    r !== undefined &&
    (!isObject(r) ||
      !REVIEW_OUTCOMES.includes(r.outcome as never) ||
      !optional(r, "code", "number") ||
      !optional(r, "message", "string"))
  )
    return `${str(meta, "name")}: result malformed`;
  return v as unknown as ApprovalReview;
}

const expired = (r: ApprovalReview, now: Date): boolean => Date.parse(r.spec.expiresAt) <= now.getTime();

/** Waiting for a person: no decision, no result, not yet expired. */
export function isPending(r: ApprovalReview, now: Date): boolean {
  return r.decision === undefined && r.result === undefined && !expired(r, now);
}

export function decisionText(d: ReviewDecision): string {
  return `${d.verdict} by ${d.by}${d.reason ? ` (${d.reason})` : ""}`;
}

export function resultText(r: ReviewResult): string {
  return `${r.outcome}${r.code === undefined ? "" : ` ${r.code}`}${r.message ? `: ${r.message}` : ""}`;
}

/** One word (or two) for the table's STATE column. */
export function reviewState(r: ApprovalReview, now: Date): string {
  if (r.result) return r.result.code === undefined ? r.result.outcome : `${r.result.outcome} ${r.result.code}`;
  if (r.decision) return r.decision.verdict;
  return expired(r, now) ? "expired" : "pending";
}

/** Why deciding `r` now would be refused, or undefined when a decision may be sent. */
export function refusalToDecide(r: ApprovalReview, now: Date): string | undefined {
  const id = r.metadata.name;
  if (r.decision) return `review ${id} is already decided: ${decisionText(r.decision)}`;
  if (r.result) return `review ${id} already has a result: ${resultText(r.result)}`;
  if (expired(r, now))
    return `review ${id} expired at ${r.spec.expiresAt} (${duration(now.getTime() - Date.parse(r.spec.expiresAt))} ago); the proxy no longer carries it out`;
  return undefined;
}

/** A span in kubectl's style: 45s, 12m, 3h20m, 2d5h. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 && s < 600 ? `${s % 60}s` : ""}`;
  if (s < 86_400)
    return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ""}`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? `${Math.floor((s % 86_400) / 3600)}h` : ""}`;
}

/**
 * Text from the cluster made safe for a terminal: control characters (escape sequences that could repaint the
 * screen, carriage returns that could overwrite a line) are shown as `\u{..}`; newlines only where `multiline`.
 */
export function printable(text: string, multiline = false): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    multiline && c === "\n" ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`,
  );
}

/** `deployments.apps/scale`: the resource as kubectl names it. */
export function resourceText(r: ApprovalReview): string {
  const q = r.spec.request;
  return `${q.resource}${q.apiGroup ? `.${q.apiGroup}` : ""}${q.subresource ? `/${q.subresource}` : ""}`;
}

export const LIST_HEADER = [
  "ID",
  "AGENT",
  "PHASE",
  "INVESTIGATION",
  "VERB",
  "RESOURCE",
  "OBJECT",
  "ACTION",
  "AGE",
  "EXPIRES-IN",
  "STATE",
] as const;

export function listRow(r: ApprovalReview, now: Date): string[] {
  const { requester: who, request: q } = r.spec;
  const created = r.metadata.creationTimestamp ? Date.parse(r.metadata.creationTimestamp) : Number.NaN;
  const left = Date.parse(r.spec.expiresAt) - now.getTime();
  const cells = [
    r.metadata.name,
    who.agent,
    who.phase,
    who.investigation,
    q.verb,
    resourceText(r),
    `${q.namespace}/${q.name}`,
    r.spec.action,
    Number.isNaN(created) ? "?" : duration(now.getTime() - created),
    r.decision || r.result ? "-" : left > 0 ? duration(left) : "expired",
    reviewState(r, now),
  ];
  return cells.map((c) => printable(c));
}

/**
 * The JSON form of a review (`approvals list --format json`): apiVersion, kind, metadata (name, namespace, labels,
 * creationTimestamp, resourceVersion), spec, decision and result as stored (the latter two only when set), and
 * `state` (pending, approved, denied, expired, or the result's outcome and code) as of the listing.
 */
export function reviewJson(r: ApprovalReview, now: Date): Json {
  const m = r.metadata;
  return {
    apiVersion: r.apiVersion,
    kind: r.kind,
    metadata: {
      name: m.name,
      namespace: m.namespace,
      labels: m.labels ?? {},
      ...(m.creationTimestamp ? { creationTimestamp: m.creationTimestamp } : {}),
      ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
    },
    spec: r.spec,
    ...(r.decision ? { decision: r.decision } : {}),
    ...(r.result ? { result: r.result } : {}),
    state: reviewState(r, now),
  };
}

/** What the reviewer sees before deciding: who asked what, under which rule, the digest and the payload preview. */
export function requestSummary(r: ApprovalReview, now: Date): string[] {
  const { requester: who, request: q } = r.spec;
  const left = Date.parse(r.spec.expiresAt) - now.getTime();
  return [
    `review ${r.metadata.name} (rule ${r.spec.action}), ${left > 0 ? `expires in ${duration(left)}` : "expired"}`,
    `  requester:     ${who.username} (agent ${who.agent}, phase ${who.phase}, pod ${who.pod})`,
    `  investigation: ${who.investigation}`,
    `  request:       ${q.verb} ${resourceText(r)} ${q.namespace}/${q.name}`,
    `  digest:        ${q.digest}`,
    "  preview:",
    ...printable(q.preview, true)
      .split("\n")
      .map((l) => `    ${l}`),
  ].map((l) => printable(l, false));
}
