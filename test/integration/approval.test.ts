/**
 * The approval path against a real API server with the dev stacks deployed (foundation with the approval proxy,
 * admission policies and the ApprovalReview CRD; the remediation agents with their executors): the proxy runs
 * in-process as the foundation's proxy identity; the agent calls it with a token bound to an investigation pod;
 * reviewers decide with `agent-trust approvals` as the configured group, the agent and the executor may not.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { RunningProxy } from "../../src/approval/proxy";
import { runApprovals } from "../../src/approval/reviewers/cli";
import { captureIo } from "../../src/cli/io";
import { executorUsername } from "../../src/model/naming";
import { startSandboxProxy, tokenClient, tokenKubeconfigYaml } from "../../src/sandbox/deploy/approval";
import { deployKubernetes } from "../../src/sandbox/deploy/deploy-kube";
import { startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";
import { applyAll, impersonating, kubeRequest, tokenKubeConfig } from "../../src/sandbox/servers/kube";
import { deployment } from "../../src/sandbox/verify/admission-fixtures";
import { investigationToken } from "../../src/sandbox/verify/verify-audit";

let sb: Sandbox;
let proxy: RunningProxy;
let shortProxy: RunningProxy;
let token: string;
let agentKubeconfig: string;
const log = (l: string) => process.stderr.write(`${l}\n`);
const APPROVER = ["--as", "alice@example.com", "--as-group", "agent-trust-approvers"];
const AGENT = "diagnostic";

/** One request through `base` (the proxy) as the agent, trusting the sandbox CA. */
function call(base: string, method: string, uri: string, bearer: string) {
  return kubeRequest(tokenClient(base, fs.readFileSync(sb.pki.caCert, "utf8"), bearer, "agent"), method, uri);
}

async function approvals(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runApprovals(args, io, { env: {} });
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

interface Listed {
  metadata: { name: string };
  spec: { requester: { username: string; pod: string; investigation: string }; request: Record<string, string> };
  spec_action?: string;
  state: string;
}

/** Polls `approvals list` as the approver until a pending review for `name` appears. */
async function pendingFor(name: string): Promise<Listed & { spec: { action: string } }> {
  for (let i = 0; i < 100; i++) {
    const r = await approvals(["list", "--format", "json", "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    assert.equal(r.code, 0, r.err);
    const hit = (JSON.parse(r.out) as (Listed & { spec: { action: string } })[]).find(
      (x) => x.spec.request.name === name,
    );
    if (hit) return hit;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no pending review for ${name}`);
}

const deploymentPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const exists = async (ns: string, name: string) => (await kubeRequest(sb.kc, "GET", deploymentPath(ns, name))).status;

describe("approval: a person on the irreversible actions, checked by the API server", { timeout: 600_000 }, () => {
  before(async () => {
    sb = await startSandbox({ build: true, log });
    await deployKubernetes(sb.kc, sb.env, 600);
    await applyAll(sb.kc, [
      deployment("payments-api", "payments", 2),
      deployment("checkout-web", "checkout", 2),
      deployment("payments-api", "checkout", 2),
    ]);
    proxy = await startSandboxProxy(sb, { holdSeconds: 60, log: (e) => log(`proxy: ${JSON.stringify(e)}`) });
    shortProxy = await startSandboxProxy(sb, { holdSeconds: 2 });
    ({ token } = await investigationToken(sb.kc, sb.env, "remediation", AGENT, "inc-approval"));
    agentKubeconfig = path.join(sb.dir, "agent.kubeconfig");
    const caPem = fs.readFileSync(sb.pki.caCert, "utf8");
    fs.writeFileSync(agentKubeconfig, tokenKubeconfigYaml({ server: proxy.url, caPem, token, name: "agent" }));
  });
  after(async () => {
    await proxy?.close();
    await shortProxy?.close();
    await sb?.stop();
  });

  test("held, listed, refused to the agent, approved by a person, carried out as the executor", async () => {
    const deleting = call(proxy.url, "DELETE", deploymentPath("payments", "payments-api"), token);
    const review = await pendingFor("payments-api");
    assert.equal(review.spec.action, "delete-deployment");
    assert.equal(review.spec.requester.username, `system:serviceaccount:ai-agents:${AGENT}-remediation`);
    assert.match(review.spec.requester.pod, /inc-approval/);
    assert.equal(review.spec.requester.investigation, "inc-approval");
    assert.equal(review.spec.request.verb, "delete");
    assert.equal(review.spec.request.namespace, "payments");
    assert.equal(await exists("payments", "payments-api"), 200, "held: nothing done yet");
    // The agent approving its own request, through the proxy with its own token: the API server refuses it.
    const self = await approvals(["approve", review.metadata.name, "--kubeconfig", agentKubeconfig, "--reason", "me"]);
    assert.notEqual(self.code, 0, self.out);
    assert.match(self.err, /forbidden|Forbidden|403/);
    // A person of the approvers group approves.
    const ok = await approvals(["approve", review.metadata.name, "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    assert.equal(ok.code, 0, ok.err);
    const answer = await deleting;
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(await exists("payments", "payments-api"), 404, "carried out");
    // Decided once: a second decision is refused.
    const again = await approvals(["deny", review.metadata.name, "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    assert.notEqual(again.code, 0);
    // One timeline: the review (held, approved by whom, executed) joined with the API server's audit events,
    // among them the executor's delete carrying the review and the approver as user extras.
    await new Promise((r) => setTimeout(r, 1500)); // the audit log is written asynchronously
    const log = await approvals([
      ...["log", "--investigation", "inc-approval", "--audit-log", sb.auditLog, "--format", "json"],
      ...["--kubeconfig", sb.kubeconfig, ...APPROVER],
    ]);
    assert.equal(log.code, 0, log.err);
    const lines = (
      JSON.parse(log.out) as { event: string; actor: string; detail: string; review: string; source: string }[]
    ).filter((l) => l.review === review.metadata.name);
    const events = lines.map((l) => l.event);
    assert.ok(events.includes("held"), events.join(", "));
    assert.ok(
      lines.some((l) => l.event === "approved" && /alice@example\.com/.test(l.actor)),
      JSON.stringify(lines),
    );
    assert.ok(events.includes("executed"), events.join(", "));
    const executorDelete = lines.find((l) => l.source === "audit" && l.event === "audit delete");
    assert.ok(executorDelete, `no audit event of the executor's delete: ${JSON.stringify(lines)}`);
    assert.match(executorDelete.actor, /-remediation-executor/);
  });

  test("denied: 403 naming the review, and nothing changes", async () => {
    const deleting = call(proxy.url, "DELETE", deploymentPath("checkout", "checkout-web"), token);
    const review = await pendingFor("checkout-web");
    const no = await approvals(["deny", review.metadata.name, "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    assert.equal(no.code, 0, no.err);
    const answer = await deleting;
    assert.equal(answer.status, 403);
    assert.match(String(answer.body.message), new RegExp(review.metadata.name));
    assert.equal(await exists("checkout", "checkout-web"), 200);
  });

  test("expired: the agent is refused when the hold ends, and the review can no longer be approved", async () => {
    const answer = await call(shortProxy.url, "DELETE", deploymentPath("checkout", "payments-api"), token);
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.match(String(answer.body.message), /expired|no decision/i);
    const all = await approvals(["list", "--all", "--format", "json", "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    const expired = (JSON.parse(all.out) as Listed[]).find(
      (r) => r.spec.request.name === "payments-api" && r.spec.request.namespace === "checkout",
    );
    assert.ok(expired, all.out);
    const late = await approvals(["approve", expired.metadata.name, "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    assert.notEqual(late.code, 0);
    assert.equal(await exists("checkout", "payments-api"), 200);
  });

  test("the proxy stopping while a request is held: the agent is refused, the review says failed, nothing changes", async () => {
    await applyAll(sb.kc, [deployment("payments-api", "payments", 2)]); // the first test deleted it
    const doomed = await startSandboxProxy(sb, { holdSeconds: 60 });
    const asked = call(doomed.url, "DELETE", deploymentPath("payments", "payments-api"), token);
    const review = await pendingFor("payments-api");
    await doomed.close();
    const answer = await asked;
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.match(String(answer.body.message), new RegExp(review.metadata.name));
    const all = await approvals(["list", "--all", "--format", "json", "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    const after = (JSON.parse(all.out) as Listed[]).find((r) => r.metadata.name === review.metadata.name);
    assert.equal(after?.state, "failed", all.out);
    const late = await approvals(["approve", review.metadata.name, "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    assert.notEqual(late.code, 0);
    assert.equal(await exists("payments", "payments-api"), 200);
  });

  test("a watch through the proxy streams as the agent: events arrive while the watch is open, then it ends", async () => {
    const caPem = fs.readFileSync(sb.pki.caCert, "utf8");
    const uri = "/api/v1/namespaces/payments/events?watch=1&timeoutSeconds=8";
    const lines: { type: string; object: { metadata: { name: string } } }[] = [];
    let seenWhileOpen = false;
    const ended = new Promise<number>((resolve, reject) => {
      const req = https.request(new URL(uri, proxy.url), { ca: caPem, headers: { authorization: `Bearer ${token}` } });
      req.on("response", (res) => {
        let buf = "";
        res.on("data", (c: Buffer) => {
          buf += c.toString("utf8");
          for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
            lines.push(JSON.parse(buf.slice(0, i)) as (typeof lines)[number]);
            buf = buf.slice(i + 1);
            if (lines.some((l) => l.object.metadata.name === "watched")) seenWhileOpen = true;
          }
        });
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
    await new Promise((r) => setTimeout(r, 1000)); // the watch is open at the API server
    const event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: "watched", namespace: "payments" },
      involvedObject: { kind: "Deployment", name: "payments-api", namespace: "payments" },
      reason: "Test",
      message: "seen through the proxy",
    };
    assert.equal((await kubeRequest(sb.kc, "POST", "/api/v1/namespaces/payments/events", event)).status, 201);
    for (let i = 0; i < 50 && !seenWhileOpen; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(seenWhileOpen, `the event did not arrive while the watch was open: ${JSON.stringify(lines)}`);
    assert.equal(await ended, 200, "the watch ends when the API server ends it");
    assert.ok(lines.some((l) => l.type === "ADDED" && l.object.metadata.name === "watched"));
  });

  test("the agent hangs up while held: the review says abandoned, a late approval is refused, nothing changes", async () => {
    const req = https.request(new URL(deploymentPath("checkout", "checkout-web"), proxy.url), {
      method: "DELETE",
      ca: fs.readFileSync(sb.pki.caCert, "utf8"),
      headers: { authorization: `Bearer ${token}` },
    });
    req.on("error", () => undefined);
    req.end();
    const review = await pendingFor("checkout-web");
    req.destroy();
    let state = "";
    for (let i = 0; i < 100 && state !== "abandoned"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const all = await approvals(["list", "--all", "--format", "json", "--kubeconfig", sb.kubeconfig, ...APPROVER]);
      state = (JSON.parse(all.out) as Listed[]).find((r) => r.metadata.name === review.metadata.name)?.state ?? "";
    }
    assert.equal(state, "abandoned");
    const late = await approvals(["approve", review.metadata.name, "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    assert.notEqual(late.code, 0);
    assert.match(late.err, /already has a result/);
    assert.equal(await exists("checkout", "checkout-web"), 200);
  });

  test("an oversized request is refused with 413 before anything is recorded or forwarded", async () => {
    const before = await approvals(["list", "--all", "--format", "json", "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    const count = (JSON.parse(before.out) as Listed[]).length;
    const big = { kind: "DeleteOptions", apiVersion: "v1", padding: "x".repeat(4 * 1024 * 1024) };
    const r = await kubeRequest(
      tokenClient(proxy.url, fs.readFileSync(sb.pki.caCert, "utf8"), token, "agent"),
      "DELETE",
      deploymentPath("checkout", "checkout-web"),
      big,
    );
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.match(String(r.body.message), /larger than/);
    const after = await approvals(["list", "--all", "--format", "json", "--kubeconfig", sb.kubeconfig, ...APPROVER]);
    assert.equal((JSON.parse(after.out) as Listed[]).length, count, "no review recorded");
    assert.equal(await exists("checkout", "checkout-web"), 200);
  });

  test("the same delete sent straight to the API server is refused", async () => {
    const direct = await kubeRequest(
      tokenKubeConfig(sb.kc, token),
      "DELETE",
      deploymentPath("checkout", "checkout-web"),
    );
    assert.equal(direct.status, 403);
    assert.equal(await exists("checkout", "checkout-web"), 200);
  });

  test("the executor identity without an approval is refused by admission, even to the administrator", async () => {
    const executor = executorUsername(sb.env.namespace, AGENT, "remediation");
    const r = await kubeRequest(impersonating(sb.kc, executor), "DELETE", deploymentPath("checkout", "checkout-web"));
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.match(String(r.body.message), /admission-executor-needs-approval/);
    const minted = await kubeRequest(
      sb.kc,
      "POST",
      `/api/v1/namespaces/${sb.env.namespace}/serviceaccounts/${executor.split(":").pop()}/token`,
      { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 600 } },
    );
    assert.equal(minted.status, 403, JSON.stringify(minted.body));
    assert.match(String(minted.body.message), /admission-executor-no-credentials/);
    assert.equal(await exists("checkout", "checkout-web"), 200);
  });
});
