/** Property-based tests of the address and port set algebra under the network rules (fast-check). */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { addrEquals, addrSubtract, cidrSet, metadataHits, publicShareMillionths, reach } from "../src/model/addrset";
import { formatIpv4, formatIpv6, parseIpCidr, parseIpv6 } from "../src/model/ip";
import { ALL_PORTS, portRange, portUnion, widestCount } from "../src/model/portset";
import * as R from "../src/model/ranges";
import { addressesOnWidePorts, egressReach } from "../src/rules/egress-reach";

const SPAN = 64;
/** A random set over 0..SPAN-1 as ranges, with its members as a plain Set for reference. */
const smallSet = fc
  .array(fc.tuple(fc.integer({ min: 0, max: SPAN - 1 }), fc.integer({ min: 0, max: 8 })), { maxLength: 6 })
  .map((pairs) =>
    R.normalize(pairs.map(([lo, len]) => ({ lo: BigInt(lo), hi: BigInt(Math.min(lo + len, SPAN - 1)) }))),
  );
const members = (s: R.Ranges) => new Set([...Array(SPAN).keys()].filter((i) => R.has(s, BigInt(i))));
const isNormal = (s: R.Ranges) => s.every((r, i) => r.lo <= r.hi && (i === 0 || s[i - 1]!.hi + 1n < r.lo));

test("union, intersect and subtract agree with set membership and stay in normal form", () => {
  fc.assert(
    fc.property(smallSet, smallSet, (a, b) => {
      const [ma, mb] = [members(a), members(b)];
      for (const [got, want] of [
        [R.union(a, b), (i: number) => ma.has(i) || mb.has(i)],
        [R.intersect(a, b), (i: number) => ma.has(i) && mb.has(i)],
        [R.subtract(a, b), (i: number) => ma.has(i) && !mb.has(i)],
      ] as const) {
        assert.ok(isNormal(got));
        for (let i = 0; i < SPAN; i++) assert.equal(R.has(got, BigInt(i)), want(i), `point ${i}`);
      }
      assert.equal(R.size(a), BigInt(ma.size));
      assert.equal(R.size(R.union(a, b)) + R.size(R.intersect(a, b)), R.size(a) + R.size(b));
    }),
  );
});

test("pieces cut the line so each piece is wholly inside or outside every set", () => {
  fc.assert(
    fc.property(fc.array(smallSet, { maxLength: 4 }), (sets) => {
      const pieces = R.pieces(sets);
      for (const p of pieces) for (const s of sets) assert.ok(R.covers(s, [p]) || !R.overlaps(s, [p]));
      assert.ok(R.covers(pieces, R.union(...sets)));
    }),
  );
});

const v4 = fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(BigInt);
const prefix4 = fc.integer({ min: 0, max: 32 });

test("an IPv4 CIDR holds exactly the addresses sharing its first prefix bits, host bits ignored", () => {
  fc.assert(
    fc.property(v4, prefix4, v4, (addr, p, probe) => {
      const set = cidrSet(`${formatIpv4(addr)}/${p}`)!;
      const host = BigInt(32 - p);
      assert.equal(R.has(set.v4, probe), probe >> host === addr >> host);
      assert.equal(R.size(set.v4), 1n << host);
    }),
  );
});

test("every spelling of one IPv4 network reaches the same addresses", () => {
  fc.assert(
    fc.property(v4, fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 3 }), (addr, p, zeros) => {
      const plain = reach(cidrSet(`${formatIpv4(addr)}/${p}`)!);
      const padded = formatIpv4(addr)
        .split(".")
        .map((o) => "0".repeat(zeros) + o)
        .join(".");
      const hex = formatIpv6((0xffffn << 32n) | addr);
      for (const text of [
        `${padded}/${"0".repeat(zeros)}${p}`,
        `::ffff:${formatIpv4(addr)}/${p + 96}`,
        `${hex}/${p + 96}`,
        `64:ff9b::${formatIpv4(addr)}/${p + 96}`,
      ]) {
        assert.ok(R.covers(reach(cidrSet(text)!).v4, plain.v4), text);
      }
    }),
  );
});

test("IPv6 text round-trips through the canonical form", () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }), (addr, p) => {
      assert.equal(parseIpv6(formatIpv6(addr)), addr);
      assert.equal(parseIpv6(formatIpv6(addr).toUpperCase()), addr);
      const c = parseIpCidr(`${formatIpv6(addr)}/${p}`)!;
      assert.equal(c.base >> BigInt(128 - p), addr >> BigInt(128 - p));
    }),
  );
});

test("subtracting an except that holds a metadata endpoint leaves none of it reachable", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 16 }), (p) => {
      const broad = cidrSet(`169.254.0.0/${p}`)!;
      assert.ok(metadataHits(broad).length > 0);
      const carved = addrSubtract(broad, cidrSet("169.254.0.0/16")!);
      assert.ok(metadataHits(carved).every((h) => h.endpoint.cidr !== "169.254.0.0/16"));
      assert.ok(addrEquals(addrSubtract(carved, carved), { v4: [], v6: [] }));
    }),
  );
});

test("splitting a range into halves never changes its public share", () => {
  fc.assert(
    fc.property(v4, fc.integer({ min: 1, max: 24 }), (addr, p) => {
      const whole = `${formatIpv4(addr)}/${p - 1}`;
      const base = parseIpCidr(whole)!.base;
      const lo = cidrSet(`${formatIpv4(base)}/${p}`)!;
      const hi = cidrSet(`${formatIpv4(base + (1n << BigInt(32 - p)))}/${p}`)!;
      const union = { v4: R.union(lo.v4, hi.v4), v6: [] };
      assert.equal(publicShareMillionths(union, 4), publicShareMillionths(cidrSet(whole)!, 4));
    }),
  );
});

test("port sets: ranges union like intervals and the widest protocol is counted", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), (a, b) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      const s = portUnion(portRange("TCP", lo, hi), portRange("UDP", lo, lo));
      assert.equal(widestCount(s), hi - lo + 1);
      assert.equal(widestCount(portUnion(portRange("TCP", 1, lo), portRange("TCP", lo, 65535))), 65535);
      assert.equal(widestCount(portUnion(s, ALL_PORTS)), 65535);
    }),
  );
});

test("a grant split across rules (by ports or by address halves) is judged as the merged grant", () => {
  const policy = (egress: object[]) =>
    egressReach({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "p" },
      spec: { egress },
    });
  fc.assert(
    fc.property(
      v4,
      fc.integer({ min: 1, max: 31 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 39 }),
      (addr, p, nPorts, cut) => {
        const base = parseIpCidr(`${formatIpv4(addr)}/${p - 1}`)!.base;
        const half = 1n << BigInt(32 - p);
        const whole = `${formatIpv4(base)}/${p - 1}`;
        const [lo, hi] = [`${formatIpv4(base)}/${p}`, `${formatIpv4(base + half)}/${p}`];
        const split = Math.min(cut, nPorts - 1);
        const merged = addressesOnWidePorts(
          policy([{ to: [{ ipBlock: { cidr: whole } }], ports: [{ port: 1000, endPort: 1000 + nPorts - 1 }] }]),
          16,
        );
        const byPorts = addressesOnWidePorts(
          policy([
            { to: [{ ipBlock: { cidr: whole } }], ports: [{ port: 1000, endPort: 1000 + split }] },
            ...(split + 1 < nPorts
              ? [{ to: [{ ipBlock: { cidr: whole } }], ports: [{ port: 1001 + split, endPort: 1000 + nPorts - 1 }] }]
              : []),
          ]),
          16,
        );
        const byHalves = addressesOnWidePorts(
          policy([
            {
              to: [{ ipBlock: { cidr: lo } }, { ipBlock: { cidr: hi } }],
              ports: [{ port: 1000, endPort: 1000 + nPorts - 1 }],
            },
          ]),
          16,
        );
        assert.ok(addrEquals(byPorts, merged));
        assert.ok(addrEquals(byHalves, merged));
        assert.equal(addrEquals(merged, { v4: [], v6: [] }), nPorts <= 16);
      },
    ),
  );
});
