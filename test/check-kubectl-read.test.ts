/**
 * The checker reads a stream exactly as kubectl does or refuses it (issue 17): document separators as kubectl's
 * YAMLReader splits them, characters go-yaml v2 reads differently than YAML 1.2 readers, kubectl's JSON stream
 * rules, typed Lists, and the same result however the file's text arrives in pieces. The expected outcomes are
 * kubectl's own (servers/kubectl-yaml, recorded here by hand; test/integration/kubectl-yaml.test.ts checks
 * thousands more against the real decoder): where kubectl reads values, the checker reads the same or refuses;
 * where kubectl fails, the checker fails.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { loadYaml } from "../src/check/load";
import { ManifestStream, readText } from "../src/yaml/stream";
import { runCheckCli } from "../src/check/cli";
import { captureIo } from "../src/cli/io";
import type { Json } from "../src/yaml/scalars";
import { mutatedInput, prng } from "./helpers/yaml-mutate";
import { tempDir } from "./helpers/tmp";

type Want = Json[] | RegExp;

/** kubectl reads these values (nulls are empty documents, which kubectl skips), and so does the checker. */
const READ: [string, Json[]][] = [
  ["a: 1\n--- # x\nb: 2\n", [{ a: 1 }, { b: 2 }]],
  ["a: 1\n---#x\nb: 2\n", [{ a: 1 }, { b: 2 }]], // a separator: kubectl drops the line
  ["a: 1\n---   \nb: 2\n", [{ a: 1 }, { b: 2 }]],
  ["a: 1\n---\t\nb: 2\n", [{ a: 1 }, { b: 2 }]],
  ["a: 1\n--- \u00a0\nb: 2\n", [{ a: 1 }, { b: 2 }]], // Go's TrimSpace trims NBSP
  ["a: 1\n---\u0085\nb: 2\n", [{ a: 1 }, { b: 2 }]],
  ["a: 1\r\n---\r\nb: 2\r\n", [{ a: 1 }, { b: 2 }]],
  ["\ufeffa: 1\n", [{ a: 1 }]],
  ["---\n---\na: 1\n", [null, { a: 1 }]],
  ["a: 1\n---", [{ a: 1 }]],
  ["a: |\n  x", [{ a: "x\n" }]], // kubectl completes the last line
  ['key: "a\tb"\n', [{ key: "a\tb" }]],
  ["a:\tb\n", [{ a: "b" }]],
  ['{"a": 1}\n{"b": 2}\n', [{ a: 1 }, { b: 2 }]],
  ['{"a": 1}\nb: 2\n', [{ a: 1 }, { b: 2 }]], // one JSON value, then kubectl reads the rest as YAML
  ["{a: 1}\n", [{ a: 1 }]],
];

/** kubectl fails on these: so does the checker, naming the line. */
const KUBECTL_FAILS: [string, RegExp][] = [
  ["a: 1\n--- foo\nb: 2\n", /^x\.yaml:2: invalid document separator "--- foo".*kubectl stops reading the file here/],
  ["a: 1\n---x\n", /^x\.yaml:2: invalid document separator "---x"/],
  ["a: 1\n----\n", /^x\.yaml:2: invalid document separator "----"/],
  ["--- |\n  x\n", /^x\.yaml:1: invalid document separator "--- \|"/],
  ["--- {a: 1}\n", /^x\.yaml:1: invalid document separator/],
  ["---#x\na: 1\n", /^x\.yaml:1: document 1: a document separator with no space before its comment/],
  ["...\n", /^x\.yaml:1: document 1: a `\.\.\.` document end marker/],
  ["a:\n\t- b\n", /^x\.yaml:2: document 1: a tab in the indentation/],
  ["a:\n  b: |\n    \tx\n", /^x\.yaml:3: document 1: a tab in the indentation/],
  ["x:\n  - a\n  - \tb\n", /^x\.yaml:3: document 1: a tab in the indentation/], // after an entry's -
  ["a: \x01\n", /^x\.yaml:1: document 1: control character U\+0001: kubectl would refuse the file/],
  ['a: "\x7f"\n', /control character U\+007F/],
  ['a: "\x9b"\n', /control character U\+009B/],
  ['{"a": 1} #c\n', /^x\.yaml:1: not valid JSON.*kubectl would refuse the file/],
  ['{"a": 1}{"b": 2} x\n', /^x\.yaml:1: not JSON after the stream's 2 JSON values/],
  [
    "---\n{ a: 1,\u00a0\n  b: 2 }\n",
    /^x\.yaml:2: document 1: an unquoted value inside \[ \] or \{ \} that holds a `\?` or runs over lines/,
  ],
  ["---\n{ a: r.?n }\n", /^x\.yaml:2: document 1: an unquoted value inside/],
  ['{"a": 1}\n\n\nb: 2\n--- x\n', /^x\.yaml:5: invalid document separator "--- x"/], // lines counted on past the JSON
];

/** kubectl reads these, but go-yaml's reading differs from a YAML 1.2 reader's: refused, naming the line. */
const REFUSED: [string, RegExp][] = [
  [
    "a: 1\rb: 2\n",
    /^x\.yaml:1: document 1: a carriage return \(\\r\) that does not end a line: go-yaml \(kubectl\) reads it as a line break/,
  ],
  ["# c\u0085a: 1\n", /^x\.yaml:1: document 1: U\+0085 NEXT LINE \(NEL\)/],
  ["kind: Role\na: x\u2028b: 2\n", /^x\.yaml:2: document 1: U\+2028 LINE SEPARATOR/],
  ["a: x\u2029b: 2\n", /U\+2029 PARAGRAPH SEPARATOR/],
  [
    "a: 1\n---\n\ufeffb: 2\n",
    /^x\.yaml:3: document 2: a byte order mark \(U\+FEFF\) that is not at the start of the file/,
  ],
  ["a: b\ufeffc\n", /byte order mark/],
  [
    "a: 1\n...\nb: 2\n",
    /^x\.yaml:2: document 1: a `\.\.\.` document end marker: go-yaml \(kubectl\) reads only the first YAML document/,
  ],
  ['{"a": "x\u2028"}\n', /^x\.yaml:1: document 1: character U\+2028 in a JSON document/],
  // A lone CR is JSON whitespace; the YAML readers (which also refuse duplicate keys in JSON) misread this one.
  [
    '{\n  "metadata": {\n    "labels": {\n    }\n  },\n  "spec": {\n    "matchConstraints": {\n      "resourceRules": [\n        {\n          "apiGroups": [\n          ],\n          "apiVersions": [\n          ],\n          "operations": [\n          ],\n          "resources": [\n          ],\n          "scope": "*"\n        },\n        {\n          "apiGroups": [\n          ],\n  \r        "apiVersions": [\n          ],\n          "operations": [\n          ],\n          "resources": [\n          ],\n          "scope": "*"\n        }\n      ]\n    },\n    "matchConditions": [\n      {\n      }\n    ],\n    "variables": [\n      {\n      },\n      {\n      }\n    ],\n    "validations": [\n      {\n      }\n    ]\n  }\n}',
    /^x\.yaml:1: document 1: read differently as JSON and as YAML/,
  ],
  ['{"a": 1}\nb: 2\n---\nc: \u2028\n', /^x\.yaml:4: document 3: U\+2028/],
  ["kind: Role\n? name\n: x\n", /^x\.yaml:2: document 1: an explicit `\? ` mapping key/], // kubectl: {kind, name: x}
  ["x: [ ?a ]\n", /^x\.yaml:1: document 1: an unquoted value inside \[ \] or \{ \}/], // kubectl: {x: [{a: null}]}
];

function outcome(text: string): Json[] | string[] {
  const r = readText("x.yaml", text);
  return r.errors.length > 0 ? r.errors : r.values;
}

function expectOutcome(text: string, want: Want): void {
  const got = outcome(text);
  if (want instanceof RegExp) {
    const r = readText("x.yaml", text);
    assert.ok(r.errors.length > 0, `${JSON.stringify(text)} was read: ${JSON.stringify(r.values)}`);
    assert.match(r.errors[0]!, want, JSON.stringify(text));
  } else assert.deepEqual(got, want, JSON.stringify(text));
}

describe("the checker reads a stream as kubectl does, or refuses it", () => {
  test(`${READ.length} inputs kubectl reads are read to the same values`, () => {
    for (const [text, want] of READ) expectOutcome(text, want);
  });

  test(`${KUBECTL_FAILS.length} inputs kubectl fails on are errors here too, naming the line`, () => {
    for (const [text, want] of KUBECTL_FAILS) expectOutcome(text, want);
  });

  test(`${REFUSED.length} inputs whose go-yaml reading differs from a YAML 1.2 reader's are refused, naming the line`, () => {
    for (const [text, want] of REFUSED) expectOutcome(text, want);
  });

  test("a typed List's items without kind and apiVersion take the list's kind (minus List) and apiVersion", () => {
    const text = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleList
items:
  - metadata: { name: a, namespace: x }
    rules: []
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: c, namespace: x } }
  - apiVersion: v1
    kind: List
    items: [{ metadata: { name: nested } }]
`;
    const r = loadYaml("l.yaml", text);
    assert.deepEqual(
      r.objects.map((l) => `${l.object.apiVersion} ${l.object.kind} ${l.object.metadata.name}`),
      ["rbac.authorization.k8s.io/v1 Role a", "v1 ConfigMap c"],
    );
    // A nested list's items are not filled in (kubectl's FlattenListVisitor does not): no kind, an error.
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0]!, /l\.yaml document 1 items\[2\] items\[0\]: has no apiVersion and kind/);
    // Only an item with neither field is filled in; one with apiVersion alone stays without a kind.
    assert.match(
      loadYaml("m.yaml", "apiVersion: v1\nkind: PodList\nitems: [{ apiVersion: v1, metadata: { name: p } }]\n")
        .errors[0]!,
      /has no apiVersion and kind/,
    );
    // A nested `items: null` does not make a list: the object itself is read, as kubectl applies it.
    const nested = loadYaml(
      "n.yaml",
      "apiVersion: v1\nkind: List\nitems: [{ apiVersion: v1, kind: ConfigMap, metadata: { name: c }, items: null }]\n",
    );
    assert.deepEqual(
      nested.objects.map((l) => l.object.kind),
      ["ConfigMap"],
    );
  });

  test("the same values and errors however the text arrives in pieces (generated inputs, random cuts)", () => {
    const docs = [
      {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "diagnostic-shadow", namespace: "ai-agents" },
        automountServiceAccountToken: false,
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "diagnostic-shadow-target", namespace: "checkout" },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
      },
    ];
    const r = prng(17);
    for (let i = 0; i < 400; i++) {
      const text = mutatedInput(docs, 17, i);
      const whole = readText("x.yaml", text);
      const values: Json[] = [];
      const errors: string[] = [];
      const s = new ManifestStream("x.yaml", {
        document: (_, v) => void values.push(v),
        error: (m) => void errors.push(m),
      });
      const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      for (let p = 0; p < body.length;) {
        const n = 1 + Math.floor(r() * 40);
        s.push(body.slice(p, p + n));
        p += n;
      }
      s.end();
      assert.deepEqual({ values, errors }, whole, JSON.stringify(text));
    }
  });

  test("the CLI: exit 2 naming FILE:LINE, and every other file is still judged", () => {
    const d = tempDir("agent-trust-read-");
    fs.writeFileSync(
      path.join(d, "a.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: x }\n--- foo\n",
    );
    fs.writeFileSync(
      path.join(d, "b.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: x }\n# note\u2028kind: Secret\n",
    );
    fs.writeFileSync(
      path.join(d, "c.yaml"),
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: { name: r, namespace: checkout }\nrules: [{ apiGroups: [""], resources: [secrets], verbs: [get] }]\n',
    );
    const io = captureIo();
    assert.equal(runCheckCli([d], io), 2);
    const err = io.stderr.join("\n");
    assert.match(err, /a\.yaml:4: invalid document separator "--- foo"/);
    assert.match(err, /b\.yaml:4: document 1: U\+2028 LINE SEPARATOR/);
    assert.match(io.stdout.join("\n"), /no-secrets-access/);
  });
});
