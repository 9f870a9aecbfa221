/**
 * A rehearsal of the deploy workflow's bookkeeping: its own `plan` and `deploy` steps, read from deploy.yaml, in the
 * scratch repository of the pull-request rehearsal with a bare `origin` holding the `deployed/<stack>` tags (each
 * run starts from a fresh clone's view: no local tags). `pulumi up` is a stand-in that succeeds, or fails for a
 * chosen stack; the matrix is walked in order, one stack at a time, stopping at the first failure (max-parallel: 1,
 * fail-fast, asserted on the YAML by test/workflows.test.ts). The gate runs through the real CLI.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { parse } from "yaml";
import type { Workflow } from "../helpers/workflows";
import { ROOT } from "./helpers";
import { git, makeScratch, type Scratch } from "./pr-scratch";
import { NPX_STUB, runJob, type JobRun, type StandIn } from "./rehearsal";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-deploy-rehearsal-"));
const bin = path.join(dir, "bin");
let scratch: Scratch;
let wf: Workflow;

interface Run {
  readonly planned: string[];
  /** Per stack that ran: the deploy job's outcome. */
  readonly deployed: Record<string, "success" | "failure">;
  readonly jobs: JobRun[];
}

/** One push's deploy run at `sha`; `failing` makes that stack's `pulumi up` fail. */
function deployRun(sha: string, failing?: string): Run {
  const repo = scratch.repo;
  git(repo, "checkout", "-q", sha);
  for (const t of git(repo, "tag", "-l", "deployed/*").split("\n").filter(Boolean)) git(repo, "tag", "-d", t);
  const env = (job: string) => {
    const temp = fs.mkdtempSync(path.join(dir, `${job}-`));
    const base: Record<string, string> = {
      PATH: `${bin}:${process.env["PATH"]}`,
      HOME: process.env["HOME"] ?? dir,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_WORKSPACE: repo,
      GITHUB_EVENT_NAME: "push",
      GITHUB_REF: "refs/heads/main",
      GITHUB_SHA: sha,
      RUNNER_TEMP: temp,
    };
    if (wf.jobs[job]!.permissions?.["id-token"] === "write")
      Object.assign(base, {
        ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/?api-version=2.0",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "rehearsal",
      });
    return { env: base, scratch: temp };
  };
  const standIns: StandIn = (step) => {
    const uses = step.uses?.split("@")[0];
    if (uses === "pulumi/actions")
      return step.with?.["stack-name"] === failing ? { how: "pulumi up failed", code: 1 } : "pulumi up succeeded";
    if (
      uses === undefined ||
      uses === "actions/checkout" ||
      uses === "actions/setup-node" ||
      uses === "pulumi/auth-actions" ||
      uses === "hashicorp/vault-action"
    )
      return "nothing to do offline";
    return undefined;
  };
  const ctx = {
    github: { sha, token: "rehearsal-token", repository: "example/agent-trust" },
    vars: {
      PULUMI_ORG: "example",
      PULUMI_DEPLOY_TEAM: "deployers",
      VAULT_ADDR: "https://vault.example:8200",
      VAULT_AUDIENCE: "vault",
      KUBE_SERVER: "https://k8s.example:6443",
      KUBE_CA: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    },
  };
  const installs = /^(cd policy && )?npm ci$/;
  const plan = runJob(wf.jobs["plan"]!, { workspace: repo, ...env("plan"), ctx, standIns, installs });
  assert.deepEqual(
    plan.steps.filter((s) => s.code !== 0).map((s) => `${s.name}: ${s.stderr}`),
    [],
  );
  const planned = JSON.parse(plan.outputs["stacks"]!) as string[];
  const deployed: Record<string, "success" | "failure"> = {};
  const jobs: JobRun[] = [];
  const needs = { plan: { outputs: plan.outputs, result: "success" } };
  for (const stack of planned) {
    const r = runJob(wf.jobs["deploy"]!, {
      workspace: repo,
      ...env("deploy"),
      ctx: { ...ctx, needs },
      standIns,
      installs,
      matrix: { stack },
    });
    jobs.push(r);
    deployed[stack] = r.failed ? "failure" : "success";
    if (r.failed) break; // fail-fast: the stacks after it are cancelled
  }
  return { planned, deployed, jobs };
}

/** The `deployed/<stack>` tags in origin, stack → commit. */
function originTags(): Record<string, string> {
  const out = git(scratch.repo, "ls-remote", "--tags", "origin", "refs/tags/deployed/*");
  return Object.fromEntries(
    out
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [sha, ref] = l.split("\t");
        return [ref!.replace("refs/tags/deployed/", ""), sha!];
      }),
  );
}

describe("deploy workflow rehearsal: stacks picked by their own last successful deploy", { timeout: 600_000 }, () => {
  before(() => {
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, "npx"), NPX_STUB, { mode: 0o755 });
    scratch = makeScratch(ROOT, dir);
    git(dir, "clone", "-q", "--bare", scratch.repo, path.join(dir, "origin.git"));
    git(scratch.repo, "remote", "add", "origin", path.join(dir, "origin.git"));
    wf = parse(fs.readFileSync(path.join(scratch.repo, ".github", "workflows", "deploy.yaml"), "utf8")) as Workflow;
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const BASE_ORDER = [
    "dev",
    "dev-shadow",
    "dev-assist",
    "dev-remediation",
    "dev-autonomous",
    "staging",
    "staging-shadow",
    "staging-assist",
    "staging-remediation",
    "prod",
    "prod-shadow",
    "prod-assist",
  ];

  test("first run: no tags, every deployable stack in deploy order, each recorded at the commit it deployed", () => {
    const r = deployRun(scratch.base);
    assert.deepEqual(r.planned, BASE_ORDER);
    assert.ok(Object.values(r.deployed).every((o) => o === "success"));
    // The gate ran before every phase stack's up (and passed), never for a foundation.
    r.jobs.forEach((j, i) => {
      const gate = j.steps.find((s) => s.name.startsWith("Promotion gate"))!;
      assert.equal(gate.how.startsWith("skipped"), ["dev", "staging", "prod"].includes(BASE_ORDER[i]!), BASE_ORDER[i]);
    });
    assert.deepEqual(originTags(), Object.fromEntries(BASE_ORDER.map((s) => [s, scratch.base])));
  });

  test("a failed stack stops the ones after it; they keep their old tags and the next run deploys them", () => {
    const r = deployRun(scratch.config, "staging-shadow");
    assert.deepEqual(r.planned, ["dev-canary", "staging-shadow", "staging-assist"]);
    assert.deepEqual(r.deployed, { "dev-canary": "success", "staging-shadow": "failure" }, "staging-assist never ran");
    const failed = r.jobs[1]!.steps.find((s) => s.name.startsWith("Record the deployed commit"))!;
    assert.equal(failed.how, "skipped (if: success())", "a failed up records nothing");
    const tags = originTags();
    assert.equal(tags["dev-canary"], scratch.config);
    assert.equal(tags["staging-shadow"], scratch.base);
    assert.equal(tags["staging-assist"], scratch.base);
    // The next run at the same commit (a re-run, or a later push touching nothing else): exactly the two left over.
    const again = deployRun(scratch.config);
    assert.deepEqual(again.planned, ["staging-shadow", "staging-assist"]);
    assert.deepEqual(originTags()["staging-assist"], scratch.config);
  });

  test("nothing changed since every record: nothing deployed; a code change since: every stack", () => {
    assert.deepEqual(deployRun(scratch.config).planned, []);
    const r = deployRun(scratch.head);
    assert.deepEqual(r.planned, ["dev", "dev-canary", ...BASE_ORDER.slice(1)]);
    assert.ok(Object.values(originTags()).every((sha) => sha === scratch.head));
  });
});
