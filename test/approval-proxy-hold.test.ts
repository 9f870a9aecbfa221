/**
 * The approval proxy holding requests against a fake API server: approved (carried out as the executor with
 * exactly the impersonation headers and the same body), denied, expired, abandoned, a decision that does not
 * count, drastic and unreadable scales, and the restart sweep that fails reviews nobody holds any more.
 */
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import type { RunningProxy } from "../src/approval/proxy";
import type { ApprovalReview } from "../src/model/approval";
import {
  AGENT_TOKEN,
  AGENT_USER,
  proxyOn,
  NS,
  PROXY_TOKEN,
  request,
  startFakeKube,
  until,
  type FakeKube,
} from "./helpers/fake-kube";

let kube: FakeKube;
let proxy: RunningProxy;
const logs: Record<string, unknown>[] = [];

before(async () => {
  kube = await startFakeKube();
  proxy = await proxyOn(kube, {
    holdSeconds: 60,
    bounds: { minReplicas: 2, maxStepFactor: 2 },
    log: (e) => logs.push({ ...e }),
  });
});
after(async () => {
  await proxy.close();
  await kube.close();
});

const DELETE_PATH = "/apis/apps/v1/namespaces/shop/deployments/web?propagationPolicy=Foreground";
const DELETE_BODY = JSON.stringify({ kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 });
const agentHeaders = { authorization: `Bearer ${AGENT_TOKEN}`, "content-type": "application/json" };

function heldDelete(): Promise<{ status: number; body: string }> {
  return request(proxy.url, { method: "DELETE", path: DELETE_PATH, headers: agentHeaders, body: DELETE_BODY });
}
function statusMessage(body: string): string {
  return (JSON.parse(body) as { kind: string; message: string }).message;
}
const current = (r: ApprovalReview): ApprovalReview => kube.reviews.get(r.metadata.name)!;

test("approved: the review records the request, then it is carried out as the executor with the same body", async () => {
  const created = kube.nextReview();
  const answer = heldDelete();
  const review = await created;
  assert.match(review.metadata.name, /^triage-remediation-review-[a-z0-9]{5}$/);
  assert.equal(review.metadata.labels?.["agent-trust.io/investigation"], "inv1");
  assert.equal(review.spec.requester.username, AGENT_USER);
  assert.equal(review.spec.requester.pod, "triage-remediation-inv1-abcde");
  assert.equal(review.spec.action, "delete-deployment");
  assert.equal(review.spec.request.verb, "delete");
  assert.equal(review.spec.request.name, "web");
  assert.match(review.spec.request.digest, /^sha256:[0-9a-f]{64}$/);
  assert.match(review.spec.request.preview, /gracePeriodSeconds/);
  assert.equal(review.decision, undefined);
  assert.equal(review.result, undefined);
  kube.decide(review.metadata.name, { verdict: "approved", by: "alice@example.com" });
  const r = await answer;
  assert.equal(r.status, 200);
  const carried = kube.seen.filter((s) => s.method === "DELETE" && s.url === DELETE_PATH);
  assert.equal(carried.length, 1);
  const h = carried[0]!.headers;
  assert.equal(h.authorization, `Bearer ${PROXY_TOKEN}`);
  assert.equal(h["impersonate-user"], `system:serviceaccount:${NS}:triage-remediation-executor`);
  assert.equal(h["impersonate-extra-agent-trust.io%2freview"], review.metadata.name);
  assert.equal(h["impersonate-extra-agent-trust.io%2fapprover"], "alice@example.com");
  const impersonation = Object.keys(h).filter((k) => k.startsWith("impersonate-"));
  assert.deepEqual(impersonation.sort(), [
    "impersonate-extra-agent-trust.io%2fapprover",
    "impersonate-extra-agent-trust.io%2freview",
    "impersonate-user",
  ]);
  assert.equal(carried[0]!.body, DELETE_BODY);
  await until(() => current(review).result !== undefined);
  assert.deepEqual(current(review).result, { outcome: "executed", code: 200 });
});

test("denied: 403 naming the review, the rule, the decider and the reason; nothing carried out", async () => {
  const before = kube.seen.filter((s) => s.method === "DELETE").length;
  const created = kube.nextReview();
  const answer = heldDelete();
  const review = await created;
  kube.decide(review.metadata.name, { verdict: "denied", by: "bob@example.com", reason: "not during the sale" });
  const r = await answer;
  assert.equal(r.status, 403);
  const m = statusMessage(r.body);
  assert.ok(m.includes(`${NS}/${review.metadata.name}`), m);
  assert.match(m, /delete-deployment/);
  assert.match(m, /bob@example\.com/);
  assert.match(m, /not during the sale/);
  assert.equal(kube.seen.filter((s) => s.method === "DELETE").length, before);
  await until(() => current(review).result !== undefined);
  assert.equal(current(review).result?.outcome, "refused");
});

test("an approval by a ServiceAccount or by the requester does not count", async () => {
  for (const by of [AGENT_USER, "system:serviceaccount:ai-agents:someone"]) {
    const created = kube.nextReview();
    const answer = heldDelete();
    const review = await created;
    kube.decide(review.metadata.name, { verdict: "approved", by });
    const r = await answer;
    assert.equal(r.status, 403, by);
    await until(() => current(review).result !== undefined);
    assert.equal(current(review).result?.outcome, "failed");
  }
});

test("no decision before expiresAt: result expired and 403 naming the review", async () => {
  const created = kube.nextReview();
  const r = await heldDelete();
  const review = await created;
  assert.equal(r.status, 403);
  assert.ok(statusMessage(r.body).includes(review.metadata.name));
  assert.match(statusMessage(r.body), /expired/);
  assert.equal(current(review).result?.outcome, "expired");
});

test("the agent hangs up while held: result abandoned", async () => {
  const created = kube.nextReview();
  const req = http.request(`${proxy.url}${DELETE_PATH}`, {
    method: "DELETE",
    headers: { ...agentHeaders, "content-length": Buffer.byteLength(DELETE_BODY) },
  });
  req.on("error", () => undefined);
  req.end(DELETE_BODY);
  const review = await created;
  req.destroy();
  await until(() => current(review).result !== undefined);
  assert.equal(current(review).result?.outcome, "abandoned");
});

test("a drastic or unreadable scale-down is held; the review names scale-down", async () => {
  const path = "/apis/apps/v1/namespaces/shop/deployments/web/scale";
  const bodies: [string, string][] = [
    ["application/merge-patch+json", JSON.stringify({ spec: { replicas: 0 } })],
    ["application/json-patch+json", JSON.stringify([{ op: "replace", path: "/spec/replicas", value: 1 }])],
    ["application/apply-patch+yaml", "spec:\n  replicas: 9\n"],
  ];
  assert.equal(bodies.length, 3);
  for (const [type, body] of bodies) {
    const created = kube.nextReview();
    const answer = request(proxy.url, {
      method: "PATCH",
      path,
      headers: { authorization: `Bearer ${AGENT_TOKEN}`, "content-type": type },
      body,
    });
    const review = await created;
    assert.equal(review.spec.action, "scale-down", type);
    assert.equal(review.spec.request.subresource, "scale");
    kube.decide(review.metadata.name, { verdict: "denied", by: "carol@example.com" });
    assert.equal((await answer).status, 403);
  }
});

test("on start, reviews left without a result are marked failed; decided ones are left alone", async () => {
  const kube2 = await startFakeKube();
  const pending = structuredClone([...kube.reviews.values()][0]!);
  const orphan = { ...pending, metadata: { ...pending.metadata, name: "triage-remediation-review-aaaaa" } };
  delete (orphan as { result?: unknown }).result;
  delete (orphan as { decision?: unknown }).decision;
  const done = { ...pending, metadata: { ...pending.metadata, name: "triage-remediation-review-bbbbb" } };
  kube2.reviews.set(orphan.metadata.name, orphan);
  kube2.reviews.set(done.metadata.name, done);
  const p2 = await proxyOn(kube2);
  try {
    assert.equal(kube2.reviews.size, 2);
    assert.deepEqual(kube2.reviews.get(orphan.metadata.name)?.result, {
      outcome: "failed",
      message: "the approval proxy restarted while this request was held",
    });
    assert.deepEqual(kube2.reviews.get(done.metadata.name)?.result, pending.result);
  } finally {
    await p2.close();
    await kube2.close();
  }
});

test("every decision point was logged as one JSON-able line", () => {
  const events = new Set(logs.map((l) => l.event));
  for (const e of ["held", "approved", "result", "scale"]) assert.ok(events.has(e), e);
  for (const l of logs) assert.doesNotThrow(() => JSON.stringify(l));
});
