/** `agent-trust approvals log`: the timeline joined from reviews and an audit log fixture (torn and hostile lines). */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { captureIo } from "../src/cli/io";
import { runApprovals } from "../src/approval/reviewers/cli";
import { MAX_LINE_BYTES, readAuditFile, type AuditEntry, type SkippedLine } from "../src/approval/reviewers/audit";
import type { TimelineLine } from "../src/approval/reviewers/timeline";
import { fakeServer, kubeconfigFor, NOW, NS, review, type FakeServer } from "./helpers/fake-approvals-server";
import { tempDir } from "./helpers/tmp";

const A = "triage-autonomous-review-aaaaa";
const B = "triage-autonomous-review-bbbbb";
const C = "triage-autonomous-review-ccccc";
const PROXY = `system:serviceaccount:${NS}:agent-trust-approval-proxy`;
const EXECUTOR = `system:serviceaccount:${NS}:triage-autonomous-executor`;

function withFields(o: Record<string, unknown>, fields: [string, string][]): Record<string, unknown> {
  const managedFields = fields.map(([time, field]) => ({ manager: "m", time, fieldsV1: { [field]: {} } }));
  return { ...o, metadata: { ...(o.metadata as object), managedFields } };
}

function event(o: Record<string, unknown>): string {
  return JSON.stringify({ kind: "Event", apiVersion: "audit.k8s.io/v1", stage: "ResponseComplete", ...o });
}
const reviewRef = (name?: string) => ({
  apiGroup: "agent-trust.io",
  resource: "approvalreviews",
  namespace: NS,
  ...(name ? { name } : {}),
});

const AUDIT = [
  event({
    stageTimestamp: "2026-12-03T09:50:00.100000Z",
    verb: "create",
    user: { username: PROXY },
    objectRef: reviewRef(),
    responseObject: { metadata: { name: A } },
    responseStatus: { code: 201 },
  }),
  event({
    stage: "RequestReceived",
    stageTimestamp: "2026-12-03T09:50:00.000000Z",
    verb: "create",
    objectRef: reviewRef(A),
  }),
  '{"kind":"Event","apiVersion":"audit.k8s.io/v1","stageTim',
  event({
    stageTimestamp: "2026-12-03T09:52:00.200000Z",
    verb: "update",
    user: { username: "alice@example.com" },
    objectRef: reviewRef(A),
    responseStatus: { code: 200 },
  }),
  event({
    stageTimestamp: "2026-12-03T09:52:00.500000Z",
    verb: "delete",
    requestURI: "/apis/apps/v1/namespaces/shop/deployments/web",
    user: { username: PROXY },
    impersonatedUser: {
      username: EXECUTOR,
      extra: { "agent-trust.io/review": [A], "agent-trust.io/approver": ["alice@example.com"] },
    },
    objectRef: { apiGroup: "apps", resource: "deployments", namespace: "shop", name: "web" },
    responseStatus: { code: 200 },
  }),
  event({ stageTimestamp: "\u001b[31mred" }),
  "[1,2]",
  event({ stageTimestamp: "2026-12-03T09:51:00Z", verb: "list", requestURI: "/api/v1/pods", user: { username: "x" } }),
  event({
    stageTimestamp: "2026-12-03T09:41:00Z",
    verb: "update",
    user: { username: "bob" },
    objectRef: reviewRef(B),
    responseStatus: { code: 200 },
  }),
  '{"kind":"Event"', // the last line, cut mid-write: no newline follows
].join("\n");

let srv: FakeServer;
let kubeconfig: string;
let auditFile: string;
before(async () => {
  srv = await fakeServer([
    withFields(
      review(A, {
        created: "2026-12-03T09:50:00Z",
        decision: { verdict: "approved", by: "alice@example.com", reason: "planned cleanup" },
        result: { outcome: "executed", code: 200 },
      }),
      [
        ["2026-12-03T09:52:00Z", "f:decision"],
        ["2026-12-03T09:52:01Z", "f:result"],
      ],
    ),
    review(B, {
      investigation: "inv-2",
      created: "2026-12-03T09:40:00Z",
      decision: { verdict: "denied", by: "bob" },
      result: { outcome: "refused" },
    }),
    review(C, { created: "2026-12-03T09:35:00Z", expiresAt: "2026-12-03T09:45:00Z", label: "inv-1" }),
  ]);
  kubeconfig = kubeconfigFor(srv.url);
  auditFile = path.join(tempDir("approvals-log-"), "audit.log");
  fs.writeFileSync(auditFile, AUDIT);
});
after(() => srv.close());

async function run(...args: string[]) {
  const io = captureIo();
  const code = await runApprovals([...args, "--kubeconfig", kubeconfig], io, { now: () => NOW, env: {} });
  return { code, out: io.stdout, err: io.stderr };
}

describe("approvals log", () => {
  test("joins one investigation's reviews and their audit events, oldest first", async () => {
    const r = await run("log", "--investigation", "inv-1", "--audit-log", auditFile, "--format", "json");
    assert.equal(r.code, 0, r.err.join("\n"));
    const lines = JSON.parse(r.out.join("\n")) as TimelineLine[];
    assert.equal(lines.length, 8);
    assert.deepEqual(
      lines.map((l) => [l.time, l.actor, l.event, l.review]),
      [
        ["2026-12-03T09:35:00Z", "system:serviceaccount:ai-agents:triage-autonomous", "held", C],
        ["2026-12-03T09:45:00Z", "-", "expired", C],
        ["2026-12-03T09:50:00Z", "system:serviceaccount:ai-agents:triage-autonomous", "held", A],
        ["2026-12-03T09:50:00.100000Z", PROXY, "audit create review", A],
        ["2026-12-03T09:52:00Z", "alice@example.com", "approved", A],
        ["2026-12-03T09:52:00.200000Z", "alice@example.com", "audit update review", A],
        ["2026-12-03T09:52:00.500000Z", EXECUTOR, "audit delete", A],
        ["2026-12-03T09:52:01Z", PROXY, "executed", A],
      ],
    );
    assert.match(lines[2]!.detail, /delete deployments\.apps shop\/web by rule delete-deployment/);
    assert.match(lines[4]!.detail, /planned cleanup/);
    assert.match(
      lines[6]!.detail,
      /deployments\/web → HTTP 200; review .*aaaaa, approver alice@example.com \(via .*approval-proxy\)/,
    );
    assert.deepEqual(r.err, [
      `agent-trust: ${auditFile}:3: skipped: not JSON (torn or corrupt line)`,
      `agent-trust: ${auditFile}:6: skipped: no valid stageTimestamp`,
      `agent-trust: ${auditFile}:7: skipped: not an audit.k8s.io Event`,
      `agent-trust: ${auditFile}:10: skipped: not JSON (torn or corrupt line)`,
    ]);
  });

  test("without a filter every review is in the table, and the other investigation's events too", async () => {
    const r = await run("log", "--audit-log", auditFile);
    assert.equal(r.code, 0);
    assert.match(r.out[0]!, /^TIME\s+ACTOR\s+EVENT\s+DETAIL$/);
    const rows = r.out.slice(2);
    assert.equal(rows.length, 12); // inv-1's 8, and B: held, denied, refused, its audit update
    assert.ok(
      rows.some((l) => /^\?\s+bob\s+denied/.test(l)),
      "a decision without a recorded time shows ?",
    );
    assert.ok(rows.some((l) => /2026-12-03T09:41:00Z\s+bob\s+audit update review/.test(l)));
  });

  test("an unknown investigation and an unreadable audit file are reported", async () => {
    const none = await run("log", "--investigation", "inv-9");
    assert.equal(none.code, 0);
    assert.deepEqual(none.out, ["no approval reviews of investigation inv-9 in namespace ai-agents"]);
    const missing = await run("log", "--audit-log", "/nonexistent/audit.log");
    assert.equal(missing.code, 1);
    assert.match(missing.err.join("\n"), /cannot read audit log \/nonexistent\/audit\.log/);
  });
});

describe("reading audit logs", () => {
  test("lines spanning read chunks are whole; an overlong line is skipped with its number", async () => {
    const file = path.join(tempDir("approvals-audit-"), "audit.log");
    const long = event({ stageTimestamp: "2026-12-03T09:00:00Z", verb: "get", requestURI: `/${"a".repeat(200_000)}` });
    const huge = `"${"b".repeat(MAX_LINE_BYTES + 10)}"`;
    fs.writeFileSync(file, [long, huge, long, ""].join("\n"));
    const entries: AuditEntry[] = [];
    const skipped: SkippedLine[] = [];
    await readAuditFile(
      file,
      (e) => entries.push(e),
      (s) => skipped.push(s),
    );
    assert.equal(entries.length, 2);
    assert.deepEqual(
      entries.map((e) => [e.line, e.requestURI.length]),
      [
        [1, 200_001],
        [3, 200_001],
      ],
    );
    assert.equal(skipped.length, 1);
    assert.deepEqual(skipped[0], { file, line: 2, reason: `longer than ${MAX_LINE_BYTES} bytes` });
  });
});
