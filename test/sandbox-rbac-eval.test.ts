import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ruleAllows, rulesAllow } from "../src/sandbox/verify/rbac-eval";

describe("sandbox RBAC evaluator", () => {
  const read = { apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] };
  const restart = { apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch"], resourceNames: ["web"] };

  test("matches verb, group and resource together", () => {
    assert.equal(ruleAllows(read, { verb: "get", apiGroup: "", resource: "pods" }), true);
    assert.equal(ruleAllows(read, { verb: "delete", apiGroup: "", resource: "pods" }), false);
    assert.equal(ruleAllows(read, { verb: "get", apiGroup: "apps", resource: "pods" }), false);
    assert.equal(ruleAllows(read, { verb: "get", apiGroup: "", resource: "services" }), false);
  });

  test("a resource grant does not reach its subresources, and a subresource is its own resource", () => {
    assert.equal(ruleAllows(read, { verb: "get", apiGroup: "", resource: "pods/exec" }), false);
    assert.equal(ruleAllows(read, { verb: "get", apiGroup: "", resource: "pods/log" }), true);
    assert.equal(
      ruleAllows(restart, { verb: "patch", apiGroup: "apps", resource: "deployments/scale", name: "web" }),
      false,
    );
  });

  test("resourceNames narrow to the listed names; an unnamed request never matches", () => {
    assert.equal(ruleAllows(restart, { verb: "patch", apiGroup: "apps", resource: "deployments", name: "web" }), true);
    assert.equal(ruleAllows(restart, { verb: "patch", apiGroup: "apps", resource: "deployments", name: "db" }), false);
    assert.equal(ruleAllows(restart, { verb: "patch", apiGroup: "apps", resource: "deployments" }), false);
    assert.equal(ruleAllows(restart, { verb: "patch", apiGroup: "apps", resource: "deployments", name: "" }), false);
  });

  test("wildcards behave as in Kubernetes", () => {
    const all = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };
    assert.equal(ruleAllows(all, { verb: "escalate", apiGroup: "rbac.authorization.k8s.io", resource: "roles" }), true);
    const anyScale = { apiGroups: ["apps"], resources: ["*/scale"], verbs: ["patch"] };
    assert.equal(ruleAllows(anyScale, { verb: "patch", apiGroup: "apps", resource: "deployments/scale" }), true);
    assert.equal(ruleAllows(anyScale, { verb: "patch", apiGroup: "apps", resource: "deployments" }), false);
  });

  test("a rule list allows when any rule does; none allows nothing", () => {
    assert.equal(
      rulesAllow([read, restart], { verb: "patch", apiGroup: "apps", resource: "deployments", name: "web" }),
      true,
    );
    assert.equal(rulesAllow([], { verb: "get", apiGroup: "", resource: "pods" }), false);
  });
});
