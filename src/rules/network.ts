/**
 * NetworkPolicy rules, judged on reachability (`egress-reach.ts`), not spelling: no egress to a cloud metadata
 * endpoint however it is written, no large share of the public address space, no wide private range and no
 * "every namespace" on all ports (a destination open on more than `maxBroadEgressPorts` ports in one protocol
 * counts as all ports, and the rules of one policy are a union), and no ingress into the agents namespace.
 */
import {
  addrCount,
  addrIntersect,
  addrIsEmpty,
  addrMeets,
  firstAddress,
  metadataHits,
  privatePart,
  PUBLIC,
  publicShareMillionths,
  reach,
  type AddrSet,
} from "../model/addrset";
import { ALL_PORTS, describePorts, portUnionOf, widestCount } from "../model/portset";
import type { Manifest } from "../model/manifest";
import { addressesOnWidePorts, egressReach, type EgressReach } from "./egress-reach";
import { field, list } from "./paths";
import type { ResourceRule, RuleContext, RuleSettings } from "./types";
import { FOUNDATION_NAMES, LABELS } from "../model/naming";
import { PROXY_POD_LABELS, PROXY_PORT } from "../plan/approval-endpoint";

type EgressSettings = Pick<
  RuleSettings,
  "maxPublicEgressShare" | "maxBroadEgressPorts" | "minPrivateEgressPrefixV4" | "minPrivateEgressPrefixV6"
>;

const NETWORK = ["NetworkPolicy"];
const egressReads = ["spec.egress"];

/** The rules whose reach meets `part`, named for a message. */
function culprits(rules: readonly EgressReach[], part: AddrSet): string {
  const at = rules.filter((r) => addrMeets(reach(r.addrs), part)).map((r) => r.at);
  return at.length ? at.join(", ") : "spec.egress";
}

const percent = (millionths: number) => `${(millionths / 10_000).toFixed(millionths < 10_000 ? 4 : 1)}%`;

type Limits = Pick<RuleSettings, keyof EgressSettings>;

/** A large share of the public IPv4 or IPv6 space on all ports, over the union of `rules`. */
export function publicShareFindings(rules: readonly EgressReach[], ctx: Limits): string[] {
  const wide = addressesOnWidePorts(rules, ctx.maxBroadEgressPorts);
  if (addrIsEmpty(wide)) return [];
  const limit = Math.floor(ctx.maxPublicEgressShare * 1_000_000);
  const out: string[] = [];
  for (const [family, label] of [
    [4, "IPv4"],
    [6, "IPv6"],
  ] as const) {
    const share = publicShareMillionths(wide, family);
    if (share > limit) {
      const part =
        family === 4 ? { v4: addrIntersect(wide, PUBLIC).v4, v6: [] } : { v4: [], v6: addrIntersect(wide, PUBLIC).v6 };
      out.push(
        `${culprits(rules, part)} open ${percent(share)} of the public ${label} space on more than ${ctx.maxBroadEgressPorts} ports (limit ${percent(limit)}): that is the internet on all ports`,
      );
    }
  }
  return out;
}

/** More private space on all ports than one block of the configured prefix, over the union of `rules`. */
export function widePrivateFindings(rules: readonly EgressReach[], ctx: Limits): string[] {
  const wide = addressesOnWidePorts(rules, ctx.maxBroadEgressPorts);
  if (addrIsEmpty(wide)) return [];
  const priv = privatePart(wide);
  const out: string[] = [];
  for (const [family, prefix, bits] of [
    [4, ctx.minPrivateEgressPrefixV4, 32],
    [6, ctx.minPrivateEgressPrefixV6, 128],
  ] as const) {
    const count = addrCount(priv, family);
    if (count > 1n << BigInt(bits - prefix)) {
      const part = family === 4 ? { v4: priv.v4, v6: [] } : { v4: [], v6: priv.v6 };
      out.push(
        `${culprits(rules, part)} open ${count} private IPv${family} addresses (from ${firstAddress(part)}) on more than ${ctx.maxBroadEgressPorts} ports; at most a /${prefix} may be open on all ports`,
      );
    }
  }
  return out;
}

/** Every namespace on all ports, over the union of `rules`. */
export function everyNamespaceFindings(rules: readonly EgressReach[], ctx: Limits): string[] {
  const broad = rules.filter((r) => r.everyNamespace);
  const ports = portUnionOf(broad.map((r) => r.ports));
  return widestCount(ports) > ctx.maxBroadEgressPorts
    ? [
        `${broad.map((r) => r.at).join(", ")} reach every namespace on ${describePorts(ports)} (more than ${ctx.maxBroadEgressPorts} ports)`,
      ]
    : [];
}

/** A security rule of the network domain on a NetworkPolicy. */
const networkRule = (r: Omit<ResourceRule, "domain" | "scope" | "security" | "kinds">): ResourceRule => ({
  domain: "network",
  scope: "resource",
  security: true,
  kinds: NETWORK,
  ...r,
});

/** A security rule of the network domain on a NetworkPolicy's egress. */
const egressRule = (r: Omit<ResourceRule, "domain" | "scope" | "security" | "kinds" | "reads">): ResourceRule => ({
  domain: "network",
  scope: "resource",
  security: true,
  kinds: NETWORK,
  reads: egressReads,
  ...r,
});

export const noAllowAllEgress = egressRule({
  name: "no-allow-all-egress",
  settings: ["maxPublicEgressShare", "maxBroadEgressPorts"],
  description:
    "No egress rule without `to` (every destination), and no policy that opens more than a small share of the public IPv4 or IPv6 space on all ports, however the CIDRs are split.",
  remediationSteps:
    "Name each destination (a CIDR with its except list, or namespace/pod selectors) and the few ports it needs.",
  validate: (obj, ctx) => {
    const rules = egressReach(obj);
    const everywhere = rules
      .filter((r) => r.everywhere)
      .map(
        (r) =>
          `${r.at} has no "to": it allows every destination ${r.ports === ALL_PORTS ? "on every port" : `on its ports (${describePorts(r.ports)})`}`,
      );
    return [...everywhere, ...publicShareFindings(rules, ctx)];
  },
});

export const egressExcludesMetadata = egressRule({
  name: "egress-excludes-metadata",
  description:
    "No egress reaches a cloud metadata endpoint (169.254.0.0/16, fe80::/10, fd00:ec2::/32, fd20:ce::254, 168.63.129.16, 100.100.100.200, 192.0.0.192), in any spelling: host bits, leading zeros, IPv4-mapped IPv6 or NAT64; and no egress value the API server would refuse.",
  remediationSteps:
    "List the metadata ranges in the ipBlock's except (the planner does: see requiredExcepts in src/model/cidr.ts), or use a narrower CIDR.",
  validate: (obj) =>
    egressReach(obj).flatMap((r) => [
      ...r.problems,
      ...metadataHits(r.addrs).map(
        (h) =>
          `${r.at} reaches ${h.endpoint.name} ${h.endpoint.cidr} (e.g. ${firstAddress(h.reached)}) on ${describePorts(r.ports)}`,
      ),
    ]),
});

export const egressNoWidePrivate = egressRule({
  name: "egress-no-wide-private",
  settings: ["maxBroadEgressPorts", "minPrivateEgressPrefixV4", "minPrivateEgressPrefixV6"],
  description:
    "No policy opens more private address space (RFC 1918, 100.64.0.0/10, fc00::/7) on all ports than one /16 (IPv4) or /48 (IPv6) by default: the cluster's pod, service and node networks are there.",
  remediationSteps:
    "Name the service's own address (a /32 or a small block) and its ports, or select its pods by label.",
  validate: (obj, ctx) => widePrivateFindings(egressReach(obj), ctx),
});

export const egressNoEveryNamespace = egressRule({
  name: "egress-no-every-namespace",
  settings: ["maxBroadEgressPorts"],
  description:
    "No policy reaches pods in every namespace (`namespaceSelector: {}`, or a selector with no `matchLabels`/`In` requirement) on all ports.",
  remediationSteps: "Select the destination namespace by name (kubernetes.io/metadata.name) and name its ports.",
  validate: (obj, ctx) => everyNamespaceFindings(egressReach(obj), ctx),
});

/**
 * The foundation's approval proxy policy exactly as planned (src/plan/approval.ts): it selects only the proxy's
 * pods and admits only agent pods of the same namespace, on the proxy's port.
 */
function isApprovalProxyIngress(obj: Manifest, ctx: RuleContext): boolean {
  if (ctx.layer !== "foundation" || obj.metadata?.name !== FOUNDATION_NAMES.approvalProxy) return false;
  const expected = {
    podSelector: { matchLabels: { ...PROXY_POD_LABELS } },
    ingress: [
      {
        from: [{ podSelector: { matchExpressions: [{ key: LABELS.agent, operator: "Exists" }] } }],
        ports: [{ port: PROXY_PORT, protocol: "TCP" }],
      },
    ],
  };
  const spec = field(obj, "spec");
  return (
    JSON.stringify(field(spec, "podSelector")) === JSON.stringify(expected.podSelector) &&
    JSON.stringify(field(spec, "ingress")) === JSON.stringify(expected.ingress)
  );
}

export const noIngressToAgents = networkRule({
  name: "no-ingress-to-agents",
  settings: ["namespace"],
  reads: ["spec.ingress", "metadata.namespace"],
  description:
    "No NetworkPolicy in the agents namespace allows ingress: nothing connects to an agent pod. The one exception is the foundation's approval proxy: its own policy lets agent pods of the namespace reach exactly the proxy's pods on its port.",
  remediationSteps: "Remove spec.ingress (keep Ingress in policyTypes, which then denies all ingress).",
  validate: (obj: Manifest, ctx) => {
    const ns = obj.metadata?.namespace;
    if (ns !== undefined && ns !== ctx.namespace) return [];
    if (isApprovalProxyIngress(obj, ctx)) return [];
    const ingress = list(field(obj, "spec", "ingress"));
    return ingress.length === 0
      ? []
      : [`spec.ingress allows ${ingress.length} ingress rule(s) into the agents namespace`];
  },
});

export const NETWORK_RULES: readonly ResourceRule[] = [
  noAllowAllEgress,
  egressExcludesMetadata,
  egressNoWidePrivate,
  egressNoEveryNamespace,
  noIngressToAgents,
];
