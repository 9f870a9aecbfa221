/**
 * The network half of the matrix: which connections to put to the NetworkPolicy engine for each phase's agent
 * pods, and what the catalog says the answer must be. Cases come from the catalog and the stack config: DNS to
 * kube-dns and every configured destination of the classes the phase allows, on its ports, are allowed; the same
 * destinations on other ports or protocols, destinations of classes the phase does not allow, another agent's
 * destinations, the metadata endpoints, private ranges, IPv6, pods in other namespaces and in the agents
 * namespace, and every connection into an agent pod are denied — unless the agent's own config covers them,
 * which the expectation reads from the config, never from the policies being judged. Pure.
 */
import type { EgressDestination } from "../../config/egress-schema";
import type { AgentConfig } from "../../config/schema";
import { CATALOG, EGRESS_CLASSES, type EgressClass } from "../../model/catalog";
import { METADATA_IPV4, METADATA_IPV6, PRIVATE_IPV4, PRIVATE_IPV6 } from "../../model/forbidden";
import { PHASES, type Environment, type Phase } from "../../model/phases";
import type { Protocol, Traffic, TrafficPeer } from "./cyclonus";
import {
  cidrInside,
  describeDestination,
  destinationCovers,
  destinationPeer,
  externalPeer,
  isProxyPeer,
  peerLabel,
  PodIps,
  podPeer,
  portKey,
  sampleAddress,
  type PortProto,
} from "./network-peers";
import type { PeerProbe, PolicyProbes } from "./network-probes";
import type { CheckSpec, Outcome } from "./results";

/** The cluster's DNS service pods, which the foundation opens to every agent pod on 53/UDP and 53/TCP. */
export const KUBE_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" } } as const;
/** Concrete addresses of the metadata services (inside the catalog's metadata ranges). */
export const METADATA_ADDRESSES = ["169.254.169.254", "fd00:ec2::254"] as const;
/** A public IPv6 address (documentation range): no IPv4 destination may open it. */
export const PUBLIC_IPV6 = "2001:db8::10";
/** A namespace no agent targets or reaches. */
export const UNRELATED_NAMESPACE = "default";

/** One investigation pod an agent of a phase can run: the labels of the Job pod of a published PodTemplate. */
export interface SourcePod {
  readonly phase: Phase;
  readonly agent: string;
  readonly tier: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface NetworkMatrixInput {
  readonly environment: Environment;
  readonly namespace: string;
  /** The agents namespace's labels (as the API server stores them). */
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly agents: Readonly<Record<Phase, readonly AgentConfig[]>>;
  readonly sources: readonly SourcePod[];
  /** Ports and peers the judged policies name (`policyProbes`): asked about too, expected from the config. */
  readonly probes?: PolicyProbes;
  /** The foundation runs the approval proxy: agents of phases with approvable actions reach it (its port only). */
  readonly approvalProxy?: boolean;
}

export interface NetworkCheck extends CheckSpec {
  readonly tier: string;
  readonly traffic: Traffic;
}

const CONFIG_CLASSES = EGRESS_CLASSES.filter((c): c is Exclude<EgressClass, "dns"> => c !== "dns");

const destinations = (agent: AgentConfig, cls: EgressClass): readonly EgressDestination[] =>
  cls === "dns" ? [] : (agent.egress[cls] ?? []);

/** What the catalog and the agent's config say about egress from `agent`'s pod in `phase` to `peer`. */
export function expectedEgress(
  namespace: string,
  phase: Phase,
  agent: AgentConfig,
  peer: TrafficPeer,
  port: number,
  protocol: Protocol,
  approvalProxy = false,
): Outcome {
  const i = peer.Internal;
  // The approval proxy's pods, on its port, for a phase whose client talks to it (src/plan/approval-endpoint).
  if (approvalProxy && CATALOG[phase].approvable.length > 0 && isProxyPeer(namespace, peer, port, protocol))
    return "allow";
  // Every other pod of the agents namespace accepts nothing (the foundation's default deny covers ingress too).
  if (i?.Namespace === namespace) return "deny";
  const dns =
    !!i &&
    i.Namespace === KUBE_DNS.namespace &&
    i.NamespaceLabels["kubernetes.io/metadata.name"] === KUBE_DNS.namespace &&
    Object.entries(KUBE_DNS.podLabels).every(([k, v]) => i.PodLabels[k] === v) &&
    port === 53;
  if (dns) return "allow";
  const open = CATALOG[phase].egress.some((cls) =>
    destinations(agent, cls).some((d) => destinationCovers(d, peer, port, protocol)),
  );
  return open ? "allow" : "deny";
}

/**
 * Ports a destination does not name: the edges of the port space and common service ports, and each of its own
 * ports on the other protocol. A sample, not all 65535: a rule widened to one odd port can slip between them,
 * a rule widened to a range or to all ports cannot.
 */
export const OTHER_PORTS = [1, 22, 80, 443, 8080, 65535] as const;
function otherPorts(d: EgressDestination): PortProto[] {
  const taken = new Set(d.ports.map(portKey));
  const tcp = OTHER_PORTS.map((port) => ({ port, protocol: "TCP" as const }));
  const flipped: PortProto[] = d.ports.map((p) => ({ port: p.port, protocol: p.protocol === "TCP" ? "UDP" : "TCP" }));
  return [...tcp, ...flipped].filter((p) => !taken.has(portKey(p)));
}

const INGRESS_PORTS: readonly PortProto[] = [
  { port: 8080, protocol: "TCP" },
  { port: 443, protocol: "TCP" },
  { port: 53, protocol: "UDP" },
];

function allPorts(agent: AgentConfig, extra: readonly PortProto[]): PortProto[] {
  const out = new Map<string, PortProto>();
  for (const p of [{ port: 80, protocol: "TCP" as const }, { port: 53, protocol: "UDP" as const }, ...extra])
    out.set(portKey(p), p);
  for (const cls of CONFIG_CLASSES)
    for (const d of destinations(agent, cls)) for (const p of d.ports) out.set(portKey(p), p);
  return [...out.values()].sort((a, b) => portKey(a).localeCompare(portKey(b)));
}

export function networkMatrix(input: NetworkMatrixInput): NetworkCheck[] {
  const ips = new PodIps();
  const out = new Map<string, NetworkCheck>();
  const agentsNs = (labels: Readonly<Record<string, string>>) =>
    podPeer(ips, input.namespace, { ...labels }, { ...input.namespaceLabels });
  const kubeDns = podPeer(ips, KUBE_DNS.namespace, { ...KUBE_DNS.podLabels });
  const probePeer = (p: PeerProbe) =>
    "ip" in p ? externalPeer(p.ip) : podPeer(ips, p.namespace, p.podLabels, p.namespaceLabels);
  const everyone = PHASES.flatMap((p) => input.agents[p].map((a) => ({ phase: p, agent: a })));

  for (const phase of PHASES) {
    for (const agent of input.agents[phase]) {
      const mine = input.sources.filter((s) => s.phase === phase && s.agent === agent.name);
      if (mine.length === 0)
        throw new Error(`no published PodTemplate for agent "${agent.name}" in phase ${phase}: nothing to measure`);
      const ports = allPorts(agent, input.probes?.egressPorts ?? []);
      const cidrs = CONFIG_CLASSES.flatMap((c) => destinations(agent, c)).flatMap((d) => ("cidr" in d ? [d.cidr] : []));
      for (const src of mine) {
        const me = agentsNs(src.labels);
        const base = { section: "network" as const, phase, agent: agent.name, tier: src.tier };
        const egress = (
          scope: string,
          basis: string,
          peer: TrafficPeer | undefined,
          object: string,
          pp: readonly PortProto[],
        ) => {
          if (!peer) return;
          for (const p of pp) {
            const key = [phase, agent.name, src.tier, "out", JSON.stringify(peer), portKey(p)].join("|");
            if (out.has(key)) continue;
            const expected = expectedEgress(
              input.namespace,
              phase,
              agent,
              peer,
              p.port,
              p.protocol,
              input.approvalProxy,
            );
            const traffic: Traffic = {
              Source: me,
              Destination: peer,
              Protocol: p.protocol,
              ResolvedPort: p.port,
              ResolvedPortName: "",
            };
            out.set(key, { ...base, scope, basis, verb: portKey(p), object, expected, traffic });
          }
        };
        const ingress = (peer: TrafficPeer, object: string) => {
          for (const p of [...INGRESS_PORTS, ...(input.probes?.ingressPorts ?? [])]) {
            const key = [phase, agent.name, src.tier, "in", JSON.stringify(peer), portKey(p)].join("|");
            if (out.has(key)) continue;
            const traffic: Traffic = {
              Source: peer,
              Destination: me,
              Protocol: p.protocol,
              ResolvedPort: p.port,
              ResolvedPortName: "",
            };
            out.set(key, {
              ...base,
              scope: "ingress",
              basis: "default deny",
              verb: portKey(p),
              object: `from ${object}`,
              expected: "deny",
              traffic,
            });
          }
        };

        // The catalog's grants: DNS from the foundation, and every configured destination of every class.
        egress("egress dns", "catalog", kubeDns, peerLabel(kubeDns), [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ]);
        egress("egress dns", "catalog", kubeDns, `${peerLabel(kubeDns)} [other port]`, [{ port: 80, protocol: "TCP" }]);
        egress(
          "egress dns",
          "catalog",
          podPeer(ips, KUBE_DNS.namespace, { app: "sample" }),
          `pod ${KUBE_DNS.namespace}/app=sample [not kube-dns]`,
          [{ port: 53, protocol: "UDP" }],
        );
        egress("egress dns", "catalog", externalPeer("8.8.8.8"), "8.8.8.8 [outside resolver]", [
          { port: 53, protocol: "UDP" },
        ]);
        for (const cls of CONFIG_CLASSES) {
          destinations(agent, cls).forEach((d, i) => {
            const peer = destinationPeer(ips, d, `${cls}-sample-${i}`);
            const what = `${describeDestination(d)}${peer && "cidr" in d ? ` → ${peer.IP}` : ""}`;
            egress(`egress ${cls}`, "catalog", peer, what, d.ports);
            egress(`egress ${cls}`, "catalog", peer, `${what} [other port]`, otherPorts(d));
          });
        }
        // Never reached through any destination: metadata services, private ranges, IPv6.
        const metadata = [METADATA_IPV4, METADATA_IPV6];
        for (const ip of METADATA_ADDRESSES)
          egress(
            "egress metadata",
            "forbidden",
            externalPeer(ip),
            `${ip} (${metadata.find((m) => m.includes(":") === ip.includes(":"))})`,
            ports,
          );
        for (const range of [...PRIVATE_IPV4, ...PRIVATE_IPV6]) {
          // Avoid only the agent's explicit targets inside the range (a /32 on the API server), not broad CIDRs around it.
          const ip = sampleAddress(
            range,
            cidrs.filter((c) => cidrInside(range, c)),
          );
          if (ip) egress("egress private range", "forbidden", externalPeer(ip), `${range} → ${ip}`, ports);
        }
        egress("egress ipv6", "forbidden", externalPeer(PUBLIC_IPV6), PUBLIC_IPV6, ports);
        // Pods nobody configured: in the target namespaces, an unrelated one, and the agents namespace.
        for (const ns of [...agent.targetNamespaces, UNRELATED_NAMESPACE])
          egress("egress other ns", "default deny", podPeer(ips, ns, { app: "sample" }), `pod ${ns}/app=sample`, ports);
        egress(
          "egress agents ns",
          "default deny",
          agentsNs({ app: "sample" }),
          `pod ${input.namespace}/app=sample`,
          ports,
        );
        for (const other of input.sources.filter((s) => s.agent !== agent.name || s.phase !== phase)) {
          const whose = other.agent === agent.name ? "own agent's pod in another phase" : "another agent's pod";
          if (other.tier === src.tier) egress("egress agents ns", "default deny", agentsNs(other.labels), whose, ports);
        }
        // Another agent's destinations, with its ports.
        for (const o of everyone.filter((x) => x.agent.name !== agent.name)) {
          for (const cls of CATALOG[o.phase].egress) {
            destinations(o.agent, cls).forEach((d, i) => {
              const peer = destinationPeer(ips, d, `${cls}-sample-${i}`);
              egress(
                "egress another agent's",
                "catalog",
                peer,
                `${o.agent.name}'s ${cls} ${describeDestination(d)}${peer && "cidr" in d ? ` → ${peer.IP}` : ""}`,
                d.ports,
              );
            });
          }
        }
        // Every peer the judged policies name, on every port: only what the config grants may answer.
        for (const probe of input.probes?.egressPeers ?? [])
          egress("egress policy peer", "catalog", probePeer(probe), probe.label, ports);
        // Nothing connects to an agent pod: not DNS, not a destination, not another agent, not the outside.
        ingress(kubeDns, peerLabel(kubeDns));
        for (const ns of agent.targetNamespaces) ingress(podPeer(ips, ns, { app: "sample" }), `pod ${ns}/app=sample`);
        for (const cls of CONFIG_CLASSES) {
          destinations(agent, cls).forEach((d, i) => {
            const peer = destinationPeer(ips, d, `${cls}-sample-${i}`);
            if (peer?.Internal) ingress(peer, `${cls} ${peerLabel(peer)}`);
          });
        }
        ingress(agentsNs({ app: "sample" }), `pod ${input.namespace}/app=sample`);
        for (const probe of input.probes?.ingressPeers ?? []) ingress(probePeer(probe), probe.label);
        ingress(externalPeer("203.0.113.7"), "203.0.113.7 (outside)");
        ingress(externalPeer("10.0.0.7"), "10.0.0.7 (private)");
      }
    }
  }
  return [...out.values()];
}
