/** What `agent-trust sandbox preview|up|destroy` prints after an engine run (src/engine/report.ts), without an engine. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EngineResult, Step } from "../src/engine/engine";
import { formatEngineResult } from "../src/engine/report";

const step = (op: Step["op"], type: string, name: string): Step => ({
  op,
  type,
  name,
  urn: `urn:pulumi:dev::agent-trust::${type}::${name}`,
});

test("changes are one table from the CLI's printer; unchanged steps and the stack itself are left out", () => {
  const r: EngineResult = {
    ok: true,
    steps: [
      step("same", "kubernetes:core/v1:ServiceAccount", "a-sa"),
      step("create", "kubernetes:rbac.authorization.k8s.io/v1:Role", "a-role"),
      step("delete", "vault:index/policy:Policy", "a-policy"),
      step("update", "pulumi:pulumi:Stack", "agent-trust-dev"),
    ],
    violations: [],
    diagnostics: [],
  };
  const lines = formatEngineResult("dev", "preview", r);
  assert.deepEqual(lines, [
    "pulumi preview dev: 2 change(s)",
    "  op  type                                          name",
    "  --  --------------------------------------------  --------",
    "  +   kubernetes:rbac.authorization.k8s.io/v1:Role  a-role",
    "  -   vault:index/policy:Policy                     a-policy",
    "policy pack agent-trust: passed",
  ]);
});

test("no changes print no table; a mandatory violation says BLOCKED", () => {
  const r: EngineResult = {
    ok: false,
    steps: [],
    violations: [{ policy: "rbac-no-wildcards", level: "mandatory", message: "Role x grants *\nmore" }],
    diagnostics: [],
  };
  assert.deepEqual(formatEngineResult("dev-shadow", "up", r), [
    "pulumi up dev-shadow: 0 change(s)",
    "policy pack agent-trust: mandatory violation [rbac-no-wildcards]: Role x grants *",
    "pulumi up dev-shadow: BLOCKED by the policy pack",
  ]);
});
