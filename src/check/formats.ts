/**
 * `agent-trust check --format github` and `--format junit`: the checker's result as GitHub Actions workflow
 * commands (an annotation per violation on its file and line, as conftest and kube-score users expect in CI) and
 * as a JUnit XML report (a test case per violation, per unreadable input, and one for the run itself).
 */
import type { CheckResult, CheckViolation } from "./judging";
import { locator, uriOf, type Located } from "./locate";

export interface ReportOptions {
  /** The paths the check was given. */
  readonly paths: readonly string[];
  /** File names are relative to this directory (the repository root in CI). */
  readonly base: string;
  /** How the objects were judged, e.g. "phase shadow, env prod, layer phase". */
  readonly judged: string;
}

/** A workflow command's message: `%`, CR and LF escaped, as GitHub's toolkit does (escapeData). */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A workflow command's property value: escapeData plus `:` and `,` (escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function command(name: string, properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(",");
  return `::${name}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

/** One `::error` (mandatory) or `::warning` (advisory) annotation per violation, one `::error` per unreadable input. */
export function toGithub(result: CheckResult, options: ReportOptions): string[] {
  const locate = locator(options.paths, options.base);
  const lines = result.violations.map((v) => {
    const at = locate(v);
    const level = v.enforcement === "mandatory" ? "error" : "warning";
    const also = at.rendered ? ` (rendered: ${uriOf(at.rendered.file, options.base)}:${at.rendered.line})` : "";
    return command(
      level,
      { file: uriOf(at.file, options.base), line: at.line, title: `agent-trust ${v.policy}` },
      `${v.resource}: ${v.message}${also}\nfix: ${v.remediation}`,
    );
  });
  for (const e of result.errors) lines.push(command("error", { title: "agent-trust: unreadable input" }, e));
  const mandatory = result.violations.filter((v) => v.enforcement === "mandatory").length;
  lines.push(
    `agent-trust check: ${result.checked} object(s) checked (${options.judged}): ${mandatory} mandatory and ${result.violations.length - mandatory} advisory violation(s), ${result.errors.length} unreadable input(s)`,
  );
  return lines;
}

/** Text safe in XML 1.0 attributes and content (characters XML cannot hold become U+FFFD). */
export function xml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function violationCase(v: CheckViolation, at: Located, base: string): string {
  const file = uriOf(at.file, base);
  const where = `${file}:${at.line}${at.rendered ? ` (rendered: ${uriOf(at.rendered.file, base)}:${at.rendered.line})` : ""}`;
  const head = `    <testcase classname="${xml(v.policy)}" name="${xml(v.resource)}" file="${xml(file)}" line="${at.line}"`;
  const text = `${v.message}\nat ${where}\nfix: ${v.remediation}`;
  // Advisory findings do not fail the check (exit 0), so they do not fail the test case either.
  if (v.enforcement === "advisory")
    return `${head}>\n      <system-out>${xml(`advisory: ${text}`)}</system-out>\n    </testcase>`;
  return `${head}>\n      <failure type="mandatory" message="${xml(v.message)}">${xml(text)}</failure>\n    </testcase>`;
}

/** JUnit XML: a suite "agent-trust check" with a test case per violation and per unreadable input, and a summary case. */
export function toJunit(result: CheckResult, options: ReportOptions): string {
  const locate = locator(options.paths, options.base);
  const cases = result.violations.map((v) => violationCase(v, locate(v), options.base));
  for (const e of result.errors) {
    cases.push(
      `    <testcase classname="agent-trust.input" name="${xml(e)}">\n      <error type="unreadable" message="${xml(e)}">${xml(e)}</error>\n    </testcase>`,
    );
  }
  cases.push(
    `    <testcase classname="agent-trust" name="${xml(`${result.checked} object(s) checked (${options.judged})`)}"/>`,
  );
  const failures = result.violations.filter((v) => v.enforcement === "mandatory").length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="${result.errors.length}"`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="agent-trust check" ${counts}>`,
    `  <testsuite name="agent-trust check" ${counts} skipped="0">`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
  ].join("\n");
}
