/**
 * The fixture corpora, read recursively:
 * - test/fixtures/dangerous and test/fixtures/redteam/<class>: every file is refused, by the checker and by the
 *   pack, with each rule its `# expect:` lines name;
 * - test/fixtures/sound/<class>: every file passes both with no mandatory violation.
 * Optional headers: `# phase: P`, `# env: E`, `# layer: L`, `# stack: true`. A sound fixture whose subject is a kind no
 * stack holds (a Deployment judged by the pod rules, say) says `# refused-by: stack-kinds-closed`: every other rule
 * passes it, and the closed world refuses it, in both adapters. JSON has no comments: a JSON fixture carries its
 * headers as string values that start with the header (`"# expect: no-pod-exec"`, e.g. in an annotation).
 * A dangerous fixture the checker must refuse as unreadable (kubectl fails on it, or reads it differently than a
 * YAML 1.2 reader would) says `# unreadable: LINE` instead of naming rules: the checker exits 2 with an error
 * naming FILE:LINE (the pack never reads files: there is nothing for it to refuse).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { check, loadPaths } from "../src/check";
import { runCheckCli } from "../src/check/cli";
import { captureIo } from "../src/cli/io";
import type { Environment, Phase } from "../src/model/phases";
import type { Layer } from "../src/rules";
import { ruleByName, RULES } from "../src/rules";
import { packResource, packStack, pulumiResourceOf } from "./rules-harness";

const FIXTURES = path.join(__dirname, "fixtures");
const DIR = path.join(FIXTURES, "dangerous");
const REDTEAM = path.join(FIXTURES, "redteam");
const SOUND = path.join(FIXTURES, "sound");

/** Every regular file below `dir` (sorted, hidden files included); none when `dir` does not exist. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : [],
    );
}

interface Fixture {
  readonly file: string;
  readonly expect: string[];
  readonly phase?: Phase;
  readonly env?: Environment;
  readonly layer?: Layer;
  readonly stack: boolean;
  /** Sound fixtures only: the closed-world rules that must refuse it, and the only ones that may. */
  readonly refusedBy: string[];
  /** The line the checker must name when it refuses the file as unreadable (exit 2). */
  readonly unreadable?: number;
}

function header(text: string, key: string): string[] {
  return [...text.matchAll(new RegExp(`(?:^|")# ${key}: *([^\\s"]+)`, "gm"))].map((m) => m[1]!);
}

function readFixture(file: string): Fixture {
  const text = fs.readFileSync(file, "utf8");
  return {
    file,
    expect: header(text, "expect"),
    phase: header(text, "phase")[0] as Phase | undefined,
    env: header(text, "env")[0] as Environment | undefined,
    layer: header(text, "layer")[0] as Layer | undefined,
    refusedBy: header(text, "refused-by"),
    stack: header(text, "stack")[0] === "true",
    ...(header(text, "unreadable")[0] ? { unreadable: Number(header(text, "unreadable")[0]) } : {}),
  };
}

const fixtures: Fixture[] = [...filesUnder(DIR), ...filesUnder(REDTEAM)].map(readFixture);
const sound: Fixture[] = filesUnder(SOUND).map(readFixture);

describe("dangerous fixtures", () => {
  test("there are at least 40, each naming at least one rule that exists", () => {
    assert.ok(fixtures.length >= 40, `only ${fixtures.length} fixtures`);
    for (const f of fixtures) {
      assert.ok(
        f.expect.length > 0 || f.unreadable !== undefined,
        `${f.file} has no "# expect:" or "# unreadable:" line`,
      );
      for (const r of f.expect) assert.ok(ruleByName(r), `${f.file}: no rule named ${r}`);
    }
  });

  test("the red-team set (issue 7) has at least 120 files over every evasion class, the sound set at least 30", () => {
    const classes = ["input", "rbac", "cluster", "ceiling", "network", "vault", "pods"];
    const redteam = filesUnder(REDTEAM);
    assert.ok(redteam.length >= 120, `only ${redteam.length} red-team fixtures`);
    assert.ok(sound.length >= 30, `only ${sound.length} sound fixtures`);
    for (const c of classes) {
      assert.ok(filesUnder(path.join(REDTEAM, c)).length >= 5, `red-team class ${c} has fewer than 5 fixtures`);
    }
    for (const c of ["input", "rbac", "cluster", "network", "vault", "pods"]) {
      assert.ok(filesUnder(path.join(SOUND, c)).length >= 3, `sound class ${c} has fewer than 3 fixtures`);
    }
  });

  test("the closed-world set (issue 17) has at least 80 dangerous files over its families and 30 sound", () => {
    const dangerous = fs.existsSync(REDTEAM) ? fs.readdirSync(REDTEAM).filter((d) => d.startsWith("closed-")) : [];
    for (const family of ["closed-kinds", "closed-names"]) {
      assert.ok(
        filesUnder(path.join(REDTEAM, family)).length >= 20,
        `red-team family ${family} has fewer than 20 fixtures`,
      );
    }
    const n = dangerous.reduce((sum, d) => sum + filesUnder(path.join(REDTEAM, d)).length, 0);
    assert.ok(n >= 80, `only ${n} closed-world red-team fixtures`);
    const soundDirs = fs.readdirSync(SOUND).filter((d) => d.startsWith("closed-"));
    const soundClosed = soundDirs.reduce((sum, d) => sum + filesUnder(path.join(SOUND, d)).length, 0);
    assert.ok(soundClosed >= 30, `only ${soundClosed} closed-world sound fixtures`);
  });

  test("together they exercise every security rule the checker can run", () => {
    const named = new Set(fixtures.flatMap((f) => f.expect));
    const unexercised = RULES.filter((r) => r.security && r.scope !== "stack-config" && !named.has(r.name)).map(
      (r) => r.name,
    );
    assert.deepEqual(unexercised, []);
  });

  for (const f of fixtures) {
    const name = path.relative(FIXTURES, f.file);
    const flags = [
      ...(f.phase ? ["--phase", f.phase] : []),
      ...(f.env ? ["--env", f.env] : []),
      ...(f.layer ? ["--layer", f.layer] : []),
      ...(f.stack ? ["--stack"] : []),
    ];

    if (f.unreadable !== undefined) {
      test(`${name}: the checker refuses it as unreadable, naming line ${f.unreadable} (exit 2)`, () => {
        assert.deepEqual(f.expect, [], "an unreadable fixture names no rule");
        const r = check([f.file], { phase: f.phase, env: f.env, stack: f.stack });
        assert.ok(r.errors.length > 0, "read without error");
        assert.ok(r.errors[0]!.startsWith(`${f.file}:${f.unreadable}: `), r.errors[0]);
        assert.match(r.errors[0]!, /kubectl|go-yaml/);
        const io = captureIo();
        assert.equal(runCheckCli([...flags, f.file], io), 2);
        assert.ok(io.stderr.join("\n").includes(`${f.file}:${f.unreadable}: `), io.stderr.join("\n"));
      });
      continue;
    }

    test(`${name}: the checker refuses it with ${f.expect.join(", ")} (exit 1)`, () => {
      const r = check([f.file], { phase: f.phase, env: f.env, layer: f.layer, stack: f.stack });
      assert.deepEqual(r.errors, []);
      const mandatory = new Set(r.violations.filter((v) => v.enforcement === "mandatory").map((v) => v.policy));
      for (const rule of f.expect) assert.ok(mandatory.has(rule), `${rule} not among ${[...mandatory].join(", ")}`);
      const io = captureIo();
      assert.equal(runCheckCli([...flags, f.file], io), 1);
      for (const rule of f.expect) assert.match(io.stdout.join("\n"), new RegExp(`\\[mandatory\\] ${rule}:`));
    });

    test(`${name}: the pack refuses it with ${f.expect.join(", ")}`, async () => {
      const docs = loadPaths([f.file]).objects.map((l) => l.object);
      const stack = { phase: f.phase, environment: f.env, layer: f.layer };
      for (const ruleName of f.expect) {
        const rule = ruleByName(ruleName)!;
        const out =
          rule.scope === "resource"
            ? (
                await Promise.all(
                  docs.map((d) => pulumiResourceOf(d)).map((r) => packResource(ruleName, r.type, r.props, stack)),
                )
              ).flat()
            : await packStack(ruleName, docs, stack);
        assert.ok(
          out.some((o) => o.level === "mandatory"),
          `${ruleName}: ${JSON.stringify(out)}`,
        );
      }
    });
  }
});

describe("sound fixtures", () => {
  test("none names an expected rule", () => {
    for (const f of sound) assert.deepEqual(f.expect, [], `${f.file} is in sound/ but expects a violation`);
    // Only the closed world of kinds may refuse a sound fixture: its subject is sound, its kind is no stack's.
    for (const f of sound) for (const r of f.refusedBy) assert.equal(r, "stack-kinds-closed", f.file);
  });

  for (const f of sound) {
    const name = path.relative(FIXTURES, f.file);
    const flags = [
      ...(f.phase ? ["--phase", f.phase] : []),
      ...(f.env ? ["--env", f.env] : []),
      ...(f.layer ? ["--layer", f.layer] : []),
      ...(f.stack ? ["--stack"] : []),
    ];

    test(`${name}: the checker passes it (exit 0)`, () => {
      const r = check([f.file], { phase: f.phase, env: f.env, layer: f.layer, stack: f.stack });
      assert.deepEqual(r.errors, []);
      assert.ok(r.checked > 0, "no object was read");
      const mandatory = r.violations.filter((v) => v.enforcement === "mandatory");
      assert.deepEqual(
        mandatory.filter((v) => !f.refusedBy.includes(v.policy)),
        [],
      );
      for (const rule of f.refusedBy)
        assert.ok(
          mandatory.some((v) => v.policy === rule),
          `${rule} did not refuse it`,
        );
      const io = captureIo();
      assert.equal(runCheckCli([...flags, f.file], io), f.refusedBy.length > 0 ? 1 : 0, io.stdout.join("\n"));
    });

    test(`${name}: the pack passes it`, async () => {
      const docs = loadPaths([f.file]).objects.map((l) => l.object);
      assert.ok(docs.length > 0, "no object was read");
      const stack = { phase: f.phase, environment: f.env, layer: f.layer };
      for (const rule of RULES) {
        if (rule.scope === "stack-config") continue;
        const out =
          rule.scope === "resource"
            ? (
                await Promise.all(
                  docs.map((d) => pulumiResourceOf(d)).map((r) => packResource(rule.name, r.type, r.props, stack)),
                )
              ).flat()
            : f.stack
              ? await packStack(rule.name, docs, stack)
              : [];
        const refused = out.filter((o) => o.level === "mandatory");
        if (f.refusedBy.includes(rule.name))
          assert.ok(refused.length > 0, `${rule.name} did not refuse it in the pack`);
        else assert.deepEqual(refused, [], rule.name);
      }
    });
  }
});
