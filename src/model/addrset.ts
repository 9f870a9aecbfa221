/**
 * Address sets: what a NetworkPolicy's egress can reach, as IPv4 and IPv6 range sets. An IPv4-mapped IPv6 CIDR
 * (`::ffff:169.254.169.254/128`, any prefix of at least 96 inside ::ffff:0:0/96) is normalised to the IPv4 CIDR it
 * spells. A wider IPv6 CIDR such as ::/0 does not reach IPv4 through the mapped range: IPv4 packets are matched
 * against IPv4 ipBlocks only. It does reach IPv4 through NAT64, so every question asked of a set (`reach`) also
 * projects the well-known NAT64 prefix 64:ff9b::/96 (RFC 6052) onto IPv4. Pure.
 */
import {
  METADATA_ENDPOINTS,
  NON_PUBLIC_IPV4,
  NON_PUBLIC_IPV6,
  PRIVATE_RANGES,
  PUBLIC_IPV6,
  type Endpoint,
} from "./endpoints";
import { cidrBounds, formatIp, parseIpCidr, type Family } from "./ip";
import * as R from "./ranges";

export interface AddrSet {
  readonly v4: R.Ranges;
  readonly v6: R.Ranges;
}

export const NO_ADDRESSES: AddrSet = { v4: R.EMPTY, v6: R.EMPTY };
export const ALL_ADDRESSES: AddrSet = { v4: R.range(0n, (1n << 32n) - 1n), v6: R.range(0n, (1n << 128n) - 1n) };

const V4_SPAN = 1n << 32n;
const V4_MAPPED = 0xffffn << 32n;
/** IPv6 prefixes whose last 32 bits are an IPv4 address the packet ends up at (NAT64). */
const V4_IN_V6 = [0x64ff9bn << 96n];

/** The IPv4 addresses an IPv6 range reaches through NAT64. */
function projectV4(v6: R.Ranges): R.Ranges {
  return R.union(...V4_IN_V6.map((base) => R.shift(R.intersect(v6, R.range(base, base + V4_SPAN - 1n)), -base)));
}

/** The addresses packets to the set actually arrive at: IPv4 including what its IPv6 part maps onto. */
export function reach(set: AddrSet): AddrSet {
  let r = REACHED.get(set);
  if (!r) {
    r = set.v6.length === 0 ? set : { v4: R.union(set.v4, projectV4(set.v6)), v6: set.v6 }; // no IPv6, nothing to project
    REACHED.set(set, r);
  }
  return r;
}

/** Sets are immutable values and every rule asks `reach` of the same few: each is projected once. */
const REACHED = new WeakMap<AddrSet, AddrSet>();

/** The addresses of one CIDR as the API server reads it (`ip.ts`); undefined when it is not a valid CIDR. */
export function cidrSet(text: string): AddrSet | undefined {
  const c = parseIpCidr(text);
  if (!c) return undefined;
  const { lo, hi } = cidrBounds(c);
  if (c.family === 4) return { v4: R.range(lo, hi), v6: R.EMPTY };
  if (c.prefix >= 96 && lo >= V4_MAPPED && hi < V4_MAPPED + V4_SPAN)
    return { v4: R.range(lo - V4_MAPPED, hi - V4_MAPPED), v6: R.EMPTY };
  return { v4: R.EMPTY, v6: R.range(lo, hi) };
}

const KNOWN = new Map<string, AddrSet>();

/** Like cidrSet for texts known to be valid (the tables in endpoints.ts); each parsed once. */
function known(text: string): AddrSet {
  let s = KNOWN.get(text);
  if (!s) {
    s = cidrSet(text);
    if (!s) throw new Error(`internal: "${text}" is not a CIDR`);
    KNOWN.set(text, s);
  }
  return s;
}

export function addrUnion(...sets: AddrSet[]): AddrSet {
  return addrUnionOf(sets);
}

/** The union of a list of sets of any length (no spread: 200,000 arguments overflow the stack). */
export function addrUnionOf(sets: readonly AddrSet[]): AddrSet {
  return { v4: R.unionOf(sets.map((s) => s.v4)), v6: R.unionOf(sets.map((s) => s.v6)) };
}

/** Whether two sets share an address (without computing their intersection). */
export function addrMeets(a: AddrSet, b: AddrSet): boolean {
  return R.overlaps(a.v4, b.v4) || R.overlaps(a.v6, b.v6);
}

export function addrIntersect(a: AddrSet, b: AddrSet): AddrSet {
  return { v4: R.intersect(a.v4, b.v4), v6: R.intersect(a.v6, b.v6) };
}

/** a minus b, family by family: excepting `64:ff9b::a9fe:0/112` from `::/0` removes that NAT64 projection too. */
export function addrSubtract(a: AddrSet, b: AddrSet): AddrSet {
  return { v4: R.subtract(a.v4, b.v4), v6: R.subtract(a.v6, b.v6) };
}

export function addrIsEmpty(a: AddrSet): boolean {
  return R.isEmpty(a.v4) && R.isEmpty(a.v6);
}

const sameRanges = (a: R.Ranges, b: R.Ranges) =>
  a.length === b.length && a.every((r, i) => r.lo === b[i]!.lo && r.hi === b[i]!.hi);

export function addrEquals(a: AddrSet, b: AddrSet): boolean {
  return sameRanges(a.v4, b.v4) && sameRanges(a.v6, b.v6);
}

/** The first address of a set, as text, for messages. */
export function firstAddress(a: AddrSet): string | undefined {
  const r4 = reach(a).v4[0];
  if (r4) return formatIp(4, r4.lo);
  const r6 = a.v6[0];
  return r6 ? formatIp(6, r6.lo) : undefined;
}

const tableSet = (cidrs: readonly string[]) => addrUnion(...cidrs.map(known));

export const PUBLIC: AddrSet = {
  v4: addrSubtract(tableSet(["0.0.0.0/0"]), tableSet(NON_PUBLIC_IPV4)).v4,
  v6: addrSubtract(tableSet([PUBLIC_IPV6]), tableSet(NON_PUBLIC_IPV6)).v6,
};

export interface Hit {
  readonly endpoint: Endpoint;
  /** The part of the endpoint that is reached. */
  readonly reached: AddrSet;
}

/** Which of `table` the set reaches, and where. */
export function hits(set: AddrSet, table: readonly Endpoint[]): Hit[] {
  // One look at the whole table first: almost every set reaches none of it (one rule of 20,000 is one set).
  let all = TABLES.get(table);
  if (!all) TABLES.set(table, (all = addrUnionOf(table.map((e) => known(e.cidr)))));
  if (!addrMeets(reach(set), all)) return [];
  return table.flatMap((endpoint) => {
    const reached = addrIntersect(reach(set), known(endpoint.cidr));
    return addrIsEmpty(reached) ? [] : [{ endpoint, reached }];
  });
}

const TABLES = new WeakMap<readonly Endpoint[], AddrSet>();

export const metadataHits = (set: AddrSet) => hits(set, METADATA_ENDPOINTS);

/** Private addresses (PRIVATE_RANGES) in the set, per family. */
export function privatePart(set: AddrSet): AddrSet {
  return addrIntersect(reach(set), PRIVATE);
}

const PRIVATE: AddrSet = tableSet(PRIVATE_RANGES.map((e) => e.cidr));

/**
 * The share of the public space of `family` the set holds, in millionths (an integer, so no float rounding
 * decides a verdict).
 */
export function publicShareMillionths(set: AddrSet, family: Family): number {
  const pub = family === 4 ? PUBLIC.v4 : PUBLIC.v6;
  const r = reach(set);
  const mine = R.intersect(family === 4 ? r.v4 : r.v6, pub);
  return Number((R.size(mine) * 1_000_000n) / R.size(pub));
}

/** Number of addresses of `family` in the set. */
export function addrCount(set: AddrSet, family: Family): bigint {
  const r = reach(set);
  return R.size(family === 4 ? r.v4 : r.v6);
}
