/**
 * Just enough CIDR arithmetic to carve private and metadata ranges out of a broad egress destination. Pure.
 */
import { METADATA_IPV4, METADATA_IPV6, PRIVATE_IPV4, PRIVATE_IPV6 } from "./forbidden";

export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
  readonly text: string;
}

function parseV4(addr: string): bigint | undefined {
  const parts = addr.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    out = (out << 8n) | BigInt(Number(p));
  }
  return out;
}

function parseV6(addr: string): bigint | undefined {
  const halves = addr.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  let out = 0n;
  for (const g of [...head, ...Array<string>(missing).fill("0"), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out = (out << 16n) | BigInt(parseInt(g, 16));
  }
  return out;
}

/** Parses `a.b.c.d/n` or `x:y::/n`; undefined when it is not a valid CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, len, extra] = text.split("/");
  if (addr === undefined || len === undefined || extra !== undefined || !/^\d{1,3}$/.test(len)) return undefined;
  const family = addr.includes(":") ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(len);
  const value = family === 4 ? parseV4(addr) : parseV6(addr);
  if (value === undefined || prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const base = (value >> hostBits) << hostBits;
  return { family, base, prefix, text };
}

/** True when every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  const bits = BigInt((outer.family === 4 ? 32 : 128) - outer.prefix);
  return inner.base >> bits === outer.base >> bits;
}

export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** Ranges agents never reach through a broad CIDR: private networks and the cloud metadata service. */
export function protectedRanges(family: 4 | 6): Cidr[] {
  const texts = family === 4 ? [...PRIVATE_IPV4, METADATA_IPV4] : [...PRIVATE_IPV6, METADATA_IPV6];
  return texts.map((t) => parseCidr(t)!);
}

/** The metadata ranges alone: no destination may lie inside them. */
export function metadataRange(family: 4 | 6): Cidr {
  return parseCidr(family === 4 ? METADATA_IPV4 : METADATA_IPV6)!;
}

/**
 * The `except` list a NetworkPolicy ipBlock needs so that `cidr` never reaches private or metadata ranges:
 * every protected range strictly inside it, the metadata range named even where a private range covers it (so a
 * reviewer, and the policy rules, see it excluded explicitly). A destination inside a private range is an explicit, deliberate
 * target and needs no carve-out; one inside the metadata range is refused by config validation.
 */
export function requiredExcepts(cidrText: string): string[] {
  const cidr = parseCidr(cidrText);
  if (!cidr) throw new Error(`"${cidrText}" is not a CIDR`);
  return protectedRanges(cidr.family)
    .filter((r) => cidrContains(cidr, r) && r.prefix > cidr.prefix)
    .map((r) => r.text);
}
