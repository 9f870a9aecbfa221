/**
 * What the program renders passes its own rules: all 15 stacks, through the checker (in memory, and from the
 * YAML files `agent-trust render` writes) and through the pack, with zero mandatory violations. The only rule
 * that may refuse a rendered stack is the phase ceiling, and exactly for the phases above their environment's.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { checkDocuments } from "../src/check";
import { runCheckCli } from "../src/check/cli";
import { captureIo } from "../src/cli/io";
import { listStacks } from "../src/config/stacks";
import { isAbove } from "../src/model/phases";
import { renderStack, writeRendered } from "../src/render";
import { RULES } from "../src/rules";
import { DEFAULT_CEILINGS } from "../src/rules/stack";
import { packResource, packStack, pulumiResourceOf } from "./rules-harness";
import { tempDir } from "./helpers/tmp";

const stacks = listStacks();

describe("rendered stacks pass the rules", () => {
  test("there are 15 stacks", () => assert.equal(stacks.length, 15));

  for (const name of stacks) {
    const r = renderStack(name);
    const objects = [...r.kubernetes, ...r.vault];
    const cfg = r.config;

    test(`${name}: the checker (--stack) finds no violation at all`, () => {
      const given =
        cfg.layer === "phase"
          ? { phase: cfg.phase, env: cfg.environment }
          : { env: cfg.environment, layer: "foundation" as const };
      const result = checkDocuments(objects, { stack: true, ...given });
      // The only findings: the advisory listing of kinds no rule reads, exactly the kinds passed over.
      assert.deepEqual(
        result.violations.filter((v) => v.policy !== "unjudged-resource-types"),
        [],
      );
      const listed = result.violations.map((v) => v.message.replace(/^no rule reads (\S+) .*/, "$1")).sort();
      assert.deepEqual(listed, Object.keys(result.passedOver).sort());
      assert.ok(result.violations.every((v) => v.enforcement === "advisory"));
    });

    test(`${name}: the pack finds no mandatory violation but the ceiling where the phase is above it`, async () => {
      const stack = {
        layer: cfg.layer,
        environment: cfg.environment,
        namespace: cfg.namespace,
        ...(cfg.layer === "phase" ? { phase: cfg.phase } : { phaseCeiling: cfg.phaseCeiling }),
      };
      const found: string[] = [];
      for (const rule of RULES) {
        const out =
          rule.scope === "resource"
            ? (
                await Promise.all(
                  objects.map(pulumiResourceOf).map((p) => packResource(rule.name, p.type, p.props, stack)),
                )
              ).flat()
            : await packStack(rule.name, objects, stack);
        found.push(...out.filter((o) => o.level === "mandatory").map((o) => `${rule.name}: ${o.message}`));
      }
      const above = cfg.layer === "phase" && isAbove(cfg.phase, DEFAULT_CEILINGS[cfg.environment]);
      assert.deepEqual(
        found.map((f) => f.split(":")[0]),
        above ? ["phase-within-environment-ceiling"] : [],
        found.join("\n"),
      );
    });
  }

  test("agent-trust check over the rendered files of every stack exits 0", () => {
    const out = tempDir("agent-trust-rendered-");
    for (const name of stacks) writeRendered(renderStack(name), path.join(out, name));
    // All phase stacks in one run, and all foundations in another (only a foundation may hold its admission policies).
    const layerOf = (name: string) => renderStack(name).config.layer;
    for (const layer of ["phase", "foundation"] as const) {
      const dirs = stacks.filter((n) => layerOf(n) === layer).map((n) => path.join(out, n));
      assert.ok(dirs.length >= 3, `${layer}: ${dirs.length} stacks`);
      const io = captureIo();
      assert.equal(
        runCheckCli(["--trust-labels", "--layer", layer, ...dirs], io),
        0,
        io.stdout.join("\n") + io.stderr.join("\n"),
      );
    }
    for (const name of stacks) {
      const one = captureIo();
      const cfg = renderStack(name).config;
      const given = cfg.layer === "phase" ? ["--phase", cfg.phase] : ["--layer", "foundation"];
      assert.equal(
        runCheckCli(["--stack", ...given, "--env", cfg.environment, path.join(out, name)], one),
        0,
        one.stdout.join("\n"),
      );
    }
  });
});
