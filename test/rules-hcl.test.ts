/** The Vault policy parser: parse, don't grep. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HclError, parseVaultPolicy } from "../src/rules/hcl";
import { isJsonPolicy } from "../src/rules/hcl-lex";
import { domainPolicyHcl } from "../src/plan/vault";

describe("parseVaultPolicy", () => {
  test("reads path blocks, capabilities and lines", () => {
    const blocks = parseVaultPolicy(`# header
path "agent/data/a/*" {
  capabilities = ["read", "list",]
}

path "agent/metadata/a/*" { capabilities = ["list"] }`);
    assert.deepEqual(blocks, [
      { path: "agent/data/a/*", capabilities: ["read", "list"], line: 2 },
      { path: "agent/metadata/a/*", capabilities: ["list"], line: 6 },
    ]);
  });

  test("commented-out paths are not policy, and a path spread over lines still is", () => {
    const blocks = parseVaultPolicy(`// path "sys/*" { capabilities = ["sudo"] }
/* path "auth/*" {
  capabilities = ["sudo"]
} */
path
  "agent/data/x"
{
  capabilities = [
    "read"
  ]
}`);
    assert.deepEqual(
      blocks.map((b) => [b.path, b.capabilities, b.line]),
      [["agent/data/x", ["read"], 5]],
    );
  });

  test("nested attribute objects and other parameters are accepted", () => {
    const [b] = parseVaultPolicy(`path "agent/data/x" {
  capabilities = ["read"]
  allowed_parameters = { "version" = [] }
  required_parameters = ["version"]
  min_wrapping_ttl = "1s"
  denied_parameters { "*" = [] }
}`);
    assert.deepEqual(b!.capabilities, ["read"]);
  });

  test("the legacy policy = form is read as the capabilities it means", () => {
    assert.deepEqual(parseVaultPolicy(`path "agent/*" { policy = "write" }`)[0]!.capabilities, [
      "create",
      "read",
      "update",
      "delete",
      "list",
    ]);
    assert.deepEqual(parseVaultPolicy(`path "sys/*" { policy = "sudo" }`)[0]!.capabilities.includes("sudo"), true);
  });

  test("parses every policy the planner writes", () => {
    for (const phase of ["shadow", "assist", "remediation", "autonomous"] as const) {
      for (const domain of ["datasources", "llm", "notify", "remediation"] as const) {
        assert.ok(parseVaultPolicy(domainPolicyHcl("agent", phase, "diag", domain)).length > 0);
      }
    }
  });

  test("JSON-format policies: the same blocks as HCL, a path list, and a duplicated path kept twice", () => {
    const json = JSON.stringify(
      {
        path: {
          "agent/data/a/*": { capabilities: ["read"] },
          "agent/metadata/a/*": { capabilities: ["list"], allowed_parameters: { "*": [] } },
        },
      },
      null,
      2,
    );
    const hcl = `path "agent/data/a/*" { capabilities = ["read"] }\npath "agent/metadata/a/*" { capabilities = ["list"] }`;
    const strip = (bs: { path: string; capabilities: readonly string[] }[]) => bs.map((b) => [b.path, b.capabilities]);
    assert.equal(parseVaultPolicy(json).length, 2);
    assert.deepEqual(strip(parseVaultPolicy(json)), strip(parseVaultPolicy(hcl)));
    assert.deepEqual(
      strip(parseVaultPolicy(`  {"path": [{"a/b": {"policy": "read"}}, {"c/d": {"capabilities": ["deny"]}}]}`)),
      [
        ["a/b", ["read", "list"]],
        ["c/d", ["deny"]],
      ],
    );
    // JSON.parse keeps only the last of two equal keys; Vault's HCL reader keeps both and merges them.
    const dup = parseVaultPolicy(
      `{"path": {"agent/data/a": {"capabilities": ["read"]}, "agent/data/a": {"capabilities": ["sudo"]}}}`,
    );
    assert.equal(dup.length, 2);
    assert.deepEqual(
      dup.map((b) => b.capabilities),
      [["read"], ["sudo"]],
    );
    // Any character may be a \u escape in JSON.
    assert.equal(parseVaultPolicy(`{"path": {"\\u0073ys/*": {"capabilities": ["read"]}}}`)[0]!.path, "sys/*");
  });

  test("JSON as HCL 1 flattens it: capabilities hidden one level down count, on the path Vault names", () => {
    const strip = (text: string) => parseVaultPolicy(text).map((b) => [b.path, b.capabilities]);
    // hcl v1 json/parser flattenObjects: {"secret/": {"x": {...}}} is the item path "secret/" "x"; Vault keeps "secret/".
    assert.deepEqual(strip(`{"path": {"secret/": {"x": {"capabilities": ["sudo"]}}}}`), [["secret/", ["sudo"]]]);
    assert.deepEqual(
      strip(`{"path": {"agent/data/a": {"b": {"c": {"capabilities": ["read"]}}, "d": {"policy": "write"}}}}`),
      [
        ["agent/data/a", ["read"]],
        ["agent/data/a", ["create", "read", "update", "delete", "list"]],
      ],
    );
    // A list of objects is flattened where the walk finds it: under "path" into one block per element (with the
    // nesting inside each dissolved too), but a list under a path name is flattened only after its parent was, so
    // "a/b" stays an attribute of the path "path", which Vault refuses (as does this parser).
    assert.deepEqual(
      strip(`{"path": [{"a/b": {"capabilities": ["list"]}}, {"a/b": {"w": {"capabilities": ["update"]}}}]}`),
      [
        ["a/b", ["list"]],
        ["a/b", ["update"]],
      ],
    );
    assert.throws(
      () => parseVaultPolicy(`{"path": {"a/b": [{"capabilities": ["read"]}, {"capabilities": ["sudo"]}]}}`),
      /path "path": "a\/b" is not an attribute/,
    );
    // HCL 1's JSON list reader skips a nested "[" and misreads the rest: refused.
    assert.throws(() => parseVaultPolicy(`{"path": [[{"a/b": {"capabilities": ["list"]}}]]}`), /a list inside a list/);
    // A lone "path" object whose members are not all objects is the path "path" itself.
    assert.deepEqual(strip(`{"path": {"capabilities": ["read"]}}`), [["path", ["read"]]]);
    // "name" is a top-level key Vault reads (and the API path overrides).
    assert.deepEqual(strip(`{"name": "x", "path": {"a/b": {"capabilities": ["read"]}}}`), [["a/b", ["read"]]]);
  });

  test("HCL: a path named twice is kept twice (Vault merges both into one ACL entry)", () => {
    const blocks = parseVaultPolicy(
      `path "agent/data/a" { capabilities = ["read"] }\npath "agent/data/a" { capabilities = ["sudo"] }`,
    );
    assert.deepEqual(
      blocks.map((b) => b.capabilities),
      [["read"], ["sudo"]],
    );
  });

  test("HCL 1 decides JSON by Go's whitespace, not JavaScript's", () => {
    assert.equal(isJsonPolicy(`\u0085{"path": {}}`), true);
    assert.equal(isJsonPolicy(`\u00a0\n {"path": {}}`), true);
    assert.equal(isJsonPolicy(`\ufeff{"path": {}}`), false);
    assert.equal(isJsonPolicy(`path "a" {}`), false);
  });

  const errors: [string, string, RegExp][] = [
    ["JSON: a key other than path", `{"paths": {}}`, /line 1, column 2: expected "path" but found "paths"/],
    ["JSON: null capabilities", `{"path": {"a": {"capabilities": null}}}`, /expected a value but found "null"/],
    ["JSON: trailing text", `{"path": {}} path "a" {}`, /unexpected "path" after the policy/],
    // HCL 1 does not flatten {"a": [...]} into "path": the path is "path" and "a" an attribute Vault refuses.
    [
      "JSON: a path without a body",
      `{"path": {"a": ["read"]}}`,
      /path "path": "a" is not an attribute of a path block/,
    ],
    [
      "unterminated string",
      `path "agent/x { capabilities = ["read"] }`,
      /line 1, column \d+: (unterminated string|expected)/,
    ],
    [
      "heredoc",
      `path "a" {\n  capabilities = <<EOF\nread\nEOF\n}`,
      /line 2, column 18: heredoc strings are not supported/,
    ],
    [
      "unknown top-level keyword",
      `rule "x" {}`,
      /line 1, column 1: expected a path "<path>" \{ \.\.\. \} block but found "rule"/,
    ],
    ["unquoted path", `path agent {}`, /line 1, column 6: path needs a quoted path, found "agent"/],
    ["stray character", `path "a" { capabilities = [read/] }`, /line 1, column 32: unexpected "\/"/],
    ["capabilities not a list", `path "a" { capabilities = "read" }`, /capabilities must be a list of strings/],
    ["unknown capability", `path "a" { capabilities = ["reed"] }`, /unknown capabilities "reed"/],
    [
      "missing closing brace",
      `path "a" { capabilities = ["read"]`,
      /expected an attribute name but found "end of input"/,
    ],
    [
      "duplicate attribute",
      `path "a" { capabilities = ["read"]\n capabilities = ["list"] }`,
      /line 2, column 2: attribute "capabilities" is set twice/,
    ],
    ["unterminated comment", `/* path "a" {}`, /unterminated \/\* comment/],
    [
      "JSON: a path attribute Vault refuses",
      `{"path": {"a/b": {"capabilities": ["read"], "Capabilities": ["sudo"]}}}`,
      /"Capabilities" is not an attribute of a path block/,
    ],
    [
      "HCL: a path attribute Vault refuses",
      `path "a" { capabilities = ["read"]\n sudo = true }`,
      /"sudo" is not an attribute of a path block/,
    ],
    [
      "JSON: a top-level key Vault refuses",
      `{"path": {"a": {"capabilities": ["read"]}}, "paths": {}}`,
      /expected "path" but found "paths"/,
    ],
    [
      "JSON: a key followed by another key (HCL 1 reads both)",
      `{"path" "sys/*": {"capabilities": ["sudo"]}}`,
      /expected ":" but found "sys\/\*"/,
    ],
    ["JSON: a trailing comma", `{"path": {"a": {"capabilities": ["read"]},}}`, /expected a quoted key but found "\}"/],
    [
      "HCL: an interpolation swallows quotes in HCL 1",
      `path "agent/data/\${" { capabilities = ["deny"] }\npath "}" { capabilities = ["read"] }`,
      /"\$\{" inside a string is an HCL 1 interpolation/,
    ],
    [
      "JSON: an interpolation keeps escapes verbatim in HCL 1",
      `{"path": {"\${\\u0073}ys/*": {"capabilities": ["read"]}}}`,
      /"\$\{" inside a string/,
    ],
    [
      "a no-break space (HCL 1's scanner refuses it)",
      `path "a"\u00a0{ capabilities = ["read"] }`,
      /U\+00A0 is not whitespace to Vault's HCL reader/,
    ],
    [
      "a base64 policy (Vault decodes it first)",
      Buffer.from(`path "sys/*" { capabilities = ["sudo"] }`).toString("base64"),
      /the policy is base64, which Vault decodes/,
    ],
    [
      "a legacy policy word that is a prototype key",
      `path "a" { policy = "constructor" }`,
      /policy = "constructor" is not one of deny, read, write, sudo/,
    ],
  ];
  for (const [what, text, message] of errors) {
    test(`a clear error for: ${what}`, () => {
      assert.throws(
        () => parseVaultPolicy(text),
        (e: unknown) => e instanceof HclError && message.test(e.message),
      );
    });
  }
});
