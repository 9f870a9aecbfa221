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
    violating: withEgress({ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } }] }),
    expect: /spec\.egress\[3\]\.to\[0\] allows 0\.0\.0\.0\/0 on every port/,
    // An egress rule with ports but no `to` reaches every destination on those ports.
    missing: patch(egressPolicy(), (o) => delete o.spec.egress[0].to),
    missingExpect: /spec\.egress\[0\] has no "to": it allows every destination on its ports/,
  },
  {
    rule: n.egressExcludesMetadata,
    compliant: egressPolicy(),
    violating: withEgress({ to: [{ ipBlock: { cidr: "fd00::/8" } }], ports: [{ port: 443 }] }),
    expect: /fd00::\/8 contains fd00:ec2::\/32 but does not except it/,
    missing: patch(egressPolicy(), (o) => delete o.spec.egress[0].to[0].ipBlock.except),
    missingExpect: /0\.0\.0\.0\/0 contains 169\.254\.0\.0\/16 but does not except it/,
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
