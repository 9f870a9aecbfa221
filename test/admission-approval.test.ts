/**
 * The approval feature's admission rules (src/admission/approval-rules.ts): their shape, the approvable operations
 * per phase, the parameters they read, and the exclusion of executors and the proxy from the agents' rules. The
 * CEL itself is evaluated against a real API server by the sandbox (the lead's cells) and was checked with cel-go.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { APPROVAL_ADMISSION_RULES } from "../src/admission/approval-rules";
import { APPROVABLE_MAP, approvableOperations, isExecutorName } from "../src/admission/cel-approval";
import { isAgentRequest } from "../src/admission/cel";
import { planAdmissionPolicies } from "../src/admission/policies";
import { ADMISSION_RULES } from "../src/admission/rules";
import { PARAM_KEYS } from "../src/model/admission";
import { parseExecutorUsername } from "../src/model/naming";
import { PHASES } from "../src/model/phases";

const policies = planAdmissionPolicies("dev", "ai-agents", ["Deny"], {}).filter(
  (o) => o.kind === "ValidatingAdmissionPolicy",
) as any[];
const policy = (rule: string) => policies.find((p) => p.metadata.name === `agent-trust-dev-admission-${rule}`);

describe("the approval admission rules", () => {
  test("three rules, applying to every requester, all in the rule table and the foundation's policies", () => {
    assert.equal(APPROVAL_ADMISSION_RULES.length, 3);
    assert.deepEqual(
      APPROVAL_ADMISSION_RULES.map((r) => r.name),
      ["admission-executor-needs-approval", "admission-executor-no-credentials", "admission-approval-review-integrity"],
    );
    for (const r of APPROVAL_ADMISSION_RULES) {
      assert.equal(r.admission.requesters, "everyone");
      assert.equal(r.security, true);
      assert.ok(ADMISSION_RULES.includes(r), r.name);
      assert.ok(policy(r.name.replace("admission-", "")), r.name);
    }
  });

  test("approvable operations per phase: none for shadow and assist, the catalog's for the others", () => {
    assert.deepEqual(approvableOperations("shadow"), []);
    assert.deepEqual(approvableOperations("assist"), []);
    assert.deepEqual(approvableOperations("remediation"), [
      "apps|deployments's|scale|UPDATE".replace("'s", ""),
      "apps|deployments||DELETE",
    ]);
    assert.deepEqual(approvableOperations("autonomous"), [
      "apps|deployments|scale|UPDATE",
      "apps|deployments||DELETE",
      "apps|statefulsets||DELETE",
      "|persistentvolumeclaims||DELETE",
    ]);
    for (const p of PHASES) assert.ok(APPROVABLE_MAP.includes(`"${p}": [`), p);
  });

  test("the executor's rule matches executors only, reads the ceiling and both extras, and refuses everything by default", () => {
    const p = policy("executor-needs-approval");
    assert.equal(p.spec.matchConditions.length, 1);
    assert.equal(p.spec.matchConditions[0].name, "executor-service-account");
    assert.ok(p.spec.matchConditions[0].expression.includes(isExecutorName("request.userInfo.username.substring(32)")));
    assert.deepEqual(p.spec.matchConstraints.resourceRules[0].operations, ["CREATE", "UPDATE", "DELETE", "CONNECT"]);
    assert.equal(p.spec.validations.length, 7);
    const all = p.spec.validations.map((v: any) => v.expression).join("\n");
    for (const needle of ["agent-trust.io/review", "agent-trust.io/approver", "variables.ceilingRank", "scale"])
      assert.ok(all.includes(needle) || JSON.stringify(p.spec.variables).includes(needle), needle);
  });

  test("no credentials: every pod-holding kind, token requests, token Secrets and the executor ServiceAccount", () => {
    const p = policy("executor-no-credentials");
    const resources = p.spec.matchConstraints.resourceRules.flatMap((r: any) => r.resources).sort();
    assert.deepEqual(resources, [
      "cronjobs",
      "daemonsets",
      "deployments",
      "jobs",
      "pods",
      "podtemplates",
      "replicasets",
      "replicationcontrollers",
      "secrets",
      "serviceaccounts",
      "serviceaccounts/token",
      "statefulsets",
    ]);
    assert.equal(p.spec.validations.length, 4);
  });

  test("review integrity: create, update and delete of approvalreviews, approvers from the parameters", () => {
    const p = policy("approval-review-integrity");
    assert.deepEqual(p.spec.matchConstraints.resourceRules, [
      {
        apiGroups: ["agent-trust.io"],
        apiVersions: ["*"],
        operations: ["CREATE", "UPDATE", "DELETE"],
        resources: ["approvalreviews"],
        scope: "*",
      },
    ]);
    assert.equal(p.spec.validations.length, 8);
    const approver = p.spec.variables.find((v: any) => v.name === "isApprover").expression;
    assert.match(approver, /^!request\.userInfo\.username\.startsWith\("system:"\) && /);
    assert.match(approver, /"approverUsers"/);
    assert.match(approver, /"approverGroups"/);
    assert.ok(PARAM_KEYS.includes("approverUsers") && PARAM_KEYS.includes("approverGroups"));
  });

  test("the agents' rules exclude exactly the executors (by the parse) and the proxy", () => {
    const cond = isAgentRequest({ namespace: "ai-agents" });
    assert.ok(cond.startsWith('request.userInfo.username.startsWith("system:serviceaccount:ai-agents:") && !'));
    assert.ok(
      cond.endsWith('!(request.userInfo.username == "system:serviceaccount:ai-agents:agent-trust-approval-proxy")'),
    );
    // The names the CEL was checked against (cel-go): executors only where the model's parse accepts them.
    const executors = ["diag-remediation-executor", "a-b-autonomous-executor", "executor-shadow-executor"];
    const impostors = [
      "remediation-executor",
      "x-remediation-remediation-executor",
      "x--remediation-executor",
      "x-remediation-executor-executor",
      "x-remediation-review-executor",
      "shadow-x-remediation-executor",
      `${"a".repeat(45)}-remediation-executor`,
    ];
    for (const n of executors) assert.ok(parseExecutorUsername("ai-agents", `system:serviceaccount:ai-agents:${n}`), n);
    for (const n of impostors)
      assert.equal(parseExecutorUsername("ai-agents", `system:serviceaccount:ai-agents:${n}`), undefined, n);
    const expr = isExecutorName("n");
    for (const part of ["n.size() <= 63", 'n.endsWith("-executor")', 'n.split("-").size() >= 3', ".size() == 1"])
      assert.ok(expr.includes(part), part);
  });
});
