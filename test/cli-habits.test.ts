/** The command line's habits: --version, `-` as stdin, `render --out -`, a closed pipe, one parser, one table printer. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { runCheckCli } from "../src/check/cli";
import { parseCommandArgs } from "../src/cli/args";
import { captureIo, EXIT_CLOSED_PIPE } from "../src/cli/io";
import { main } from "../src/cli/main";
import { table } from "../src/cli/table";
import { renderStack, writeRendered } from "../src/render";
import { tempDir } from "./helpers/tmp";

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "bin", "agent-trust.js");

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

test("--version prints package.json's version, in process and from the launcher", async () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  assert.deepEqual(await cli("--version"), { code: 0, out: version, err: "" });
  const r = spawnSync(process.execPath, [BIN, "--version"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${version}\n`);
});

describe("render --out - and check -", () => {
  test("render --out - writes every rendered file's documents to stdout as one YAML stream, nothing else", async () => {
    const r = await cli("render", "dev", "--out", "-");
    assert.equal(r.code, 0, r.err);
    const dir = tempDir("agent-trust-stream-");
    const files = writeRendered(renderStack("dev"), dir);
    const fromFiles = files.flatMap((f) =>
      parseAllDocuments(fs.readFileSync(f, "utf8")).map((d) => d.toJS() as unknown),
    );
    const fromStream = parseAllDocuments(r.out).map((d) => d.toJS() as unknown);
    assert.equal(files.length, 3, "a foundation: kubernetes.yaml, vault.yaml, audit-policy.yaml");
    assert.deepEqual(fromStream, fromFiles);
    assert.match(r.out, /^# kubernetes\.yaml: Rendered by agent-trust from stack "dev"\./);
  });

  test("check - judges standard input, reported as <stdin>, and can be mixed with paths", () => {
    const text = fs.readFileSync(
      path.join(
        ROOT,
        "test/fixtures/dangerous",
        fs.readdirSync(path.join(ROOT, "test/fixtures/dangerous")).find((f) => f.endsWith(".yaml"))!,
      ),
    );
    const io = captureIo();
    const code = runCheckCli(["--format", "json", "-"], io, () => Buffer.from(text));
    assert.equal(code, 1);
    const out = JSON.parse(io.stdout.join("\n")) as { violations: { resource: string }[] };
    assert.ok(
      out.violations.length > 0 && out.violations.every((v) => v.resource.includes("(<stdin>, document ")),
      io.stdout.join("\n"),
    );
    const clean = captureIo();
    assert.equal(
      runCheckCli(["-", "-"], clean, () => Buffer.from("")),
      0,
      "read once, nothing in it",
    );
    const broken = captureIo();
    assert.equal(
      runCheckCli(["-"], broken, () => {
        throw Object.assign(new Error("x"), { code: "EIO" });
      }),
      2,
    );
    assert.match(broken.stderr.join("\n"), /<stdin>: cannot read: EIO/);
  });

  test("a real pipe: render --out - | check --for-stack - is clean, exit 0", () => {
    const r = spawnSync(
      "bash",
      [
        "-c",
        `set -o pipefail; "${process.execPath}" "${BIN}" render dev-assist --out - | "${process.execPath}" "${BIN}" check --for-stack dev-assist -`,
      ],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /object\(s\) checked \(as stack dev-assist: phase assist, env dev, layer phase, stack rules on\): 0 mandatory/,
    );
  });
});

test(`a closed pipe ends quietly with status ${EXIT_CLOSED_PIPE} (128 + SIGPIPE, as coreutils), no stack trace`, () => {
  // The JSON matrix (about 250 KiB) outgrows the pipe's buffer, so head has gone before the writing ends; `true`
  // has gone before the first write. (Output that fits the buffer before the reader goes ends with 0, as for coreutils.)
  for (const [args, reader] of [
    ["matrix --all --format json", "head -1"],
    ["matrix --all", "true"],
  ]) {
    const r = spawnSync(
      "bash",
      ["-c", `"${process.execPath}" "${BIN}" ${args} | ${reader} >/dev/null; echo "status \${PIPESTATUS[0]}"`],
      { encoding: "utf8" },
    );
    assert.equal(r.stdout.trim(), `status ${EXIT_CLOSED_PIPE}`, reader);
    assert.equal(r.stderr, "", reader);
  }
});

describe("one argument parser", () => {
  const spec = { out: { type: "string", needs: "a directory" }, all: { type: "boolean" } } as const;
  test("values, positionals, --name=value, -- and a lone - (stdin)", () => {
    const plain = (r: ReturnType<typeof parseCommandArgs>) =>
      typeof r === "string" ? r : { values: { ...r.values }, positionals: r.positionals };
    assert.deepEqual(plain(parseCommandArgs(["a", "--out=x", "-", "--all", "--", "--not-an-option"], spec, "demo")), {
      values: { out: "x", all: true },
      positionals: ["a", "-", "--not-an-option"],
    });
    assert.deepEqual(plain(parseCommandArgs(["-h"], spec, "demo")), { values: { help: true }, positionals: [] });
  });
  const bad: [string[], string][] = [
    [["--fast"], "unknown option --fast; see agent-trust demo --help"],
    [["-q"], "unknown option -q; see agent-trust demo --help"],
    [["--out"], "--out needs a directory"],
    [["--out", "--all"], `--out needs a directory; to give one starting with "-", write --out=VALUE`],
    [["--all=yes"], "--all takes no value"],
  ];
  for (const [args, message] of bad)
    test(`refused with a clear reason: ${args.join(" ")}`, () =>
      assert.equal(parseCommandArgs(args, spec, "demo"), message));

  test("no command keeps a hand-written argument loop", () => {
    const files = [
      "src/cli/render.ts",
      "src/check/args.ts",
      "src/check/cli.ts",
      "src/matrix/cli.ts",
      "src/promotion/cli.ts",
      "src/sandbox/cli.ts",
      "src/engine/cli.ts",
    ];
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), "utf8");
      assert.doesNotMatch(text, /(argv|args|rest)\[\+\+i\]/, f);
    }
  });

  test("every command answers --help with exit 0 and bad options with exit 2", async () => {
    for (const c of ["render", "check", "gate", "matrix", "diff", "sandbox"]) {
      const help = await cli(c, "--help");
      assert.equal(help.code, 0, c);
      assert.match(help.out, /Usage: agent-trust/, c);
      const bad = await cli(c, "--definitely-not");
      assert.equal(bad.code, 2, c);
      assert.match(bad.err, /agent-trust: unknown option --definitely-not/, c);
    }
  });
});

test("sandbox: its flags and commands through the same parser, refused before anything starts", async () => {
  const cases: [string[], RegExp][] = [
    [["up", "--engine", "docker"], /--engine needs "pulumi" \(the only engine\)/],
    [["up", "--engine"], /--engine needs "pulumi" \(the only engine\)/],
    [["up", "--env", "qa"], /--env needs one of dev, staging, prod/],
    [["status", "extra"], /unexpected argument "extra"/],
    [["preview", "dev-assist", "dev-shadow"], /unexpected argument "dev-shadow"/],
  ];
  for (const [args, message] of cases) {
    const r = await cli("sandbox", ...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message, args.join(" "));
  }
});

test("one table printer: aligned columns, a dashed rule, multi-line cells, indent, no trailing blanks", () => {
  assert.deepEqual(
    table(
      ["a", "bb"],
      [
        ["xxx", "y"],
        [["1", "2"], "z"],
      ],
      { indent: "  " },
    ),
    ["  a    bb", "  ---  --", "  xxx  y", "  1    z", "  2"],
  );
  assert.deepEqual(table(["k"], []), ["k", "-"]);
});
