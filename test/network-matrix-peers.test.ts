/** The peers the network matrix uses and the plumbing around cyclonus that needs no binary. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Manifest } from "../src/model/manifest";
import { parseQueryTraffic, policyFiles } from "../src/sandbox/verify/cyclonus";
import { loadEnvironment } from "../src/sandbox/deploy/environment";
import {
  destinationCovers,
  destinationPeer,
  formatIp,
  ipInBlock,
  PodIps,
  portKey,
  sampleAddress,
} from "../src/sandbox/verify/network-peers";
import { policyProbes } from "../src/sandbox/verify/network-probes";
import { renderedWorld } from "../src/sandbox/verify/verify-network";

describe("network peers", () => {
  test("addresses format in both families", () => {
    assert.equal(formatIp(4, 0xa9fea9fen), "169.254.169.254");
    assert.equal(formatIp(6, (0xfd00n << 112n) | 1n), "fd00::1");
  });

  test("ipBlock membership honours the except list", () => {
    assert.equal(ipInBlock("169.254.169.254", "0.0.0.0/0"), true);
    assert.equal(ipInBlock("169.254.169.254", "0.0.0.0/0", ["169.254.0.0/16"]), false);
    assert.equal(ipInBlock("fd00:ec2::254", "0.0.0.0/0"), false);
  });

  test("a sample address lies inside the range, outside its carve-outs and outside what it must avoid", () => {
    assert.equal(sampleAddress("0.0.0.0/0"), "128.0.0.1");
    assert.equal(sampleAddress("10.96.0.1/32"), "10.96.0.1");
    assert.equal(sampleAddress("10.96.0.1/32", ["10.96.0.0/16"]), undefined);
    // A range that holds private ranges samples outside them.
    const s = sampleAddress("0.0.0.0/1")!;
    assert.ok(ipInBlock(s, "0.0.0.0/1", ["10.0.0.0/8"]));
  });

  test("pod IPs are distinct per pod, stable per pod, and private", () => {
    const ips = new PodIps();
    const a = ips.ip("a");
    const seen = new Set([a, ...Array.from({ length: 600 }, (_, i) => ips.ip(`p${i}`))]);
    assert.equal(seen.size, 601);
    assert.equal(ips.ip("a"), a);
    assert.ok([...seen].every((ip) => ipInBlock(ip, "10.244.0.0/16")));
  });

  test("a selector destination becomes a pod its own selector covers, and nothing else does", () => {
    const ips = new PodIps();
    const d = {
      namespaceSelector: { "agent-trust.io/remediation-target": "true" },
      ports: [{ port: 8081, protocol: "TCP" as const }],
    };
    const peer = destinationPeer(ips, d, "fallback-ns")!;
    assert.equal(peer.Internal?.Namespace, "fallback-ns");
    assert.equal(peer.Internal?.NamespaceLabels["kubernetes.io/metadata.name"], "fallback-ns");
    assert.equal(destinationCovers(d, peer, 8081, "TCP"), true);
    assert.equal(destinationCovers(d, peer, 8081, "UDP"), false);
    assert.equal(destinationCovers(d, { IP: peer.IP }, 8081, "TCP"), false);
  });
});

describe("cyclonus plumbing", () => {
  const np = (name: string, namespace?: string): Manifest => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, ...(namespace ? { namespace } : {}), annotations: { dropped: "yes" }, labels: { kept: "yes" } },
    spec: { podSelector: {}, policyTypes: ["Egress"] },
  });

  test("one document per file, keeping the spec, name, namespace and labels only", () => {
    const files = policyFiles([np("a", "x"), np("a", "y")]);
    assert.equal(files.length, 2);
    const doc = JSON.parse(files[0]!.content) as Manifest;
    assert.deepEqual(doc.metadata, { name: "a", namespace: "x", labels: { kept: "yes" } });
    assert.deepEqual(doc["spec"], { podSelector: {}, policyTypes: ["Egress"] });
  });

  test("bad inputs are refused by name", () => {
    assert.throws(() => policyFiles([np("a", "x"), np("a", "x")]), /NetworkPolicy x\/a given twice/);
    assert.throws(() => policyFiles([np("a")]), /NetworkPolicy a has no namespace/);
    assert.throws(() => policyFiles([np("../../etc/x", "y")]), /"y\/..\/..\/etc\/x" is not a Kubernetes name/);
    assert.throws(() => policyFiles([{ ...np("a", "x"), kind: "Role" }]), /not a NetworkPolicy: Role a/);
  });

  test("the report must carry exactly one verdict per traffic", () => {
    const block = (v: string) =>
      `Traffic:\n+--+\n\nIs traffic allowed?\n+-------------+--------+\n| IS ALLOWED? | ${v} |\n+-------------+--------+\n\n`;
    assert.deepEqual(parseQueryTraffic(`query traffic:\n${block("FALSE ")}${block(" TRUE ")}`, 2), [false, true]);
    assert.throws(
      () => parseQueryTraffic(`query traffic:\n${block("TRUE")}`, 2),
      /1 verdicts for 1 reported of 2 traffics/,
    );
  });
});

describe("policy probes: what the judged policies name is asked about too", () => {
  const world = renderedWorld(loadEnvironment("dev"));

  test("the rendered dev policies name these ports and one peer per `to` entry", () => {
    const probes = policyProbes(world.policies);
    assert.deepEqual(probes.egressPorts.map(portKey).sort(), [
      "TCP/3100",
      "TCP/443",
      "TCP/53",
      "TCP/8080",
      "TCP/8081",
      "TCP/8200",
      // The approval proxy, reached by remediation and autonomous agents (issue 20).
      "TCP/8443",
      "TCP/9090",
      "UDP/53",
    ]);
    const peers = world.policies.flatMap((p) =>
      ((p["spec"] as { egress?: { to?: unknown[] }[] }).egress ?? []).flatMap((r) => r.to ?? []),
    );
    assert.equal(probes.egressPeers.length, peers.length);
    // The only ingress peer: agent pods, into the approval proxy's pods (its own policy).
    assert.equal(probes.ingressPeers.length, 1);
  });

  test("a hostile rule's odd port, address and selector expressions become probes", () => {
    const hostile: Manifest = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "wide", namespace: "ai-agents" },
      spec: {
        podSelector: {},
        egress: [
          {
            to: [
              { ipBlock: { cidr: "169.254.0.0/16" } },
              { namespaceSelector: { matchExpressions: [{ key: "team", operator: "In", values: ["x", "y"] }] } },
            ],
            ports: [{ port: 2222, endPort: 2230 }, { port: "http" }],
          },
        ],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: "db" } } }], ports: [{ port: 5432 }] }],
      },
    };
    const probes = policyProbes([hostile]);
    assert.deepEqual(probes.egressPorts.map(portKey), ["TCP/2222", "TCP/2230"]);
    assert.equal(probes.egressPeers.length, 2);
    const [ip, pod] = probes.egressPeers;
    assert.ok(ip && "ip" in ip && ipInBlock(ip.ip, "169.254.0.0/16"));
    assert.ok(pod && "namespace" in pod && pod.namespaceLabels["team"] === "x");
    assert.deepEqual(probes.ingressPorts.map(portKey), ["TCP/5432"]);
    assert.equal(probes.ingressPeers.length, 1);
  });
});
