/**
 * A fake Kubernetes API server for the approval proxy's tests (node:http): TokenReview, ApprovalReviews (create,
 * get, list, merge patch and put with resourceVersion conflicts), a Deployment to read, a DELETE that echoes what
 * it received, and a streamed pod log. It records every request it serves.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startApprovalProxy, type ApprovalProxyOptions, type RunningProxy } from "../../src/approval/proxy";
import type { ApprovalReview, ReviewDecision } from "../../src/model/approval";

export const PROXY_TOKEN = "proxy-token";
export const NS = "ai-agents";
export const AGENT_TOKEN = "agent-token";
export const AGENT_USER = `system:serviceaccount:${NS}:triage-remediation`;
export const AGENT_POD = "triage-remediation-inv1-abcde";
export const PERSON_TOKEN = "person-token";

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface Faults {
  createStatus?: number;
  /** A decision an approver sets just after the proxy's next read of a review (a race the proxy must lose). */
  decideAfterGet?: ReviewDecision;
}

export interface FakeKube {
  readonly url: string;
  readonly seen: Seen[];
  readonly reviews: Map<string, ApprovalReview>;
  /** Replica counts of deployments by name (namespace ignored). */
  readonly replicas: Map<string, number>;
  /** Faults to inject: an HTTP status for creating reviews. */
  readonly faults: Faults;
  /** Sets a decision as an approver would. */
  decide(name: string, decision: ReviewDecision): void;
  /** Resolves with the first review created. */
  nextReview(): Promise<ApprovalReview>;
  close(): Promise<void>;
}

const USERS: Record<string, { username: string; extra?: Record<string, string[]> }> = {
  [AGENT_TOKEN]: { username: AGENT_USER, extra: { "authentication.kubernetes.io/pod-name": [AGENT_POD] } },
  [PERSON_TOKEN]: { username: "alice@example.com" },
};

function json(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
}

export async function startFakeKube(): Promise<FakeKube> {
  const seen: Seen[] = [];
  const reviews = new Map<string, ApprovalReview>();
  const replicas = new Map<string, number>([["web", 10]]);
  let rv = 100;
  const faults: Faults = {};
  const waiters: ((r: ApprovalReview) => void)[] = [];
  const bump = (r: ApprovalReview, patch: Partial<ApprovalReview>): ApprovalReview => {
    const next = { ...r, ...patch, metadata: { ...r.metadata, resourceVersion: String(++rv) } } as ApprovalReview;
    reviews.set(r.metadata.name, next);
    return next;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = req.url ?? "";
      seen.push({ method: req.method ?? "", url, headers: req.headers, body });
      const proxyAuth = req.headers.authorization === `Bearer ${PROXY_TOKEN}`;
      if (url === "/apis/authentication.k8s.io/v1/tokenreviews") {
        if (!proxyAuth) return json(res, 401, { kind: "Status", message: "Unauthorized" });
        const token = (JSON.parse(body) as { spec: { token: string } }).spec.token;
        const user = USERS[token];
        return json(res, 201, { kind: "TokenReview", status: user ? { authenticated: true, user } : {} });
      }
      const rm = /^\/apis\/agent-trust\.io\/v1alpha1\/namespaces\/([^/]+)\/approvalreviews(?:\/([^/?]+))?$/.exec(url);
      if (rm) {
        if (!proxyAuth) return json(res, 403, { kind: "Status", message: "forbidden" });
        const name = rm[2];
        const current = name === undefined ? undefined : reviews.get(name);
        if (req.method === "POST") {
          if (faults.createStatus) return json(res, faults.createStatus, { kind: "Status", message: "etcd is down" });
          const r = JSON.parse(body) as ApprovalReview;
          if (reviews.has(r.metadata.name)) return json(res, 409, { kind: "Status", message: "exists" });
          const created = bump(r, {});
          for (const w of waiters.splice(0)) w(created);
          return json(res, 201, created);
        }
        if (req.method === "GET" && name === undefined)
          return json(res, 200, { kind: "ApprovalReviewList", items: [...reviews.values()] });
        if (!current) return json(res, 404, { kind: "Status", message: "not found" });
        if (req.method === "GET") {
          json(res, 200, current);
          if (faults.decideAfterGet) bump(current, { decision: faults.decideAfterGet });
          delete faults.decideAfterGet;
          return;
        }
        if (req.method === "PATCH" || req.method === "PUT") {
          const p = JSON.parse(body) as Partial<ApprovalReview> & { metadata?: { resourceVersion?: string } };
          const want = p.metadata?.resourceVersion;
          if (want !== undefined && want !== current.metadata.resourceVersion)
            return json(res, 409, { kind: "Status", message: "conflict" });
          const { metadata: _m, ...rest } = p;
          return json(res, 200, bump(current, rest));
        }
      }
      const dm = /^\/apis\/apps\/v1\/namespaces\/[^/]+\/deployments\/([^/?]+)(\/scale)?$/.exec(url);
      if (dm && req.method === "GET") {
        const n = replicas.get(dm[1]!);
        return n === undefined
          ? json(res, 404, { kind: "Status", message: "not found" })
          : json(res, 200, { kind: "Deployment", spec: { replicas: n } });
      }
      if (url.includes("/log?follow=true")) {
        res.writeHead(200, { "content-type": "text/plain", "x-fake": "log" });
        res.write("line 1\n");
        setTimeout(() => res.end("line 2\n"), 50);
        return;
      }
      // Anything else: an echo of what arrived, with a status the tests can recognise.
      return json(res, 200, { kind: "Echo", method: req.method, url, authorization: req.headers.authorization, body });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    reviews,
    replicas,
    faults,
    decide: (name, decision) => {
      const r = reviews.get(name);
      if (!r) throw new Error(`no review ${name}`);
      bump(r, { decision });
    },
    nextReview: () => new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A clock whose time moves only when the proxy sleeps: a poll second passes in a few real milliseconds. */
export function fastClock(start = Date.parse("2026-01-01T00:00:00Z")) {
  let now = start;
  return {
    now: () => now,
    sleep: (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const t = setTimeout(() => {
          now += ms;
          done();
        }, 3);
        signal.addEventListener("abort", done, { once: true });
      }),
  };
}

/**
 * The approval proxy in front of `kube` with what every proxy test shares (the proxy's token, the agents
 * namespace, a 600 s hold, a fast clock); `o` overrides any of it.
 */
export function proxyOn(kube: FakeKube, o: Partial<ApprovalProxyOptions> = {}): Promise<RunningProxy> {
  return startApprovalProxy({
    upstream: { server: kube.url, credentials: () => PROXY_TOKEN },
    namespace: NS,
    holdSeconds: 600,
    bounds: { minReplicas: 1, maxStepFactor: 2 },
    clock: fastClock(),
    ...o,
  });
}

/**
 * Waits until `check` holds: up to ten seconds, since a loaded CI machine running four test files on two cores can
 * starve this process for longer than one. The caller's assertion says what did not happen in time.
 */
export async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

/** One request to the proxy, buffered. */
export function request(
  url: string,
  o: { method?: string; path: string; headers?: http.OutgoingHttpHeaders; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { ...o.headers, ...(o.body === undefined ? {} : { "content-length": Buffer.byteLength(o.body) }) };
    const req = http.request(`${url}${o.path}`, { method: o.method ?? "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end(o.body);
  });
}
