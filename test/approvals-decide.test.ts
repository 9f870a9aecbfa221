/** `agent-trust approvals approve|deny`, against a fake API server (test/helpers) with an admission refusal. */
import assert from "node:assert/strict";
import { after, beforeEach, describe, test } from "node:test";
import { captureIo } from "../src/cli/io";
import { runApprovals } from "../src/approval/reviewers/cli";
import { fakeServer, kubeconfigFor, NOW, review, type FakeServer } from "./helpers/fake-approvals-server";

const ID = "triage-autonomous-review-aaaaa";
let srv: FakeServer | undefined;
let kubeconfig: string;

beforeEach(async () => {
  await srv?.close();
  srv = await fakeServer([
    review(ID),
    review("triage-autonomous-review-bbbbb", { decision: { verdict: "denied", by: "bob", reason: "no" } }),
    review("triage-autonomous-review-ccccc", { result: { outcome: "abandoned" } }),
    review("triage-autonomous-review-ddddd", { expiresAt: "2026-12-03T09:58:00Z" }),
  ]);
  kubeconfig = kubeconfigFor(srv.url);
});
after(() => srv?.close());

async function run(...args: string[]) {
  const io = captureIo();
  const code = await runApprovals([...args, "--kubeconfig", kubeconfig], io, { now: () => NOW, env: {} });
  return { code, out: io.stdout, err: io.stderr };
}
const puts = () => srv!.seen.filter((s) => s.method === "PUT");
const stored = (name: string) => srv!.store.get(name)!;

describe("approvals approve", () => {
  test("records the username the API server sees, not a name from the kubeconfig, with the fetched resourceVersion", async () => {
    const rv = (stored(ID).metadata as { resourceVersion: string }).resourceVersion;
    const r = await run("approve", ID);
    assert.equal(r.code, 0, r.err.join("\n"));
    assert.deepEqual(stored(ID).decision, { verdict: "approved", by: "alice@example.com" });
    assert.equal(puts().length, 1);
    assert.equal((puts()[0]!.body!.metadata as { resourceVersion: string }).resourceVersion, rv);
    assert.deepEqual(r.out, [`review ${ID} approved by alice@example.com`]);
    assert.doesNotMatch(JSON.stringify(stored(ID)), /kubeconfig-name-not-a-user/);
    // The request is shown before deciding: rule, digest and preview.
    const shown = r.err.join("\n");
    assert.match(shown, /rule delete-deployment/);
    assert.match(shown, /digest:\s+sha256:0f1e2d/);
    assert.match(shown, /\{"kind":"DeleteOptions"\}/);
  });

  test("--as and each --as-group are sent as impersonation headers, and the impersonated user decides", async () => {
    const r = await run("approve", ID, "--as", "carol", "--as-group", "sre", "--as-group", "oncall");
    assert.equal(r.code, 0, r.err.join("\n"));
    assert.equal(srv!.seen.length, 3); // GET, SelfSubjectReview, PUT
    for (const s of srv!.seen) {
      assert.equal(s.headers["impersonate-user"], "carol");
      const groups = s.rawHeaders.filter(
        (_, i) => i % 2 === 0 && s.rawHeaders[i]!.toLowerCase() === "impersonate-group",
      );
      assert.equal(groups.length, 2); // one header per group, as kubectl sends them
      assert.equal(s.headers["impersonate-group"], "sre, oncall");
    }
    assert.deepEqual(stored(ID).decision, { verdict: "approved", by: "carol" });
  });

  test("an already decided review, one with a result and an expired one are refused before anything is sent", async () => {
    const cases = [
      ["triage-autonomous-review-bbbbb", /already decided: denied by bob \(no\); nothing was sent/],
      ["triage-autonomous-review-ccccc", /already has a result: abandoned; nothing was sent/],
      ["triage-autonomous-review-ddddd", /expired at 2026-12-03T09:58:00Z \(2m ago\)/],
    ] as const;
    assert.equal(cases.length, 3);
    for (const [id, message] of cases) {
      const r = await run("approve", id);
      assert.equal(r.code, 1, id);
      assert.match(r.err.join("\n"), message);
    }
    assert.equal(puts().length, 0);
    assert.equal(srv!.seen.filter((s) => s.path.includes("selfsubjectreviews")).length, 0);
  });

  test("the admission policy's 403 is shown verbatim", async () => {
    const refusal =
      "admission webhook denied: ValidatingAdmissionPolicy 'agent-trust-approval-reviews' denied request: decision.by must equal the requesting user \"alice@example.com\"";
    srv!.admission = () => refusal;
    const r = await run("approve", ID);
    assert.equal(r.code, 1);
    assert.equal(r.err.at(-1), `agent-trust: the API server refused the decision on ${ID} (403): ${refusal}`);
    assert.equal(stored(ID).decision, undefined);
  });

  test("a decision made meanwhile (409) is reported with the decision that won", async () => {
    // Someone else decides between our GET and our PUT (while we ask who we are).
    srv!.onRequest = (s) => {
      if (s.path.endsWith("/selfsubjectreviews"))
        srv!.decideBehind(ID, { verdict: "denied", by: "dave", reason: "too risky" });
    };
    const r = await run("approve", ID);
    assert.equal(r.code, 1);
    assert.match(
      r.err.at(-1)!,
      /decided by someone else meanwhile \(denied by dave \(too risky\)\); yours was not recorded/,
    );
    assert.deepEqual(stored(ID).decision, { verdict: "denied", by: "dave", reason: "too risky" });
  });

  test("an unknown review is named", async () => {
    const r = await run("approve", "nope");
    assert.equal(r.code, 1);
    assert.match(r.err.join("\n"), /no approval review "nope" in namespace ai-agents/);
  });
});

describe("approvals deny", () => {
  test("records the verdict, the caller and the reason", async () => {
    const r = await run("deny", ID, "--reason", "scale-down during peak hours");
    assert.equal(r.code, 0, r.err.join("\n"));
    assert.deepEqual(stored(ID).decision, {
      verdict: "denied",
      by: "alice@example.com",
      reason: "scale-down during peak hours",
    });
    assert.deepEqual(r.out, [`review ${ID} denied by alice@example.com (scale-down during peak hours)`]);
  });

  test("needs exactly one ID and a non-empty reason", async () => {
    assert.equal((await run("deny")).code, 2);
    assert.equal((await run("deny", ID, "other")).code, 2);
    assert.equal((await run("deny", ID, "--reason", " ")).code, 2);
    assert.equal(puts().length, 0);
  });
});
