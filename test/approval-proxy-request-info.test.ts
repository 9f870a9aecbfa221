/**
 * The approval proxy's pure parts: reading a Kubernetes request (verb, group, resource, subresource, namespace,
 * name) the way the API server does, refusing odd paths, and reading the replica count a scale asks for.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseRequestInfo, type RequestInfo, type Refused } from "../src/approval/proxy/request-info";
import { candidateAction, requestedReplicas, scaleIsApprovable } from "../src/approval/proxy/classify";
import { bodyPreview, requestDigest, PREVIEW_LIMIT } from "../src/approval/proxy/hold";
import { impersonateExtraHeader } from "../src/approval/proxy/forward";

type Row = [method: string, url: string, expected: string];
/** Expected: `verb group/version resource/subresource ns name`, `-` for empty. */
const TABLE: Row[] = [
  ["GET", "/api/v1/namespaces/shop/pods", "list /v1 pods/- shop -"],
  ["GET", "/api/v1/namespaces/shop/pods?watch=true", "watch /v1 pods/- shop -"],
  ["GET", "/api/v1/namespaces/shop/pods?watch=1&resourceVersion=5", "watch /v1 pods/- shop -"],
  ["GET", "/api/v1/namespaces/shop/pods?watch=false", "list /v1 pods/- shop -"],
  ["GET", "/api/v1/watch/namespaces/shop/pods", "watch /v1 pods/- shop -"],
  ["GET", "/api/v1/namespaces/shop/pods/web-1", "get /v1 pods/- shop web-1"],
  ["GET", "/api/v1/namespaces/shop/pods/web-1/log?follow=true", "get /v1 pods/log shop web-1"],
  ["GET", "/api/v1/pods", "list /v1 pods/- - -"],
  ["GET", "/api/v1/nodes/n1", "get /v1 nodes/- - n1"],
  ["GET", "/api/v1/namespaces/shop", "get /v1 namespaces/- shop shop"],
  ["PUT", "/api/v1/namespaces/shop/finalize", "update /v1 namespaces/finalize shop shop"],
  ["DELETE", "/apis/apps/v1/namespaces/shop/deployments/web", "delete apps/v1 deployments/- shop web"],
  ["DELETE", "/apis/apps/v1/namespaces/shop/deployments", "deletecollection apps/v1 deployments/- shop -"],
  ["PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale", "patch apps/v1 deployments/scale shop web"],
  ["PUT", "/apis/apps/v1/namespaces/shop/deployments/web/scale", "update apps/v1 deployments/scale shop web"],
  ["POST", "/apis/batch/v1/namespaces/shop/jobs", "create batch/v1 jobs/- shop -"],
  [
    "GET",
    "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:foo",
    "get rbac.authorization.k8s.io/v1 clusterroles/- - system:foo",
  ],
];

function show(i: RequestInfo | Refused): string {
  if (i.kind !== "resource") return i.kind;
  const d = (s: string): string => (s === "" ? "-" : s);
  return `${i.verb} ${i.apiGroup}/${i.version} ${i.resource}/${d(i.subresource)} ${d(i.namespace)} ${d(i.name)}`;
}

test("request info: every row of the table reads as the API server reads it", () => {
  assert.equal(TABLE.length, 17);
  for (const [method, url, expected] of TABLE) assert.equal(show(parseRequestInfo(method, url)), expected, url);
});

test("request info: discovery and other non-resource paths are never resources", () => {
  const paths = ["/", "/version", "/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/openapi/v2"];
  assert.equal(paths.length, 8);
  for (const p of paths) assert.equal(parseRequestInfo("GET", p).kind, "nonResource", p);
});

test("request info: hostile or odd paths are refused, never guessed", () => {
  const hostile: [string, string][] = [
    ["DELETE", "/apis/apps/v1/namespaces/shop/deployments/../deployments/web"],
    ["DELETE", "/apis/apps/v1/namespaces/shop/deployments/./web"],
    ["DELETE", "/apis/apps/v1/namespaces/shop/deployments/web%2Fscale"],
    ["DELETE", "/apis/apps/v1/namespaces/shop%2Fdeployments/web"],
    ["DELETE", "/apis/apps/v1//namespaces/shop/deployments/web"],
    ["DELETE", "/apis/apps/v1/namespaces/shop/deployments/web/"],
    ["DELETE", "//apis/apps/v1/namespaces/shop/deployments/web"],
    ["DELETE", "/apis/apps/v1/namespaces/shop/deployments/web\\x"],
    ["DELETE", "/apis/apps/v1/namespaces/shop/deployments/web/scale/extra"],
    ["DELETE", "apis/apps/v1/namespaces/shop/deployments/web"],
    ["POST", "/api/v1/watch/namespaces/shop/pods"],
    ["CONNECT", "/api/v1/namespaces/shop/pods/x/exec"],
    ["TRACE", "/api/v1/pods"],
  ];
  assert.equal(hostile.length, 13);
  for (const [m, p] of hostile) assert.equal(parseRequestInfo(m, p).kind, "refused", `${m} ${p}`);
});

test("classification: remediation's deletes of deployments are approvable, a statefulset's only in autonomous", () => {
  const del = parseRequestInfo("DELETE", "/apis/apps/v1/namespaces/shop/deployments/web");
  const sts = parseRequestInfo("DELETE", "/apis/apps/v1/namespaces/shop/statefulsets/db");
  const list = parseRequestInfo("DELETE", "/apis/apps/v1/namespaces/shop/deployments");
  assert.ok(del.kind === "resource" && sts.kind === "resource" && list.kind === "resource");
  assert.equal(candidateAction("remediation", del)?.id, "delete-deployment");
  assert.equal(candidateAction("assist", del), undefined);
  assert.equal(candidateAction("remediation", sts), undefined);
  assert.equal(candidateAction("autonomous", sts)?.id, "delete-statefulset");
  assert.equal(candidateAction("remediation", list), undefined);
});

test("scale: the count is read from merge, strategic, JSON patch and PUT; anything else is unreadable", () => {
  const b = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  const cases: [string, string, Buffer, number | undefined][] = [
    ["PATCH", "application/merge-patch+json", b({ spec: { replicas: 0 } }), 0],
    ["PATCH", "application/strategic-merge-patch+json; charset=utf-8", b({ spec: { replicas: 3 } }), 3],
    ["PATCH", "application/json-patch+json", b([{ op: "replace", path: "/spec/replicas", value: 2 }]), 2],
    ["PATCH", "application/json-patch+json", b([{ op: "add", path: "/spec/replicas", value: 4 }]), 4],
    ["PUT", "application/json", b({ kind: "Scale", spec: { replicas: 1 } }), 1],
    ["PATCH", "application/json-patch+json", b([{ op: "remove", path: "/spec/replicas" }]), undefined],
    ["PATCH", "application/json-patch+json", b([{ op: "replace", path: "/spec", value: { replicas: 9 } }]), undefined],
    ["PATCH", "application/json-patch+json", b([{ op: "copy", from: "/spec/replicas", path: "/x" }]), undefined],
    ["PATCH", "application/json-patch+json", b([]), undefined],
    ["PATCH", "application/apply-patch+yaml", Buffer.from("spec:\n  replicas: 0\n"), undefined],
    ["PATCH", "application/merge-patch+json", Buffer.from("{not json"), undefined],
    ["PATCH", "application/merge-patch+json", b({ spec: { replicas: "0" } }), undefined],
    ["PATCH", "application/merge-patch+json", b({ spec: { replicas: -1 } }), undefined],
    ["PATCH", "application/merge-patch+json", b({ metadata: {} }), undefined],
  ];
  assert.equal(cases.length, 14);
  for (const [m, t, body, want] of cases) assert.equal(requestedReplicas(m, t, body), want, `${t} ${body.toString()}`);
});

test("scale: a drastic cut or an unknown count waits for a person; a gentle step does not", () => {
  const bounds = { minReplicas: 2, maxStepFactor: 2 };
  assert.equal(scaleIsApprovable(10, 0, bounds), true);
  assert.equal(scaleIsApprovable(10, 4, bounds), true);
  assert.equal(scaleIsApprovable(10, 5, bounds), false);
  assert.equal(scaleIsApprovable(10, 20, bounds), false);
  assert.equal(scaleIsApprovable(undefined, 5, bounds), true);
  assert.equal(scaleIsApprovable(10, undefined, bounds), true);
});

test("digest, preview and the impersonation header names", () => {
  const d = requestDigest("DELETE", "/a?b=c", Buffer.from("x"));
  assert.match(d, /^sha256:[0-9a-f]{64}$/);
  assert.notEqual(d, requestDigest("DELETE", "/a?b=d", Buffer.from("x")));
  assert.equal(bodyPreview(Buffer.from('{"a":1}')), '{\n  "a": 1\n}');
  const long = bodyPreview(Buffer.from("y".repeat(5000)));
  assert.ok(long.startsWith("y".repeat(PREVIEW_LIMIT)));
  assert.match(long, /truncated: 5000 characters/);
  assert.equal(impersonateExtraHeader("agent-trust.io/review"), "Impersonate-Extra-agent-trust.io%2Freview");
  assert.equal(impersonateExtraHeader("agent-trust.io/approver"), "Impersonate-Extra-agent-trust.io%2Fapprover");
});
