/**
 * The approval proxy in front of a fake API server, for requests it never holds: pass-through with the caller's
 * own token (streamed, headers kept), callers that are no agent, and what it refuses outright (impersonation
 * headers, upgrades, missing or unknown tokens, odd paths, oversize bodies it would have to hold).
 */
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { after, before, test } from "node:test";
import type { RunningProxy } from "../src/approval/proxy";
import { AGENT_TOKEN, proxyOn, PERSON_TOKEN, request, startFakeKube, type FakeKube } from "./helpers/fake-kube";

let kube: FakeKube;
let proxy: RunningProxy;
const logs: Record<string, unknown>[] = [];

before(async () => {
  kube = await startFakeKube();
  proxy = await proxyOn(kube, {
    holdSeconds: 30,
    bounds: { minReplicas: 2, maxStepFactor: 2 },
    maxBodyBytes: 1000,
    log: (e) => logs.push({ ...e }),
  });
});
after(async () => {
  await proxy.close();
  await kube.close();
});

const agent = { authorization: `Bearer ${AGENT_TOKEN}` };
const upstreamSeen = (path: string) => kube.seen.filter((s) => s.url === path);

test("healthz answers ok without a token", async () => {
  const r = await request(proxy.url, { path: "/healthz" });
  assert.equal(r.status, 200);
  assert.equal(r.body, "ok");
});

test("an agent's safe request passes through with its own token, headers kept", async () => {
  const path = "/api/v1/namespaces/shop/pods/web-1";
  const r = await request(proxy.url, { path, headers: { ...agent, "x-extra": "1" } });
  assert.equal(r.status, 200);
  const echo = JSON.parse(r.body) as { authorization: string; url: string };
  assert.equal(echo.authorization, `Bearer ${AGENT_TOKEN}`);
  assert.equal(echo.url, path);
  const seen = upstreamSeen(path);
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.headers["x-extra"], "1");
  assert.equal(seen[0]!.headers["impersonate-user"], undefined);
});

test("a followed log streams through: the first line arrives before the second is written", async () => {
  const path = "/api/v1/namespaces/shop/pods/web-1/log?follow=true";
  const lines: string[] = [];
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.get(`${proxy.url}${path}`, { headers: agent }, (res) => {
      assert.equal(res.headers["x-fake"], "log");
      res.on("data", (c: Buffer) => lines.push(c.toString()));
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
  assert.equal(status, 200);
  assert.ok(lines.length >= 2, `streamed in ${lines.length} chunk(s)`);
  assert.equal(lines.join(""), "line 1\nline 2\n");
});

test("a caller that is no agent of this namespace passes through untouched, even with an approvable verb", async () => {
  const path = "/apis/apps/v1/namespaces/shop/deployments/web";
  const before = kube.reviews.size;
  const r = await request(proxy.url, { method: "DELETE", path, headers: { authorization: `Bearer ${PERSON_TOKEN}` } });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.body) as { authorization: string }).authorization, `Bearer ${PERSON_TOKEN}`);
  assert.equal(kube.reviews.size, before);
});

test("a gentle scale-down passes through with the agent's token; the proxy read the current count as the agent", async () => {
  const path = "/apis/apps/v1/namespaces/shop/deployments/web/scale";
  const r = await request(proxy.url, {
    method: "PATCH",
    path,
    headers: { ...agent, "content-type": "application/merge-patch+json" },
    body: JSON.stringify({ spec: { replicas: 6 } }),
  });
  assert.equal(r.status, 200);
  const echo = JSON.parse(r.body) as { authorization: string; body: string };
  assert.equal(echo.authorization, `Bearer ${AGENT_TOKEN}`);
  assert.equal(echo.body, JSON.stringify({ spec: { replicas: 6 } }));
  const reads = upstreamSeen("/apis/apps/v1/namespaces/shop/deployments/web").filter((s) => s.method === "GET");
  assert.equal(reads.length, 1);
  assert.equal(reads[0]!.headers.authorization, `Bearer ${AGENT_TOKEN}`);
});

test("Impersonate-* headers from a client are refused with 400", async () => {
  const r = await request(proxy.url, { path: "/api/v1/pods", headers: { ...agent, "Impersonate-User": "admin" } });
  assert.equal(r.status, 400);
  const s = JSON.parse(r.body) as { kind: string; message: string; code: number };
  assert.equal(s.kind, "Status");
  assert.equal(s.code, 400);
  assert.match(s.message, /impersonate-user/);
});

test("a connection upgrade (exec) is refused with 403", async () => {
  const { port } = new URL(proxy.url);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      socket.write(
        "POST /api/v1/namespaces/shop/pods/web-1/exec?command=sh HTTP/1.1\r\nHost: x\r\n" +
          `Authorization: Bearer ${AGENT_TOKEN}\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n`,
      );
    });
    let data = "";
    socket.on("data", (c: Buffer) => (data += c.toString()));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
  });
  assert.match(answer, /^HTTP\/1\.1 403/);
  assert.match(answer, /"kind":"Status"/);
  assert.equal(upstreamSeen("/api/v1/namespaces/shop/pods/web-1/exec?command=sh").length, 0);
});

test("no token, or a token the API server does not know: 401 Status", async () => {
  const none = await request(proxy.url, { path: "/api/v1/pods" });
  assert.equal(none.status, 401);
  const bad = await request(proxy.url, { path: "/api/v1/pods", headers: { authorization: "Bearer nope" } });
  assert.equal(bad.status, 401);
  assert.equal((JSON.parse(bad.body) as { reason: string }).reason, "Unauthorized");
});

test("an odd path is refused with 400 and never reaches the API server", async () => {
  const path = "/apis/apps/v1/namespaces/shop/deployments/x/../web";
  const sock = await new Promise<string>((resolve, reject) => {
    // Raw, so no client normalises the path.
    const { port } = new URL(proxy.url);
    const s = net.connect(Number(port), "127.0.0.1", () =>
      s.write(
        `DELETE ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${AGENT_TOKEN}\r\nConnection: close\r\n\r\n`,
      ),
    );
    let data = "";
    s.on("data", (c: Buffer) => (data += c.toString()));
    s.on("end", () => resolve(data));
    s.on("error", reject);
  });
  assert.match(sock, /^HTTP\/1\.1 400/);
  assert.equal(upstreamSeen(path).length, 0);
});

test("an approvable request larger than maxBodyBytes gets 413 and no review", async () => {
  const before = kube.reviews.size;
  const r = await request(proxy.url, {
    method: "DELETE",
    path: "/apis/apps/v1/namespaces/shop/deployments/web",
    headers: { ...agent, "content-type": "application/json" },
    body: JSON.stringify({ kind: "DeleteOptions", pad: "z".repeat(2000) }),
  });
  assert.equal(r.status, 413, r.body);
  assert.equal(kube.reviews.size, before);
});
