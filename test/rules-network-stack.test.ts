/** The network limits over the union of NetworkPolicies selecting one pod, through the pack and `check --stack`. */
import * as ns from "../src/rules/network-stack";
import { NETWORK_STACK_RULES } from "../src/rules/network-stack";
import { describeCases, patch, type Case } from "./rules-harness";
import { egressPolicy, wholeStack } from "./rules-samples";

const CARVED = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
  "168.63.129.16/32",
  "192.0.0.192/32",
];

/** A second policy for the sample pods: the internet on `ports`, metadata carved. */
const extra = (name: string, ports: object[], to: object[] = [{ ipBlock: { cidr: "0.0.0.0/0", except: CARVED } }]) =>
  patch(egressPolicy(), (o) => {
    o.metadata.name = name;
    o.spec.egress = [{ to, ports }];
  });

const range = (lo: number, hi: number) => [{ port: lo, endPort: hi }];

const cases: Case[] = [
  {
    rule: ns.egressUnionBounded,
    // Two policies, 8 ports each beside the sample's 443: within 16 ports together.
    compliant: [...wholeStack(), extra("more-a", range(8000, 8007))],
    // Twelve ports each: every policy alone is within the limit, their union (with 443) is not.
    violating: [...wholeStack(), extra("more-a", range(8000, 8011)), extra("more-b", range(9000, 9011))],
    expect:
      /PodTemplate ai-agents\/diag-remediation-simple, selected by agent-trust-default-deny, diag-remediation-egress, more-a, more-b: .* open 100\.0% of the public IPv4 space on more than 16 ports/,
    // A policy in another namespace never selects these pods; one in theirs with an empty podSelector does.
    missing: [
      ...wholeStack(),
      patch(extra("elsewhere", range(1, 65535)), (o) => (o.metadata.namespace = "other")),
      patch(extra("all-pods", range(1, 100), [{ namespaceSelector: {} }]), (o) => (o.spec.podSelector = {})),
      patch(
        extra("all-pods-2", range(101, 200), [
          { namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] } },
        ]),
        (o) => (o.spec.podSelector = {}),
      ),
    ],
    missingExpect:
      /selected by .*all-pods, all-pods-2: NetworkPolicy all-pods spec\.egress\[0\], NetworkPolicy all-pods-2 spec\.egress\[0\] reach every namespace on TCP 1-200/,
  },
];

describeCases("network stack", NETWORK_STACK_RULES, cases);
