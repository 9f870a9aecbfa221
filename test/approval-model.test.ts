/**
 * The approval contract (src/model/approval.ts, the catalog's third list, the executor and review names): what
 * may wait for a person never overlaps what is never allowed, and every name parses back to exactly its maker.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { APPROVABLE_ACTION_IDS, isDrasticScaleDown } from "../src/model/approval";
import { approvableAction, CATALOG, executorRules, phaseAllows } from "../src/model/catalog";
import { CLUSTER_ONLY_RESOURCES, FORBIDDEN_RESOURCES, NO_WRITE_RESOURCES } from "../src/model/forbidden";
import {
  executorUsername,
  investigationOfPod,
  parseAgentUsername,
  parseExecutorUsername,
  reviewName,
} from "../src/model/naming";
import { PHASES } from "../src/model/phases";

test("only phases that write have approvable actions, and remediation can delete a deployment with approval", () => {
  const withApprovals = PHASES.filter((p) => CATALOG[p].approvable.length > 0);
  assert.deepEqual(withApprovals, ["remediation", "autonomous"]);
  for (const p of PHASES) if (CATALOG[p].readOnly) assert.equal(CATALOG[p].approvable.length, 0, p);
  assert.equal(approvableAction("remediation", "delete", "apps", "deployments")?.id, "delete-deployment");
  assert.equal(approvableAction("assist", "delete", "apps", "deployments"), undefined);
  assert.equal(approvableAction("remediation", "delete", "", "persistentvolumeclaims"), undefined);
  assert.equal(approvableAction("autonomous", "delete", "", "persistentvolumeclaims")?.id, "delete-pvc");
});

test("the never-list stays never: no approvable action touches secrets, RBAC, identities or cluster objects", () => {
  const never = new Set<string>([...FORBIDDEN_RESOURCES, ...NO_WRITE_RESOURCES, ...CLUSTER_ONLY_RESOURCES]);
  const actions = PHASES.flatMap((p) => CATALOG[p].approvable);
  assert.ok(actions.length >= 4, "the catalog lists approvable actions");
  for (const a of actions) {
    assert.ok(!never.has(a.resource.resource), `${a.id} touches ${a.resource.resource}`);
    assert.ok(!["rbac.authorization.k8s.io", "admissionregistration.k8s.io"].includes(a.resource.apiGroup), a.id);
    assert.ok((APPROVABLE_ACTION_IDS as readonly string[]).includes(a.id));
  }
});

test("an approvable action is never something the phase may already do alone", () => {
  let checked = 0;
  for (const p of PHASES)
    for (const a of CATALOG[p].approvable)
      for (const verb of a.verbs) {
        if (a.id === "scale-down") continue; // the phase may scale within bounds; the cut beyond them waits
        checked++;
        assert.ok(!phaseAllows(p, verb, a.resource.apiGroup, a.resource.resource), `${p} ${verb} ${a.id}`);
      }
  assert.ok(checked >= 4);
});

test("executor rules are exactly the approvable verbs, narrowed like the phase's writes", () => {
  assert.deepEqual(executorRules("shadow"), []);
  const rules = executorRules("remediation", { deployments: ["web", "api"] });
  assert.deepEqual(rules, [
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["delete"], resourceNames: ["api", "web"] },
    { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"], resourceNames: ["api", "web"] },
    { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["update"], resourceNames: ["api", "web"] },
  ]);
  const auto = executorRules("autonomous");
  assert.equal(auto.length, 5);
  assert.ok(auto.every((r) => r.resourceNames === undefined));
});

test("drastic scale-downs: to zero, under the minimum, or beyond the step factor; never a scale-up", () => {
  const b = { minReplicas: 1, maxStepFactor: 2 };
  assert.equal(isDrasticScaleDown(4, 0, b), true);
  assert.equal(isDrasticScaleDown(4, 1, b), true);
  assert.equal(isDrasticScaleDown(4, 2, b), false);
  assert.equal(isDrasticScaleDown(4, 3, b), false);
  assert.equal(isDrasticScaleDown(4, 8, b), false);
  assert.equal(isDrasticScaleDown(4, 100, b), false);
  assert.equal(isDrasticScaleDown(3, 2, { minReplicas: 3, maxStepFactor: 2 }), true);
});

const agentArb = fc
  .array(fc.constantFrom("a", "b", "x", "db", "web", "log", "9"), { minLength: 1, maxLength: 4 })
  .map((s) => s.join("-"));
const phaseArb = fc.constantFrom(...PHASES);

test("executor and agent usernames parse back to exactly their agent and phase, and never to another's", () => {
  fc.assert(
    fc.property(agentArb, phaseArb, agentArb, phaseArb, (a, p, b, q) => {
      const u = executorUsername("ai-agents", a, p);
      assert.deepEqual(parseExecutorUsername("ai-agents", u), { agent: a, phase: p });
      assert.equal(parseExecutorUsername("other", u), undefined);
      assert.equal(parseAgentUsername("ai-agents", u), undefined);
      assert.equal(u, `system:serviceaccount:ai-agents:${a}-${p}-executor`);
      const sa = `system:serviceaccount:ai-agents:${a}-${p}`;
      assert.deepEqual(parseAgentUsername("ai-agents", sa), { agent: a, phase: p });
      assert.equal(parseExecutorUsername("ai-agents", sa), undefined);
      if (a !== b || p !== q) assert.notEqual(u, executorUsername("ai-agents", b, q));
    }),
  );
  for (const bad of [
    "system:serviceaccount:ai-agents:",
    "system:serviceaccount:ai-agents:shadow-executor",
    "system:serviceaccount:ai-agents:a-shadow-x",
    "system:serviceaccount:ai-agents:a-shadow-executor-x",
    "system:serviceaccount:ai-agents:A-shadow-executor",
    "system:serviceaccount:ai-agents:a--shadow-executor",
    "system:serviceaccount:ai-agents:a-shadow",
    "system:serviceaccount:other:a-shadow-executor",
    "system:serviceaccount:ai-agents:a-shadow-executor ",
  ])
    assert.equal(parseExecutorUsername("ai-agents", bad), undefined, bad);
  assert.equal(parseAgentUsername("ai-agents", "system:serviceaccount:ai-agents:a-remediation-self"), undefined);
  assert.equal(
    parseAgentUsername("ai-agents", "system:serviceaccount:ai-agents:agent-trust-approval-proxy"),
    undefined,
  );
  assert.throws(() => executorUsername("ai-agents", "x-shadow", "assist"), /phase word/);
});

test("review names and the investigation of a pod", () => {
  assert.equal(reviewName("triage", "remediation", "k3x9q"), "triage-remediation-review-k3x9q");
  assert.throws(() => reviewName("triage", "remediation", "UPPER"), /DNS label/);
  assert.equal(investigationOfPod("triage", "remediation", "triage-remediation-inc-42-abcde"), "inc-42");
  assert.equal(investigationOfPod("triage", "remediation", "triage-assist-inc-42-abcde"), undefined);
  assert.equal(investigationOfPod("triage", "remediation", "other-remediation-inc-42-abcde"), undefined);
  assert.equal(investigationOfPod("triage", "remediation", "triage-remediation"), undefined);
});
