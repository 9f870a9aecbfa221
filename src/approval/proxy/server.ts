/**
 * The approval proxy: an HTTP(S) reverse proxy in front of the Kubernetes API for the agents of one namespace.
 * Each caller is authenticated by TokenReview; requests that match no approvable action of the caller's phase
 * pass through untouched with the caller's own token; those that do are held for a person (src/approval/proxy/
 * approve.ts). Impersonation headers from clients and connection upgrades (exec, attach, port-forward) are refused.
 * On start, every review left without a result (a previous proxy died holding it) is marked failed.
 */
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { ScaleBounds } from "../../model/approval";
import { parseAgentUsername } from "../../model/naming";
import { holdRequest, SHUTDOWN } from "./approve";
import { candidateAction, currentReplicas, needsScaleCheck, requestedReplicas, scaleIsApprovable } from "./classify";
import type { LogSink, ProxyContext } from "./context";
import { endToEnd, forward } from "./forward";
import { SYSTEM_CLOCK, type Clock } from "./hold";
import { parseRequestInfo } from "./request-info";
import { listReviews, reviewToken, settleReview } from "./reviews";
import { rawStatusResponse, sendStatus } from "./status";
import { answerJson, connectUpstream, type UpstreamOptions } from "./upstream";

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;
export const RESTART_MESSAGE = "the approval proxy restarted while this request was held";

export interface ApprovalProxyOptions {
  /** Where to listen: 127.0.0.1 by default; port 0 picks a free one. A non-loopback host needs `tls`. */
  readonly listen?: { readonly host?: string; readonly port?: number };
  /** PEM certificate and key: the proxy then speaks HTTPS. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
  readonly upstream: UpstreamOptions;
  /** The agents namespace. */
  readonly namespace: string;
  readonly holdSeconds: number;
  readonly bounds: ScaleBounds;
  readonly maxBodyBytes?: number;
  readonly log?: LogSink;
  readonly clock?: Clock;
}

export interface RunningProxy {
  /** `http(s)://host:port` */
  readonly url: string;
  /** Stops accepting, marks held reviews failed, answers their agents, closes every connection. */
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

function bearer(req: http.IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return m?.[1];
}

/** The body, or undefined after answering 413 when it is larger than `limit`. */
function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number): Promise<Buffer | undefined> {
  const tooLarge = (): void => {
    res.setHeader("connection", "close");
    sendStatus(res, 413, `request body larger than ${limit} bytes; the approval proxy holds at most that`);
    req.resume();
  };
  if (Number(req.headers["content-length"] ?? 0) > limit) {
    tooLarge();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        req.off("data", onData);
        tooLarge();
        resolve(undefined);
      } else chunks.push(c);
    };
    req.on("data", onData);
    req.on("error", reject);
    req.on("end", () => {
      if (size <= limit) resolve(Buffer.concat(chunks));
    });
  });
}

/** Answers with a Status and logs the refusal (method and path, never the query or a token). */
function refuse(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  code: number,
  message: string,
): void {
  ctx.log({ event: "refused", code, method: req.method, path: (req.url ?? "").split("?")[0], message });
  sendStatus(res, code, message);
}

async function handle(ctx: ProxyContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const method = req.method ?? "";
  const url = req.url ?? "";
  if (url === "/healthz" && (method === "GET" || method === "HEAD")) {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    return;
  }
  if (req.headers.upgrade !== undefined) {
    refuse(ctx, req, res, 403, "connection upgrades (exec, attach, port-forward) are never allowed to agents");
    return;
  }
  const impersonating = Object.keys(req.headers).find((h) => h.startsWith("impersonate-"));
  if (impersonating !== undefined) {
    refuse(ctx, req, res, 400, `the approval proxy refuses impersonation headers (${impersonating}); send none`);
    return;
  }
  const token = bearer(req);
  if (token === undefined) {
    refuse(ctx, req, res, 401, "the approval proxy needs an Authorization: Bearer token");
    return;
  }
  const info = parseRequestInfo(method, url);
  if (info.kind === "refused") {
    refuse(ctx, req, res, 400, `the approval proxy refuses this request: ${info.reason}`);
    return;
  }
  let caller;
  try {
    caller = await reviewToken(ctx.upstream, token);
  } catch (e) {
    refuse(ctx, req, res, 503, `the approval proxy could not authenticate the caller: ${(e as Error).message}`);
    return;
  }
  if (!caller) {
    refuse(ctx, req, res, 401, "the API server does not authenticate this token (TokenReview)");
    return;
  }
  const agent = parseAgentUsername(ctx.namespace, caller.username);
  const action = agent && info.kind === "resource" ? candidateAction(agent.phase, info) : undefined;
  if (!agent || !action || info.kind !== "resource") return passThrough(ctx, req, res, req);
  const body = await readBody(req, res, ctx.maxBodyBytes);
  if (body === undefined) {
    ctx.log({ event: "too-large", username: caller.username, action: action.id });
    return;
  }
  if (needsScaleCheck(action)) {
    const next = requestedReplicas(method, req.headers["content-type"] ?? "", body);
    const path = `/apis/apps/v1/namespaces/${info.namespace}/deployments/${info.name}`;
    const current = await ctx.upstream
      .call({ method: "GET", path, token })
      .then((a) => (a.status === 200 ? currentReplicas(answerJson(a)) : undefined))
      .catch(() => undefined);
    const approvable = scaleIsApprovable(current, next, ctx.bounds);
    ctx.log({
      event: "scale",
      username: caller.username,
      namespace: info.namespace,
      name: info.name,
      current,
      next,
      approvable,
    });
    if (!approvable) return passThrough(ctx, req, res, body);
  }
  await holdRequest(ctx, req, res, { caller, agent: agent.agent, phase: agent.phase, action, info, body });
}

async function passThrough(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: http.IncomingMessage | Buffer,
): Promise<void> {
  const headers = endToEnd(req.headers);
  if (Buffer.isBuffer(body)) delete headers["content-length"];
  try {
    await forward(ctx.upstream, { method: req.method ?? "", url: req.url ?? "", headers, body }, res);
  } catch (e) {
    sendStatus(res, 502, `the approval proxy could not reach the API server: ${(e as Error).message}`);
  }
}

/** Marks every review of the namespace without a result failed: nobody holds them any more. */
async function failOrphans(ctx: ProxyContext): Promise<void> {
  const open = (await listReviews(ctx.upstream, ctx.namespace)).filter((r) => !r.result);
  for (const r of open) {
    ctx.log({ event: "result", review: r.metadata.name, outcome: "failed", message: RESTART_MESSAGE });
    await settleReview(ctx.upstream, r, { outcome: "failed", message: RESTART_MESSAGE });
  }
}

function refuseUpgrade(_req: http.IncomingMessage, socket: Duplex): void {
  socket.on("error", () => undefined);
  socket.end(rawStatusResponse(403, "connection upgrades (exec, attach, port-forward) are never allowed to agents"));
}

export async function startApprovalProxy(options: ApprovalProxyOptions): Promise<RunningProxy> {
  const host = options.listen?.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host) && !options.tls)
    throw new Error(
      `the approval proxy listens on ${host} only with TLS (give a certificate and key), or on 127.0.0.1`,
    );
  if (!(options.holdSeconds > 0)) throw new Error(`holdSeconds must be positive, not ${options.holdSeconds}`);
  const upstream = connectUpstream(options.upstream);
  const ctx: ProxyContext = {
    upstream,
    namespace: options.namespace,
    holdSeconds: options.holdSeconds,
    bounds: options.bounds,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    log: options.log ?? (() => undefined),
    clock: options.clock ?? SYSTEM_CLOCK,
    held: new Set(),
    state: { stopping: false },
  };
  try {
    await failOrphans(ctx);
  } catch (e) {
    upstream.close();
    throw new Error(`the approval proxy cannot start: ${(e as Error).message}`);
  }
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(ctx, req, res).catch((e: unknown) => {
      ctx.log({ event: "error", error: (e as Error).message });
      sendStatus(res, 500, `the approval proxy failed: ${(e as Error).message}`);
    });
  };
  const server = options.tls
    ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, onRequest)
    : http.createServer(onRequest);
  server.on("upgrade", refuseUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listen?.port ?? 0, host, () => {
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${options.tls ? "https" : "http"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
  ctx.log({ event: "listening", url, namespace: ctx.namespace });
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    ctx.state.stopping = true;
    const held = [...ctx.held];
    for (const h of held) h.abort.abort(SHUTDOWN);
    await Promise.all(held.map((h) => h.done));
    server.closeAllConnections();
    await closed;
    upstream.close();
  };
  return { url, close: () => (closing ??= close()) };
}
