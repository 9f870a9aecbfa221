/**
 * The observability objects of a foundation and the Job's OpenTelemetry identity and breaker, checked as data:
 * what the rules, the collector and the dashboard read is declared in the metrics contract.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { loadFoundationFor, loadStackConfig } from "../src/config/stacks";
import type { FoundationConfig, PhaseConfig } from "../src/config/schema";
import { knownSeries, METRICS, RESOURCE_ATTRIBUTES } from "../src/model/metrics";
import { planAdmission } from "../src/admission/policies";
import { planFoundation } from "../src/plan/foundation";
import { manifestsOf } from "../src/plan/manifests";
import { investigationJob, planPodTemplate } from "../src/plan/job";
import { planObservability } from "../src/plan/observability";
import { dashboardQueries } from "../src/plan/observability-dashboard";
import { breakerCap, encodeAttributeValue, resourceAttributes } from "../src/plan/observability-otel";
import { metricsInExpr } from "../src/plan/observability-promql";
import type { RuleGroup } from "../src/plan/observability-rules";

const dev = loadStackConfig("dev") as FoundationConfig;
const objects = planObservability(dev, { a: "b" });
const byKind = (kind: string, name?: string) =>
  objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
const groups = () => (byKind("PrometheusRule")[0]!["spec"] as { groups: RuleGroup[] }).groups;
const recorded = () => new Set(groups().flatMap((g) => g.rules.flatMap((r) => ("record" in r ? [r.record] : []))));

test("a foundation plans one PrometheusRule, a collector ConfigMap and a dashboard ConfigMap in its namespace", () => {
  assert.equal(objects.length, 3);
  assert.equal(byKind("PrometheusRule").length, 1);
  assert.equal(byKind("ConfigMap").length, 2);
  for (const o of objects) assert.equal(o.metadata.namespace, dev.namespace);
  assert.equal(byKind("ConfigMap", "agent-trust-dashboard")[0]!.metadata.labels!["grafana_dashboard"], "1");
  const all = manifestsOf(planFoundation(dev, planAdmission));
  // Beside them the foundation holds one more ConfigMap: the admission policies' parameters.
  assert.equal(all.filter((o) => o.kind === "PrometheusRule" || o.kind === "ConfigMap").length, 4);
  assert.equal(all.filter((o) => o.kind === "ConfigMap" && o.metadata.name === "agent-trust-admission").length, 1);
});

test("the contract: unique names, counters end in _total, histograms have increasing buckets, label values are closed sets", () => {
  assert.equal(METRICS.length, 13);
  assert.equal(new Set(METRICS.map((m) => m.name)).size, METRICS.length);
  for (const m of METRICS) {
    assert.match(m.name, /^agent_trust_[a-z_]+$/);
    if (m.type === "counter") assert.match(m.name, /_total$/, m.name);
    if (m.type === "histogram") {
      const b = (m as { buckets?: readonly number[] }).buckets ?? [];
      assert.ok(b.length > 3, m.name);
      b.forEach((x, i) => i > 0 && assert.ok(x > b[i - 1]!, `${m.name} buckets increase`));
    }
    for (const [label, values] of Object.entries(m.labels))
      assert.ok((values as readonly string[]).length >= 2, `${m.name}.${label}`);
  }
});

test("every rule reads only contract metrics, kube-state-metrics or recording rules defined earlier in its own group", () => {
  const known = knownSeries();
  let exprs = 0;
  for (const g of groups()) {
    const seen = new Set<string>();
    for (const r of g.rules) {
      exprs++;
      for (const name of metricsInExpr(r.expr))
        assert.ok(known.has(name) || seen.has(name), `${g.name}: ${name} in ${r.expr}`);
      if ("record" in r) seen.add(r.record);
    }
  }
  assert.equal(exprs, 25);
  const alerts = groups().flatMap((g) =>
    g.rules.filter((r) => "alert" in r).map((r) => (r as { alert: string }).alert),
  );
  assert.deepEqual(alerts.sort(), [
    "AgentTrustCostAnomaly",
    "AgentTrustDemotionAccuracy",
    "AgentTrustDemotionOutOfScope",
    "AgentTrustDemotionRollbackRate",
    "AgentTrustJobPastDeadline",
    "AgentTrustReasoningCircuitBreaker",
  ]);
});

test("the dashboard's queries read only contract metrics and recording rules", () => {
  const cm = byKind("ConfigMap", "agent-trust-dashboard")[0]!;
  const data = cm["data"] as Record<string, string>;
  assert.deepEqual(Object.keys(data), ["agent-trust-dev.json"]);
  const queries = dashboardQueries(JSON.parse(data["agent-trust-dev.json"]!));
  assert.ok(queries.length >= 15, `${queries.length} queries`);
  const known = knownSeries();
  const rec = recorded();
  const used = new Set<string>();
  for (const q of queries) {
    const names = metricsInExpr(q);
    assert.ok(names.length > 0, q);
    for (const n of names) {
      assert.ok((known.has(n) && !n.startsWith("kube_")) || rec.has(n), `dashboard query reads ${n}: ${q}`);
      used.add(n);
    }
  }
  assert.ok(used.has("agent_trust:spend_share_top_decile:30d_by_tier") && used.has("agent_trust:accuracy:30d"));
});

test("the PromQL metric finder sees through strings, matchers, ranges and label lists", () => {
  assert.deepEqual(
    metricsInExpr('sum by (tier, le) (rate(a_b{x="y{z}", w=~"$agent"}[$__range])) > on (tier) group_left () c:d'),
    ["a_b", "c:d"],
  );
  assert.deepEqual(metricsInExpr('label_replace(2 * m > 0, "bound", "p95", "", "") or vector(8)'), ["m"]);
  assert.deepEqual(metricsInExpr("quantile by (tier) (0.9, x) / sum(y offset 5m) + 1e3"), ["x", "y"]);
  assert.throws(() => metricsInExpr('m{a="b}'), /unterminated string|unclosed/);
});

test("the collector labels every data point with the investigation, verified from the agent pod's own labels", () => {
  const text = (byKind("ConfigMap", "agent-trust-otel-collector")[0]!["data"] as Record<string, string>)[
    "collector.yaml"
  ]!;
  const cfg = parse(text);
  const statements: string[] = cfg.processors["transform/investigation"].metric_statements[0].statements;
  assert.equal(statements.length, 8);
  const k8s = cfg.processors["k8sattributes/identity"];
  assert.deepEqual(k8s.pod_association, [{ sources: [{ from: "connection" }] }]);
  assert.equal(k8s.filter.namespace, dev.namespace);
  const fromPod = new Map<string, string>(
    k8s.extract.labels.map((l: { tag_name: string; key: string }) => [l.key, l.tag_name]),
  );
  assert.equal(fromPod.size, 4);
  for (const label of ["investigation", "agent", "phase", "tier"]) {
    const attr = RESOURCE_ATTRIBUTES[label as keyof typeof RESOURCE_ATTRIBUTES];
    const tag = fromPod.get(`agent-trust.io/${label}`)!;
    assert.ok(tag, label);
    assert.ok(
      statements.includes(
        `set(attributes["${label}"], resource.attributes["${tag}"]) where resource.attributes["agent_trust.verified.agent"] != nil`,
      ),
      label,
    );
    assert.ok(
      statements.includes(
        `set(attributes["${label}"], resource.attributes["${attr}"]) where resource.attributes["agent_trust.verified.agent"] == nil`,
      ),
      label,
    );
  }
  const drops: string[] = cfg.processors["filter/contract"].metrics.metric;
  assert.equal(drops.length, 3);
  assert.equal(drops[0]!.match(/name == "/g)!.length, METRICS.length);
  // Agent metrics only from agent pods; feedback and audit metrics never from an agent pod.
  assert.equal(drops[1]!.match(/name == "/g)!.length, METRICS.filter((m) => m.emitter === "agent").length);
  assert.match(drops[1]!, /== nil$/);
  assert.ok(drops[2]!.includes('"agent_trust_operator_verdicts_total"') && drops[2]!.endsWith("!= nil"));
  assert.ok(!drops[2]!.includes('"agent_trust_reasoning_cycles_total"'));
  assert.equal(cfg.exporters.prometheus.add_metric_suffixes, false);
  assert.deepEqual(cfg.service.pipelines.metrics.processors, [
    "memory_limiter",
    "k8sattributes/identity",
    "filter/contract",
    "transform/investigation",
    "batch",
  ]);
});

const phaseCfg = loadStackConfig("dev-assist") as PhaseConfig;
const template = (tier: "simple" | "complex") =>
  planPodTemplate(phaseCfg, loadFoundationFor(phaseCfg), phaseCfg.agents[0]!, tier, {
    "agent-trust.io/environment": "dev",
  });
type Env = { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
const envOf = (m: any): Env => m.template?.spec?.containers[0].env ?? m.spec.template.spec.containers[0].env;

test("the pod passes the investigation's identity as OpenTelemetry resource attributes, pod-level values via the downward API", () => {
  const env = envOf(template("simple"));
  const names = env.map((e) => e.name);
  const otel = env.find((e) => e.name === "OTEL_RESOURCE_ATTRIBUTES")!.value!;
  assert.equal(env.find((e) => e.name === "OTEL_SERVICE_NAME")!.value, phaseCfg.agents[0]!.name);
  const pairs = Object.fromEntries(otel.split(",").map((p) => p.split("=") as [string, string]));
  assert.equal(Object.keys(pairs).length, 9);
  assert.equal(pairs["agent_trust.phase"], "assist");
  assert.equal(pairs["agent_trust.tier"], "simple");
  assert.equal(pairs["agent_trust.environment"], "dev");
  // Kubernetes expands $(VAR) only for variables defined earlier in the list.
  for (const [attr, v] of [
    ["agent_trust.investigation", "AGENT_TRUST_INVESTIGATION_ID"],
    ["k8s.pod.name", "AGENT_TRUST_POD_NAME"],
    ["k8s.namespace.name", "AGENT_TRUST_POD_NAMESPACE"],
  ] as const) {
    assert.equal(pairs[attr], `$(${v})`);
    const def = env.find((e) => e.name === v)!;
    assert.ok(def.valueFrom?.fieldRef.fieldPath, v);
    assert.ok(names.indexOf(v) < names.indexOf("OTEL_RESOURCE_ATTRIBUTES"), `${v} before OTEL_RESOURCE_ATTRIBUTES`);
  }
  assert.equal(
    env.find((e) => e.name === "AGENT_TRUST_INVESTIGATION_ID")!.valueFrom!.fieldRef.fieldPath,
    "metadata.labels['agent-trust.io/investigation']",
  );
});

test("resource attribute values are percent-encoded: separators, '%', '$(' and non-ASCII never pass raw", () => {
  assert.equal(encodeAttributeValue("a,b=c%d $(X) é"), "a%2Cb%3Dc%25d%20%24%28X%29%20%C3%A9");
  assert.equal(
    resourceAttributes([
      ["k.x", "v,w"],
      ["y", "z"],
    ]),
    "k.x=v%2Cw,y=z",
  );
  assert.equal(decodeURIComponent(encodeAttributeValue("a,b=c%d $(X) é")), "a,b=c%d $(X) é");
  assert.throws(() => resourceAttributes([["bad key", "v"]]), /resource attribute key "bad key"/);
});

test("the breaker: cycle cap = min(tier cap, ⌊2 × p95⌋), never above the tier cap", () => {
  const cap = (tier: "simple" | "complex", p95?: number) =>
    envOf(
      investigationJob(template(tier), {
        investigationId: "inc-7",
        tier,
        ...(p95 === undefined ? {} : { observedP95Cycles: p95 }),
      }),
    ).find((e) => e.name === "AGENT_TRUST_MAX_REASONING_CYCLES")!.value;
  assert.equal(cap("simple"), "8");
  assert.equal(cap("complex"), "15");
  assert.equal(cap("simple", 3), "6");
  assert.equal(cap("simple", 2.5), "5");
  assert.equal(cap("simple", 2.7), "5");
  assert.equal(cap("simple", 4), "8");
  assert.equal(cap("simple", 40), "8");
  assert.equal(cap("complex", 7), "14");
  assert.equal(cap("complex", 0.2), "1");
  // The published template is not changed by launching.
  assert.equal(envOf(template("simple")).find((e) => e.name === "AGENT_TRUST_MAX_REASONING_CYCLES")!.value, "8");
  assert.equal(breakerCap(8, 3), 6);
});

test("the breaker refuses a p95 that is not a positive finite number, naming the field", () => {
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "3" as unknown as number]) {
    assert.throws(
      () => investigationJob(template("simple"), { investigationId: "inc-7", tier: "simple", observedP95Cycles: bad }),
      /observedP95Cycles must be a positive finite number/,
      String(bad),
    );
  }
  const broken = template("simple") as any;
  broken.template.spec.containers[0].env = broken.template.spec.containers[0].env.filter(
    (e: any) => e.name !== "AGENT_TRUST_MAX_REASONING_CYCLES",
  );
  assert.throws(
    () => investigationJob(broken, { investigationId: "inc-7", tier: "simple" }),
    /has no valid AGENT_TRUST_MAX_REASONING_CYCLES/,
  );
  // A template that claims a cap above what config allows is refused, not obeyed.
  const inflated = template("simple") as any;
  inflated.template.spec.containers[0].env.find((e: any) => e.name === "AGENT_TRUST_MAX_REASONING_CYCLES").value =
    "500";
  assert.throws(
    () => investigationJob(inflated, { investigationId: "inc-7", tier: "simple", observedP95Cycles: 3 }),
    /has no valid AGENT_TRUST_MAX_REASONING_CYCLES \(1 to 50\)/,
  );
});
