/**
 * The egress of a pod is the union of every NetworkPolicy that selects it (NetworkPolicies only add), so in
 * `--stack` mode and in the pack the network limits are judged again over that union: two policies each opening
 * half the ports, or half the address space, to the same pods are judged as one. Pure.
 */
import type { Manifest } from "../plan/manifest";
import { egressReach, type EgressReach } from "./egress-reach";
import { everyNamespaceFindings, publicShareFindings, widePrivateFindings } from "./network";
import { describeObject, field, podLabelsOf, podSpecOf, POD_KINDS } from "./paths";
import { selects } from "./stack";
import type { StackFinding, StackRule } from "./types";

/** Egress rules of every NetworkPolicy in the pod's namespace that selects its labels, each named by its policy. */
function unionFor(pod: Manifest, policies: readonly Manifest[], defaultNamespace: string): { rules: EgressReach[]; names: string[] } {
  const ns = pod.metadata?.namespace ?? defaultNamespace;
  const labels = podLabelsOf(pod);
  const selecting = policies.filter((np) => (np.metadata?.namespace ?? defaultNamespace) === ns && selects(field(np, "spec", "podSelector"), labels));
  return {
    rules: selecting.flatMap((np) => egressReach(np).map((r) => ({ ...r, at: `NetworkPolicy ${np.metadata?.name} ${r.at}` }))),
    names: selecting.map((np) => np.metadata?.name ?? "?"),
  };
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
  remediationSteps: "Merge the agent's egress into its one NetworkPolicy and name only the destinations and ports it needs.",
  validate: (objects, settings) => {
    const policies = objects.filter((o) => o.kind === "NetworkPolicy");
    return objects
      .filter((o) => podSpecOf(o) !== undefined)
      .flatMap((pod): StackFinding[] => {
        const { rules, names } = unionFor(pod, policies, settings.namespace);
        if (names.length < 2) return []; // one policy alone is judged by the resource rules
        const found = [...publicShareFindings(rules, settings), ...widePrivateFindings(rules, settings), ...everyNamespaceFindings(rules, settings)];
        return found.map((message) => ({ message: `${describeObject(pod)}, selected by ${names.join(", ")}: ${message}`, object: pod }));
      });
  },
};

export const NETWORK_STACK_RULES: readonly StackRule[] = [egressUnionBounded];
