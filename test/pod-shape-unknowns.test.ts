/**
 * Pod rules on values they cannot see and on the shipped pods: unknown values (Pulumi preview outputs) in custom
 * kinds never pass, and the catalog's own pods, as the plan builds them for every stack and tier, pass every rule.
 * Finding pod specs by shape is in pod-shape.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkDocuments } from "../src/check";
import { listStacks, loadFoundationFor, loadStackConfig } from "../src/config/stacks";
import type { PhaseConfig } from "../src/config/schema";
import { investigationJob, planPodTemplate, TIERS } from "../src/plan/job";
import { contextFor, DEFAULT_SETTINGS, judge, RESOURCE_RULES, UNKNOWN } from "../src/rules";
import { podSpecsOf } from "../src/rules/paths";
import { hiddenUnknowns, POD_RULES, podNoPrivilegeEscalation, podSpecVisible } from "../src/rules/pods";
import { packResource, patch, pulumiResourceOf } from "./rules-harness";
import { deployment, rollout, vaultRole } from "./rules-samples";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string };

describe("unknown values in custom kinds never pass", () => {
  test("an unknown inside a found pod spec is refused by the rule that reads it, in the pack and the checker", async () => {
    const { type, props } = pulumiResourceOf(rollout());
    assert.equal(type, "kubernetes:argoproj.io/v1alpha1:Rollout");
    (props as any).spec.template.spec.containers[0].securityContext = rpc.unknownValue;
    const out = await packResource(podNoPrivilegeEscalation.name, type, props);
    assert.equal(out.length, 1);
    assert.match(out[0]!.message, /^spec\.template\.spec\.containers\[0\]\.securityContext is unknown during preview/);
    assert.equal(out[0]!.level, "mandatory");
    const doc = patch(rollout(), (o) => (o.spec.template.spec.containers[0].securityContext = UNKNOWN));
    assert.match(
      judge(podNoPrivilegeEscalation, doc, contextFor(doc, {}, DEFAULT_SETTINGS)).join("\n"),
      /securityContext is unknown/,
    );
  });

  test("an unknown template annotation is refused by the annotation rules of a custom kind", () => {
    const doc = patch(rollout(), (o) => (o.spec.template.metadata.annotations = UNKNOWN));
    const refused = POD_RULES.filter((r) =>
      judge(r, doc, contextFor(doc, {}, DEFAULT_SETTINGS)).some((m) => /annotations is unknown/.test(m)),
    );
    assert.deepEqual(refused.map((r) => r.name).sort(), [
      "pod-apparmor-profile",
      "pod-seccomp-profile",
      "pod-vault-annotations",
    ]);
  });

  test("where a pod spec could hide, in a custom kind: refused by pod-spec-visible through the pack", async () => {
    const { type, props } = pulumiResourceOf(rollout());
    (props as any).spec.template = rpc.unknownValue;
    const out = await packResource(podSpecVisible.name, type, props);
    assert.deepEqual(
      out.map((o) => [o.level, o.message]),
      [
        [
          "mandatory",
          "spec.template is unknown during preview; in a custom kind it could hold a pod spec that no rule can see",
        ],
      ],
    );
  });

  test("hidden unknowns: the custom kind's fields count; its metadata and built-in kinds' fields do not", () => {
    const ro = patch(rollout(), (o) => {
      o.spec.strategy = UNKNOWN;
      o.metadata.labels = UNKNOWN;
      o.spec.template.metadata.labels = UNKNOWN;
      o.spec.template.spec.containers[0].image = UNKNOWN;
    });
    assert.deepEqual(hiddenUnknowns(ro), ["spec.strategy"]);
    assert.deepEqual(hiddenUnknowns(patch(deployment(), (o) => (o.spec.replicas = UNKNOWN))), []);
    assert.deepEqual(hiddenUnknowns(patch(vaultRole(), (o) => (o.spec.backend = UNKNOWN))), []);
    const d = patch(deployment(), (o) => (o.spec.template = UNKNOWN));
    assert.match(
      judge(podNoPrivilegeEscalation, d, contextFor(d, {}, DEFAULT_SETTINGS)).join("\n"),
      /^spec\.template is unknown during preview/,
    );
  });
});

describe("the catalog's own pods pass every rule", () => {
  const stacks = listStacks().filter((s) => loadStackConfig(s).layer === "phase");
  test("there are phase stacks to judge", () => assert.ok(stacks.length >= 9, String(stacks.length)));
  for (const name of stacks) {
    test(`${name}: every PodTemplate and the investigation Job built from it`, () => {
      const cfg = loadStackConfig(name) as PhaseConfig;
      const foundation = loadFoundationFor(cfg);
      const docs = cfg.agents.flatMap((agent) =>
        TIERS.flatMap((tier) => {
          const t = planPodTemplate(cfg, foundation, agent, tier, { "agent-trust.io/environment": cfg.environment });
          return [t, investigationJob(t, { investigationId: "inc-1", tier })];
        }),
      );
      assert.ok(docs.length >= 4);
      assert.equal(docs.filter((d) => podSpecsOf(d).length === 1).length, docs.length);
      const result = checkDocuments(docs, { phase: cfg.phase, env: cfg.environment });
      assert.deepEqual(result.violations, []);
      const podRules = RESOURCE_RULES.filter((r) => r.domain === "pods");
      assert.ok(podRules.length >= 20);
    });
  }
});
