import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import fc from "fast-check";
import { parse } from "yaml";
import { changedStacks, deployOrder, stackInfo } from "../src/ci/changed";
import { planDeploys } from "../src/ci/deploys";
import {
  DIR,
  needsOf,
  PULUMI_ACTION,
  PULUMI_AUTH,
  pulumiSteps,
  ROOT,
  VAULT_ACTION,
  WORKFLOWS,
  type Step,
} from "./helpers/workflows";

const INFO = stackInfo(ROOT);

test("three workflows, and every Pulumi step is the official action (v7, pinned) with the policy pack", () => {
  assert.deepEqual(Object.keys(WORKFLOWS).sort(), ["deploy.yaml", "drift.yaml", "pull-request.yaml"]);
  const steps = Object.values(WORKFLOWS).flatMap(pulumiSteps);
  assert.equal(steps.length, 3, "preview (PR), one deploy job, drift");
  for (const s of steps) {
    assert.equal(s.uses, PULUMI_ACTION);
    assert.equal(s.with?.["policyPacks"], "policy", `${s.name}: the pack is always passed`);
    assert.equal(s.with?.["stack-name"], "${{ matrix.stack }}");
    // The Pulumi token comes from pulumi/auth-actions (exported to the job's environment), never a stored secret.
    assert.equal(s.env?.["PULUMI_ACCESS_TOKEN"], undefined, `${s.name}: no static Pulumi token`);
  }
  // No credential in the workflows themselves, nor in the secret store: tokens are minted per run from GitHub's
  // OIDC token; addresses and CAs are plain configuration variables.
  for (const w of Object.values(WORKFLOWS)) {
    for (const s of Object.values(w.jobs).flatMap((j) => j.steps)) {
      for (const [k, v] of Object.entries(s.env ?? {})) {
        if (/TOKEN/.test(k)) assert.equal(v, "${{ github.token }}", `${s.name}: ${k}`);
        if (/KUBE|VAULT/.test(k)) assert.match(String(v), /^\$\{\{ vars\.[A-Z_]+ \}\}$/, `${s.name}: ${k}`);
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
  const runs = Object.values(w.jobs)
    .flatMap((j) => j.steps.map((s) => s.run ?? ""))
    .join("\n");
  assert.match(runs, /src\/ci\/changed\.ts "\$BASE_SHA"/);
  assert.match(runs, /npx agent-trust gate "\$s"/);
  assert.match(runs, /npx agent-trust diff --base "\$BASE_SHA" --format markdown/);
  assert.match(runs, /gh pr comment/);
  // One comment, updated on each push: found again by its marker, edited in place.
  assert.match(runs, /marker='<!-- agent-trust: gate and delta -->'/);
  assert.match(runs, /gh api --method PATCH "repos\/\$REPO\/issues\/comments\/\$id" -F body=@comment\.md/);
  // The test job runs the browser test too: the runner's Chrome is named, so a missing browser fails instead of skipping.
  const npmTest = w.jobs["test"]!.steps.filter((s) => s.run === "npm test");
  assert.equal(npmTest.length, 1);
  assert.equal(npmTest[0]!.env?.["AGENT_TRUST_CHROMIUM"], "/usr/bin/google-chrome");
  const sarif = w.jobs["sarif"]!.steps;
  // Each rendered stack is judged as itself, never at the checker's defaults.
  const check = sarif.findIndex((s) =>
    /agent-trust check --for-stack "\$s" --format sarif "out\/\$s"/.test(s.run ?? ""),
  );
  assert.doesNotMatch(
    sarif.map((s) => s.run ?? "").join("\n"),
    /agent-trust check (?!--for-stack)/,
    "no check at the defaults",
  );
  const upload = sarif.findIndex((s) => s.uses?.startsWith("github/codeql-action/upload-sarif"));
  assert.ok(check >= 0 && upload > check, "check writes the SARIF, then it is uploaded");
  assert.equal(sarif[upload]!.with?.["sarif_file"], "agent-trust.sarif");
});

test("push to main: one deploy job, a matrix over the planned stacks in order, one at a time, a failure stopping the rest", () => {
  const w = WORKFLOWS["deploy.yaml"]!;
  assert.deepEqual((w.on["push"] as { branches: string[] }).branches, ["main"]);
  assert.deepEqual(Object.keys(w.jobs), ["plan", "deploy"]);
  // The plan: every stack changed since its own last successful deploy, read from the deployed/<stack> tags.
  const plan =
    w.jobs["plan"]!.steps.find((s) => s.name === "Stacks changed since their last successful deploy")?.run ?? "";
  assert.match(plan, /git fetch --force origin 'refs\/tags\/deployed\/\*:refs\/tags\/deployed\/\*'/);
  assert.match(plan, /node --import tsx src\/ci\/changed\.ts --since-deployed >> "\$GITHUB_OUTPUT"/);
  assert.doesNotMatch(JSON.stringify(w), /github\.event\.before/, "never only what the last push changed");
  const job = w.jobs["deploy"]!;
  assert.deepEqual(needsOf(job), ["plan"]);
  assert.equal(job.strategy?.matrix?.stack, "${{ fromJSON(needs.plan.outputs.stacks) }}");
  assert.equal(job.strategy?.["max-parallel"], 1, "one stack at a time, in the matrix's (deploy) order");
  assert.equal(job.strategy?.["fail-fast"], true, "a failed stack cancels the stacks after it");
  assert.equal(
    job.environment,
    "${{ startsWith(matrix.stack, 'prod') && 'prod' || (startsWith(matrix.stack, 'staging') && 'staging' || 'dev') }}",
  );
  const steps = job.steps;
  const at = (p: (s: Step) => boolean) => steps.findIndex(p);
  const gate = at((s) => /agent-trust gate "\$STACK"/.test(s.run ?? ""));
  const up = at((s) => s.uses === PULUMI_ACTION && s.with?.["command"] === "up");
  const record = at((s) => /git push --force origin "refs\/tags\/deployed\/\$STACK"/.test(s.run ?? ""));
  assert.ok(gate >= 0 && gate < up && up < record, "gate, then up, then the record");
  assert.equal(
    steps[gate]!.if,
    "contains(fromJSON(needs.plan.outputs.phase-stacks), matrix.stack)",
    "the gate of every phase stack",
  );
  assert.match(steps[record]!.run ?? "", /git tag --force "deployed\/\$STACK" "\$GITHUB_SHA"/);
  assert.equal(steps[record]!.if, undefined, "recorded only when every step before it succeeded");
  for (const p of [
    (s: Step) => s.uses === PULUMI_AUTH,
    (s: Step) => s.uses === VAULT_ACTION,
    (s: Step) => /github-kubeconfig\.sh/.test(s.run ?? ""),
  ]) {
    const i = at(p);
    assert.ok(i >= 0 && i < up, "credentials before up");
  }
  assert.equal(job.env?.["STACK"], "${{ matrix.stack }}");
});

test("every stack is covered: deployable ones in the first deploy (in deploy order) and in drift, refused ones nowhere", () => {
  assert.equal(INFO.length, 15);
  const all = changedStacks(["src/index.ts"], INFO);
  assert.equal(all.length, 15, "a code change touches every stack");
  const grouped = planDeploys(INFO, { records: {}, changedSince: {} }).stacks;
  assert.deepEqual(
    grouped,
    deployOrder(INFO)
      .filter((s) => s.deployable)
      .map((s) => s.stack),
  );
  const deployable = INFO.filter((s) => s.deployable).map((s) => s.stack);
  assert.deepEqual([...grouped].sort(), [...deployable].sort());
  assert.equal(new Set(grouped).size, grouped.length);
  assert.deepEqual(
    INFO.filter((s) => !s.deployable)
      .map((s) => s.stack)
      .sort(),
    ["prod-autonomous", "prod-remediation", "staging-autonomous"],
  );
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
  assert.deepEqual(changedStacks(["stacks/Pulumi.staging.yaml"], INFO), [
    "staging",
    "staging-shadow",
    "staging-assist",
    "staging-remediation",
    "staging-autonomous",
  ]);
  assert.deepEqual(changedStacks(["evidence/dev/capacity.yaml"], INFO), [
    "dev-assist",
    "dev-remediation",
    "dev-autonomous",
  ]);
  assert.deepEqual(changedStacks(["evidence/prod/diagnostic.yaml", "stacks/Pulumi.dev-shadow.yaml"], INFO), [
    "dev-shadow",
    "prod-assist",
    "prod-remediation",
    "prod-autonomous",
  ]);
});

test("property: for any set of changed files, the deploy order has each foundation before its phases and dev → staging → prod", () => {
  const files = [
    "src/x.ts",
    "README.md",
    ...INFO.map((s) => `stacks/Pulumi.${s.stack}.yaml`),
    "evidence/dev/capacity.yaml",
    "evidence/prod/diagnostic.yaml",
  ];
  fc.assert(
    fc.property(fc.subarray(files), (changed) => {
      const order = changedStacks(changed, INFO).map((s) => INFO.find((i) => i.stack === s)!);
      const envRank = (e: string) => ["dev", "staging", "prod"].indexOf(e);
      return order.every(
        (s, i) =>
          i === 0 ||
          envRank(order[i - 1]!.environment) < envRank(s.environment) ||
          (order[i - 1]!.environment === s.environment &&
            !(s.phase === undefined && order[i - 1]!.phase !== undefined)),
      );
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
    for (const text of Object.values(raw))
      for (const m of text.matchAll(/uses:\s*([^@\s]+)@(\S+)/g))
        versions.set(m[1]!, new Set([...(versions.get(m[1]!) ?? []), m[2]!]));
    for (const [action, shas] of versions) assert.equal(shas.size, 1, `${action}: ${[...shas].join(", ")}`);
  });

  test("no permissions by default; each job asks for its own, write only where it writes", () => {
    const writers: Record<string, string[]> = {
      "deploy.yaml/deploy": ["contents", "id-token"],
      "drift.yaml/drift": ["id-token"],
      "pull-request.yaml/preview": ["pull-requests", "id-token"],
      "pull-request.yaml/gate-and-delta": ["pull-requests"],
      "pull-request.yaml/sarif": ["security-events"],
    };
    for (const [f, w] of Object.entries(WORKFLOWS)) {
      assert.deepEqual(w.permissions, {}, `${f}: workflow-level permissions`);
      for (const [name, job] of Object.entries(w.jobs)) {
        assert.ok(job.permissions, `${f}/${name}: permissions`);
        // contents: write in one job only: the deploy job, to move its stack's deployed/<stack> tag.
        assert.equal(
          job.permissions["contents"],
          `${f}/${name}` === "deploy.yaml/deploy" ? "write" : "read",
          `${f}/${name}: contents`,
        );
        const writes = Object.entries(job.permissions)
          .filter(([, v]) => v === "write")
          .map(([k]) => k);
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
          assert.ok(
            fs.existsSync(path.join(ROOT, dir, "package-lock.json")),
            `${f}: npm ci in ${dir} has no package-lock.json`,
          );
          n++;
        }
        if (step.uses?.startsWith("actions/setup-node")) {
          const deps = String(step.with?.["cache-dependency-path"] ?? "")
            .split("\n")
            .filter(Boolean);
          assert.deepEqual(deps, ["package-lock.json", "policy/package-lock.json"], `${f}: setup-node cache key`);
        }
      }
    }
    // project and pack per job that runs Pulumi (preview, deploy, drift); the project alone in the other six jobs.
    assert.equal(n, 12);
  });

  test("Dependabot keeps the actions current", () => {
    const d = parse(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8")) as {
      version: number;
      updates: { "package-ecosystem": string; directory: string }[];
    };
    assert.equal(d.version, 2);
    assert.ok(d.updates.some((u) => u["package-ecosystem"] === "github-actions" && u.directory === "/"));
  });
});
