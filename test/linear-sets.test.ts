/**
 * The linear (or logarithmic) set operations under the network rules give exactly what the plain definitions
 * give: `has` and `overlaps` by binary search, `subtract` in one pass, and the wide-port sweep of
 * `addressesOnWidePorts` against the per-piece union it replaced (every rule asked at every piece), and the
 * stack rules' selector index against the plain filter. Reference answers here never call the code under test.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { portRange, portUnion, widestCount, type PortSet } from "../src/model/portset";
import * as R from "../src/model/ranges";
import { addressesOnWidePorts, egressReach } from "../src/rules/egress-reach";
import type { Manifest } from "../src/model/manifest";
import { SelectorIndex } from "../src/rules/selector-index";
import { selects } from "../src/rules/stack";

const SPAN = 64;
const pairs = fc.array(fc.tuple(fc.integer({ min: 0, max: SPAN - 1 }), fc.integer({ min: 0, max: 8 })), {
  maxLength: 8,
});
/** The members of the ranges, read off the raw pairs (not through `R`). */
const membersOf = (ps: readonly (readonly [number, number])[]) => {
  const m = new Set<number>();
  for (const [lo, len] of ps) for (let i = lo; i <= Math.min(lo + len, SPAN - 1); i++) m.add(i);
  return m;
};
const setOf = (ps: readonly (readonly [number, number])[]) =>
  R.normalize(ps.map(([lo, len]) => ({ lo: BigInt(lo), hi: BigInt(Math.min(lo + len, SPAN - 1)) })));

test("has, overlaps and subtract agree with plain membership", () => {
  fc.assert(
    fc.property(pairs, pairs, (pa, pb) => {
      const [a, b, ma, mb] = [setOf(pa), setOf(pb), membersOf(pa), membersOf(pb)];
      for (let i = 0; i < SPAN; i++) assert.equal(R.has(a, BigInt(i)), ma.has(i), `has ${i}`);
      assert.equal(
        R.overlaps(a, b),
        [...ma].some((i) => mb.has(i)),
      );
      const diff = R.subtract(a, b);
      const inDiff = new Set<number>();
      for (const r of diff) for (let i = Number(r.lo); i <= Number(r.hi); i++) inDiff.add(i);
      assert.deepEqual(
        [...inDiff].sort((x, y) => x - y),
        [...ma].filter((i) => !mb.has(i)).sort((x, y) => x - y),
      );
      assert.ok(
        diff.every((r, i) => r.lo <= r.hi && (i === 0 || diff[i - 1]!.hi + 1n < r.lo)),
        "normal form",
      );
    }),
    { numRuns: 500 },
  );
});

/** The wide-port addresses as they were computed before the sweep: each piece asks every rule. */
function widePerPiece(rules: readonly { set: R.Ranges; ports: PortSet }[], maxPorts: number): R.Ranges {
  const out: R.Range[] = [];
  for (const piece of R.pieces(rules.map((r) => r.set))) {
    const ports = portUnion(
      ...rules.filter((r) => r.set.some((x) => x.lo <= piece.lo && piece.lo <= x.hi)).map((r) => r.ports),
    );
    if (widestCount(ports) > maxPorts) out.push(piece);
  }
  return R.normalize(out);
}

const ipOf = (n: number) => `10.0.0.${n}`;

test("the wide-port sweep finds exactly the addresses the per-piece union finds", () => {
  const rule = fc.record({
    addrs: fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom(30, 31, 32)), {
      minLength: 1,
      maxLength: 3,
    }),
    ports: fc.array(
      fc.tuple(
        fc.constantFrom("TCP", "UDP", "SCTP" as const),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 12 }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  });
  fc.assert(
    fc.property(fc.array(rule, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 24 }), (rules, maxPorts) => {
      const egress = rules.map((r) => ({
        to: r.addrs.map(([a, p]) => ({ ipBlock: { cidr: `${ipOf(a)}/${p}` } })),
        ports: r.ports.map(([protocol, port, extra]) => ({ protocol, port, endPort: port + extra })),
      }));
      const policy = {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "p" },
        spec: { egress },
      } as unknown as Manifest;
      const reach = egressReach(policy);
      const reference = widePerPiece(
        rules.map((r) => ({
          set: R.union(
            ...r.addrs.map(([a, p]) => {
              const lo = BigInt(0x0a000000 + a) & ~((1n << BigInt(32 - p)) - 1n);
              return R.range(lo, lo + (1n << BigInt(32 - p)) - 1n);
            }),
          ),
          ports: portUnion(...r.ports.map(([protocol, port, extra]) => portRange(protocol, port, port + extra))),
        })),
        maxPorts,
      );
      assert.deepEqual(addressesOnWidePorts(reach, maxPorts).v4, reference);
    }),
    { numRuns: 300 },
  );
});

test("the selector index selects exactly what the plain filter selects, in the same order", () => {
  const value = fc.constantFrom("a", "b", "c", 1, null);
  const labelMap = fc.dictionary(fc.constantFrom("x", "y", "z"), value, { maxKeys: 3 });
  const selector = fc.oneof(
    fc.record({ matchLabels: labelMap }),
    fc.record({ matchLabels: labelMap, matchExpressions: fc.constant([{ key: "x", operator: "Exists" }]) }),
    fc.record({ matchExpressions: fc.constant([{ key: "y", operator: "In", values: ["a", "b"] }]) }),
    fc.constantFrom({}, null, "x", { matchLabels: "x" }),
  );
  fc.assert(
    fc.property(
      fc.array(selector, { maxLength: 12 }),
      fc.array(labelMap, { minLength: 1, maxLength: 6 }),
      (selectors, pods) => {
        const index = new SelectorIndex(selectors, (s) => s);
        for (const labels of pods) {
          assert.deepEqual(
            index.selecting(labels, (s) => selects(s, labels)),
            selectors.filter((s) => selects(s, labels)),
          );
        }
      },
    ),
    { numRuns: 500 },
  );
});
