/**
 * approval-objects-as-planned: the foundation's approval objects pass exactly as planned, and with the Pulumi
 * provider's own directives (the sandbox engine adds skipAwait and background deletion); any other annotation
 * or change is refused, so a directive name is no way to smuggle data past the comparison.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SANDBOX_ANNOTATIONS } from "../src/engine/transform";
import { PULUMI_PROVIDER_ANNOTATIONS, type Manifest } from "../src/model/manifest";
import { renderStack } from "../src/render";
import { DEFAULT_SETTINGS } from "../src/rules";
import { claimsApprovalObject } from "../src/rules/approval-planned";
import { evaluateObject } from "../src/rules/evaluate";

const foundation = renderStack("dev").kubernetes;
const approval = foundation.filter(claimsApprovalObject);
const e = { given: { layer: "foundation", environment: "dev" }, settings: DEFAULT_SETTINGS } as const;
const findings = (obj: Manifest) => evaluateObject(obj, e).map((f) => `${f.rule.name}: ${f.message}`);
const annotated = (obj: Manifest, annotations: Record<string, string>): Manifest => ({
  ...obj,
  metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, ...annotations } },
});

test("the dev foundation renders eleven approval objects, each passing every rule as planned", () => {
  assert.equal(approval.length, 11, approval.map((o) => `${o.kind}/${o.metadata.name}`).join(", "));
  for (const obj of approval) assert.deepEqual(findings(obj), [], `${obj.kind}/${obj.metadata.name}`);
});

test("the sandbox engine's directives are the provider's own, and pass", () => {
  for (const k of Object.keys(SANDBOX_ANNOTATIONS)) assert.ok(PULUMI_PROVIDER_ANNOTATIONS.includes(k), k);
  for (const obj of approval)
    assert.deepEqual(findings(annotated(obj, SANDBOX_ANNOTATIONS)), [], `${obj.kind}/${obj.metadata.name}`);
});

test("any other annotation, or a changed field beside a directive, is refused with the difference", () => {
  for (const obj of approval) {
    const other = findings(annotated(obj, { "pulumi.com/skipAwait": "true", "example.com/note": "x" }));
    assert.ok(
      other.some((f) => /^approval-objects-as-planned: .*metadata\.annotations/.test(f)),
      `${obj.kind}/${obj.metadata.name}: ${other.join("; ")}`,
    );
    const lookalike = findings(annotated(obj, { "pulumi.com/skipawait": "true" }));
    assert.ok(
      lookalike.some((f) => f.startsWith("approval-objects-as-planned: ")),
      `${obj.kind} lookalike`,
    );
  }
  const deployment = approval.find((o) => o.kind === "Deployment")!;
  const renamed = annotated({ ...deployment, spec: { replicas: 3 } }, SANDBOX_ANNOTATIONS);
  assert.ok(findings(renamed).some((f) => /^approval-objects-as-planned: .*spec/.test(f)));
});

test("the audit policy records every change to an approval review, with its body, whoever makes it", () => {
  const rendered = renderStack("dev");
  const rules = (rendered.auditPolicy as { rules: { level: string; verbs?: string[]; resources?: unknown[] }[] }).rules;
  const hit = rules.find((r) =>
    (r.resources ?? []).some(
      (x) =>
        (x as { group?: string; resources?: string[] }).group === "agent-trust.io" &&
        ((x as { resources?: string[] }).resources ?? []).includes("approvalreviews"),
    ),
  );
  assert.ok(hit, "a rule names approvalreviews");
  assert.equal(hit.level, "RequestResponse");
  assert.deepEqual(hit.verbs, ["create", "update", "patch", "delete", "deletecollection"]);
  // No earlier rule catches a person's write to a review first (first match wins): each earlier one names other
  // resources, or only the agents' group, whose writes are kept at RequestResponse too.
  const before = rules.slice(0, rules.indexOf(hit)) as {
    level: string;
    userGroups?: string[];
    verbs?: string[];
    resources?: unknown[];
  }[];
  assert.ok(before.length >= 3);
  for (const r of before) {
    const otherResources = (r.resources ?? []).length > 0;
    const agentsOnly = (r.userGroups ?? []).length > 0;
    assert.ok(otherResources || agentsOnly, JSON.stringify(r));
    if (agentsOnly && r.verbs?.includes("update")) assert.equal(r.level, "RequestResponse");
  }
});
