/**
 * The checker reads YAML and JSON the way kubectl does: compared, document by document, with kubectl's own decoder
 * (k8s.io/apimachinery util/yaml over sigs.k8s.io/yaml and go-yaml v2), built from servers/kubectl-yaml with the
 * same `go` toolchain and module proxy as the other test servers. The only intended differences: a key given twice
 * (kubectl silently keeps the last; the checker refuses the file) and a float map key (the checker refuses it).
 * And the checker's whole reader (`readText`: kubectl's document splitting, go-yaml's special characters, JSON
 * streams) over thousands of generated inputs (issue 17): for each, it reads exactly kubectl's objects or refuses
 * the input, and it never reads one kubectl fails on.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { readText } from "../../src/yaml/stream";
import { parseStream, parseYamlStream, type DocumentResult } from "../../src/yaml/yaml";
import { parseYamlStreamFast } from "../../src/yaml/yaml-fast";
import { renderStack } from "../../src/render";
import { mutatedInput } from "../helpers/yaml-mutate";
import { ROOT } from "./helpers";
import { tempDir } from "../helpers/tmp";

let decoder = "";

type Result = { value: unknown } | { error: string };

/** Same content regardless of key order (Go sorts map keys). */
const norm = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(norm)
    : v && typeof v === "object"
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, norm((v as Record<string, unknown>)[k])]),
        )
      : v;

function kubectl(text: string): Result[] {
  const out = execFileSync(decoder, { input: text }).toString().trim();
  return out ? out.split("\n").map((l) => JSON.parse(l) as Result) : [];
}

/** kubectl's results for many inputs in one run of the decoder (`-batch`). */
function kubectlBatch(texts: readonly string[]): Result[][] {
  const out = execFileSync(decoder, ["-batch"], {
    input: texts.map((t) => JSON.stringify(t)).join("\n") + "\n",
    maxBuffer: 1 << 30,
  });
  const lines = out.toString().trim().split("\n");
  assert.equal(lines.length, texts.length);
  return lines.map((l) => JSON.parse(l) as Result[]);
}

type Verdict = "agree" | "refused" | "both-fail" | "reads-what-kubectl-fails-on" | "reads-different-objects";

/** The checker's whole reader against kubectl's: the same objects (empty documents aside), refused, or both fail. */
function verdict(text: string, k: Result[]): Verdict {
  const ours = readText("x.yaml", text);
  const kubectlFails = k.some((d) => "error" in d);
  if (kubectlFails) return ours.errors.length > 0 ? "both-fail" : "reads-what-kubectl-fails-on";
  if (ours.errors.length > 0) return "refused";
  const same = (vs: unknown[]) => JSON.stringify(vs.filter((v) => v !== null).map(norm));
  return same(k.map((d) => (d as { value: unknown }).value)) === same(ours.values)
    ? "agree"
    : "reads-different-objects";
}

function checker(text: string, read: (t: string) => DocumentResult[]): Result[] {
  return parseStream(text, read).map((d) => ("value" in d ? { value: d.value } : { error: d.error }));
}

/** Both of the checker's readers (the exact one and the fast path the CLI uses) agree with kubectl. */
function agree(text: string): boolean {
  return agreeWith(text, parseYamlStream) && agreeWith(text, parseYamlStreamFast);
}

/** Equal values, or both an error (the wording differs). */
function agreeWith(text: string, read: (t: string) => DocumentResult[]): boolean {
  const k = kubectl(text);
  const c = checker(text, read);
  if (k.length !== c.length) return false;
  return k.every((kd, i) =>
    "error" in kd
      ? "error" in c[i]!
      : "value" in c[i]! && JSON.stringify(norm(kd.value)) === JSON.stringify(norm((c[i] as { value: unknown }).value)),
  );
}

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe("the checker reads input exactly as kubectl does", { timeout: 900_000 }, () => {
  before(() => {
    const out = tempDir("agent-trust-kubectl-yaml-");
    decoder = path.join(out, "kubectl-yaml");
    execFileSync("go", ["build", "-mod=readonly", "-trimpath", "-o", decoder, "."], {
      cwd: path.join(ROOT, "servers", "kubectl-yaml"),
      env: { ...process.env, GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
      stdio: ["ignore", "inherit", "inherit"],
    });
  });

  test("66 plain scalar spellings resolve to the same JSON (or both fail)", () => {
    const scalars = [
      "yes",
      "Yes",
      "YES",
      "y",
      "Y",
      "on",
      "On",
      "ON",
      "true",
      "True",
      "TRUE",
      "no",
      "n",
      "N",
      "off",
      "OFF",
      "False",
      "~",
      "null",
      "Null",
      "NULL",
      "",
      "0777",
      "0o17",
      "0x1F",
      "-0x1F",
      "0b101",
      "1_000",
      "+12",
      "0_0",
      "08",
      "09",
      "1e3",
      ".5",
      "0.0",
      "1:20",
      "2001-12-14",
      "2001-12-14T21:59:43.10-05:00",
      "yEs",
      "0x",
      "_1",
      "-0",
      "+0",
      "00",
      "0.",
      "1.",
      "-.5",
      "+.5",
      "1e",
      "0b",
      "9223372036854775807",
      "9223372036854775808",
      "18446744073709551616",
      "1__0",
      "0x_1F",
      "0o",
      "0O17",
      "0B11",
      "0X1f",
      ".inf",
      "-.Inf",
      "+.INF",
      "<<",
      "=",
      "!",
      "'q'",
    ];
    assert.equal(scalars.length, 66);
    const differ = scalars.filter((s) => !agree(`k: ${s}\n`));
    assert.deepEqual(differ, []);
  });

  test("every fixture file (red-team, sound, dangerous) decodes to the same documents", () => {
    // closed-input holds what the checker must refuse as unreadable (issue 17): held to kubectl below instead.
    const all = ["redteam", "sound", "dangerous"]
      .flatMap((d) => files(path.join(ROOT, "test", "fixtures", d)))
      .filter((f) => !f.endsWith(".hcl") && !f.includes(`${path.sep}closed-input${path.sep}`));
    assert.ok(all.length >= 150, `${all.length} files`);
    const differ = all.filter((f) => !agree(fs.readFileSync(f, "utf8")));
    assert.deepEqual(differ, []);
  });

  test("every fixture file, read by the checker's reader: kubectl's objects or refused; `# unreadable:` ones refused", () => {
    const all = ["redteam", "sound", "dangerous"]
      .flatMap((d) => files(path.join(ROOT, "test", "fixtures", d)))
      .filter((f) => !f.endsWith(".hcl"));
    const texts = all.map((f) => fs.readFileSync(f, "utf8"));
    const k = kubectlBatch(texts);
    const wrong = all
      .map((f, i) => [path.relative(ROOT, f), verdict(texts[i]!, k[i]!)] as const)
      .filter(([, v]) => v.startsWith("reads-"));
    assert.deepEqual(wrong, []);
    const unreadable = all.filter(
      (f, i) => /^# unreadable:/m.test(texts[i]!) && readText(f, texts[i]!).errors.length === 0,
    );
    assert.deepEqual(unreadable, []);
  });

  test("2,400 generated inputs (real manifests with separators, comments, BOMs, NEL/LS/PS, CR, tabs, controls): kubectl's objects or refused", () => {
    const rendered = [renderStack("dev-shadow"), renderStack("dev")].flatMap((r) => [...r.kubernetes, ...r.vault]);
    const docs = rendered.filter((d) => JSON.stringify(d).length < 4000);
    assert.ok(docs.length >= 20, `${docs.length} documents`);
    const inputs = [1, 2, 3].flatMap((seed) => Array.from({ length: 800 }, (_, i) => mutatedInput(docs, seed, i)));
    const k = kubectlBatch(inputs);
    const counts: Record<Verdict, number> = {
      agree: 0,
      refused: 0,
      "both-fail": 0,
      "reads-what-kubectl-fails-on": 0,
      "reads-different-objects": 0,
    };
    const wrong: string[] = [];
    inputs.forEach((text, i) => {
      const v = verdict(text, k[i]!);
      counts[v]++;
      if (v.startsWith("reads-") && wrong.length < 5) wrong.push(`${v}: ${JSON.stringify(text)}`);
    });
    assert.deepEqual(wrong, []);
    // Not vacuous: many inputs are read (and agree), many are ones kubectl itself fails on.
    assert.ok(counts.agree >= 400 && counts["both-fail"] >= 400 && counts.refused >= 200, JSON.stringify(counts));
  });

  test("merge keys, tags, aliases, JSON streams and empty documents agree", () => {
    const cases = [
      "a: &b {x: 1, k: 1}\nbefore: {x: 0, <<: *b}\nafter: {<<: *b, x: 0}\nlist: {<<: [{z: first}, {z: second, w: 2}]}\n",
      'nested: {<<: {<<: {deep: true}}}\ntagged: {!!merge <<: {t: 1}}\nquoted: {"<<": {q: 1}}\n',
      'a: !!int "0x10"\nb: !!bool "true"\nc: !!str 0777\nd: !foo bar\ne: !!binary aGVsbG8=\n',
      "a: &a [1, 2]\nb: [*a, *a]\non: 1\n3: x\nn: 0\n",
      '{"a": "}{"} {"b": [1, {"c": 2}]}\n{"d": true}',
      "---\n# c\n---\na: 1\n",
      "a: {<<: 5}\n",
      "~: 1\n",
    ];
    assert.deepEqual(
      cases.filter((c) => !agree(c)),
      [],
    );
  });

  test("the intended differences: kubectl keeps the last of a duplicate key, the checker refuses the document", () => {
    for (const text of ["a: 1\na: 2\n", `{"a": 1, "a": 2}`]) {
      assert.deepEqual(kubectl(text), [{ value: { a: 2 } }]);
      for (const read of [parseYamlStream, parseYamlStreamFast])
        assert.match(String((checker(text, read)[0] as { error: string }).error), /appears twice/);
    }
    assert.deepEqual(kubectl("1.5: x\n"), [{ value: { "1.5": "x" } }]);
    for (const read of [parseYamlStream, parseYamlStreamFast])
      assert.match(String((checker("1.5: x\n", read)[0] as { error: string }).error), /float/);
  });
});
