import assert from "node:assert/strict";
import { test } from "node:test";
import { agentNames, assertDnsLabel, isDnsLabel, stackName } from "../src/model/naming";
import { ENVIRONMENTS, PHASES } from "../src/model/phases";

test("no two environments, phases or agents share a fixed physical name", () => {
  const seen = new Map<string, string>();
  const claim = (scope: string, name: string, owner: string) => {
    const key = `${scope}:${name}`;
    assert.ok(!seen.has(key), `${key} claimed by ${seen.get(key)} and ${owner}`);
    seen.set(key, owner);
  };
  for (const env of ENVIRONMENTS) {
    for (const phase of PHASES) {
      for (const agent of ["diagnostic", "capacity", "diagnostic-2"]) {
        const n = agentNames(env, phase, agent);
        const owner = `${env}/${phase}/${agent}`;
        // Kubernetes names only need to be unique within one environment's cluster namespace.
        for (const k8s of [
          n.serviceAccount,
          n.agentsRole,
          n.targetRole,
          n.networkPolicy,
          n.podTemplate("simple"),
          n.podTemplate("complex"),
        ]) {
          claim(`k8s-${env}`, k8s, owner);
        }
        // Vault names must be unique across environments: one Vault may serve several.
        claim("vault-role", n.vaultRole, owner);
        for (const d of ["datasources", "llm", "notify", "remediation"]) claim("vault-policy", n.vaultPolicy(d), owner);
      }
    }
  }
});

test("names follow the documented defaults", () => {
  const n = agentNames("dev", "shadow", "diagnostic");
  assert.equal(n.serviceAccount, "diagnostic-shadow");
  assert.equal(n.vaultRole, "agent-trust-dev-diagnostic-shadow");
  assert.equal(n.vaultPolicy("llm"), "agent-trust-dev-diagnostic-shadow-llm");
  assert.equal(n.podTemplate("complex"), "diagnostic-shadow-complex");
  assert.equal(n.job("inv-42"), "diagnostic-shadow-inv-42");
  assert.equal(stackName("prod", "assist"), "prod-assist");
  assert.equal(stackName("prod"), "prod");
});

test("the longest allowed agent name still yields valid names in every phase", () => {
  const n = agentNames("staging", "remediation", "a".repeat(30));
  assert.ok(isDnsLabel(n.podTemplate("complex")));
  assert.ok(isDnsLabel(n.networkPolicy));
});

test("a name that is not a DNS label is refused with what was wrong", () => {
  assert.throws(() => assertDnsLabel("Bad_Name", "agent name"), /agent name "Bad_Name" is not a DNS label/);
  assert.throws(() => agentNames("dev", "shadow", "x").job("A".repeat(70)), /investigation|Job name/);
});
