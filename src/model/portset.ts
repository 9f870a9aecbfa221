/**
 * Port sets: which ports of which protocol a NetworkPolicy egress rule opens. Kubernetes NetworkPolicy knows
 * TCP, UDP and SCTP, ports 1..65535. Pure.
 */
import * as R from "./ranges";

export const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export type PortSet = Readonly<Record<Protocol, R.Ranges>>;

export const MAX_PORT = 65535;
const EVERY = R.range(1n, BigInt(MAX_PORT));

export const NO_PORTS: PortSet = { TCP: R.EMPTY, UDP: R.EMPTY, SCTP: R.EMPTY };
export const ALL_PORTS: PortSet = { TCP: EVERY, UDP: EVERY, SCTP: EVERY };

export function isProtocol(p: unknown): p is Protocol {
  return typeof p === "string" && (PROTOCOLS as readonly string[]).includes(p);
}

/** Ports lo..hi of one protocol (clipped to 1..65535). */
export function portRange(protocol: Protocol, lo: number, hi: number): PortSet {
  return { ...NO_PORTS, [protocol]: R.intersect(R.range(BigInt(lo), BigInt(hi)), EVERY) };
}

export function allPortsOf(protocol: Protocol): PortSet {
  return { ...NO_PORTS, [protocol]: EVERY };
}

export function portUnion(...sets: PortSet[]): PortSet {
  return portUnionOf(sets);
}

/** The union of a list of sets of any length (no spread: 200,000 arguments overflow the stack). */
export function portUnionOf(sets: readonly PortSet[]): PortSet {
  return {
    TCP: R.unionOf(sets.map((s) => s.TCP)),
    UDP: R.unionOf(sets.map((s) => s.UDP)),
    SCTP: R.unionOf(sets.map((s) => s.SCTP)),
  };
}

export function portsEmpty(s: PortSet): boolean {
  return PROTOCOLS.every((p) => R.isEmpty(s[p]));
}

/** The number of open ports of the protocol that has the most. */
export function widestCount(s: PortSet): number {
  return Math.max(...PROTOCOLS.map((p) => Number(R.size(s[p]))));
}

/** `TCP 443, 8080-8090; UDP 53` for messages. */
export function describePorts(s: PortSet): string {
  const parts = PROTOCOLS.filter((p) => !R.isEmpty(s[p])).map((p) => {
    if (R.size(s[p]) === BigInt(MAX_PORT)) return `every ${p} port`;
    const shown = s[p].slice(0, 4).map((r) => (r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`));
    return `${p} ${shown.join(", ")}${s[p].length > 4 ? ", …" : ""}`;
  });
  return parts.length ? parts.join("; ") : "no port";
}
