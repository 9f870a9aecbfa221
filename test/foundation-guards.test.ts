/** The foundation's guard-rail rules on shapes no fixture spells: malformed audit rules, unknown levels, odd quantities. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Manifest } from "../src/model/manifest";
import { auditPolicyRecordsAgents } from "../src/rules/audit-policy";
import { DEFAULT_SETTINGS, contextFor } from "../src/rules";
import { agentsNamespaceLimits, agentsNamespaceQuota } from "../src/rules/namespace-limits";

const policy = (extra: Record<string, unknown>): Manifest => ({
  apiVersion: "audit.k8s.io/v1",
  kind: "Policy",
  metadata: { name: "" },
  ...extra,
});
const judge = (m: Manifest) =>
  auditPolicyRecordsAgents.validate(m, contextFor(m, { layer: "foundation", environment: "prod" }, DEFAULT_SETTINGS));
const GOOD_RULES = [
  {
    level: "RequestResponse",
    userGroups: ["system:serviceaccounts:ai-agents"],
    verbs: ["create", "update", "patch", "delete", "deletecollection"],
  },
  { level: "Metadata", userGroups: ["system:serviceaccounts:ai-agents"] },
];

test("the audit rule: a sound policy passes; each malformed shape is refused, never passed over", () => {
  assert.deepEqual(judge(policy({ rules: GOOD_RULES })), []);
  const refused: [string, Record<string, unknown>][] = [
    ["no rules", { rules: [] }],
    ["rules not a list", { rules: { level: "Metadata" } }],
    ["unknown level", { rules: [{ level: "Everything" }, ...GOOD_RULES] }],
    ["users a string", { rules: [{ level: "None", users: "system:serviceaccount:ai-agents:x" }, ...GOOD_RULES] }],
    ["omitStages a string", { omitStages: "ResponseComplete", rules: GOOD_RULES }],
    ["a rule omits Panic for agents", { rules: [{ ...GOOD_RULES[0], omitStages: ["Panic"] }, GOOD_RULES[1]] }],
    // "*" is no wildcard in an audit rule's verbs: this rule matches no request, so the writes stay uncovered.
    ["verbs [*] cover nothing", { rules: [{ ...GOOD_RULES[0], verbs: ["*"] }, GOOD_RULES[1]] }],
    [
      "system:authenticated silenced first",
      { rules: [{ level: "None", userGroups: ["system:authenticated"] }, ...GOOD_RULES] },
    ],
  ];
  assert.equal(refused.length, 8);
  for (const [what, extra] of refused) assert.ok(judge(policy(extra)).length > 0, what);
});

test("the audit rule: rules that cannot match an agent do not count against it, in any position", () => {
  const others = [
    { level: "None", users: ["system:kube-proxy"] },
    { level: "None", userGroups: ["system:nodes"] },
    { level: "None", users: ["system:serviceaccount:kube-system:x"] },
  ];
  assert.deepEqual(judge(policy({ rules: [...others, ...GOOD_RULES] })), []);
  assert.deepEqual(judge(policy({ rules: [...GOOD_RULES, { level: "None" }] })), []);
});

const ns = "ai-agents";
test("quota and limits: numbers as quantities pass, negative or fractional nonsense is refused", () => {
  const quota = (hard: Record<string, unknown>): Manifest => ({
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "q", namespace: ns },
    spec: { hard },
  });
  const ctx = (m: Manifest) => contextFor(m, { layer: "foundation" }, DEFAULT_SETTINGS);
  const ok = { pods: 20, "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi" };
  assert.deepEqual(agentsNamespaceQuota.validate(quota(ok), ctx(quota(ok))), []);
  const bad = quota({ ...ok, pods: -1 });
  assert.equal(agentsNamespaceQuota.validate(bad, ctx(bad)).length, 1);
  const limits: Manifest = {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "l", namespace: ns },
    spec: {
      limits: [
        { type: "Container", default: { cpu: "1", memory: "1Gi" }, max: { cpu: "1", memory: "1Gi" } },
        { type: "Container", default: { cpu: "9", memory: "9Gi" }, max: { cpu: "9", memory: "9Gi" } },
      ],
    },
  };
  assert.match(
    agentsNamespaceLimits.validate(limits, ctx(limits))[0] ?? "",
    /2 Container item\(s\); expected exactly one/,
  );
});
