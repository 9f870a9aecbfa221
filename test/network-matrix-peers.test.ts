/** The peers the network matrix uses and the plumbing around cyclonus that needs no binary. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Manifest } from "../src/plan/manifest";
import { parseQueryTraffic, policyFiles } from "../src/sandbox/cyclonus";
import { destinationCovers, destinationPeer, formatIp, ipInBlock, PodIps, sampleAddress } from "../src/sandbox/network-peers";

describe("network peers", () => {
  test("addresses format in both families", () => {
    assert.equal(formatIp(4, 0xa9fea9fen), "169.254.169.254");
    assert.equal(formatIp(6, (0xfd00n << 112n) | 1n), "fd00:0:0:0:0:0:0:1");
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
    const d = { namespaceSelector: { "agent-trust.io/remediation-target": "true" }, ports: [{ port: 8081, protocol: "TCP" as const }] };
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
    const block = (v: string) => `Traffic:\n+--+\n\nIs traffic allowed?\n+-------------+--------+\n| IS ALLOWED? | ${v} |\n+-------------+--------+\n\n`;
    assert.deepEqual(parseQueryTraffic(`query traffic:\n${block("FALSE ")}${block(" TRUE ")}`, 2), [false, true]);
    assert.throws(() => parseQueryTraffic(`query traffic:\n${block("TRUE")}`, 2), /1 verdicts for 1 reported of 2 traffics/);
  });
});
