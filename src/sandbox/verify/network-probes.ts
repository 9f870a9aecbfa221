/**
 * What the policies being judged mention, turned into extra questions: every port they name and a pod or an
 * address for every peer they name. The answers expected for these still come from the catalog and the config
 * alone — the policies decide what is asked, never what the answer must be — so a rule widened to an odd port
 * or to an extra peer is asked about wherever it could leak. Pure.
 */
import type { Manifest } from "../../model/manifest";
import type { Protocol } from "./cyclonus";
import { NAME_LABEL, portKey, sampleAddress, type PortProto } from "./network-peers";

/** A peer a policy names: an address, or a pod with the labels its selectors require. */
export type PeerProbe =
  | { readonly ip: string; readonly label: string }
  | {
      readonly namespace: string;
      readonly namespaceLabels: Record<string, string>;
      readonly podLabels: Record<string, string>;
      readonly label: string;
    };

export interface PolicyProbes {
  readonly egressPorts: readonly PortProto[];
  readonly ingressPorts: readonly PortProto[];
  readonly egressPeers: readonly PeerProbe[];
  readonly ingressPeers: readonly PeerProbe[];
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface PolicyPeer {
  ipBlock?: { cidr: string; except?: string[] };
  namespaceSelector?: Selector;
  podSelector?: Selector;
}
interface PolicyRule {
  to?: PolicyPeer[];
  from?: PolicyPeer[];
  ports?: { port?: number | string; endPort?: number; protocol?: string }[];
}

/** Labels that satisfy a selector: its matchLabels, plus the first value of each `In` and a value for `Exists`. */
function labelsFor(s: Selector | undefined): Record<string, string> {
  const out: Record<string, string> = { ...(s?.matchLabels ?? {}) };
  for (const e of s?.matchExpressions ?? []) {
    if (e.operator === "In" && e.values?.[0] !== undefined) out[e.key] = e.values[0];
    else if (e.operator === "Exists") out[e.key] = "present";
  }
  return out;
}

function rulePorts(rules: readonly PolicyRule[]): PortProto[] {
  const out = new Map<string, PortProto>();
  for (const r of rules)
    for (const p of r.ports ?? []) {
      // Named ports need the destination pod's container ports; the sampled numeric ones still cover their rules.
      if (typeof p.port !== "number") continue;
      const protocol: Protocol = p.protocol === "UDP" ? "UDP" : "TCP";
      for (const port of [p.port, ...(p.endPort ? [p.endPort] : [])])
        out.set(portKey({ port, protocol }), { port, protocol });
    }
  return [...out.values()];
}

function rulePeers(policy: Manifest, rules: readonly PolicyRule[], side: "to" | "from"): PeerProbe[] {
  return rules.flatMap((r, i) =>
    (r[side] ?? []).flatMap((peer, j): PeerProbe[] => {
      if (peer.ipBlock) {
        const ip = sampleAddress(peer.ipBlock.cidr, peer.ipBlock.except ?? []);
        return ip ? [{ ip, label: `${peer.ipBlock.cidr} → ${ip}` }] : [];
      }
      const nsLabels = labelsFor(peer.namespaceSelector);
      const namespace = peer.namespaceSelector
        ? (nsLabels[NAME_LABEL] ?? `policy-peer-${i}-${j}`)
        : policy.metadata.namespace!;
      const podLabels = peer.podSelector ? labelsFor(peer.podSelector) : { app: "sample" };
      const ns = Object.entries(nsLabels)
        .filter(([k]) => k !== NAME_LABEL)
        .map(([k, v]) => `${k}=${v}`);
      const pods = Object.entries(podLabels).map(([k, v]) => `${k}=${v}`);
      return [
        {
          namespace,
          namespaceLabels: nsLabels,
          podLabels,
          label: `pod ${namespace}${ns.length ? `{${ns.join(",")}}` : ""}/${pods.join(",")}`,
        },
      ];
    }),
  );
}

export function policyProbes(policies: readonly Manifest[]): PolicyProbes {
  const spec = (p: Manifest) => (p.spec ?? {}) as { egress?: PolicyRule[]; ingress?: PolicyRule[] };
  return {
    egressPorts: rulePorts(policies.flatMap((p) => spec(p).egress ?? [])),
    ingressPorts: rulePorts(policies.flatMap((p) => spec(p).ingress ?? [])),
    egressPeers: policies.flatMap((p) => rulePeers(p, spec(p).egress ?? [], "to")),
    ingressPeers: policies.flatMap((p) => rulePeers(p, spec(p).ingress ?? [], "from")),
  };
}
