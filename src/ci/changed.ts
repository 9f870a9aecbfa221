/**
 * Which stacks a change touches, in deploy order (per environment dev → staging → prod: the foundation first,
 * then the phases shadow → autonomous). Used by the workflows: `node --import tsx src/ci/changed.ts <base-ref>`
 * prints `stacks=<json array>` for $GITHUB_OUTPUT (the pull request: what it changes against its base);
 * `--since-deployed` prints what the deploy workflow deploys: each stack changed since its own last successful
 * deploy, read from the `deployed/<stack>` tags (src/ci/deploys.ts); `--all` every stack.
 */
import { execFileSync } from "node:child_process";
import { listStacks, loadFoundationFor, loadStackConfig, projectRoot } from "../config/stacks";
import { ENVIRONMENTS, isAbove, isPhase, PHASES, phaseRank, STRICTEST_PHASE } from "../model/phases";
import { DEPLOYED_TAG_PREFIX, planDeploys, type DeployInputs } from "./deploys";

/** Changes here can change what any stack creates: every stack is affected. */
const CODE = [/^src\//, /^policy\//, /^bin\//, /^package(-lock)?\.json$/, /^Pulumi\.yaml$/, /^tsconfig\.json$/];

export interface StackInfo {
  readonly stack: string;
  readonly environment: string;
  readonly phase?: string;
  readonly agents: readonly string[];
  /** False for a phase above its environment's ceiling: refused by the program, so never previewed or deployed. */
  readonly deployable: boolean;
}

export function stackInfo(root: string): StackInfo[] {
  return listStacks(root).map((stack) => {
    const cfg = loadStackConfig(stack, root);
    return cfg.layer === "foundation"
      ? { stack, environment: cfg.environment, agents: [], deployable: true }
      : {
          stack,
          environment: cfg.environment,
          phase: cfg.phase,
          agents: cfg.agents.map((a) => a.name),
          deployable: !isAbove(cfg.phase, loadFoundationFor(cfg, root).phaseCeiling),
        };
  });
}

/** Deploy order: environments dev, staging, prod; in each the foundation, then phases in trust order. */
export function deployOrder(stacks: readonly StackInfo[]): StackInfo[] {
  const rank = (s: StackInfo) =>
    ENVIRONMENTS.indexOf(s.environment as never) * (PHASES.length + 1) +
    (isPhase(s.phase) ? 1 + phaseRank(s.phase) : 0);
  return [...stacks].sort((a, b) => rank(a) - rank(b) || a.stack.localeCompare(b.stack));
}

export function changedStacks(files: readonly string[], stacks: readonly StackInfo[]): string[] {
  const hit = new Set<string>();
  for (const f of files) {
    if (CODE.some((re) => re.test(f))) return deployOrder(stacks).map((s) => s.stack);
    const stackFile = /^stacks\/Pulumi\.(.+)\.yaml$/.exec(f)?.[1];
    const evidence = /^evidence\/([^/]+)\/([^/]+)\.yaml$/.exec(f);
    for (const s of stacks) {
      // A foundation's change (ceiling, calibration) reaches every phase stack of its environment.
      const foundation = stacks.find((x) => x.stack === stackFile && !x.phase);
      if (s.stack === stackFile || s.environment === foundation?.environment) hit.add(s.stack);
      if (
        evidence &&
        s.phase &&
        s.phase !== STRICTEST_PHASE &&
        s.environment === evidence[1] &&
        s.agents.includes(evidence[2]!)
      )
        hit.add(s.stack);
    }
  }
  return deployOrder(stacks.filter((s) => hit.has(s.stack))).map((s) => s.stack);
}

/** `git …` in `root`, its stdout; undefined when git exits non-zero. */
function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
}

/** Each stack's `deployed/<stack>` tag and, for each recorded commit HEAD descends from, the files changed since. */
export function readDeployRecords(root: string, stacks: readonly StackInfo[]): DeployInputs {
  const records: Record<string, string | undefined> = {};
  const changedSince: Record<string, string[] | undefined> = {};
  for (const s of stacks) {
    const commit = git(root, [
      "rev-parse",
      "--verify",
      "--quiet",
      `refs/tags/${DEPLOYED_TAG_PREFIX}${s.stack}^{commit}`,
    ])?.trim();
    if (!commit) continue;
    records[s.stack] = commit;
    if (commit in changedSince) continue;
    const ancestor = git(root, ["merge-base", "--is-ancestor", commit, "HEAD"]) !== undefined;
    changedSince[commit] = ancestor
      ? (git(root, ["diff", "--name-only", `${commit}..HEAD`]) ?? "").split("\n").filter(Boolean)
      : undefined;
  }
  return { records, changedSince };
}

if (require.main === module) {
  const [base, head = "HEAD"] = process.argv.slice(2);
  const root = projectRoot();
  const stacks = stackInfo(root);
  const out = (lines: [string, unknown][]) =>
    process.stdout.write(lines.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n") + "\n");
  if (base === "--since-deployed") {
    // Deploy: every stack changed since its own last successful deploy (the `deployed/<stack>` tags).
    const plan = planDeploys(stacks, readDeployRecords(root, stacks));
    for (const s of plan.stacks) process.stderr.write(`deploy ${s}: ${plan.reasons[s]}\n`);
    out([
      ["stacks", plan.stacks],
      ["phase-stacks", plan.phaseStacks],
    ]);
  } else {
    const files =
      base === "--all"
        ? ["src/"]
        : execFileSync("git", ["diff", "--name-only", "--end-of-options", `${base ?? "HEAD~1"}...${head}`], {
            cwd: root,
            encoding: "utf8",
          })
            .split("\n")
            .filter(Boolean);
    const changed = changedStacks(files, stacks);
    const deployable = changed.filter((c) => stacks.find((s) => s.stack === c)?.deployable);
    out([
      ["stacks", deployable],
      ["phase-stacks", deployable.filter((c) => stacks.find((s) => s.stack === c)?.phase)],
      ["refused", changed.filter((c) => !deployable.includes(c))],
    ]);
  }
}
