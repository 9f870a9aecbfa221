/**
 * `npm run bench`: the project's speed as ratios against floors measured in the same run, printed as a table and
 * written as JSON (default out/bench.json; `--out FILE`, `--quick` for fewer and smaller runs). A script, never a
 * timed test: absolute numbers depend on the machine, ratios much less.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { corpus } from "./inputs";
import { best, bestWorkload, exponent, ROOT } from "./measure";

interface Row {
  readonly measure: string;
  readonly value: string;
  readonly target: string;
  readonly ok: boolean;
}

const args = process.argv.slice(2);
const quick = args.includes("--quick");
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
log("start-up");
const nodeFloor = best(runs * 2, process.execPath, ["-e", "0"]);
const help = best(runs * 2, process.execPath, [bin, "--help"]);
const checkSmall = best(runs * 2, process.execPath, [bin, "check", small], [0, 1]);
results["startup"] = { nodeMs: nodeFloor, helpMs: help, checkSmallMs: checkSmall, helpRatio: help / nodeFloor, checkRatio: checkSmall / nodeFloor };
rows.push({ measure: "agent-trust --help vs node -e 0", value: `${fmt(help / nodeFloor)}x (${fmt(help, 0)} / ${fmt(nodeFloor, 0)} ms)`, target: "≤ 3x", ok: help / nodeFloor <= 3 });
rows.push({ measure: "agent-trust check (1 file) vs node -e 0", value: `${fmt(checkSmall / nodeFloor)}x (${fmt(checkSmall, 0)} ms)`, target: "≤ 3x", ok: checkSmall / nodeFloor <= 3 });

// 2. Checker throughput against the fastest plain parse of the same file.
const counts = quick ? [20_000] : [20_000, 100_000];
for (const n of counts) {
  log(`checker on ${n} objects`);
  const file = path.join(tmp, `corpus-${n}.yaml`);
  fs.writeFileSync(file, corpus(n, (o) => stringify(o, { lineWidth: 0 })));
  const parseRuns = Math.max(2, runs - 2);
  const floors: Record<string, number> = {
    "js-yaml": best(parseRuns, process.execPath, ["-e", `require("js-yaml").loadAll(require("fs").readFileSync(process.argv[1], "utf8"), () => {})`, file]),
    yaml: best(1, process.execPath, ["-e", `for (const d of require("yaml").parseAllDocuments(require("fs").readFileSync(process.argv[1], "utf8"))) d.toJS()`, file]),
  };
  const [fastest, floorMs] = Object.entries(floors).sort((a, b) => a[1] - b[1])[0]!;
  const cli = best(parseRuns, process.execPath, [bin, "check", file], [0, 1]);
  const perSecond = (n / cli) * 1000;
  results[`checker${n}`] = { objects: n, cliMs: cli, floors, fastest, ratio: cli / floorMs, objectsPerSecond: perSecond };
  rows.push({ measure: `check ${n} objects vs ${fastest} parse (from outside)`, value: `${fmt(cli / floorMs)}x (${fmt(cli, 0)} / ${fmt(floorMs, 0)} ms)`, target: "≤ 1.5x", ok: cli / floorMs <= 1.5 });
  rows.push({ measure: `check ${n} objects: throughput`, value: `${fmt(perSecond, 0)} objects/s`, target: "≥ 10,000/s", ok: perSecond >= 10_000 });
}

// 3. Program scale under the mock runtime.
const sizes = quick ? [10, 20] : [10, 50, 100];
const program = sizes.map((agents) => {
  log(`program: ${agents} agents x 25 namespaces`);
  const r = bestWorkload(quick ? 1 : 2, "program", [agents, 25]);
  return { agents, ms: r["ms"]!, resources: r["resources"]!, peakMb: r["peakMb"]! };
});
for (const p of program) {
  const floor = bestWorkload(quick ? 1 : 2, "trivial", [p.resources])["ms"]!;
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
  rows.push({ measure: `program growth ${a.agents} → ${b.agents} agents`, value: `exponent ${fmt(e)} (doubling: ${fmt(doubling)}x)`, target: "doubling ≤ 2.2x", ok: doubling <= 2.2 });
}

// 4. Render scale against its serialisation floor.
const [ra, rn] = quick ? [200, 20] : [1000, 20];
log(`render: ${ra} agents x ${rn} namespaces`);
const render = bestWorkload(quick ? 1 : 2, "render", [ra, rn]);
const renderRatio = render["ms"]! / render["floorMs"]!;
results["render"] = { agents: ra, namespaces: rn, ...render, ratio: renderRatio };
rows.push({
  measure: `render ${ra} agents x ${rn} ns (${render["objects"]} objects)`,
  value: `${fmt(renderRatio)}x serialisation (${fmt(render["ms"]! / 1000, 1)} s)`,
  target: "≤ 2x",
  ok: renderRatio <= 2,
});

fs.rmSync(tmp, { recursive: true, force: true });
const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "unknown", memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, `${JSON.stringify({ date: new Date().toISOString(), machine, quick, results, rows }, null, 2)}\n`);

const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => [r.measure, r.value, r.target][c]!.length), 8));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
process.stdout.write(`machine: ${machine.cpus} x ${machine.cpu}, ${machine.memoryGb} GiB, node ${machine.node}\n`);
process.stdout.write(`${line(["measure", "value", "target"])} ok\n`);
for (const r of rows) process.stdout.write(`${line([r.measure, r.value, r.target])} ${r.ok ? "yes" : "NO"}\n`);
process.stdout.write(`wrote ${path.relative(ROOT, outFile)}\n`);
