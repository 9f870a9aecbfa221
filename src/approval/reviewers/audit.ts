/**
 * Reading the API server's JSON audit log (audit.k8s.io/v1 Event, one per line, as kube-apiserver's
 * `--audit-log-path` writes it) for the reviewers' timeline. Files are streamed line by line, never read whole; a
 * line that is torn, not JSON, too long or not an Event is reported with its line number and skipped, never
 * trusted. Only the fields the timeline reads are kept, each checked for its type.
 */
import * as fs from "node:fs";

/** One audit event, reduced to what the timeline reads. */
export interface AuditEntry {
  readonly file: string;
  readonly line: number;
  readonly time: string;
  readonly stage: string;
  readonly verb: string;
  readonly requestURI: string;
  readonly user: string;
  /** The impersonated identity (the executor for an approved request), if any. */
  readonly impersonatedUser?: string;
  readonly impersonatedExtra: Readonly<Record<string, readonly string[]>>;
  readonly objectRef: {
    readonly apiGroup: string;
    readonly resource: string;
    readonly namespace: string;
    readonly name: string;
  };
  readonly code?: number;
  readonly message?: string;
  /** `metadata.name` of the request or response object (a create's review name when objectRef lacks it). */
  readonly objectName?: string;
}

export interface SkippedLine {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

/** Lines longer than this are skipped unread (a real event is a few KiB; RequestResponse bodies stay far below). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const s = (o: unknown, k: string): string => (isObject(o) && typeof o[k] === "string" ? o[k] : "");

function extras(v: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isObject(v)) return out;
  for (const [k, vals] of Object.entries(v))
    if (Array.isArray(vals)) out[k] = vals.filter((x): x is string => typeof x === "string");
  return out;
}

/** One line's event, or why it is skipped. */
export function parseAuditLine(text: string, file: string, line: number): AuditEntry | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return "not JSON (torn or corrupt line)";
  }
  if (
    !isObject(v) ||
    v.kind !== "Event" ||
    typeof v.apiVersion !== "string" ||
    !v.apiVersion.startsWith("audit.k8s.io/")
  )
    return "not an audit.k8s.io Event";
  const time = s(v, "stageTimestamp") || s(v, "requestReceivedTimestamp");
  if (Number.isNaN(Date.parse(time))) return "no valid stageTimestamp";
  const status = v.responseStatus;
  const code = isObject(status) && Number.isInteger(status.code) ? (status.code as number) : undefined;
  const objectName =
    s(isObject(v.responseObject) ? v.responseObject.metadata : undefined, "name") ||
    s(isObject(v.requestObject) ? v.requestObject.metadata : undefined, "name");
  const ref = v.objectRef;
  const imp = v.impersonatedUser;
  return {
    file,
    line,
    time,
    stage: s(v, "stage"),
    verb: s(v, "verb"),
    requestURI: s(v, "requestURI"),
    user: s(v.user, "username"),
    ...(s(imp, "username") ? { impersonatedUser: s(imp, "username") } : {}),
    impersonatedExtra: extras(isObject(imp) ? imp.extra : undefined),
    objectRef: {
      apiGroup: s(ref, "apiGroup"),
      resource: s(ref, "resource"),
      namespace: s(ref, "namespace"),
      name: s(ref, "name"),
    },
    ...(code === undefined ? {} : { code }),
    ...(s(status, "message") ? { message: s(status, "message") } : {}),
    ...(objectName ? { objectName } : {}),
  };
}

/**
 * Streams `file`, handing each readable event to `onEntry` and each skipped line to `onSkip`. A last line
 * without its newline is read too (a log cut mid-write shows up as a torn line, not silence).
 */
export async function readAuditFile(
  file: string,
  onEntry: (e: AuditEntry) => void,
  onSkip: (s: SkippedLine) => void,
): Promise<void> {
  let pending: Buffer[] = [];
  let size = 0;
  let overlong = false;
  let line = 0;
  const finish = (): void => {
    line++;
    const text = Buffer.concat(pending).toString("utf8").trim();
    if (overlong) onSkip({ file, line, reason: `longer than ${MAX_LINE_BYTES} bytes` });
    else if (text !== "") {
      const e = parseAuditLine(text, file, line);
      if (typeof e === "string") onSkip({ file, line, reason: e });
      else onEntry(e);
    }
    pending = [];
    size = 0;
    overlong = false;
  };
  const stream = fs.createReadStream(file);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (!overlong && size + nl - start <= MAX_LINE_BYTES) pending.push(chunk.subarray(start, nl));
      else overlong = true;
      finish();
      start = nl + 1;
    }
    const rest = chunk.length - start;
    if (!overlong && size + rest <= MAX_LINE_BYTES) {
      pending.push(chunk.subarray(start));
      size += rest;
    } else {
      overlong = true;
      pending = [];
    }
  }
  if (size > 0 || overlong) finish();
}
