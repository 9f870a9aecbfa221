/**
 * How the checker reads its input, beyond single-file verdicts: kubectl's scalar and merge semantics, streams,
 * the directory walk (hidden entries, symbolic links, FIFOs and other special files), unreadable files named
 * with exit 2 while every other file is still judged, and the JSON report's errors.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { check, loadPaths } from "../src/check";
import { CHECK_HELP, runCheckCli } from "../src/check/cli";
import { parseStream, resolvePlain } from "../src/yaml/yaml";
import { captureIo } from "../src/cli/io";
import { tempDir } from "./helpers/tmp";

function dir(files: Record<string, string>): string {
  const d = tempDir("agent-trust-load-");
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), text);
  }
  return d;
}
const run = (...argv: string[]) => {
  const io = captureIo();
  const code = runCheckCli(argv, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
};
const SECRETS_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: r, namespace: checkout }
rules: [{ apiGroups: [""], resources: [secrets], verbs: [get] }]
`;
const CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: ai-agents }\n";
const values = (text: string) => parseStream(text).map((d) => ("value" in d ? d.value : d.error));

describe("scalars and merge keys as kubectl (go-yaml v2) reads them", () => {
  const table: [string, unknown][] = [
    ["yes", true],
    ["Yes", true],
    ["YES", true],
    ["y", true],
    ["Y", true],
    ["on", true],
    ["On", true],
    ["ON", true],
    ["true", true],
    ["no", false],
    ["n", false],
    ["off", false],
    ["OFF", false],
    ["False", false],
    ["~", null],
    ["null", null],
    ["Null", null],
    ["", null],
    ["0777", 511],
    ["0o17", 15],
    ["0x1F", 31],
    ["-0x1F", -31],
    ["0b101", 5],
    ["1_000", 1000],
    ["+12", 12],
    ["0_0", 0],
    ["08", 8],
    ["1e3", 1000],
    [".5", 0.5],
    ["0.0", 0],
    ["1:20", "1:20"],
    ["2001-12-14", "2001-12-14"],
    ["yEs", "yEs"],
    ["0x", "0x"],
    ["_1", "_1"],
  ];
  test(`${table.length} plain scalars resolve as go-yaml v2 resolves them`, () => {
    assert.equal(table.length, 35);
    for (const [text, want] of table) assert.deepEqual(resolvePlain(text), want, JSON.stringify(text));
  });

  test("quoted scalars and !!str stay strings; explicit !!bool and !!int resolve; an impossible tag is an error", () => {
    assert.deepEqual(values(`a: "yes"\nb: 'on'\nc: !!str 0777\nd: !!bool "true"\ne: !!int "0x10"\n`), [
      { a: "yes", b: "on", c: "0777", d: true, e: 16 },
    ]);
    assert.match(String(values("a: !!int yes")[0]), /cannot decode "yes" as !!int/);
    assert.deepEqual(values("a: !!binary aGVsbG8=\n"), [{ a: "hello" }]);
    assert.match(String(values("a: .inf\n")[0]), /Infinity cannot be converted to JSON; kubectl refuses the document/);
  });

  test('merge keys: document order, earlier list entries win, nesting, !!merge, and a quoted "<<" is a plain key', () => {
    const [v] = values(`base: &b { x: 1, k: 1 }
before: { x: 0, <<: *b }
after: { <<: *b, x: 0 }
list: { <<: [{ z: first }, { z: second, w: 2 }] }
nested: { <<: { <<: { deep: true } } }
tagged: { !!merge <<: { t: 1 } }
quoted: { "<<": { q: 1 } }
`);
    assert.deepEqual(v, {
      base: { x: 1, k: 1 },
      before: { x: 1, k: 1 },
      after: { x: 0, k: 1 },
      list: { z: "first", w: 2 },
      nested: { deep: true },
      tagged: { t: 1 },
      quoted: { "<<": { q: 1 } },
    });
  });

  test("keys become JSON strings; a key given twice, a null key or a merge of a scalar is an error naming the line", () => {
    assert.deepEqual(values("on: 1\n3: x\nn: 0\n"), [{ true: 1, "3": "x", false: 0 }]);
    assert.match(String(values("a: 1\nb: 2\na: 3\n")[0]), /^line 3, column 1: key "a" appears twice/);
    assert.match(String(values("on: 1\ntrue: 2\n")[0]), /key "true" appears twice/);
    assert.match(String(values("~: 1\n")[0]), /unsupported map key null/);
    assert.match(String(values("a: { <<: 5 }\n")[0]), /map merge requires map or sequence of maps/);
  });

  test("alias bombs are refused within go-yaml's budget, and quickly; a self-containing anchor is refused", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const bomb = levels.join("\n") + "\n";
    assert.match(String(values(bomb)[0]), /excessive aliasing/);
    assert.match(String(values("a: &a [*a]\n")[0]), /anchor "a" value contains itself/);
    // Legitimate reuse within the budget is read in full.
    assert.deepEqual(values("a: &a [1, 2]\nb: [*a, *a]\n"), [
      {
        a: [1, 2],
        b: [
          [1, 2],
          [1, 2],
        ],
      },
    ]);
  });

  test("a JSON stream (objects back to back, braces inside strings) and a YAML stream read alike", () => {
    assert.deepEqual(values(`{"a": "}{"} {"b": [1, {"c": 2}]}\n{"d": true}`), [
      { a: "}{" },
      { b: [1, { c: 2 }] },
      { d: true },
    ]);
    assert.match(String(values(`{"a": 1, "a": 2}`)[0]), /key "a" appears twice/);
    assert.deepEqual(values("---\n# only a comment\n---\na: 1\n"), [null, { a: 1 }]);
  });
});

describe("the directory walk, as kubectl apply -R does it", () => {
  test("hidden files and folders are read; files with other extensions are not; a List of any kind is expanded", () => {
    const d = dir({
      ".hidden/r.yaml": SECRETS_ROLE,
      ".r.yml": SECRETS_ROLE,
      "r.JSON": JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "j", namespace: "x" } }),
      "notes.txt": "kind: [",
      "l.yaml": `apiVersion: v1\nkind: Anything\nitems:\n  - ${JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "i", namespace: "x" } })}\n`,
    });
    const r = check([d]);
    assert.deepEqual(r.errors, []);
    assert.equal(r.checked, 4);
    assert.equal(r.violations.filter((v) => v.policy === "no-secrets-access").length, 2);
  });

  test("symbolic links to files and directories are followed, each directory once; a dangling one is an error", () => {
    const target = dir({ "r.yaml": SECRETS_ROLE });
    const d = dir({ "c.yaml": CONFIG_MAP });
    fs.symlinkSync(path.join(target, "r.yaml"), path.join(d, "link.yaml"));
    fs.symlinkSync(target, path.join(d, "linked-dir"));
    fs.symlinkSync(d, path.join(d, "loop"));
    fs.symlinkSync(path.join(d, "missing.yaml"), path.join(d, "dangling.yaml"));
    const r = loadPaths([d]);
    assert.equal(r.objects.length, 3, r.objects.map((o) => o.file).join(", "));
    assert.deepEqual(r.errors.length, 1);
    assert.match(r.errors[0]!, /dangling\.yaml: cannot read: ENOENT \(dangling symbolic link\)/);
  });

  test("a FIFO is never opened (no hang): named or found in a directory it is an error; other files are judged", () => {
    const d = dir({ "r.yaml": SECRETS_ROLE });
    execFileSync("mkfifo", [path.join(d, "pipe.yaml")]);
    execFileSync("mkfifo", [path.join(d, "pipe.txt")]);
    const r = run("--format", "json", d, path.join(d, "pipe.yaml"), "/dev/null");
    assert.equal(r.code, 2);
    const json = JSON.parse(r.out) as { violations: { policy: string }[]; errors: string[] };
    assert.equal(json.errors.length, 3, json.errors.join("\n"));
    assert.match(
      json.errors[0]!,
      /pipe\.yaml: is a FIFO \(named pipe\); only regular files are read \(it was not opened\)/,
    );
    assert.match(json.errors[2]!, /\/dev\/null: is a character device/);
    assert.ok(
      json.violations.some((v) => v.policy === "no-secrets-access"),
      "the readable file is still judged",
    );
  });

  test("an unparsable file and an alias bomb are named with exit 2; every other file is still judged, in json too", () => {
    const bomb = [
      "a: &a [x,x,x,x,x,x,x,x,x,x]",
      ...Array.from(
        { length: 8 },
        (_, i) => `${"bcdefghi"[i]}: &${"bcdefghi"[i]} [${Array(10).fill(`*${"abcdefgh"[i]}`).join(",")}]`,
      ),
    ].join("\n");
    const d = dir({
      "a.yaml": SECRETS_ROLE,
      "b.yaml": "kind: Role\nmetadata: [unclosed\n",
      "c.yaml": bomb,
      "d.yaml": "a: 1\na: 2\n",
      "e.yaml": SECRETS_ROLE,
    });
    const text = run(d);
    assert.equal(text.code, 2);
    assert.match(text.err, /b\.yaml document 1: cannot be parsed: line \d+, column \d+/);
    assert.match(text.err, /c\.yaml document 1: cannot be parsed: .*excessive aliasing/);
    assert.match(text.err, /d\.yaml document 1: cannot be parsed: line 2, column 1: key "a" appears twice/);
    assert.equal((text.out.match(/no-secrets-access/g) ?? []).length, 2);
    const json = JSON.parse(run("--format", "json", d).out) as { violations: unknown[]; errors: string[] };
    assert.equal(json.errors.length, 3);
    assert.equal(json.violations.filter((v) => (v as { policy: string }).policy === "no-secrets-access").length, 2);
  });

  test("a file over the old 64 MiB limit is read and judged, not refused (there is no size cap)", () => {
    const d = dir({ "r.yaml": SECRETS_ROLE });
    const big = path.join(d, "big.yaml");
    const line = `# ${"x".repeat(1021)}\n`; // 1 KiB of comment per line
    const fd = fs.openSync(big, "w");
    const block = line.repeat(1024);
    for (let i = 0; i < 64; i++) fs.writeSync(fd, block);
    fs.writeSync(fd, `---\n${SECRETS_ROLE}`);
    fs.closeSync(fd);
    assert.ok(fs.statSync(big).size > 64 * 1024 * 1024);
    const r = check([d]);
    assert.deepEqual(r.errors, []);
    assert.equal(r.checked, 2);
    assert.equal(r.violations.filter((v) => v.policy === "no-secrets-access").length, 2);
  });

  test("--help says what happens to symbolic links, special files, hidden files and unparsable files", () => {
    assert.match(CHECK_HELP, /symbolic links are followed/);
    assert.match(CHECK_HELP, /FIFOs, sockets and devices are never opened/);
    assert.match(CHECK_HELP, /hidden files and folders included/);
    assert.match(CHECK_HELP, /every other file is still judged/);
  });
});
