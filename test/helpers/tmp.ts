/**
 * Temporary directories for tests that are removed when the test file's process exits, pass or fail: a test run
 * leaves nothing behind in the system's temporary directory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const made: string[] = [];
process.once("exit", () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A new directory `<tmpdir>/<prefix>XXXXXX`, removed when this process exits. */
export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Removes `d` when this process exits (for a directory whose name a test must choose itself). */
export function removeAtExit(d: string): string {
  made.push(d);
  return d;
}
