/**
 * Kubernetes access for the harness: the administrator's client (from the sandbox kubeconfig), clients acting
 * as a ServiceAccount (bearer token), server-side apply, and a raw request helper for the few calls where the
 * HTTP status itself is what we check (dry-run admission, real requests as an agent).
 */
import * as https from "node:https";
import { KubeConfig, KubernetesObjectApi } from "@kubernetes/client-node";
import type { Manifest } from "../../model/manifest";

export const FIELD_MANAGER = "agent-trust";

export function adminKubeConfig(kubeconfigPath: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}

/** A client that authenticates with `token` (e.g. an agent's TokenRequest token) against the same server. */
export function tokenKubeConfig(admin: KubeConfig, token: string, user = "token-user"): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig has no current cluster");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return kc;
}

/** The same credentials, acting as `user` (the administrator may impersonate anyone). */
export function impersonating(admin: KubeConfig, user: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  const current = admin.getCurrentUser();
  if (!cluster || !current) throw new Error("kubeconfig has no current cluster or user");
  const name = `as-${user}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ ...current, name, impersonateUser: user }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  return kc;
}

export interface RawResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const agents = new WeakMap<KubeConfig, Promise<https.Agent>>();

async function agentFor(kc: KubeConfig): Promise<{ agent: https.Agent; headers: Record<string, string> }> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  let agent = agents.get(kc);
  if (!agent) {
    agent = Promise.resolve(new https.Agent({ keepAlive: true, maxSockets: 16, ca: opts.ca, cert: opts.cert, key: opts.key }));
    agents.set(kc, agent);
  }
  return { agent: await agent, headers: (opts.headers ?? {}) as Record<string, string> };
}

/** One JSON request; never throws on an HTTP error status (the caller judges it). */
export async function kubeRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<RawResponse> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error("kubeconfig has no current cluster");
  const { agent, headers } = await agentFor(kc);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, server),
      {
        method,
        agent,
        headers: {
          ...headers,
          accept: "application/json",
          ...(payload ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            parsed = { message: text };
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
    if (payload) req.write(payload);
    req.end();
  });
}

/** Like kubeRequest, but throws unless the status is 2xx. */
export async function kubeOk(kc: KubeConfig, method: string, path: string, body?: unknown, contentType?: string): Promise<Record<string, unknown>> {
  const r = await kubeRequest(kc, method, path, body, contentType);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the API server's JSON message, a string; anything else is shown as it is
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status}: ${String(r.body.message ?? "")}`);
  return r.body;
}

/** Where each kind lives (discovery, cached per client): the only part of the generic client we use. */
class ApplyPaths extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): ApplyPaths {
    const api = kc.makeApiClient(ApplyPaths);
    api.setDefaultNamespace(kc);
    return api;
  }

  path(m: Manifest): Promise<string> {
    return this.specUriPath(structuredClone(m), "patch");
  }
}

const paths = new WeakMap<KubeConfig, ApplyPaths>();

/**
 * Server-side apply of each manifest, in order, as field manager `agent-trust`, taking ownership on conflict. The
 * manifest is sent exactly as given: the generic client would first pass it through its typed models, which drop
 * every field whose TypeScript name differs from the wire name (a NetworkPolicy rule's `from`, a schema's
 * `default` or `x-kubernetes-*`), so the server would store something wider than what was rendered.
 */
export async function applyAll(kc: KubeConfig, manifests: readonly Manifest[]): Promise<void> {
  let api = paths.get(kc);
  if (!api) paths.set(kc, (api = ApplyPaths.forConfig(kc)));
  for (const m of manifests) {
    const where = `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name}`;
    const path = await api.path(m).catch((e: unknown) => {
      throw new Error(`server-side apply of ${where} failed: ${(e as Error).message}`);
    });
    const r = await kubeRequest(kc, "PATCH", `${path}?fieldManager=${FIELD_MANAGER}&force=true`, m, "application/apply-patch+yaml");
    if (r.status < 200 || r.status >= 300)
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the API server's JSON message, a string
      throw new Error(`server-side apply of ${where} failed: HTTP ${r.status}: ${String(r.body.message ?? "")}`);
  }
}
