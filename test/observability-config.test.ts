/**
 * Observability through config and render: render writes the observability objects into every foundation and no
 * phase stack, the observability config keys (ruleLabels, enabled, the collector and its egress) are honoured or
 * refused naming the key, and the launcher's largest cycle cap is the one config allows. The contract, rules,
 * dashboard, collector and breaker themselves are in observability.test.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkDocuments } from "../src/check";
import { RULES } from "../src/rules";
import { packResource, packStack, pulumiResourceOf } from "./rules-harness";
import { ConfigError, parseStackConfig } from "../src/config/parse";
import { listStacks, loadStackConfig, readStackFile } from "../src/config/stacks";
import { renderStack } from "../src/render";
import type { FoundationConfig, PhaseConfig } from "../src/config/schema";
import { planAdmission } from "../src/admission/policies";
import { planFoundation } from "../src/plan/foundation";
import { manifestsOf } from "../src/plan/manifests";
import { planObservability } from "../src/plan/observability";
import { MAX_CYCLE_CAP } from "../src/plan/observability-otel";

const dev = loadStackConfig("dev") as FoundationConfig;

test("render writes the three observability objects into every foundation's kubernetes.yaml, and no phase stack has them", () => {
  for (const stack of listStacks()) {
    const r = renderStack(stack);
    const obs = r.kubernetes.filter(
      (m) =>
        m.kind === "PrometheusRule" ||
        m.metadata.name === "agent-trust-otel-collector" ||
        m.metadata.name === "agent-trust-dashboard",
    );
    assert.equal(obs.length, r.config.layer === "foundation" ? 3 : 0, stack);
    for (const m of obs) assert.equal(m.metadata.labels?.["agent-trust.io/environment"], r.config.environment);
  }
  const prod = renderStack("prod").kubernetes.find((m) => m.kind === "PrometheusRule")!;
  assert.match(JSON.stringify(prod["spec"]), /kube_job_status_failed\{namespace=\\"ai-agents\\"/);
});

const devWith = (observability: unknown) =>
  parseStackConfig(
    { ...readStackFile("dev").raw, "agent-trust:observability": observability },
    "stacks/Pulumi.dev.yaml",
  );

test("config: observability.ruleLabels label the PrometheusRule for the operator's ruleSelector; enabled: false plans none", () => {
  const cfg = devWith({ ruleLabels: { release: "kube-prometheus-stack" } }) as FoundationConfig;
  const planned = planObservability(cfg, { "app.kubernetes.io/managed-by": "agent-trust" });
  assert.equal(planned.length, 3);
  assert.equal(planned.find((m) => m.kind === "PrometheusRule")!.metadata.labels!["release"], "kube-prometheus-stack");
  assert.equal(planned.filter((m) => m.metadata.labels!["release"]).length, 1);
  const off = devWith({ enabled: false }) as FoundationConfig;
  assert.equal(planObservability(off, {}).length, 0);
  assert.equal(
    manifestsOf(planFoundation(off, planAdmission)).length,
    manifestsOf(planFoundation(dev, planAdmission)).length - 3,
  );
});

test("config: bad observability settings are refused naming the key", () => {
  const cases: [unknown, RegExp][] = [
    [
      { ruleLabels: { "bad key!": "x" } },
      /agent-trust:observability\.ruleLabels\.bad key!: is not a Kubernetes label key/,
    ],
    [
      { ruleLabels: { release: "has space" } },
      /agent-trust:observability\.ruleLabels\.release: must be a Kubernetes label value/,
    ],
    [
      { ruleLabels: { "app.kubernetes.io/managed-by": "me" } },
      /agent-trust:observability\.ruleLabels\.app\.kubernetes\.io\/managed-by: app\.kubernetes\.io\/ and agent-trust\.io\/ labels are set by agent-trust/,
    ],
    [{ enabled: "yes" }, /agent-trust:observability\.enabled/],
    [{ dashboards: true }, /agent-trust:observability\.dashboards: unknown key/],
  ];
  for (const [value, pattern] of cases) {
    assert.throws(
      () => devWith(value),
      (e: Error) => e instanceof ConfigError && pattern.test(e.message),
      JSON.stringify(value),
    );
  }
});

test("config: observability.collector opens egress from the agents namespace to the collector's OTLP ports only, and passes the rules", async () => {
  const cfg = devWith({
    collector: { namespace: "observability", podSelector: { "app.kubernetes.io/name": "otel-collector" } },
  }) as FoundationConfig;
  const planned = planObservability(cfg, {});
  const policies = planned.filter((m) => m.kind === "NetworkPolicy");
  assert.equal(policies.length, 1);
  const spec = policies[0]!["spec"] as any;
  assert.deepEqual(spec.policyTypes, ["Egress"]);
  assert.equal(spec.egress.length, 1);
  assert.deepEqual(spec.egress[0].to, [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
      podSelector: { matchLabels: { "app.kubernetes.io/name": "otel-collector" } },
    },
  ]);
  assert.deepEqual(
    spec.egress[0].ports.map((p: any) => p.port),
    [4317, 4318],
  );
  const foundation = manifestsOf(planFoundation(cfg, planAdmission));
  // Every object judged (the PrometheusRule, quota and limits by their own rules now), and no violation at all.
  const judged = checkDocuments(foundation, { stack: true, layer: "foundation" });
  assert.ok(foundation.length > 10);
  assert.equal(judged.checked, foundation.length);
  assert.deepEqual(judged.violations, []);
  const stack = { layer: "foundation", environment: "dev", namespace: cfg.namespace, phaseCeiling: cfg.phaseCeiling };
  const found: string[] = [];
  for (const rule of RULES) {
    const out =
      rule.scope === "resource"
        ? (
            await Promise.all(
              foundation.map(pulumiResourceOf).map((p) => packResource(rule.name, p.type, p.props, stack)),
            )
          ).flat()
        : await packStack(rule.name, foundation, stack);
    found.push(...out.filter((o) => o.level === "mandatory").map((o) => `${rule.name}: ${o.message}`));
  }
  assert.deepEqual(found, []);
  assert.throws(
    () => devWith({ collector: { namespace: "observability", podSelector: {} } }),
    /agent-trust:observability\.collector\.podSelector: must select the collector pods/,
  );
  assert.throws(
    () => devWith({ collector: { namespace: "Bad_NS", podSelector: { a: "b" } } }),
    /agent-trust:observability\.collector\.namespace/,
  );
});

test("the launcher's largest cycle cap is the one config allows", () => {
  const tiers = (n: number) => ({
    ...readStackFile("dev-assist").raw,
    "agent-trust:tiers": { simple: { maxReasoningCycles: n } },
  });
  assert.equal(
    (parseStackConfig(tiers(MAX_CYCLE_CAP), "x") as PhaseConfig).tiers.simple.maxReasoningCycles,
    MAX_CYCLE_CAP,
  );
  assert.throws(() => parseStackConfig(tiers(MAX_CYCLE_CAP + 1), "x"), /agent-trust:tiers\.simple\.maxReasoningCycles/);
});
