import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  allowedVerbs,
  allVaultPaths,
  CATALOG,
  agentsNamespaceRules,
  phaseAllows,
  targetNamespaceRules,
  vaultCapabilities,
} from "../src/model/catalog";
import {
  CLUSTER_ONLY_RESOURCES,
  ESCALATION_VERBS,
  FORBIDDEN_RESOURCES,
  NO_DELETE_RESOURCES,
  NO_WRITE_RESOURCES,
  WORKLOAD_RESOURCES,
} from "../src/model/forbidden";
import { PHASES } from "../src/model/phases";

const WRITES = ["create", "update", "patch", "delete", "deletecollection"];

describe("trust catalog", () => {
  test("phases are ordered shadow, assist, remediation, autonomous", () => {
    assert.deepEqual([...PHASES], ["shadow", "assist", "remediation", "autonomous"]);
  });

  test("shadow and assist are read-only: get/list/watch and nothing else", () => {
    for (const phase of ["shadow", "assist"] as const) {
      assert.equal(CATALOG[phase].readOnly, true);
      assert.deepEqual(allowedVerbs(phase), ["get", "list", "watch"]);
      for (const rule of targetNamespaceRules(phase)) assert.deepEqual(rule.verbs, ["get", "list", "watch"]);
    }
  });

  test("every phase reads the diagnostic resources in target namespaces", () => {
    const reads: [string, string][] = [
      ["", "pods"],
      ["", "pods/log"],
      ["", "events"],
      ["", "services"],
      ["", "endpoints"],
      ["apps", "deployments"],
      ["apps", "replicasets"],
      ["apps", "statefulsets"],
      ["batch", "jobs"],
    ];
    for (const phase of PHASES) {
      for (const [group, resource] of reads) {
        for (const verb of ["get", "list", "watch"])
          assert.ok(phaseAllows(phase, verb, group, resource), `${phase} ${verb} ${resource}`);
      }
    }
  });

  test("remediation adds exactly delete pods and patch deployments; autonomous adds patch deployments/scale", () => {
    const writes = (phase: (typeof PHASES)[number]) =>
      targetNamespaceRules(phase)
        .filter((r) => r.verbs.some((v) => WRITES.includes(v)))
        .map((r) => `${r.verbs.join()} ${r.apiGroups.join()}/${r.resources.join()}`);
    assert.deepEqual(writes("shadow"), []);
    assert.deepEqual(writes("assist"), []);
    assert.deepEqual(writes("remediation"), ["delete /pods", "patch apps/deployments"]);
    assert.deepEqual(writes("autonomous"), ["delete /pods", "patch apps/deployments", "patch apps/deployments/scale"]);
  });

  test("writes are narrowed by resourceNames when given", () => {
    const rules = targetNamespaceRules("remediation", { deployments: ["web", "api"] });
    const patch = rules.find((r) => r.verbs.includes("patch"))!;
    assert.deepEqual(patch.resourceNames, ["api", "web"]);
    const del = rules.find((r) => r.verbs.includes("delete"))!;
    assert.equal(del.resourceNames, undefined);
  });

  test("no phase is ever granted anything on the never-lists", () => {
    for (const phase of PHASES) {
      const rules = [...targetNamespaceRules(phase, { pods: ["p"], deployments: ["d"] }), ...agentsNamespaceRules()];
      for (const r of rules) {
        for (const field of [r.verbs, r.resources, r.apiGroups]) assert.ok(!field.includes("*"), `${phase}: wildcard`);
        for (const v of ESCALATION_VERBS) assert.ok(!r.verbs.includes(v), `${phase}: ${v}`);
        assert.ok(!r.verbs.includes("deletecollection"), `${phase}: deletecollection`);
        for (const res of r.resources) {
          assert.ok(!(FORBIDDEN_RESOURCES as readonly string[]).includes(res), `${phase}: ${res}`);
          assert.ok(!(CLUSTER_ONLY_RESOURCES as readonly string[]).includes(res), `${phase}: ${res}`);
          if ((WORKLOAD_RESOURCES as readonly string[]).includes(res))
            assert.ok(!r.verbs.includes("create"), `${phase}: create ${res}`);
          if ((NO_WRITE_RESOURCES as readonly string[]).includes(res))
            assert.ok(!r.verbs.some((v) => WRITES.includes(v)), `${phase}: write ${res}`);
          if ((NO_DELETE_RESOURCES as readonly string[]).includes(res))
            assert.ok(!r.verbs.includes("delete"), `${phase}: delete ${res}`);
        }
      }
    }
  });

  test("Vault: shadow reads datasources and llm/inference; assist adds notify; remediation and autonomous add remediation paths", () => {
    const readable = (phase: (typeof PHASES)[number]) =>
      [
        "datasources/logs",
        "llm/inference",
        "llm/admin",
        "notify/slack",
        "remediation/pod-restart",
        "remediation/cache-clear",
        "remediation/other",
      ].filter((p) => vaultCapabilities(phase, p).includes("read"));
    assert.deepEqual(readable("shadow"), ["datasources/logs", "llm/inference"]);
    assert.deepEqual(readable("assist"), ["datasources/logs", "llm/inference", "notify/slack"]);
    const full = [
      "datasources/logs",
      "llm/inference",
      "notify/slack",
      "remediation/pod-restart",
      "remediation/cache-clear",
    ];
    assert.deepEqual(readable("remediation"), full);
    assert.deepEqual(readable("autonomous"), full);
  });

  test("Vault capabilities are read/list only in every phase, and the asked-for paths are the same in all phases", () => {
    for (const phase of PHASES) {
      for (const g of CATALOG[phase].vault) for (const c of g.capabilities) assert.ok(c === "read" || c === "list");
    }
    assert.deepEqual(allVaultPaths(), [
      "datasources/*",
      "llm/inference",
      "notify/*",
      "remediation/cache-clear",
      "remediation/pod-restart",
    ]);
  });

  test("egress: shadow cannot notify; only remediation and up reach remediation targets", () => {
    assert.ok(!CATALOG.shadow.egress.includes("notify"));
    assert.ok(CATALOG.assist.egress.includes("notify"));
    assert.ok(!CATALOG.assist.egress.includes("remediation-targets"));
    assert.ok(CATALOG.remediation.egress.includes("remediation-targets"));
    assert.equal(CATALOG.shadow.outputReachesOperators, false);
  });
});
