/**
 * `agent-trust check --format sarif`: the checker's result as a SARIF 2.1.0 log, for GitHub code scanning
 * (github/codeql-action/upload-sarif) so violations show on the changed lines. Each result points at its file
 * and at the line where its YAML document starts (or line 1 of an HCL file); a stack-level finding without an
 * object points at the first input path. A document of `agent-trust render` output (its file names the stack it
 * was rendered from) points at the source instead: the stack file's line of the agent's entry, where a pull
 * request changes it, with the rendered document as a related location. Every rule of the table is listed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { RULES } from "../rules";
import type { CheckResult, CheckViolation } from "./index";

export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

type Level = "error" | "warning";

/** Relative, forward-slashed path: what code scanning matches against the repository's files. */
function uriOf(file: string, base: string): string {
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

const RENDERED = /^# Rendered by agent-trust from stack "([A-Za-z0-9][A-Za-z0-9_.-]*)"\./;

function fileInfo(file: string, cache: Map<string, FileInfo>): FileInfo {
  const hit = cache.get(file);
  if (hit) return hit;
  let info: FileInfo = { lines: [], agents: [] };
  try {
    const text = fs.readFileSync(file, "utf8");
    if (!/\.hcl$/i.test(file)) {
      const docs = parseAllDocuments(text).filter((d) => "range" in d && d.contents);
      const lines = linesAt(text, docs.map((d) => d.contents?.range?.[0] ?? d.range[0]));
      const agents = docs.map((d) => {
        const labels = (d.toJS() as { metadata?: { labels?: Record<string, unknown> } } | null)?.metadata?.labels;
        const agent = labels?.["agent-trust.io/agent"];
        return typeof agent === "string" ? agent : undefined;
      });
      info = { lines, agents, ...(RENDERED.test(text) ? { renderedFrom: RENDERED.exec(text)?.[1] } : {}) };
    }
  } catch {
    // Unreadable now: the location falls back to line 1.
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
function sourceOf(stack: string, agent: string | undefined, base: string, read: Map<string, string[] | undefined>): { file: string; line: number } | undefined {
  const file = path.join(base, "stacks", `Pulumi.${stack}.yaml`);
  // Read once per report, not once per violation.
  if (!read.has(file)) read.set(file, fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : undefined);
  const lines = read.get(file);
  if (!lines) return undefined;
  // Compared as text, never as a pattern: the label comes from the checked file.
  const entry = (l: string) => /^\s*-\s*name:/.test(l) && l.replace(/#.*$/, "").replace(/^\s*-\s*name:/, "").trim().replace(/^["']|["']$/g, "") === agent;
  const at = agent === undefined ? -1 : lines.findIndex(entry);
  return { file, line: at + 1 || 1 };
}

/** The checker names a loaded object `Kind ns/name (file, document N)`. */
function documentOf(v: CheckViolation): number | undefined {
  const m = /, document (\d+)\)$/.exec(v.resource);
  return m ? Number(m[1]) : undefined;
}

export interface SarifOptions {
  /** The paths the check was given: a finding without an object points at the first one. */
  readonly paths: readonly string[];
  /** URIs are relative to this directory (the repository root in CI); default the working directory. */
  readonly base?: string;
  readonly toolVersion?: string;
}

export function toSarif(result: CheckResult, options: SarifOptions): object {
  const base = options.base ?? process.cwd();
  const ruleIndex = new Map(RULES.map((r, i) => [r.name, i]));
  const cache = new Map<string, FileInfo>();
  const stackFiles = new Map<string, string[] | undefined>();
  const location = (file: string, startLine: number) => ({ physicalLocation: { artifactLocation: { uri: uriOf(file, base), uriBaseId: "%SRCROOT%" }, region: { startLine } } });
  const results = result.violations.map((v) => {
    const file = v.file ?? options.paths[0] ?? ".";
    const doc = v.file ? documentOf(v) : undefined;
    const info = v.file ? fileInfo(v.file, cache) : undefined;
    const startLine = (doc !== undefined ? info?.lines[doc - 1] : undefined) ?? 1;
    const source = info?.renderedFrom ? sourceOf(info.renderedFrom, doc !== undefined ? info.agents[doc - 1] : undefined, base, stackFiles) : undefined;
    const level: Level = v.enforcement === "mandatory" ? "error" : "warning";
    return {
      ruleId: v.policy,
      ...(ruleIndex.has(v.policy) ? { ruleIndex: ruleIndex.get(v.policy) } : {}),
      level,
      message: { text: `${v.resource}: ${v.message}` },
      locations: [source ? location(source.file, source.line) : location(file, startLine)],
      ...(source ? { relatedLocations: [{ id: 0, ...location(file, startLine), message: { text: "the rendered object" } }] } : {}),
      properties: { enforcement: v.enforcement, remediation: v.remediation },
    };
  });
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "agent-trust",
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
            rules: RULES.map((r) => ({
              id: r.name,
              name: r.name,
              shortDescription: { text: r.description },
              help: { text: r.remediationSteps },
              properties: { domain: r.domain, security: r.security, scope: r.scope },
            })),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: `${pathToFileUri(base)}/` } },
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            toolExecutionNotifications: result.errors.map((e) => ({ level: "error", message: { text: e } })),
          },
        ],
        results,
      },
    ],
  };
}

function pathToFileUri(p: string): string {
  const abs = path.resolve(p).split(path.sep).join("/");
  return `file://${abs.startsWith("/") ? "" : "/"}${encodeURI(abs)}`.replace(/\/$/, "");
}
