/**
 * Where a violation is, for the report formats that point at lines (SARIF, GitHub annotations, JUnit): its file
 * and the line where its YAML document starts (or line 1 of an HCL file); a stack-level finding without an object
 * points at the first input path. A document of `agent-trust render` output (its file names the stack it was
 * rendered from) points at the source instead: the stack file's line of the agent's entry, where a pull request
 * changes it, with the rendered document kept as `rendered`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { CheckViolation } from "./judging";

export interface Place {
  readonly file: string;
  readonly line: number;
}

export interface Located extends Place {
  /** For a rendered document pointed at its stack file: the rendered document itself. */
  readonly rendered?: Place;
}

/** Relative, forward-slashed path: what code scanning and annotations match against the repository's files. */
export function uriOf(file: string, base: string): string {
  const rel = path.relative(base, path.resolve(base, file));
  return rel.split(path.sep).join("/");
}

interface FileInfo {
  /** 1-based start line of each YAML document. */
  readonly lines: number[];
  /** The `agent-trust.io/agent` label of each document. */
  readonly agents: (string | undefined)[];
  /** The stack a rendered file came from (its header says so). */
  readonly renderedFrom?: string;
}

const RENDERED = /^# (?:[a-z-]+\.yaml: )?Rendered by agent-trust from stack "([A-Za-z0-9][A-Za-z0-9_.-]*)"\./;

function fileInfo(file: string, cache: Map<string, FileInfo>): FileInfo {
  const hit = cache.get(file);
  if (hit) return hit;
  let info: FileInfo = { lines: [], agents: [] };
  try {
    const text = fs.readFileSync(file, "utf8");
    if (!/\.hcl$/i.test(file)) {
      const docs = parseAllDocuments(text).filter((d) => "range" in d && d.contents);
      const lines = linesAt(
        text,
        docs.map((d) => d.contents?.range?.[0] ?? d.range[0]),
      );
      const agents = docs.map((d) => {
        const labels = (d.toJS() as { metadata?: { labels?: Record<string, unknown> } } | null)?.metadata?.labels;
        const agent = labels?.["agent-trust.io/agent"];
        return typeof agent === "string" ? agent : undefined;
      });
      info = { lines, agents, ...(RENDERED.test(text) ? { renderedFrom: RENDERED.exec(text)?.[1] } : {}) };
    }
  } catch {
    // Unreadable now (or standard input): the location falls back to line 1.
  }
  cache.set(file, info);
  return info;
}

/**
 * The 1-based line of each offset of `text`: one pass over the text for all of them (offsets come in order;
 * one out of order is counted again from the start), never a copy of the text before each.
 */
function linesAt(text: string, offsets: readonly number[]): number[] {
  let line = 1;
  let from = 0;
  return offsets.map((o) => {
    if (o < from) [line, from] = [1, 0];
    for (let i = text.indexOf("\n", from); i !== -1 && i < o; i = text.indexOf("\n", i + 1)) line++;
    from = o;
    return line;
  });
}

/** The stack file a rendered document came from, at the line of its agent's entry (else the file's first line). */
function sourceOf(
  stack: string,
  agent: string | undefined,
  base: string,
  read: Map<string, string[] | undefined>,
): Place | undefined {
  const file = path.join(base, "stacks", `Pulumi.${stack}.yaml`);
  // Read once per report, not once per violation.
  if (!read.has(file)) read.set(file, fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : undefined);
  const lines = read.get(file);
  if (!lines) return undefined;
  // Compared as text, never as a pattern: the label comes from the checked file.
  const entry = (l: string) =>
    /^\s*-\s*name:/.test(l) &&
    l
      .replace(/#.*$/, "")
      .replace(/^\s*-\s*name:/, "")
      .trim()
      .replace(/^["']|["']$/g, "") === agent;
  const at = agent === undefined ? -1 : lines.findIndex(entry);
  return { file, line: at + 1 || 1 };
}

/** The checker names a loaded object `Kind ns/name (file, document N)`. */
function documentOf(v: CheckViolation): number | undefined {
  const m = /, document (\d+)\)$/.exec(v.resource);
  return m ? Number(m[1]) : undefined;
}

/** A function locating each violation; `paths` are the checked paths, `base` the repository root. */
export function locator(paths: readonly string[], base: string): (v: CheckViolation) => Located {
  const cache = new Map<string, FileInfo>();
  const stackFiles = new Map<string, string[] | undefined>();
  return (v) => {
    const file = v.file ?? paths[0] ?? ".";
    const doc = v.file ? documentOf(v) : undefined;
    const info = v.file ? fileInfo(v.file, cache) : undefined;
    const line = (doc !== undefined ? info?.lines[doc - 1] : undefined) ?? 1;
    const source = info?.renderedFrom
      ? sourceOf(info.renderedFrom, doc !== undefined ? info.agents[doc - 1] : undefined, base, stackFiles)
      : undefined;
    return source ? { ...source, rendered: { file, line } } : { file, line };
  };
}
