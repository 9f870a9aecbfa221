/** The pack cannot be switched off quietly: policy config that disables or lowers a security rule is refused. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigureAnalyzerRequest, EnforcementLevel, PolicyConfig } from "@pulumi/pulumi/proto/analyzer_pb";
import { lockedConfigErrors, lockPolicyConfig, PROTO_LEVELS } from "../policy/lock";
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
        assert.match(
          e[0]!,
          new RegExp(
            `sets "${r.name}" to enforcementLevel "${level}"; a security rule may only be mandatory or remediate`,
          ),
        );
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
    assert.match(
      errors([["no-secret-access", "mandatory"]])[0]!,
      /names "no-secret-access", which is not a policy of the agent-trust pack/,
    );
  });
});

describe("the lock in the protocol", () => {
  test("decoding a request never throws; reading its config does, with our message alone", () => {
    const build = (levels: [string, number][]) => {
      const req = new ConfigureAnalyzerRequest();
      for (const [name, level] of levels)
        req.getPolicyconfigMap().set(name, new PolicyConfig().setEnforcementlevel(level));
      return req.serializeBinary();
    };
    // Several entries, the refused one first: the decoder reads the map back entry by entry.
    const bad = build([
      ["no-secrets-access", EnforcementLevel.DISABLED],
      ["no-pod-exec", EnforcementLevel.MANDATORY],
      ["no-rbac-wildcards", EnforcementLevel.MANDATORY],
    ]);
    const good = build([
      ["no-secrets-access", EnforcementLevel.MANDATORY],
      ["no-pod-exec", EnforcementLevel.REMEDIATE],
    ]);
    lockPolicyConfig(ConfigureAnalyzerRequest);
    lockPolicyConfig(ConfigureAnalyzerRequest); // installed once, however often asked
    const decoded = ConfigureAnalyzerRequest.deserializeBinary(bad);
    let thrown: unknown;
    try {
      decoded.getPolicyconfigMap();
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof Error);
    assert.equal(thrown.stack, thrown.message);
    assert.match(
      thrown.message,
      /^agent-trust policy pack: refusing this policy config:\n {2}policy config sets "no-secrets-access" to enforcementLevel "disabled"/,
    );
    assert.equal(ConfigureAnalyzerRequest.deserializeBinary(good).getPolicyconfigMap().getLength(), 2);
  });
});
