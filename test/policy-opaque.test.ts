/**
 * What the pack cannot see into is refused in agent stacks (no-opaque-resources), and every type no rule reads
 * is listed as an advisory (unjudged-resource-types), through the pack's own adapters.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PolicyResource, ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import { packResource, policyNamed } from "./rules-harness";

const phaseStack = { layer: "phase", environment: "prod", phase: "shadow" };

async function listing(types: string[], stack = phaseStack) {
  const policy = policyNamed("unjudged-resource-types", stack) as StackValidationPolicy;
  const resources = types.map(
    (type, i) =>
      ({
        type,
        props: {},
        urn: `urn:pulumi:s::p::${type}::r${i}`,
        name: `r${i}`,
        opts: {},
        dependencies: [],
        propertyDependencies: {},
      }) as unknown as PolicyResource,
  );
  const out: { message: string; level: string }[] = [];
  const report = ((m: { message: string; enforcementLevel: string }) =>
    out.push({ message: m.message, level: m.enforcementLevel })) as unknown as ReportViolation;
  await policy.validateStack(
    {
      resources,
      stackTags: new Map(),
      getConfig: <T extends object>() => ({}) as T,
      notApplicable: (): never => {
        throw new Error("n/a");
      },
    },
    report,
  );
  return out;
}

describe("opaque resources", () => {
  const opaque: [string, object][] = [
    ["kubernetes:helm.sh/v3:Release", { chart: "anything", namespace: "ai-agents" }],
    ["command:local:Command", { create: "kubectl apply -f cluster-admin.yaml" }],
    ["command:remote:Command", { create: "kubectl apply -f x.yaml" }],
    ["pulumi-nodejs:dynamic:Resource", { __provider: "..." }],
  ];
  for (const [type, props] of opaque) {
    test(`${type} is refused in an agent stack, mandatory, and allowed (listed) in a foundation`, async () => {
      const out = await packResource("no-opaque-resources", type, props as Record<string, unknown>, phaseStack);
      assert.equal(out.length, 1);
      assert.equal(out[0]!.level, "mandatory");
      assert.match(out[0]!.message, /agent stacks may hold only objects the rules can judge/);
      assert.deepEqual(
        await packResource("no-opaque-resources", type, props as Record<string, unknown>, { layer: "foundation" }),
        [],
      );
    });
  }

  test("a stack without a layer is judged as agent input", async () => {
    assert.equal((await packResource("no-opaque-resources", "command:local:Command", {}, {})).length, 1);
  });

  test("components whose children are registered are not refused: Chart v4, ConfigGroup, kustomize", async () => {
    for (const type of [
      "kubernetes:helm.sh/v4:Chart",
      "kubernetes:yaml/v2:ConfigGroup",
      "kubernetes:kustomize/v2:Directory",
      "kubernetes:yaml:ConfigFile",
    ]) {
      assert.deepEqual(await packResource("no-opaque-resources", type, {}, phaseStack), [], type);
      assert.deepEqual(await packResource("no-cluster-scoped-objects", type, {}, phaseStack), [], type);
    }
  });
});

describe("types no rule reads are listed, never passed in silence", () => {
  test("each unjudged type is listed once with its count, as an advisory; judged, container and opaque types are not", async () => {
    const out = await listing([
      "random:index/randomPassword:RandomPassword",
      "random:index/randomPassword:RandomPassword",
      "kubernetes:core/v1:Endpoints",
      "kubernetes:rbac.authorization.k8s.io/v1:Role",
      "vault:index/policy:Policy",
      "pulumi:providers:kubernetes",
      "pulumi:pulumi:Stack",
      "pulumi:pulumi:StackReference",
      "kubernetes:helm.sh/v4:Chart",
      "command:local:Command",
    ]);
    assert.equal(out.length, 2, JSON.stringify(out));
    assert.deepEqual(
      out.map((o) => o.level),
      ["advisory", "advisory"],
    );
    assert.match(out[0]!.message, /^no rule reads Endpoints \(v1\) \(1 resource\(s\)\)/);
    assert.match(out[1]!.message, /^no rule reads random:index\/randomPassword:RandomPassword \(2 resource\(s\)\)/);
  });
});
