/**
 * The HTML report of a measured sandbox: one self-contained file (inline CSS and a few lines of inline JS, nothing
 * fetched), one tab per layer (CSS-only radio tabs), each with an agents × phases grid and the full matrix, every
 * mismatch in red with what was expected and what was measured. Every string from the results goes through
 * `escapeHtml`; no data reaches the CSS or the script. Pure: results in, a string out.
 */
import { PHASES, type Phase } from "../../model/phases";
import { matrixRows, TITLES, type Row } from "./report";
import { matches, summarize, type CheckResult, type Section } from "./results";
import { LAYERS, mismatchLine, type RunReport } from "./summary";

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** The one escape for text and attribute values (attributes are always double-quoted). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
const e = escapeHtml;

/** How many mismatches a grid cell lists before "… and N more". */
const CELL_MISMATCHES = 4;

const CSS = `
:root{--bad:#c62828;--bad-bg:#fde8e8;--ok:#2e7d32;--ok-bg:#e9f5ea;--line:#d0d7de;--muted:#57606a}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:20px 28px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 8px}p.muted,.muted{color:var(--muted)}
.verdict{padding:10px 14px;border-radius:6px;font-weight:600;margin:12px 0}
.verdict.ok{background:var(--ok-bg);color:var(--ok)}.verdict.bad{background:var(--bad-bg);color:var(--bad)}
table{border-collapse:collapse;margin:6px 0 14px}th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.num{text-align:right;font-variant-numeric:tabular-nums}th.mismatch{color:var(--bad)}
div.tabs{margin-top:18px}
dl.deployed{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}dl.deployed dt{font-weight:600}dl.deployed dd{margin:0}
input.tab{position:absolute;opacity:0;pointer-events:none}
label.tab{display:inline-block;padding:6px 14px;margin:0 2px -1px 0;border:1px solid var(--line);border-radius:6px 6px 0 0;background:#f6f8fa;cursor:pointer}
label.tab.bad{color:var(--bad);font-weight:600}
input.tab:checked+label.tab{background:#fff;border-bottom-color:#fff}
input.tab:focus-visible+label.tab{outline:2px solid #0969da}
section.panel{display:none;border-top:1px solid var(--line);padding-top:6px}
td.cell.ok{background:var(--ok-bg)}td.cell.empty{color:var(--muted)}
td.mismatch,td.cell.mismatch{background:var(--bad-bg);color:var(--bad);font-weight:600}
td.cell ul{margin:4px 0 0;padding-left:16px;font-weight:400}
table.matrix td{font-size:13px}table.matrix td.action{max-width:520px}
ul.mismatches li{color:var(--bad)}
`;

/** The few lines of script: open the layer named in the URL's #fragment, else the first with a mismatch. */
const SCRIPT = `
(function () {
  var tabs = Array.prototype.slice.call(document.querySelectorAll("input.tab"));
  var named = document.getElementById("tab-" + location.hash.slice(1));
  var pick = named || tabs.filter(function (t) { return t.getAttribute("data-mismatches") !== "0"; })[0];
  if (pick) tabs.forEach(function (t) { if (t === pick) { t.setAttribute("checked", ""); t.checked = true; } else t.removeAttribute("checked"); });
  tabs.forEach(function (t) { t.addEventListener("change", function () { history.replaceState(null, "", "#" + t.value); }); });
  document.body.setAttribute("data-js", "ready");
})();
`;

const tabCss = () => LAYERS.map(({ section }) => `#tab-${section}:checked~#panel-${section}{display:block}`).join("\n");

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "es"}`;
const cells = (n: number) => `${n} cell${n === 1 ? "" : "s"}`;

/** Agents in the order the stacks list them, then any other agent a result names. */
function agentsOf(run: RunReport): string[] {
  const seen = new Set<string>();
  for (const p of PHASES) for (const a of run.deployed.agents[p]) seen.add(a);
  for (const r of run.results) seen.add(r.agent);
  return [...seen];
}

function gridCell(section: Section, agent: string, phase: Phase, mine: readonly CheckResult[]): string {
  const attrs = `data-layer="${e(section)}" data-agent="${e(agent)}" data-phase="${e(phase)}"`;
  if (mine.length === 0) return `<td class="cell empty" ${attrs}>—</td>`;
  const bad = mine.filter((r) => !matches(r));
  if (bad.length === 0) return `<td class="cell ok" ${attrs}>${cells(mine.length)} ✓</td>`;
  const items = bad
    .slice(0, CELL_MISMATCHES)
    .map(
      (r) =>
        `<li>${e(`${r.verb} ${r.object} (${r.scope})`)}: expected <b>${e(r.expected)}</b>, measured <b>${e(r.measured)}</b></li>`,
    );
  if (bad.length > CELL_MISMATCHES) items.push(`<li>… and ${bad.length - CELL_MISMATCHES} more</li>`);
  return `<td class="cell mismatch" ${attrs}>${bad.length} of ${cells(mine.length)} ✗<ul>${items.join("")}</ul></td>`;
}

function grid(section: Section, agents: readonly string[], results: readonly CheckResult[]): string {
  const head = `<tr><th>agent</th>${PHASES.map((p) => `<th>${e(p)}</th>`).join("")}</tr>`;
  const body = agents.map((a) => {
    const cells = PHASES.map((p) =>
      gridCell(
        section,
        a,
        p,
        results.filter((r) => r.agent === a && r.phase === p),
      ),
    );
    return `<tr><th scope="row">${e(a)}</th>${cells.join("")}</tr>`;
  });
  return `<table class="grid" data-layer="${e(section)}">${head}${body.join("")}</table>`;
}

function matrixCell(c: Row["cells"][Phase]): string {
  if (!c) return `<td class="muted">—</td>`;
  if (c.bad) return `<td class="mismatch">measured ${e(c.measured)}<br>expected ${e(c.expected)}</td>`;
  return `<td>${e(c.measured)}</td>`;
}

function matrix(rows: readonly Row[]): string {
  const head = `<tr><th>agent</th><th>basis</th><th>scope</th><th>action</th>${PHASES.map((p) => `<th>${e(p)}</th>`).join("")}</tr>`;
  const body = rows.map(
    (r) =>
      `<tr><td>${e(r.agent)}</td><td>${e(r.basis)}</td><td>${e(r.scopes.join(", "))}</td>` +
      `<td class="action">${e(`${r.verbs.join(",")} ${r.objects.join(", ")}`)}</td>${PHASES.map((p) => matrixCell(r.cells[p])).join("")}</tr>`,
  );
  return `<table class="matrix">${head}${body.join("")}</table>`;
}

function panel(run: RunReport, section: Section, agents: readonly string[], rows: readonly Row[]): string {
  const mine = run.results.filter((r) => r.section === section);
  const bad = mine.filter((r) => !matches(r));
  const list = bad.length
    ? `<h2>Mismatches</h2><ul class="mismatches">${bad.map((r) => `<li>${e(mismatchLine(r))}${r.detail ? ` — <span class="muted">${e(r.detail)}</span>` : ""}</li>`).join("")}</ul>`
    : "";
  return (
    `<section class="panel" id="panel-${e(section)}"><p class="muted">${e(TITLES[section])}</p>` +
    `<h2>Agents × phases</h2>${grid(section, agents, mine)}${list}` +
    `<h2>Full matrix <span class="muted">(rows alike in every phase merged; each cell: what was measured)</span></h2>` +
    `${matrix(rows.filter((r) => r.section === section))}</section>`
  );
}

function overview(run: RunReport): string {
  const s = summarize(run.results);
  const rows = LAYERS.map(({ section, label, by }) => {
    const b = s.bySection[section];
    const t = run.timings[section];
    return `<tr><td>${e(label)}</td><td class="num">${b.total}</td><td class="num${b.mismatches ? " mismatch" : ""}">${b.mismatches}</td><td class="num">${t === undefined ? "—" : `${t.toFixed(1)}s`}</td><td>${e(by)}</td></tr>`;
  });
  const time = LAYERS.reduce((t, l) => t + (run.timings[l.section] ?? 0), 0);
  rows.push(
    `<tr><th>total</th><th class="num">${s.total}</th><th class="num${s.mismatches ? " mismatch" : ""}">${s.mismatches}</th><th class="num">${time.toFixed(1)}s</th><th></th></tr>`,
  );
  const head = `<tr><th>layer</th><th>cells</th><th>mismatches</th><th>time</th><th>measured by</th></tr>`;
  const d = run.deployed;
  const agentText = PHASES.map((p) => `${p}: ${d.agents[p].join(", ") || "none"}`).join(" · ");
  const counts = d.kubernetes !== undefined ? `: ${d.kubernetes} Kubernetes and ${d.vault ?? 0} Vault objects` : "";
  const steps = run.steps?.length
    ? `<dt>time</dt><dd>${e(run.steps.map(([n, t]) => `${n} ${t.toFixed(1)}s`).join(", "))}</dd>`
    : "";
  return (
    `<table class="layers">${head}${rows.join("")}</table>` +
    `<dl class="deployed"><dt>stacks</dt><dd>${e(d.stacks.join(", "))}</dd><dt>deployed by</dt><dd>${e(d.by + counts)}</dd>` +
    `<dt>agents</dt><dd>${e(agentText)}</dd>${steps}</dl>`
  );
}

/** The whole report as one HTML document. */
export function renderHtmlReport(run: RunReport): string {
  const s = summarize(run.results);
  const agents = agentsOf(run);
  const rows = matrixRows(run.results);
  const verdict =
    s.mismatches === 0
      ? `<div class="verdict ok">✓ every cell matches the catalog (${s.total} cells)</div>`
      : `<div class="verdict bad">✗ ${s.mismatches} of ${s.total} cells differ from the catalog</div>`;
  const tabs = LAYERS.map(({ section, label }, i) => {
    const m = s.bySection[section].mismatches;
    return (
      `<input type="radio" name="layer" class="tab" id="tab-${e(section)}" value="${e(section)}" data-mismatches="${m}"${i === 0 ? " checked" : ""}>` +
      `<label class="tab${m ? " bad" : ""}" for="tab-${e(section)}">${e(label)} <span class="muted">${s.bySection[section].total}</span>${m ? ` · ${e(plural(m, "mismatch"))}` : ""}</label>`
    );
  });
  const panels = LAYERS.map(({ section }) => panel(run, section, agents, rows));
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${e(`${run.title}: ${run.deployed.environment} — ${s.mismatches === 0 ? "all cells match" : `${s.mismatches} mismatches`}`)}</title>`,
    `<style>${CSS}${tabCss()}</style></head>`,
    `<body data-js="off"><h1>${e(run.title)}: the ${e(run.deployed.environment)} stacks, measured on real servers</h1>`,
    `<p class="muted">${e(run.generatedAt)} · each cell: what the real enforcer answered, beside what the trust catalog expects</p>`,
    verdict,
    overview(run),
    `<div class="tabs">${tabs.join("")}${panels.join("")}</div>`,
    `<script>${SCRIPT}</script></body></html>`,
    "",
  ].join("\n");
}
