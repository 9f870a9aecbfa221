/**
 * The rules memoise readings by content (`contentKey`): a key may only be given where the JSON text stands for
 * exactly the value, or two different values would share one verdict.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { judge, settingsFrom, contextFor } from "../src/rules";
import { contentKey } from "../src/rules/content-key";
import { noAllowAllEgress, egressExcludesMetadata } from "../src/rules/network";
import type { Manifest } from "../src/model/manifest";

test("plain JSON data gets its JSON text as key", () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
      const key = contentKey(v);
      // fast-check's jsonValue may hold -0, which JSON spells 0: that one value must get no key.
      if (JSON.stringify(v, (_k, x: unknown) => (Object.is(x, -0) ? "-0" : x)) !== JSON.stringify(v))
        return key === undefined;
      return key === JSON.stringify(v);
    }),
    { numRuns: 500 },
  );
});

test("values JSON would blur get no key", () => {
  class Box {
    readonly v = 1;
  }
  const sparse: unknown[] = [];
  sparse[2] = 1;
  const blurred: unknown[] = [
    undefined,
    NaN,
    Infinity,
    -Infinity,
    -0,
    1n,
    () => 1,
    Symbol("s"),
    new Box(),
    new Date(0),
    sparse,
    { a: undefined },
    [undefined],
    { a: NaN },
    [{ b: [1, Infinity] }],
    { a: "x".repeat(20_000) },
    { b: [{ c: -0 }] },
  ];
  assert.equal(blurred.length, 17);
  assert.deepEqual(
    blurred.map((v) => contentKey(v)),
    blurred.map(() => undefined),
  );
  // Rules read string keys only: a symbol-keyed property changes no verdict, so it is not part of the key.
  assert.equal(contentKey({ a: 1, [Symbol("k")]: 2 }), '{"a":1}');
});

const policy = (egress: unknown): Manifest =>
  ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "p", namespace: "ai-agents" },
    spec: { egress },
  }) as Manifest;

test("egress lists that JSON would spell alike are judged apart", () => {
  const ctx = contextFor(policy([]), {}, settingsFrom({}));
  const run = (egress: unknown) =>
    [noAllowAllEgress, egressExcludesMetadata].flatMap((r) => judge(r, policy(egress), ctx));
  const peer = [{ ipBlock: { cidr: "10.0.0.0/24" } }];
  // null: no port named, every TCP port; NaN: not a port at all, reported.
  const withNull = run([{ to: peer, ports: [{ port: null }] }]);
  const withNaN = run([{ to: peer, ports: [{ port: NaN }] }]);
  const nanAgain = run([{ to: peer, ports: [{ port: NaN }] }]);
  assert.deepEqual(withNull, []);
  assert.equal(withNaN.length, 1);
  assert.match(withNaN[0]!, /port is NaN/);
  assert.deepEqual(nanAgain, withNaN);
  // The same list judged again, from a fresh object, gives the same verdict (the memo hit).
  const open = [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }];
  assert.ok(run(open).length > 0);
  assert.deepEqual(run(structuredClone(open)), run(open));
});
