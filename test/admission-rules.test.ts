/**
 * The stack rule that refuses a weakened foundation, the investigation naming the audit trail relies on, the
 * audit policy's order, and how the sandbox judges an admission answer.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, test } from "node:test";
import { checkDocuments } from "../src/check";
import type { PhaseConfig } from "../src/config/schema";
import { loadFoundationFor, loadStackConfig } from "../src/config/stacks";
import { planAuditPolicy } from "../src/plan/audit";
import { investigationJob, investigationOfPod, MAX_JOB_NAME, planPodTemplate } from "../src/plan/job";
import { renderStack } from "../src/render";
import { foundationAdmissionPolicies } from "../src/rules/foundation-admission";
import { DEFAULT_SETTINGS } from "../src/rules";
import { measure } from "../src/sandbox/verify/admission-cells";

const rendered = (stack: string) => renderStack(stack).kubernetes as any[];
const findings = (objs: any[]) =>
  foundationAdmissionPolicies.validate(objs, DEFAULT_SETTINGS, {}).map((f) => f.message);
/** A copy of `objs` with `f` applied to a copy of each object of `kind` whose name ends with `suffix`. */
function edit(objs: any[], kind: string, suffix: string, f: (o: any) => void): any[] {
  return objs.map((o) => {
    if (o.kind !== kind || !o.metadata.name.endsWith(suffix)) return o;
    const copy = structuredClone(o);
    f(copy);
    return copy;
  });
}

describe("foundation-admission-policies", () => {
  test("fails closed where the admission room (its generator) is not loaded: the rule table alone passes no foundation", () => {
    const script = [
      `const { STACK_RULES } = require(${JSON.stringify(path.resolve("src/rules/stack.ts"))});`,
      `const { DEFAULT_SETTINGS } = require(${JSON.stringify(path.resolve("src/rules/index.ts"))});`,
      `const rule = STACK_RULES.find((r) => r.name === "foundation-admission-policies");`,
      `const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "ai-agents", labels: {} } };`,
      `console.log(JSON.stringify(rule.validate([ns], DEFAULT_SETTINGS, {}).map((f) => f.message)));`,
    ].join("\n");
    const out = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8" });
    const messages = JSON.parse(out) as string[];
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /cannot be verified: the admission generator \(src\/admission\) is not loaded/);
  });

  test("every shipped foundation passes, through the checker too; phase stacks are not foundations", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const objs = rendered(env);
      assert.equal(objs.filter((o) => o.kind === "ValidatingAdmissionPolicy").length, 13);
      assert.deepEqual(findings(objs), [], env);
      assert.deepEqual(
        checkDocuments(objs, { stack: true }).violations.filter((v) => v.policy === "foundation-admission-policies"),
        [],
      );
      assert.deepEqual(findings(rendered(`${env}-shadow`)), []);
    }
  });

  test("a binding that only warns: accepted in dev, refused in prod", () => {
    const warn = (env: string) =>
      edit(
        rendered(env),
        "ValidatingAdmissionPolicyBinding",
        "phase-ceiling",
        (o) => (o.spec.validationActions = ["Warn", "Audit"]),
      );
    assert.deepEqual(findings(warn("dev")), []);
    const msg = findings(warn("prod"));
    assert.equal(msg.length, 1);
    assert.match(
      msg[0]!,
      /agent-trust-prod-admission-phase-ceiling: validationActions \["Warn","Audit"\] is weakened; prod requires \[Deny\]/,
    );
  });

  test("fail-open, changed CEL, a missing parameter object, bad parameters: each refused by name", () => {
    const prod = rendered("prod");
    assert.match(
      findings(edit(prod, "ValidatingAdmissionPolicy", "no-eviction", (o) => (o.spec.failurePolicy = "Ignore")))[0]!,
      /failurePolicy "Ignore" fails open/,
    );
    assert.match(
      findings(
        edit(prod, "ValidatingAdmissionPolicy", "scale-bounded", (o) => (o.spec.validations[0].expression = "true")),
      )[0]!,
      /agent-trust-prod-admission-scale-bounded differs from what the rule table generates/,
    );
    assert.match(
      findings(
        edit(
          prod,
          "ValidatingAdmissionPolicyBinding",
          "deployer-only-grants",
          (o) => (o.spec.paramRef.parameterNotFoundAction = "Allow"),
        ),
      )[0]!,
      /differs from what the rule table generates/,
    );
    assert.deepEqual(findings(prod.filter((o) => o.kind !== "ConfigMap")), [
      "ConfigMap ai-agents/agent-trust-admission (the admission parameters) is missing",
    ]);
    const params = findings(
      edit(prod, "ConfigMap", "admission", (o) =>
        Object.assign(o.data, {
          phaseCeiling: "god",
          deployerUsers: "",
          deployerGroups: "system:masters",
          maxStepFactor: "1",
        }),
      ),
    );
    assert.equal(params.length, 3);
    assert.match(params.join("\n"), /phaseCeiling "god" is not a phase/);
    assert.match(params.join("\n"), /maxStepFactor must be a whole number of at least 2/);
    assert.match(params.join("\n"), /deployerGroups names broad system groups \(system:masters\)/);
    const unlabelled = edit(prod, "Namespace", "agents", (o) => delete o.metadata.labels["agent-trust.io/protected"]);
    assert.match(
      findings(unlabelled).join("\n"),
      /the agents Namespace does not carry agent-trust.io\/protected: "true"/,
    );
  });

  test("one admission object alone makes a stack a foundation that must carry all of them", () => {
    const one = rendered("prod")
      .filter((o) => o.kind === "ValidatingAdmissionPolicy")
      .slice(0, 1);
    const msg = findings(one);
    // The other 12 policies, all 13 bindings and the parameter ConfigMap.
    assert.equal(msg.filter((m) => / is missing/.test(m)).length, 12 + 13 + 1);
  });
});

describe("investigation naming: every pod name maps back to exactly one investigation", () => {
  const cfg = loadStackConfig("prod-assist") as PhaseConfig;
  const template = planPodTemplate(cfg, loadFoundationFor(cfg), cfg.agents[0]!, "simple", {
    "agent-trust.io/environment": "prod",
  });
  const user = "system:serviceaccount:ai-agents:diagnostic-assist";

  test("pod <job>-<5 random> → its investigation; anything else → none", () => {
    const job = investigationJob(template, { investigationId: "inc-4821", tier: "simple" });
    assert.equal(job.metadata.name, "diagnostic-assist-inc-4821");
    assert.deepEqual(investigationOfPod(user, "diagnostic-assist-inc-4821-x7k2p"), {
      job: "diagnostic-assist-inc-4821",
      investigationId: "inc-4821",
    });
    assert.equal(investigationOfPod(user, "diagnostic-assist-inc-4821"), undefined);
    assert.equal(investigationOfPod(user, "diagnostic-assist-inc-4821-AAAAA"), undefined);
    assert.equal(
      investigationOfPod("system:serviceaccount:ai-agents:diagnostic-shadow", "diagnostic-assist-inc-4821-x7k2p"),
      undefined,
    );
    assert.equal(investigationOfPod("alice", "diagnostic-assist-inc-4821-x7k2p"), undefined);
  });

  test("IDs that would let the API server truncate a pod's Job name are refused, naming the limit", () => {
    const longest = "a".repeat(MAX_JOB_NAME - "diagnostic-assist-".length);
    const job = investigationJob(template, { investigationId: longest, tier: "simple" });
    assert.equal(job.metadata.name.length, MAX_JOB_NAME);
    assert.throws(
      () => investigationJob(template, { investigationId: `${longest}b`, tier: "simple" }),
      /investigation ID "a+b" is too long: .* at most 57/,
    );
  });

  test("distinct investigations never share a pod name prefix (many random IDs)", () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 500; i++) {
      const id = `inc-${Math.random()
        .toString(36)
        .slice(2, 2 + 1 + (i % 30))}`.replace(/-$/, "");
      const pod = `${investigationJob(template, { investigationId: id, tier: "simple" }).metadata.name}-bcdfg`;
      const back = investigationOfPod(user, pod);
      assert.equal(back?.investigationId, id);
      assert.ok(!seen.has(pod) || seen.get(pod) === id);
      seen.set(pod, id);
    }
  });
});

describe("audit policy", () => {
  const policy = planAuditPolicy({ namespace: "ai-agents" }) as { omitStages: string[]; rules: any[] };

  test("first match wins: secrets before agent writes, agent writes before agent reads, a quiet catch-all last", () => {
    const r = policy.rules;
    assert.deepEqual(policy.omitStages, ["RequestReceived"]);
    assert.equal(r[0].level, "Metadata");
    assert.deepEqual(r[0].resources.map((x: any) => x.resources).flat(), ["secrets", "configmaps", "tokenreviews"]);
    assert.deepEqual(
      [r[1].level, r[1].userGroups, r[1].verbs.includes("patch")],
      ["RequestResponse", ["system:serviceaccounts:ai-agents"], true],
    );
    assert.deepEqual(
      [r[2].level, r[2].userGroups, r[2].verbs],
      ["Metadata", ["system:serviceaccounts:ai-agents"], undefined],
    );
    assert.ok(r.some((x) => x.level === "None" && x.verbs?.join() === "get,list,watch"));
    assert.deepEqual(r[r.length - 1], { level: "Metadata" });
    assert.ok(
      r.findIndex((x) => x.level === "None" && x.verbs) > 2,
      "other people's reads are dropped only after every agent rule",
    );
  });
});

describe("how the sandbox judges an admission answer", () => {
  const denied = (message: string) => ({ status: 403, body: { message } });
  const rule = "admission-no-eviction";

  test("deny only from the expected rule naming the phase; anything else is an error", () => {
    const cell = { expected: "deny" as const, basis: rule };
    assert.equal(
      measure(
        cell,
        "assist",
        denied(
          `... denied request: agent-trust rule ${rule} (phase assist, system:serviceaccount:ai-agents:x-assist): ...`,
        ),
      ).measured,
      "deny",
    );
    assert.equal(measure(cell, "assist", denied(`agent-trust rule ${rule} (phase shadow, x): ...`)).measured, "error");
    assert.equal(
      measure(cell, "assist", denied("agent-trust rule admission-phase-ceiling (phase assist, x)")).measured,
      "error",
    );
    assert.equal(measure(cell, "assist", { status: 201, body: {} }).measured, "allow");
    assert.equal(
      measure(cell, "assist", { status: 422, body: { message: "expression resulted in error" } }).measured,
      "error",
    );
    assert.equal(
      measure({ expected: "deny", basis: "rbac" }, "assist", denied('pods "x" is forbidden: User cannot delete'))
        .measured,
      "deny",
    );
    assert.equal(
      measure({ expected: "deny", basis: "rbac" }, "assist", denied("ValidatingAdmissionPolicy 'p' denied")).measured,
      "error",
    );
  });
});
