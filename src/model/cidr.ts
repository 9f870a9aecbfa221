/**
 * CIDRs in stack config, and the excepts the planner writes so a broad destination never reaches private
 * networks or a cloud metadata endpoint. Config CIDRs are strict (canonical, no host bits, no IPv4-mapped IPv6):
 * the planner writes them into NetworkPolicies, and the rules read those leniently (`ip.ts`). Pure.
 */
import { addrSubtract, addrUnion, cidrSet, metadataHits, type Hit } from "./addrset";
import { METADATA_ENDPOINTS, PRIVATE_RANGES } from "./endpoints";
import { bitsOf, formatCidr, parseIpCidr, type Family } from "./ip";

export interface Cidr {
  readonly family: Family;
  readonly base: bigint;
  readonly prefix: number;
  readonly text: string;
}

/** Parses a CIDR in canonical form (`10.0.0.0/8`, `2001:db8::/32`); undefined otherwise. */
export function parseCidr(text: string): Cidr | undefined {
  const c = parseIpCidr(text);
  return c && formatCidr(c) === text ? { ...c, text } : undefined;
}

/** Why a config CIDR is not canonical (host bits, leading zeros, spelling), with the canonical form; or undefined. */
export function canonicalProblem(text: string): string | undefined {
  const c = parseIpCidr(text);
  if (!c) return `"${text}" is not a CIDR; allowed: an IPv4 or IPv6 network such as 203.0.113.0/24 or 2001:db8::/32`;
  if (c.family === 6 && c.base >> 32n === 0xffffn)
    return `"${text}" is an IPv4-mapped IPv6 address, which the API server refuses; write the IPv4 CIDR`;
  const canonical = formatCidr(c);
  return canonical === text
    ? undefined
    : `"${text}" is not in canonical form; write "${canonical}" (no host bits, no leading zeros, no IPv4-mapped IPv6)`;
}

/** True when every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const bits = BigInt(bitsOf(outer.family) - outer.prefix);
  return inner.base >> bits === outer.base >> bits;
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/**
 * Ranges agents never reach through a broad CIDR: private networks, then the metadata endpoints, then (IPv6) the
 * NAT64 prefix that leads to IPv4, since IPv4 destinations are named with IPv4 CIDRs.
 */
export function protectedRanges(family: Family): Cidr[] {
  const texts = [...PRIVATE_RANGES, ...METADATA_ENDPOINTS].map((e) => e.cidr);
  if (family === 6) texts.push("64:ff9b::/96");
  return texts.map((t) => parseCidr(t)).filter((c): c is Cidr => c?.family === family);
}

/**
 * The `except` list a NetworkPolicy ipBlock needs so that `cidr` never reaches private or metadata ranges:
 * every protected range strictly inside it, a metadata endpoint named even where a private range covers it (so a
 * reviewer, and the policy rules, see it excluded explicitly). A destination inside a private range is an explicit,
 * deliberate target and needs no carve-out; one that reaches a metadata endpoint is refused by config validation.
 */
export function requiredExcepts(cidrText: string): string[] {
  const cidr = parseCidr(cidrText);
  if (!cidr) throw new Error(`"${cidrText}" is not a CIDR`);
  return protectedRanges(cidr.family)
    .filter((r) => cidrContains(cidr, r) && r.prefix > cidr.prefix)
    .map((r) => r.text);
}

/** The metadata endpoints a config destination still reaches after the planner's excepts. */
export function metadataReachedBy(cidrText: string): Hit[] {
  const set = cidrSet(cidrText);
  if (!set) return [];
  const excepts = addrUnion(...requiredExcepts(cidrText).map((e) => cidrSet(e)!));
  return metadataHits(addrSubtract(set, excepts));
}
