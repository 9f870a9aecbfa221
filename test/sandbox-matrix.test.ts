import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { agentsNamespaceRules, CATALOG, targetNamespaceRules } from "../src/model/catalog";
import { PHASES } from "../src/model/phases";
import { loadEnvironment } from "../src/sandbox/deploy/environment";
import {
  catalogVocabulary,
  rbacMatrix,
  UNLISTED_NAME,
  type RbacCheck,
  type ResourceIndex,
} from "../src/sandbox/verify/expect-rbac";
import { rulesAllow } from "../src/sandbox/verify/rbac-eval";

/** A discovery stand-in for the resources the matrix asks about (the real one comes from the API server). */
function fakeIndex(): ResourceIndex {
  const groups: Record<string, [string, boolean][]> = {
    "": [
      ["pods", true],
      ["pods/log", true],
      ["pods/exec", true],
      ["pods/attach", true],
      ["pods/portforward", true],
      ["pods/ephemeralcontainers", true],
      ["events", true],
      ["services", true],
      ["endpoints", true],
      ["secrets", true],
      ["serviceaccounts", true],
      ["serviceaccounts/token", true],
      ["namespaces", false],
      ["namespaces/finalize", false],
      ["nodes", false],
      ["nodes/proxy", false],
      ["nodes/status", false],
      ["persistentvolumes", false],
      ["persistentvolumeclaims", true],
    ],
    apps: [
      ["deployments", true],
      ["deployments/scale", true],
      ["replicasets", true],
      ["statefulsets", true],
      ["daemonsets", true],
    ],
    batch: [
      ["jobs", true],
      ["cronjobs", true],
    ],
    "rbac.authorization.k8s.io": [
      ["roles", true],
      ["rolebindings", true],
      ["clusterroles", false],
      ["clusterrolebindings", false],
    ],
    "certificates.k8s.io": [
      ["certificatesigningrequests", false],
      ["certificatesigningrequests/approval", false],
      ["certificatesigningrequests/status", false],
    ],
    "admissionregistration.k8s.io": [
      ["validatingwebhookconfigurations", false],
      ["mutatingwebhookconfigurations", false],
      ["validatingadmissionpolicies", false],
      ["validatingadmissionpolicybindings", false],
    ],
    "apiextensions.k8s.io": [["customresourcedefinitions", false]],
    "authentication.k8s.io": [["tokenreviews", false]],
    "authorization.k8s.io": [["subjectaccessreviews", false]],
  };
  const index = new Map<string, { group: string; namespaced: boolean }[]>();
  for (const [group, list] of Object.entries(groups))
    for (const [name, namespaced] of list) index.set(name, [...(index.get(name) ?? []), { group, namespaced }]);
  return index;
}

const env = loadEnvironment("dev");
const matrix = rbacMatrix({
  environment: "dev",
  namespace: env.namespace,
  agents: env.agents,
  index: fakeIndex(),
  otherNamespace: "default",
});
const find = (f: (c: RbacCheck) => boolean) => {
  const hits = matrix.filter(f);
  assert.ok(hits.length > 0, "expected at least one matching check");
  return hits;
};
const at = (phase: string, agent: string, ns: string | undefined, verb: string, resource: string, name?: string) =>
  find(
    (c) =>
      c.phase === phase &&
      c.agent === agent &&
      c.attributes.namespace === ns &&
      c.verb === verb &&
      [c.attributes.resource, c.attributes.subresource].filter(Boolean).join("/") === resource &&
      c.attributes.name === name,
  );

describe("sandbox RBAC matrix (expected cells from the catalog)", () => {
  test("covers every phase and agent of the dev stacks, each cell once", () => {
    for (const p of PHASES)
      for (const a of env.agents[p]) assert.ok(matrix.some((c) => c.phase === p && c.agent === a.name));
    const keys = matrix.map((c) => JSON.stringify([c.phase, c.agent, c.attributes]));
    assert.equal(new Set(keys).size, keys.length);
  });

  test("asks every verb x resource the catalog mentions in the agents, target and another namespace", () => {
    const { refs, verbs } = catalogVocabulary();
    assert.ok(verbs.includes("delete") && verbs.includes("patch") && verbs.includes("watch"));
    for (const ref of refs)
      for (const v of verbs)
        for (const ns of [env.namespace, "checkout", "payments", "default"]) {
          assert.ok(
            matrix.some(
              (c) =>
                c.agent === "diagnostic" &&
                c.verb === v &&
                c.attributes.group === ref.group &&
                [c.attributes.resource, c.attributes.subresource].filter(Boolean).join("/") === ref.resource &&
                c.attributes.namespace === ns,
            ),
            `${v} ${ref.resource} in ${ns}`,
          );
        }
  });

  test("expected cells are the catalog's rules evaluated for the namespace's role", () => {
    for (const c of matrix.filter((x) => x.basis === "catalog")) {
      const agent = env.agents[c.phase].find((a) => a.name === c.agent)!;
      const ns = c.attributes.namespace;
      const rules =
        ns === env.namespace
          ? agentsNamespaceRules()
          : ns && agent.targetNamespaces.includes(ns)
            ? targetNamespaceRules(c.phase, agent.resourceNames ?? {})
            : [];
      const resource = [c.attributes.resource, c.attributes.subresource].filter(Boolean).join("/");
      const allowed = rulesAllow(rules, {
        verb: c.verb,
        apiGroup: c.attributes.group,
        resource,
        ...(c.attributes.name ? { name: c.attributes.name } : {}),
      });
      assert.equal(c.expected, allowed ? "allow" : "deny", `${c.phase} ${c.agent} ${c.verb} ${resource} ${ns}`);
    }
  });

  test("narrowed writes: a listed deployment may be restarted from remediation on, an unlisted or unnamed one never", () => {
    for (const phase of ["shadow", "assist"])
      assert.equal(at(phase, "diagnostic", "checkout", "patch", "deployments", "checkout-web")[0]!.expected, "deny");
    for (const phase of ["remediation", "autonomous"]) {
      assert.equal(at(phase, "diagnostic", "checkout", "patch", "deployments", "checkout-web")[0]!.expected, "allow");
      assert.equal(at(phase, "diagnostic", "checkout", "patch", "deployments", UNLISTED_NAME)[0]!.expected, "deny");
      assert.equal(at(phase, "diagnostic", "checkout", "patch", "deployments")[0]!.expected, "deny");
      // capacity lists no deployments, so its grant is not narrowed.
      assert.equal(at(phase, "capacity", "payments", "patch", "deployments", UNLISTED_NAME)[0]!.expected, "allow");
    }
    assert.equal(
      at("remediation", "diagnostic", "checkout", "patch", "deployments/scale", "checkout-web")[0]!.expected,
      "deny",
    );
    assert.equal(
      at("autonomous", "diagnostic", "checkout", "patch", "deployments/scale", "checkout-web")[0]!.expected,
      "allow",
    );
  });

  test("a namespace the agent does not target grants nothing, even one another agent targets", () => {
    assert.ok(matrix.filter((c) => c.attributes.namespace === "default").every((c) => c.expected === "deny"));
    assert.ok(
      matrix
        .filter((c) => c.agent === "capacity" && c.attributes.namespace === "checkout")
        .every((c) => c.expected === "deny"),
    );
    assert.equal(at("shadow", "diagnostic", "checkout", "list", "pods")[0]!.expected, "allow");
  });

  test("the never-lists are asked in every namespace and at cluster scope, always expected denied", () => {
    const forbidden = matrix.filter((c) => c.basis === "forbidden");
    assert.ok(forbidden.every((c) => c.expected === "deny"));
    for (const phase of PHASES) {
      for (const ns of [env.namespace, "checkout", "payments", "default"]) {
        at(phase, "diagnostic", ns, "get", "secrets");
        at(phase, "diagnostic", ns, "create", "pods/exec");
        at(phase, "diagnostic", ns, "create", "pods");
        at(phase, "diagnostic", undefined, "delete", "namespaces", ns);
      }
      at(phase, "diagnostic", undefined, "list", "nodes");
      at(phase, "diagnostic", undefined, "list", "namespaces");
      at(phase, "diagnostic", undefined, "list", "pods");
      at(phase, "diagnostic", undefined, "impersonate", "users");
    }
  });

  test("the catalog itself never grants a never-list row (else the matrix would hide a bad catalog)", () => {
    // Cluster-wide reads of namespaced resources are refused by scope (no ClusterRoleBinding), not by the rules.
    for (const c of matrix.filter((x) => x.basis === "forbidden" && !x.object.endsWith("[all namespaces]"))) {
      const agent = env.agents[c.phase].find((a) => a.name === c.agent)!;
      const resource = [c.attributes.resource, c.attributes.subresource].filter(Boolean).join("/");
      for (const rules of [agentsNamespaceRules(), targetNamespaceRules(c.phase, agent.resourceNames ?? {})]) {
        assert.equal(
          rulesAllow(rules, { verb: c.verb, apiGroup: c.attributes.group, resource }),
          false,
          `${c.phase} ${c.verb} ${resource}`,
        );
      }
    }
  });

  test("each phase has some allowed and some denied cells, and later phases allow a superset", () => {
    const allowed = (p: string) =>
      new Set(
        matrix
          .filter((c) => c.phase === p && c.expected === "allow")
          .map((c) => JSON.stringify([c.agent, c.attributes])),
      );
    let previous = new Set<string>();
    for (const p of PHASES) {
      const now = allowed(p);
      assert.ok(now.size > 0 && now.size < matrix.filter((c) => c.phase === p).length);
      for (const k of previous) assert.ok(now.has(k), `${p} lost ${k}`);
      previous = now;
    }
    assert.ok(CATALOG.autonomous.writes.length > CATALOG.shadow.writes.length);
  });

  test("a resource the server does not serve is an error, not a silently skipped row", () => {
    const index = new Map(fakeIndex());
    index.delete("pods/exec");
    assert.throws(
      () =>
        rbacMatrix({
          environment: "dev",
          namespace: env.namespace,
          agents: env.agents,
          index,
          otherNamespace: "default",
        }),
      /pods\/exec.*not served/,
    );
  });
});
