import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parse } from "yaml";
import { changedStacks, deployGroups, deployOrder, stackInfo } from "../src/ci/changed";
import { projectRoot } from "../src/config/stacks";

const ROOT = projectRoot();
const DIR = path.join(ROOT, ".github/workflows");

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  "timeout-minutes"?: number;
  permissions?: Record<string, string>;
  if?: string;
  environment?: string;
  strategy?: { matrix?: { stack?: unknown } };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const load = (name: string) => parse(fs.readFileSync(path.join(DIR, name), "utf8")) as Workflow;
const WORKFLOWS = Object.fromEntries(fs.readdirSync(DIR).map((f) => [f, load(f)]));
const needsOf = (j: Job) => (j.needs === undefined ? [] : Array.isArray(j.needs) ? j.needs : [j.needs]);
/** The Pulumi action, pinned to the commit of its release v7.0.0 (the version is in the comment beside it). */
const PULUMI_ACTION = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d";
const pulumiSteps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps.filter((s) => s.uses?.startsWith("pulumi/actions")));
const INFO = stackInfo(ROOT);

test("three workflows, and every Pulumi step is the official action (v7, pinned) with the policy pack", () => {
  assert.deepEqual(Object.keys(WORKFLOWS).sort(), ["deploy.yaml", "drift.yaml", "pull-request.yaml"]);
  const steps = Object.values(WORKFLOWS).flatMap(pulumiSteps);
  assert.equal(steps.length, 8, "preview (PR), six deploy groups, drift");
  for (const s of steps) {
    assert.equal(s.uses, PULUMI_ACTION);
    assert.equal(s.with?.["policyPacks"], "policy", `${s.name}: the pack is always passed`);
    assert.equal(s.with?.["stack-name"], "${{ matrix.stack }}");
    assert.equal(s.env?.["PULUMI_ACCESS_TOKEN"], "${{ secrets.PULUMI_ACCESS_TOKEN }}");
  }
  // No credential in the workflows themselves: every credential-like variable comes from the secret store.
  for (const w of Object.values(WORKFLOWS)) {
    for (const s of Object.values(w.jobs).flatMap((j) => j.steps)) {
      for (const [k, v] of Object.entries(s.env ?? {})) {
        if (/TOKEN|KUBECONFIG|VAULT/.test(k)) assert.match(String(v), /^\$\{\{ (secrets\.[A-Z_]+|github\.token) \}\}$/, `${s.name}: ${k}`);
      }
    }
  }
});

test("pull request: preview of each changed stack posted as a comment, gate and delta, SARIF to code scanning", () => {
  const w = WORKFLOWS["pull-request.yaml"]!;
  assert.ok("pull_request" in w.on);
  const preview = w.jobs["preview"]!;
  assert.equal(preview.strategy?.matrix?.stack, "${{ fromJSON(needs.changes.outputs.stacks) }}");
  const p = pulumiSteps({ ...w, jobs: { preview } })[0]!;
  assert.deepEqual([p.with?.["command"], p.with?.["comment-on-pr"]], ["preview", true]);
  const runs = Object.values(w.jobs).flatMap((j) => j.steps.map((s) => s.run ?? "")).join("\n");
  assert.match(runs, /src\/ci\/changed\.ts "\$BASE_SHA"/);
  assert.match(runs, /npx agent-trust gate "\$s"/);
  assert.match(runs, /npx agent-trust diff --base "\$BASE_SHA" --format markdown/);
  assert.match(runs, /gh pr comment/);
  // One comment, updated on each push: found again by its marker, edited in place.
  assert.match(runs, /marker='<!-- agent-trust: gate and delta -->'/);
  assert.match(runs, /gh api --method PATCH "repos\/\$REPO\/issues\/comments\/\$id" -F body=@comment\.md/);
  const sarif = w.jobs["sarif"]!.steps;
  // Each rendered stack is judged as itself, never at the checker's defaults.
  const check = sarif.findIndex((s) => /agent-trust check --for-stack "\$s" --format sarif "out\/\$s"/.test(s.run ?? ""));
  assert.doesNotMatch(sarif.map((s) => s.run ?? "").join("\n"), /agent-trust check (?!--for-stack)/, "no check at the defaults");
  const upload = sarif.findIndex((s) => s.uses?.startsWith("github/codeql-action/upload-sarif"));
  assert.ok(check >= 0 && upload > check, "check writes the SARIF, then it is uploaded");
  assert.equal(sarif[upload]!.with?.["sarif_file"], "agent-trust.sarif");
});

test("push to main: foundations before phases, dev → staging → prod, gate before every phase up", () => {
  const w = WORKFLOWS["deploy.yaml"]!;
  assert.deepEqual((w.on["push"] as { branches: string[] }).branches, ["main"]);
  const groups = deployGroups(deployOrder(INFO).map((s) => s.stack), INFO).map(([g]) => g);
  assert.deepEqual(groups, ["dev-foundation", "dev-phases", "staging-foundation", "staging-phases", "prod-foundation", "prod-phases"]);
  // Transitive `needs`: each group runs only after every group before it.
  const before = (job: string): Set<string> => new Set(needsOf(w.jobs[job]!).flatMap((n) => [n, ...before(n)]));
  groups.forEach((g, i) => {
    const job = w.jobs[g];
    assert.ok(job, g);
    for (const earlier of groups.slice(0, i)) assert.ok(before(g).has(earlier), `${g} waits for ${earlier}`);
    assert.equal(job.environment, g.split("-")[0]);
    assert.equal(job.strategy?.matrix?.stack, `\${{ fromJSON(needs.changes.outputs.${g}) }}`);
    const steps = job.steps;
    const up = steps.findIndex((s) => s.uses === PULUMI_ACTION && s.with?.["command"] === "up");
    const gate = steps.findIndex((s) => /agent-trust gate/.test(s.run ?? ""));
    assert.ok(up >= 0);
    if (g.endsWith("phases")) assert.ok(gate >= 0 && gate < up, `${g}: gate before up`);
    else assert.equal(gate, -1);
  });
});

test("every stack is covered: deployable ones in exactly one deploy group and in drift, refused ones nowhere", () => {
  assert.equal(INFO.length, 15);
  const all = changedStacks(["src/index.ts"], INFO);
  assert.equal(all.length, 15, "a code change touches every stack");
  const grouped = deployGroups(all, INFO).flatMap(([, s]) => s);
  const deployable = INFO.filter((s) => s.deployable).map((s) => s.stack);
  assert.deepEqual([...grouped].sort(), [...deployable].sort());
  assert.equal(new Set(grouped).size, grouped.length);
  assert.deepEqual(INFO.filter((s) => !s.deployable).map((s) => s.stack).sort(), ["prod-autonomous", "prod-remediation", "staging-autonomous"]);
  const drift = WORKFLOWS["drift.yaml"]!;
  assert.ok("schedule" in drift.on);
  assert.match(drift.jobs["stacks"]!.steps.map((s) => s.run ?? "").join("\n"), /src\/ci\/changed\.ts --all/);
  const d = pulumiSteps(drift)[0]!;
  assert.deepEqual([d.with?.["command"], d.with?.["refresh"], d.with?.["expect-no-changes"]], ["preview", true, true]);
  const naming = drift.jobs["drift"]!.steps.find((s) => s.name === "Name the drifted resources");
  assert.match(naming?.run ?? "", /::error title=drift in stack \$STACK::\$op \$urn/);
});

test("changed stacks: a stack file, a foundation (its whole environment) or an evidence file (its agent's stacks)", () => {
  assert.deepEqual(changedStacks(["README.md"], INFO), []);
  assert.deepEqual(changedStacks(["stacks/Pulumi.prod-assist.yaml"], INFO), ["prod-assist"]);
  assert.deepEqual(changedStacks(["stacks/Pulumi.staging.yaml"], INFO), ["staging", "staging-shadow", "staging-assist", "staging-remediation", "staging-autonomous"]);
  assert.deepEqual(changedStacks(["evidence/dev/capacity.yaml"], INFO), ["dev-assist", "dev-remediation", "dev-autonomous"]);
  assert.deepEqual(changedStacks(["evidence/prod/diagnostic.yaml", "stacks/Pulumi.dev-shadow.yaml"], INFO), ["dev-shadow", "prod-assist", "prod-remediation", "prod-autonomous"]);
});

test("property: for any set of changed files, the deploy order has each foundation before its phases and dev → staging → prod", () => {
  const files = ["src/x.ts", "README.md", ...INFO.map((s) => `stacks/Pulumi.${s.stack}.yaml`), "evidence/dev/capacity.yaml", "evidence/prod/diagnostic.yaml"];
  fc.assert(
    fc.property(fc.subarray(files), (changed) => {
      const order = changedStacks(changed, INFO).map((s) => INFO.find((i) => i.stack === s)!);
      const envRank = (e: string) => ["dev", "staging", "prod"].indexOf(e);
      return order.every((s, i) => i === 0 || envRank(order[i - 1]!.environment) < envRank(s.environment) || (order[i - 1]!.environment === s.environment && !(s.phase === undefined && order[i - 1]!.phase !== undefined)));
    }),
  );
});

describe("workflow hygiene", () => {
  const raw = Object.fromEntries(fs.readdirSync(DIR).map((f) => [f, fs.readFileSync(path.join(DIR, f), "utf8")]));

  test("every action is pinned to a full commit SHA with its release version in a comment", () => {
    let n = 0;
    for (const [f, text] of Object.entries(raw)) {
      for (const m of text.matchAll(/^\s*(?:-\s+)?uses:\s*(.*)$/gm)) {
        assert.match(m[1]!, /^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${f}: ${m[1]}`);
        n++;
      }
    }
    assert.ok(n >= 20);
    // One version per action across the workflows, so Dependabot's single update moves them all.
    const versions = new Map<string, Set<string>>();
    for (const text of Object.values(raw)) for (const m of text.matchAll(/uses:\s*([^@\s]+)@(\S+)/g)) versions.set(m[1]!, new Set([...(versions.get(m[1]!) ?? []), m[2]!]));
    for (const [action, shas] of versions) assert.equal(shas.size, 1, `${action}: ${[...shas].join(", ")}`);
  });

  test("no permissions by default; each job asks for its own, write only where it writes", () => {
    const writers: Record<string, string[]> = {
      "pull-request.yaml/preview": ["pull-requests"],
      "pull-request.yaml/gate-and-delta": ["pull-requests"],
      "pull-request.yaml/sarif": ["security-events"],
    };
    for (const [f, w] of Object.entries(WORKFLOWS)) {
      assert.deepEqual(w.permissions, {}, `${f}: workflow-level permissions`);
      for (const [name, job] of Object.entries(w.jobs)) {
        assert.ok(job.permissions, `${f}/${name}: permissions`);
        assert.equal(job.permissions["contents"], "read", `${f}/${name}: contents`);
        const writes = Object.entries(job.permissions).filter(([, v]) => v === "write").map(([k]) => k);
        assert.deepEqual(writes, writers[`${f}/${name}`] ?? [], `${f}/${name}: writes`);
      }
    }
  });

  test("every job has a timeout", () => {
    for (const [f, w] of Object.entries(WORKFLOWS)) {
      for (const [name, job] of Object.entries(w.jobs)) {
        const t = job["timeout-minutes"];
        assert.ok(typeof t === "number" && t > 0 && t <= 60, `${f}/${name}: timeout-minutes ${t}`);
      }
    }
  });

  test("every npm ci runs where a lockfile is, and the npm cache is keyed on every lockfile", () => {
    let n = 0;
    for (const [f, w] of Object.entries(WORKFLOWS)) {
      for (const step of Object.values(w.jobs).flatMap((j) => j.steps)) {
        for (const m of (step.run ?? "").matchAll(/(?:cd\s+(\S+)\s*&&\s*)?npm ci\b/g)) {
          const dir = m[1] ?? ".";
          assert.ok(fs.existsSync(path.join(ROOT, dir, "package-lock.json")), `${f}: npm ci in ${dir} has no package-lock.json`);
          n++;
        }
        if (step.uses?.startsWith("actions/setup-node")) {
          const deps = String(step.with?.["cache-dependency-path"] ?? "").split("\n").filter(Boolean);
          assert.deepEqual(deps, ["package-lock.json", "policy/package-lock.json"], `${f}: setup-node cache key`);
        }
      }
    }
    assert.ok(n >= 15);
  });

  test("Dependabot keeps the actions current", () => {
    const d = parse(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8")) as { version: number; updates: { "package-ecosystem": string; directory: string }[] };
    assert.equal(d.version, 2);
    assert.ok(d.updates.some((u) => u["package-ecosystem"] === "github-actions" && u.directory === "/"));
  });
});
