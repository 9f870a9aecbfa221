/**
 * What a deploy run deploys: every deployable stack changed since **its own** last successful deploy, never only
 * what the last push changed. Each stack's last deployed commit is recorded by the deploy job as the git tag
 * `deployed/<stack>`; a stack with no record (never deployed, or a record the current history does not contain)
 * is deployed. Pure: the git reading is done by `src/ci/changed.ts --since-deployed`.
 */
import { changedStacks, deployOrder, type StackInfo } from "./changed";

/** The tag prefix under which the deploy job records each stack's last successfully deployed commit. */
export const DEPLOYED_TAG_PREFIX = "deployed/";

export interface DeployInputs {
  /** Stack → the commit it was last deployed from (absent: never deployed, or the record is unusable). */
  readonly records: Readonly<Record<string, string | undefined>>;
  /**
   * Recorded commit → the files changed between it and HEAD (`git diff --name-only <commit> HEAD`); absent when
   * the commit is not an ancestor of HEAD (history rewritten), which counts as no record.
   */
  readonly changedSince: Readonly<Record<string, readonly string[] | undefined>>;
}

export interface DeployPlan {
  /** Stacks to deploy, in deploy order (dev → staging → prod; in each the foundation, then the phases). */
  readonly stacks: string[];
  /** The phase stacks among them (their promotion gate runs before `pulumi up`). */
  readonly phaseStacks: string[];
  /** Per stack to deploy, why: "no record" or "changed since <commit>". */
  readonly reasons: Record<string, string>;
}

export function planDeploys(stacks: readonly StackInfo[], inputs: DeployInputs): DeployPlan {
  const reasons: Record<string, string> = {};
  for (const s of stacks) {
    if (!s.deployable) continue;
    const commit = inputs.records[s.stack];
    const files = commit === undefined ? undefined : inputs.changedSince[commit];
    if (commit === undefined || files === undefined)
      reasons[s.stack] = commit === undefined ? "no record" : `record ${commit} is not in HEAD's history`;
    else if (changedStacks(files, stacks).includes(s.stack)) reasons[s.stack] = `changed since ${commit.slice(0, 12)}`;
  }
  const ordered = deployOrder(stacks.filter((s) => s.stack in reasons));
  return {
    stacks: ordered.map((s) => s.stack),
    phaseStacks: ordered.filter((s) => s.phase !== undefined).map((s) => s.stack),
    reasons,
  };
}
