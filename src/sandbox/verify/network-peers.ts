/**
 * Concrete peers for the network matrix: an address standing for a CIDR destination, a pod standing for a
 * selector destination, and the catalog's own reading of whether an egress destination covers a peer. Pure.
 */
import type { EgressDestination } from "../../config/egress-schema";
import { cidrContains, parseCidr, requiredExcepts, type Cidr } from "../../model/cidr";
import { formatIp } from "../../model/ip";
import { PROXY_POD_LABELS, PROXY_PORT } from "../../plan/approval-endpoint";
import type { Protocol, TrafficPeer } from "./cyclonus";

export const NAME_LABEL = "kubernetes.io/metadata.name";

export interface PortProto {
  readonly port: number;
  readonly protocol: Protocol;
}
export const portKey = (p: PortProto) => `${p.protocol}/${p.port}`;

/** Addresses in canonical text (RFC 5952 for IPv6), the form the config's CIDR parser accepts. */
export { formatIp };

function hostCidr(ip: string): Cidr {
  const c = parseCidr(`${ip}/${ip.includes(":") ? 128 : 32}`);
  if (!c) throw new Error(`"${ip}" is not an IP address`);
  return c;
}

/** True when `ip` is in `cidr` and in none of `except` (the NetworkPolicy ipBlock semantics). */
export function ipInBlock(ip: string, cidr: string, except: readonly string[] = []): boolean {
  const host = hostCidr(ip);
  const inside = (t: string) => {
    const c = parseCidr(t);
    if (!c) throw new Error(`"${t}" is not a CIDR`);
    return cidrContains(c, host);
  };
  return inside(cidr) && !except.some(inside);
}

/** True when every address of CIDR `inner` is in CIDR `outer`. */
export function cidrInside(outer: string, inner: string): boolean {
  const [o, i] = [parseCidr(outer), parseCidr(inner)];
  if (!o || !i) throw new Error(`"${o ? inner : outer}" is not a CIDR`);
  return cidrContains(o, i);
}

/**
 * An address inside `cidrText` that none of `avoid` covers and the carve-outs leave reachable: the middle of
 * the range first (away from network and broadcast addresses), then its first and last hosts.
 */
export function sampleAddress(cidrText: string, avoid: readonly string[] = []): string | undefined {
  const c = parseCidr(cidrText);
  if (!c) throw new Error(`"${cidrText}" is not a CIDR`);
  const hostBits = BigInt((c.family === 4 ? 32 : 128) - c.prefix);
  const size = 1n << hostBits;
  const offsets = size === 1n ? [0n] : size === 2n ? [0n, 1n] : [size / 2n + 1n, 1n, size - 2n, size / 4n + 1n];
  const except = requiredExcepts(cidrText);
  for (const o of offsets) {
    const ip = formatIp(c.family, c.base + o);
    if (!avoid.some((a) => ipInBlock(ip, a)) && ipInBlock(ip, cidrText, except)) return ip;
  }
  return undefined;
}

/** Hands out pod IPs from the cluster's pod range (a private range, so broad CIDRs never cover a pod). */
export class PodIps {
  private readonly assigned = new Map<string, string>();
  constructor(private readonly range = "10.244.0.0/16") {}
  ip(key: string): string {
    const have = this.assigned.get(key);
    if (have) return have;
    const c = parseCidr(this.range)!;
    const n = BigInt(this.assigned.size + 2);
    const ip = formatIp(c.family, c.base + (n / 250n) * 256n + (n % 250n) + 1n);
    this.assigned.set(key, ip);
    return ip;
  }
}

/** A pod in `namespace` with the labels the API server gives every namespace (`kubernetes.io/metadata.name`). */
export function podPeer(
  ips: PodIps,
  namespace: string,
  podLabels: Record<string, string>,
  namespaceLabels: Record<string, string> = {},
): TrafficPeer {
  const nsLabels = { ...namespaceLabels, [NAME_LABEL]: namespace };
  const key = JSON.stringify([namespace, Object.entries(nsLabels).sort(), Object.entries(podLabels).sort()]);
  return { IP: ips.ip(key), Internal: { Namespace: namespace, NamespaceLabels: nsLabels, PodLabels: podLabels } };
}

export function externalPeer(ip: string): TrafficPeer {
  return { IP: ip };
}

const subset = (want: Readonly<Record<string, string>>, have: Readonly<Record<string, string>>) =>
  Object.entries(want).every(([k, v]) => have[k] === v);

/** A short human name for a peer: `203.0.113.129`, `pod monitoring/*`, `pod vault/app.kubernetes.io/name=vault`. */
export function peerLabel(p: TrafficPeer): string {
  if (!p.Internal) return p.IP;
  const labels = Object.entries(p.Internal.PodLabels).map(([k, v]) => `${k}=${v}`);
  return `pod ${p.Internal.Namespace}/${labels.length ? labels.join(",") : "*"}`;
}

/**
 * The pod or address standing for a configured destination: for a CIDR an address inside it (outside its
 * carve-outs); for selectors a pod in a namespace with exactly the selected labels (named by its
 * `kubernetes.io/metadata.name` when the selector names one, else `fallbackNamespace`).
 */
export function destinationPeer(ips: PodIps, d: EgressDestination, fallbackNamespace: string): TrafficPeer | undefined {
  if ("cidr" in d) {
    const ip = sampleAddress(d.cidr);
    return ip ? externalPeer(ip) : undefined;
  }
  const ns = d.namespaceSelector[NAME_LABEL] ?? fallbackNamespace;
  return podPeer(ips, ns, { ...(d.podSelector ?? { app: "sample" }) }, d.namespaceSelector);
}

/** `10.96.0.1/32`, `ns monitoring`, `ns vault pods{app.kubernetes.io/name=vault}`, `ns{team=x}`. */
export function describeDestination(d: EgressDestination): string {
  if ("cidr" in d) return d.cidr;
  const sel = (m: Readonly<Record<string, string>>) =>
    Object.entries(m)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  const keys = Object.keys(d.namespaceSelector);
  const ns =
    keys.length === 1 && keys[0] === NAME_LABEL
      ? `ns ${d.namespaceSelector[NAME_LABEL]}`
      : `ns{${sel(d.namespaceSelector)}}`;
  return `${ns}${d.podSelector ? ` pods{${sel(d.podSelector)}}` : ""}`;
}

/** Whether destination `d` (as configured) covers traffic to `peer` on `port`/`protocol`. */
export function destinationCovers(d: EgressDestination, peer: TrafficPeer, port: number, protocol: Protocol): boolean {
  if (!d.ports.some((p) => p.port === port && p.protocol === protocol)) return false;
  if ("cidr" in d) return ipInBlock(peer.IP, d.cidr, requiredExcepts(d.cidr));
  if (!peer.Internal) return false;
  return (
    subset(d.namespaceSelector, peer.Internal.NamespaceLabels) && subset(d.podSelector ?? {}, peer.Internal.PodLabels)
  );
}

/** True when `peer` is one of the approval proxy's pods of `namespace`, asked on the proxy's own port. */
export function isProxyPeer(namespace: string, peer: TrafficPeer, port: number, protocol: Protocol): boolean {
  const i = peer.Internal;
  if (i?.Namespace !== namespace || port !== PROXY_PORT || protocol !== "TCP") return false;
  return Object.entries(PROXY_POD_LABELS).every(([k, v]) => i.PodLabels[k] === v);
}
