/**
 * The folder of this package (where its package.json is), whether the code runs from `src/` through tsx or
 * compiled into `dist/src/`: found by walking up from this file, never by a fixed number of `..`.
 */
import * as fs from "node:fs";
import * as path from "node:path";

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown }).name === "agent-trust") return dir;
      } catch {
        // not ours; keep walking
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`agent-trust: cannot find the package root above ${start}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(__dirname);
