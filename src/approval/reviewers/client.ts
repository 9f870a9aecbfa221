/**
 * The reviewers' Kubernetes client: the caller's own kubeconfig (`--kubeconfig`, else KUBECONFIG merged, else
 * ~/.kube/config; `--context`), impersonation as kubectl does it (`--as` → Impersonate-User, each `--as-group` →
 * Impersonate-Group), and one raw JSON request that never throws on an HTTP status: the caller judges the answer,
 * so an admission refusal reaches the reviewer verbatim.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

/** A refusal or failure to show the reviewer as it is (exit 1). */
export class ReviewerError extends Error {}

export interface ClientOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  /** `--as`: the user to impersonate. */
  readonly as?: string;
  /** `--as-group`, repeatable: groups to impersonate (kubectl demands `--as` with them). */
  readonly asGroups: readonly string[];
  /** The environment and home directory to find the kubeconfig in (tests give their own). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
}

export interface RawResponse {
  readonly status: number;
  /** The parsed JSON body; a body that is not a JSON object is `{ message: <text> }`. */
  readonly body: Record<string, unknown>;
}

export interface KubeClient {
  /** The API server URL of the chosen context, for messages. */
  readonly server: string;
  request(method: string, path: string, body?: unknown): Promise<RawResponse>;
}

/** The caller's kubeconfig, found as kubectl finds it; refuses (never guesses a server) when there is none. */
export function loadKubeConfig(opts: ClientOptions): KubeConfig {
  const env = opts.env ?? process.env;
  const kc = new KubeConfig();
  const files = opts.kubeconfig
    ? [opts.kubeconfig]
    : (env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f !== "");
  if (files.length === 0) files.push(path.join(opts.home ?? os.homedir(), ".kube", "config"));
  const readable = files.filter((f) => fs.existsSync(f));
  if (readable.length === 0 || (opts.kubeconfig && readable.length !== 1))
    throw new ReviewerError(`no kubeconfig at ${files.join(", ")}; give --kubeconfig FILE or set KUBECONFIG`);
  try {
    kc.loadFromFile(readable[0]!);
    for (const f of readable.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(f);
      mergeFirstWins(kc, more);
    }
  } catch (e) {
    throw new ReviewerError(`cannot read kubeconfig ${readable.join(", ")}: ${(e as Error).message}`);
  }
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context))
      throw new ReviewerError(`kubeconfig has no context "${opts.context}" (contexts: ${contextNames(kc)})`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()?.server)
    throw new ReviewerError(`kubeconfig's current context "${kc.getCurrentContext()}" names no cluster server`);
  return kc;
}

/** Merges as kubectl merges KUBECONFIG's files: the first file to define a name (or the current context) wins. */
function mergeFirstWins(kc: KubeConfig, more: KubeConfig): void {
  for (const c of more.getClusters()) if (!kc.getCluster(c.name)) kc.addCluster(c);
  for (const u of more.getUsers()) if (!kc.getUser(u.name)) kc.addUser(u);
  for (const c of more.getContexts()) if (!kc.getContextObject(c.name)) kc.addContext(c);
  if (!kc.getCurrentContext() && more.getCurrentContext()) kc.setCurrentContext(more.getCurrentContext());
}

function contextNames(kc: KubeConfig): string {
  return (
    kc
      .getContexts()
      .map((c) => c.name)
      .join(", ") || "none"
  );
}

/** The impersonation headers kubectl sends for `--as` and `--as-group`; refuses groups without a user as it does. */
export function impersonationHeaders(as: string | undefined, groups: readonly string[]): Record<string, string[]> {
  if (as === undefined || as === "") {
    if (groups.length > 0) throw new ReviewerError("--as-group needs --as USER (kubectl refuses groups alone too)");
    return {};
  }
  return { "Impersonate-User": [as], ...(groups.length > 0 ? { "Impersonate-Group": [...groups] } : {}) };
}

const TIMEOUT_MS = 30_000;

/** A client for the chosen context with the caller's credentials and impersonation. */
export function kubeClient(kc: KubeConfig, impersonate: Record<string, string[]>): KubeClient {
  const server = kc.getCurrentCluster()?.server ?? "";
  const secure = server.startsWith("https:");
  let prepared: Promise<https.RequestOptions> | undefined;
  const prepare = async (): Promise<https.RequestOptions> => {
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    return opts;
  };
  return {
    server,
    async request(method, p, body) {
      prepared ??= prepare().catch((e: unknown) => {
        throw new ReviewerError(`cannot use the kubeconfig's credentials: ${(e as Error).message}`);
      });
      const opts = await prepared;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: http.OutgoingHttpHeaders = {
        ...(opts.headers as http.OutgoingHttpHeaders | undefined),
        ...impersonate,
        accept: "application/json",
        ...(payload === undefined
          ? {}
          : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
      };
      const requestOpts: https.RequestOptions = { method, headers, timeout: TIMEOUT_MS };
      if (opts.agent !== undefined) requestOpts.agent = opts.agent;
      if (opts.auth !== undefined) requestOpts.auth = opts.auth;
      return new Promise<RawResponse>((resolve, reject) => {
        const url = new URL(p, server);
        const req = (secure ? https.request : http.request)(url, requestOpts, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () => {
            resolve({ status: res.statusCode ?? 0, body: parseBody(text) });
          });
        });
        req.on("error", (e) => {
          reject(new ReviewerError(`${method} ${server}${p}: ${e.message}`));
        });
        req.on("timeout", () => req.destroy(new Error(`timed out after ${TIMEOUT_MS / 1000}s`)));
        if (payload !== undefined) req.write(payload);
        req.end();
      });
    },
  };
}

function parseBody(text: string): Record<string, unknown> {
  if (text === "") return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : { message: text };
  } catch {
    return { message: text };
  }
}

/** The API server's own message of a failed answer (a Status object), else the status code. */
export function statusMessage(r: RawResponse): string {
  const m = r.body.message;
  return typeof m === "string" && m !== "" ? m : `HTTP ${r.status}`;
}
