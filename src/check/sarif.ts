/**
 * `agent-trust check --format sarif`: the checker's result as a SARIF 2.1.0 log, for GitHub code scanning
 * (github/codeql-action/upload-sarif) so violations show on the changed lines. Each result points at its file
 * and at the line where its YAML document starts (or line 1 of an HCL file); a stack-level finding without an
 * object points at the first input path. Every rule of the table is listed, so a result's rule is described.
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

/** 1-based start line of each YAML document in a file (cached per file). */
function documentLines(file: string, cache: Map<string, number[]>): number[] {
  const hit = cache.get(file);
  if (hit) return hit;
  let lines: number[] = [];
  try {
    const text = fs.readFileSync(file, "utf8");
    if (!/\.hcl$/i.test(file)) {
      const starts = parseAllDocuments(text).flatMap((d) => ("range" in d && d.contents ? [d.contents.range?.[0] ?? d.range[0]] : []));
      lines = starts.map((offset) => text.slice(0, offset).split("\n").length);
    }
  } catch {
    // Unreadable now: the location falls back to line 1.
  }
  cache.set(file, lines);
  return lines;
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
  const cache = new Map<string, number[]>();
  const results = result.violations.map((v) => {
    const file = v.file ?? options.paths[0] ?? ".";
    const doc = v.file ? documentOf(v) : undefined;
    const startLine = (doc !== undefined ? documentLines(v.file ?? "", cache)[doc - 1] : undefined) ?? 1;
    const level: Level = v.enforcement === "mandatory" ? "error" : "warning";
    return {
      ruleId: v.policy,
      ...(ruleIndex.has(v.policy) ? { ruleIndex: ruleIndex.get(v.policy) } : {}),
      level,
      message: { text: `${v.resource}: ${v.message}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(file, base), uriBaseId: "%SRCROOT%" }, region: { startLine } } }],
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
