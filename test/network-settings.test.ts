/** The egress thresholds are settings: policy config can make them stricter, never looser, and junk is the limit. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { configSchemaOf } from "../policy/policies";
import { DEFAULT_SETTINGS, settingsFrom } from "../src/rules";
import { noAllowAllEgress, egressNoWidePrivate } from "../src/rules/network";
import { packResource, patch, pulumiResourceOf } from "./rules-harness";
import { egressPolicy } from "./rules-samples";

/** The sample policy plus the internet on `n` TCP ports, metadata carved. */
const internetOn = (n: number) =>
  patch(egressPolicy(), (o) =>
    o.spec.egress.push({ to: o.spec.egress[0].to, ports: [{ port: 10000, endPort: 10000 + n - 1 }] }),
  );

async function packSays(rule: string, doc: ReturnType<typeof egressPolicy>, config: object): Promise<string[]> {
  const { type, props } = pulumiResourceOf(doc);
  return (await packResource(rule, type, props, {}, config)).map((r) => r.message);
}

test("defaults: 16 ports to the internet pass, 17 are all ports", async () => {
  assert.deepEqual(await packSays(noAllowAllEgress.name, internetOn(15), {}), []);
  const out = await packSays(noAllowAllEgress.name, internetOn(16), {});
  assert.equal(out.length, 1);
  assert.match(out[0]!, /open \d+\.\d% of the public IPv4 space on more than 16 ports/);
});

test("config can tighten the port limit and the private prefix, never loosen them", async () => {
  assert.equal((await packSays(noAllowAllEgress.name, internetOn(4), { maxBroadEgressPorts: 2 })).length, 1);
  assert.equal((await packSays(noAllowAllEgress.name, internetOn(40), { maxBroadEgressPorts: 60000 })).length, 1);
  const wide = patch(egressPolicy(), (o) => o.spec.egress.push({ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }] }));
  assert.deepEqual(await packSays(egressNoWidePrivate.name, wide, {}), []);
  assert.equal((await packSays(egressNoWidePrivate.name, wide, { minPrivateEgressPrefixV4: 20 })).length, 1);
  assert.deepEqual(await packSays(egressNoWidePrivate.name, wide, { minPrivateEgressPrefixV4: 8 }), []);
  assert.equal(
    (
      await packSays(
        egressNoWidePrivate.name,
        patch(wide, (o) => (o.spec.egress[3].to[0].ipBlock.cidr = "10.0.0.0/15")),
        { minPrivateEgressPrefixV4: 8 },
      )
    ).length,
    1,
  );
});

test("settingsFrom clamps to the limits and turns junk into the limit", () => {
  const s = settingsFrom({
    maxPublicEgressShare: 0.5,
    maxBroadEgressPorts: Number.NaN,
    minPrivateEgressPrefixV4: 4,
    minPrivateEgressPrefixV6: "x" as unknown as number,
  });
  assert.equal(s.maxPublicEgressShare, DEFAULT_SETTINGS.maxPublicEgressShare);
  assert.equal(s.maxBroadEgressPorts, DEFAULT_SETTINGS.maxBroadEgressPorts);
  assert.equal(s.minPrivateEgressPrefixV4, DEFAULT_SETTINGS.minPrivateEgressPrefixV4);
  assert.equal(s.minPrivateEgressPrefixV6, DEFAULT_SETTINGS.minPrivateEgressPrefixV6);
  assert.equal(settingsFrom({ maxBroadEgressPorts: 3 }).maxBroadEgressPorts, 3);
});

test("the pack offers the thresholds as config with the defaults as the loosest bound", () => {
  const props = configSchemaOf(noAllowAllEgress).properties;
  assert.deepEqual(Object.keys(props).sort(), ["maxBroadEgressPorts", "maxPublicEgressShare"]);
  assert.equal((props["maxBroadEgressPorts"] as { maximum: number }).maximum, 16);
  assert.equal((props["maxPublicEgressShare"] as { maximum: number }).maximum, 0.001);
});
