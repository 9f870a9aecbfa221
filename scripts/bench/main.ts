/**
 * `npm run bench`: the project's speed as ratios against floors measured in the same run, printed as a table and
 * written as JSON (default out/bench.json; `--out FILE`, `--quick` for fewer and smaller runs). A script, never a
 * timed test: absolute numbers depend on the machine, ratios much less.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { HOSTILE } from "./hostile";
import { corpus, renderedCorpus } from "./inputs";
import { best, bestWorkload, exponent, ROOT } from "./measure";

interface Row {
  readonly measure: string;
  readonly value: string;
  readonly target: string;
  readonly ok: boolean;
}

const args = process.argv.slice(2);
const quick = args.includes("--quick");
// `--only checker,hostile`: just those sections (startup, checker, rendered, hostile, program, render).
const onlyIdx = args.indexOf("--only");
const only = onlyIdx >= 0 ? new Set(args[onlyIdx + 1]!.split(",")) : undefined;
const want = (section: string) => !only || only.has(section);
const outIdx = args.indexOf("--out");
const outFile = path.resolve(ROOT, outIdx >= 0 ? args[outIdx + 1]! : path.join("out", "bench.json"));
const runs = quick ? 2 : 5;
const rows: Row[] = [];
const results: Record<string, unknown> = {};
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const fmt = (x: number, d = 2) => x.toFixed(d);

// 1. Start-up: the CLI against a bare node.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-bench-"));
const bin = path.join(ROOT, "bin", "agent-trust.js");
const small = path.join(ROOT, "test", "fixtures", "dangerous", "net-ipv6-metadata.yaml");
if (want("startup")) {
  log("start-up");
  const nodeFloor = best(runs * 2, process.execPath, ["-e", "0"]);
  const help = best(runs * 2, process.execPath, [bin, "--help"]);
  const checkSmall = best(runs * 2, process.execPath, [bin, "check", small], [0, 1]);
  results.startup = {
    nodeMs: nodeFloor,
    helpMs: help,
    checkSmallMs: checkSmall,
    helpRatio: help / nodeFloor,
    checkRatio: checkSmall / nodeFloor,
  };
  rows.push({
    measure: "agent-trust --help vs node -e 0",
    value: `${fmt(help / nodeFloor)}x (${fmt(help, 0)} / ${fmt(nodeFloor, 0)} ms)`,
    target: "≤ 3x",
    ok: help / nodeFloor <= 3,
  });
  rows.push({
    measure: "agent-trust check (1 file) vs node -e 0",
    value: `${fmt(checkSmall / nodeFloor)}x (${fmt(checkSmall, 0)} ms)`,
    target: "≤ 3x",
    ok: checkSmall / nodeFloor <= 3,
  });
}

/**
 * `check FILE` from outside against the fastest plain parse of the same file, each the best of `n` runs, the
 * floors and the checker alternating so that whatever else the machine does hits both alike.
 */
function againstParse(
  file: string,
  n: number,
): { cliMs: number; floorMs: number; fastest: string; floors: Record<string, number> } {
  const floorArgs: Record<string, string[]> = {
    "js-yaml": [
      "-e",
      `require("js-yaml").loadAll(require("fs").readFileSync(process.argv[1], "utf8"), () => {})`,
      file,
    ],
    yaml: [
      "-e",
      `for (const d of require("yaml").parseAllDocuments(require("fs").readFileSync(process.argv[1], "utf8"))) d.toJS()`,
      file,
    ],
  };
  const floors: Record<string, number> = { "js-yaml": Infinity, yaml: best(1, process.execPath, floorArgs.yaml!) };
  let cliMs = Infinity;
  for (let i = 0; i < n; i++) {
    floors["js-yaml"] = Math.min(floors["js-yaml"]!, best(1, process.execPath, floorArgs["js-yaml"]!));
    cliMs = Math.min(cliMs, best(1, process.execPath, [bin, "check", file], [0, 1]));
  }
  const [fastest, floorMs] = Object.entries(floors).sort((a, b) => a[1] - b[1])[0]!;
  return { cliMs, floorMs, fastest, floors };
}

// 2. Checker throughput against the fastest plain parse of the same file: the generated corpus, then objects
// copied from the project's own rendered stacks (admission policies, alert rules, dashboards, Vault policies).
const parseRuns = Math.max(2, runs - 2);
const corpora: [string, string, number, () => string][] = [];
if (want("checker"))
  for (const n of quick ? [20_000] : [20_000, 100_000])
    corpora.push([`checker${n}`, `${n} objects`, n, () => corpus(n, (o) => stringify(o, { lineWidth: 0 }))]);
if (want("rendered"))
  corpora.push(["rendered20000", "20000 rendered-stack objects", 20_000, () => renderedCorpus(20_000)]);
for (const [key, label, n, make] of corpora) {
  log(`checker on ${label}`);
  const file = path.join(tmp, `${key}.yaml`);
  fs.writeFileSync(file, make());
  const { cliMs: cli, floorMs, fastest, floors } = againstParse(file, parseRuns);
  const perSecond = (n / cli) * 1000;
  results[key] = {
    objects: n,
    bytes: fs.statSync(file).size,
    cliMs: cli,
    floors,
    fastest,
    ratio: cli / floorMs,
    objectsPerSecond: perSecond,
  };
  rows.push({
    measure: `check ${label} vs ${fastest} parse (from outside)`,
    value: `${fmt(cli / floorMs)}x (${fmt(cli, 0)} / ${fmt(floorMs, 0)} ms)`,
    target: "≤ 1.5x",
    ok: cli / floorMs <= 1.5,
  });
  rows.push({
    measure: `check ${label}: throughput`,
    value: `${fmt(perSecond, 0)} objects/s`,
    target: "≥ 10,000/s",
    ok: perSecond >= 10_000,
  });
}

// 2b. Hostile inputs (scripts/bench/hostile.ts): runs of 100,000 spaces, 20,000 single-address rules, 20,000
// Role rules, names of maximum length, a long Vault policy. Each is judged in about the time of its parse; the
// floor includes node's start-up as the checker's time does.
if (want("hostile")) {
  for (const [label, make] of Object.entries(HOSTILE)) {
    log(`hostile: ${label}`);
    const file = path.join(tmp, "hostile.yaml");
    fs.writeFileSync(file, make(1));
    const { cliMs: cli, floorMs, fastest } = againstParse(file, parseRuns);
    const mb = fs.statSync(file).size / 2 ** 20;
    results[`hostile: ${label}`] = { megabytes: mb, cliMs: cli, floorMs, fastest, ratio: cli / floorMs };
    rows.push({
      measure: `hostile: ${label} (${fmt(mb, 1)} MiB) vs ${fastest}`,
      value: `${fmt(cli / floorMs)}x (${fmt(cli, 0)} / ${fmt(floorMs, 0)} ms)`,
      target: "≤ 2x",
      ok: cli / floorMs <= 2,
    });
  }
}

// 3. Program scale under the mock runtime.
if (want("program")) {
  const sizes = quick ? [10, 20] : [10, 50, 100];
  const program = sizes.map((agents) => {
    log(`program: ${agents} agents x 25 namespaces`);
    const r = bestWorkload(quick ? 1 : 2, "program", [agents, 25]);
    return { agents, ms: r.ms!, resources: r.resources!, peakMb: r.peakMb! };
  });
  for (const p of program) {
    const floor = bestWorkload(quick ? 1 : 2, "trivial", [p.resources]).ms!;
    results[`program${p.agents}`] = { ...p, trivialMs: floor, ratioToTrivial: p.ms / floor };
    rows.push({
      measure: `program ${p.agents} agents x 25 ns (${p.resources} resources)`,
      value: `${fmt(p.ms / 1000, 1)} s, ${p.peakMb} MB peak, ${fmt(p.ms / floor)}x trivial`,
      target: p.agents >= 100 ? "< 60 s, < 2048 MB" : "",
      ok: p.agents < 100 || (p.ms < 60_000 && p.peakMb < 2048),
    });
  }
  for (let i = 1; i < program.length; i++) {
    const [a, b] = [program[i - 1]!, program[i]!];
    const e = exponent(a.ms, b.ms, a.agents, b.agents);
    const doubling = Math.pow(2, e);
    rows.push({
      measure: `program growth ${a.agents} → ${b.agents} agents`,
      value: `exponent ${fmt(e)} (doubling: ${fmt(doubling)}x)`,
      target: "doubling ≤ 2.2x",
      ok: doubling <= 2.2,
    });
  }
}

// 4. Render scale against its serialisation floor.
if (want("render")) {
  const [ra, rn] = quick ? [200, 20] : [1000, 20];
  log(`render: ${ra} agents x ${rn} namespaces`);
  const render = bestWorkload(quick ? 1 : 2, "render", [ra, rn]);
  const renderRatio = render.ms! / render.floorMs!;
  results.render = { agents: ra, namespaces: rn, ...render, ratio: renderRatio };
  rows.push({
    measure: `render ${ra} agents x ${rn} ns (${render.objects} objects)`,
    value: `${fmt(renderRatio)}x serialisation (${fmt(render.ms! / 1000, 1)} s)`,
    target: "≤ 2x",
    ok: renderRatio <= 2,
  });
}

fs.rmSync(tmp, { recursive: true, force: true });
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? "unknown",
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.type()} ${os.release()}`,
};
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(
  outFile,
  `${JSON.stringify({ date: new Date().toISOString(), machine, quick, results, rows }, null, 2)}\n`,
);

const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => [r.measure, r.value, r.target][c]!.length), 8));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
process.stdout.write(`machine: ${machine.cpus} x ${machine.cpu}, ${machine.memoryGb} GiB, node ${machine.node}\n`);
process.stdout.write(`${line(["measure", "value", "target"])} ok\n`);
for (const r of rows) process.stdout.write(`${line([r.measure, r.value, r.target])} ${r.ok ? "yes" : "NO"}\n`);
process.stdout.write(`wrote ${path.relative(ROOT, outFile)}\n`);
