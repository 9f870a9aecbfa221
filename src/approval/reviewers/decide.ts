/**
 * `approvals approve|deny ID [--reason TEXT]`: show the held request, refuse locally what the admission policy
 * would refuse anyway (already decided, has a result, expired), learn the caller's username from the API server,
 * and write the decision with the resourceVersion it was read at. The admission policy is the real judge: its
 * refusal is reported verbatim, and a conflict (someone decided meanwhile) shows the decision that won.
 */
import type { Io } from "../../cli/io";
import type { ReviewDecision, ReviewVerdict } from "../../model/approval";
import { failure, getReview, updateReview, whoAmI } from "./api";
import { statusMessage } from "./client";
import { DECIDE_HELP } from "./help";
import { parseSub, session, type Seams } from "./options";
import { decisionText, printable, refusalToDecide, requestSummary, resultText } from "./reviews";

const MAX_REASON = 1024;

export async function runDecide(
  sub: "approve" | "deny",
  args: readonly string[],
  io: Io,
  seams: Seams,
): Promise<number> {
  const parsed = parseSub(args, { reason: { type: "string", needs: "a text" } }, sub);
  if (typeof parsed === "string") return io.fail(parsed);
  const { values, positionals } = parsed;
  if (values.help) return (io.out(DECIDE_HELP(sub)), 0);
  if (positionals.length !== 1) return io.fail(`approvals ${sub} needs exactly one review ID`);
  const id = positionals[0]!;
  const reason = values.reason?.trim();
  if (reason !== undefined && (reason === "" || reason.length > MAX_REASON))
    return io.fail(`--reason must be 1 to ${MAX_REASON} characters`);
  const s = session(values, io, seams);
  const { review, raw } = await getReview(s.client, s.namespace, id);
  for (const line of requestSummary(review, s.now())) io.err(line);
  const refused = refusalToDecide(review, s.now());
  if (refused !== undefined) return refuse(io, `${printable(refused)}; nothing was sent`);
  const by = await whoAmI(s.client);
  const verdict: ReviewVerdict = sub === "approve" ? "approved" : "denied";
  const decision: ReviewDecision = { verdict, by, ...(reason === undefined ? {} : { reason }) };
  const r = await updateReview(s.client, s.namespace, id, { ...raw, decision });
  if (r.status === 200) {
    io.out(`review ${id} ${verdict} by ${printable(by)}${reason ? ` (${printable(reason)})` : ""}`);
    return 0;
  }
  if (r.status === 409) {
    const now = await getReview(s.client, s.namespace, id).catch(() => undefined);
    const current = !now
      ? "it could not be read again"
      : now.review.decision
        ? decisionText(now.review.decision)
        : now.review.result
          ? `result ${resultText(now.review.result)}`
          : "it changed, still undecided: run the command again";
    return refuse(
      io,
      `review ${id} was decided by someone else meanwhile (${printable(current)}); yours was not recorded`,
    );
  }
  if (r.status === 403 || r.status === 422 || r.status === 400)
    return refuse(io, `the API server refused the decision on ${id} (${r.status}): ${printable(statusMessage(r))}`);
  return refuse(io, printable(failure(`cannot record the decision on ${id}`, r).message));
}

function refuse(io: Io, message: string): number {
  io.err(`agent-trust: ${message}`);
  return 1;
}
