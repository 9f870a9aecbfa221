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
