/**
 * The runtime backstop on a real kube-apiserver: the dev foundation's ValidatingAdmissionPolicies, deployed as
 * the foundation's deployer, measured cell by cell for every phase (own grants, over-granted cluster-admin,
 * ceiling lowered at run time, bindings by system:masters and by the deployer, the administrator's own
 * requests), then the harness shown to catch a policy that was switched off; and the audit log's
 * per-investigation attribution through pod-bound tokens.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PHASES } from "../../src/model/phases";
import { admissionPolicyName } from "../../src/admission/policies";
import { APPROVAL_ADMISSION_RULES } from "../../src/admission/approval-rules";
import { ADMISSION_RULES } from "../../src/admission/rules";
import { deployKubernetes } from "../../src/sandbox/deploy/deploy-kube";
import { kubeOk } from "../../src/sandbox/servers/kube";
import { formatReport } from "../../src/sandbox/verify/report";
import { matches, type CheckResult } from "../../src/sandbox/verify/results";
import { startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";
import { LOWERED_CEILING, verifyAdmission } from "../../src/sandbox/verify/verify-admission";
import { verifyAudit } from "../../src/sandbox/verify/verify-audit";

let sb: Sandbox;
let results: CheckResult[];
const log = (l: string) => process.stderr.write(`${l}\n`);
const cells = (f: (r: CheckResult) => boolean) => {
  const hits = results.filter(f);
  assert.ok(hits.length > 0, "no such cell was measured");
  return hits;
};

/**
 * Rules an over-granted agent meets in dev (ceiling autonomous, so the ceiling rule is measured separately; the
 * approval rules judge the executor identities and review objects, measured in approval.test.ts).
 */
const APPROVAL_RULES = new Set(APPROVAL_ADMISSION_RULES.map((r) => r.name));
const OVER_GRANT_RULES = ADMISSION_RULES.map((r) => r.name).filter(
  (n) => n !== "admission-phase-ceiling" && !APPROVAL_RULES.has(n),
);

describe("admission: the runtime backstop against a real API server", () => {
  before(async () => {
    sb = await startSandbox({ build: true, log });
    await deployKubernetes(sb.kc, sb.env, 600);
    results = await verifyAdmission(sb.kc, sb.env);
  });
  after(async () => {
    await sb?.stop();
  });

  test("every cell matches the catalog and the rule table, in every phase", () => {
    for (const phase of PHASES)
      assert.ok(results.filter((r) => r.phase === phase).length >= 30 * sb.env.agents[phase].length, phase);
    assert.deepEqual([...new Set(results.map((r) => r.agent))].sort(), ["capacity", "diagnostic"]);
    const bad = results.filter((r) => !matches(r));
    assert.equal(bad.length, 0, formatReport(bad));
  });

  test("over-granted cluster-admin, every destructive request is still refused, naming the rule and the phase", () => {
    for (const phase of PHASES) {
      const denied = cells((r) => r.phase === phase && r.scope === "over-granted" && r.expected === "deny");
      assert.deepEqual([...new Set(denied.map((r) => r.basis))].sort(), [...OVER_GRANT_RULES].sort(), phase);
      for (const r of denied) {
        assert.equal(r.measured, "deny", `${phase} ${r.verb} ${r.object}`);
        assert.match(
          r.detail ?? "",
          new RegExp(`HTTP 403: .*agent-trust rule ${r.basis} \\((phase ${phase},|requester system:serviceaccount:)`),
        );
      }
      // The over-grant is real: a harmless write passes.
      assert.equal(
        cells((r) => r.phase === phase && r.scope === "over-granted" && r.basis === "cluster-admin")[0]!.measured,
        "allow",
      );
    }
  });

  test("the administrator's identical requests succeed", () => {
    for (const phase of PHASES) {
      const admin = cells((r) => r.phase === phase && r.scope === "administrator");
      assert.equal(admin.length % sb.env.agents[phase].length, 0);
      // Grants and the agents namespace are refused to the administrator too; everything else is theirs to do.
      const agent = cells(
        (r) =>
          r.phase === phase &&
          r.scope === "over-granted" &&
          r.expected === "deny" &&
          !r.basis.startsWith("admission-deployer-only") &&
          r.basis !== "admission-protected-namespace",
      );
      assert.deepEqual(
        admin.map((r) => `${r.verb} ${r.object}`).sort(),
        agent.map((r) => `${r.verb} ${r.object}`).sort(),
      );
      assert.ok(
        admin.every((r) => r.measured === "allow"),
        phase,
      );
    }
  });

  test("a restart passes for remediation and autonomous, an image change is refused; scaling is bounded", () => {
    const own = (phase: string, object: string) =>
      cells((r) => r.phase === phase && r.scope === "own grants" && r.object === object)[0]!;
    for (const phase of ["remediation", "autonomous"]) {
      assert.equal(own(phase, "deployment: rollout restart").measured, "allow");
      assert.equal(own(phase, "deployment: change image").measured, "deny");
      assert.equal(own(phase, "deployment: change image").basis, "admission-deployment-restart-only");
    }
    const scale = cells(
      (r) => r.phase === "autonomous" && r.agent === "diagnostic" && r.scope === "own grants" && r.verb === "scale",
    );
    assert.equal(scale.length, 4);
    assert.deepEqual(
      scale.map((r) => [r.object, r.measured]),
      [
        ["deployment 2→3", "allow"],
        ["deployment 2→0", "deny"],
        ["deployment 2→5", "deny"],
        ["deployment 10→11", "deny"],
      ],
    );
  });

  test(`lowering the ceiling to ${LOWERED_CEILING} refuses the higher phases' writes at once`, () => {
    const c = cells((r) => r.scope === `ceiling → ${LOWERED_CEILING}`);
    assert.equal(
      c.length,
      PHASES.reduce((n, p) => n + sb.env.agents[p].length, 0),
    );
    for (const r of c)
      assert.equal(r.measured, ["shadow", "assist"].includes(r.phase) ? "allow" : "deny", `${r.phase} ${r.agent}`);
    assert.ok(c.some((r) => r.phase === "autonomous" && r.measured === "deny"));
  });

  test("a binding naming an agent or a wider agent Role: refused to system:masters, made by the deployer", () => {
    for (const phase of PHASES) {
      const by = (object: string) =>
        cells((r) => r.phase === phase && r.agent === "diagnostic" && r.scope === "grant by" && r.object === object)[0]!
          .measured;
      assert.equal(by("rolebinding: system:masters admin"), "deny");
      assert.equal(by("clusterrolebinding: system:masters admin"), "deny");
      assert.equal(by("its Role: system:masters admin"), "deny");
      assert.equal(by("rolebinding: the deployer"), "allow");
      assert.equal(by("its Role: the deployer"), "allow");
    }
  });

  test("a policy switched off behind the foundation's back shows up as mismatches, exactly where", async () => {
    const rule = ADMISSION_RULES.find((r) => r.name === "admission-no-eviction")!;
    const name = admissionPolicyName(sb.env.environment, rule);
    const binding = await kubeOk(
      sb.kc,
      "GET",
      `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/${name}`,
    );
    await kubeOk(sb.kc, "DELETE", `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/${name}`);
    try {
      let rerun: CheckResult[] = [];
      const evictions = () => rerun.filter((r) => r.scope === "over-granted" && r.verb === "evict");
      // The API server drops the binding from its admission cache by watch: rerun until it has.
      for (let round = 2; round < 12; round++) {
        rerun = await verifyAdmission(sb.kc, sb.env, round);
        if (evictions().every((r) => r.measured === "allow")) break;
      }
      const everyAgent = PHASES.flatMap((p) => sb.env.agents[p].map(() => p));
      assert.deepEqual(
        evictions().map((r) => [r.phase, r.basis, r.expected, r.measured]),
        everyAgent.map((p) => [p, rule.name, "deny", "allow"]),
      );
      // Every other cell still matches; the administrator's own eviction finds the pod already gone.
      const bad = rerun.filter((r) => !matches(r));
      assert.deepEqual([...new Set(bad.map((r) => r.verb))], ["evict"]);
      assert.deepEqual(
        bad.filter((r) => r.scope !== "over-granted").map((r) => [r.scope, r.measured]),
        everyAgent.map(() => ["administrator", "error"]),
      );
    } finally {
      const { metadata, spec } = binding as { metadata: { name: string; labels: unknown }; spec: unknown };
      await kubeOk(sb.kc, "POST", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings", {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: metadata.name, labels: metadata.labels },
        spec,
      });
    }
  });

  test("every audited agent request names the pod, and so the investigation, that made it", async () => {
    const audit = await verifyAudit(sb.kc, sb.env, sb.auditLog);
    const traced = audit.filter((r) => r.basis === "bound token");
    const agents = PHASES.reduce((n, p) => n + sb.env.agents[p].length, 0);
    assert.equal(traced.length, agents * 3);
    assert.deepEqual(
      audit.filter((r) => !matches(r)),
      [],
    );
    for (const r of traced)
      assert.match(r.detail ?? "", new RegExp(`^pod [a-z0-9-]+ → investigation audit-${r.phase}$`));
    const levels = audit.filter((r) => r.basis === "audit policy").map((r) => r.object);
    assert.ok(levels.some((o) => o.endsWith("at RequestResponse")) && levels.some((o) => o.endsWith("at Metadata")));
  });
});
