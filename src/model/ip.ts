/**
 * IP addresses and CIDRs read the way the Kubernetes API server reads a NetworkPolicy `ipBlock`, so a rule judges
 * what the cluster stores and enforces, not the spelling. `ipBlock.cidr` and `except` are "legacy" fields
 * (k8s.io/apimachinery/pkg/util/validation/ip.go, IsValidCIDRForLegacyField): unless the StrictIPCIDRValidation
 * feature gate is on, the API server parses them with k8s.io/utils/net ParseCIDRSloppy (a fork of Go 1.16's
 * parser) and accepts:
 * - leading zeros in IPv4 octets, read as DECIMAL (`010.0.0.0` is 10.0.0.0, `0169.254.169.254` is 169.254.169.254);
 * - leading zeros in the prefix length (`/032`);
 * - host bits set beyond the prefix (`169.254.169.254/16` stores as given and enforces 169.254.0.0/16);
 * - IPv4-mapped IPv6 (`::ffff:169.254.169.254/128`), and every IPv6 spelling: `::` anywhere, upper case,
 *   leading zeros in groups, a trailing dotted IPv4 part.
 * With the gate on, the API server refuses the first four. Measured (test/integration/storage-facts.test.ts):
 * kube-apiserver 1.36.3 has the gate on by default and answers 422 to them, while upper case, leading zeros in
 * IPv6 groups and the NAT64 prefix are accepted. Older clusters, and 1.36 with the gate off, accept them all, so
 * they are read leniently here; that is fail-closed: a value we understand and the API server refuses changes
 * nothing, a value it accepts is judged by what it means.
 * Pure.
 */

export type Family = 4 | 6;

export interface IpCidr {
  readonly family: Family;
  /** The masked network address (host bits cleared, as the API server's IPNet holds it). */
  readonly base: bigint;
  readonly prefix: number;
}

/** Go's dtoi: one or more decimal digits, any number of leading zeros; undefined past 0xFFFFFF. */
function decimal(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number(s.replace(/^0+(?=.)/, ""));
  return s.length > 16 || n >= 0xffffff ? undefined : n;
}

/** Dotted IPv4 with sloppy (decimal, leading-zero) octets. */
export function parseIpv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    const n = decimal(p);
    if (n === undefined || n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

/** IPv6 in any spelling Go accepts, including a trailing dotted IPv4 part. */
export function parseIpv6(s: string): bigint | undefined {
  if (s.includes("%")) return undefined; // zones are refused by the API server
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): bigint[] | undefined => {
    if (part === "") return [];
    const raw = part.split(":");
    const out: bigint[] = [];
    for (let i = 0; i < raw.length; i++) {
      const g = raw[i]!;
      if (i === raw.length - 1 && g.includes(".")) {
        const v4 = parseIpv4(g);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else {
        if (!/^[0-9a-fA-F]+$/.test(g) || g.length > 6) return undefined;
        const n = parseInt(g, 16);
        if (n > 0xffff) return undefined;
        out.push(BigInt(n));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // A dotted part may only end the address.
  if (halves.length === 2 && halves[0]!.includes(".")) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  let out = 0n;
  for (const g of [...head, ...Array<bigint>(missing).fill(0n), ...tail]) out = (out << 16n) | g;
  return out;
}

export const bitsOf = (family: Family) => (family === 4 ? 32 : 128);

/** Parses a CIDR as ParseCIDRSloppy does (see the module comment); undefined when the API server refuses it. */
export function parseIpCidr(text: string): IpCidr | undefined {
  if (typeof text !== "string") return undefined;
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const addr = text.slice(0, slash);
  const prefix = decimal(text.slice(slash + 1));
  const family: Family = addr.includes(":") ? 6 : 4;
  const value = family === 4 ? parseIpv4(addr) : parseIpv6(addr);
  if (value === undefined || prefix === undefined || prefix > bitsOf(family)) return undefined;
  const host = BigInt(bitsOf(family) - prefix);
  return { family, base: (value >> host) << host, prefix };
}

/** First and last address of a CIDR. */
export function cidrBounds(c: IpCidr): { lo: bigint; hi: bigint } {
  const host = BigInt(bitsOf(c.family) - c.prefix);
  return { lo: c.base, hi: c.base + (1n << host) - 1n };
}

export function formatIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
}

/** RFC 5952 text: lower case, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(v: bigint): string {
  const groups = [...Array(8).keys()].map((i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

export function formatIp(family: Family, v: bigint): string {
  return family === 4 ? formatIpv4(v) : formatIpv6(v);
}

export function formatCidr(c: IpCidr): string {
  return `${formatIp(c.family, c.base)}/${c.prefix}`;
}
