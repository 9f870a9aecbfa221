/**
 * The egress of a pod is the union of every NetworkPolicy that selects it (NetworkPolicies only add), so in
 * `--stack` mode and in the pack the network limits are judged again over that union: two policies each opening
 * half the ports, or half the address space, to the same pods are judged as one. Pure.
 */
import type { Manifest } from "../model/manifest";
import { egressReach, type EgressReach } from "./egress-reach";
import { everyNamespaceFindings, publicShareFindings, widePrivateFindings } from "./network";
import { describeObject, field, podLabelsOf, podSpecOf, POD_KINDS } from "./paths";
import { SelectorIndex } from "./selector-index";
import { selects } from "./stack";
import type { StackFinding, StackRule } from "./types";

/** The NetworkPolicies in the pod's namespace (`byNamespace`) that select its labels. */
function selectingOf(
  pod: Manifest,
  byNamespace: ReadonlyMap<string, SelectorIndex<Manifest>>,
  defaultNamespace: string,
): readonly Manifest[] {
  const labels = podLabelsOf(pod);
  const index = byNamespace.get(pod.metadata?.namespace ?? defaultNamespace);
  return index ? index.selecting(labels, (np) => selects(field(np, "spec", "podSelector"), labels)) : [];
}

/** Egress rules of the selecting policies, each named by its policy. */
function unionOf(selecting: readonly Manifest[]): EgressReach[] {
  return selecting.flatMap((np) =>
    egressReach(np).map((r) => ({ ...r, at: `NetworkPolicy ${np.metadata?.name} ${r.at}` })),
  );
}

export const egressUnionBounded: StackRule = {
  name: "egress-union-bounded",
  domain: "network",
  scope: "stack",
  security: true,
  kinds: ["NetworkPolicy", ...POD_KINDS],
  settings: ["maxPublicEgressShare", "maxBroadEgressPorts", "minPrivateEgressPrefixV4", "minPrivateEgressPrefixV6"],
  description:
    "The union of all NetworkPolicies selecting a pod stays within the egress limits: no large share of the public space, no wide private range and no every-namespace on all ports, however the grant is split across policies.",
  remediationSteps:
    "Merge the agent's egress into its one NetworkPolicy and name only the destinations and ports it needs.",
  validate: (objects, settings) => {
    // Policies grouped by namespace, and each distinct set of selecting policies judged once: pods selected
    // alike (every replica, every pod of an agent) share one union, never one union per pod (pods × rules).
    const byNamespace = new Map<string, Manifest[]>();
    const index = new Map<Manifest, number>();
    for (const np of objects.filter((o) => o.kind === "NetworkPolicy")) {
      const ns = np.metadata?.namespace ?? settings.namespace;
      index.set(np, index.size);
      const group = byNamespace.get(ns);
      if (group) group.push(np);
      else byNamespace.set(ns, [np]);
    }
    const selectors = new Map(
      [...byNamespace].map(([ns, policies]) => [
        ns,
        new SelectorIndex(policies, (np) => field(np, "spec", "podSelector")),
      ]),
    );
    const judged = new Map<string, string[]>();
    return objects
      .filter((o) => podSpecOf(o) !== undefined)
      .flatMap((pod): StackFinding[] => {
        const selecting = selectingOf(pod, selectors, settings.namespace);
        if (selecting.length < 2) return []; // one policy alone is judged by the resource rules
        const key = selecting.map((np) => index.get(np)).join(",");
        let found = judged.get(key);
        if (!found) {
          const rules = unionOf(selecting);
          judged.set(
            key,
            (found = [
              ...publicShareFindings(rules, settings),
              ...widePrivateFindings(rules, settings),
              ...everyNamespaceFindings(rules, settings),
            ]),
          );
        }
        const names = selecting.map((np) => np.metadata?.name ?? "?");
        return found.map((message) => ({
          message: `${describeObject(pod)}, selected by ${names.join(", ")}: ${message}`,
          object: pod,
        }));
      });
  },
};

export const NETWORK_STACK_RULES: readonly StackRule[] = [egressUnionBounded];
