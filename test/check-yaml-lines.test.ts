/**
 * The line reader (`readSimple`) either declines a document or returns exactly the exact reader's value for it
 * (same JSON, same key order, plain objects): over every fixture and stack file, a table of tricky spellings,
 * generated Kubernetes-like documents as two serialisers write them, and random one-character edits of those.
 * It must also really accept the common subset, or the fast path would never be taken.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { type Json } from "../src/yaml/scalars";
import { parseYamlStream } from "../src/yaml/yaml";
import { splitDocuments } from "../src/yaml/yaml-fast";
import { readSimple } from "../src/yaml/yaml-lines";

const ROOT = path.join(__dirname, "..");

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : /\.(ya?ml|json)$/i.test(e.name) ? [p] : [];
  });
}

/** Every object in a value is a plain object (Object.prototype), as the exact reader builds them. */
function plainObjects(v: Json): boolean {
  if (Array.isArray(v)) return v.every(plainObjects);
  if (v === null || typeof v !== "object") return true;
  return Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(plainObjects);
}

/** Why readSimple's answer for one chunk is wrong, or undefined when it declined or agrees with the exact reader. */
function disagreement(text: string): string | undefined {
  const fast = readSimple(text);
  if (fast === undefined) return undefined;
  const docs = parseYamlStream(text);
  if (docs.length !== 1) return `accepted, but the exact reader sees ${docs.length} documents`;
  const doc = docs[0]!;
  if ("error" in doc) return `accepted, but the exact reader fails: ${doc.error}`;
  if (JSON.stringify(fast) !== JSON.stringify(doc.value))
    return `read ${JSON.stringify(fast)}, exact ${JSON.stringify(doc.value)}`;
  if (!plainObjects(fast)) return "not plain objects";
  return undefined;
}

test("every chunk of every fixture and stack file: declined or read as the exact reader reads it", () => {
  const all = [...files(path.join(ROOT, "test", "fixtures")), ...files(path.join(ROOT, "stacks"))];
  assert.ok(all.length > 300, `only ${all.length} files`);
  let accepted = 0;
  let chunks = 0;
  const wrong: string[] = [];
  for (const file of all) {
    for (const chunk of splitDocuments(fs.readFileSync(file, "utf8"))) {
      chunks++;
      const why = disagreement(chunk.text);
      if (why) wrong.push(`${path.relative(ROOT, file)}:${chunk.line + 1}: ${why}`);
      else if (readSimple(chunk.text) !== undefined) accepted++;
    }
  }
  assert.deepEqual(wrong, []);
  // Most fixtures are hand-written in flow style (`{ name: x }`), outside the subset; the rest must be read.
  assert.ok(accepted >= 70, `accepted only ${accepted} of ${chunks} chunks`);
});

test("tricky spellings are declined or read exactly", () => {
  const cases = [
    "",
    "# c\n",
    "---\n",
    "---\n# c\n\n",
    "--- |\n  x\n",
    "--- a: 1\n",
    "--- # c\na: 1\n",
    "---  \na: 1\n",
    "a: 1\n...\n",
    "a: yes\nb: no\nc: on\nd: Off\ne: y\nf: N\ng: TRUE\nh: True\ni: yEs\n",
    "yes: 1\n",
    "on: 1\n",
    "y: 1\n",
    "n: 1\n",
    "No: 1\n",
    "1: a\n",
    "0x1F: a\n",
    "null: a\n",
    "~: a\n",
    "1.5: a\n",
    "1a: b\n",
    "'yes': 1\n",
    '"on": 1\n',
    "'a''b': 1\n",
    "a: 0777\nb: 08\nc: 0x1F\nd: 1_000\ne: 0o17\nf: 0b101\ng: +12\nh: -0\ni: 1e3\nj: .5\nk: 1.\nl: 9223372036854775808\n",
    "a: 18446744073709551616\nb: -9223372036854775809\nc: 1e999\n",
    "a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: ''\ng: \"\"\n",
    "a: .inf\n",
    "a: -.Inf\n",
    "a: .NaN\n",
    "a: +.INF\n",
    "a:\n- a\n- b\nc: d\n",
    "a:\n  - a\n  - b\n",
    "- a: 1\n  b: 2\n- c\n",
    "- a: 1\n b: 2\n",
    "- a: 1\n   b: 2\n",
    "-\n  a: 1\n-\n- x\n",
    "- - 1\n",
    "- [1]\n",
    "- []\n- {}\n",
    "a: [ ]\n",
    "a: [1]\n",
    "a: 'it''s'\nb: 'x: y'\nc: '# no'\nd: ''''\n",
    'a: "x\\ty"\n',
    'a: "x y"\n',
    "a: 'x' y\n",
    "a: 'x'y\n",
    "a: 'x\n  y'\n",
    "a: b: c\n",
    "a: b:\n",
    "a: b #c\n",
    "a: b#c\n",
    "a: # c\n",
    "a: b\n# c\nd: e\n",
    "# head\na: 1\n  # indented comment\nb: 2\n",
    "a: b   \nc: d  \n",
    "a:   b\n",
    "a: x:,\n",
    "a: b[0]\n",
    "a: {x\n",
    "a: [x\n",
    "a: @x\n",
    "a: `x\n",
    "a: %x\n",
    "a: !x\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "<<: {a: 1}\n",
    "? a\n: 1\n",
    "a : 1\n",
    "a:1\n",
    "a: -\n",
    "a: - b\n",
    "a: -b\n",
    "a: --\n",
    "a: 1\na: 2\n",
    "a:\n  b: 1\n  b: 2\n",
    "__proto__: 1\n",
    "constructor: 1\ntoString: 2\n",
    "a:\tb\n",
    "a: 1\r\nb: 2\r\n",
    "\uFEFFa: 1\n",
    "a: \u2028\n",
    "a: \u00e9\n",
    "a: \ud83d\ude00\n",
    "a: 1\n  b: 2\n",
    "a:\n    b: 1\n  c: 2\n",
    "a: 1\n b: 2\n",
    "  a: 1\n",
    "a:\n  b\n",
    "a: b\n  c\n",
    "a: b\n\n  c\n",
    "- a\n  b\n",
    "a: |\n  x\n",
    "a: |-\n  x\n\n",
    "a: |+\n  x\n\n\n",
    "a: |\n  x\n\n  y\n\n\nb: 1\n",
    "a: |+\n  x\n\n# c\n\nb: 1\n",
    "a: |\n\n  x\n",
    "a: |\n    x\n  y\n",
    "a: |\n  x\n   \n",
    "a: |\n   \n  x\n",
    "a: |\n  x",
    "a: |\nb: 1\n",
    "a: |\n",
    "a: |2\n  x\n",
    "a: |-2\n  x\n",
    "a: >\n  x\n",
    "a: | # c\n  x\n",
    "a: |\n  # not a comment\n  b: c\n",
    "a: |\n    x\n  # c\nb: 1\n",
    "- |\n x\n- |-\n  y\n",
    "a:\n- |\n x\n",
    "a: |\n x\n  y\n",
    "a: |\n  ---\n  ...\n",
    "a: 2001-12-14\nb: 12:30\nc: 1:20\n",
    "a: x\n---\nb: y\n",
    "[a]\n",
    "{a: 1}\n",
    "plain\n",
    "- x\n- y\n",
    'a: "\\""\n',
    'a: "\\\\"\n',
    'a: "\\"\n',
    'a: "x\\\\\\"y\\\\"\n',
    'a: "\\\\\\\\" b\n',
    '"k\\"": 1\n',
    'a: "\\/\\n\\u0041"\n',
    'a: "\\\n',
    'a: "x\\\ny"\n',
    "a:b: c\n",
    "a:b:c: d\n",
    "a::b: c\n",
    "a:b:\n",
    "a:b :c\n",
    "a:1: x\n",
    "on:x: 1\n",
    "- a:b\n- a:b: c\n",
    "a: 'x\"y'\nb: \"x'y\"\n",
    "a/b.c-d_e: 1\n",
    "app.kubernetes.io/name: x\n",
    "a: http://x/y?z=1&w=2\n",
  ];
  assert.deepEqual(
    cases.map((c) => [c, disagreement(c)]).filter(([, why]) => why !== undefined),
    [],
  );
});

test("the common subset is accepted, with the exact reader's values", () => {
  const must: [string, Json][] = [
    ["---\n", null],
    ["---\n# only a comment\n\n", null],
    ["a: 1\n", { a: 1 }],
    ["---\napiVersion: v1\nkind: Pod\n", { apiVersion: "v1", kind: "Pod" }],
    [
      "a: yes\nb: '0777'\nc: 0777\nd: ~\ne: 1e3\nf: 08\ng: 0x1F\nh: 1_000\n",
      { a: true, b: "0777", c: 511, d: null, e: 1000, f: 8, g: 31, h: 1000 },
    ],
    ["a:\nb: null\nc: ''\nd: \"\"\n", { a: null, b: null, c: "", d: "" }],
    ['rules:\n- apiGroups:\n  - ""\n  verbs:\n  - get\n', { rules: [{ apiGroups: [""], verbs: ["get"] }] }],
    ["- a: 1\n  b: 2\n- c\n-\n  d: 3\n", [{ a: 1, b: 2 }, "c", { d: 3 }]],
    ["a:\n  - x\n  - k: []\n    z: {}\n", { a: ["x", { k: [], z: {} }] }],
    [
      "labels:\n  app.kubernetes.io/name: x\n  agent-trust.io/agent: a1\n",
      { labels: { "app.kubernetes.io/name": "x", "agent-trust.io/agent": "a1" } },
    ],
    ["a: 'it''s'\nb: \"x: #y\"\nc: it's\nd: a#b\n", { a: "it's", b: "x: #y", c: "it's", d: "a#b" }],
    ["a: b   \n# c\n\nd: e\n", { a: "b", d: "e" }],
    [
      'policy: |-\n  path "kv/*" {\n    capabilities = ["read"]\n  }\n',
      { policy: 'path "kv/*" {\n  capabilities = ["read"]\n}' },
    ],
    ["a: |\n  x\n\n  y\n\n\nb: 1\n", { a: "x\n\ny\n", b: 1 }],
    ["a: |+\n  x\n\n", { a: "x\n\n" }],
    ["a: |-\n  x\n\n", { a: "x" }],
    ["- |\n  # text\n  a: b\n", ["# text\na: b\n"]],
    [
      "agent-trust:layer: phase\nagent-trust:vault:\n  ttl: 300\n",
      { "agent-trust:layer": "phase", "agent-trust:vault": { ttl: 300 } },
    ],
    ["'quoted key': 1\n\"dq\": 2\n", { "quoted key": 1, dq: 2 }],
    ['e: "\\"rule\\" + \\" (\\" + x + \\"\\\\\\"\\""\n"k\\\\": 1\n', { e: '"rule" + " (" + x + "\\""', "k\\": 1 }],
    ["url: http://x/y?z=1&w=2\nport: -1\nname: -foo\n", { url: "http://x/y?z=1&w=2", port: -1, name: "-foo" }],
  ];
  for (const [text, want] of must) {
    assert.deepEqual(readSimple(text), want, JSON.stringify(text));
    assert.equal(disagreement(text), undefined, JSON.stringify(text));
  }
});
