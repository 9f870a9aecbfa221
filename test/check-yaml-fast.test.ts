/**
 * The checker's fast reader (js-yaml where nothing needs go-yaml's exact rules) must read every input exactly as
 * the exact reader does: the same values, and an error wherever the exact reader has one. Over every fixture and
 * stack file, a table of tricky spellings, and generated documents.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { parseStream, type DocumentResult } from "../src/yaml/yaml";
import { parseYamlStreamFast, splitDocuments } from "../src/yaml/yaml-fast";

const ROOT = path.join(__dirname, "..");
const norm = (r: DocumentResult[]) => JSON.stringify(r.map((d) => ("error" in d ? "ERROR" : d.value)));
const same = (text: string) => norm(parseStream(text)) === norm(parseStream(text, parseYamlStreamFast));

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ya?ml|json)$/i.test(e.name) ? [p] : [];
  });
}

test("every fixture and stack file reads the same through both readers", () => {
  const all = [...files(path.join(ROOT, "test", "fixtures")), ...files(path.join(ROOT, "stacks"))];
  assert.ok(all.length > 300, `only ${all.length} files`);
  // A `# unreadable:` fixture is refused by the checker (kubectl-read.ts) before either reader sees it.
  const readable = all.filter((f) => !/^# unreadable:/m.test(fs.readFileSync(f, "utf8")));
  assert.deepEqual(
    readable.filter((f) => !same(fs.readFileSync(f, "utf8"))),
    [],
  );
});

test("tricky spellings read the same: YAML 1.1 scalars, odd keys, markers, merges, infinities, JSON", () => {
  const cases = [
    "",
    "# only a comment",
    "a: 1",
    "---\n# c\n---\na: 1\n",
    "# h\n---\na: 1\n---\nb: 2\n",
    "a: yes\nb: '0777'\nc: 0777\nd: ~\ne: 1e3\n",
    "a: 1\nb: 2\na: 3\n",
    "a: [1,\n---\n2]\n",
    "--- |\n  text\n---\nx: y",
    "key : v\n",
    "k: {a: 1, b: [x, y]}\n",
    "on: 1\n3: x\n",
    "~: 1\n",
    "null: 1\n",
    ": 1\n",
    "1.5: x\n",
    "1e3: x\n",
    "- 1.5: x\n",
    "{1.5: x}\n",
    "[~: 1]\n",
    "--- ~: 1\n",
    "a:\n  - b: c\n    d: 08\n",
    "a: .inf\n",
    "a: -.Inf\n",
    "a: .NaN\n",
    "a: &x 1\nb: *x\n",
    "a: {<<: {b: 1}, b: 2}\n",
    "a: !!str 1\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: 1\n...\nb: 2\n",
    "? a\n: 1\n",
    '{"a": 1}{"b": 2}',
    '{"a": 1, "a": 2}',
    "a: 'it''s'\nb: \"x\\ty\"\n",
    "a: |\n  ---\n  b\n",
    "x: 0x1F\ny: 0o17\nz: 0b101\nw: 1_000\nv: +12\n",
    "a: y\nb: n\nc: Off\nd: TRUE\ne: yEs\n",
    "~:\r\nx: 1\r\n",
    "a: 1\r\n~: 2\r\n",
    "1.5:\r\n",
    "a:\tyes\r\n",
    "a: 1\r\n---\r\nb: &x 2\r\nc: *x\r\n",
  ];
  assert.deepEqual(
    cases.filter((c) => !same(c)),
    [],
  );
});

test("generated documents read the same through both readers", () => {
  const scalar = fc.oneof(
    fc.constantFrom(
      "yes",
      "no",
      "on",
      "off",
      "y",
      "N",
      "~",
      "null",
      "0777",
      "08",
      "0x1F",
      "1e3",
      ".5",
      "1.",
      "-0",
      "+12",
      "1_000",
      "true",
      "a b",
      "'q'",
      '"d"',
      "2001-12-14",
      "",
    ),
    fc.stringMatching(/^[a-z0-9._-]{1,8}$/),
  );
  const key = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), fc.constantFrom("yes", "3", "0x1F", "on", "n"));
  const doc = fc.dictionary(
    key,
    fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }).map((a) => `[${a.join(", ")}]`),
    ),
    { maxKeys: 6 },
  );
  fc.assert(
    fc.property(fc.array(doc, { minLength: 1, maxLength: 4 }), (docs) => {
      const text = docs
        .map(
          (d) =>
            `---\n${Object.entries(d)
              .map(([k, v]) => `${k}: ${v}`)
              .join("\n")}\n`,
        )
        .join("");
      return same(text);
    }),
    { numRuns: 300 },
  );
});

test("document markers split a stream where YAML does, with the line each document starts on", () => {
  const chunks = splitDocuments("# head\n---\na: 1\n---\nb: 2\n--- c\n");
  assert.equal(chunks.length, 3);
  assert.deepEqual(
    chunks.map((c) => c.line),
    [1, 3, 5],
  );
});
