import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { allVaultPaths, SECRET_DOMAINS } from "../src/model/catalog";
import { PHASES } from "../src/model/phases";
import { loadEnvironment } from "../src/sandbox/deploy/environment";
import { vaultMatrix } from "../src/sandbox/verify/expect-vault";
import { vaultProbes } from "../src/sandbox/deploy/vault-probes";

const env = loadEnvironment("dev");
const agent = (phase: (typeof PHASES)[number], name: string) => env.agents[phase].find((a) => a.name === name)!;
const cell = (phase: (typeof PHASES)[number], name: string, verb: string, object: string) => {
  const c = vaultMatrix(phase, agent(phase, name), "agent", "kubernetes").find(
    (x) => x.verb === verb && x.object === object,
  );
  assert.ok(c, `${phase} ${name} ${verb} ${object}`);
  return c.expected;
};

describe("sandbox Vault matrix (expected cells from the catalog)", () => {
  test("probes stand for every catalog path, globs made concrete, plus an unlisted key per domain", () => {
    const probes = vaultProbes();
    for (const p of allVaultPaths())
      assert.ok(
        probes.some((x) => x.catalogPath === p && !x.secret.includes("*")),
        p,
      );
    assert.equal(probes.find((x) => x.catalogPath === "datasources/*")!.secret, "datasources/sandbox-probe");
    for (const d of SECRET_DOMAINS)
      assert.ok(
        probes.some((x) => x.secret === `${d}/sandbox-unlisted`),
        d,
      );
    assert.equal(new Set(probes.map((p) => p.secret)).size, probes.length);
  });

  test("notify is read from assist on; remediation keys from remediation on; never a neighbouring key", () => {
    assert.equal(cell("shadow", "diagnostic", "read", "notify/*"), "deny");
    assert.equal(cell("assist", "diagnostic", "read", "notify/*"), "allow");
    assert.equal(cell("assist", "diagnostic", "read", "remediation/pod-restart"), "deny");
    assert.equal(cell("remediation", "diagnostic", "read", "remediation/pod-restart"), "allow");
    assert.equal(cell("autonomous", "diagnostic", "read", "remediation/(unlisted key)"), "deny");
    assert.equal(cell("shadow", "diagnostic", "read", "datasources/(unlisted key)"), "allow");
    assert.equal(cell("assist", "diagnostic", "list", "notify/"), "allow");
    assert.equal(cell("autonomous", "diagnostic", "list", "remediation/"), "deny");
  });

  test("an agent gets nothing outside its configured secret domains, whatever its phase", () => {
    for (const phase of PHASES) {
      assert.equal(cell(phase, "capacity", "read", "notify/*"), "deny");
      assert.equal(cell(phase, "capacity", "read", "remediation/pod-restart"), "deny");
      assert.equal(cell(phase, "capacity", "read", "llm/inference"), "allow");
    }
  });

  test("no phase may write a secret or list Vault's own configuration", () => {
    for (const phase of PHASES) {
      for (const a of env.agents[phase]) {
        const m = vaultMatrix(phase, a, "agent", "kubernetes");
        assert.ok(
          m.filter((c) => c.operation === "write" || c.operation === "admin").every((c) => c.expected === "deny"),
        );
        assert.deepEqual(
          m
            .filter((c) => c.operation === "admin")
            .map((c) => c.path)
            .sort(),
          ["auth/kubernetes/role", "identity/entity/id", "sys/policies/acl"],
        );
        assert.ok(m.every((c) => c.operation === "admin" || c.path.startsWith("agent/")));
      }
    }
  });
});
