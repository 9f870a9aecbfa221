/**
 * The few API calls the reviewers make: list the reviews of a namespace (page by page), get one, ask the API
 * server who the caller is (SelfSubjectReview, which honours impersonation), and update one with the
 * resourceVersion it was read at. Failures come back as ReviewerError with the API server's own message.
 */
import type { ApprovalReview } from "../../model/approval";
import { ReviewerError, statusMessage, type KubeClient, type RawResponse } from "./client";
import { readReview, reviewPath } from "./reviews";

/** A review with the object exactly as the API server returned it (updates send it back whole). */
export interface FetchedReview {
  readonly review: ApprovalReview;
  readonly raw: Record<string, unknown>;
}

const PAGE = 500;

/** Every review of `namespace`; objects that are not well-formed reviews are passed to `onSkip`, never shown. */
export async function listReviews(
  client: KubeClient,
  namespace: string,
  onSkip: (reason: string) => void,
): Promise<FetchedReview[]> {
  const out: FetchedReview[] = [];
  let cont = "";
  for (let page = 0; page < 10_000; page++) {
    const q = `?limit=${PAGE}${cont ? `&continue=${encodeURIComponent(cont)}` : ""}`;
    const r = await client.request("GET", `${reviewPath(namespace)}${q}`);
    if (r.status !== 200) throw failure(`cannot list approval reviews in namespace ${namespace}`, r);
    const items = Array.isArray(r.body.items) ? (r.body.items as unknown[]) : [];
    for (const item of items) {
      const review = readReview(item);
      if (typeof review === "string") onSkip(review);
      else out.push({ review, raw: item as Record<string, unknown> });
    }
    const meta = r.body.metadata as { continue?: unknown } | undefined;
    cont = typeof meta?.continue === "string" ? meta.continue : "";
    if (!cont) break;
  }
  return out.sort(
    (a, b) =>
      (a.review.metadata.creationTimestamp ?? "").localeCompare(b.review.metadata.creationTimestamp ?? "") ||
      a.review.metadata.name.localeCompare(b.review.metadata.name),
  );
}

/** One review, or a ReviewerError naming it (not found, forbidden, malformed). */
export async function getReview(client: KubeClient, namespace: string, name: string): Promise<FetchedReview> {
  const r = await client.request("GET", reviewPath(namespace, name));
  if (r.status === 404) throw new ReviewerError(`no approval review "${name}" in namespace ${namespace}`);
  if (r.status !== 200) throw failure(`cannot read approval review ${name}`, r);
  const review = readReview(r.body);
  if (typeof review === "string") throw new ReviewerError(`approval review ${name} is malformed: ${review}`);
  return { review, raw: r.body };
}

/** The username the API server authenticates the caller as (after impersonation), by SelfSubjectReview. */
export async function whoAmI(client: KubeClient): Promise<string> {
  const r = await client.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    apiVersion: "authentication.k8s.io/v1",
    kind: "SelfSubjectReview",
  });
  if (r.status !== 201 && r.status !== 200)
    throw failure("cannot learn who the API server takes you for (SelfSubjectReview, Kubernetes 1.28+)", r);
  const status = r.body.status as { userInfo?: { username?: unknown } } | undefined;
  const username = status?.userInfo?.username;
  if (typeof username !== "string" || username === "")
    throw new ReviewerError("the API server's SelfSubjectReview named no username; nothing was decided");
  return username;
}

/** Sends `raw` back as an update (PUT, carrying its resourceVersion); the answer is the caller's to judge. */
export function updateReview(client: KubeClient, namespace: string, name: string, raw: unknown): Promise<RawResponse> {
  return client.request("PUT", reviewPath(namespace, name), raw);
}

export function failure(what: string, r: RawResponse): ReviewerError {
  return new ReviewerError(`${what}: the API server answered ${r.status}: ${statusMessage(r)}`);
}
