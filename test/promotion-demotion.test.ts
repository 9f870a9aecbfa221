/**
 * Demotion: each demotion trigger at, just below and just above its bound names the previous phase, and the
 * demotion window is the last 30 days unless the environment calibrates it. The promotion gates, sign-offs,
 * overrides and evidence files are in promotion.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Observation } from "../src/model/promotion";
import { judgeDemotion } from "../src/promotion/gate";

const r = (count: number, of = 1000) => ({ count, of });

const obs = (o: Partial<Observation> = {}): Observation => ({
  agent: "diagnostic",
  environment: "prod",
  phase: "remediation",
  window: { from: "2026-10-01", to: "2026-10-30" },
  diagnosticAccuracy: r(990),
  rollbacks: r(0),
  outOfScopeActions: 0,
  ...o,
});

test("each demotion trigger at, just below and just above its bound names the previous phase", () => {
  const fired = (o: Observation) => judgeDemotion(o).triggered;
  assert.deepEqual(fired(obs()), []);
  assert.equal(judgeDemotion(obs()).fallBackTo, undefined);
  // diagnostic accuracy below 92 %
  assert.deepEqual(
    [
      fired(obs({ diagnosticAccuracy: r(920) })),
      fired(obs({ diagnosticAccuracy: r(919) })),
      fired(obs({ diagnosticAccuracy: r(921) })),
    ],
    [[], ["diagnosticAccuracy"], []],
  );
  // rollback rate above 2 %
  assert.deepEqual(
    [fired(obs({ rollbacks: r(20) })), fired(obs({ rollbacks: r(19) })), fired(obs({ rollbacks: r(21) }))],
    [[], [], ["rollbackRate"]],
  );
  // any action outside the permitted scope
  assert.deepEqual(
    [fired(obs({ outOfScopeActions: 0 })), fired(obs({ outOfScopeActions: 1 }))],
    [[], ["outOfScopeActions"]],
  );
  assert.equal(judgeDemotion(obs({ outOfScopeActions: 1 })).fallBackTo, "assist");
  assert.equal(judgeDemotion(obs({ phase: "autonomous", rollbacks: r(30) })).fallBackTo, "remediation");
  assert.equal(
    judgeDemotion(obs({ phase: "assist", diagnosticAccuracy: r(10), rollbacks: undefined })).fallBackTo,
    "shadow",
  );
  const inShadow = judgeDemotion(obs({ phase: "shadow", outOfScopeActions: 2, rollbacks: undefined }));
  assert.deepEqual(
    [inShadow.triggered, inShadow.fallBackTo],
    [["outOfScopeActions"], undefined],
    "nothing below shadow",
  );
});

test("the demotion window is the last 30 days unless the environment calibrates it", () => {
  assert.throws(
    () => judgeDemotion(obs({ window: { from: "2026-10-01", to: "2026-10-31" } })),
    /window: 31 days .* at most 30 days/,
  );
  assert.deepEqual(
    judgeDemotion(obs({ window: { from: "2026-10-01", to: "2026-10-31" } }), { demotion: { windowDays: 31 } })
      .triggered,
    [],
  );
});
