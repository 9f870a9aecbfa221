/**
 * The Pod Security Standards (Kubernetes 1.36) as a table, control by control, taken from the standard's table and
 * from k8s.io/pod-security-admission's policy/check_*.go: for each control, the values it refuses (at pod level and
 * on containers, init containers and ephemeral containers) and the values it allows. Shared by the unit test
 * (test/rules-pss.test.ts: both adapters) and the integration test (test/integration/pss-admission.test.ts: the
 * real API server). A refused case may say what the API server itself does with it, when that is not a Pod Security
 * refusal: "admitted" (we are stricter than the standard on purpose) or "invalid" (the API server rejects the
 * object before admission; we refuse it too).
 */
import assert from "node:assert/strict";
import type { Manifest } from "../src/model/manifest";
import { podSpecsOf } from "../src/rules/paths";
import { BASELINE_CONTROLS } from "./pss-controls-baseline";
import type { Change, Control } from "./pss-controls-edits";
import { RESTRICTED_CONTROLS } from "./pss-controls-restricted";
import { deployment, podSpec, rollout } from "./rules-samples";

export type { ApiServer, Change, Control, Edit, PssCase } from "./pss-controls-edits";

export const CONTROLS: Control[] = [...BASELINE_CONTROLS, ...RESTRICTED_CONTROLS];

export const KINDS: [string, () => Manifest][] = [
  ["Pod", () => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ai-agents" }, spec: podSpec() })],
  ["Deployment", deployment],
  ["Rollout", rollout],
];

/** The doc with the change applied to its one pod spec (or its pods' annotations). */
export function build(make: () => Manifest, change: Change): Manifest {
  const doc = make();
  const specs = podSpecsOf(doc);
  assert.equal(specs.length, 1, "the sample has one pod spec");
  if (typeof change === "function") change(specs[0]!.spec);
  else {
    const holder: any =
      doc.kind === "Pod" ? doc : doc.kind === "PodTemplate" ? (doc as any).template : (doc as any).spec.template;
    (holder.metadata.annotations ??= {})[change.key] = change.value;
  }
  return doc;
}
