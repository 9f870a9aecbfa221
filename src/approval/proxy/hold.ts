/**
 * Holding one request: the review it becomes (name, labels, requester, digest, preview, expiry) and the wait for a
 * person's decision, polling the review at most a second apart until it is decided, it expires or the wait is
 * aborted (the agent hung up, the proxy stops). The clock and the sleep are injected so tests run in no time.
 */
import { createHash, randomInt } from "node:crypto";
import {
  REVIEW_API,
  REVIEW_API_VERSION,
  type ApprovableActionId,
  type ApprovalReview,
  type ReviewRequest,
} from "../../model/approval";
import { investigationOfPod, LABELS, reviewName } from "../../model/naming";
import type { Phase } from "../../model/phases";
import { getReview } from "./reviews";
import type { Upstream } from "./upstream";

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

export const POD_NAME_EXTRA = "authentication.kubernetes.io/pod-name";
export const PREVIEW_LIMIT = 2048;

/** `sha256:<hex>` of `method\npath?query\nbody`: what an approval is bound to. */
export function requestDigest(method: string, url: string, body: Buffer): string {
  return `sha256:${createHash("sha256").update(`${method}\n${url}\n`).update(body).digest("hex")}`;
}

/** A readable preview of a body: pretty JSON when it is JSON, else text; at most 2 KiB, saying so when cut. */
export function bodyPreview(body: Buffer): string {
  if (body.length === 0) return "(no body)";
  let text = body.toString("utf8");
  try {
    text = JSON.stringify(JSON.parse(text) as unknown, null, 2);
  } catch {
    // Not JSON: shown as text.
  }
  if (text.length <= PREVIEW_LIMIT) return text;
  return `${text.slice(0, PREVIEW_LIMIT)}\n... (truncated: ${text.length} characters in all)`;
}

const SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
export function randomSuffix(): string {
  return Array.from({ length: 5 }, () => SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)]).join("");
}

export interface HeldRequest {
  readonly namespace: string;
  readonly username: string;
  readonly agent: string;
  readonly phase: Phase;
  readonly pod: string;
  readonly action: ApprovableActionId;
  readonly request: Omit<ReviewRequest, "digest" | "preview">;
  readonly method: string;
  readonly url: string;
  readonly body: Buffer;
  readonly expiresAt: Date;
  readonly suffix: string;
}

/** The review object a held request is recorded as (before creation: no decision, no result). */
export function buildReview(h: HeldRequest): ApprovalReview {
  const investigation = investigationOfPod(h.agent, h.phase, h.pod) ?? "";
  return {
    apiVersion: REVIEW_API_VERSION,
    kind: REVIEW_API.kind,
    metadata: {
      name: reviewName(h.agent, h.phase, h.suffix),
      namespace: h.namespace,
      labels: { [LABELS.agent]: h.agent, [LABELS.phase]: h.phase, [LABELS.investigation]: investigation },
    },
    spec: {
      requester: { username: h.username, agent: h.agent, phase: h.phase, pod: h.pod, investigation },
      request: { ...h.request, digest: requestDigest(h.method, h.url, h.body), preview: bodyPreview(h.body) },
      action: h.action,
      expiresAt: h.expiresAt.toISOString(),
    },
  };
}

export type WaitOutcome =
  | { readonly kind: "decided"; readonly review: ApprovalReview }
  | { readonly kind: "expired"; readonly review: ApprovalReview }
  | { readonly kind: "aborted"; readonly review: ApprovalReview };

export const POLL_MS = 1000;

/** Polls the review until it carries a decision, its expiry passes, or `signal` aborts. */
export async function waitForDecision(
  upstream: Upstream,
  created: ApprovalReview,
  clock: Clock,
  signal: AbortSignal,
): Promise<WaitOutcome> {
  const expiresAt = Date.parse(created.spec.expiresAt);
  let review = created;
  for (;;) {
    if (signal.aborted) return { kind: "aborted", review };
    if (review.decision) return { kind: "decided", review };
    const left = expiresAt - clock.now();
    if (left <= 0) return { kind: "expired", review };
    await clock.sleep(Math.min(POLL_MS, left), signal);
    review = await getReview(upstream, created.metadata.namespace, created.metadata.name);
  }
}
