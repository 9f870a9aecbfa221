/** The admission adapter's plan and config: what the foundation installs, and every way its config is refused. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { ConfigError, parseStackConfig } from "../src/config/parse";
import type { FoundationConfig } from "../src/config/schema";
import { loadStackConfig, readStackFile } from "../src/config/stacks";
import { PHASES } from "../src/model/phases";
import { ADMISSION_PARAMS, planAdmission } from "../src/admission/policies";
import { planFoundation } from "../src/plan/foundation";
import { renderStack, writeRendered } from "../src/render";
import { cel, PARAM_KEYS, PHASE_VARIABLES } from "../src/admission/cel";
import { ADMISSION_RULES } from "../src/admission/rules";
import { isExecutorRequest } from "../src/admission/cel-approval";
import { tempDir } from "./helpers/tmp";

const dev = () => loadStackConfig("dev") as FoundationConfig;
const raw = (stack = "dev") => structuredClone(readStackFile(stack).raw) as Record<string, any>;
const kinds = (objs: { kind: string }[], kind: string) => objs.filter((o) => o.kind === kind) as any[];

function refused(r: Record<string, unknown>): string {
  try {
    parseStackConfig(r, "stacks/Pulumi.test.yaml");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail("config was accepted");
}

describe("the foundation installs one fail-closed, denying policy and binding per admission rule", () => {
  const objs = planAdmission(dev(), { "app.kubernetes.io/managed-by": "agent-trust" });

  test("counts: a parameter ConfigMap, then a policy and a binding per rule, named per environment", () => {
    assert.equal(ADMISSION_RULES.length, 13);
    assert.equal(objs.length, 1 + 2 * ADMISSION_RULES.length);
    const policies = kinds(objs, "ValidatingAdmissionPolicy");
    assert.equal(policies.length, ADMISSION_RULES.length);
    assert.deepEqual(
      policies.map((p) => p.metadata.name),
      ADMISSION_RULES.map((r) => `agent-trust-dev-${r.name}`),
    );
    assert.deepEqual(
      kinds(objs, "ValidatingAdmissionPolicyBinding").map((b) => b.spec.policyName),
      policies.map((p) => p.metadata.name),
    );
  });

  test("every policy fails closed and every binding denies; parameters are required where read", () => {
    for (const p of kinds(objs, "ValidatingAdmissionPolicy")) {
      assert.equal(p.spec.failurePolicy, "Fail", p.metadata.name);
      assert.ok(p.spec.validations.length > 0);
      for (const v of p.spec.validations)
        assert.match(
          v.messageExpression,
          new RegExp(`agent-trust rule ${p.metadata.name.replace("agent-trust-dev-", "")}`),
        );
    }
    const bindings = kinds(objs, "ValidatingAdmissionPolicyBinding");
    for (const b of bindings) assert.deepEqual(b.spec.validationActions, ["Deny"]);
    const withParams = ADMISSION_RULES.filter((r) => r.admission.params).map((r) => `agent-trust-dev-${r.name}`);
    assert.ok(withParams.length >= 4);
    for (const b of bindings) {
      if (withParams.includes(b.metadata.name))
        assert.deepEqual(b.spec.paramRef, {
          name: ADMISSION_PARAMS,
          namespace: "ai-agents",
          parameterNotFoundAction: "Deny",
        });
      else assert.equal(b.spec.paramRef, undefined);
    }
  });

  test("agent rules match only the agents namespace's ServiceAccounts and name the phase in their message", () => {
    const policies = kinds(objs, "ValidatingAdmissionPolicy");
    const agentRules = ADMISSION_RULES.filter((r) => r.admission.requesters === "agents");
    assert.equal(agentRules.length, 8);
    for (const r of agentRules) {
      const p = policies.find((x) => x.metadata.name.endsWith(r.name));
      // Every ServiceAccount of the agents namespace but the executors and the approval proxy (judged by the
      // approval rules instead; test/admission-approval.test.ts).
      assert.deepEqual(p.spec.matchConditions[0], {
        name: "agent-service-account",
        expression:
          `request.userInfo.username.startsWith("system:serviceaccount:ai-agents:") && !${isExecutorRequest("ai-agents")}` +
          ` && !(request.userInfo.username == "system:serviceaccount:ai-agents:agent-trust-approval-proxy")`,
      });
      assert.ok(p.spec.validations.every((v: any) => v.messageExpression.includes('" (phase " + variables.phase')));
    }
    // The grant rule applies to every requester (system:masters included), only for bindings naming an agent.
    const grants = policies.find((x) => x.metadata.name.endsWith("deployer-only-grants"));
    assert.deepEqual(
      grants.spec.matchConditions.map((c: any) => c.name),
      ["names-an-agent"],
    );
    const roles = policies.find((x) => x.metadata.name.endsWith("deployer-only-agent-roles"));
    assert.deepEqual(
      roles.spec.matchConditions.map((c: any) => c.name),
      ["an-agents-role"],
    );
    assert.match(
      roles.spec.matchConditions[0].expression,
      /oldObject != null && .*"agent-trust.io\/phase" in oldObject.metadata.labels/,
    );
  });

  test("the phase is read from the ServiceAccount name suffix, unknown names rank above every ceiling", () => {
    const [phase, rank] = PHASE_VARIABLES;
    for (const [i, p] of PHASES.entries()) {
      assert.ok(phase.expression.includes(`request.userInfo.username.endsWith("-${p}") ? "${p}"`));
      assert.ok(rank.expression.includes(`request.userInfo.username.endsWith("-${p}") ? ${i}`));
    }
    assert.match(rank.expression, /: 99$/);
  });

  test("the parameter ConfigMap carries every tunable; the agents Namespace is labelled protected", () => {
    const cm = kinds(objs, "ConfigMap")[0];
    assert.deepEqual(Object.keys(cm.data).sort(), [...PARAM_KEYS].sort());
    assert.deepEqual(cm.data, {
      phaseCeiling: "autonomous",
      deployerUsers: "agent-trust-deployer",
      deployerGroups: "",
      minReplicas: "1",
      maxReplicas: "10",
      maxStepFactor: "2",
      protectedLabel: "agent-trust.io/protected",
      approverUsers: "",
      approverGroups: "agent-trust-approvers",
    });
    const ns = planFoundation(dev(), planAdmission).namespace;
    assert.equal(ns.metadata.labels?.["agent-trust.io/protected"], "true");
  });

  test("warn mode in dev gives [Warn, Audit]; the CEL does not depend on config", () => {
    const cfg = { ...dev(), admission: { ...dev().admission, mode: "warn" as const } };
    const warn = planAdmission(cfg, {});
    assert.ok(
      kinds(warn, "ValidatingAdmissionPolicyBinding").every(
        (b) => JSON.stringify(b.spec.validationActions) === '["Warn","Audit"]',
      ),
    );
    const other = planAdmission(
      {
        ...dev(),
        phaseCeiling: "shadow",
        admission: { ...dev().admission, scale: { minReplicas: 3, maxReplicas: 5, maxStepFactor: 3 } },
      },
      {},
    );
    assert.deepEqual(
      kinds(other, "ValidatingAdmissionPolicy"),
      kinds(objs, "ValidatingAdmissionPolicy").map((p) => ({ ...p, metadata: { ...p.metadata, labels: {} } })),
    );
  });

  test("CEL literals escape quotes and refuse what CEL would read differently", () => {
    assert.equal(cel('a"b\\c'), '"a\\"b\\\\c"');
    assert.throws(() => cel("naïve"), /printable ASCII/);
    assert.throws(() => cel("a\nb"), /printable ASCII/);
  });
});

describe("admission config errors name the key and change nothing", () => {
  test("warn outside dev is refused", () => {
    const r = raw("prod");
    r["agent-trust:admission"] = { ...r["agent-trust:admission"], mode: "warn" };
    assert.match(refused(r), /agent-trust:admission\.mode: "warn" is only allowed in dev; prod must enforce \(Deny\)/);
  });

  test("no deployer, a broad group, an agent as deployer, commas", () => {
    const r = raw();
    r["agent-trust:admission"] = { deployer: {} };
    assert.match(refused(r), /agent-trust:admission\.deployer: must name at least one user or group/);
    r["agent-trust:admission"] = { deployer: { groups: ["system:masters"] } };
    assert.match(refused(r), /agent-trust:admission\.deployer\.groups\[0\]: must not be a broad system group/);
    r["agent-trust:admission"] = { deployer: { users: ["system:serviceaccount:ai-agents:diagnostic-autonomous"] } };
    assert.match(
      refused(r),
      /agent-trust:admission\.deployer\.users\[0\]: an agent ServiceAccount can never be the deployer/,
    );
    r["agent-trust:admission"] = { deployer: { users: ["a,b"] } };
    assert.match(refused(r), /agent-trust:admission\.deployer\.users\[0\]: deployer user must not contain commas/);
    delete r["agent-trust:admission"];
    assert.match(refused(r), /agent-trust:admission: /);
  });

  test("scale bounds: min above max, a step below 2, an unknown key", () => {
    const r = raw();
    r["agent-trust:admission"] = {
      ...r["agent-trust:admission"],
      scale: { minReplicas: 5, maxReplicas: 2, maxStepFactor: 1, max: 3 },
    };
    const msg = refused(r);
    assert.match(msg, /agent-trust:admission\.scale\.maxStepFactor: /);
    assert.match(msg, /agent-trust:admission\.scale\.max: unknown key/);
  });
});

describe("agent-trust render writes the backstop", () => {
  test("render dev/staging/prod: kubernetes.yaml holds the policies and bindings, audit-policy.yaml the audit policy", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const out = tempDir("agent-trust-render-");
      try {
        writeRendered(renderStack(env), out);
        const k8s = fs.readFileSync(path.join(out, "kubernetes.yaml"), "utf8");
        assert.equal(k8s.match(/^kind: ValidatingAdmissionPolicy$/gm)?.length, ADMISSION_RULES.length, env);
        assert.equal(k8s.match(/^kind: ValidatingAdmissionPolicyBinding$/gm)?.length, ADMISSION_RULES.length, env);
        assert.equal(k8s.match(/failurePolicy: Fail/g)?.length, ADMISSION_RULES.length);
        assert.match(k8s, new RegExp(`name: agent-trust-${env}-admission-phase-ceiling`));
        const audit = fs.readFileSync(path.join(out, "audit-policy.yaml"), "utf8");
        assert.match(audit, /omitStages:\n\s*- RequestReceived/);
        assert.match(audit, /level: RequestResponse/);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    }
  });
});
