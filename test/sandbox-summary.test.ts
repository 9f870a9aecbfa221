import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { captureIo } from "../src/cli/io";
import { emitReport, reportFiles, unwritable } from "../src/sandbox/verify/report-out";
import { formatSummary, LAYERS } from "../src/sandbox/verify/summary";
import { syntheticRun } from "./helpers/run-report";
import { tempDir } from "./helpers/tmp";

const FILES = { matrix: "/tmp/r/matrix.txt", html: "/tmp/r/report.html" };
const tmp = () => tempDir("summary-test-");

describe("the one-screen summary", () => {
  test("fits a screen: per layer the cells, mismatches and time; what was deployed; the verdict; the files", () => {
    const lines = formatSummary(syntheticRun({ mismatch: false }), FILES);
    assert.ok(lines.length <= 25, `${lines.length} lines`);
    for (const l of LAYERS)
      assert.ok(
        lines.some((x) => x.startsWith(`${l.label} `)),
        l.label,
      );
    assert.match(
      lines.find((x) => x.startsWith("RBAC "))!,
      /^RBAC\s+16\s+0\s+1\.3s\s+SubjectAccessReview/,
    );
    assert.match(
      lines.find((x) => x.startsWith("audit "))!,
      /^audit\s+8\s+0\s+4\.5s/,
    );
    assert.match(
      lines.find((x) => x.startsWith("total "))!,
      /^total\s+64\s+0\s+15\.0s/,
    );
    const text = lines.join("\n");
    assert.match(text, /deployed {2}5 stacks: dev, dev-shadow, dev-assist, dev-remediation, dev-autonomous/);
    assert.match(text, /by the sandbox's own client: 120 Kubernetes and 40 Vault objects/);
    assert.match(text, /agents {4}diagnostic, capacity in each of shadow, assist, remediation, autonomous/);
    assert.match(text, /time {6}servers up 10\.0s, deploy 20\.0s, verify 13\.0s, stop 1\.0s, total 44\.0s/);
    assert.match(text, /^✓ every cell matches the catalog \(64 cells in 7 layers\)$/m);
    // The verdict comes after the layers and what was deployed, the files last.
    const at = (re: RegExp) => lines.findIndex((x) => re.test(x));
    assert.ok(at(/^total/) < at(/^deployed/) && at(/^deployed/) < at(/^✓/) && at(/^✓/) < at(/^full matrix/));
    assert.deepEqual(lines.slice(-2), ["full matrix  /tmp/r/matrix.txt", "HTML report  /tmp/r/report.html"]);
  });

  test("a mismatch is counted in its layer and named under the verdict, measured vs expected", () => {
    const lines = formatSummary(syntheticRun({ mismatch: "rbac" }), FILES);
    assert.match(
      lines.find((x) => x.startsWith("RBAC "))!,
      /^RBAC\s+16\s+1\s/,
    );
    assert.match(
      lines.find((x) => x.startsWith("Vault "))!,
      /^Vault\s+8\s+0\s/,
    );
    assert.match(
      lines.find((x) => x.startsWith("total "))!,
      /^total\s+64\s+1\s/,
    );
    const text = lines.join("\n");
    assert.match(text, /^✗ 1 of 64 cells differ from the catalog:$/m);
    assert.match(
      text,
      /^ {2}✗ rbac assist diagnostic target ns: delete pods: measured allow, expected deny \(catalog\)$/m,
    );
  });

  test("many mismatches stay on one screen: three named, the rest counted", () => {
    const run = syntheticRun({ mismatch: false });
    const results = run.results.map((r) => (r.section === "network" ? { ...r, measured: "error" as const } : r));
    const lines = formatSummary({ ...run, results }, FILES);
    assert.ok(lines.length <= 25, `${lines.length} lines`);
    assert.equal(lines.filter((l) => l.startsWith("  ✗ network")).length, 3);
    assert.match(lines.join("\n"), / {2}… and 5 more in the full matrix/);
  });

  test("different agents per phase are listed phase by phase", () => {
    const run = syntheticRun({ mismatch: false });
    const lines = formatSummary(
      { ...run, deployed: { ...run.deployed, agents: { ...run.deployed.agents, shadow: ["diagnostic"] } } },
      FILES,
    );
    assert.match(lines.join("\n"), /agents {4}shadow: diagnostic · assist: diagnostic, capacity · /);
  });
});

describe("the files", () => {
  test("--matrix and --html name the files; the screen says where they went; exit 1 on a mismatch", () => {
    const dir = tmp();
    const files = reportFiles({ matrix: path.join(dir, "m", "full.txt"), html: path.join(dir, "r.html") }, () =>
      assert.fail("no default folder when both are named"),
    );
    const io = captureIo();
    assert.equal(emitReport(io, syntheticRun({ mismatch: "audit" }), files), 1);
    assert.ok(io.stdout.length <= 25);
    assert.equal(io.stdout.at(-2), `full matrix  ${files.matrix}`);
    assert.equal(io.stdout.at(-1), `HTML report  ${files.html}`);
    const matrix = fs.readFileSync(files.matrix, "utf8");
    assert.match(matrix, /total\s+64 checks, 1 mismatch\b/);
    assert.match(matrix, /✗ audit assist diagnostic real request: recorded list pods: measured deny, expected allow/);
    assert.match(fs.readFileSync(files.html, "utf8"), /^<!DOCTYPE html>/);
    fs.rmSync(dir, { recursive: true });
  });

  test("without the flags both go to the default folder; exit 0 when every cell matches", () => {
    const dir = tmp();
    const files = reportFiles({}, () => dir);
    assert.deepEqual(files, { matrix: path.join(dir, "matrix.txt"), html: path.join(dir, "report.html") });
    const io = captureIo();
    assert.equal(emitReport(io, syntheticRun({ mismatch: false }), files), 0);
    assert.match(fs.readFileSync(files.matrix, "utf8"), /total\s+64 checks, 0 mismatches/);
    assert.ok(fs.existsSync(files.html));
    fs.rmSync(dir, { recursive: true });
  });

  test("--matrix - prints the full matrix after the screen", () => {
    const dir = tmp();
    const io = captureIo();
    emitReport(
      io,
      syntheticRun({ mismatch: false }),
      reportFiles({ matrix: "-" }, () => dir),
    );
    const out = io.stdout.join("\n");
    assert.ok(out.indexOf("full matrix  below (stdout)") < out.indexOf("RBAC: SubjectAccessReview as each phase"));
    assert.match(out, /total\s+64 checks, 0 mismatches/);
    assert.deepEqual(fs.readdirSync(dir), ["report.html"]);
    fs.rmSync(dir, { recursive: true });
  });

  test("a file that cannot be written is named before anything is measured", () => {
    const dir = tmp();
    assert.equal(unwritable({ matrix: path.join(dir, "new", "m.txt"), html: path.join(dir, "r.html") }), undefined);
    assert.ok(fs.existsSync(path.join(dir, "new")), "a missing folder is created");
    assert.equal(unwritable({ matrix: "-" }), undefined);
    assert.equal(unwritable({ matrix: dir }), `--matrix ${dir} is a directory`);
    const file = path.join(dir, "r.html");
    fs.writeFileSync(file, "");
    assert.match(
      unwritable({ html: path.join(file, "x.html") }) ?? "",
      new RegExp(`^cannot write --html ${file}/x\\.html: `),
    );
    fs.rmSync(dir, { recursive: true });
  });
});
