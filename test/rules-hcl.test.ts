/** The Vault policy parser: parse, don't grep. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HclError, parseVaultPolicy } from "../src/rules/hcl";
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
    assert.deepEqual(blocks.map((b) => [b.path, b.capabilities, b.line]), [["agent/data/x", ["read"], 5]]);
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
    assert.deepEqual(parseVaultPolicy(`path "agent/*" { policy = "write" }`)[0]!.capabilities, ["create", "read", "update", "delete", "list"]);
    assert.deepEqual(parseVaultPolicy(`path "sys/*" { policy = "sudo" }`)[0]!.capabilities.includes("sudo"), true);
  });

  test("parses every policy the planner writes", () => {
    for (const phase of ["shadow", "assist", "remediation", "autonomous"] as const) {
      for (const domain of ["datasources", "llm", "notify", "remediation"] as const) {
        assert.ok(parseVaultPolicy(domainPolicyHcl("agent", phase, "diag", domain)).length > 0);
      }
    }
  });

  const errors: [string, string, RegExp][] = [
    ["unterminated string", `path "agent/x { capabilities = ["read"] }`, /line 1, column \d+: (unterminated string|expected)/],
    ["heredoc", `path "a" {\n  capabilities = <<EOF\nread\nEOF\n}`, /line 2, column 18: heredoc strings are not supported/],
    ["unknown top-level keyword", `rule "x" {}`, /line 1, column 1: expected a path "<path>" \{ \.\.\. \} block but found "rule"/],
    ["unquoted path", `path agent {}`, /line 1, column 6: path needs a quoted path, found "agent"/],
    ["stray character", `path "a" { capabilities = [read/] }`, /line 1, column 32: unexpected "\/"/],
    ["capabilities not a list", `path "a" { capabilities = "read" }`, /capabilities must be a list of strings/],
    ["unknown capability", `path "a" { capabilities = ["reed"] }`, /unknown capabilities "reed"/],
    ["missing closing brace", `path "a" { capabilities = ["read"]`, /expected an attribute name but found "end of input"/],
    ["duplicate attribute", `path "a" { capabilities = ["read"]\n capabilities = ["list"] }`, /line 2, column 2: attribute "capabilities" is set twice/],
    ["unterminated comment", `/* path "a" {}`, /unterminated \/\* comment/],
  ];
  for (const [what, text, message] of errors) {
    test(`a clear error for: ${what}`, () => {
      assert.throws(() => parseVaultPolicy(text), (e: unknown) => e instanceof HclError && message.test(e.message));
    });
  }
});
