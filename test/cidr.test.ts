import assert from "node:assert/strict";
import { test } from "node:test";
import { cidrContains, parseCidr, requiredExcepts } from "../src/model/cidr";

test("parses IPv4 and IPv6 CIDRs and rejects junk", () => {
  assert.equal(parseCidr("10.0.0.0/8")?.prefix, 8);
  assert.equal(parseCidr("fd00:ec2::/32")?.family, 6);
  // Config CIDRs are canonical: host bits, leading zeros and v4-mapped spellings are refused there.
  for (const bad of [
    "10.0.0.0",
    "10.0.0.256/8",
    "10.0.0.0/33",
    "::/129",
    "1:2:3/8",
    "a/b/c",
    "10.0.0.1/8",
    "010.0.0.0/8",
    "::ffff:169.254.169.254/128",
    "FD00:EC2::/32",
  ]) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test("containment", () => {
  assert.ok(cidrContains(parseCidr("0.0.0.0/0")!, parseCidr("169.254.169.254/32")!));
  assert.ok(!cidrContains(parseCidr("10.0.0.0/16")!, parseCidr("10.1.0.0/16")!));
  assert.ok(!cidrContains(parseCidr("10.0.0.0/8")!, parseCidr("::/0")!));
});

test("a broad CIDR gets private and metadata ranges carved out", () => {
  assert.deepEqual(requiredExcepts("0.0.0.0/0"), [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "168.63.129.16/32",
    "100.100.100.200/32",
    "192.0.0.192/32",
  ]);
  assert.deepEqual(requiredExcepts("::/0"), [
    "fc00::/7",
    "fd00:ec2::/32",
    "fd20:ce::254/128",
    "fe80::/10",
    "64:ff9b::/96",
  ]);
  assert.deepEqual(requiredExcepts("128.0.0.0/2"), ["172.16.0.0/12", "169.254.0.0/16", "168.63.129.16/32"]);
});

test("a narrow or deliberately private CIDR needs no carve-out", () => {
  assert.deepEqual(requiredExcepts("203.0.113.0/24"), []);
  assert.deepEqual(requiredExcepts("10.96.0.1/32"), []);
  assert.deepEqual(requiredExcepts("10.0.0.0/8"), []);
});
