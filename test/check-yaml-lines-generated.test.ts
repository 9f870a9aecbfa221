/**
 * The line reader (`readSimple`) over generated input: Kubernetes-like documents as yaml.stringify and js-yaml
 * dump write them (declined or read exactly, and plain ones nearly all accepted), random one-character edits of
 * accepted documents, a fixture's chunks read with and without the line reader first, and resolvePlainRecurring
 * against resolvePlain for every spelling. The fixtures and hand-written tricky spellings are in
 * check-yaml-lines.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { dump } from "js-yaml";
import { stringify } from "yaml";
import { resolvePlain, resolvePlainRecurring, type Json } from "../src/yaml/scalars";
import { parseYamlStream } from "../src/yaml/yaml";
import { splitDocuments } from "../src/yaml/yaml-fast";
import { readSimple } from "../src/yaml/yaml-lines";

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

const NASTY = [
  "yes",
  "no",
  "on",
  "Off",
  "y",
  "N",
  "~",
  "null",
  "true",
  "0777",
  "08",
  "0x1F",
  "1e3",
  "1_000",
  ".5",
  "-1",
  "+1",
  ".inf",
  "-.Inf",
  ".nan",
  "a: b",
  "x:",
  "- x",
  "-",
  "#c",
  "a #b",
  " lead",
  "trail ",
  "multi\nline",
  "multi\nline\n",
  "two\n\nbreaks\n\n",
  "\n",
  "",
  "'q'",
  '"d"',
  "it's",
  "a\\b",
  "tab\there",
  "@at",
  "`bt",
  "%p",
  "|",
  ">",
  "[a]",
  "{a}",
  "*a",
  "&a",
  "!t",
  "?",
  "---",
  "...",
  "2001-12-14",
  "\u00e9t\u00e9",
  "x\u2028y",
  "<<",
  '"q\\"',
  '- "x\\y" \\',
  '\\"',
  '\\\\"\t',
  "'\"\\",
  '#it\'s "q\\\\"',
];
const plainString = fc.stringMatching(/^[a-z][a-z0-9.-]{0,10}$/);
const key = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/) },
  fc.constantFrom(
    "app.kubernetes.io/name",
    "agent-trust.io/agent",
    "a_b",
    "x-y",
    "yes",
    "on",
    "n",
    "3",
    "0x1F",
    "1.5",
    "null",
    "~",
    "a b",
    "a: b",
    "#k",
    "constructor",
    "",
  ),
);
const plainKey = fc
  .stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/)
  .filter((k) => typeof readSimple(`${k}: 1\n`) === "object");
const scalar = fc.oneof(
  plainString,
  fc.integer({ min: -100000, max: 100000 }),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
);
const nasty = fc.oneof(scalar, fc.constantFrom(...NASTY));

/** Kubernetes-like objects: nested mappings and sequences (none directly in a sequence when `plain`). */
function objects(
  leaf: fc.Arbitrary<Json>,
  k: fc.Arbitrary<string>,
  plain: boolean,
): fc.Arbitrary<{ [key: string]: Json }> {
  const { map } = fc.letrec<{ node: Json; map: { [key: string]: Json }; item: Json }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("item"), { maxLength: 4 }),
      tie("map"),
    ),
    item: plain ? fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("map")) : tie("node"),
    map: fc.dictionary(k, tie("node"), { maxKeys: 5 }),
  }));
  return map.filter((m) => Object.keys(m).length > 0);
}

const serialised = (o: Json): string[] => [
  stringify(o, { lineWidth: 0 }),
  `---\n${stringify(o, { lineWidth: 0 })}`,
  dump(o),
];

test("generated documents as yaml.stringify and js-yaml dump write them: declined or read exactly", () => {
  fc.assert(
    fc.property(objects(nasty, key, false), (o) => {
      for (const text of serialised(o)) assert.equal(disagreement(text), undefined, JSON.stringify(text));
    }),
    { numRuns: 400 },
  );
});

test("plain generated documents are nearly all accepted (the fast path is really taken)", () => {
  let total = 0;
  let accepted = 0;
  fc.assert(
    fc.property(objects(scalar, plainKey, true), (o) => {
      const text = stringify(o, { lineWidth: 0 });
      assert.equal(disagreement(text), undefined, JSON.stringify(text));
      total++;
      if (readSimple(text) !== undefined) accepted++;
    }),
    { numRuns: 400 },
  );
  assert.ok(accepted >= 0.9 * total, `accepted ${accepted} of ${total}`);
});

test("one-character edits of accepted documents: declined or read exactly", () => {
  const edits = [
    " ",
    "  ",
    ":",
    "-",
    "#",
    "'",
    '"',
    "|",
    "\n",
    "- ",
    ": ",
    " #",
    "\t",
    "[",
    "{",
    "&",
    "*",
    "!",
    ">",
    "?",
    "~",
    "0",
  ];
  const accepted = objects(nasty, key, false)
    .chain((o) => fc.constantFrom(...serialised(o)))
    .filter((t) => readSimple(t) !== undefined && t.length > 0);
  fc.assert(
    fc.property(accepted, fc.nat(), fc.constantFrom(...edits, ""), (text, at, insert) => {
      const i = at % text.length;
      // An empty insert deletes the character at i instead.
      const edited = insert === "" ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + insert + text.slice(i);
      assert.equal(disagreement(edited), undefined, JSON.stringify(edited));
    }),
    { numRuns: 1500 },
  );
});

test("a fixture's chunks read the same whether or not the line reader is asked first", () => {
  // The caller's contract: readSimple never throws and never changes state between calls.
  const text = "a: |\n  x\n---\nb: &y 1\nc: *y\n---\nd: 2\n";
  assert.deepEqual(
    splitDocuments(text).map((c) => readSimple(c.text)),
    [{ a: "x\n" }, undefined, { d: 2 }],
  );
  assert.equal(readSimple("a: [\n"), undefined);
  assert.deepEqual(readSimple("a: 1\n"), { a: 1 });
});

test("resolvePlainRecurring answers exactly as resolvePlain, for every spelling", () => {
  const spellings = [
    "",
    "~",
    "y",
    "Yes",
    "NO",
    "off",
    "On",
    "true",
    "FALSE",
    "null",
    "Null",
    "0",
    "-0",
    "+12",
    "0777",
    "08",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    ".5",
    "1e3",
    "1.",
    ".inf",
    "-.Inf",
    ".NaN",
    "TCP",
    "yes1",
    "nullish",
    "Offset",
    "a",
    "é",
    "9223372036854775808",
    "18446744073709551616",
    "x".repeat(70),
    "1".repeat(70),
  ];
  // Object.is: NaN is NaN, and -0 is not 0.
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...spellings), fc.string({ maxLength: 12 })), (t) =>
      Object.is(resolvePlainRecurring(t), resolvePlain(t)),
    ),
    { numRuns: 2000 },
  );
  for (const t of spellings) assert.ok(Object.is(resolvePlainRecurring(t), resolvePlain(t)), t);
});
