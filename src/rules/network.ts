/**
 * NetworkPolicy rules: no allow-all egress, broad CIDRs carve out the cloud metadata ranges, and agent pods
 * accept no ingress. CIDR arithmetic comes from `model/cidr.ts`, shared with the planner that writes the excepts.
 */
import { cidrContains, metadataRange, parseCidr } from "../model/cidr";
import type { Manifest } from "../plan/manifest";
import { field, isObj, list, show } from "./paths";
import type { ResourceRule } from "./types";

const ALL_V4 = "0.0.0.0/0";
const ALL_V6 = "::/0";

interface EgressRuleAt {
  readonly at: string;
  readonly rule: unknown;
  readonly peers: unknown[];
  readonly ports: unknown[];
}

function egressRules(obj: Manifest): EgressRuleAt[] {
  return list(field(obj, "spec", "egress")).map((rule, i) => ({
    at: `spec.egress[${i}]`,
    rule,
    peers: list(field(rule, "to")),
    ports: list(field(rule, "ports")),
  }));
}

export const noAllowAllEgress: ResourceRule = {
  name: "no-allow-all-egress",
  domain: "network",
  scope: "resource",
  security: true,
  kinds: ["NetworkPolicy"],
  reads: ["spec.egress"],
  description:
    "No egress rule that allows everything: `{}`, a rule without `to` (every destination), or 0.0.0.0/0 or ::/0 on all ports.",
  remediationSteps:
    "Name each destination (a CIDR with its except list, or namespace/pod selectors) and the ports it needs.",
  validate: (obj) =>
    egressRules(obj).flatMap((r) => {
      if (!isObj(r.rule)) return [`${r.at} is not an egress rule object`];
      if (r.peers.length === 0) {
        return [`${r.at} has no "to": it allows every destination${r.ports.length ? " on its ports" : " on every port"}`];
      }
      if (r.ports.length > 0) return [];
      return r.peers.flatMap((p, j) => {
        const cidr = field(p, "ipBlock", "cidr");
        return cidr === ALL_V4 || cidr === ALL_V6 ? [`${r.at}.to[${j}] allows ${cidr} on every port`] : [];
      });
    }),
};

export const egressExcludesMetadata: ResourceRule = {
  name: "egress-excludes-metadata",
  domain: "network",
  scope: "resource",
  security: true,
  kinds: ["NetworkPolicy"],
  reads: ["spec.egress[].to[].ipBlock"],
  description:
    "Any egress CIDR that contains a cloud metadata range (169.254.0.0/16, fd00:ec2::/32) lists it in `except`, and no CIDR points inside one.",
  remediationSteps: "Add 169.254.0.0/16 (IPv4) or fd00:ec2::/32 (IPv6) to the ipBlock's except list.",
  validate: (obj) =>
    egressRules(obj).flatMap((r) =>
      r.peers.flatMap((p, j) => {
        const block = field(p, "ipBlock");
        if (block === undefined) return [];
        const at = `${r.at}.to[${j}].ipBlock`;
        const cidrText = field(block, "cidr");
        const cidr = typeof cidrText === "string" ? parseCidr(cidrText) : undefined;
        if (!cidr) return [`${at}.cidr is ${show(cidrText)}, not a CIDR`];
        const meta = metadataRange(cidr.family);
        if (cidrContains(meta, cidr)) return [`${at}.cidr ${cidr.text} lies inside the metadata range ${meta.text}`];
        if (!cidrContains(cidr, meta)) return [];
        const excepts = list(field(block, "except")).map((e) => (typeof e === "string" ? parseCidr(e) : undefined));
        return excepts.some((e) => e && cidrContains(e, meta))
          ? []
          : [`${at}.cidr ${cidr.text} contains ${meta.text} but does not except it`];
      }),
    ),
};

export const noIngressToAgents: ResourceRule = {
  name: "no-ingress-to-agents",
  domain: "network",
  scope: "resource",
  security: true,
  kinds: ["NetworkPolicy"],
  settings: ["namespace"],
  reads: ["spec.ingress", "metadata.namespace"],
  description: "No NetworkPolicy in the agents namespace allows ingress: nothing connects to an agent pod.",
  remediationSteps: "Remove spec.ingress (keep Ingress in policyTypes, which then denies all ingress).",
  validate: (obj, ctx) => {
    const ns = obj.metadata?.namespace;
    if (ns !== undefined && ns !== ctx.namespace) return [];
    const ingress = list(field(obj, "spec", "ingress"));
    return ingress.length === 0 ? [] : [`spec.ingress allows ${ingress.length} ingress rule(s) into the agents namespace`];
  },
};

export const NETWORK_RULES: readonly ResourceRule[] = [noAllowAllEgress, egressExcludesMetadata, noIngressToAgents];
