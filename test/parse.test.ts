import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, decodeEngineConfig, keyPath, parseStackConfig } from "../src/config/parse";
import { readStackFile } from "../src/config/stacks";

const shadow = () => structuredClone(readStackFile("dev-shadow").raw) as Record<string, any>;
const foundation = () => structuredClone(readStackFile("dev").raw) as Record<string, any>;

/** Parses and returns the error message, failing the test when parsing succeeds. */
function refused(raw: Record<string, unknown>): string {
  try {
    parseStackConfig(raw, "stacks/Pulumi.test.yaml");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail("config was accepted");
}

describe("stack config errors name the exact key and what is allowed", () => {
  test("misspelled phase", () => {
    const raw = shadow();
    raw["agent-trust:phase"] = "shadoww";
    const msg = refused(raw);
    assert.match(msg, /agent-trust:phase: "shadoww" is not allowed; allowed: shadow, assist, remediation, autonomous/);
    assert.match(msg, /stacks\/Pulumi\.test\.yaml/);
  });

  test("a token TTL of one day", () => {
    const raw = shadow();
    raw["agent-trust:vault"] = { tokenTtlSeconds: 86400 };
    assert.match(refused(raw), /agent-trust:vault\.tokenTtlSeconds: must be at most 900 seconds/);
  });

  test("a token max TTL longer than the longest Job deadline", () => {
    const raw = shadow();
    const tiers = {
      simple: { deadlineSeconds: 120, maxReasoningCycles: 8 },
      complex: { deadlineSeconds: 300, maxReasoningCycles: 15 },
    };
    raw["agent-trust:tiers"] = tiers;
    raw["agent-trust:vault"] = { tokenTtlSeconds: 300, tokenMaxTtlSeconds: 900 };
    assert.match(
      refused(raw),
      /agent-trust:vault\.tokenMaxTtlSeconds: must not exceed the longest Job deadline \(300 s\)/,
    );
  });

  test("unknown keys at the top level and nested", () => {
    const raw = shadow();
    raw["agent-trust:phse"] = "shadow";
    raw["agent-trust:agents"][0].targetNamespace = ["x"];
    const msg = refused(raw);
    assert.match(msg, /agent-trust:phse: unknown key/);
    assert.match(msg, /agent-trust:agents\[0\]\.targetNamespace: unknown key/);
  });

  test("'*' in a namespace list", () => {
    const raw = shadow();
    raw["agent-trust:agents"][0].targetNamespaces = ["payments", "*"];
    assert.match(refused(raw), /agent-trust:agents\[0\]\.targetNamespaces\[1\]: .*"\*" is never allowed/);
  });

  test("system namespaces and the agents namespace cannot be targets", () => {
    const raw = shadow();
    raw["agent-trust:agents"][0].targetNamespaces = ["kube-system"];
    assert.match(refused(raw), /agent-trust:agents\[0\]\.targetNamespaces\[0\]: system namespaces/);
    raw["agent-trust:agents"][0].targetNamespaces = ["ai-agents"];
    assert.match(
      refused(raw),
      /agent-trust:agents\[0\]\.targetNamespaces: the agents namespace "ai-agents" cannot be a target/,
    );
  });

  test("agent name that is not a DNS label, or too long", () => {
    const raw = shadow();
    raw["agent-trust:agents"][0].name = "Diag_Agent";
    assert.match(refused(raw), /agent-trust:agents\[0\]\.name: agent name must be a DNS label/);
    raw["agent-trust:agents"][0].name = "a".repeat(31);
    assert.match(refused(raw), /agent-trust:agents\[0\]\.name: agent name must be at most 30 characters/);
  });

  test("duplicate agents, unknown secret domain, unknown egress class", () => {
    const dup = shadow();
    dup["agent-trust:agents"][1].name = dup["agent-trust:agents"][0].name;
    assert.match(refused(dup), /agent-trust:agents\[1\]\.name: agent "diagnostic" is defined twice/);
    const raw = shadow();
    raw["agent-trust:agents"][0].secretDomains = ["datasources", "payroll"];
    raw["agent-trust:agents"][0].egress.internet = [{ cidr: "0.0.0.0/0", ports: [{ port: 443 }] }];
    const msg = refused(raw);
    assert.match(
      msg,
      /agent-trust:agents\[0\]\.secretDomains\[1\]: "payroll" is not allowed; allowed: datasources, llm, notify, remediation/,
    );
    assert.match(msg, /agent-trust:agents\[0\]\.egress\.internet: unknown key/);
  });

  test("egress without ports, a bad CIDR, and the metadata address", () => {
    const raw = shadow();
    raw["agent-trust:agents"][0].egress["llm-api"] = [{ cidr: "0.0.0.0/0", ports: [] }];
    raw["agent-trust:agents"][0].egress.vault = [{ cidr: "10.0.0.0/33", ports: [{ port: 8200 }] }];
    raw["agent-trust:agents"][0].egress.datasources = [{ cidr: "169.254.169.254/32", ports: [{ port: 80 }] }];
    const msg = refused(raw);
    assert.match(
      msg,
      /agent-trust:agents\[0\]\.egress\.llm-api\[0\]\.ports: every egress destination must name its ports/,
    );
    assert.match(
      msg,
      /agent-trust:agents\[0\]\.egress\.vault\[0\]\.cidr: "10\.0\.0\.0\/33" is not a CIDR; allowed: an IPv4 or IPv6 network/,
    );
    assert.match(
      msg,
      /agent-trust:agents\[0\]\.egress\.datasources\[0\]\.cidr: "169\.254\.169\.254\/32" reaches IPv4 link-local .*metadata endpoints are never a destination/,
    );
  });

  test("egress CIDRs in a non-canonical spelling or reaching any metadata endpoint", () => {
    const raw = shadow();
    raw["agent-trust:agents"][0].egress["llm-api"] = [
      { cidr: "10.0.0.1/8", ports: [{ port: 443 }] },
      { cidr: "::ffff:169.254.169.254/128", ports: [{ port: 80 }] },
      { cidr: "168.63.129.16/32", ports: [{ port: 80 }] },
      { cidr: "100.100.100.200/32", ports: [{ port: 80 }] },
      { cidr: "::ffff:a9fe:a9fe/128", ports: [{ port: 80 }] },
    ];
    const msg = refused(raw);
    assert.match(msg, /egress\.llm-api\[0\]\.cidr: "10\.0\.0\.1\/8" is not in canonical form; write "10\.0\.0\.0\/8"/);
    assert.match(
      msg,
      /egress\.llm-api\[1\]\.cidr: "::ffff:169\.254\.169\.254\/128" is an IPv4-mapped IPv6 address, which the API server refuses; write the IPv4 CIDR/,
    );
    assert.match(msg, /egress\.llm-api\[2\]\.cidr: "168\.63\.129\.16\/32" reaches Azure WireServer/);
    assert.match(msg, /egress\.llm-api\[3\]\.cidr: "100\.100\.100\.200\/32" reaches Alibaba Cloud metadata/);
    assert.match(msg, /egress\.llm-api\[4\]\.cidr: "::ffff:a9fe:a9fe\/128" is an IPv4-mapped IPv6 address/);
  });

  test("missing or unknown layer, environment and ceiling", () => {
    const raw = shadow();
    delete raw["agent-trust:layer"];
    assert.match(refused(raw), /agent-trust:layer: is required; allowed: foundation, phase/);
    const f = foundation();
    f["agent-trust:environment"] = "qa";
    f["agent-trust:phaseCeiling"] = "god-mode";
    const msg = refused(f);
    assert.match(msg, /agent-trust:environment: "qa" is not allowed; allowed: dev, staging, prod/);
    assert.match(msg, /agent-trust:phaseCeiling: "god-mode" is not allowed/);
  });

  test("foundation: Vault API server address must be https and the CA a PEM certificate", () => {
    const f = foundation();
    f["agent-trust:vault"] = { ...f["agent-trust:vault"], kubernetesHost: "http://k8s:6443", kubernetesCaCert: "nope" };
    const msg = refused(f);
    assert.match(msg, /agent-trust:vault\.kubernetesHost: must be the https URL/);
    assert.match(msg, /agent-trust:vault\.kubernetesCaCert: must be a PEM CA certificate/);
  });

  test("provider config of other namespaces passes through; defaults are filled in", () => {
    const raw = { ...shadow(), "kubernetes:context": "kind-dev", "vault:address": "https://vault:8200" };
    const cfg = parseStackConfig(raw, "x");
    assert.equal(cfg.layer, "phase");
    if (cfg.layer !== "phase") return;
    assert.equal(cfg.namespace, "ai-agents");
    assert.equal(cfg.vault.tokenMaxTtlSeconds, 900);
    assert.equal(cfg.tiers.simple.maxReasoningCycles, 8);
    assert.equal(cfg.tiers.complex.maxReasoningCycles, 15);
  });
});

test("a partly configured tier keeps that tier's own defaults for the rest", () => {
  const raw = { ...shadow(), "agent-trust:tiers": { simple: { deadlineSeconds: 120 } } };
  const cfg = parseStackConfig(raw, "x");
  assert.ok(cfg.layer === "phase");
  if (cfg.layer !== "phase") return;
  assert.equal(cfg.tiers.simple.deadlineSeconds, 120);
  assert.equal(cfg.tiers.simple.cpuLimit, "500m");
  assert.equal(cfg.tiers.simple.maxReasoningCycles, 8);
  assert.equal(cfg.tiers.complex.maxReasoningCycles, 15);
  assert.equal(cfg.tiers.complex.deadlineSeconds, 900);
});

test("keyPath spells keys the way a stack file does", () => {
  assert.equal(keyPath(["agents", 0, "egress", "llm-api", 1, "cidr"]), "agent-trust:agents[0].egress.llm-api[1].cidr");
});

test("engine config is decoded back to the values the user wrote", () => {
  const decoded = decodeEngineConfig({ "a:obj": '{"x":1}', "a:n": "42", "a:s": "shadow", "a:bad": "{not json" });
  assert.deepEqual(decoded, { "a:obj": { x: 1 }, "a:n": 42, "a:s": "shadow", "a:bad": "{not json" });
});
