/**
 * The measured matrix as text: phase columns, one row per action, each cell `measured/catalog`, mismatches
 * marked. Rows that behave identically in every phase are merged (verbs first, then objects) so thousands of
 * cells fit on a screen; the counts below the table still cover every single cell. Pure.
 */
import { PHASES, type Phase } from "../model/phases";
import { matches, SECTIONS, summarize, type CheckResult, type Section } from "./results";

const TITLES: Record<Section, string> = {
  rbac: "RBAC: SubjectAccessReview as each phase's ServiceAccount (kube-apiserver RBAC authorizer)",
  vault: "Vault: TokenRequest (audience vault) → Kubernetes auth login → KV v2 ACLs",
  "pod-security": "Pod Security: dry-run create of each published PodTemplate's Job pod (restricted)",
  audit: "Audit: real requests with the agent's own token, and their audit-log events",
};
const SCOPE_ORDER = ["own ns", "target ns", "other ns", "cluster", "login", "token", "kv", "admin", "real request", "audit log"];

interface Row {
  section: Section;
  agent: string;
  scope: string;
  verbs: string[];
  objects: string[];
  cells: Partial<Record<Phase, { measured: string; expected: string; bad: boolean }>>;
}

const yesNo = (verb: string) => verb === "recorded" || verb === "ttl";
function word(verb: string, v: string): string {
  if (!yesNo(verb)) return v;
  return v === "allow" ? "yes" : v === "deny" ? "no" : v;
}
const agg = (values: string[]) => (new Set(values).size === 1 ? values[0]! : "mixed");
const vector = (r: Row) => PHASES.map((p) => JSON.stringify(r.cells[p] ?? null)).join("|");

function mergeBy(rows: Row[], key: (r: Row) => string, merge: (into: Row, from: Row) => void): Row[] {
  const out = new Map<string, Row>();
  for (const r of rows) {
    const k = `${key(r)}#${vector(r)}`;
    const have = out.get(k);
    if (have) merge(have, r);
    else out.set(k, { ...r, verbs: [...r.verbs], objects: [...r.objects] });
  }
  return [...out.values()];
}

export function matrixRows(results: readonly CheckResult[]): Row[] {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) {
    const k = [r.section, r.agent, r.scope, r.verb, r.object].join("\u0000");
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  let rows: Row[] = [...groups.values()].map((g) => {
    const first = g[0]!;
    const cells: Row["cells"] = {};
    for (const p of PHASES) {
      const inPhase = g.filter((c) => c.phase === p);
      if (inPhase.length === 0) continue;
      cells[p] = {
        measured: word(first.verb, agg(inPhase.map((c) => c.measured))),
        expected: word(first.verb, agg(inPhase.map((c) => c.expected))),
        bad: inPhase.some((c) => !matches(c)),
      };
    }
    return { section: first.section, agent: first.agent, scope: first.scope, verbs: [first.verb], objects: [first.object], cells };
  });
  rows = mergeBy(rows, (r) => [r.section, r.agent, r.scope, r.objects.join()].join("\u0000"), (a, b) => a.verbs.push(...b.verbs));
  rows = mergeBy(rows, (r) => [r.section, r.agent, r.scope, r.verbs.join()].join("\u0000"), (a, b) => a.objects.push(...b.objects));
  const scopeRank = (s: string) => (SCOPE_ORDER.includes(s) ? SCOPE_ORDER.indexOf(s) : SCOPE_ORDER.length);
  return rows.sort(
    (a, b) =>
      SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section) ||
      a.agent.localeCompare(b.agent) ||
      scopeRank(a.scope) - scopeRank(b.scope) ||
      a.scope.localeCompare(b.scope) ||
      `${a.verbs} ${a.objects}`.localeCompare(`${b.verbs} ${b.objects}`),
  );
}

function table(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
}

/** The whole report: one table per section, then totals and the first mismatches with the server's words. */
export function formatReport(results: readonly CheckResult[], maxMismatchDetails = 30): string {
  const rows = matrixRows(results);
  const out: string[] = [];
  for (const section of SECTIONS) {
    const mine = rows.filter((r) => r.section === section);
    if (mine.length === 0) continue;
    out.push("", `${TITLES[section]} — each cell: measured/catalog`);
    const body = mine.map((r) => [
      r.agent,
      r.scope,
      `${r.verbs.join(",")} ${r.objects.join(", ")}`,
      ...PHASES.map((p) => {
        const c = r.cells[p];
        if (!c) return "—";
        return c.bad ? `${c.measured.toUpperCase()}/${c.expected} ✗` : `${c.measured}/${c.expected}`;
      }),
    ]);
    out.push(...table(["agent", "scope", "action", ...PHASES], body));
  }
  const s = summarize(results);
  out.push("");
  for (const section of SECTIONS) {
    const b = s.bySection[section];
    if (b.total > 0) out.push(`${section.padEnd(13)} ${String(b.total).padStart(5)} checks, ${b.mismatches} mismatch${b.mismatches === 1 ? "" : "es"}`);
  }
  out.push(`${"total".padEnd(13)} ${String(s.total).padStart(5)} checks, ${s.mismatches} mismatch${s.mismatches === 1 ? "" : "es"}`);
  const bad = results.filter((r) => !matches(r));
  if (bad.length > 0) {
    out.push("", "Mismatches (measured vs catalog):");
    for (const r of bad.slice(0, maxMismatchDetails)) {
      out.push(`  ✗ ${r.section} ${r.phase} ${r.agent} ${r.scope}: ${r.verb} ${r.object}: measured ${r.measured}, expected ${r.expected} (${r.basis})${r.detail ? ` — ${r.detail}` : ""}`);
    }
    if (bad.length > maxMismatchDetails) out.push(`  … and ${bad.length - maxMismatchDetails} more`);
  }
  return out.join("\n");
}
