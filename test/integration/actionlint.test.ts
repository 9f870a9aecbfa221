/**
 * actionlint (built from its Go module by scripts/servers.sh, like the other tools) over every workflow in
 * .github/workflows: clean, and a broken workflow is caught (the lint can fail).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { tempDir } from "../helpers/tmp";

const ROOT = path.resolve(__dirname, "..", "..");

/** ACTIONLINT_BIN, PATH or the agent-trust cache, else built once (`scripts/servers.sh ensure actionlint`, progress on stderr). */
function actionlint(): string {
  const r = spawnSync("bash", [path.join(ROOT, "scripts", "servers.sh"), "ensure", "actionlint"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = /^actionlint=(\/.+)$/m.exec(r.stdout ?? "");
  if (r.status !== 0 || !line)
    assert.fail(`actionlint was neither found nor built (scripts/servers.sh ensure actionlint exited ${r.status})`);
  return line[1]!;
}

const bin = actionlint();
// shellcheck, when installed, checks the run: scripts too; without it actionlint checks everything else.
const lint = (cwd: string, files: string[] = []) => spawnSync(bin, ["-no-color", ...files], { cwd, encoding: "utf8" });

test("actionlint: every workflow in .github/workflows is clean", () => {
  const workflows = fs.readdirSync(path.join(ROOT, ".github", "workflows"));
  assert.ok(workflows.length >= 3);
  const r = lint(ROOT);
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
});

test("actionlint catches a broken workflow (an unknown job output and a bad expression)", () => {
  const dir = tempDir("agent-trust-actionlint-");
  fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
  const file = path.join(dir, ".github", "workflows", "broken.yaml");
  fs.writeFileSync(
    file,
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ needs.nothing.outputs.x }}\n",
  );
  const r = lint(dir, [file]);
  assert.equal(r.status, 1, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /needs\.nothing|nothing/);
});
