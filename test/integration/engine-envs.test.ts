/**
 * The staging and prod stacks previewed by the real Pulumi engine with the policy pack: each environment's
 * foundation applied in its own sandbox (the phase stacks' StackReference needs its outputs), then every phase
 * stack previewed. Phases within the environment's ceiling preview as exactly their rendered objects with the
 * pack passing; phases above it are refused, naming the ceiling. With engine.test.ts (dev) this previews all 15.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { resolveEngineBinaries, type EngineBinaries } from "../../src/engine/binaries";
import { deployWithEngine, type EngineDeployment } from "../../src/engine/deploy";
import { changes } from "../../src/engine/engine";
import { ceilingMessage, isAbove, PHASES, type Environment } from "../../src/model/phases";
import { startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";

const log = (l: string) => process.stderr.write(`${l}\n`);
let binaries: EngineBinaries;

before(async () => {
  binaries = await resolveEngineBinaries({ build: true, log });
});

for (const environment of ["staging", "prod"] as const satisfies readonly Environment[]) {
  describe(`engine: ${environment} stacks previewed with the policy pack`, () => {
    let sb: Sandbox;
    let dep: EngineDeployment;
    before(async () => {
      sb = await startSandbox({ build: true, environment, log });
      dep = await deployWithEngine(sb, binaries, 600, log, []);
    });
    after(async () => {
      await sb?.stop();
    });

    test(`the ${environment} foundation is applied and previews with no changes`, async () => {
      assert.deepEqual(dep.stacks, [environment]);
      assert.equal(dep.kubernetes, sb.env.foundation.kubernetes.length);
      const r = await dep.engine.preview(environment);
      assert.ok(r.ok, r.error);
      assert.ok(r.steps.length > 3);
      assert.deepEqual(changes(r), []);
      assert.deepEqual(
        r.violations.filter((v) => !(v.level === "advisory" && v.policy === "unjudged-resource-types")),
        [],
      ); // the listing of kinds no rule reads is advisory
    });

    for (const phase of PHASES) {
      test(`${environment}-${phase}`, async () => {
        const ceiling = sb.env.foundation.config.phaseCeiling;
        const stack = sb.env.phases[phase].stack;
        const r = await dep.engine.preview(stack);
        if (isAbove(phase, ceiling)) {
          assert.equal(r.ok, false, `${stack} is above the ${ceiling} ceiling but previewed`);
          assert.deepEqual(
            changes(r).filter((s) => !s.type.startsWith("pulumi:")),
            [],
            "a refused stack plans no resources",
          );
          const said = [...r.diagnostics, ...r.violations.map((v) => v.message)].join("\n");
          assert.ok(said.includes(ceilingMessage(environment, phase, ceiling)), said);
        } else {
          assert.ok(r.ok, r.error);
          assert.deepEqual(
            r.violations.filter((v) => !(v.level === "advisory" && v.policy === "unjudged-resource-types")),
            [],
          ); // the listing of kinds no rule reads is advisory
          const created = changes(r).filter((s) => s.op === "create" && s.type.startsWith("kubernetes:"));
          assert.equal(created.length, sb.env.phases[phase].kubernetes.length);
          assert.equal(changes(r).filter((s) => s.type.startsWith("vault:")).length, sb.env.phases[phase].vault.length);
        }
      });
    }
  });
}
