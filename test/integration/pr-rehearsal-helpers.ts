/**
 * The pull-request workflow rehearsal's plumbing (pr-rehearsal.test.ts): the `gh` and `npx` stand-ins put on PATH,
 * the repository variables, the sandbox CLI of the scratch repository, the `uses:` stand-ins, and one job played
 * the way the runner plays it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Step, Workflow } from "../helpers/workflows";
import type { Scratch } from "./pr-scratch";
import { NPX_STUB, runJob, type JobRun, type StandIn } from "./rehearsal";

/** What a played job sees of the rehearsal: its folders, the scratch repository, the workflow, the jobs played so far. */
export interface PrRehearsal {
  readonly dir: string;
  readonly bin: string;
  readonly posted: string;
  readonly scratch: Scratch;
  readonly wf: Workflow;
  readonly engine: boolean;
  readonly runs: Record<string, JobRun>;
  readonly enginePreviews: Record<string, { code: number; out: string }>;
  /** Keeps the SARIF file given to upload-sarif, for the assertions. */
  readonly keepSarif: (text: string) => void;
}

export const STUBS = {
  npx: NPX_STUB,
  // gh api --paginate …/comments --jq F: the comments posted so far (and two that are not the job's: a preview
  // comment by the bot, a person's comment quoting the marker), filtered by the job's own jq expression;
  // gh pr comment / PATCH: keep the body.
  gh: `#!/bin/bash
echo "$*" >> "$REHEARSAL_POSTED/calls"
case "$1 $2" in
  "api --paginate")
    { echo '{"id": 90, "user": {"login": "github-actions[bot]"}, "body": "#### Pulumi preview"}'
      echo '{"id": 91, "user": {"login": "someone"}, "body": "<!-- agent-trust: gate and delta --> quoted"}'
      for f in "$REHEARSAL_POSTED"/comment-*.md; do [ -e "$f" ] || continue; id=\${f##*-}; jq -n --rawfile b "$f" --argjson id "\${id%.md}" '{id: $id, user: {login: "github-actions[bot]"}, body: $b}'; done
    } | jq -s . | jq -r "$5" ;;
  "pr comment") cp "$5" "$REHEARSAL_POSTED/comment-1.md" ;;
  "api --method") id=\${4##*/}; cp "\${6#body=@}" "$REHEARSAL_POSTED/comment-$id.md" ;;
  *) echo "rehearsal gh: unexpected $*" >&2; exit 1 ;;
esac
`,
};

export const VARS = {
  PULUMI_ORG: "example",
  PULUMI_PREVIEW_TEAM: "agent-trust-preview",
  VAULT_ADDR: "https://vault.example:8200",
  VAULT_AUDIENCE: "vault",
  KUBE_SERVER: "https://k8s.example:6443",
  KUBE_CA: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
};

/** The sandbox CLI of the scratch repository (the checked-out revision's code), its state kept in the rehearsal's folder. */
export const sandbox = ({ dir, scratch }: PrRehearsal, ...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(scratch.repo, "src", "sandbox", "cli.ts"), ...args], {
    cwd: scratch.repo,
    env: { ...process.env, AGENT_TRUST_SANDBOX_DIR: path.join(dir, "sandbox") },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });

const standIns =
  (r: PrRehearsal): StandIn =>
  (step: Step) => {
    const { scratch, engine, enginePreviews } = r;
    const uses = step.uses?.split("@")[0];
    if (uses === "actions/checkout") return "the scratch repository, checked out at the head with its history";
    if (uses === "actions/setup-node") return "node is on PATH";
    if (uses === undefined) return "node_modules is linked from the project";
    if (uses === "pulumi/auth-actions" || uses === "hashicorp/vault-action")
      return "no OIDC offline: no token is minted";
    if (uses === "github/codeql-action/upload-sarif") {
      r.keepSarif(fs.readFileSync(path.join(scratch.repo, String(step.with?.["sarif_file"])), "utf8"));
      return "the SARIF file is kept for the assertions";
    }
    if (uses === "pulumi/actions") {
      if (!engine) return "the offline engine is not built: this preview is not rehearsed";
      const stack = String(step.with?.["stack-name"]);
      if (!stack.startsWith("dev")) return "the sandbox is one environment (dev): this preview is not rehearsed";
      const p = sandbox(r, "preview", stack);
      enginePreviews[stack] = { code: p.status ?? 1, out: `${p.stdout}${p.stderr}` };
      return `the offline engine: sandbox preview ${stack} exited ${p.status}`;
    }
    return undefined;
  };

export function play(rehearsal: PrRehearsal, job: string, matrix?: Record<string, string>): JobRun {
  const { dir, bin, posted, scratch, wf, runs } = rehearsal;
  const spec = wf.jobs[job]!;
  const scratchDir = fs.mkdtempSync(path.join(dir, `${job}-`));
  const event = {
    pull_request: {
      number: 7,
      base: { sha: scratch.base, ref: "main" },
      head: { sha: scratch.head, ref: "promote-capacity" },
    },
  };
  const eventPath = path.join(dir, "event.json");
  fs.writeFileSync(eventPath, JSON.stringify(event));
  const needs = Object.fromEntries(
    Object.entries(runs).map(([k, r]) => [k, { outputs: r.outputs, result: r.failed ? "failure" : "success" }]),
  );
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env["PATH"]}`,
    HOME: process.env["HOME"] ?? dir,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: scratch.repo,
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_BASE_REF: "main",
    GITHUB_HEAD_REF: "promote-capacity",
    GITHUB_REF: "refs/pull/7/merge",
    GITHUB_SHA: scratch.head,
    GITHUB_REPOSITORY: "example/agent-trust",
    RUNNER_OS: "Linux",
    RUNNER_TEMP: scratchDir,
    REHEARSAL_POSTED: posted,
  };
  // As the runner does: the OIDC request variables exist only in jobs granted id-token: write.
  if (spec.permissions?.["id-token"] === "write")
    Object.assign(env, {
      ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/?api-version=2.0",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "rehearsal",
    });
  const ctx = {
    github: { event, token: "rehearsal-token", repository: "example/agent-trust", sha: scratch.head },
    needs,
    vars: VARS,
  };
  const r = runJob(spec, {
    workspace: scratch.repo,
    scratch: scratchDir,
    ctx,
    env,
    standIns: standIns(rehearsal),
    installs: /^(cd policy && )?npm ci$/,
    ...(matrix ? { matrix } : {}),
  });
  const failed = r.steps.filter((s) => s.code !== 0);
  assert.deepEqual(
    failed.map((s) => `${s.name}: exit ${s.code}\n${s.stdout}\n${s.stderr}`),
    [],
    `${job}: a step failed`,
  );
  return r;
}

export const outputList = (r: JobRun, key: string) => JSON.parse(r.outputs[key] ?? "null") as string[];
