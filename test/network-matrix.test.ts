/**
 * The network half of the matrix, derived from the catalog and the dev stack config: which connections each
 * phase's agent pods are asked about, and what the catalog says. No engine here (cyclonus runs in the
 * integration tests); this proves the cases follow the config, so a widened config moves the expectation and a
 * widened policy cannot hide behind a fixed list.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { AgentConfig } from "../src/config/schema";
import { PHASES, type Phase } from "../src/model/phases";
import { loadEnvironment, type SandboxEnvironment } from "../src/sandbox/deploy/environment";
import {
  expectedEgress,
  networkMatrix,
  type NetworkCheck,
  type NetworkMatrixInput,
} from "../src/sandbox/verify/expect-network";
import { policyProbes } from "../src/sandbox/verify/network-probes";
import { renderedWorld, sourcePods } from "../src/sandbox/verify/verify-network";

const env = loadEnvironment("dev");
const world = renderedWorld(env);

function inputFor(e: SandboxEnvironment, agents = e.agents): NetworkMatrixInput {
  return {
    environment: e.environment,
    namespace: e.namespace,
    namespaceLabels: world.namespaceLabels,
    agents,
    sources: sourcePods(world.podTemplates),
  };
}
const matrix = networkMatrix(inputFor(env));
const cells = (phase: Phase, agent: string, tier = "simple") =>
  matrix.filter((c) => c.phase === phase && c.agent === agent && c.tier === tier);
const allowed = (cs: NetworkCheck[]) =>
  cs
    .filter((c) => c.expected === "allow")
    .map((c) => `${c.scope} ${c.verb} ${c.object}`)
    .sort();

describe("network matrix: sources", () => {
  test("every published PodTemplate is a source pod, with the labels its Job pod gets", () => {
    const sources = sourcePods(world.podTemplates);
    assert.equal(sources.length, 16); // 2 agents × 4 phases × 2 tiers
    for (const s of sources) {
      assert.equal(s.labels["agent-trust.io/agent"], s.agent);
      assert.equal(s.labels["agent-trust.io/phase"], s.phase);
      assert.equal(s.labels["agent-trust.io/investigation"], "netcheck");
    }
    // default deny + DNS, the approval proxy's own policy, one egress policy per agent and phase
    assert.equal(world.policies.length, 2 + 1 + 8);
  });

  test("an agent without a published template is refused, by name", () => {
    const input = {
      ...inputFor(env),
      sources: sourcePods(world.podTemplates).filter((s) => !(s.agent === "capacity" && s.phase === "assist")),
    };
    assert.throws(() => networkMatrix(input), /no published PodTemplate for agent "capacity" in phase assist/);
  });
});

describe("network matrix: what is allowed comes from the catalog and the config", () => {
  test("shadow diagnostic: DNS, Vault, the LLM API and its datasources on their ports, nothing else", () => {
    assert.deepEqual(allowed(cells("shadow", "diagnostic")), [
      "egress another agent's TCP/443 capacity's llm-api 203.0.113.0/24 → 203.0.113.129",
      "egress datasources TCP/3100 ns monitoring",
      "egress datasources TCP/443 10.96.0.1/32 → 10.96.0.1",
      "egress datasources TCP/9090 ns monitoring",
      "egress dns TCP/53 pod kube-system/k8s-app=kube-dns",
      "egress dns UDP/53 pod kube-system/k8s-app=kube-dns",
      "egress llm-api TCP/443 0.0.0.0/0 → 128.0.0.1",
      "egress vault TCP/8200 ns vault pods{app.kubernetes.io/name=vault}",
    ]);
  });

  test("each phase opens exactly its classes: notify from assist, remediation targets from remediation", () => {
    const count = (p: Phase, scope: string) =>
      cells(p, "diagnostic").filter((c) => c.scope === scope && c.expected === "allow").length;
    assert.deepEqual(
      PHASES.map((p) => count(p, "egress notify")),
      [0, 1, 1, 1],
    );
    assert.deepEqual(
      PHASES.map((p) => count(p, "egress remediation-targets")),
      [0, 0, 1, 1],
    );
    // The destinations are still asked about where the class is closed: a shadow agent must not reach notify.
    // 8080/TCP, five other TCP ports and 8080/UDP.
    assert.equal(cells("shadow", "diagnostic").filter((c) => c.scope === "egress notify").length, 1 + 5 + 1);
    assert.deepEqual(
      PHASES.map((p) => allowed(cells(p, "diagnostic")).length),
      [8, 9, 10, 10],
    );
    assert.deepEqual(
      PHASES.map((p) => allowed(cells(p, "capacity")).length),
      [6, 6, 6, 6],
    );
  });

  test("another agent's destinations follow the asking agent's own config", () => {
    // capacity's vault is namespace-wide, so diagnostic's narrower Vault pod is inside it; the reverse is not.
    const cap = cells("shadow", "capacity").filter((c) => c.scope === "egress another agent's");
    assert.equal(cap.filter((c) => c.expected === "allow").length, 1);
    assert.match(cap.find((c) => c.expected === "allow")!.object, /diagnostic's vault/);
    assert.ok(cap.some((c) => /diagnostic's llm-api 0\.0\.0\.0\/0/.test(c.object) && c.expected === "deny"));
  });
});

describe("network matrix: everything else the catalog implies is denied", () => {
  const scopes = [
    "egress metadata",
    "egress private range",
    "egress ipv6",
    "egress other ns",
    "egress agents ns",
    "ingress",
  ];
  test("metadata, private ranges, IPv6, other namespaces, the agents namespace and all ingress: every cell deny", () => {
    for (const phase of PHASES)
      for (const agent of ["diagnostic", "capacity"])
        for (const scope of scopes) {
          const cs = cells(phase, agent).filter((c) => c.scope === scope);
          assert.ok(cs.length >= 5, `${phase} ${agent} ${scope}: only ${cs.length} cells`);
          assert.ok(
            cs.every((c) => c.expected === "deny"),
            `${phase} ${agent} ${scope}`,
          );
        }
  });

  test("the metadata endpoints are asked on every port the agent uses, in both families", () => {
    const meta = cells("assist", "diagnostic").filter((c) => c.scope === "egress metadata");
    assert.equal(meta.length, 2 * 8); // 2 addresses × (3100, 443, 80, 8080, 8081, 8200, 9090 TCP; 53 UDP)
    assert.deepEqual([...new Set(meta.map((c) => c.traffic.Destination.IP))].sort(), [
      "169.254.169.254",
      "fd00:ec2::254",
    ]);
  });

  test("private samples avoid the agent's explicit targets but not its broad ranges", () => {
    const priv = cells("shadow", "diagnostic").filter((c) => c.scope === "egress private range");
    const ips = [...new Set(priv.map((c) => c.traffic.Destination.IP))].sort();
    assert.deepEqual(ips, ["10.128.0.1", "172.24.0.1", "192.168.128.1", "fd00::1"]);
  });

  test("every ingress cell targets the agent's own pod", () => {
    const ing = cells("remediation", "diagnostic").filter((c) => c.scope === "ingress");
    assert.equal(ing.length, 3 * 10);
    assert.ok(ing.every((c) => c.traffic.Destination.Internal?.PodLabels["agent-trust.io/agent"] === "diagnostic"));
  });
});

describe("network matrix: cases move with the config", () => {
  const widen = (a: AgentConfig): AgentConfig =>
    a.name !== "diagnostic"
      ? a
      : {
          ...a,
          egress: {
            ...a.egress,
            "llm-api": [
              {
                cidr: "0.0.0.0/0",
                ports: [
                  { port: 443, protocol: "TCP" },
                  { port: 8443, protocol: "TCP" },
                ],
              },
            ],
          },
        };
  const agents = Object.fromEntries(
    PHASES.map((p) => [p, env.agents[p].map(widen)]),
  ) as unknown as SandboxEnvironment["agents"];
  const wider = networkMatrix(inputFor(env, agents));
  const at = (m: NetworkCheck[], phase: Phase) =>
    m.filter((c) => c.phase === phase && c.agent === "diagnostic" && c.tier === "simple");

  test("a port added to a destination becomes an allowed cell, and a new port everything else is denied on", () => {
    assert.equal(allowed(at(wider, "shadow")).length, allowed(at(matrix, "shadow")).length + 1);
    assert.ok(allowed(at(wider, "shadow")).includes("egress llm-api TCP/8443 0.0.0.0/0 → 128.0.0.1"));
    const meta8443 = at(wider, "shadow").filter((c) => c.scope === "egress metadata" && c.verb === "TCP/8443");
    assert.equal(meta8443.length, 2);
    assert.ok(meta8443.every((c) => c.expected === "deny"));
    assert.ok(at(wider, "shadow").length > at(matrix, "shadow").length);
  });

  test("the expectation reads the carve-outs: a broad range never opens metadata or private addresses", () => {
    const diag = env.agents.shadow.find((a) => a.name === "diagnostic")!;
    assert.equal(expectedEgress(env.namespace, "shadow", diag, { IP: "128.0.0.1" }, 443, "TCP"), "allow");
    assert.equal(expectedEgress(env.namespace, "shadow", diag, { IP: "169.254.169.254" }, 443, "TCP"), "deny");
    assert.equal(expectedEgress(env.namespace, "shadow", diag, { IP: "10.128.0.1" }, 443, "TCP"), "deny");
    assert.equal(expectedEgress(env.namespace, "shadow", diag, { IP: "10.96.0.1" }, 443, "TCP"), "allow");
    assert.equal(expectedEgress(env.namespace, "shadow", diag, { IP: "128.0.0.1" }, 443, "UDP"), "deny");
  });

  test("the approval proxy's pods answer on TCP/8443 only, only for phases that approve something, only when it runs", () => {
    const proxy = {
      IP: "10.0.0.9",
      Internal: {
        Namespace: env.namespace,
        NamespaceLabels: { "kubernetes.io/metadata.name": env.namespace },
        PodLabels: { "app.kubernetes.io/name": "agent-trust-approval-proxy" },
      },
    };
    const lookalike = {
      IP: "10.0.0.9",
      Internal: { ...proxy.Internal, PodLabels: { "app.kubernetes.io/name": "other" } },
    };
    const rem = env.agents.remediation.find((a) => a.name === "diagnostic")!;
    const shadow = env.agents.shadow.find((a) => a.name === "diagnostic")!;
    assert.equal(expectedEgress(env.namespace, "remediation", rem, proxy, 8443, "TCP", true), "allow");
    assert.equal(expectedEgress(env.namespace, "remediation", rem, proxy, 8443, "TCP", false), "deny");
    assert.equal(expectedEgress(env.namespace, "remediation", rem, proxy, 8443, "UDP", true), "deny");
    assert.equal(expectedEgress(env.namespace, "remediation", rem, proxy, 443, "TCP", true), "deny");
    assert.equal(expectedEgress(env.namespace, "remediation", rem, lookalike, 8443, "TCP", true), "deny");
    assert.equal(expectedEgress(env.namespace, "shadow", shadow, proxy, 8443, "TCP", true), "deny");
  });
});

describe("network matrix: the judged policies add questions, never answers", () => {
  test("a port and a peer only a policy names are asked everywhere, and expected from the config", () => {
    const wide = structuredClone(world.policies.find((p) => p.metadata.name === "diagnostic-shadow-egress")!);
    (wide["spec"] as { egress: unknown[] }).egress.push({
      to: [{ namespaceSelector: { matchLabels: { team: "x" } } }],
      ports: [{ port: 2222 }],
    });
    const probed = networkMatrix({ ...inputFor(env), probes: policyProbes([wide]) });
    const shadow = probed.filter((c) => c.phase === "shadow" && c.agent === "diagnostic" && c.tier === "simple");
    assert.equal(shadow.filter((c) => c.scope === "egress metadata" && c.verb === "TCP/2222").length, 2);
    const team = shadow.filter(
      (c) => c.scope === "egress policy peer" && c.traffic.Destination.Internal?.NamespaceLabels["team"] === "x",
    );
    assert.ok(team.length >= 8, `${team.length} cells for the team=x peer`);
    assert.ok(team.every((c) => c.expected === "deny"));
    // Only new questions: every case of the plain matrix is still there with the same expectation.
    const key = (c: NetworkCheck) => [c.phase, c.agent, c.tier, c.scope, c.verb, c.object].join("|");
    const byKey = new Map(probed.map((c) => [key(c), c.expected]));
    assert.ok(matrix.every((c) => byKey.get(key(c)) === c.expected));
    assert.ok(probed.length > matrix.length);
  });
});
