/**
 * The life of one held request: create its ApprovalReview, wait for the decision, then carry it out as the
 * agent's executor (approved), refuse it (denied), or record why nothing happened (expired, abandoned, failed).
 * Every outcome is recorded once on the review and every answer the proxy makes itself is a Status naming it.
 */
import type http from "node:http";
import type { ApprovableAction, ApprovalReview, ReviewResult } from "../../model/approval";
import { executorUsername } from "../../model/naming";
import type { Phase } from "../../model/phases";
import type { ProxyContext } from "./context";
import { endToEnd, forward, impersonationHeaders } from "./forward";
import { buildReview, POD_NAME_EXTRA, randomSuffix, waitForDecision } from "./hold";
import type { ResourceRequestInfo } from "./request-info";
import { createReview, settleReview, UpstreamError, writeResult, type Caller } from "./reviews";
import { sendStatus } from "./status";

export interface HoldInput {
  readonly caller: Caller;
  readonly agent: string;
  readonly phase: Phase;
  readonly action: ApprovableAction;
  readonly info: ResourceRequestInfo;
  readonly body: Buffer;
}

const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
export const SHUTDOWN = "shutdown";

function cause(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function create(ctx: ProxyContext, req: http.IncomingMessage, h: HoldInput): Promise<ApprovalReview> {
  const { info } = h;
  for (let attempt = 0; ; attempt++) {
    const review = buildReview({
      namespace: ctx.namespace,
      username: h.caller.username,
      agent: h.agent,
      phase: h.phase,
      pod: h.caller.extra[POD_NAME_EXTRA]?.[0] ?? "",
      action: h.action.id,
      request: {
        verb: info.verb,
        apiGroup: info.apiGroup,
        resource: info.resource,
        subresource: info.subresource,
        namespace: info.namespace,
        name: info.name,
      },
      method: req.method ?? "",
      url: req.url ?? "",
      body: h.body,
      expiresAt: new Date(ctx.clock.now() + ctx.holdSeconds * 1000),
      suffix: randomSuffix(),
    });
    try {
      return await createReview(ctx.upstream, review);
    } catch (e) {
      if (!(e instanceof UpstreamError && e.status === 409 && attempt < 3)) throw e;
    }
  }
}

/** Holds the request until a person decides; answers the agent. Never throws. */
export async function holdRequest(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  h: HoldInput,
): Promise<void> {
  if (ctx.state.stopping) {
    sendStatus(res, 503, "the approval proxy is stopping; try again");
    return;
  }
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableEnded) abort.abort("abandoned");
  });
  const entry = { abort, done: hold(ctx, req, res, h, abort.signal).then(() => answered(res)) };
  ctx.held.add(entry);
  try {
    await entry.done;
  } finally {
    ctx.held.delete(entry);
  }
}

async function hold(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  h: HoldInput,
  signal: AbortSignal,
): Promise<void> {
  let review: ApprovalReview;
  try {
    review = await create(ctx, req, h);
  } catch (e) {
    ctx.log({ event: "review-create-failed", username: h.caller.username, action: h.action.id, error: cause(e) });
    sendStatus(res, 503, `the approval proxy could not record this request for approval (${h.action.id}): ${cause(e)}`);
    return;
  }
  const { name } = review.metadata;
  const ref = `ApprovalReview ${ctx.namespace}/${name}`;
  ctx.log({
    event: "held",
    review: name,
    username: h.caller.username,
    action: h.action.id,
    expiresAt: review.spec.expiresAt,
  });
  await decide(ctx, req, res, h, review, ref, signal).catch((e: unknown) => {
    ctx.log({ event: "hold-failed", review: name, error: cause(e) });
    sendStatus(res, 503, `${ref}: the approval proxy failed while this request was held: ${cause(e)}`);
  });
}

/** Resolves once the answer has been handed to the connection (or the connection is gone). */
function answered(res: http.ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    res.once("finish", resolve);
    res.once("close", resolve);
  });
}

async function settle(ctx: ProxyContext, review: ApprovalReview, result: ReviewResult): Promise<void> {
  ctx.log({ event: "result", review: review.metadata.name, ...result });
  await settleReview(ctx.upstream, review, result);
}

async function decide(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  h: HoldInput,
  created: ApprovalReview,
  ref: string,
  signal: AbortSignal,
): Promise<void> {
  let review: ApprovalReview;
  try {
    const waited = await waitForDecision(ctx.upstream, created, ctx.clock, signal);
    review = waited.review;
    if (waited.kind === "aborted") {
      const shutdown = signal.reason === SHUTDOWN;
      const message = shutdown
        ? "the approval proxy stopped while this request was held"
        : "the agent hung up while this request was held";
      await settle(ctx, review, { outcome: shutdown ? "failed" : "abandoned", message });
      sendStatus(res, 503, `${ref}: ${message}`);
      return;
    }
    if (waited.kind === "expired") {
      const w = await writeResult(ctx.upstream, review, { outcome: "expired", message: "no decision in time" });
      review = w.review;
      if (w.written || !review.decision) {
        // Written, or a result landed meanwhile (nothing to decide any more); a bare conflict is retried once.
        if (!w.written && !review.result)
          await settle(ctx, review, { outcome: "expired", message: "no decision in time" });
        ctx.log({ event: "result", review: created.metadata.name, outcome: "expired" });
        sendStatus(res, 403, `${ref} (${h.action.id}) expired: no approver decided before ${review.spec.expiresAt}`);
        return;
      }
    }
  } catch (e) {
    await settle(ctx, created, { outcome: "failed", message: cause(e) }).catch(() => undefined);
    throw e;
  }
  await carryOut(ctx, req, res, h, review, ref);
}

async function carryOut(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  h: HoldInput,
  review: ApprovalReview,
  ref: string,
): Promise<void> {
  const decision = review.decision;
  const rule = h.action.id;
  if (decision?.verdict !== "approved") {
    const by = decision?.by ?? "(unknown)";
    await settle(ctx, review, { outcome: "refused", message: `denied by ${by}` });
    const reason = decision?.reason ? `: ${decision.reason}` : "";
    sendStatus(res, 403, `${ref} (rule ${rule}) was denied by ${by}${reason}`);
    return;
  }
  if (decision.by.startsWith(SERVICE_ACCOUNT_PREFIX) || decision.by === review.spec.requester.username) {
    const message = `the approval by ${decision.by} does not count (a ServiceAccount or the requester itself)`;
    await settle(ctx, review, { outcome: "failed", message });
    sendStatus(res, 403, `${ref} (rule ${rule}): ${message}`);
    return;
  }
  const headers = endToEnd(req.headers);
  delete headers.authorization;
  delete headers["content-length"];
  const executor = executorUsername(ctx.namespace, h.agent, h.phase);
  Object.assign(headers, impersonationHeaders(executor, review.metadata.name, decision.by), {
    authorization: ctx.upstream.authorization(),
  });
  ctx.log({ event: "approved", review: review.metadata.name, by: decision.by, executor });
  let code: number;
  try {
    code = await forward(ctx.upstream, { method: req.method ?? "", url: req.url ?? "", headers, body: h.body }, res);
  } catch (e) {
    await settle(ctx, review, { outcome: "failed", message: `forwarding the approved request failed: ${cause(e)}` });
    sendStatus(res, 502, `${ref}: the approved request could not reach the API server: ${cause(e)}`);
    return;
  }
  await settle(ctx, review, { outcome: "executed", code });
}
