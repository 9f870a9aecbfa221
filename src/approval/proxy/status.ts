/**
 * The answers the approval proxy makes itself: always a Kubernetes `Status` object (kind Status, apiVersion v1,
 * status Failure), so kubectl and the client libraries print the message as they print the API server's own.
 */
import type { ServerResponse } from "node:http";

export interface KubeStatus {
  readonly kind: "Status";
  readonly apiVersion: "v1";
  readonly metadata: Record<string, never>;
  readonly status: "Failure";
  readonly message: string;
  readonly reason: string;
  readonly code: number;
}

/** The reason word the API server uses for each code the proxy answers with. */
const REASONS: Readonly<Record<number, string>> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  405: "MethodNotAllowed",
  413: "RequestEntityTooLarge",
  500: "InternalError",
  502: "InternalError",
  503: "ServiceUnavailable",
};

export function kubeStatus(code: number, message: string): KubeStatus {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: REASONS[code] ?? "Unknown",
    code,
  };
}

/** The raw bytes of an HTTP/1.1 answer with a Status body, for a socket no ServerResponse owns (upgrades). */
export function rawStatusResponse(code: number, message: string): string {
  const body = JSON.stringify(kubeStatus(code, message));
  return [
    `HTTP/1.1 ${code} ${REASONS[code] ?? "Error"}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

/** Answers with a Status object unless an answer has already started. */
export function sendStatus(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.end();
    return;
  }
  const body = JSON.stringify(kubeStatus(code, message));
  res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}
