/** The pack cannot be switched off quietly: policy config that disables or lowers a security rule is refused. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { lockedConfigErrors, PROTO_LEVELS } from "../policy/lock";
import { RULES } from "../src/rules";

const errors = (entries: [string, string][]) => lockedConfigErrors(new Map(entries));

describe("policy config lock", () => {
  test("the protocol's four levels are known by name", () => {
    assert.deepEqual(Object.values(PROTO_LEVELS).sort(), ["advisory", "disabled", "mandatory", "remediate"]);
  });

  test("every rule at mandatory (what the engine sends by default) is accepted", () => {
    assert.ok(RULES.length > 40);
    assert.deepEqual(errors(RULES.map((r) => [r.name, "mandatory"])), []);
    assert.deepEqual(errors([["all", "mandatory"]]), []);
  });

  test("each security rule disabled or advisory is refused, naming it", () => {
    const security = RULES.filter((r) => r.security);
    assert.ok(security.length > 40);
    for (const r of security) {
      for (const level of ["disabled", "advisory"]) {
        const e = errors([[r.name, level]]);
        assert.equal(e.length, 1, `${r.name} ${level}`);
        assert.match(e[0]!, new RegExp(`sets "${r.name}" to enforcementLevel "${level}"; a security rule may only be mandatory or remediate`));
      }
    }
  });

  test("a hygiene rule may be advisory but never disabled", () => {
    const hygiene = RULES.filter((r) => !r.security);
    assert.ok(hygiene.length >= 3);
    for (const r of hygiene) {
      assert.deepEqual(errors([[r.name, "advisory"]]), []);
      assert.equal(errors([[r.name, "disabled"]]).length, 1);
    }
  });

  test('"all" lowered and an unknown policy name are refused', () => {
    assert.match(errors([["all", "disabled"]])[0]!, /"all": enforcementLevel "disabled" would lower every rule/);
    assert.match(errors([["all", "advisory"]])[0]!, /would lower every rule/);
    assert.match(errors([["no-secret-access", "mandatory"]])[0]!, /names "no-secret-access", which is not a policy of the agent-trust pack/);
  });
});
