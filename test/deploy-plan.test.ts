/**
 * The deploy plan (src/ci/deploys.ts): every deployable stack changed since its own last successful deploy (its
 * `deployed/<stack>` tag), in deploy order; a stack without a usable record is deployed. Property-tested over any
 * records and any changed files, and read from a scratch git repository's tags as the deploy job does.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { changedStacks, deployOrder, readDeployRecords, stackInfo } from "../src/ci/changed";
import { planDeploys, type DeployInputs } from "../src/ci/deploys";
import { projectRoot } from "../src/config/stacks";
import { tempDir } from "./helpers/tmp";

const ROOT = projectRoot();
const INFO = stackInfo(ROOT);
const ORDER = deployOrder(INFO).map((s) => s.stack);
const DEPLOYABLE = new Set(INFO.filter((s) => s.deployable).map((s) => s.stack));
const FILES = [
  "src/index.ts",
  "README.md",
  "docs/promotion.md",
  ...INFO.map((s) => `stacks/Pulumi.${s.stack}.yaml`),
  ...["dev", "staging", "prod"].flatMap((e) =>
    ["capacity", "diagnostic", "remediation"].map((a) => `evidence/${e}/${a}.yaml`),
  ),
];
const COMMITS = ["c0", "c1", "c2", "c3"];

/** Any records (a stack recorded at one of a few commits, or not at all) and, per commit, any changed files (or not an ancestor). */
const inputs: fc.Arbitrary<DeployInputs> = fc.record({
  records: fc.record(
    Object.fromEntries(
      INFO.map((s) => [s.stack, fc.option(fc.constantFrom(...COMMITS), { nil: undefined })]),
    ) as Record<string, fc.Arbitrary<string | undefined>>,
  ),
  changedSince: fc.record(
    Object.fromEntries(COMMITS.map((c) => [c, fc.option(fc.subarray(FILES), { nil: undefined, freq: 6 })])) as Record<
      string,
      fc.Arbitrary<string[] | undefined>
    >,
  ),
});

test("property: never skips a deployable stack changed since its record, nor one without a usable record", () => {
  fc.assert(
    fc.property(inputs, (i) => {
      const plan = new Set(planDeploys(INFO, i).stacks);
      for (const s of DEPLOYABLE) {
        const commit = i.records[s];
        const files = commit === undefined ? undefined : i.changedSince[commit];
        if (files === undefined || changedStacks(files, INFO).includes(s))
          assert.ok(plan.has(s), `${s} (record ${commit}, files ${JSON.stringify(files)}) skipped`);
      }
    }),
    { numRuns: 300 },
  );
});

test("property: deploys nothing else — only deployable stacks, each changed since its record or unrecorded", () => {
  fc.assert(
    fc.property(inputs, (i) => {
      for (const s of planDeploys(INFO, i).stacks) {
        assert.ok(DEPLOYABLE.has(s), `${s} is above its environment's ceiling`);
        const commit = i.records[s];
        const files = commit === undefined ? undefined : i.changedSince[commit];
        assert.ok(
          files === undefined || changedStacks(files, INFO).includes(s),
          `${s} deployed without a change since ${commit}`,
        );
      }
    }),
    { numRuns: 300 },
  );
});

test("property: the plan keeps the deploy order (dev → staging → prod, each foundation before its phases)", () => {
  fc.assert(
    fc.property(inputs, (i) => {
      const plan = planDeploys(INFO, i);
      const at = plan.stacks.map((s) => ORDER.indexOf(s));
      assert.ok(
        at.every((x, k) => x >= 0 && (k === 0 || at[k - 1]! < x)),
        plan.stacks.join(", "),
      );
      assert.deepEqual(
        plan.phaseStacks,
        plan.stacks.filter((s) => INFO.find((x) => x.stack === s)!.phase !== undefined),
      );
    }),
    { numRuns: 300 },
  );
});

test("property: a foundation changed since a phase stack's record redeploys that phase stack (and the foundation)", () => {
  fc.assert(
    fc.property(inputs, fc.constantFrom("dev", "staging", "prod"), fc.constantFrom(...COMMITS), (i, env, commit) => {
      const files = [...(i.changedSince[commit] ?? []), `stacks/Pulumi.${env}.yaml`];
      const records = Object.fromEntries(
        INFO.map((s) => [s.stack, s.environment === env ? commit : i.records[s.stack]]),
      );
      const plan = planDeploys(INFO, { records, changedSince: { ...i.changedSince, [commit]: files } }).stacks;
      const ofEnv = INFO.filter((s) => s.environment === env && s.deployable).map((s) => s.stack);
      assert.ok(ofEnv.length >= 3);
      for (const s of ofEnv) assert.ok(plan.includes(s), `${s} not redeployed after its foundation changed`);
      assert.equal(
        plan.find((s) => ofEnv.includes(s)),
        env,
        "the foundation first",
      );
    }),
    { numRuns: 200 },
  );
});

test("a run replaced in the queue: its push's stacks are still deployed by the next run (their tags never moved)", () => {
  const recorded = Object.fromEntries(INFO.map((s) => [s.stack, "c0"]));
  // Push 1 (c1) changed prod-assist and its run was replaced; push 2 (c2) changed dev-shadow. The run at c2 diffs
  // every stack from c0, its own record, not from c1.
  const plan = planDeploys(INFO, {
    records: recorded,
    changedSince: { c0: ["stacks/Pulumi.prod-assist.yaml", "stacks/Pulumi.dev-shadow.yaml"] },
  });
  assert.deepEqual(plan.stacks, ["dev-shadow", "prod-assist"]);
  assert.deepEqual(plan.reasons, { "dev-shadow": "changed since c0", "prod-assist": "changed since c0" });
  // A first deploy (no tags) deploys every deployable stack; nothing changed since every record deploys nothing.
  assert.deepEqual(
    planDeploys(INFO, { records: {}, changedSince: {} }).stacks,
    ORDER.filter((s) => DEPLOYABLE.has(s)),
  );
  assert.deepEqual(planDeploys(INFO, { records: recorded, changedSince: { c0: ["README.md"] } }).stacks, []);
});

test("readDeployRecords: the deployed/<stack> tags of a git repository, a tag outside HEAD's history counting as none", () => {
  const dir = tempDir("agent-trust-deploy-records-");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: dir,
      encoding: "utf8",
    }).trim();
  try {
    git("init", "-q", "-b", "main");
    fs.cpSync(path.join(ROOT, "stacks"), path.join(dir, "stacks"), { recursive: true });
    git("add", ".");
    git("commit", "-qm", "base");
    const base = git("rev-parse", "HEAD");
    // An orphan commit (history rewritten away) recorded for staging.
    git("checkout", "-q", "--orphan", "gone");
    git("commit", "-qm", "gone");
    const gone = git("rev-parse", "HEAD");
    git("checkout", "-q", "main");
    for (const s of INFO.filter((x) => x.environment === "dev")) git("tag", `deployed/${s.stack}`, base);
    git("tag", "deployed/staging", gone);
    const file = path.join(dir, "stacks", "Pulumi.dev-assist.yaml");
    fs.appendFileSync(file, "# edited\n");
    git("commit", "-qam", "head");
    const read = readDeployRecords(dir, INFO);
    assert.equal(read.records["dev-assist"], base);
    assert.equal(read.records["staging"], gone);
    assert.equal(read.records["prod"], undefined);
    assert.deepEqual(read.changedSince[base], ["stacks/Pulumi.dev-assist.yaml"]);
    assert.equal(read.changedSince[gone], undefined);
    const plan = planDeploys(INFO, read);
    assert.deepEqual(
      plan.stacks.filter((s) => s.startsWith("dev")),
      ["dev-assist"],
    );
    assert.equal(plan.reasons["staging"], `record ${gone} is not in HEAD's history`);
    assert.ok(plan.stacks.includes("prod") && plan.reasons["prod"] === "no record");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
