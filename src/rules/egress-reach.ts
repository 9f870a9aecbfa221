/**
 * What a NetworkPolicy's egress lets its pods reach, as Kubernetes defines it (networking.k8s.io/v1
 * NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort), read for the network rules:
 * - `to` absent or empty: every destination (every address, every pod in every namespace);
 * - an ipBlock: its cidr minus its excepts, read as the API server reads them (`model/ip.ts`);
 * - a namespaceSelector: pods in the namespaces it selects; `{}` selects every namespace, and so does any selector
 *   without a positive requirement (`matchLabels` or `In`): `Exists`, `NotIn` and `DoesNotExist` match every
 *   namespace that merely has (or lacks) a label, and `kubernetes.io/metadata.name Exists` is on every namespace;
 * - a podSelector alone: pods of the policy's own namespace;
 * - `ports` absent or empty: every port of every protocol; an entry without `port`: every port of its protocol
 *   (TCP by default); `port`..`endPort` a range; a named port can be any number, so every port of its protocol.
 * Anything the API server would refuse (a peer with no selector, an ipBlock beside a selector, a bad CIDR, an
 * endPort below port, an unknown protocol) is a problem, and is judged as its widest reading: fail closed. Pure.
 */
import { addrSubtract, addrUnionOf, ALL_ADDRESSES, cidrSet, NO_ADDRESSES, reach, type AddrSet } from "../model/addrset";
import {
  ALL_PORTS,
  allPortsOf,
  isProtocol,
  MAX_PORT,
  portRange,
  PROTOCOLS,
  portUnionOf,
  widestCount,
  type PortSet,
} from "../model/portset";
import { PortCoverage } from "../model/port-coverage";
import * as R from "../model/ranges";
import type { Manifest } from "../model/manifest";
import { contentKey } from "./content-key";
import { field, isObj, list, show } from "./paths";

export interface EgressReach {
  readonly at: string;
  /** `to` is absent or empty: this rule reaches every destination. */
  readonly everywhere: boolean;
  /** IP addresses reached through ipBlocks (all of them when `everywhere`). */
  readonly addrs: AddrSet;
  /** Some peer selects pods in every namespace. */
  readonly everyNamespace: boolean;
  readonly ports: PortSet;
  /** Values the API server would refuse, each judged as its widest reading. */
  readonly problems: string[];
}

const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

/** True when a label selector can match a namespace without pinning any label to a value. */
function broadSelector(sel: unknown, at: string, problems: string[]): boolean {
  if (!isObj(sel)) {
    problems.push(`${at} is ${show(sel)}, not a label selector: judged as selecting everything`);
    return true;
  }
  const labels = sel.matchLabels;
  const exprs = sel.matchExpressions;
  let pinned = false;
  if (labels !== undefined && labels !== null) {
    if (!isObj(labels) || Object.values(labels).some((v) => typeof v !== "string")) {
      problems.push(`${at}.matchLabels is ${show(labels)}, not a map of strings: judged as selecting everything`);
      return true;
    }
    pinned ||= Object.keys(labels).length > 0;
  }
  for (const [i, e] of list(exprs).entries()) {
    const op = field(e, "operator");
    const values = field(e, "values");
    if (typeof field(e, "key") !== "string" || !["In", "NotIn", "Exists", "DoesNotExist"].includes(op as string)) {
      problems.push(
        `${at}.matchExpressions[${i}] is ${show(e)}: operator must be In, NotIn, Exists or DoesNotExist; judged as selecting everything`,
      );
      return true;
    }
    if (op === "In") {
      if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== "string")) {
        problems.push(`${at}.matchExpressions[${i}] uses In without a list of values: judged as selecting everything`);
        return true;
      }
      pinned = true;
    }
  }
  const extra = Object.keys(sel).filter((k) => k !== "matchLabels" && k !== "matchExpressions");
  if (extra.length) problems.push(`${at} has unknown keys ${show(extra)}: the API server drops or refuses them`);
  return !pinned;
}

function ipBlockSet(block: unknown, at: string, problems: string[]): AddrSet {
  const cidrText = field(block, "cidr");
  const cidr = typeof cidrText === "string" ? cidrSet(cidrText) : undefined;
  if (!cidr) {
    problems.push(`${at}.cidr is ${show(cidrText)}, not a CIDR: judged as every address`);
    return ALL_ADDRESSES;
  }
  const excepts = list(field(block, "except")).flatMap((e, k) => {
    const s = typeof e === "string" ? cidrSet(e) : undefined;
    if (!s) problems.push(`${at}.except[${k}] is ${show(e)}, not a CIDR: ignored (nothing is excepted)`);
    return s ? [s] : [];
  });
  return excepts.length === 0 ? cidr : addrSubtract(cidr, addrUnionOf(excepts));
}

interface PeerReach {
  readonly addrs: AddrSet;
  readonly everyNamespace: boolean;
}

function peerReach(peer: unknown, at: string, problems: string[]): PeerReach {
  if (!isObj(peer)) {
    problems.push(`${at} is ${show(peer)}, not a peer: judged as every destination`);
    return { addrs: ALL_ADDRESSES, everyNamespace: true };
  }
  const has = (k: string) => peer[k] !== undefined && peer[k] !== null;
  const block = has("ipBlock");
  const nsSel = has("namespaceSelector");
  const podSel = has("podSelector");
  if (!block && !nsSel && !podSel) {
    problems.push(
      `${at} names no ipBlock, namespaceSelector or podSelector (the API server refuses it): judged as every destination`,
    );
    return { addrs: ALL_ADDRESSES, everyNamespace: true };
  }
  if (block && (nsSel || podSel)) problems.push(`${at} sets an ipBlock beside a selector (the API server refuses it)`);
  const addrs = block ? ipBlockSet(peer.ipBlock, `${at}.ipBlock`, problems) : NO_ADDRESSES;
  if (podSel) broadSelector(peer.podSelector, `${at}.podSelector`, problems);
  const everyNamespace = nsSel ? broadSelector(peer.namespaceSelector, `${at}.namespaceSelector`, problems) : false;
  return { addrs, everyNamespace };
}

function portsOf(value: unknown, at: string, problems: string[]): PortSet {
  const entries = list(value);
  if (entries.length === 0) return ALL_PORTS;
  return portUnionOf(
    entries.map((p, i): PortSet => {
      const where = `${at}[${i}]`;
      if (!isObj(p)) {
        problems.push(`${where} is ${show(p)}, not a port: judged as every port`);
        return ALL_PORTS;
      }
      const protocol = p.protocol ?? "TCP";
      if (!isProtocol(protocol)) {
        problems.push(`${where}.protocol is ${show(protocol)}; allowed: TCP, UDP, SCTP; judged as every port`);
        return ALL_PORTS;
      }
      const port = p.port;
      const end = p.endPort;
      if (port === undefined || port === null) {
        if (end !== undefined) problems.push(`${where}.endPort is set without port (the API server refuses it)`);
        return allPortsOf(protocol);
      }
      if (typeof port === "string") {
        if (!IANA_SVC_NAME.test(port)) problems.push(`${where}.port ${show(port)} is neither a number nor a port name`);
        if (end !== undefined) problems.push(`${where}.endPort is set with a named port (the API server refuses it)`);
        return allPortsOf(protocol); // a named port is whatever number a pod gives it
      }
      if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > MAX_PORT) {
        problems.push(
          `${where}.port is ${show(port)}; allowed: 1..${MAX_PORT} or a port name; judged as every ${protocol} port`,
        );
        return allPortsOf(protocol);
      }
      if (end === undefined || end === null) return portRange(protocol, port, port);
      if (typeof end !== "number" || !Number.isInteger(end) || end < port || end > MAX_PORT) {
        problems.push(
          `${where}.endPort is ${show(end)}; allowed: ${port}..${MAX_PORT}; judged as every ${protocol} port`,
        );
        return allPortsOf(protocol);
      }
      return portRange(protocol, port, end);
    }),
  );
}

const REACH = new WeakMap<object, readonly EgressReach[]>();

/**
 * The same egress list, by content, reaches the same: rendered stacks repeat one policy per target namespace.
 * Keyed by the list's exact JSON text (`contentKey`: what it reaches and every message depend on nothing else).
 */
const BY_CONTENT = new Map<string, readonly EgressReach[]>();
const MAX_REMEMBERED = 4096;

/** Every egress rule of a NetworkPolicy with what it reaches; computed once per object, as four rules ask. */
export function egressReach(obj: Manifest): readonly EgressReach[] {
  let found = REACH.get(obj);
  if (!found) {
    const egress = field(obj, "spec", "egress");
    const key = contentKey(egress ?? null);
    found = key === undefined ? undefined : BY_CONTENT.get(key);
    if (!found) {
      found = Object.freeze(computeReach(egress));
      if (key !== undefined) {
        if (BY_CONTENT.size >= MAX_REMEMBERED) BY_CONTENT.clear();
        BY_CONTENT.set(key, found);
      }
    }
    REACH.set(obj, found);
  }
  return found;
}

function computeReach(egress: unknown): EgressReach[] {
  return list(egress).map((rule, i) => {
    const at = `spec.egress[${i}]`;
    const problems: string[] = [];
    if (!isObj(rule)) {
      problems.push(`${at} is ${show(rule)}, not an egress rule: judged as allowing everything`);
      return { at, everywhere: true, addrs: ALL_ADDRESSES, everyNamespace: true, ports: ALL_PORTS, problems };
    }
    const ports = portsOf(rule.ports, `${at}.ports`, problems);
    const peers = list(rule.to);
    if (peers.length === 0)
      return { at, everywhere: true, addrs: ALL_ADDRESSES, everyNamespace: true, ports, problems };
    const reached = peers.map((p, j) => peerReach(p, `${at}.to[${j}]`, problems));
    return {
      at,
      everywhere: false,
      addrs: addrUnionOf(reached.map((r) => r.addrs)),
      everyNamespace: reached.some((r) => r.everyNamespace),
      ports,
      problems,
    };
  });
}

/** The union of the rules' ports. */
export function portsOfRules(rules: readonly EgressReach[]): PortSet {
  let ports = PORTS.get(rules);
  if (!ports) PORTS.set(rules, (ports = portUnionOf(rules.map((r) => r.ports))));
  return ports;
}

const PORTS = new WeakMap<readonly EgressReach[], PortSet>();

/**
 * The addresses that the rules together open on more than `maxPorts` ports of some protocol: the line is cut
 * where any rule's reach starts or stops, and each piece gets the union of the ports of the rules that reach it,
 * so two rules opening halves of the port range to the same addresses count as one rule opening all of it.
 */
export function addressesOnWidePorts(rules: readonly EgressReach[], maxPorts: number): AddrSet {
  // No piece can open more ports than all the rules together: when those are few, nothing is wide.
  if (widestCount(portsOfRules(rules)) <= maxPorts) return NO_ADDRESSES;
  // Two rules of one policy ask for the same answer: computed once per list of rules and limit.
  let byLimit = WIDE.get(rules);
  if (!byLimit) WIDE.set(rules, (byLimit = new Map<number, AddrSet>()));
  let found = byLimit.get(maxPorts);
  if (!found) byLimit.set(maxPorts, (found = widePieces(rules, maxPorts)));
  return found;
}

const WIDE = new WeakMap<readonly EgressReach[], Map<number, AddrSet>>();

/**
 * One sweep per family over the points where a rule's reach starts or stops: each distinct port set is added to
 * the coverage where the first rule holding it starts to reach and removed where the last one stops, and every
 * piece between two points where the coverage is wider than `maxPorts` is kept. O(n log n) in the ranges of the
 * rules (20,000 single-address rules are 40,000 points), never a pass over every rule per piece.
 */
function widePieces(rules: readonly EgressReach[], maxPorts: number): AddrSet {
  const reached = rules.map((r) => ({ set: reach(r.addrs), ports: r.ports, key: portKey(r.ports) }));
  const wide = (fam: "v4" | "v6"): R.Ranges => {
    const events: { at: bigint; delta: 1 | -1; ports: PortSet; key: string }[] = [];
    for (const r of reached) {
      for (const x of r.set[fam])
        events.push(
          { at: x.lo, delta: 1, ports: r.ports, key: r.key },
          { at: x.hi + 1n, delta: -1, ports: r.ports, key: r.key },
        );
    }
    events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const holders = new Map<string, number>();
    const out: R.Range[] = [];
    for (let i = 0; i < events.length;) {
      const at = events[i]!.at;
      for (; i < events.length && events[i]!.at === at; i++) {
        const e = events[i]!;
        const before = holders.get(e.key) ?? 0;
        holders.set(e.key, before + e.delta);
        if (before === 0 || before + e.delta === 0) coverage().change(e.ports, e.delta);
      }
      if (i < events.length && coverage().widest() > maxPorts) out.push({ lo: at, hi: events[i]!.at - 1n });
    }
    return R.normalize(out);
  };
  return { v4: wide("v4"), v6: wide("v6") };
}

/** One coverage for every sweep: each sweep removes all it adds, so it is empty again when the sweep ends. */
let shared: PortCoverage | undefined;
const coverage = () => (shared ??= new PortCoverage());

/** A port set's identity as text: `lo-hi,` per range, protocol by protocol. */
const portKey = (p: PortSet) => PROTOCOLS.map((proto) => p[proto].map((r) => `${r.lo}-${r.hi},`).join("")).join("|");
