/** RBAC rules, each through the policy pack and the offline checker. */
import { RBAC_RULES } from "../src/rules/rbac";
import * as r from "../src/rules/rbac";
import { describeCases, patch, type Case } from "./rules-harness";
import { role, roleBinding } from "./rules-samples";

const withRule = (rule: object) => patch(role(), (o) => o.rules.push(rule));
const noRules = patch(role(), (o) => delete o.rules);

const clusterRole = patch(role(), (o) => {
  o.kind = "ClusterRole";
  delete o.metadata.namespace;
});

const cases: Case[] = [
  {
    rule: r.noClusterScopedGrants,
    compliant: role(),
    violating: clusterRole,
    expect: /ClusterRole is cluster-scoped/,
    // A ClusterRoleBinding without a roleRef is still a cluster-wide binding.
    missing: patch(roleBinding(), (o) => {
      o.kind = "ClusterRoleBinding";
      delete o.roleRef;
    }),
    missingExpect: /ClusterRoleBinding is cluster-scoped/,
  },
  {
    rule: r.noRoleBindingToClusterRole,
    compliant: roleBinding(),
    violating: patch(roleBinding(), (o) => (o.roleRef.kind = "ClusterRole")),
    expect: /roleRef.kind is "ClusterRole"/,
    missing: patch(roleBinding(), (o) => delete o.roleRef),
    missingExpect: /roleRef.kind is missing/,
  },
  {
    rule: r.noRbacWildcards,
    compliant: role(),
    violating: withRule({ apiGroups: ["apps"], resources: ["deployments/*"], verbs: ["get"] }),
    expect: /rules\[3\]\.resources contains a wildcard \(deployments\/\*\)/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.noEscalationVerbs,
    compliant: role(),
    violating: withRule({
      apiGroups: ["rbac.authorization.k8s.io"],
      resources: ["roles"],
      verbs: ["escalate", "bind"],
    }),
    expect: /"escalate", "bind"/,
    missing: patch(role(), (o) => delete o.rules[0].verbs),
    missingExpect: false,
  },
  {
    rule: r.noSecretsAccess,
    compliant: role(),
    violating: withRule({ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }),
    expect: /grants "secrets"/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.noPodExec,
    compliant: role(),
    violating: withRule({ apiGroups: [""], resources: ["pods/exec"], verbs: ["get"] }),
    expect: /grants "pods\/exec"/,
    missing: patch(role(), (o) => delete o.rules[0].resources),
    missingExpect: false,
  },
  {
    rule: r.noServiceAccountTokens,
    compliant: role(),
    violating: withRule({ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] }),
    expect: /serviceaccounts\/token/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.noWorkloadCreate,
    compliant: role(),
    violating: withRule({ apiGroups: ["batch"], resources: ["jobs"], verbs: ["create"] }),
    expect: /grants "jobs" with "create"/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.noIdentityWrites,
    compliant: withRule({ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get", "list"] }),
    violating: withRule({ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["update"] }),
    expect: /grants "rolebindings" with "update"/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.noDeleteCollection,
    compliant: role(),
    violating: withRule({ apiGroups: [""], resources: ["pods"], verbs: ["deletecollection"] }),
    expect: /deletecollection/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.noDestructiveDelete,
    compliant: role(),
    violating: withRule({ apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["delete"] }),
    expect: /grants "persistentvolumeclaims" with "delete"/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.noClusterOnlyResources,
    compliant: role(),
    violating: withRule({
      apiGroups: ["certificates.k8s.io"],
      resources: ["certificatesigningrequests/approval"],
      verbs: ["get"],
    }),
    expect: /certificatesigningrequests\/approval/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.noProxySubresources,
    compliant: role(),
    violating: withRule({ apiGroups: [""], resources: ["services/proxy", "pods/proxy"], verbs: ["get"] }),
    expect: /rules\[3\] grants "services\/proxy", "pods\/proxy": a proxy reaches/,
    missing: noRules,
    missingExpect: false,
  },
  {
    rule: r.verbsWithinPhaseCeiling,
    given: { phase: "remediation" },
    compliant: role(),
    // Remediation may patch deployments but not scale them; that is autonomous.
    violating: withRule({ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] }),
    expect: /"patch" on apps\/deployments\/scale is above the ceiling of phase "remediation"/,
    // Without apiGroups the rule is judged as the core group, not as granting nothing.
    missing: withRule({ resources: ["configmaps"], verbs: ["patch"] }),
    missingExpect: /"patch" on configmaps is above the ceiling of phase "remediation"/,
  },
  {
    rule: r.bindingSubjectsServiceAccounts,
    compliant: roleBinding(),
    violating: patch(roleBinding(), (o) =>
      o.subjects.push(
        { kind: "Group", name: "system:serviceaccounts:ai-agents" },
        { kind: "ServiceAccount", name: "default", namespace: "ai-agents" },
      ),
    ),
    expect: /subjects\[1\]\.kind is "Group"/,
    missing: patch(roleBinding(), (o) => delete o.subjects),
    missingExpect: /subjects is empty or missing/,
  },
];

describeCases("rbac", RBAC_RULES, cases);
