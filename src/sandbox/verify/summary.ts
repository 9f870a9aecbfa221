/**
 * The one screen `npm run demo` and `sandbox verify` print first: per layer the cells measured, the mismatches
 * and the time it took; what was deployed; the verdict; where the full matrix and the HTML report went. The
 * measured cells are the same ones the full matrix (report.ts) and the HTML report (report-html.ts) show. Pure.
 */
import { table } from "../../cli/table";
import { PHASES, type Environment, type Phase } from "../../model/phases";
import { wrapList } from "./report";
import { matches, summarize, type CheckResult, type Section } from "./results";

/** The layers in the order they are measured, with the names a reader knows them by. */
export const LAYERS: readonly { readonly section: Section; readonly label: string; readonly by: string }[] = [
  { section: "rbac", label: "RBAC", by: "SubjectAccessReview, kube-apiserver RBAC authorizer" },
  { section: "vault", label: "Vault", by: "Kubernetes auth login, KV v2 ACLs (OpenBao)" },
  { section: "pod-security", label: "Pod Security", by: "dry-run Job pods, PodSecurity restricted" },
  { section: "admission", label: "admission", by: "real requests, ValidatingAdmissionPolicies" },
  { section: "audit", label: "audit", by: "the agent's own token, audit-log events" },
  { section: "approval", label: "approval", by: "the approval proxy, approvals approve/deny, the API server" },
  { section: "network", label: "network", by: "stored NetworkPolicies judged by cyclonus" },
];

/** What the measured sandbox holds and how it got there. */
export interface Deployed {
  readonly environment: Environment;
  /** Foundation first, then the phase stacks. */
  readonly stacks: readonly string[];
  readonly agents: Readonly<Record<Phase, readonly string[]>>;
  /** Who deployed: "the Pulumi engine (policy pack enforced)", "the sandbox's own client", "sandbox up at …". */
  readonly by: string;
  readonly kubernetes?: number;
  readonly vault?: number;
}

/** Everything the screen, the matrix file and the HTML report are made from. */
export interface RunReport {
  /** "agent-trust demo", "agent-trust sandbox verify". */
  readonly title: string;
  readonly deployed: Deployed;
  readonly results: readonly CheckResult[];
  /** Seconds spent measuring each layer (`verifySandbox`'s timings). */
  readonly timings: Readonly<Record<string, number>>;
  /** Seconds of the run's own steps, in order (servers up, deploy, verify, stop, total). */
  readonly steps?: readonly (readonly [string, number])[];
  readonly generatedAt: string;
}

/** Where the full matrix (or "-": stdout, after the screen) and the HTML report were written. */
export interface ReportFiles {
  readonly matrix: string;
  readonly html: string;
}

const secs = (s: number | undefined) => (s === undefined ? "—" : `${s.toFixed(1)}s`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The agents line(s): one list when every phase runs the same agents, else phase by phase. */
function agentLines(agents: Deployed["agents"]): string[] {
  const lists = PHASES.map((p) => agents[p].join(", "));
  const same = lists.every((l) => l === lists[0]);
  const none = (l: string | undefined): string => (l === undefined || l === "" ? "none" : l);
  const items = same
    ? [`${none(lists[0])} in each of ${PHASES.join(", ")}`]
    : PHASES.map((p, i) => `${p}: ${none(lists[i])}`);
  return wrapList(items, 96, same ? ", " : " · ");
}

/** One line per mismatch, in the words of the full matrix's mismatch list. */
export function mismatchLine(r: CheckResult): string {
  return `${r.section} ${r.phase} ${r.agent} ${r.scope}: ${r.verb} ${r.object}: measured ${r.measured}, expected ${r.expected} (${r.basis})`;
}

/** The summary screen, at most about 25 lines. `showMismatches` caps the mismatches listed under the verdict. */
export function formatSummary(run: RunReport, files: ReportFiles, showMismatches = 3): string[] {
  const s = summarize(run.results);
  const num = (n: number) => String(n);
  const rows = LAYERS.map((l) => [
    l.label,
    num(s.bySection[l.section].total),
    num(s.bySection[l.section].mismatches),
    secs(run.timings[l.section]),
    l.by,
  ]);
  const measuring = LAYERS.reduce((t, l) => t + (run.timings[l.section] ?? 0), 0);
  rows.push(["total", num(s.total), num(s.mismatches), secs(measuring), ""]);
  // Right-align the numbers: the shared printer pads on the right.
  for (const col of [1, 2, 3]) {
    const w = Math.max(...rows.map((r) => r[col]!.length), ["cells", "mismatches", "time"][col - 1]!.length);
    for (const r of rows) r[col] = r[col]!.padStart(w);
  }
  const d = run.deployed;
  const counts = d.kubernetes !== undefined ? `: ${d.kubernetes} Kubernetes and ${d.vault ?? 0} Vault objects` : "";
  const out = [`${run.title}: the ${d.environment} stacks, measured on real servers`, ""];
  out.push(...table(["layer", "cells", "mismatches", "time", "measured by"], rows));
  out.push("");
  out.push(`deployed  ${plural(d.stacks.length, "stack")}: ${d.stacks.join(", ")}`);
  out.push(`          by ${d.by}${counts}`);
  agentLines(d.agents).forEach((l, i) => out.push(`${i === 0 ? "agents    " : "          "}${l}`));
  if (run.steps && run.steps.length > 0)
    out.push(`time      ${run.steps.map(([name, t]) => `${name} ${secs(t)}`).join(", ")}`);
  out.push("");
  const bad = run.results.filter((r) => !matches(r));
  if (bad.length === 0)
    out.push(
      `✓ every cell matches the catalog (${plural(s.total, "cell")} in ${LAYERS.filter((l) => s.bySection[l.section].total > 0).length} layers)`,
    );
  else {
    out.push(`✗ ${bad.length} of ${plural(s.total, "cell")} differ from the catalog:`);
    for (const r of bad.slice(0, showMismatches)) out.push(`  ✗ ${mismatchLine(r)}`);
    if (bad.length > showMismatches) out.push(`  … and ${bad.length - showMismatches} more in the full matrix`);
  }
  out.push(`full matrix  ${files.matrix === "-" ? "below (stdout)" : files.matrix}`);
  out.push(`HTML report  ${files.html}`);
  return out;
}
