/**
 * Child process of test/check-stream.test.ts (run with --expose-gc): writes a YAML file of `count` investigation Jobs (each
 * padded to about `bytes` bytes) into a temporary directory, checks it as `check` does, object by object, and
 * prints JSON: the file's size, the objects and errors, and the live heap (after a full GC) sampled every 500
 * objects, as growth over the heap after the first 500.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { judging } from "../../src/check";
import { streamFile } from "../../src/check/load";
import { tempDir } from "./tmp";

const [count, bytes] = process.argv.slice(2).map(Number) as [number, number];

/** One investigation Job as the launcher makes it (the sound fixture's), named for investigation `i` and padded. */
const JOB = fs
  .readFileSync(
    path.join(__dirname, "..", "fixtures", "sound", "closed-world", "remediation-job-inc-4821.yaml"),
    "utf8",
  )
  .split("\n")
  .filter((l) => !l.startsWith("#"))
  .join("\n")
  .replace("  namespace: ai-agents\n", '  namespace: ai-agents\n  annotations:\n    agent-trust.io/note: "PAD"\n');

function pod(i: number): string {
  const body = `---\n${JOB.replaceAll("inc-4821", `inc-${i}`)}`;
  return body.replace("PAD", `${i} `.padEnd(Math.max(1, bytes - body.length), "x"));
}

const dir = tempDir("agent-trust-stream-");
const file = path.join(dir, "pods.yaml");
const fd = fs.openSync(file, "w");
for (let i = 0; i < count; i += 500)
  fs.writeSync(fd, Array.from({ length: Math.min(500, count - i) }, (_, k) => pod(i + k)).join(""));
fs.closeSync(fd);
const size = fs.statSync(file).size;

const gc = (globalThis as { gc?: () => void }).gc!;
// The Jobs are the remediation phase's, in dev: a phase stack holds them (closed world), so none is refused.
const j = judging({ phase: "remediation", env: "dev" });
let n = 0;
let base = 0;
let peak = 0;
const errors = streamFile(file, (l, clean) => {
  j.add(l, clean);
  if (++n % 500 !== 0) return;
  gc();
  const used = process.memoryUsage().heapUsed;
  if (n === 500) base = used;
  else peak = Math.max(peak, used - base);
});
const r = j.result();
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({ size, checked: r.checked, errors, violations: r.violations.length, peakGrowth: peak }) + "\n",
);
