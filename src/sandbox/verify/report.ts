/**
 * The measured matrix as text: phase columns, one row per action, each cell `measured/catalog`, mismatches
 * marked. Rows that behave identically in every phase are merged (verbs first, then objects) so thousands of
 * cells fit on a screen; the counts below the table still cover every single cell. Pure.
 */
import { table } from "../../cli/table";
import { PHASES, type Phase } from "../../model/phases";
import { matches, SECTIONS, summarize, type CheckResult, type Section } from "./results";

export const TITLES: Record<Section, string> = {
  rbac: "RBAC: SubjectAccessReview as each phase's ServiceAccount (kube-apiserver RBAC authorizer)",
  vault: "Vault: TokenRequest (audience vault) → Kubernetes auth login → KV v2 ACLs",
  "pod-security": "Pod Security: dry-run create of each published PodTemplate's Job pod (restricted)",
  network: "Network: each agent pod's connections judged by cyclonus against the stored NetworkPolicies",
  admission:
    "Admission: real requests against the ValidatingAdmissionPolicies (own grants, over-granted cluster-admin, ceiling lowered)",
  audit: "Audit: real requests with the agent's own token, and their audit-log events",
  approval:
    "Approval: an agent's delete through the approval proxy (held, decided by a person or not, expired), straight to the API server, and as its executor",
};
const SCOPE_ORDER = [
  "own ns",
  "target ns",
  "other ns",
  "cluster",
  "login",
  "token",
  "kv",
  "admin",
  "own grants",
  "over-granted",
  "grant by",
  "administrator",
  "real request",
  "audit log",
];

export interface Row {
  section: Section;
  agent: string;
  basis: string;
  scopes: string[];
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
    else out.set(k, { ...r, scopes: [...r.scopes], verbs: [...r.verbs], objects: [...r.objects] });
  }
  return [...out.values()];
}

export function matrixRows(results: readonly CheckResult[]): Row[] {
  const groups = new Map<string, CheckResult[]>();
  for (const r of results) {
    const k = [r.section, r.agent, r.basis, r.scope, r.verb, r.object].join("\u0000");
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
    return {
      section: first.section,
      agent: first.agent,
      basis: first.basis,
      scopes: [first.scope],
      verbs: [first.verb],
      objects: [first.object],
      cells,
    };
  });
  const head = (r: Row) => [r.section, r.agent, r.basis];
  const rank = (x: string) => (SCOPE_ORDER.includes(x) ? SCOPE_ORDER.indexOf(x) : SCOPE_ORDER.length);
  rows = mergeBy(
    rows,
    (r) => [...head(r), r.verbs.join(), r.objects.join()].join("\u0000"),
    (a, b) => {
      a.scopes.push(...b.scopes);
      a.scopes.sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
    },
  );
  rows = mergeBy(
    rows,
    (r) => [...head(r), r.scopes.join(), r.objects.join()].join("\u0000"),
    (a, b) => a.verbs.push(...b.verbs),
  );
  rows = mergeBy(
    rows,
    (r) => [...head(r), r.scopes.join(), r.verbs.join()].join("\u0000"),
    (a, b) => a.objects.push(...b.objects),
  );
  const scopeRank = (s: string[]) => Math.min(...s.map(rank));
  const allows = (r: Row) =>
    PHASES.filter((p) => r.cells[p]?.measured === "allow" || r.cells[p]?.measured === "yes").length;
  return rows.sort(
    (a, b) =>
      SECTIONS.indexOf(a.section) - SECTIONS.indexOf(b.section) ||
      a.agent.localeCompare(b.agent) ||
      a.basis.localeCompare(b.basis) ||
      scopeRank(a.scopes) - scopeRank(b.scopes) ||
      a.scopes.join().localeCompare(b.scopes.join()) ||
      allows(b) - allows(a) ||
      `${a.verbs.join(",")} ${a.objects.join(",")}`.localeCompare(`${b.verbs.join(",")} ${b.objects.join(",")}`),
  );
}

/** Splits a comma-separated list into lines of at most `width` characters. */
export function wrapList(items: readonly string[], width: number, sep = ", "): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const item of items) {
    const next = cur ? `${cur}${sep}${item}` : item;
    if (cur && next.length > width) {
      lines.push(`${cur}${sep.trimEnd()}`);
      cur = item;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

const ACTION_WIDTH = 64;

/** Which pod, and so which investigation, each agent's audited requests were traced to (one line per agent and phase). */
function attribution(results: readonly CheckResult[]): string[] {
  const lines = new Set(
    results
      .filter((r) => r.section === "audit" && r.basis === "bound token" && r.detail)
      .map((r) => `  ${r.phase.padEnd(12)} ${r.agent.padEnd(12)} ${r.detail}`),
  );
  return lines.size
    ? ["", "Per-investigation attribution (audit event user.extra pod-name → investigation):", ...lines]
    : [];
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
      [r.agent],
      [r.basis],
      wrapList(r.scopes, 28),
      wrapList([`${r.verbs.join(",")} ${r.objects[0]}`, ...r.objects.slice(1)], ACTION_WIDTH),
      ...PHASES.map((p) => {
        const c = r.cells[p];
        if (!c) return ["—"];
        return [c.bad ? `${c.measured.toUpperCase()}/${c.expected} ✗` : `${c.measured}/${c.expected}`];
      }),
    ]);
    out.push(...table(["agent", "basis", "scope", "action", ...PHASES], body));
    if (section === "audit") out.push(...attribution(results));
  }
  const s = summarize(results);
  out.push("");
  for (const section of SECTIONS) {
    const b = s.bySection[section];
    if (b.total > 0)
      out.push(
        `${section.padEnd(13)} ${String(b.total).padStart(5)} checks, ${b.mismatches} mismatch${b.mismatches === 1 ? "" : "es"}`,
      );
  }
  out.push(
    `${"total".padEnd(13)} ${String(s.total).padStart(5)} checks, ${s.mismatches} mismatch${s.mismatches === 1 ? "" : "es"}`,
  );
  const bad = results.filter((r) => !matches(r));
  if (bad.length > 0) {
    out.push("", "Mismatches (measured vs catalog):");
    for (const r of bad.slice(0, maxMismatchDetails)) {
      out.push(
        `  ✗ ${r.section} ${r.phase} ${r.agent} ${r.scope}: ${r.verb} ${r.object}: measured ${r.measured}, expected ${r.expected} (${r.basis})${r.detail ? ` — ${r.detail}` : ""}`,
      );
    }
    if (bad.length > maxMismatchDetails) out.push(`  … and ${bad.length - maxMismatchDetails} more`);
  }
  return out.join("\n");
}
