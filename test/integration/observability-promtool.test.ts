/**
 * The rendered Prometheus rules, judged by the real `promtool` (built from github.com/prometheus/prometheus by
 * scripts/servers.sh): `check rules` on every environment's rule file and on the dashboard's queries, and
 * `test rules` with synthetic series showing each alert fires exactly when it should (below, at and above its
 * threshold) and each recording rule computes what the contract says.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { renderStack } from "../../src/render";
import { dashboardQueries } from "../../src/plan/observability-dashboard";
import type { RuleGroup } from "../../src/plan/observability-rules";
import { alertCase, expectAlert, series, type PromtoolTest } from "./observability-promtool-cases";
import { BREAKER_TESTS, COST_TESTS, EVIDENCE_TESTS, JOB_TESTS } from "./observability-promtool-cases";
import { tempDir } from "../helpers/tmp";

const ROOT = path.resolve(__dirname, "..", "..");
const tmp = tempDir("agent-trust-promtool-");

/**
 * The promtool binary: PROMTOOL_BIN, PATH or the agent-trust cache, else built once from the Go module proxy by
 * `scripts/servers.sh ensure promtool` (about 5 minutes on 2 cores; its progress lines go to stderr). Fails, never
 * skips, when it can be neither found nor built.
 */
let found: string | undefined;
function promtool(): string {
  if (found) return found;
  const r = spawnSync("bash", [path.join(ROOT, "scripts", "servers.sh"), "ensure", "promtool"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = /^promtool=(\/.+)$/m.exec(r.stdout ?? "");
  if (r.status !== 0 || !line) {
    assert.fail(
      `promtool was neither found (PROMTOOL_BIN, PATH, the agent-trust cache) nor built (scripts/servers.sh ensure promtool exited ${r.status})`,
    );
  }
  found = line[1]!;
  return found;
}

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(promtool(), args, { encoding: "utf8", cwd: tmp });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function ruleGroups(stack: string): RuleGroup[] {
  const rules = renderStack(stack).kubernetes.filter((m) => m.kind === "PrometheusRule");
  assert.equal(rules.length, 1, `${stack}: one PrometheusRule`);
  return (rules[0]!["spec"] as { groups: RuleGroup[] }).groups;
}

function writeRules(stack: string): string {
  const file = path.join(tmp, `${stack}-rules.yaml`);
  fs.writeFileSync(file, stringify({ groups: ruleGroups(stack) }, { lineWidth: 0 }));
  return file;
}

function promtoolTest(name: string, tests: PromtoolTest[]): void {
  const rules = writeRules("dev");
  const file = path.join(tmp, `${name}.test.yaml`);
  fs.writeFileSync(
    file,
    stringify({ rule_files: [rules], evaluation_interval: "1m", fuzzy_compare: true, tests }, { lineWidth: 0 }),
  );
  const r = run(["test", "rules", file]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /SUCCESS/);
}

describe("promtool", () => {
  for (const stack of ["dev", "staging", "prod"]) {
    test(`check rules: the ${stack} PrometheusRule is valid, 25 rules in 4 groups`, () => {
      const groups = ruleGroups(stack);
      assert.equal(groups.length, 4);
      assert.equal(
        groups.reduce((n, g) => n + g.rules.length, 0),
        25,
      );
      const r = run(["check", "rules", writeRules(stack)]);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /SUCCESS: 25 rules found/);
    });
  }

  test("check rules: every dashboard query parses", () => {
    const cm = renderStack("dev").kubernetes.find((m) => m.metadata.name === "agent-trust-dashboard")!;
    const queries = dashboardQueries(JSON.parse(Object.values(cm["data"] as Record<string, string>)[0]!));
    assert.ok(queries.length >= 15);
    // Grafana variables are not PromQL: substitute what Grafana would.
    const exprs = queries.map((q) => q.replaceAll("$agent", ".*"));
    const file = path.join(tmp, "dashboard-queries.yaml");
    fs.writeFileSync(
      file,
      stringify({
        groups: [{ name: "dashboard", rules: exprs.map((expr, i) => ({ record: `dashboard_query_${i}`, expr })) }],
      }),
    );
    const r = run(["check", "rules", file]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`SUCCESS: ${exprs.length} rules found`));
  });

  test("check rules catches a broken expression (the check can fail)", () => {
    const file = path.join(tmp, "broken.yaml");
    fs.writeFileSync(
      file,
      stringify({ groups: [{ name: "x", rules: [{ record: "x:y", expr: "sum by (tier (foo)" }] }] }),
    );
    const r = run(["check", "rules", file]);
    assert.notEqual(r.status, 0);
  });

  test("test rules: the circuit breaker at cycle 9 of a simple run with no p95, and at 2 × p95 when that is lower", () => {
    promtoolTest("breaker", BREAKER_TESTS);
  });

  test("test rules: cost per investigation, per agent/phase/domain, by tier, the top decile's share, and the cost anomaly", () => {
    promtoolTest("cost", COST_TESTS);
  });

  test("test rules: 30-day evidence and the demotion triggers (accuracy 91.9 % vs 92 %, rollback 2.1 % vs 2 %, out of scope)", () => {
    promtoolTest("evidence", EVIDENCE_TESTS);
  });

  test("test rules: a Job stopped at its deadline", () => {
    promtoolTest("jobs", JOB_TESTS);
  });

  test("test rules fails when an alert is expected that the rules do not raise (the tests can fail)", () => {
    const rules = writeRules("dev");
    const file = path.join(tmp, "wrong.test.yaml");
    const wrong: PromtoolTest = {
      interval: "1m",
      input_series: [
        series(
          "agent_trust_reasoning_cycles_total",
          { investigation: "i", agent: "a", phase: "assist", tier: "simple", domain: "d" },
          "1+1x10",
        ),
      ],
      alert_rule_test: [
        alertCase("7m", "AgentTrustReasoningCircuitBreaker", [
          expectAlert(
            "AgentTrustReasoningCircuitBreaker",
            { investigation: "i", agent: "a", phase: "assist", tier: "simple" },
            8,
          ),
        ]),
      ],
      promql_expr_test: [],
    };
    fs.writeFileSync(file, stringify({ rule_files: [rules], evaluation_interval: "1m", tests: [wrong] }));
    const r = run(["test", "rules", file]);
    assert.notEqual(r.status, 0, r.out);
  });
});
