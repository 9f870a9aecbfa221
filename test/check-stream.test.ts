/**
 * Files of any size are read in pieces and judged object by object, with memory that does not grow with the
 * file: a 16 MiB and a 66 MiB file of 5,000 and 20,000 investigation Jobs (pod templates, each judged by every pod
 * rule; the size kube-score reads and the old 64 MiB cap refused) are checked in a child process that samples the live heap after a full GC every 500 objects.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";

interface Run {
  readonly size: number;
  readonly checked: number;
  readonly errors: string[];
  readonly violations: number;
  readonly peakGrowth: number;
}

function run(count: number): Run {
  const script = path.join(__dirname, "helpers", "stream-memory.ts");
  const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", script, String(count), "3400"], {
    cwd: path.join(__dirname, ".."),
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.toString()) as Run;
}

const MiB = 1024 * 1024;

test(
  "a 66 MiB file of 20,000 Jobs is judged with the heap growing no more than for a file a quarter its size",
  { timeout: 300_000 },
  () => {
    const small = run(5_000);
    const large = run(20_000);
    assert.ok(large.size > 64 * MiB, `${large.size} bytes`);
    for (const [r, n] of [
      [small, 5_000],
      [large, 20_000],
    ] as const) {
      assert.deepEqual(r.errors, []);
      assert.equal(r.checked, n);
      assert.equal(r.violations, 0);
      // Live heap growth while reading: far below the file (the file is never held) and bounded in absolute terms.
      assert.ok(
        r.peakGrowth < Math.min(r.size / 8, 16 * MiB),
        `${n} Jobs: heap grew ${(r.peakGrowth / MiB).toFixed(1)} MiB for ${(r.size / MiB).toFixed(0)} MiB`,
      );
    }
    // Four times the file, not four times the memory: the growth does not scale with the size.
    assert.ok(
      large.peakGrowth < small.peakGrowth + 8 * MiB,
      `small ${(small.peakGrowth / MiB).toFixed(1)} MiB, large ${(large.peakGrowth / MiB).toFixed(1)} MiB`,
    );
  },
);
