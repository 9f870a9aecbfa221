/**
 * The enforcement promise, measured: the dev stacks deployed into a real kube-apiserver (RBAC, Pod Security,
 * audit) and a real Vault-compatible server, every cell of the permission matrix compared with the catalog.
 * Then the harness is shown to catch a difference: a Role or policy widened behind the stacks' back must turn
 * exactly the affected cells into mismatches.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { untilSar } from "./helpers";
import { applyAll, kubeOk } from "../../src/sandbox/servers/kube";
import { deployerKubeConfig } from "../../src/sandbox/deploy/deploy-kube";
import { agentNames } from "../../src/model/naming";
import { matches, summarize, type CheckResult, type Section } from "../../src/sandbox/verify/results";
import { formatReport } from "../../src/sandbox/verify/report";
import { deploySandbox, startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";
import { verifySandbox } from "../../src/sandbox/verify/verify";
import { verifyRbac } from "../../src/sandbox/verify/verify-rbac";
import { verifyVault } from "../../src/sandbox/verify/verify-vault";
import type { RbacCheck } from "../../src/sandbox/verify/expect-rbac";

let sb: Sandbox;
let results: CheckResult[];

const log = (l: string) => process.stderr.write(`${l}\n`);
const section = (s: Section) => results.filter((r) => r.section === s);
function assertAllMatch(s: Section) {
  const cells = section(s);
  assert.ok(cells.length > 0, `no ${s} checks ran`);
  const bad = cells.filter((r) => !matches(r));
  assert.equal(bad.length, 0, `${bad.length} ${s} cells differ from the catalog:\n${formatReport(bad)}`);
}
const one = (f: (r: CheckResult) => boolean): CheckResult => {
  const hits = results.filter(f);
  assert.ok(hits.length > 0, "no such cell was measured");
  return hits[0]!;
};
const sar = (phase: string, agent: string, ns: string | undefined, verb: string, resource: string, name?: string) =>
  one((r) => {
    const a = (r as Partial<RbacCheck>).attributes;
    return (
      r.section === "rbac" &&
      r.phase === phase &&
      r.agent === agent &&
      !!a &&
      a.namespace === ns &&
      a.verb === verb &&
      [a.resource, a.subresource].filter(Boolean).join("/") === resource &&
      a.name === name
    );
  }).measured;

describe("sandbox: dev stacks against real servers", () => {
  before(async () => {
    sb = await startSandbox({ build: true, log });
    await deploySandbox(sb, 1800);
    results = (await verifySandbox(sb, log)).results;
  });
  after(async () => {
    await sb?.stop();
  });

  test("RBAC: every SubjectAccessReview answer matches the catalog", () => {
    assertAllMatch("rbac");
    assert.ok(
      section("rbac").some((r) => r.measured === "allow") && section("rbac").some((r) => r.measured === "deny"),
    );
  });

  test("RBAC: shadow reads but cannot restart; remediation restarts only the listed deployment", () => {
    assert.equal(sar("shadow", "diagnostic", "checkout", "list", "pods"), "allow");
    assert.equal(sar("shadow", "diagnostic", "checkout", "delete", "pods", "sandbox-unlisted"), "deny");
    assert.equal(sar("remediation", "diagnostic", "checkout", "delete", "pods", "sandbox-unlisted"), "allow");
    assert.equal(sar("remediation", "diagnostic", "checkout", "patch", "deployments", "checkout-web"), "allow");
    assert.equal(sar("remediation", "diagnostic", "checkout", "patch", "deployments", "sandbox-unlisted"), "deny");
    assert.equal(sar("remediation", "diagnostic", "checkout", "patch", "deployments/scale", "checkout-web"), "deny");
    assert.equal(sar("autonomous", "diagnostic", "checkout", "patch", "deployments/scale", "checkout-web"), "allow");
    assert.equal(sar("autonomous", "diagnostic", "default", "list", "pods"), "deny");
    assert.equal(sar("autonomous", "capacity", "checkout", "list", "pods"), "deny");
  });

  test("RBAC: secrets, exec, creating pods, deleting namespaces and cluster reads are refused to every phase", () => {
    for (const phase of ["shadow", "assist", "remediation", "autonomous"]) {
      assert.equal(sar(phase, "diagnostic", "checkout", "get", "secrets"), "deny");
      assert.equal(sar(phase, "diagnostic", "checkout", "create", "pods/exec"), "deny");
      assert.equal(sar(phase, "diagnostic", "checkout", "create", "pods"), "deny");
      assert.equal(sar(phase, "diagnostic", undefined, "delete", "namespaces", "checkout"), "deny");
      assert.equal(sar(phase, "diagnostic", undefined, "list", "nodes"), "deny");
      assert.equal(sar(phase, "diagnostic", undefined, "list", "namespaces"), "deny");
    }
  });

  test("Vault: logins, TTLs and every secret path match the catalog", () => {
    assertAllMatch("vault");
    for (const phase of ["shadow", "assist", "remediation", "autonomous"]) {
      const cell = (object: string) =>
        one((r) => r.section === "vault" && r.phase === phase && r.agent === "diagnostic" && r.object === object);
      assert.equal(cell("own token, own role").measured, "allow");
      assert.equal(cell("another ServiceAccount's token").measured, "deny");
      assert.equal(cell("own token without the vault audience").measured, "deny");
      assert.equal(cell("own token, another phase's role").measured, "deny");
      assert.equal(one((r) => r.section === "vault" && r.phase === phase && r.verb === "ttl").measured, "allow");
    }
    assert.equal(
      one(
        (r) =>
          r.section === "vault" &&
          r.phase === "shadow" &&
          r.agent === "diagnostic" &&
          r.verb === "read" &&
          r.object === "notify/*",
      ).measured,
      "deny",
    );
    assert.equal(
      one(
        (r) =>
          r.section === "vault" &&
          r.phase === "assist" &&
          r.agent === "diagnostic" &&
          r.verb === "read" &&
          r.object === "notify/*",
      ).measured,
      "allow",
    );
  });

  test("Pod Security: the published template's pod is admitted, privileged/root/hostPath variants rejected", () => {
    assertAllMatch("pod-security");
    assert.equal(
      section("pod-security")
        .filter((r) => r.object.startsWith("template pod"))
        .every((r) => r.measured === "allow"),
      true,
    );
    assert.ok(
      section("pod-security")
        .filter((r) => r.measured === "deny")
        .every((r) => /violates PodSecurity "restricted/.test(r.detail ?? "")),
    );
  });

  test("Audit: agents' real requests are enforced and recorded under their own identity", () => {
    assertAllMatch("audit");
  });

  test("Approval: held and carried out once a person approves; its own approval, a denial, an expiry, the bypass and the bare executor refused", () => {
    const cells = results.filter((r) => r.section === "approval");
    // One agent of each phase that approves something (remediation, autonomous), six cells each.
    assert.deepEqual([...new Set(cells.map((r) => r.phase))].sort(), ["autonomous", "remediation"]);
    assert.equal(cells.length, 12);
    assert.deepEqual([...new Set(cells.map((r) => `${r.verb}: ${r.expected}`))].sort(), [
      "approve its own request: deny",
      "delete as its executor, no approval: deny",
      "delete, approved: allow",
      "delete, bypassing the proxy: deny",
      "delete, denied: deny",
      "delete, hold expired: deny",
    ]);
    assertAllMatch("approval");
    const bare = cells.find((r) => r.verb === "delete as its executor, no approval");
    assert.match(bare?.detail ?? "", /admission-executor-needs-approval/);
  });

  test("the whole matrix has no mismatch", () => {
    assert.equal(summarize(results).mismatches, 0);
  });

  test("a Role widened behind the stacks' back shows up as mismatches, exactly where it was widened", async () => {
    const role = agentNames("dev", "shadow", "diagnostic").targetRole;
    // Only the deployer may change an agent's Role (admission-deployer-only-agent-roles), so the widening is its.
    const deployer = await deployerKubeConfig(sb.kc, sb.env);
    await kubeOk(
      deployer,
      "PATCH",
      `/apis/rbac.authorization.k8s.io/v1/namespaces/checkout/roles/${role}`,
      [{ op: "add", path: "/rules/-", value: { apiGroups: [""], resources: ["pods"], verbs: ["delete"] } }],
      "application/json-patch+json",
    );
    const user = `system:serviceaccount:${sb.env.namespace}:${agentNames("dev", "shadow", "diagnostic").serviceAccount}`;
    const probe = { namespace: "checkout", verb: "delete", resource: "pods", name: "any" };
    try {
      await untilSar(sb.kc, user, probe, true);
      const widened = await verifyRbac(sb.kc, sb.env);
      const bad = widened.filter((r) => !matches(r));
      const affected = widened.filter((r) => {
        const a = r.attributes;
        return (
          r.phase === "shadow" &&
          r.agent === "diagnostic" &&
          a.namespace === "checkout" &&
          a.verb === "delete" &&
          a.resource === "pods" &&
          !a.subresource
        );
      });
      assert.ok(affected.length > 0);
      assert.deepEqual(
        bad.map((r) => JSON.stringify(r.attributes)).sort(),
        affected.map((r) => JSON.stringify(r.attributes)).sort(),
      );
      assert.ok(bad.every((r) => r.measured === "allow" && r.expected === "deny"));
    } finally {
      await applyAll(
        deployer,
        sb.env.phases.shadow.kubernetes.filter(
          (m) => m.kind === "Role" && m.metadata.name === role && m.metadata.namespace === "checkout",
        ),
      );
      await untilSar(sb.kc, user, probe, false);
    }
    assert.equal((await verifyRbac(sb.kc, sb.env)).filter((r) => !matches(r)).length, 0);
  });

  test("a Vault policy widened behind the stacks' back shows up as mismatches, exactly where it was widened", async () => {
    const policy = agentNames("dev", "shadow", "diagnostic").vaultPolicy("notify");
    const original = sb.env.phases.shadow.vault.find(
      (d) => d.kind === "VaultPolicy" && (d["spec"] as { name: string }).name === policy,
    )!;
    await sb.vault.ok("PUT", `sys/policies/acl/${policy}`, {
      policy: 'path "agent/data/notify/*" { capabilities = ["read"] }',
    });
    try {
      const widened = await verifyVault(sb.kc, sb.vault, sb.env);
      const bad = widened.filter((r) => !matches(r));
      const affected = widened.filter(
        (r) => r.phase === "shadow" && r.agent === "diagnostic" && r.verb === "read" && r.object.startsWith("notify/"),
      );
      assert.ok(affected.length >= 2);
      assert.deepEqual(bad.map((r) => r.object).sort(), affected.map((r) => r.object).sort());
      assert.ok(bad.every((r) => r.phase === "shadow" && r.measured === "allow" && r.expected === "deny"));
    } finally {
      await sb.vault.ok("PUT", `sys/policies/acl/${policy}`, {
        policy: (original["spec"] as { policy: string }).policy,
      });
    }
    assert.equal((await verifyVault(sb.kc, sb.vault, sb.env)).filter((r) => !matches(r)).length, 0);
  });
});
