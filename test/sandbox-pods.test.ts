import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { loadEnvironment } from "../src/sandbox/deploy/environment";
import { investigationPod, POD_VARIANTS, type PodSpec } from "../src/sandbox/verify/pod-variants";

const env = loadEnvironment("dev");
const template = env.phases.remediation.kubernetes.find((m) => m.kind === "PodTemplate")!;
const variant = (name: string) => POD_VARIANTS.find((v) => v.name.startsWith(name))!;
const spec = (name: string) => investigationPod(template, variant(name))["spec"] as PodSpec;

describe("sandbox Pod Security variants", () => {
  test("the template pod is exactly the Job's pod: same spec as the published PodTemplate", () => {
    const published = (template["template"] as { spec: unknown }).spec;
    assert.deepEqual(spec("template"), published);
    const pod = investigationPod(template, variant("template"));
    assert.equal(pod.metadata.namespace, env.namespace);
    assert.equal(pod.metadata.labels?.["agent-trust.io/investigation"], "sandbox-check");
  });

  test("each dangerous variant changes one thing and names the violation it must be rejected for", () => {
    assert.equal(spec("privileged").containers[0]!.securityContext!["privileged"], true);
    assert.equal(spec("runAsUser 0").containers[0]!.securityContext!["runAsUser"], 0);
    assert.ok(spec("hostPath").volumes!.some((v) => "hostPath" in v));
    for (const v of POD_VARIANTS.filter((x) => x.name !== "template pod")) assert.ok(v.violation, v.name);
  });

  test("variants never modify the published template", () => {
    const before = JSON.stringify(template);
    for (const v of POD_VARIANTS) investigationPod(template, v);
    assert.equal(JSON.stringify(template), before);
  });
});
