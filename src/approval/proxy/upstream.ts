/**
 * The proxy's one connection to the API server: its URL and CA, and its own bearer token read anew on every
 * request (a projected token file rotates). Two ways to call: buffered (`call`, for the proxy's own JSON requests
 * and replayed bodies) and streamed (`open`, for pass-through, watches and logs). node:http(s) only.
 */
import http from "node:http";
import https from "node:https";

export interface UpstreamOptions {
  /** `https://host:port` (or `http://` for tests). */
  readonly server: string;
  /** PEM of the CA that signed the API server's certificate; the system CAs when absent. */
  readonly caPem?: string;
  /** The proxy's own bearer token, read per request. */
  readonly credentials: () => string;
}

export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface CallOptions {
  readonly method: string;
  /** Path and query, as sent (`/apis/...?...`). */
  readonly path: string;
  readonly headers?: http.OutgoingHttpHeaders;
  readonly body?: Buffer;
  /** The caller's own token instead of the proxy's. */
  readonly token?: string;
}

export interface Upstream {
  /** Opens a request; the caller writes the body and reads the response. Authorization is the given token. */
  open(method: string, path: string, headers: http.OutgoingHttpHeaders): http.ClientRequest;
  /** One buffered request: the proxy's credentials unless `token` is given. */
  call(options: CallOptions): Promise<UpstreamAnswer>;
  /** The proxy's own credentials, as an Authorization header value. */
  authorization(): string;
  close(): void;
}

export function connectUpstream(options: UpstreamOptions): Upstream {
  const base = new URL(options.server);
  if (base.protocol !== "https:" && base.protocol !== "http:")
    throw new Error(`upstream server "${options.server}" is not an http(s) URL`);
  const secure = base.protocol === "https:";
  const agent = secure
    ? new https.Agent({ keepAlive: true, ...(options.caPem ? { ca: options.caPem } : {}) })
    : new http.Agent({ keepAlive: true });
  const prefix = base.pathname.replace(/\/$/, "");
  const authorization = (): string => {
    const token = options.credentials().trim();
    if (token === "") throw new Error("the approval proxy's own token is empty; check --token-file");
    return `Bearer ${token}`;
  };
  const open = (method: string, path: string, headers: http.OutgoingHttpHeaders): http.ClientRequest => {
    const request = secure ? https.request : http.request;
    return request({
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port || (secure ? 443 : 80),
      method,
      path: `${prefix}${path}`,
      headers: { ...headers, host: base.host },
      agent,
    });
  };
  const call = (o: CallOptions): Promise<UpstreamAnswer> =>
    new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = {
        accept: "application/json",
        ...o.headers,
        authorization: o.token === undefined ? authorization() : `Bearer ${o.token}`,
      };
      if (o.body) headers["content-length"] = o.body.length;
      const req = open(o.method, o.path, headers);
      req.on("error", reject);
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      req.end(o.body);
    });
  return {
    open,
    call,
    authorization,
    close: () => {
      agent.destroy();
    },
  };
}

/** The JSON of an answer, or undefined when it holds none. */
export function answerJson(answer: UpstreamAnswer): unknown {
  try {
    return JSON.parse(answer.body.toString("utf8")) as unknown;
  } catch {
    return undefined;
  }
}

/** The API server's own message for a failed answer (its Status `message`), or the HTTP status. */
export function answerMessage(answer: UpstreamAnswer): string {
  const json = answerJson(answer);
  const message = typeof json === "object" && json !== null ? (json as Record<string, unknown>).message : undefined;
  return typeof message === "string" ? `${answer.status}: ${message}` : `HTTP ${answer.status}`;
}
