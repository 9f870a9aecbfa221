/**
 * A fake API server (node:http) for the reviewers' commands: approvalreviews list/get/put with resourceVersion
 * conflicts, SelfSubjectReview honouring Impersonate-User/Group, a chosen admission refusal (403 Status), and a
 * record of every request with its headers. Plus review samples and a kubeconfig pointing at the server.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { ApprovalReview } from "../../src/model/approval";
import { tempDir } from "./tmp";

export const NS = "ai-agents";
export const NOW = new Date("2026-12-03T10:00:00Z");
const BASE = `/apis/agent-trust.io/v1alpha1/namespaces/${NS}/approvalreviews`;

type Json = Record<string, unknown>;

export function review(
  name: string,
  o: {
    investigation?: string;
    created?: string;
    expiresAt?: string;
    decision?: Json;
    result?: Json;
    label?: string;
  } = {},
): Json {
  const investigation = o.investigation ?? "inv-1";
  return {
    apiVersion: "agent-trust.io/v1alpha1",
    kind: "ApprovalReview",
    metadata: {
      name,
      namespace: NS,
      labels: { "agent-trust.io/investigation": o.label ?? investigation },
      creationTimestamp: o.created ?? "2026-12-03T09:55:00Z",
    },
    spec: {
      requester: {
        username: `system:serviceaccount:${NS}:triage-autonomous`,
        agent: "triage",
        phase: "autonomous",
        pod: `triage-autonomous-${investigation}-abcde`,
        investigation,
      },
      request: {
        verb: "delete",
        apiGroup: "apps",
        resource: "deployments",
        subresource: "",
        namespace: "shop",
        name: "web",
        digest: "sha256:0f1e2d",
        preview: '{"kind":"DeleteOptions"}',
      },
      action: "delete-deployment",
      expiresAt: o.expiresAt ?? "2026-12-03T10:10:00Z",
    },
    ...(o.decision ? { decision: o.decision } : {}),
    ...(o.result ? { result: o.result } : {}),
  };
}

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body?: Json;
}

export interface FakeServer {
  readonly url: string;
  readonly seen: Seen[];
  readonly store: Map<string, Json>;
  /** A refusal the admission policy would give for this update (403), or undefined to accept it. */
  admission: (old: Json, next: Json, user: string) => string | undefined;
  /** Called with each request as it arrives, before it is answered. */
  onRequest: (s: Seen) => void;
  /** Bump a review's resourceVersion behind the client's back (someone else decided). */
  decideBehind(name: string, decision: Json): void;
  close(): Promise<void>;
}

const TOKENS: Record<string, string> = { "tok-alice": "alice@example.com", "tok-admin": "kubernetes-admin" };

export async function fakeServer(reviews: Json[]): Promise<FakeServer> {
  const store = new Map<string, Json>();
  let rv = 100;
  const put = (o: Json) => {
    const meta = o.metadata as Json;
    store.set(meta.name as string, { ...o, metadata: { ...meta, resourceVersion: String(++rv) } });
  };
  reviews.forEach(put);
  const seen: Seen[] = [];
  const server: FakeServer = {
    url: "",
    seen,
    store,
    admission: () => undefined,
    onRequest: () => undefined,
    decideBehind: (name, decision) => put({ ...store.get(name)!, decision }),
    close: () => new Promise((r) => h.close(() => r())),
  };
  const send = (res: http.ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const status = (code: number, reason: string, message: string) => ({
    kind: "Status",
    apiVersion: "v1",
    status: "Failure",
    message,
    reason,
    code,
  });
  const h = http.createServer((req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => {
      const body = text ? (JSON.parse(text) as Json) : undefined;
      const url = new URL(req.url ?? "/", "http://x");
      const one = { method: req.method ?? "", path: url.pathname, headers: req.headers, rawHeaders: req.rawHeaders };
      seen.push({ ...one, ...(body ? { body } : {}) });
      server.onRequest(seen.at(-1)!);
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      const authn = TOKENS[token];
      if (!authn) return send(res, 401, status(401, "Unauthorized", "Unauthorized"));
      const as = req.headers["impersonate-user"];
      const user = typeof as === "string" ? as : authn;
      if (req.method === "POST" && url.pathname === "/apis/authentication.k8s.io/v1/selfsubjectreviews") {
        const groups = req.headers["impersonate-group"];
        return send(res, 201, {
          apiVersion: "authentication.k8s.io/v1",
          kind: "SelfSubjectReview",
          status: { userInfo: { username: user, groups: [groups ?? "system:authenticated"].flat() } },
        });
      }
      if (req.method === "GET" && url.pathname === BASE)
        return send(res, 200, { kind: "ApprovalReviewList", metadata: {}, items: [...store.values()] });
      const name = url.pathname.startsWith(`${BASE}/`) ? decodeURIComponent(url.pathname.slice(BASE.length + 1)) : "";
      const current = store.get(name);
      if (!current) return send(res, 404, status(404, "NotFound", `approvalreviews "${name}" not found`));
      if (req.method === "GET") return send(res, 200, current);
      if (req.method !== "PUT" || !body) return send(res, 405, status(405, "MethodNotAllowed", "no"));
      const had = (current.metadata as Json).resourceVersion;
      if ((body.metadata as Json).resourceVersion !== had)
        return send(
          res,
          409,
          status(
            409,
            "Conflict",
            `Operation cannot be fulfilled on approvalreviews "${name}": the object has been modified`,
          ),
        );
      const refused = server.admission(current, body, user);
      if (refused) return send(res, 403, status(403, "Forbidden", refused));
      put(body);
      return send(res, 200, store.get(name));
    });
  });
  await new Promise<void>((r) => h.listen(0, "127.0.0.1", () => r()));
  const port = (h.address() as { port: number }).port;
  return Object.assign(server, { url: `http://127.0.0.1:${port}` });
}

/** A kubeconfig for the fake server whose user entry is named unlike any username the server knows. */
export function kubeconfigFor(url: string, token = "tok-alice"): string {
  const dir = tempDir("approvals-");
  const file = path.join(dir, "config");
  fs.writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "fake", cluster: { server: url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "kubeconfig-name-not-a-user", user: { token } }],
      contexts: [{ name: "fake", context: { cluster: "fake", user: "kubeconfig-name-not-a-user" } }],
      "current-context": "fake",
    }),
  );
  return file;
}

export const asReview = (o: Json): ApprovalReview => o as unknown as ApprovalReview;
