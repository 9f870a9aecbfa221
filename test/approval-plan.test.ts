/**
 * The foundation's approval objects (src/plan/approval.ts) and what a phase gains from them: the config refuses
 * approvers that are no people, the proxy holds exactly its grants, the executors hold exactly the approvable verbs,
 * and the agents' pods point at the proxy only where something is approvable.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseStackConfig } from "../src/config/parse";
import { loadFoundationFor, loadStackConfig, readStackFile } from "../src/config/stacks";
import type { FoundationConfig, PhaseConfig } from "../src/config/schema";
import { REVIEW_OUTCOMES, REVIEW_VERDICTS } from "../src/model/approval";
import { executorRules } from "../src/model/catalog";
import { approvalProxyClusterName } from "../src/model/naming";
import { planApproval } from "../src/plan/approval";
import { planPhase } from "../src/plan/phase";
import { manifestsOf } from "../src/plan/manifests";

const dev = () => loadStackConfig("dev") as FoundationConfig;

function devWith(approval: unknown): () => unknown {
  const raw = { ...readStackFile("dev").raw, "agent-trust:approval": approval };
  return () => parseStackConfig(raw, "test");
}

const GOOD = {
  approvers: { groups: ["agent-trust-approvers"] },
  image: "registry.example.internal/agent-trust:0.1.0",
  tls: { secretName: "proxy-tls", caConfigMap: "proxy-ca" },
};

test("approval config: people only, a pinned image, a bounded hold", () => {
  assert.doesNotThrow(devWith(GOOD));
  const refused: [unknown, RegExp][] = [
    [{ ...GOOD, approvers: {} }, /at least one user or group/],
    [{ ...GOOD, approvers: { groups: ["system:masters"] } }, /broad system group/],
    [{ ...GOOD, approvers: { groups: ["system:authenticated"] } }, /broad system group/],
    [{ ...GOOD, approvers: { users: ["system:serviceaccount:ai-agents:x"] } }, /ServiceAccount user/],
    [{ ...GOOD, approvers: { groups: ["system:serviceaccounts:ai-agents"] } }, /ServiceAccount group/],
    [{ ...GOOD, approvers: { users: ["system:kube-controller-manager"] } }, /system: user/],
    [{ ...GOOD, image: "agent-trust" }, /pinned by tag or digest/],
    [{ ...GOOD, holdSeconds: 5 }, /at least 30/],
    [{ ...GOOD, holdSeconds: 7200 }, /at most 3600/],
    [{ ...GOOD, tls: { secretName: "Bad_Name", caConfigMap: "ca" } }, /DNS label/],
    [{ ...GOOD, extra: true }, /unknown key/],
  ];
  assert.equal(refused.length, 11);
  for (const [approval, pattern] of refused) assert.throws(devWith(approval), pattern, JSON.stringify(approval));
  assert.equal((devWith({ ...GOOD })() as FoundationConfig).approval?.holdSeconds, 300);
});

test("the proxy's grants: reviews and executor impersonation at home, TokenReview and the two extras cluster-wide", () => {
  const plan = planApproval(dev(), {});
  assert.ok(plan);
  assert.deepEqual(plan.proxyRole.role.rules, [
    {
      apiGroups: ["agent-trust.io"],
      resources: ["approvalreviews"],
      verbs: ["create", "get", "list", "watch", "update", "patch"],
    },
    { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
  ]);
  assert.equal(plan.proxyClusterRole.role.metadata.name, approvalProxyClusterName("ai-agents"));
  assert.deepEqual(plan.proxyClusterRole.role.rules, [
    { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
    {
      apiGroups: ["authentication.k8s.io"],
      resources: ["userextras/agent-trust.io/review", "userextras/agent-trust.io/approver"],
      verbs: ["impersonate"],
    },
  ]);
  assert.deepEqual(plan.approvers.binding.subjects, [
    { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "agent-trust-approvers" },
  ]);
  const args = (plan.deployment.spec as any).template.spec.containers[0].args as string[];
  assert.deepEqual(args.slice(0, 3), ["approval-proxy", "--namespace", "ai-agents"]);
  assert.equal(args[args.indexOf("--hold-seconds") + 1], "300");
  assert.equal(args[args.indexOf("--max-step-factor") + 1], "2");
  const schema = (plan.crd.spec as any).versions[0].schema.openAPIV3Schema.properties;
  assert.deepEqual(schema.decision.properties.verdict.enum, [...REVIEW_VERDICTS]);
  assert.deepEqual(schema.result.properties.outcome.enum, [...REVIEW_OUTCOMES]);
  assert.equal(planApproval({ ...dev(), approval: undefined }, {}), undefined);
});

test("the API server egress is an ipBlock only when the cluster URL names an address", () => {
  const byName = planApproval(dev(), {})!.networkPolicy;
  assert.deepEqual((byName.spec as any).egress, []);
  assert.equal(byName.metadata.annotations?.["agent-trust.io/api-server-egress"], "provided-by-platform");
  const byIp = planApproval({ ...dev(), cluster: { server: "https://10.0.0.1:6443" } }, {})!.networkPolicy;
  assert.deepEqual((byIp.spec as any).egress, [
    { to: [{ ipBlock: { cidr: "10.0.0.1/32" } }], ports: [{ port: 6443, protocol: "TCP" }] },
  ]);
});

test("executors hold exactly the approvable verbs per target; pods point at the proxy only where approvable", () => {
  for (const stack of ["dev-shadow", "dev-assist"]) {
    const cfg = loadStackConfig(stack) as PhaseConfig;
    const plans = planPhase(cfg, loadFoundationFor(cfg));
    assert.ok(plans.length > 0);
    for (const p of plans) {
      assert.equal(p.executor, undefined, stack);
      assert.ok(!JSON.stringify(p.podTemplates).includes("KUBERNETES_SERVICE_HOST"), stack);
    }
  }
  const cfg = loadStackConfig("dev-remediation") as PhaseConfig;
  const foundation = loadFoundationFor(cfg);
  assert.equal(foundation.approvalProxy?.host, "agent-trust-approval-proxy.ai-agents.svc");
  const plans = planPhase(cfg, foundation);
  assert.equal(plans.length, 2);
  for (const p of plans) {
    const agent = cfg.agents.find((a) => a.name === p.agent)!;
    assert.ok(p.executor);
    assert.equal(p.executor.serviceAccount.metadata.name, `${p.agent}-remediation-executor`);
    assert.equal(p.executor.serviceAccount.automountServiceAccountToken, false);
    assert.equal(p.executor.grants.length, agent.targetNamespaces.length);
    for (const g of p.executor.grants) {
      assert.deepEqual(g.role.rules, executorRules("remediation", agent.resourceNames ?? {}));
      assert.deepEqual((g.binding.subjects as any[])[0].name, p.executor.serviceAccount.metadata.name);
    }
    const env = (p.podTemplates[0]!.template as any).spec.containers[0].env as { name: string; value?: string }[];
    assert.equal(env.find((e) => e.name === "KUBERNETES_SERVICE_HOST")?.value, foundation.approvalProxy?.host);
  }
  // Without the proxy the templates are exactly as before: no API access, no proxy env, no executor change.
  const { approvalProxy: _, ...without } = foundation;
  const bare = planPhase(cfg, without);
  assert.equal(bare.length, 2);
  for (const p of bare) assert.ok(!JSON.stringify(manifestsOf(p)).includes("kube-api-access"));
});
