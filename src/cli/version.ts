/** The tool's version: package.json's, read once (SARIF, `--version`). */
import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../package-root";

let version: string | undefined;

export function toolVersion(): string {
  version ??= (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string })
    .version;
  return version;
}
