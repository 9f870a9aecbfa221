/**
 * The reviewers' timeline (`approvals log`): one list of what happened to each held request, joined from the
 * reviews themselves (held: who asked what under which rule; decided: who, why; result: what the API server
 * answered, or expired/failed/abandoned) and, when audit logs are given, the API server's own record of the same
 * reviews (their create and update requests, and the executor's impersonated request that carries the review's
 * name in its user extras). Pure: reviews and audit entries in, sorted lines out.
 */
import { APPROVAL_EXTRAS, REVIEW_API, type ApprovalReview } from "../../model/approval";
import { approvalProxyUsername } from "../../model/naming";
import type { AuditEntry } from "./audit";
import { printable, resourceText, resultText } from "./reviews";

export interface TimelineLine {
  /** RFC 3339, or "" when the time is not known (shown as "?", sorted at the review's creation). */
  readonly time: string;
  readonly actor: string;
  readonly event: string;
  readonly detail: string;
  readonly review: string;
  readonly source: "review" | "audit";
}

/** A review with the times its decision and result were written (from metadata.managedFields), when known. */
export interface TimedReview {
  readonly review: ApprovalReview;
  readonly decidedAt?: string;
  readonly resultAt?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** When `decision` and `result` were last written, read off the raw object's managedFields (defensively). */
export function fieldTimes(raw: unknown): { decidedAt?: string; resultAt?: string } {
  const meta = isObject(raw) ? raw.metadata : undefined;
  const fields = isObject(meta) && Array.isArray(meta.managedFields) ? (meta.managedFields as unknown[]) : [];
  const out: { decidedAt?: string; resultAt?: string } = {};
  for (const f of fields) {
    if (!isObject(f) || typeof f.time !== "string" || Number.isNaN(Date.parse(f.time)) || !isObject(f.fieldsV1))
      continue;
    if ("f:decision" in f.fieldsV1 && (!out.decidedAt || f.time > out.decidedAt)) out.decidedAt = f.time;
    if ("f:result" in f.fieldsV1 && (!out.resultAt || f.time > out.resultAt)) out.resultAt = f.time;
  }
  return out;
}

/** True when the review belongs to the investigation: by its label or by its requester (either one). */
export function ofInvestigation(r: ApprovalReview, investigation: string, label: string): boolean {
  return r.metadata.labels?.[label] === investigation || r.spec.requester.investigation === investigation;
}

function reviewLines(t: TimedReview, now: Date): TimelineLine[] {
  const r = t.review;
  const id = r.metadata.name;
  const q = r.spec.request;
  const base = { review: id, source: "review" as const };
  const out: TimelineLine[] = [
    {
      ...base,
      time: r.metadata.creationTimestamp ?? "",
      actor: r.spec.requester.username,
      event: "held",
      detail: `${q.verb} ${resourceText(r)} ${q.namespace}/${q.name} by rule ${r.spec.action}; review ${id}, investigation ${r.spec.requester.investigation}, ${q.digest}`,
    },
  ];
  if (r.decision)
    out.push({
      ...base,
      time: t.decidedAt ?? "",
      actor: r.decision.by,
      event: r.decision.verdict,
      detail: `review ${id}${r.decision.reason ? `: ${r.decision.reason}` : ""}`,
    });
  if (r.result)
    out.push({
      ...base,
      time: t.resultAt ?? "",
      actor: approvalProxyUsername(r.metadata.namespace),
      event: r.result.outcome,
      detail: `review ${id}: ${resultText(r.result)}`,
    });
  else if (!r.decision && Date.parse(r.spec.expiresAt) <= now.getTime())
    out.push({
      ...base,
      time: r.spec.expiresAt,
      actor: "-",
      event: "expired",
      detail: `review ${id}: no decision in time`,
    });
  return out;
}

const WRITES = new Set(["create", "update", "patch", "delete"]);
const FINAL_STAGES = new Set(["ResponseComplete", "Panic", ""]);

function answer(e: AuditEntry): string {
  return `HTTP ${e.code ?? "?"}${e.message ? ` ${e.message}` : ""}`;
}

/** The audit entry's line in the timeline, when it belongs to one of `names`. */
function auditLine(e: AuditEntry, names: ReadonlySet<string>): TimelineLine | undefined {
  if (!FINAL_STAGES.has(e.stage)) return undefined;
  const via = e.impersonatedUser ? ` (via ${e.user})` : "";
  const reviewOf = e.impersonatedExtra[APPROVAL_EXTRAS.review] ?? [];
  const carried = reviewOf.find((n) => names.has(n));
  if (carried !== undefined) {
    const approver = (e.impersonatedExtra[APPROVAL_EXTRAS.approver] ?? []).join(",") || "?";
    return {
      time: e.time,
      actor: e.impersonatedUser ?? e.user,
      event: `audit ${e.verb}`,
      detail: `${e.requestURI} → ${answer(e)}; review ${carried}, approver ${approver}${via}`,
      review: carried,
      source: "audit",
    };
  }
  const ref = e.objectRef;
  const name = ref.name === "" ? (e.objectName ?? "") : ref.name;
  if (ref.apiGroup !== REVIEW_API.group || ref.resource !== REVIEW_API.plural || !names.has(name)) return undefined;
  if (!WRITES.has(e.verb)) return undefined;
  return {
    time: e.time,
    actor: e.impersonatedUser ?? e.user,
    event: `audit ${e.verb} review`,
    detail: `review ${name} → ${answer(e)}${via}`,
    review: name,
    source: "audit",
  };
}

/** True when the audit entry belongs in the timeline of the reviews `names` (keep only these while streaming). */
export function auditBelongs(e: AuditEntry, names: ReadonlySet<string>): boolean {
  return auditLine(e, names) !== undefined;
}

/** The timeline of `reviews` and the audit entries about them, oldest first. */
export function timeline(reviews: readonly TimedReview[], audit: readonly AuditEntry[], now: Date): TimelineLine[] {
  const names = new Set(reviews.map((t) => t.review.metadata.name));
  const created = new Map(reviews.map((t) => [t.review.metadata.name, t.review.metadata.creationTimestamp ?? ""]));
  const lines = [
    ...reviews.flatMap((t) => reviewLines(t, now)),
    ...audit.flatMap((e) => auditLine(e, names) ?? []),
  ].map((l, seq) => ({ l, seq, at: Date.parse(l.time || (created.get(l.review) ?? "")) }));
  const key = (n: number): number => (Number.isNaN(n) ? 0 : n);
  lines.sort((a, b) => key(a.at) - key(b.at) || a.seq - b.seq);
  return lines.map(({ l }) => ({
    ...l,
    actor: printable(l.actor),
    event: printable(l.event),
    detail: printable(l.detail),
  }));
}

export const TIMELINE_HEADER = ["TIME", "ACTOR", "EVENT", "DETAIL"] as const;

export function timelineRow(l: TimelineLine): string[] {
  return [l.time || "?", l.actor, l.event, l.detail];
}
