/** NetworkPolicy rules, each through the policy pack and the offline checker. */
import * as n from "../src/rules/network";
import { NETWORK_RULES } from "../src/rules/network";
import { describeCases, patch, type Case } from "./rules-harness";
import { defaultDeny, egressPolicy } from "./rules-samples";

const withEgress = (rule: object) => patch(egressPolicy(), (o) => o.spec.egress.push(rule));

const cases: Case[] = [
  {
    rule: n.noAllowAllEgress,
    compliant: [egressPolicy(), defaultDeny()],
    // The default route split in halves, each on its own rule, is still the whole internet on every port.
    // (and so are two rules opening the lower and upper port halves of it).
    violating: patch(egressPolicy(), (o) =>
      o.spec.egress.push(
        { to: [{ ipBlock: { cidr: "0.0.0.0/1" } }], ports: [{ port: 1, endPort: 30000 }] },
        {
          to: [{ ipBlock: { cidr: "128.0.0.0/1" } }, { ipBlock: { cidr: "0.0.0.0/1" } }],
          ports: [{ port: 30001, endPort: 65535 }],
        },
        { to: [{ ipBlock: { cidr: "128.0.0.0/1" } }], ports: [{ port: 1, endPort: 30000 }] },
      ),
    ),
    expect:
      /spec\.egress\[0\], spec\.egress\[3\], spec\.egress\[4\], spec\.egress\[5\] open 100\.0% of the public IPv4 space on more than 16 ports/,
    // An egress rule with ports but no `to` reaches every destination on those ports.
    missing: patch(egressPolicy(), (o) => delete o.spec.egress[0].to),
    missingExpect: /spec\.egress\[0\] has no "to": it allows every destination on its ports \(TCP 443\)/,
  },
  {
    rule: n.egressExcludesMetadata,
    compliant: egressPolicy(),
    violating: withEgress({ to: [{ ipBlock: { cidr: "fd00::/8" } }], ports: [{ port: 443 }] }),
    expect: /spec\.egress\[3\] reaches AWS IPv6 metadata .* fd00:ec2::\/32 \(e\.g\. fd00:ec2::\) on TCP 443/,
    missing: patch(egressPolicy(), (o) => delete o.spec.egress[0].to[0].ipBlock.except),
    missingExpect: /spec\.egress\[0\] reaches IPv4 link-local .* \(e\.g\. 169\.254\.0\.0\) on TCP 443/,
  },
  {
    rule: n.egressNoWidePrivate,
    compliant: [egressPolicy(), withEgress({ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }], ports: [{ port: 5432 }] })],
    violating: withEgress({ to: [{ ipBlock: { cidr: "10.0.0.0/15" } }], ports: [{ port: 1, endPort: 1024 }] }),
    expect:
      /spec\.egress\[3\] open 131072 private IPv4 addresses \(from 10\.0\.0\.0\) on more than 16 ports; at most a \/16/,
    missing: withEgress({ to: [{ ipBlock: { cidr: "172.16.0.0/12" } }] }),
    missingExpect: /spec\.egress\[3\] open 1048576 private IPv4 addresses/,
  },
  {
    rule: n.egressNoEveryNamespace,
    compliant: [egressPolicy(), withEgress({ to: [{ namespaceSelector: {} }], ports: [{ port: 8080 }] })],
    violating: withEgress({
      to: [{ namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "Exists" }] } }],
    }),
    expect: /spec\.egress\[3\] reach every namespace on every TCP port; every UDP port; every SCTP port/,
    missing: withEgress({
      to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "db" } } }],
      ports: [{ port: 1, endPort: 65535 }],
    }),
    missingExpect: /spec\.egress\[3\] reach every namespace on every TCP port \(more than 16 ports\)/,
  },
  {
    rule: n.noIngressToAgents,
    compliant: [egressPolicy(), defaultDeny()],
    violating: patch(egressPolicy(), (o) => (o.spec.ingress = [{ from: [{ podSelector: {} }] }])),
    expect: /allows 1 ingress rule\(s\) into the agents namespace/,
    // Without a namespace the policy lands in the agents namespace by default, so it is judged.
    missing: patch(egressPolicy(), (o) => {
      delete o.metadata.namespace;
      o.spec.ingress = [{}];
    }),
    missingExpect: /ingress rule/,
  },
];

describeCases("network", NETWORK_RULES, cases);
