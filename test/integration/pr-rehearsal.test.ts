/**
 * A rehearsal of the pull-request workflow: its own `run:` steps, read from .github/workflows/pull-request.yaml in
 * the pull request's head (as GitHub runs them), played in a scratch repository (test/integration/pr-scratch.ts:
 * a promotion, a new stack, a widened Role) with the runner's step files and the real CLI. `uses:` steps are
 * stand-ins: checkout (the scratch repository is checked out), setup-node and `npm ci` (node_modules is linked),
 * the OIDC logins (nothing offline), upload-sarif (the file is kept), and pulumi/actions, played by the offline
 * engine against the sandbox when the engine is built — and reported as not rehearsed when it is not.
 * `gh` and `npx` are stand-ins on PATH: `gh` records the comment; `npx agent-trust` is `node bin/agent-trust.js`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import type { Workflow } from "../helpers/workflows";
import { git, makeScratch, type Scratch } from "./pr-scratch";
import { outputList, play as playJob, sandbox as runSandbox, STUBS, type PrRehearsal } from "./pr-rehearsal-helpers";
import type { JobRun } from "./rehearsal";
import { ROOT } from "./helpers";
import { engineAvailable } from "../../src/engine/binaries";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-rehearsal-"));
const bin = path.join(dir, "bin");
const posted = path.join(dir, "posted");
let scratch: Scratch;
let wf: Workflow;
let engine = false;
const runs: Record<string, JobRun> = {};
const previews: string[] = [];
let sarif = "";

const enginePreviews: Record<string, { code: number; out: string }> = {};
const rehearsal = (): PrRehearsal => ({
  dir,
  bin,
  posted,
  scratch,
  wf,
  engine,
  runs,
  enginePreviews,
  keepSarif: (text) => (sarif = text),
});
const sandbox = (...args: string[]) => runSandbox(rehearsal(), ...args);
const play = (job: string, matrix?: Record<string, string>) => playJob(rehearsal(), job, matrix);

describe("pull-request workflow rehearsal", { timeout: 600_000 }, () => {
  before(async () => {
    fs.mkdirSync(bin);
    fs.mkdirSync(posted);
    for (const [name, text] of Object.entries(STUBS)) fs.writeFileSync(path.join(bin, name), text, { mode: 0o755 });
    scratch = makeScratch(ROOT, dir);
    wf = parse(
      fs.readFileSync(path.join(scratch.repo, ".github", "workflows", "pull-request.yaml"), "utf8"),
    ) as Workflow;
    engine = await engineAvailable();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("the test job is npm ci and npm test (this suite itself: not replayed here)", () => {
    assert.deepEqual(
      wf.jobs["test"]!.steps.flatMap((s) => (s.run ? [s.run] : [])),
      ["npm ci", "npm test"],
    );
  });

  test("changes: the promotion and the new stack alone, then with the code change every stack", () => {
    git(scratch.repo, "checkout", "-q", scratch.config);
    const config = play("changes");
    git(scratch.repo, "checkout", "-q", "promote-capacity");
    assert.deepEqual(outputList(config, "stacks"), ["dev-canary", "staging-shadow", "staging-assist"]);
    assert.deepEqual(outputList(config, "phase-stacks"), ["dev-canary", "staging-shadow", "staging-assist"]);
    assert.deepEqual(outputList(config, "refused"), []);
    runs["changes"] = play("changes");
    const dev = ["dev", "dev-canary", "dev-shadow", "dev-assist", "dev-remediation", "dev-autonomous"];
    assert.deepEqual(outputList(runs["changes"], "stacks"), [
      ...dev,
      "staging",
      "staging-shadow",
      "staging-assist",
      "staging-remediation",
      "prod",
      "prod-shadow",
      "prod-assist",
    ]);
    assert.deepEqual(outputList(runs["changes"], "refused"), [
      "staging-autonomous",
      "prod-remediation",
      "prod-autonomous",
    ]);
  });

  test("gate and delta: one comment, the promotion earned, the widened rights listed, updated in place on the next push", () => {
    const r = (runs["gate-and-delta"] = play("gate-and-delta"));
    assert.equal(
      r.steps.find((s) => s.name.startsWith("Fail when"))?.how,
      "skipped (if: steps.gate.outputs.status != '0')",
      "every changed phase stack is earned",
    );
    const body = fs.readFileSync(path.join(posted, "comment-1.md"), "utf8");
    assert.match(body, /^<!-- agent-trust: gate and delta -->\n### Promotion gate\n```\n/);
    assert.match(
      body,
      /agent capacity: evidence\/staging\/capacity\.yaml, shadow record 2026-07-01 to 2026-08-31: earned/,
    );
    assert.match(body, /staging-autonomous is above its environment's phase ceiling: not deployed/);
    // The delta: per changed stack, the rights added; the widened Role as exactly its new rows.
    assert.match(body, new RegExp(`### Permission delta against \`${scratch.base}\``));
    assert.deepEqual(
      [...body.matchAll(/^#### `([a-z-]+)`$/gm)].map((m) => m[1]),
      ["dev-canary", "dev-remediation", "staging-shadow", "staging-assist", "staging-remediation", "prod-remediation"],
    );
    assert.match(
      body,
      /\*\*triage\*\* `system:serviceaccount:ai-agents:triage-shadow`, compared with nothing \(new identity\): 55 added, 0 removed/,
    );
    assert.match(
      body,
      /\*\*capacity\*\* `system:serviceaccount:ai-agents:capacity-assist`, compared with nothing \(new identity\): 55 added, 0 removed/,
    );
    const secrets = body.split("\n").filter((l) => /secrets/.test(l) && l.startsWith("|"));
    assert.deepEqual(secrets, [
      "| **+ added** | kubernetes | patch secrets in payments |",
      ...Array.from({ length: 3 }, () => [
        "| **+ added** | kubernetes | patch secrets in checkout (only checkout-web, payments-api) |",
        "| **+ added** | kubernetes | patch secrets in payments (only checkout-web, payments-api) |",
      ]).flat(),
    ]);
    // The next push: the same job finds its comment by the marker and edits it.
    play("gate-and-delta");
    const calls = fs.readFileSync(path.join(posted, "calls"), "utf8").trim().split("\n");
    assert.equal(calls.filter((c) => c.startsWith("pr comment")).length, 1, "one comment, never a second");
    assert.match(
      calls.at(-1)!,
      /^api --method PATCH repos\/example\/agent-trust\/issues\/comments\/1 -F body=@comment\.md$/,
    );
  });

  test("sarif: zero results on the valid phase stacks, exactly no-secrets-access on the widened remediation Roles", () => {
    runs["sarif"] = play("sarif");
    const doc = JSON.parse(sarif) as {
      runs: {
        results: {
          ruleId: string;
          level: string;
          message: { text: string };
          locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
        }[];
      }[];
    };
    assert.equal(doc.runs.length, 1, "one run for code scanning");
    const byStack = new Map<string, string[]>();
    for (const x of doc.runs[0]!.results) {
      const uri = x.locations[0]!.physicalLocation.artifactLocation.uri;
      const stack = /^out\/([a-z-]+)/.exec(uri)?.[1] ?? /^stacks\/Pulumi\.([a-z-]+)\.yaml$/.exec(uri)?.[1] ?? uri;
      byStack.set(stack, [...(byStack.get(stack) ?? []), `${x.level} ${x.ruleId}: ${x.message.text}`]);
    }
    const widened = (stack: string, roles: string[]) =>
      roles.map(
        (r, i) =>
          `error no-secrets-access: Role ${r} (out/${stack}/kubernetes.yaml, document ${i}): rules[5] grants "secrets": secrets are never readable by agents`,
      );
    const strip = (xs: string[] | undefined) => (xs ?? []).map((x) => x.replace(/document \d+/, "document"));
    // The widened Role, in every remediation stack the SARIF job renders (the refused ones are not rendered).
    assert.deepEqual(
      strip(byStack.get("dev-remediation")),
      strip(
        widened("dev-remediation", [
          "payments/capacity-remediation-target",
          "checkout/diagnostic-remediation-target",
          "payments/diagnostic-remediation-target",
        ]),
      ),
    );
    assert.deepEqual(
      strip(byStack.get("staging-remediation")),
      strip(
        widened("staging-remediation", [
          "checkout/diagnostic-remediation-target",
          "payments/diagnostic-remediation-target",
        ]),
      ),
    );
    // Every other phase stack, the promoted and the new one included: no result at all.
    for (const stack of outputList(runs["changes"]!, "phase-stacks").filter((s) => !s.endsWith("-remediation")))
      assert.deepEqual(byStack.get(stack), undefined, stack);
    // The foundations: no result at all (their quota, limits, audit policy and PrometheusRule are judged by their own
    // rules, so nothing is left to list as unjudged).
    for (const env of ["dev", "staging", "prod"]) assert.deepEqual(byStack.get(env), undefined, env);
    assert.deepEqual([...byStack.keys()].sort(), ["dev-remediation", "staging-remediation"]);
  });

  test("preview: the credentials step writes the OIDC kubeconfig; the Pulumi step by the offline engine when it is built", (t) => {
    const stacks = outputList(runs["changes"]!, "stacks");
    if (engine) {
      // The cluster holds the base (deployed by the engine from the base commit); the pull request previews its head.
      git(scratch.repo, "checkout", "-q", scratch.base);
      const up = sandbox("up", "--engine", "pulumi");
      git(scratch.repo, "checkout", "-q", "promote-capacity");
      assert.equal(up.status, 0, up.stderr);
    }
    try {
      for (const stack of stacks) {
        const r = play("preview", { stack });
        assert.equal(r.steps.find((s) => s.name.startsWith("Cluster credentials"))!.how, "ran");
        previews.push(`${stack}: ${r.steps.find((s) => s.name.startsWith("pulumi preview"))!.how}`);
      }
    } finally {
      if (engine) sandbox("down");
    }
    assert.equal(previews.length, stacks.length);
    if (!engine) {
      t.diagnostic(
        `the offline engine is not built (scripts/engine.sh ensure pulumi-resource-kubernetes): the ${stacks.length} previews were not rehearsed; every other step of the job ran`,
      );
      return;
    }
    // The widened Role is refused by the pack at preview time; every other dev stack passes it.
    assert.notEqual(enginePreviews["dev-remediation"]?.code, 0);
    assert.match(enginePreviews["dev-remediation"]!.out, /no-secrets-access/);
    for (const stack of ["dev", "dev-canary", "dev-shadow", "dev-assist", "dev-autonomous"]) {
      assert.equal(enginePreviews[stack]?.code, 0, `${stack}: ${enginePreviews[stack]?.out}`);
      // Passed, or (a foundation) only the advisory listing of kinds it holds that no rule reads beyond their kind.
      const verdicts = enginePreviews[stack]!.out.split("\n").filter((l) => l.startsWith("policy pack agent-trust:"));
      assert.ok(verdicts.length > 0, `${stack}: no verdict of the pack`);
      for (const v of verdicts)
        assert.match(v, /: passed$|: advisory violation \[unjudged-resource-types\]/, `${stack}: ${v}`);
    }
  });
});
