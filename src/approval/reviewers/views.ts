/**
 * `approvals list` (the reviews waiting for a person, or all of them) and `approvals log` (the timeline of the
 * reviews joined with their audit events), as a table or JSON.
 */
import type { Io } from "../../cli/io";
import { table } from "../../cli/table";
import { LABELS } from "../../model/naming";
import { listReviews } from "./api";
import { readAuditFile, type AuditEntry } from "./audit";
import { ReviewerError } from "./client";
import { LIST_HELP, LOG_HELP } from "./help";
import { parseSub, session, type Seams } from "./options";
import { isPending, LIST_HEADER, listRow, printable, reviewJson } from "./reviews";
import { auditBelongs, fieldTimes, ofInvestigation, timeline, TIMELINE_HEADER, timelineRow } from "./timeline";

function format(value: string | undefined, io: Io): "table" | "json" | number {
  const f = value ?? "table";
  return f === "table" || f === "json" ? f : io.fail(`--format must be table or json, not "${f}"`);
}

const skipped = (io: Io) => (reason: string) => {
  io.err(`agent-trust: skipped a malformed approval review: ${printable(reason)}`);
};

export async function runList(args: readonly string[], io: Io, seams: Seams): Promise<number> {
  const parsed = parseSub(
    args,
    { all: { type: "boolean" }, format: { type: "string", needs: "table or json" } },
    "list",
  );
  if (typeof parsed === "string") return io.fail(parsed);
  const { values, positionals } = parsed;
  if (values.help) return (io.out(LIST_HELP), 0);
  if (positionals.length > 0) return io.fail(`approvals list takes no arguments, not "${positionals[0]}"`);
  const fmt = format(values.format, io);
  if (typeof fmt === "number") return fmt;
  const s = session(values, io, seams);
  const now = s.now();
  const reviews = (await listReviews(s.client, s.namespace, skipped(io)))
    .map((f) => f.review)
    .filter((r) => values.all === true || isPending(r, now));
  if (fmt === "json")
    io.out(
      JSON.stringify(
        reviews.map((r) => reviewJson(r, now)),
        null,
        2,
      ),
    );
  else if (reviews.length === 0)
    io.out(`no ${values.all ? "" : "pending "}approval reviews in namespace ${s.namespace}`);
  else
    for (const line of table(
      LIST_HEADER,
      reviews.map((r) => listRow(r, now)),
    ))
      io.out(line);
  return 0;
}

export async function runLog(args: readonly string[], io: Io, seams: Seams): Promise<number> {
  const parsed = parseSub(
    args,
    {
      investigation: { type: "string", needs: "an investigation id" },
      "audit-log": { type: "string", multiple: true, needs: "a file" },
      format: { type: "string", needs: "table or json" },
    },
    "log",
  );
  if (typeof parsed === "string") return io.fail(parsed);
  const { values, positionals } = parsed;
  if (values.help) return (io.out(LOG_HELP), 0);
  if (positionals.length > 0) return io.fail(`approvals log takes no arguments, not "${positionals[0]}"`);
  const fmt = format(values.format, io);
  if (typeof fmt === "number") return fmt;
  if (values.investigation === "") return io.fail("--investigation needs an investigation id");
  const s = session(values, io, seams);
  const now = s.now();
  const inv = values.investigation;
  const reviews = (await listReviews(s.client, s.namespace, skipped(io)))
    .filter((f) => inv === undefined || ofInvestigation(f.review, inv, LABELS.investigation))
    .map((f) => ({ review: f.review, ...fieldTimes(f.raw) }));
  const names = new Set(reviews.map((t) => t.review.metadata.name));
  const audit: AuditEntry[] = [];
  for (const file of values["audit-log"] ?? []) {
    try {
      await readAuditFile(
        file,
        (e) => {
          if (auditBelongs(e, names)) audit.push(e);
        },
        (k) => {
          io.err(`agent-trust: ${file}:${k.line}: skipped: ${k.reason}`);
        },
      );
    } catch (e) {
      throw new ReviewerError(`cannot read audit log ${file}: ${(e as Error).message}`);
    }
  }
  const lines = timeline(reviews, audit, now);
  if (fmt === "json") io.out(JSON.stringify(lines, null, 2));
  else if (lines.length === 0)
    io.out(`no approval reviews${inv === undefined ? "" : ` of investigation ${inv}`} in namespace ${s.namespace}`);
  else for (const line of table(TIMELINE_HEADER, lines.map(timelineRow))) io.out(line);
  return 0;
}
