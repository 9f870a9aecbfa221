/**
 * The proxy's own API calls, made with its own credentials: TokenReview (who is calling), and the ApprovalReview
 * objects of its namespace (create, read, list, record the result once with the resourceVersion it read, so a
 * decision that lands first is never overwritten).
 */
import { REVIEW_API, type ApprovalReview, type ReviewResult } from "../../model/approval";
import { answerJson, answerMessage, type Upstream } from "./upstream";

/** An authenticated caller as TokenReview saw it. */
export interface Caller {
  readonly username: string;
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** The error of an API call the proxy made itself: what it tried and the API server's answer. */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function reviewsPath(namespace: string, name?: string): string {
  const base = `/apis/${REVIEW_API.group}/${REVIEW_API.version}/namespaces/${namespace}/${REVIEW_API.plural}`;
  return name === undefined ? base : `${base}/${name}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Who the token belongs to, or undefined when the API server does not authenticate it. */
export async function reviewToken(upstream: Upstream, token: string): Promise<Caller | undefined> {
  const body = Buffer.from(
    JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } }),
  );
  const answer = await upstream.call({
    method: "POST",
    path: "/apis/authentication.k8s.io/v1/tokenreviews",
    headers: { "content-type": "application/json" },
    body,
  });
  if (answer.status !== 201 && answer.status !== 200)
    throw new UpstreamError(`TokenReview failed: ${answerMessage(answer)}`, answer.status);
  const json = answerJson(answer);
  const status = isObject(json) && isObject(json.status) ? json.status : undefined;
  if (status?.authenticated !== true || !isObject(status.user)) return undefined;
  const { username, extra } = status.user;
  if (typeof username !== "string" || username === "") return undefined;
  const extras: Record<string, readonly string[]> = {};
  if (isObject(extra))
    for (const [k, v] of Object.entries(extra))
      if (Array.isArray(v)) extras[k] = v.filter((s): s is string => typeof s === "string");
  return { username, extra: extras };
}

function asReview(json: unknown, what: string): ApprovalReview {
  if (!isObject(json) || json.kind !== REVIEW_API.kind || !isObject(json.metadata) || !isObject(json.spec))
    throw new UpstreamError(`${what}: the API server answered with something that is no ApprovalReview`, 502);
  return json as unknown as ApprovalReview;
}

/** Creates the review; throws UpstreamError (status 409 when the name is taken). */
export async function createReview(upstream: Upstream, review: ApprovalReview): Promise<ApprovalReview> {
  const answer = await upstream.call({
    method: "POST",
    path: reviewsPath(review.metadata.namespace),
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify(review)),
  });
  const what = `creating ApprovalReview ${review.metadata.namespace}/${review.metadata.name}`;
  if (answer.status !== 201 && answer.status !== 200)
    throw new UpstreamError(`${what} failed: ${answerMessage(answer)}`, answer.status);
  return asReview(answerJson(answer), what);
}

export async function getReview(upstream: Upstream, namespace: string, name: string): Promise<ApprovalReview> {
  const answer = await upstream.call({ method: "GET", path: reviewsPath(namespace, name) });
  const what = `reading ApprovalReview ${namespace}/${name}`;
  if (answer.status !== 200) throw new UpstreamError(`${what} failed: ${answerMessage(answer)}`, answer.status);
  return asReview(answerJson(answer), what);
}

export async function listReviews(upstream: Upstream, namespace: string): Promise<ApprovalReview[]> {
  const answer = await upstream.call({ method: "GET", path: reviewsPath(namespace) });
  const what = `listing ApprovalReviews in ${namespace}`;
  if (answer.status !== 200) throw new UpstreamError(`${what} failed: ${answerMessage(answer)}`, answer.status);
  const json = answerJson(answer);
  if (!isObject(json) || !Array.isArray(json.items)) throw new UpstreamError(`${what}: no list in the answer`, 502);
  return (json.items as unknown[]).map((i) => asReview(i, what));
}

/**
 * Records `result` on the review read as `review` (a merge patch carrying its resourceVersion). On a conflict the
 * review is read again and returned as it now stands, unwritten: the caller decides (a decision that landed first
 * wins). Returns the review after the write otherwise.
 */
export async function writeResult(
  upstream: Upstream,
  review: ApprovalReview,
  result: ReviewResult,
): Promise<{ readonly written: boolean; readonly review: ApprovalReview }> {
  const { namespace, name, resourceVersion } = review.metadata;
  const patch = { metadata: { resourceVersion }, result };
  const answer = await upstream.call({
    method: "PATCH",
    path: reviewsPath(namespace, name),
    headers: { "content-type": "application/merge-patch+json" },
    body: Buffer.from(JSON.stringify(patch)),
  });
  if (answer.status === 409) return { written: false, review: await getReview(upstream, namespace, name) };
  const what = `recording result ${result.outcome} on ApprovalReview ${namespace}/${name}`;
  if (answer.status !== 200) throw new UpstreamError(`${what} failed: ${answerMessage(answer)}`, answer.status);
  return { written: true, review: asReview(answerJson(answer), what) };
}

/**
 * Records `result` whatever else changed meanwhile, unless a result is already there: for outcomes that do not
 * depend on the decision (failed, abandoned, executed, refused). Retries a conflict a few times.
 */
export async function settleReview(upstream: Upstream, review: ApprovalReview, result: ReviewResult): Promise<void> {
  let current = review;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (current.result) return;
    const r = await writeResult(upstream, current, result);
    if (r.written) return;
    current = r.review;
  }
  throw new UpstreamError(`ApprovalReview ${review.metadata.name} kept changing; result not recorded`, 409);
}
