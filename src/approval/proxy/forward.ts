/**
 * Carrying a request to the API server and its answer back: streamed both ways (watches, `pods/log?follow=true`),
 * status code and headers kept except the hop-by-hop ones. The caller's own Authorization for pass-through; the
 * proxy's credentials and the executor's impersonation headers for an approved request.
 */
import type http from "node:http";
import { APPROVAL_EXTRAS } from "../../model/approval";
import type { Upstream } from "./upstream";

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

/** Headers without the hop-by-hop ones (and those the Connection header names). */
export function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set(
    (headers.connection ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter((s) => s !== ""),
  );
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !named.has(k)) out[k] = v;
  return out;
}

/**
 * The header name carrying one user extra: `Impersonate-Extra-` and the key percent-encoded where it holds
 * characters no header name may (the API server lowercases and unescapes it: `agent-trust.io%2Freview`).
 */
export function impersonateExtraHeader(key: string): string {
  const token = /^[a-z0-9!#$&'*+.^_`|~-]$/;
  const encoded = [...Buffer.from(key, "utf8")]
    .map((b) => {
      const c = String.fromCharCode(b);
      return b < 0x80 && token.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
  return `Impersonate-Extra-${encoded}`;
}

/** The impersonation headers of an approved request: the executor and the two extras that prove the approval. */
export function impersonationHeaders(executor: string, review: string, approver: string): Record<string, string> {
  return {
    "Impersonate-User": executor,
    [impersonateExtraHeader(APPROVAL_EXTRAS.review)]: review,
    [impersonateExtraHeader(APPROVAL_EXTRAS.approver)]: approver,
  };
}

export interface ForwardOptions {
  readonly method: string;
  readonly url: string;
  readonly headers: http.OutgoingHttpHeaders;
  /** The body: streamed from the agent's request, or replayed from the buffer. */
  readonly body: http.IncomingMessage | Buffer;
}

/**
 * Sends the request and pipes the answer into `res`. Resolves with the API server's status once the answer has
 * been passed on completely; rejects when the API server cannot be reached (nothing written to `res` then).
 */
export function forward(upstream: Upstream, o: ForwardOptions, res: http.ServerResponse): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = { ...o.headers };
    if (Buffer.isBuffer(o.body)) {
      delete headers["transfer-encoding"];
      headers["content-length"] = o.body.length;
    }
    const up = upstream.open(o.method, o.url, headers);
    let answered = false;
    up.on("error", (e) => {
      if (!answered) reject(e);
      else res.destroy(e);
    });
    up.on("response", (answer) => {
      answered = true;
      const status = answer.statusCode ?? 502;
      res.writeHead(status, answer.statusMessage, endToEnd(answer.headers));
      // A watch's first event must not wait for a buffer to fill.
      res.flushHeaders();
      answer.pipe(res);
      answer.on("end", () => {
        resolve(status);
      });
      answer.on("error", () => {
        resolve(status);
      });
    });
    // The agent hung up: stop the upstream request (a watch or a follow would run forever).
    res.on("close", () => {
      if (!res.writableFinished) up.destroy();
    });
    if (Buffer.isBuffer(o.body)) up.end(o.body);
    else o.body.pipe(up);
  });
}
