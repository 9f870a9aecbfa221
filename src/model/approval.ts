/**
 * The approval contract: which irreversible actions a phase may carry out once a person approves them, the
 * ApprovalReview object that holds such a request, the identity an approved request is carried out as, and the
 * user extras that prove the approval to the API server. The proxy (src/approval/proxy), the reviewers' commands
 * (src/approval/reviewers), the foundation's plan and the admission policies all read this one file. Pure data.
 */
import { BROAD_GROUPS } from "./forbidden";
import type { ResourceRef } from "./rbac";

/** An action an agent may carry out only with a person's approval, recorded in an ApprovalReview. */
export interface ApprovableAction {
  /** Stable id: the rule a held request matched, shown to reviewers and recorded in the review. */
  readonly id: ApprovableActionId;
  readonly intent: string;
  /** The RBAC resource (with subresource) the executor identity may act on. */
  readonly resource: ResourceRef;
  /** The RBAC verbs the executor identity holds for it. */
  readonly verbs: readonly ("delete" | "patch" | "update")[];
  /** Which key of an agent's `resourceNames` config narrows it (as for the phase's own writes); none: the namespace. */
  readonly narrowedBy?: "pods" | "deployments";
}

export const APPROVABLE_ACTION_IDS = ["delete-deployment", "delete-statefulset", "delete-pvc", "scale-down"] as const;
export type ApprovableActionId = (typeof APPROVABLE_ACTION_IDS)[number];

export const DELETE_DEPLOYMENT: ApprovableAction = {
  id: "delete-deployment",
  intent: "delete a deployment",
  resource: { apiGroup: "apps", resource: "deployments" },
  verbs: ["delete"],
  narrowedBy: "deployments",
};
export const DELETE_STATEFULSET: ApprovableAction = {
  id: "delete-statefulset",
  intent: "delete a statefulset",
  resource: { apiGroup: "apps", resource: "statefulsets" },
  verbs: ["delete"],
};
export const DELETE_PVC: ApprovableAction = {
  id: "delete-pvc",
  intent: "delete a persistentvolumeclaim",
  resource: { apiGroup: "", resource: "persistentvolumeclaims" },
  verbs: ["delete"],
};
/**
 * Scaling a deployment to zero, under the foundation's minReplicas, or down by more than its maxStepFactor in one
 * step: exactly the scalings the agents' own admission policy refuses (src/admission), so nothing an agent may do
 * alone ever waits for a person. Scaling up past the bounds is never approvable.
 */
export const SCALE_DOWN: ApprovableAction = {
  id: "scale-down",
  intent: "scale a deployment to zero or cut its replicas beyond the step limit",
  resource: { apiGroup: "apps", resource: "deployments/scale" },
  verbs: ["patch", "update"],
  narrowedBy: "deployments",
};

/** The foundation's scaling bounds (its admission parameters), which decide when a scale-down needs a person. */
export interface ScaleBounds {
  readonly minReplicas: number;
  readonly maxStepFactor: number;
}

/** True when scaling from `current` to `next` replicas is a drastic cut that only an approval may carry out. */
export function isDrasticScaleDown(current: number, next: number, bounds: ScaleBounds): boolean {
  if (next >= current) return false;
  return next === 0 || next < bounds.minReplicas || next * bounds.maxStepFactor < current;
}

/** The ApprovalReview custom resource: one held request, the decision on it and what came of it. */
export const REVIEW_API = {
  group: "agent-trust.io",
  version: "v1alpha1",
  kind: "ApprovalReview",
  listKind: "ApprovalReviewList",
  plural: "approvalreviews",
  singular: "approvalreview",
} as const;
export const REVIEW_API_VERSION = `${REVIEW_API.group}/${REVIEW_API.version}`;

/** A person's decision; recorded once, by an approver, with the username the API server saw (admission-enforced). */
export const REVIEW_VERDICTS = ["approved", "denied"] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

/**
 * What came of a review, recorded once by the proxy: carried out (the API server's answer is in `code`), refused
 * (denied), expired (no decision in time), failed (the proxy restarted or the API server erred while it was held)
 * or abandoned (the agent hung up while it was held).
 */
export const REVIEW_OUTCOMES = ["executed", "refused", "expired", "failed", "abandoned"] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/** Who asked: the caller as TokenReview authenticated it. */
export interface ReviewRequester {
  readonly username: string;
  readonly agent: string;
  readonly phase: string;
  /** The pod the token is bound to (`authentication.kubernetes.io/pod-name`): one investigation's Job pod. */
  readonly pod: string;
  /** The investigation id the pod's Job name carries. */
  readonly investigation: string;
}

/** What was asked, as the API server would read it. */
export interface ReviewRequest {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  /** `sha256:<hex>` of method, path and body: what the approval is bound to. */
  readonly digest: string;
  /** A readable preview of the payload (truncated), for the reviewer. */
  readonly preview: string;
}

export interface ReviewSpec {
  readonly requester: ReviewRequester;
  readonly request: ReviewRequest;
  /** The approvable action the request matched. */
  readonly action: ApprovableActionId;
  /** RFC 3339: after this the proxy records `expired` and no decision counts. */
  readonly expiresAt: string;
}

export interface ReviewDecision {
  readonly verdict: ReviewVerdict;
  /** The deciding username exactly as the API server authenticated it (admission refuses anything else). */
  readonly by: string;
  readonly reason?: string;
}

export interface ReviewResult {
  readonly outcome: ReviewOutcome;
  /** The API server's HTTP status for an executed request. */
  readonly code?: number;
  readonly message?: string;
}

/** The stored review: `spec` set at creation, `decision` once by an approver, `result` once by the proxy. */
export interface ApprovalReview {
  readonly apiVersion: typeof REVIEW_API_VERSION;
  readonly kind: typeof REVIEW_API.kind;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly creationTimestamp?: string;
    readonly resourceVersion?: string;
  };
  readonly spec: ReviewSpec;
  readonly decision?: ReviewDecision;
  readonly result?: ReviewResult;
}

/**
 * User extras on an approved request, set by the proxy by impersonation (`Impersonate-Extra-<key>`, the key
 * percent-encoded) and checked by the admission policies: the review's name and the approver's username.
 */
export const APPROVAL_EXTRAS = { review: "agent-trust.io/review", approver: "agent-trust.io/approver" } as const;

/** Bounds of the hold: long enough for a person to answer, short enough that an agent never waits for hours. */
export const HOLD_SECONDS = { min: 30, max: 3600, default: 300 } as const;

/**
 * A container image reference pinned by tag or digest: `[registry/]name[:tag][@sha256:<64 hex>]` with at least
 * one of the two, lowercase repository path, no whitespace. A bare name would float with `latest`.
 */
const IMAGE =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;
export function isPinnedImage(ref: string): boolean {
  if (!IMAGE.test(ref)) return false;
  const lastSlash = ref.lastIndexOf("/");
  const tail = ref.slice(lastSlash + 1);
  return tail.includes(":") || ref.includes("@sha256:");
}

/** Why `name` can never approve, if it cannot: system identities and ServiceAccounts are not people. */
export function whyNotAPerson(name: string, kind: "user" | "group"): string | undefined {
  if (BROAD_GROUPS.includes(name)) {
    return `"${name}" is a broad system group (${BROAD_GROUPS.join(", ")}); approvers must be named people or a group of them`;
  }
  if (name.startsWith("system:serviceaccount:") || name.startsWith("system:serviceaccounts")) {
    return `"${name}" is a ServiceAccount ${kind}; an approval must come from a person, never from software`;
  }
  if (name.startsWith("system:")) {
    return `"${name}" is a system: ${kind} (the control plane's own identities); approvers must be people`;
  }
  if (/[,\s]/.test(name)) return `"${name}" must not contain commas or whitespace`;
  return undefined;
}
