/** `agent-trust approvals list` and the shared options, against a fake API server (test/helpers). */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { captureIo } from "../src/cli/io";
import { main } from "../src/cli/main";
import { runApprovals } from "../src/approval/reviewers/cli";
import { duration, printable, readReview } from "../src/approval/reviewers/reviews";
import { asReview, fakeServer, kubeconfigFor, NOW, review, type FakeServer } from "./helpers/fake-approvals-server";

let srv: FakeServer;
let kubeconfig: string;
before(async () => {
  srv = await fakeServer([
    review("triage-autonomous-review-aaaaa", { created: "2026-12-03T09:50:00Z" }),
    review("triage-autonomous-review-bbbbb", { decision: { verdict: "approved", by: "bob" } }),
    review("triage-autonomous-review-ccccc", { result: { outcome: "executed", code: 200 } }),
    review("triage-autonomous-review-ddddd", { expiresAt: "2026-12-03T09:59:00Z" }),
    { apiVersion: "agent-trust.io/v1alpha1", kind: "ApprovalReview", metadata: { name: "broken", namespace: "x" } },
  ]);
  kubeconfig = kubeconfigFor(srv.url);
});
after(() => srv.close());

async function run(...args: string[]) {
  const io = captureIo();
  const code = await runApprovals([...args, "--kubeconfig", kubeconfig], io, { now: () => NOW, env: {} });
  return { code, out: io.stdout, err: io.stderr };
}

describe("approvals list", () => {
  test("shows only pending reviews by default, as a table with every column", async () => {
    const r = await run("list");
    assert.equal(r.code, 0, r.err.join("\n"));
    assert.equal(r.out.length, 3); // header, rule, one pending review
    assert.match(
      r.out[0]!,
      /^ID\s+AGENT\s+PHASE\s+INVESTIGATION\s+VERB\s+RESOURCE\s+OBJECT\s+ACTION\s+AGE\s+EXPIRES-IN\s+STATE$/,
    );
    const cells = r.out[2]!.split(/\s+/);
    assert.deepEqual(cells, [
      "triage-autonomous-review-aaaaa",
      "triage",
      "autonomous",
      "inv-1",
      "delete",
      "deployments.apps",
      "shop/web",
      "delete-deployment",
      "10m",
      "10m",
      "pending",
    ]);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0]!, /skipped a malformed approval review: broken: spec missing/);
  });

  test("--all shows every well-formed review with its state", async () => {
    const r = await run("list", "--all");
    assert.equal(r.code, 0);
    assert.equal(r.out.length, 6);
    const states = r.out.slice(2).map((l) => l.split(/\s{2,}/).at(-1));
    assert.deepEqual(states.sort(), ["approved", "executed 200", "expired", "pending"]);
  });

  test("--format json prints the review objects with the documented fields", async () => {
    const r = await run("list", "--all", "--format", "json");
    assert.equal(r.code, 0);
    const items = JSON.parse(r.out.join("\n")) as Record<string, unknown>[];
    assert.equal(items.length, 4);
    for (const item of items)
      assert.deepEqual(
        Object.keys(item).filter((k) => !["decision", "result"].includes(k)),
        ["apiVersion", "kind", "metadata", "spec", "state"],
      );
    const decided = items.find((i) => i.state === "approved");
    assert.deepEqual(decided?.decision, { verdict: "approved", by: "bob" });
    assert.ok(items.every((i) => typeof (i.metadata as { resourceVersion?: string }).resourceVersion === "string"));
  });

  test("bad input is refused with exit 2", async () => {
    assert.equal((await run("list", "--format", "yaml")).code, 2);
    assert.equal((await run("list", "extra")).code, 2);
    assert.equal((await run("frobnicate")).code, 2);
    const groupsAlone = await run("list", "--as-group", "ops");
    assert.equal(groupsAlone.code, 1);
    assert.match(groupsAlone.err.join("\n"), /--as-group needs --as USER/);
  });

  test("no kubeconfig is refused, never a guessed server", async () => {
    const io = captureIo();
    const code = await runApprovals(["list"], io, { env: {}, home: "/nonexistent-home" });
    assert.equal(code, 1);
    assert.match(io.stderr.join("\n"), /no kubeconfig at \/nonexistent-home\/\.kube\/config/);
  });

  test("KUBECONFIG's files are merged as kubectl merges them (first wins), and --context must exist", async () => {
    const io = captureIo();
    const shadowed = kubeconfigFor("http://127.0.0.1:1", "tok-admin");
    const env = { KUBECONFIG: [kubeconfig, "/nonexistent/config", shadowed].join(path.delimiter) };
    assert.equal(await runApprovals(["list"], io, { env, now: () => NOW }), 0, io.stderr.join("\n"));
    assert.equal(io.stdout.length, 3);
    const bad = captureIo();
    const code = await runApprovals(["list", "--context", "nope"], bad, { env: { KUBECONFIG: kubeconfig } });
    assert.equal(code, 1);
    assert.match(bad.stderr.join("\n"), /no context "nope" \(contexts: fake\)/);
  });

  test("every subcommand has --help, and approvals is a registered command", async () => {
    for (const sub of ["list", "approve", "deny", "log"]) {
      const io = captureIo();
      assert.equal(await runApprovals([sub, "--help"], io), 0);
      assert.match(io.stdout.join("\n"), new RegExp(`^Usage: agent-trust approvals ${sub}`));
    }
    const io = captureIo();
    assert.equal(await main(["approvals", "--help"], io), 0);
    assert.match(io.stdout.join("\n"), /list\s+the reviews waiting/);
  });
});

describe("reviewer text helpers", () => {
  test("durations read as kubectl's", () => {
    assert.deepEqual([5_000, 125_000, 3_600_000 * 3 + 60_000 * 20, 86_400_000 * 2].map(duration), [
      "5s",
      "2m5s",
      "3h20m",
      "2d",
    ]);
  });
  test("control characters from the cluster are shown escaped, never sent to the terminal", () => {
    assert.equal(printable("a\u001b[2Jb\rc"), "a\\u{1b}[2Jb\\u{d}c");
    assert.equal(printable("x\ny", true), "x\ny");
    assert.equal(printable("x\ny"), "x\\u{a}y");
  });
  test("a review with a field of the wrong type is refused by name, never shown", () => {
    const good = review("r-1");
    assert.deepEqual(readReview(good), asReview(good));
    const bad = [
      { ...good, kind: "Pod" },
      { ...good, metadata: { name: "r-1", namespace: "ns", creationTimestamp: 5 } },
      { ...good, decision: { verdict: "approved", by: "x", reason: { not: "text" } } },
      { ...good, decision: { verdict: "maybe", by: "x" } },
      { ...good, result: { outcome: "executed", code: "200" } },
      { ...good, spec: { ...(good.spec as object), expiresAt: "soon" } },
    ];
    assert.equal(bad.length, 6);
    for (const b of bad) assert.equal(typeof readReview(b), "string", JSON.stringify(b).slice(0, 80));
  });
});
