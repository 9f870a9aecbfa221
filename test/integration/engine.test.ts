/**
 * The real Pulumi engine in the loop (dev): the foundation and the four phase stacks deployed by `pulumi` itself
 * (inline program, file backend, the policy pack run by the engine), the permission matrix measured on what the
 * engine created, then a promotion previewed as its exact diff, a tampered change blocked by the pack with
 * nothing created, and `destroy` of a phase stack shown to revoke.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { untilSar } from "./helpers";
import { parseStackConfig } from "../../src/config/parse";
import type { PhaseConfig } from "../../src/config/schema";
import { childName } from "../../src/components/objects";
import { resolveEngineBinaries } from "../../src/engine/binaries";
import { deployWithEngine, destroyPhaseWithEngine, type EngineDeployment } from "../../src/engine/deploy";
import { changes, type EngineResult } from "../../src/engine/engine";
import { sandboxStackConfig, type ConfigMap } from "../../src/engine/settings";
import { projectRoot } from "../../src/config/stacks";
import { SANDBOX_ANNOTATIONS } from "../../src/engine/transform";
import { PHASES } from "../../src/model/phases";
import { foundationOutputs } from "../../src/model/foundation";
import { manifestsOf } from "../../src/plan/manifests";
import { planPhase } from "../../src/plan/phase";
import { kubeOk, kubeRequest } from "../../src/sandbox/servers/kube";
import { formatReport } from "../../src/sandbox/verify/report";
import { summarize, type CheckResult } from "../../src/sandbox/verify/results";
import { startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";
import { requestToken } from "../../src/sandbox/servers/tokens";
import { verifySandbox } from "../../src/sandbox/verify/verify";

let sb: Sandbox;
let dep: EngineDeployment;
let results: CheckResult[];
const log = (l: string) => process.stderr.write(`${l}\n`);

/** dev-remediation with one more agent, "triage", promoted into it (a copy of an existing agent's entry). */
function promoteTriage(config: ConfigMap): ConfigMap {
  const agents = config["agent-trust:agents"] as Record<string, unknown>[];
  assert.ok(agents.length > 0, "dev-remediation has no agents to copy");
  const copy = agents[agents.length - 1]!;
  const promotion = { ...(copy["promotion"] as Record<string, unknown>), evidence: TRIAGE_EVIDENCE };
  return { ...config, "agent-trust:agents": [...agents, { ...copy, name: "triage", promotion }] };
}

/** The promoted agent's evidence: a copy of the copied agent's own record (the gate judges every agent on its own file). */
const TRIAGE_EVIDENCE = "evidence/dev/triage.yaml";

function writeTriageEvidence(config: ConfigMap): void {
  const agents = config["agent-trust:agents"] as Record<string, unknown>[];
  const copy = agents[agents.length - 1]!;
  const source = path.join(projectRoot(), String((copy["promotion"] as Record<string, unknown>)["evidence"]));
  const text = fs
    .readFileSync(source, "utf8")
    .replace(new RegExp(`^agent: ${String(copy["name"])}$`, "m"), "agent: triage");
  assert.match(text, /^agent: triage$/m, `${source} names its agent on an "agent:" line`);
  fs.writeFileSync(path.join(projectRoot(), TRIAGE_EVIDENCE), text);
}

function triagePlan(config: ConfigMap) {
  const cfg = parseStackConfig(promoteTriage(config), "test") as PhaseConfig;
  const plans = planPhase(cfg, foundationOutputs(sb.env.foundation.config)).filter((p) => p.agent === "triage");
  assert.equal(plans.length, 1);
  return plans[0]!;
}

const remediationStack = () => sb.env.phases.remediation.stack;
/** The stack file's config exactly as the engine gets it (phase stacks have no sandbox overrides). */
const rawRemediationConfig = (): ConfigMap =>
  sandboxStackConfig(projectRoot(), remediationStack(), { apiserverUrl: "", caPem: "" });

describe("engine: dev stacks deployed by the real Pulumi engine", () => {
  before(async () => {
    const binaries = await resolveEngineBinaries({ build: true, log });
    sb = await startSandbox({ build: true, log });
    writeTriageEvidence(rawRemediationConfig());
    dep = await deployWithEngine(sb, binaries, 1800, log);
    results = (await verifySandbox(sb, log)).results;
  });
  after(async () => {
    fs.rmSync(path.join(projectRoot(), TRIAGE_EVIDENCE), { force: true });
    await sb?.stop();
  });

  test("the engine deployed the foundation and the four phase stacks, and says which half it ran", () => {
    assert.deepEqual(dep.stacks, ["dev", "dev-shadow", "dev-assist", "dev-remediation", "dev-autonomous"]);
    const kube =
      sb.env.foundation.kubernetes.length + PHASES.reduce((n, p) => n + sb.env.phases[p].kubernetes.length, 0);
    const vault = sb.env.foundation.vault.length + PHASES.reduce((n, p) => n + sb.env.phases[p].vault.length, 0);
    assert.ok(kube > 20 && vault > 10, `rendered ${kube} Kubernetes and ${vault} Vault objects`);
    assert.equal(dep.kubernetes, kube, "every rendered Kubernetes object is an engine resource");
    assert.equal(dep.vault, vault, "every rendered Vault object is an engine resource");
    assert.match(dep.engine.describe(), /both halves/);
    if (dep.engine.vaultProvider === "stand-in")
      log("engine test: NOTE: no pulumi-resource-vault; the Vault half went through the sandbox's stand-in provider");
  });

  test("the permission matrix measured on what the engine created matches the catalog", () => {
    const s = summarize(results);
    assert.ok(results.length > 100, `only ${results.length} cells measured`);
    for (const section of ["rbac", "vault", "pod-security", "audit"])
      assert.ok(
        results.some((r) => r.section === section),
        `no ${section} cells`,
      );
    assert.equal(s.mismatches, 0, formatReport(results.filter((r) => r.measured !== r.expected)));
  });

  test("created objects carry the sandbox-only annotations (skipAwait, background deletion)", async () => {
    const roles = sb.env.phases.shadow.kubernetes.filter((m) => m.kind === "Role");
    assert.ok(roles.length > 0);
    const role = await kubeOk(
      sb.kc,
      "GET",
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${roles[0]!.metadata.namespace}/roles/${roles[0]!.metadata.name}`,
    );
    const annotations = (role["metadata"] as { annotations?: Record<string, string> }).annotations ?? {};
    for (const [k, v] of Object.entries(SANDBOX_ANNOTATIONS)) assert.equal(annotations[k], v, k);
  });

  test("previews of the five dev stacks: no changes, the pack passes, the phase stacks read the foundation by StackReference", async () => {
    for (const stack of dep.stacks) {
      const r = await dep.engine.preview(stack);
      assert.ok(r.ok, `${stack}: ${r.error}`);
      assert.ok(r.steps.length > 5, `${stack}: only ${r.steps.length} steps`);
      assert.deepEqual(changes(r), [], `${stack} has changes right after up`);
      assert.deepEqual(
        r.violations.filter((v) => !(v.level === "advisory" && v.policy === "unjudged-resource-types")),
        [],
      ); // the listing of kinds no rule reads is advisory
      if (stack !== "dev")
        assert.ok(
          r.steps.some((s) => s.type === "pulumi:pulumi:StackReference"),
          `${stack} has no StackReference`,
        );
    }
  });

  test("a kubeconfig for another cluster than the stack names: up fails at preview with the clear message, and nothing changes", async () => {
    const esc = (v: string) => v.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const other = "https://kubernetes.elsewhere.example.internal:6443";
    // The foundation names another cluster; the sandbox's kubeconfig points at the sandbox.
    const f = await dep.engine.up("dev", { edit: (c) => ({ ...c, "agent-trust:cluster": { server: other } }) });
    assert.equal(f.ok, false, "up of a foundation naming another cluster succeeded");
    const fText = [f.error ?? "", ...f.diagnostics].join("\n");
    assert.match(fText, new RegExp(`stack "dev" deploys to ${esc(other)} \\(agent-trust:cluster\\.server\\)`));
    assert.match(fText, new RegExp(`selects context "[^"]+", whose cluster "[^"]+" is ${esc(sb.apiserverUrl)}`));
    assert.deepEqual(changes(f), [], "a refused program plans nothing (no deletes either)");
    // A phase stack whose kubeconfig points elsewhere: the foundation's cluster (exported) is the one it is held to.
    const wrong = path.join(sb.dir, "wrong.kubeconfig");
    const doc = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "elsewhere", cluster: { server: other } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "elsewhere", context: { cluster: "elsewhere", user: "u" } }],
      "current-context": "elsewhere",
    };
    fs.writeFileSync(wrong, JSON.stringify(doc), { mode: 0o600 });
    const p = await dep.engine.up("dev-shadow", { edit: (c) => ({ ...c, "kubernetes:kubeconfig": wrong }) });
    assert.equal(p.ok, false, "up of a phase stack with a kubeconfig for another cluster succeeded");
    const pText = [p.error ?? "", ...p.diagnostics].join("\n");
    assert.match(
      pText,
      new RegExp(
        `stack "dev-shadow" deploys to ${esc(sb.apiserverUrl)} \\(agent-trust:cluster\\.server\\), but the kubeconfig from kubernetes:kubeconfig \\(${esc(wrong)}\\) selects context "elsewhere", whose cluster "elsewhere" is ${esc(other)}`,
      ),
    );
    assert.deepEqual(changes(p), []);
    // Nothing was changed: both stacks preview clean again with the sandbox's own settings.
    for (const stack of ["dev", "dev-shadow"]) {
      const again = await dep.engine.preview(stack);
      assert.ok(again.ok, `${stack}: ${again.error}`);
      assert.deepEqual(changes(again), [], stack);
    }
  });

  test("a promotion into remediation previews as exactly the added agent's ServiceAccount, Roles, bindings and Vault policies", async () => {
    const plan = triagePlan(rawRemediationConfig());
    const r = await dep.engine.preview(remediationStack(), { edit: promoteTriage });
    assert.ok(r.ok, r.error);
    const planned = manifestsOf(plan);
    const expected = new Set([...planned.map((m) => childName("triage", m)), "triage"]);
    const changed = changes(r);
    assert.equal(changed.length, expected.size, changed.map((s) => `${s.op} ${s.name}`).join("\n"));
    assert.deepEqual(new Set(changed.map((s) => s.op)), new Set(["create"]), "a promotion only adds");
    assert.deepEqual(new Set(changed.map((s) => s.name)), expected);
    const kinds = new Set(changed.map((s) => s.type));
    for (const t of [
      "kubernetes:rbac.authorization.k8s.io/v1:Role",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
      "kubernetes:core/v1:ServiceAccount",
    ])
      assert.ok(kinds.has(t), t);
    assert.ok(kinds.has("vault:index/policy:Policy"));
    assert.deepEqual(
      r.violations.filter((v) => !(v.level === "advisory" && v.policy === "unjudged-resource-types")),
      [],
    ); // the listing of kinds no rule reads is advisory
  });

  test("a tampered Role (secrets access) is blocked by the pack in preview and in up, and nothing is created", async () => {
    const tamper = (a: { type: string; name: string; props: Record<string, unknown>; opts: object }) =>
      a.type === "kubernetes:rbac.authorization.k8s.io/v1:Role" && a.name.startsWith("triage-")
        ? {
            props: {
              ...a.props,
              rules: [
                ...((a.props["rules"] as unknown[]) ?? []),
                { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
              ],
            },
            opts: a.opts,
          }
        : undefined;
    const check = (what: string, r: EngineResult) => {
      assert.equal(r.ok, false, `${what} was not blocked`);
      const mandatory = r.violations.filter((v) => v.level === "mandatory");
      assert.ok(mandatory.length > 0, `${what}: no mandatory violation (${r.error})`);
      assert.ok(
        mandatory.some((v) => v.urn?.includes("triage-role")),
        mandatory.map((v) => v.urn).join(", "),
      );
      assert.ok(
        !mandatory.some((v) => /::(diagnostic|capacity)-/.test(v.urn ?? "")),
        "the untouched agents were flagged",
      );
      assert.ok(
        mandatory.some((v) => /secret/i.test(v.message)),
        mandatory.map((v) => v.message).join("\n"),
      );
    };
    check("preview", await dep.engine.preview(remediationStack(), { edit: promoteTriage, tamper }));
    check("up", await dep.engine.up(remediationStack(), { edit: promoteTriage, tamper }));
    const sa = triagePlan(rawRemediationConfig()).serviceAccount;
    const got = await kubeRequest(
      sb.kc,
      "GET",
      `/api/v1/namespaces/${sa.metadata.namespace}/serviceaccounts/${sa.metadata.name}`,
    );
    assert.equal(got.status, 404, "the blocked update created the ServiceAccount");
    const again = await dep.engine.preview(remediationStack());
    assert.ok(again.ok);
    assert.deepEqual(changes(again), [], "the blocked update changed the stack's state");
  });

  test("destroy of the remediation stack revokes it: SubjectAccessReviews deny, Vault login fails", async () => {
    const plan = planPhase(sb.env.phases.remediation.config, foundationOutputs(sb.env.foundation.config)).find(
      (p) => p.agent === "diagnostic",
    )!;
    const sa = plan.serviceAccount;
    const role = plan.vault.role;
    const { authMount, audience } = sb.env.foundation.config.vault;
    const user = `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`;
    const restart = {
      namespace: "checkout",
      verb: "patch",
      group: "apps",
      resource: "deployments",
      name: "checkout-web",
    };
    await untilSar(sb.kc, user, restart, true);
    const jwt = await requestToken(sb.kc, sa.metadata.namespace!, sa.metadata.name, [audience]);
    const roleName = String((role["spec"] as Record<string, unknown>)["role_name"]);
    const before = await sb.vault.request("POST", `auth/${authMount}/login`, { role: roleName, jwt });
    assert.equal(before.status, 200, JSON.stringify(before.body));

    const { result } = await destroyPhaseWithEngine(dep.engine, remediationStack());
    assert.ok(result.ok, result.error);
    const deleted = result.steps.filter((s) => s.op === "delete" && s.type.startsWith("kubernetes:")).length;
    assert.equal(deleted, sb.env.phases.remediation.kubernetes.length);
    assert.equal(
      result.steps.filter((s) => s.op === "delete" && s.type.startsWith("vault:")).length,
      sb.env.phases.remediation.vault.length,
    );
    await untilSar(sb.kc, user, restart, false);
    await untilSar(sb.kc, user, { namespace: "checkout", verb: "get", group: "apps", resource: "deployments" }, false);
    const afterLogin = await sb.vault.request("POST", `auth/${authMount}/login`, { role: roleName, jwt });
    assert.ok([400, 401, 403].includes(afterLogin.status), `login after destroy: HTTP ${afterLogin.status}`);
    assert.equal((await sb.vault.request("GET", `auth/${authMount}/role/${roleName}`)).status, 404);
  });
});
