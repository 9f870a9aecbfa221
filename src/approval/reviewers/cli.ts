/**
 * `agent-trust approvals <list|approve|deny|log>`: the reviewers' commands over the ApprovalReview objects the
 * approval proxy holds requests in. This module only dispatches; the shared options are in options.ts, the help
 * texts in help.ts, the subcommands in decide.ts (approve, deny) and views.ts (list, log).
 */
import type { Io } from "../../cli/io";
import { ReviewerError } from "./client";
import { runDecide } from "./decide";
import { APPROVALS_HELP } from "./help";
import type { Seams } from "./options";
import { runList, runLog } from "./views";

export async function runApprovals(args: string[], io: Io, seams: Seams = {}): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io.out(APPROVALS_HELP);
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub === "list") return await runList(rest, io, seams);
    if (sub === "log") return await runLog(rest, io, seams);
    if (sub === "approve" || sub === "deny") return await runDecide(sub, rest, io, seams);
  } catch (e) {
    if (!(e instanceof ReviewerError)) throw e;
    io.err(`agent-trust: ${e.message}`);
    return 1;
  }
  return io.fail(`unknown approvals subcommand "${sub}"; see agent-trust approvals --help`);
}
