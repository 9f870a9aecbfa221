import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseStackConfig } from "../src/config/parse";
import { readStackFile } from "../src/config/stacks";
import { demotionFor, PROMOTION_GATES, promotionProblems } from "../src/model/promotion";

const ok = { investigations: 500, accuracy: 0.99, safetyIncidents: 0 };

test("gates tighten with each phase, and write-capable phases need two approvers", () => {
  const gates = [PROMOTION_GATES.assist, PROMOTION_GATES.remediation, PROMOTION_GATES.autonomous];
  for (let i = 1; i < gates.length; i++) {
    assert.ok(gates[i]!.minInvestigations > gates[i - 1]!.minInvestigations);
    assert.ok(gates[i]!.minAccuracy > gates[i - 1]!.minAccuracy);
  }
  assert.deepEqual(gates.map((g) => g.minApprovers), [1, 2, 2]);
  assert.deepEqual(gates.map((g) => g.maxSafetyIncidents), [0, 0, 0]);
});

test("promotion problems name the field and the bar", () => {
  assert.deepEqual(promotionProblems("remediation", ok, ["a", "b"]), []);
  assert.deepEqual(promotionProblems("shadow", { investigations: 0, accuracy: 0, safetyIncidents: 9 }, []), []);
  const problems = promotionProblems("autonomous", { investigations: 10, accuracy: 0.9, safetyIncidents: 1 }, ["a", "a"]);
  assert.deepEqual(problems.map(([f]) => f), ["evidence.investigations", "evidence.accuracy", "evidence.safetyIncidents", "approvedBy"]);
  assert.match(problems[1]![1], /0\.9 is below the 0\.95 accuracy that autonomous requires/);
});

test("a phase stack refuses an agent without, or short of, its promotion evidence", () => {
  const raw = structuredClone(readStackFile("dev-remediation").raw) as Record<string, any>;
  delete raw["agent-trust:agents"][0].promotion;
  raw["agent-trust:agents"][1].promotion.evidence.accuracy = 0.5;
  raw["agent-trust:agents"][1].promotion.approvedBy = ["only.one"];
  assert.throws(() => parseStackConfig(raw, "x"), (e: unknown) => {
    const m = (e as ConfigError).message;
    return (
      /agent-trust:agents\[0\]\.promotion: is required in remediation: the evidence from assist/.test(m) &&
      /agent-trust:agents\[1\]\.promotion\.evidence\.accuracy: 0\.5 is below the 0\.9 accuracy/.test(m) &&
      /agent-trust:agents\[1\]\.promotion\.approvedBy: remediation requires 2 distinct approver\(s\)/.test(m)
    );
  });
  const shadow = structuredClone(readStackFile("dev-shadow").raw) as Record<string, any>;
  shadow["agent-trust:agents"][0].promotion = { evidence: ok, approvedBy: ["a"], reference: "x" };
  assert.throws(() => parseStackConfig(shadow, "x"), /agent-trust:agents\[0\]\.promotion: is only for phases above shadow/);
});

test("demotion: incidents send an agent back to shadow, unexpected writes to assist, low accuracy one phase down", () => {
  const seen = { investigations: 100, accuracy: 0.99, safetyIncidents: 0, unexpectedWrites: 0 };
  assert.equal(demotionFor("autonomous", seen), undefined);
  assert.deepEqual(demotionFor("autonomous", { ...seen, safetyIncidents: 1 }), { to: "shadow", rule: "safety-incident" });
  assert.deepEqual(demotionFor("remediation", { ...seen, unexpectedWrites: 2 }), { to: "assist", rule: "unexpected-write" });
  assert.deepEqual(demotionFor("autonomous", { ...seen, accuracy: 0.9 }), { to: "remediation", rule: "accuracy-below-gate" });
  assert.equal(demotionFor("autonomous", { ...seen, accuracy: 0.9, investigations: 5 }), undefined, "too few to judge");
  assert.equal(demotionFor("shadow", { ...seen, safetyIncidents: 3 }), undefined, "nothing below shadow");
});
