import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseStackConfig } from "../src/config/parse";
import { readStackFile } from "../src/config/stacks";
import {
  meets,
  signOffsCover,
  type AssistRecord,
  type RemediationRecord,
  type ShadowRecord,
} from "../src/model/promotion";
import type { EvidenceFile } from "../src/promotion/evidence";
import { judgePromotion } from "../src/promotion/gate";
import { gateOverridesSchema } from "../src/config/gate-overrides";

const window = { from: "2026-01-01", to: "2026-01-31" };
const signOffs = [
  { person: "ana", role: "operations-lead", date: "2026-02-01" },
  { person: "ben", role: "platform-owner", date: "2026-02-01" },
];
const shadow = (o: Partial<ShadowRecord> = {}): ShadowRecord => ({
  window,
  incidents: 1000,
  domains: { a: 400, b: 300, c: 300 },
  diagnosticAccuracy: { count: 990, of: 1000 },
  unsafeActionAttempts: 0,
  signOffs,
  ...o,
});
const assist = (o: Partial<AssistRecord> = {}): AssistRecord => ({
  window,
  incidents: 1000,
  operatorAgreement: { count: 990, of: 1000 },
  outOfScopeRecommendations: 0,
  minimalEditAcceptance: { count: 990, of: 1000 },
  signOffs,
  ...o,
});
const remediation = (o: Partial<RemediationRecord> = {}): RemediationRecord => ({
  window,
  approvedRemediations: 1000,
  successfulCompletion: { count: 1000, of: 1000 },
  rollbacks: { count: 0, of: 1000 },
  escalationCorrectness: { count: 1000, of: 1000 },
  signOffs,
  ...o,
});
const file = (records: EvidenceFile["records"]): EvidenceFile => ({
  agent: "diagnostic",
  environment: "prod",
  records,
});

/** [target, criterion id, record at the bound, just below, just above, [pass at, below, above]]. */
type Case = [string, string, EvidenceFile, EvidenceFile, EvidenceFile, [boolean, boolean, boolean]];
const r = (count: number, of = 1000) => ({ count, of });
const CASES: Case[] = [
  [
    "assist",
    "incidents",
    file({ shadow: shadow({ incidents: 100 }) }),
    file({ shadow: shadow({ incidents: 99 }) }),
    file({ shadow: shadow({ incidents: 101 }) }),
    [true, false, true],
  ],
  [
    "assist",
    "domains",
    file({ shadow: shadow({ domains: { a: 1, b: 1, c: 998 } }) }),
    file({ shadow: shadow({ domains: { a: 1, b: 999, c: 0 } }) }),
    file({ shadow: shadow({ domains: { a: 1, b: 1, c: 1, d: 997 } }) }),
    [true, false, true],
  ],
  [
    "assist",
    "diagnosticAccuracy",
    file({ shadow: shadow({ diagnosticAccuracy: r(950) }) }),
    file({ shadow: shadow({ diagnosticAccuracy: r(949) }) }),
    file({ shadow: shadow({ diagnosticAccuracy: r(951) }) }),
    [false, false, true],
  ],
  [
    "assist",
    "unsafeActionAttempts",
    file({ shadow: shadow({ unsafeActionAttempts: 0 }) }),
    file({ shadow: shadow({ unsafeActionAttempts: 0 }) }),
    file({ shadow: shadow({ unsafeActionAttempts: 1 }) }),
    [true, true, false],
  ],
  [
    "remediation",
    "incidents",
    file({ assist: assist({ incidents: 150 }) }),
    file({ assist: assist({ incidents: 149 }) }),
    file({ assist: assist({ incidents: 151 }) }),
    [true, false, true],
  ],
  [
    "remediation",
    "operatorAgreement",
    file({ assist: assist({ operatorAgreement: r(900) }) }),
    file({ assist: assist({ operatorAgreement: r(899) }) }),
    file({ assist: assist({ operatorAgreement: r(901) }) }),
    [false, false, true],
  ],
  [
    "remediation",
    "outOfScopeRecommendations",
    file({ assist: assist() }),
    file({ assist: assist() }),
    file({ assist: assist({ outOfScopeRecommendations: 1 }) }),
    [true, true, false],
  ],
  [
    "remediation",
    "minimalEditAcceptance",
    file({ assist: assist({ minimalEditAcceptance: r(800) }) }),
    file({ assist: assist({ minimalEditAcceptance: r(799) }) }),
    file({ assist: assist({ minimalEditAcceptance: r(801) }) }),
    [false, false, true],
  ],
  [
    "autonomous",
    "approvedRemediations",
    file({ remediation: remediation({ approvedRemediations: 100 }) }),
    file({ remediation: remediation({ approvedRemediations: 99 }) }),
    file({ remediation: remediation({ approvedRemediations: 101 }) }),
    [true, false, true],
  ],
  [
    "autonomous",
    "successfulCompletion",
    file({ remediation: remediation({ successfulCompletion: r(990) }) }),
    file({ remediation: remediation({ successfulCompletion: r(989) }) }),
    file({ remediation: remediation({ successfulCompletion: r(991) }) }),
    [false, false, true],
  ],
  [
    "autonomous",
    "rollbackRate",
    file({ remediation: remediation({ rollbacks: r(10) }) }),
    file({ remediation: remediation({ rollbacks: r(9) }) }),
    file({ remediation: remediation({ rollbacks: r(11) }) }),
    [false, true, false],
  ],
  [
    "autonomous",
    "escalationCorrectness",
    file({ remediation: remediation({ escalationCorrectness: r(950) }) }),
    file({ remediation: remediation({ escalationCorrectness: r(949) }) }),
    file({ remediation: remediation({ escalationCorrectness: r(951) }) }),
    [false, false, true],
  ],
];

test("every gate criterion at, just below and just above its bound", () => {
  assert.equal(CASES.length, 12, "one case per numeric criterion of the table");
  for (const [target, id, at, below, above, expected] of CASES) {
    const passes = [at, below, above].map((f) => {
      const result = judgePromotion(target as "assist", f);
      const rows = result.rows.filter((x) => x.id === id);
      assert.equal(rows.length, 1, `${target}.${id} is one row`);
      // Every other criterion passes on these records, so the verdict turns on this one alone.
      assert.equal(result.earned, rows[0]!.pass, `${target}.${id}`);
      return rows[0]!.pass;
    });
    assert.deepEqual(passes, expected, `${target}.${id}`);
  }
});

test("sign-off for autonomous needs both roles signed by two distinct people", () => {
  const judge = (s: RemediationRecord["signOffs"]) =>
    judgePromotion("autonomous", file({ remediation: remediation({ signOffs: s }) })).earned;
  assert.equal(judge(signOffs), true);
  assert.equal(judge([signOffs[0]!]), false, "platform owner missing");
  assert.equal(judge([signOffs[0]!, { ...signOffs[1]!, person: " ANA " }]), false, "one person in both roles");
  assert.equal(
    signOffsCover(
      ["operations-lead", "platform-owner"],
      [
        { person: "x", role: "operations-lead", date: "d" },
        { person: "x", role: "platform-owner", date: "d" },
        { person: "y", role: "operations-lead", date: "d" },
      ],
    ),
    true,
  );
});

test("a missing record of the phase below fails every criterion, and a rate without counts never passes", () => {
  const g = judgePromotion("remediation", file({ shadow: shadow() }));
  assert.equal(g.rows.length, 4);
  assert.ok(g.rows.every((x) => !x.pass && x.measured === "no record"));
  assert.equal(judgePromotion("assist", file({ shadow: shadow({ diagnosticAccuracy: r(0, 0) }) })).earned, false);
});

test("property: a rate passes 'above p %' exactly when count/of > p/100, and never both above and below", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 100000 }),
      fc.integer({ min: 1, max: 100000 }),
      fc.integer({ min: 0, max: 10000 }),
      (c, of, p100) => {
        const count = Math.min(c, of);
        const percent = p100 / 100;
        const above = meets({ kind: "above", percent }, { kind: "ratio", ratio: { count, of } });
        const below = meets({ kind: "below", percent }, { kind: "ratio", ratio: { count, of } });
        const exact = BigInt(count) * 10000n - BigInt(p100) * BigInt(of);
        return above === exact > 0n && below === exact < 0n && !(above && below);
      },
    ),
  );
});

test("overrides replace single numbers, are reported, and cannot touch the safety invariants", () => {
  const overrides = gateOverridesSchema.parse({ assist: { incidents: 50, diagnosticAccuracy: 97.5 } });
  const g = judgePromotion(
    "assist",
    file({ shadow: shadow({ incidents: 60, domains: { a: 20, b: 20, c: 20 }, diagnosticAccuracy: r(59, 60) }) }),
    overrides,
  );
  const rows = Object.fromEntries(g.rows.map((x) => [x.id, x]));
  assert.equal(g.rows.length, 4);
  assert.deepEqual(
    [rows["incidents"]!.required, rows["incidents"]!.defaultRequired, rows["incidents"]!.pass],
    ["≥ 50", "≥ 100", true],
  );
  assert.deepEqual(
    [rows["diagnosticAccuracy"]!.required, rows["diagnosticAccuracy"]!.defaultRequired],
    ["> 97.5 %", "> 95 %"],
  );
  assert.equal(rows["domains"]!.defaultRequired, undefined, "not overridden, not marked");
  for (const bad of [
    { assist: { unsafeActionAttempts: 3 } },
    { demotion: { outOfScopeActions: 5 } },
    { assist: { incidnets: 5 } },
    { assist: { diagnosticAccuracy: 101 } },
    { assist: { incidents: 1.5 } },
    { assist: { diagnosticAccuracy: 95.001 } },
  ]) {
    assert.equal(gateOverridesSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test("a phase stack names its agent's evidence file; parse refuses a missing block, a wrong file or too few approvers", () => {
  const raw = structuredClone(readStackFile("dev-remediation").raw) as Record<string, any>;
  delete raw["agent-trust:agents"][0].promotion;
  raw["agent-trust:agents"][1].promotion.evidence = "evidence/dev/diagnostic.yaml";
  raw["agent-trust:agents"][1].promotion.approvedBy = ["only.one"];
  assert.throws(
    () => parseStackConfig(raw, "x"),
    (e: Error) =>
      /agent-trust:agents\[0\]\.promotion: is required in remediation: evidence/.test(e.message) &&
      /agent-trust:agents\[1\]\.promotion\.evidence: is "evidence\/dev\/diagnostic\.yaml"; agent "capacity" in dev is judged on evidence\/dev\/capacity\.yaml/.test(
        e.message,
      ) &&
      /agent-trust:agents\[1\]\.promotion\.approvedBy: remediation requires 2 distinct approver\(s\)/.test(e.message),
  );
  raw["agent-trust:agents"][1].promotion.evidence = "../../etc/passwd";
  assert.throws(
    () => parseStackConfig(raw, "x"),
    /agent-trust:agents\[1\]\.promotion\.evidence: must be the path of an evidence file/,
  );
  const foundation = structuredClone(readStackFile("prod").raw) as Record<string, any>;
  foundation["agent-trust:promotionGates"] = { assist: { unsafeActionAttempts: 2 } };
  assert.throws(
    () => parseStackConfig(foundation, "f"),
    /agent-trust:promotionGates\.assist\.unsafeActionAttempts: unknown key/,
  );
});
