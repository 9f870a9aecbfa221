/**
 * The rehearsal's scratch repository: the project's files at HEAD as the base commit on `main`, then a pull
 * request branch with two commits: (1) a promotion (capacity earns assist in staging: its evidence file, and its
 * entry in the shadow and assist stack files) and a new stack file (dev-canary, a shadow stack for a new agent),
 * (2) a widened Role: the remediation phase's catalog grants `patch` on secrets. The stack config is closed (no
 * key adds a verb or a resource), so a Role can only widen through code, and a code change reaches every stack.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";

export interface Scratch {
  readonly repo: string;
  readonly base: string;
  /** The promotion and the new stack. */
  readonly config: string;
  /** The widened Role on top: the pull request's head. */
  readonly head: string;
}

type Agent = Record<string, unknown>;
type StackFile = { config: Record<string, unknown> };

export function git(repo: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=rehearsal", "-c", "user.email=rehearsal@example.com", "-c", "commit.gpgsign=false", ...args],
    { cwd: repo, encoding: "utf8" },
  ).trim();
}

const readStack = (repo: string, stack: string) =>
  parse(fs.readFileSync(path.join(repo, "stacks", `Pulumi.${stack}.yaml`), "utf8")) as StackFile;
const writeStack = (repo: string, stack: string, doc: StackFile) =>
  fs.writeFileSync(path.join(repo, "stacks", `Pulumi.${stack}.yaml`), stringify(doc));
const agentsOf = (doc: StackFile) => doc.config["agent-trust:agents"] as Agent[];
const agentIn = (repo: string, stack: string, name: string) =>
  structuredClone(agentsOf(readStack(repo, stack)).find((a) => a["name"] === name)!);

/** The staging evidence that earns capacity assist at the default gates (≥ 100 incidents, 3 domains, > 95 %). */
const STAGING_CAPACITY_EVIDENCE = `# Evidence for agent "capacity" in staging.
agent: capacity
environment: staging
records:
  shadow:
    window: {from: 2026-07-01, to: 2026-08-31}
    incidents: 120
    domains: {capacity: 50, database: 40, network: 30}
    diagnosticAccuracy: {count: 118, of: 120}
    unsafeActionAttempts: 0
    signOffs:
      - {person: maria.lopez, role: operations-lead, date: 2026-09-01}
`;

export function makeScratch(root: string, dir: string): Scratch {
  const repo = path.join(dir, "repo");
  fs.mkdirSync(repo, { recursive: true });
  execFileSync("bash", ["-c", `git -C "$1" archive HEAD | tar -x -C "$2"`, "-", root, repo]);
  fs.symlinkSync(fs.realpathSync(path.join(root, "node_modules")), path.join(repo, "node_modules"));
  git(repo, "init", "-q", "-b", "main");
  fs.appendFileSync(path.join(repo, ".git", "info", "exclude"), "node_modules\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "base: the project at HEAD");
  const base = git(repo, "rev-parse", "HEAD");
  git(repo, "checkout", "-qb", "promote-capacity");

  // (1) The promotion: evidence, then capacity in staging's shadow stack and, with its promotion block, assist.
  fs.writeFileSync(path.join(repo, "evidence", "staging", "capacity.yaml"), STAGING_CAPACITY_EVIDENCE);
  const shadow = readStack(repo, "staging-shadow");
  agentsOf(shadow).push(agentIn(repo, "dev-shadow", "capacity"));
  writeStack(repo, "staging-shadow", shadow);
  const assist = readStack(repo, "staging-assist");
  const promoted = agentIn(repo, "dev-assist", "capacity");
  promoted["promotion"] = {
    evidence: "evidence/staging/capacity.yaml",
    approvedBy: ["maria.lopez"],
    reference: "https://git.example.com/platform/agent-trust/pull/7",
  };
  agentsOf(assist).push(promoted);
  writeStack(repo, "staging-assist", assist);
  // The new stack: a second shadow stack in dev for a new agent, triage.
  const canary = readStack(repo, "dev-shadow");
  canary.config["agent-trust:agents"] = [{ ...agentIn(repo, "dev-shadow", "capacity"), name: "triage" }];
  writeStack(repo, "dev-canary", canary);
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "Promote capacity to assist in staging; a canary shadow stack for triage");
  const config = git(repo, "rev-parse", "HEAD");

  // (2) The widened Role: remediation may patch secrets.
  const catalog = path.join(repo, "src", "model", "catalog.ts");
  const text = fs.readFileSync(catalog, "utf8");
  const widened = text.replace(
    "writes: [RESTART_POD, ROLLOUT_RESTART],",
    `writes: [RESTART_POD, ROLLOUT_RESTART, { intent: "rotate a credential", resource: { apiGroup: "", resource: "secrets" }, verb: "patch", narrowedBy: "deployments" }],`,
  );
  if (widened === text)
    throw new Error("the remediation catalog entry was not found: the rehearsal's widening needs updating");
  fs.writeFileSync(catalog, widened);
  git(repo, "commit", "-qam", "Remediation may rotate credentials");
  return { repo, base, config, head: git(repo, "rev-parse", "HEAD") };
}
