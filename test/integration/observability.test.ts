/**
 * The rendered observability objects against a real kube-apiserver: the sandbox installs the prometheus-operator
 * PrometheusRule CRD and deploys the dev stacks, so the API server has validated the PrometheusRule against the
 * operator's schema and stored it (and the two ConfigMaps) exactly as rendered. A malformed rule is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Manifest } from "../../src/model/manifest";
import { kubeRequest } from "../../src/sandbox/servers/kube";
import { deploySandbox, startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";

let sb: Sandbox;
const log = (l: string) => process.stderr.write(`${l}\n`);
/** The observability objects of the foundation (its other ConfigMap holds the admission parameters). */
const observability = () =>
  sb.env.foundation.kubernetes.filter(
    (m) => m.kind === "PrometheusRule" || (m.kind === "ConfigMap" && m.metadata.name !== "agent-trust-admission"),
  );
const pathOf = (m: Manifest) =>
  m.kind === "PrometheusRule"
    ? `/apis/monitoring.coreos.com/v1/namespaces/${m.metadata.namespace}/prometheusrules/${m.metadata.name}`
    : `/api/v1/namespaces/${m.metadata.namespace}/configmaps/${m.metadata.name}`;

describe("observability objects in a real API server", () => {
  before(async () => {
    sb = await startSandbox({ build: true, log });
    await deploySandbox(sb, 600);
  });
  after(async () => {
    await sb?.stop();
  });

  test("the PrometheusRule and both ConfigMaps are stored exactly as rendered", async () => {
    const objects = observability();
    assert.equal(objects.length, 3);
    for (const m of objects) {
      const r = await kubeRequest(sb.kc, "GET", pathOf(m));
      assert.equal(r.status, 200, `${m.kind} ${m.metadata.name}: ${JSON.stringify(r.body["message"])}`);
      const field = m.kind === "PrometheusRule" ? "spec" : "data";
      assert.deepStrictEqual(r.body[field], JSON.parse(JSON.stringify(m[field])), `${m.kind} ${m.metadata.name}`);
    }
  });

  test("the API server validates PrometheusRules with the operator's schema: a malformed one is refused", async () => {
    const rule = structuredClone(observability().find((m) => m.kind === "PrometheusRule")!);
    const groups = (rule["spec"] as { groups: { name?: string; interval: string; rules: Record<string, unknown>[] }[] })
      .groups;
    const cases: [string, () => void, RegExp][] = [
      ["a rule without expr", () => delete groups[0]!.rules[0]!["expr"], /expr: Required value/],
      ["a group without name", () => delete groups[1]!.name, /name: Required value/],
      ["an interval that is no duration", () => (groups[2]!.interval = "five minutes"), /interval.*should match/],
    ];
    for (const [what, mutate, pattern] of cases) {
      const bad = structuredClone(rule);
      const saved = structuredClone(groups);
      mutate();
      (bad["spec"] as { groups: unknown }).groups = structuredClone(groups);
      groups.splice(0, groups.length, ...saved);
      bad.metadata.name = "agent-trust-rules-malformed";
      const r = await kubeRequest(
        sb.kc,
        "POST",
        `/apis/monitoring.coreos.com/v1/namespaces/${rule.metadata.namespace}/prometheusrules?dryRun=All`,
        bad,
      );
      assert.equal(r.status, 422, `${what}: ${r.status} ${JSON.stringify(r.body["message"])}`);
      assert.match(String(r.body["message"]), pattern, what);
    }
    const ok = await kubeRequest(
      sb.kc,
      "POST",
      `/apis/monitoring.coreos.com/v1/namespaces/${rule.metadata.namespace}/prometheusrules?dryRun=All`,
      {
        ...rule,
        metadata: { ...rule.metadata, name: "agent-trust-rules-copy" },
      },
    );
    assert.equal(ok.status, 201, JSON.stringify(ok.body["message"]));
  });
});
