import assert from "node:assert/strict";
import { test } from "node:test";
import { loadFoundationFor, loadStackConfig } from "../src/config/stacks";
import type { PhaseConfig } from "../src/config/schema";
import { investigationJob, planPodTemplate } from "../src/plan/job";

const cfg = loadStackConfig("prod-assist") as PhaseConfig;
const foundation = loadFoundationFor(cfg);
const agent = cfg.agents[0]!;
const template = (tier: "simple" | "complex") =>
  planPodTemplate(cfg, foundation, agent, tier, { "agent-trust.io/environment": "prod" });

test("an investigation Job: one attempt, deadline per tier, TTL, cost labels", () => {
  const job = investigationJob(template("complex"), { investigationId: "inc-1234", tier: "complex" });
  const spec = job["spec"] as any;
  assert.equal(job.metadata.name, "diagnostic-assist-inc-1234");
  assert.equal(spec.backoffLimit, 0);
  assert.equal(spec.activeDeadlineSeconds, 900);
  assert.equal(spec.ttlSecondsAfterFinished, 3600);
  assert.deepEqual(
    spec.podFailurePolicy.rules.map((r: any) => r.action),
    ["Ignore", "FailJob"],
  );
  const labels = spec.template.metadata.labels;
  assert.deepEqual(
    [
      labels["agent-trust.io/investigation"],
      labels["agent-trust.io/agent"],
      labels["agent-trust.io/phase"],
      labels["agent-trust.io/tier"],
    ],
    ["inc-1234", "diagnostic", "assist", "complex"],
  );
  assert.equal(spec.template.spec.restartPolicy, "Never");
  assert.equal(spec.template.spec.serviceAccountName, "diagnostic-assist");
});

test("tiers differ in deadline, resources and reasoning-cycle cap", () => {
  const env = (t: any) =>
    Object.fromEntries(
      t.template.spec.containers[0].env.filter((e: any) => e.value).map((e: any) => [e.name, e.value]),
    );
  const simple = template("simple") as any;
  const complex = template("complex") as any;
  assert.equal(env(simple).AGENT_TRUST_MAX_REASONING_CYCLES, "8");
  assert.equal(env(complex).AGENT_TRUST_MAX_REASONING_CYCLES, "15");
  assert.equal(simple.metadata.annotations["agent-trust.io/active-deadline-seconds"], "300");
  assert.notDeepEqual(simple.template.spec.containers[0].resources, complex.template.spec.containers[0].resources);
});

test("pod is restricted, has no automounted token and a short Vault-audience projected token", () => {
  const spec = (template("simple") as any).template.spec;
  assert.equal(spec.automountServiceAccountToken, false);
  assert.equal(spec.securityContext.runAsNonRoot, true);
  assert.equal(spec.securityContext.seccompProfile.type, "RuntimeDefault");
  assert.equal(spec.runtimeClassName, "gvisor");
  const c = spec.containers[0];
  assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  const projected = spec.volumes.find((v: any) => v.projected).projected.sources[0].serviceAccountToken;
  assert.deepEqual(projected, { audience: "vault", expirationSeconds: 600, path: "token" });
  assert.ok(spec.volumes.find((v: any) => v.name === "workspace").emptyDir.sizeLimit);
});

test("the agent asks for the same Vault paths in every phase", () => {
  const paths = (phase: string) => {
    const c = loadStackConfig(`dev-${phase}`) as PhaseConfig;
    const t = planPodTemplate(
      c,
      loadFoundationFor(c),
      c.agents.find((a) => a.name === "diagnostic")!,
      "simple",
      {},
    ) as any;
    return t.template.spec.containers[0].env.find((e: any) => e.name === "AGENT_TRUST_SECRET_PATHS").value;
  };
  const shadow = paths("shadow");
  assert.match(shadow, /agent\/data\/remediation\/pod-restart/);
  for (const p of ["assist", "remediation", "autonomous"]) assert.equal(paths(p), shadow);
});

test("Vault agent injection pre-populates only, so the Job can finish", () => {
  const ann = (template("simple") as any).template.metadata.annotations;
  assert.equal(ann["vault.hashicorp.com/agent-pre-populate-only"], "true");
  assert.equal(ann["vault.hashicorp.com/role"], "agent-trust-prod-diagnostic-assist");
});

test("bad requests are refused", () => {
  assert.throws(
    () => investigationJob(template("simple"), { investigationId: "INC_1", tier: "simple" }),
    /investigation ID "INC_1" is not a DNS label/,
  );
  assert.throws(
    () => investigationJob(template("simple"), { investigationId: "x", tier: "complex" }),
    /is for tier "simple", not "complex"/,
  );
  const broken = template("simple");
  broken.metadata.annotations!["agent-trust.io/active-deadline-seconds"] = "86400";
  assert.throws(
    () => investigationJob(broken, { investigationId: "x", tier: "simple" }),
    /no valid agent-trust.io\/active-deadline-seconds/,
  );
});
