/**
 * The observability objects of a foundation and the Job's OpenTelemetry identity and breaker, checked as data:
 * what the rules, the collector and the dashboard read is declared in the metrics contract.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "yaml";
import { checkDocuments } from "../src/check";
import { RULES } from "../src/rules";
import { packResource, packStack, pulumiResourceOf } from "./rules-harness";
import { ConfigError, parseStackConfig } from "../src/config/parse";
import { listStacks, loadFoundationFor, loadStackConfig, readStackFile } from "../src/config/stacks";
import { renderStack } from "../src/render";
import type { FoundationConfig, PhaseConfig } from "../src/config/schema";
import { knownSeries, METRICS, RESOURCE_ATTRIBUTES } from "../src/model/metrics";
import { planAdmission } from "../src/admission/policies";
import { planFoundation } from "../src/plan/foundation";
import { manifestsOf } from "../src/plan/manifests";
import { investigationJob, planPodTemplate } from "../src/plan/job";
import { planObservability } from "../src/plan/observability";
import { dashboardQueries } from "../src/plan/observability-dashboard";
import { breakerCap, encodeAttributeValue, MAX_CYCLE_CAP, resourceAttributes } from "../src/plan/observability-otel";
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
