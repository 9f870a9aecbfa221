/**
 * Pod Security Standards (Kubernetes 1.36), control by control (the table is test/pss-controls.ts): each refused
 * value is judged on a Pod, a Deployment and an Argo Rollout (a custom kind found by shape) through both adapters;
 * each allowed value, on the plan's own PodTemplate, must pass every rule of the checker and the control's rule in the pack.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkDocuments } from "../src/check";
import { build, CONTROLS, KINDS } from "./pss-controls";
import { runBoth } from "./rules-harness";
import { podTemplate } from "./rules-samples";

describe("Pod Security Standards 1.36, control by control", () => {
  test("every control of the standard's table is covered, refused and allowed", () => {
    assert.equal(new Set(CONTROLS.map((c) => c.control)).size, 16);
    for (const c of CONTROLS) assert.ok(c.refused.length > 0 && c.allowed.length > 0, c.control);
  });
  for (const c of CONTROLS) {
    describe(c.control, () => {
      for (const [what, change] of c.refused) {
        for (const [kind, make] of KINDS) {
          test(`refused: ${what} (${kind}), by ${c.rule.name} in both adapters`, async () => {
            const r = await runBoth(c.rule, [build(make, change)]);
            assert.ok(r.checker.length > 0, "the checker passed it");
            assert.deepEqual(r.pack, r.checker);
          });
        }
      }
      for (const [what, change] of c.allowed) {
        test(`allowed: ${what} passes every rule`, async () => {
          // On the plan's own kind (a phase stack holds PodTemplates, not Deployments), so that every rule,
          // the closed world's included, has its say.
          const doc = build(podTemplate, change);
          assert.deepEqual(
            checkDocuments([doc], { phase: "remediation" }).violations.map((v) => `${v.policy}: ${v.message}`),
            [],
          );
          assert.deepEqual(await runBoth(c.rule, [doc], { phase: "remediation" }), { pack: [], checker: [] });
        });
      }
    });
  }
});
