import assert from "node:assert/strict";
import { test } from "node:test";
import { loadFoundationFor, loadStackConfig } from "../src/config/stacks";
import type { FoundationConfig, PhaseConfig } from "../src/config/schema";
import { planEgressPolicy } from "../src/plan/egress";
import { planAdmission } from "../src/admission/policies";
import { planFoundation } from "../src/plan/foundation";
import { manifestsOf } from "../src/plan/manifests";
import { ADMISSION_RULES } from "../src/admission/rules";
import { checkAgainstFoundation, planPhase, PlanError } from "../src/plan/phase";
import { domainPolicyHcl } from "../src/plan/vault";

const phaseCfg = (s: string) => loadStackConfig(s) as PhaseConfig;

test("foundation: namespace, quota, limits, default deny, DNS to kube-dns only, admission, Vault mounts", () => {
  const objs = manifestsOf(planFoundation(loadStackConfig("dev") as FoundationConfig, planAdmission));
  assert.deepEqual(
    objs.map((o) => o.kind),
    [
      "Namespace",
      "ResourceQuota",
      "LimitRange",
      "NetworkPolicy",
      "NetworkPolicy",
      "ConfigMap",
      ...ADMISSION_RULES.flatMap(() => ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]),
      // dev runs the approval proxy (src/plan/approval.ts): the CRD first, the Deployment last.
      "CustomResourceDefinition",
      "ServiceAccount",
      "Role",
      "RoleBinding",
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "Service",
      "NetworkPolicy",
      "Deployment",
      "PrometheusRule",
      "ConfigMap",
      "ConfigMap",
      "VaultAuthBackend",
      "VaultKubernetesAuthConfig",
      "VaultMount",
    ],
  );
  const [deny, dns] = objs.filter((o) => o.kind === "NetworkPolicy") as any[];
  assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  assert.deepEqual(dns.spec.egress[0].to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
  assert.deepEqual(
    dns.spec.egress[0].ports.map((p: any) => p.port),
    [53, 53],
  );
  const mount = objs.find((o) => o.kind === "VaultMount") as any;
  assert.deepEqual(mount.spec.options, { version: "2" });
  assert.equal(mount.spec.path, "agent");
});

test("shadow HCL reads datasources and llm/inference and denies the rest of its domains", () => {
  assert.equal(
    domainPolicyHcl("agent", "shadow", "diag", "llm"),
    [
      '# agent-trust: agent "diag", phase "shadow", secret domain "llm". Generated; do not edit.',
      'path "agent/data/llm/inference" {\n  capabilities = ["read"]\n}\n',
      'path "agent/data/llm/*" {\n  capabilities = ["deny"]\n}\n',
      'path "agent/metadata/llm/*" {\n  capabilities = ["deny"]\n}\n',
    ].join("\n"),
  );
  assert.doesNotMatch(domainPolicyHcl("agent", "shadow", "diag", "remediation"), /"read"/);
  assert.match(domainPolicyHcl("agent", "remediation", "diag", "remediation"), /agent\/data\/remediation\/pod-restart/);
  assert.match(
    domainPolicyHcl("agent", "assist", "diag", "notify"),
    /path "agent\/metadata\/notify\/\*" \{\n  capabilities = \["list"\]/,
  );
});

test("egress: only the phase's classes, ports always, broad CIDRs carved", () => {
  const cfg = phaseCfg("dev-shadow");
  const agent = cfg.agents.find((a) => a.name === "diagnostic")!;
  const shadow = planEgressPolicy("dev", "shadow", "ai-agents", agent, {}) as any;
  const assist = planEgressPolicy("dev", "assist", "ai-agents", agent, {}) as any;
  const remediation = planEgressPolicy("dev", "remediation", "ai-agents", agent, {}) as any;
  const ports = (p: any) => p.spec.egress.flatMap((r: any) => r.ports.map((x: any) => x.port)).sort();
  assert.ok(!ports(shadow).includes(8080), "shadow cannot reach notify");
  assert.ok(ports(assist).includes(8080));
  assert.ok(!ports(assist).includes(8081), "assist cannot reach remediation targets");
  assert.ok(ports(remediation).includes(8081));
  assert.deepEqual(shadow.spec.policyTypes, ["Ingress", "Egress"]);
  assert.equal(shadow.spec.ingress, undefined);
  const broad = shadow.spec.egress.find((r: any) => r.to[0].ipBlock?.cidr === "0.0.0.0/0");
  assert.ok(broad.to[0].ipBlock.except.includes("169.254.0.0/16"));
  assert.deepEqual(shadow.spec.podSelector.matchLabels, {
    "agent-trust.io/agent": "diagnostic",
    "agent-trust.io/phase": "shadow",
  });
});

test("RoleBindings bind the phase ServiceAccount to a namespaced Role only", () => {
  const plans = planPhase(phaseCfg("dev-remediation"), loadFoundationFor(phaseCfg("dev-remediation")));
  assert.ok(plans.length > 0);
  for (const p of plans) {
    assert.ok(p.grants.length > 0, p.agent);
    for (const b of p.grants.map((g) => g.binding) as any[]) {
      assert.equal(b.roleRef.kind, "Role");
      assert.deepEqual(b.subjects, [
        { kind: "ServiceAccount", name: `${p.agent}-remediation`, namespace: "ai-agents" },
      ]);
    }
  }
});

test("the ceiling and the foundation's environment are checked before anything is planned", () => {
  const cfg = phaseCfg("prod-autonomous");
  const foundation = loadFoundationFor(cfg);
  assert.throws(
    () => planPhase(cfg, foundation),
    (e: unknown) => e instanceof PlanError && /above the phase ceiling "assist"/.test(e.message),
  );
  assert.ok(planPhase(cfg, foundation, { allowAboveCeiling: true }).length > 0, "render may plan it for review");
  assert.throws(
    () => checkAgainstFoundation(cfg, { ...foundation, environment: "dev", phaseCeiling: "autonomous" }),
    /foundation is "dev"/,
  );
  assert.throws(
    () => planPhase(cfg, { ...foundation, environment: "staging" }, { allowAboveCeiling: true }),
    /foundation is "staging"/,
    "allowAboveCeiling never excuses a wrong foundation",
  );
  assert.throws(
    () =>
      checkAgainstFoundation(phaseCfg("dev-shadow"), {
        ...loadFoundationFor(phaseCfg("dev-shadow")),
        namespace: "other",
      }),
    /agent-trust:namespace is "ai-agents" but the foundation created "other"/,
  );
});
