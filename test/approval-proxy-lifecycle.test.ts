/**
 * The approval proxy's edges: the command's flags (refused before anything starts), stopping while a request is
 * held (its review is marked failed, the agent gets 503), an API server that cannot record a review (503, nothing
 * carried out), and the rule that it never listens beyond loopback without TLS.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { startApprovalProxy } from "../src/approval/proxy";
import { parseListen } from "../src/approval/proxy/cli";
import { captureIo } from "../src/cli/io";
import { main } from "../src/cli/main";
import { AGENT_TOKEN, NS, PROXY_TOKEN, proxyOn, request, startFakeKube, until } from "./helpers/fake-kube";

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

const DELETE = {
  method: "DELETE",
  path: "/apis/apps/v1/namespaces/shop/deployments/web",
  headers: { authorization: `Bearer ${AGENT_TOKEN}` },
};

test("approval-proxy: --help exits 0; bad flags exit 2 before anything starts", async () => {
  const help = await cli("approval-proxy", "--help");
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: agent-trust approval-proxy/);
  const cases: [string[], RegExp][] = [
    [["--definitely-not"], /unknown option --definitely-not/],
    [["--namespace", "Bad_NS"], /--namespace must be a namespace name/],
    [["--namespace", NS, "--listen", "nowhere"], /--listen must be HOST:PORT/],
    [["--namespace", NS, "--tls-cert", "/x"], /--tls-cert and --tls-key go together/],
    [["--namespace", NS, "--kubeconfig", "/x", "--server", "https://k"], /--kubeconfig replaces/],
    [["--namespace", NS, "--server", "https://k", "--token-file", "/nonexistent/token"], /cannot read token file/],
    [["--namespace", NS, "extra"], /takes no arguments/],
  ];
  assert.equal(cases.length, 7);
  for (const [args, message] of cases) {
    const r = await cli("approval-proxy", ...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message, args.join(" "));
  }
  assert.deepEqual(parseListen("[::1]:8443"), { host: "::1", port: 8443 });
  assert.deepEqual(parseListen("0.0.0.0:0"), { host: "0.0.0.0", port: 0 });
});

test("a non-loopback listen address without TLS is refused", async () => {
  await assert.rejects(
    startApprovalProxy({
      listen: { host: "0.0.0.0", port: 0 },
      upstream: { server: "http://127.0.0.1:1", credentials: () => PROXY_TOKEN },
      namespace: NS,
      holdSeconds: 5,
      bounds: { minReplicas: 1, maxStepFactor: 2 },
    }),
    /only with TLS/,
  );
});

test("stopping while a request is held: the review is marked failed and the agent gets 503", async () => {
  const kube = await startFakeKube();
  const proxy = await proxyOn(kube);
  try {
    const created = kube.nextReview();
    const answer = request(proxy.url, DELETE);
    const review = await created;
    await proxy.close();
    const r = await answer;
    assert.equal(r.status, 503);
    assert.match(r.body, /stopped while this request was held/);
    await until(() => kube.reviews.get(review.metadata.name)?.result !== undefined);
    assert.equal(kube.reviews.get(review.metadata.name)?.result?.outcome, "failed");
    assert.equal(kube.seen.filter((s) => s.method === "DELETE").length, 0);
  } finally {
    await proxy.close();
    await kube.close();
  }
});

test("the API server cannot record the review: 503 naming the cause, nothing carried out", async () => {
  const kube = await startFakeKube();
  kube.faults.createStatus = 500;
  const proxy = await proxyOn(kube);
  try {
    const r = await request(proxy.url, DELETE);
    assert.equal(r.status, 503);
    const s = JSON.parse(r.body) as { kind: string; message: string };
    assert.equal(s.kind, "Status");
    assert.match(s.message, /etcd is down/);
    assert.equal(kube.reviews.size, 0);
    assert.equal(kube.seen.filter((x) => x.method === "DELETE").length, 0);
  } finally {
    await proxy.close();
    await kube.close();
  }
});

test("the proxy refuses to start when it cannot list the reviews it must fail closed", async () => {
  await assert.rejects(
    startApprovalProxy({
      upstream: { server: "http://127.0.0.1:1", credentials: () => PROXY_TOKEN },
      namespace: NS,
      holdSeconds: 5,
      bounds: { minReplicas: 1, maxStepFactor: 2 },
    }),
    /cannot start/,
  );
});

test("a decision that lands just before the proxy records expiry wins: the request is carried out", async () => {
  const kube = await startFakeKube();
  let now = Date.parse("2026-01-01T00:00:00Z");
  const proxy = await proxyOn(kube, {
    holdSeconds: 1,
    // One sleep takes the hold past its expiry.
    clock: { now: () => now, sleep: async (ms) => void (now += ms + 1000) },
  });
  try {
    kube.faults.decideAfterGet = { verdict: "approved", by: "alice@example.com" };
    const r = await request(proxy.url, DELETE);
    assert.equal(r.status, 200, r.body);
    assert.equal(kube.reviews.size, 1);
    const review = [...kube.reviews.values()][0]!;
    await until(() => kube.reviews.get(review.metadata.name)?.result !== undefined);
    assert.deepEqual(kube.reviews.get(review.metadata.name)?.result, { outcome: "executed", code: 200 });
    const expiredWrites = kube.seen.filter((s) => s.method === "PATCH" && s.body.includes('"expired"'));
    assert.equal(expiredWrites.length, 1, "the proxy tried to record expiry and lost the race");
  } finally {
    await proxy.close();
    await kube.close();
  }
});
