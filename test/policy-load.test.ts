/**
 * The pack loads the way the Pulumi engine loads it: the engine's `pulumi-analyzer-policy` shim resolves
 * `@pulumi/pulumi/cmd/run-policy-pack` from the pack directory and runs it with node, cwd = the pack, the stack's
 * config in PULUMI_CONFIG; the runner compiles index.ts with ts-node (type-checked), the PolicyPack starts a gRPC
 * server and prints its port. We do exactly that, then speak the analyzer protocol to it.
 */
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { RULES } from "../src/rules";
import { patch } from "./rules-harness";
import { podTemplate, role, serviceAccount } from "./rules-samples";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownValue } = require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string };

const PACK = path.join(__dirname, "..", "policy");
const PORT_WAIT_S = 300;

interface Pack {
  child: ChildProcess;
  client: AnalyzerClient;
}

/** Starts the pack like the engine does and connects to the port it prints. */
async function startPack(config: Record<string, string>): Promise<Pack> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK] });
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
    cwd: PACK,
    env: {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(config),
      PULUMI_NODEJS_STACK: "dev-remediation",
      PULUMI_NODEJS_PROJECT: "agent-trust",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The pack never outlives this test process, whether the test passes, fails or times out.
  const stop = () => child.kill();
  process.once("exit", stop);
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  // ts-node type-checks the pack and the rule table before the port appears: ~15 s idle, minutes on a loaded machine.
  const port = await new Promise<string>((resolve, reject) => {
    const fail = (e: Error) => (clearTimeout(timer), stop(), reject(e));
    const timer = setTimeout(
      () => fail(new Error(`no port within ${PORT_WAIT_S} s; stderr: ${stderr}`)),
      PORT_WAIT_S * 1000,
    );
    child.stdout!.once("data", (d) => (clearTimeout(timer), resolve(String(d).trim())));
    child.once("exit", (code) => fail(new Error(`pack exited ${code}: ${stderr}`)));
  });
  assert.match(port, /^\d+$/);
  return { child, client: new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) };
}

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;

function call<Res>(invoke: (cb: Callback<Res>) => unknown): Promise<Res> {
  return new Promise((resolve, reject) => invoke((err, res) => (err ? reject(err) : resolve(res))));
}

function resource<T extends pb.AnalyzeRequest | pb.AnalyzerResource>(r: T, type: string, props: object): T {
  r.setType(type);
  r.setName("r");
  r.setUrn(`urn:pulumi:dev-remediation::agent-trust::${type}::r`);
  r.setProperties(Struct.fromJavaScript(props as Record<string, never>));
  r.setOptions(new pb.AnalyzerResourceOptions());
  return r;
}

async function analyze(pack: Pack, type: string, props: object) {
  const req = resource(new pb.AnalyzeRequest(), type, props);
  const res = await call<pb.AnalyzeResponse>((cb) => pack.client.analyze(req, cb));
  return res
    .getDiagnosticsList()
    .map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage() }));
}

const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";

describe("the policy pack under the analyzer protocol", { timeout: (2 * PORT_WAIT_S + 120) * 1000 }, () => {
  let dev: Pack;
  before(async () => {
    dev = await startPack({
      "agent-trust:layer": "phase",
      "agent-trust:environment": "dev",
      "agent-trust:phase": "remediation",
    });
  });
  after(() => dev?.child.kill());

  test("GetAnalyzerInfo lists every rule of the table, mandatory, with its config schema", async () => {
    const info = await call<pb.AnalyzerInfo>((cb) => dev.client.getAnalyzerInfo(new Empty(), cb));
    assert.equal(info.getName(), "agent-trust");
    assert.equal(info.getSupportsconfig(), true);
    const policies = info.getPoliciesList();
    assert.deepEqual(
      policies.map((p) => p.getName()),
      RULES.map((r) => r.name),
    );
    for (const p of policies) assert.equal(p.getEnforcementlevel(), pb.EnforcementLevel.MANDATORY, p.getName());
    const ttl = policies.find((p) => p.getName() === "vault-token-ttl-capped")!;
    assert.deepEqual(ttl.getConfigschema()!.getProperties()!.toJavaScript()["maxTtlSeconds"], {
      type: "integer",
      minimum: 60,
      maximum: 900,
      default: 900,
    });
    assert.ok(ttl.getRemediationSteps().length > 0);
  });

  test("Analyze refuses a ClusterRole, mandatory", async () => {
    const d = await analyze(dev, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", {
      metadata: { name: "view-all" },
      rules: [],
    });
    // Refused twice over: a cluster-wide grant, and a kind no phase stack holds (closed world).
    assert.deepEqual(d.map((x) => [x.policy, x.level]).sort(), [
      ["no-cluster-scoped-grants", pb.EnforcementLevel.MANDATORY],
      ["stack-kinds-closed", pb.EnforcementLevel.MANDATORY],
    ]);
  });

  test("the phase comes from the stack config: remediation may restart, not scale", async () => {
    const unlabelled = patch(role(), (o) => delete o.metadata.labels);
    assert.deepEqual(await analyze(dev, ROLE, unlabelled), []);
    const scale = patch(unlabelled, (o) =>
      o.rules.push({ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] }),
    );
    const d = await analyze(dev, ROLE, scale);
    assert.equal(d.length, 1);
    assert.match(d[0]!.message, /"patch" on apps\/deployments\/scale is above the ceiling of phase "remediation"/);
  });

  test("an unknown value is a mandatory violation, not a skipped check", async () => {
    const d = await analyze(
      dev,
      ROLE,
      patch(role(), (o) => (o.rules[0].verbs = unknownValue)),
    );
    assert.ok(
      d.some(
        (x) =>
          x.level === pb.EnforcementLevel.MANDATORY && /rules\[0\]\.verbs is unknown during preview/.test(x.message),
      ),
      JSON.stringify(d),
    );
  });

  test("hygiene is advisory in dev, security stays mandatory", async () => {
    const t = patch(podTemplate(), (o) => {
      delete o.metadata.labels["agent-trust.io/environment"]; // its staging label would (rightly) tighten dev
      delete o.template.spec.containers[0].resources;
      o.template.spec.automountServiceAccountToken = true;
    });
    const d = await analyze(dev, "kubernetes:core/v1:PodTemplate", t);
    const levels = new Map(d.map((x) => [x.policy, x.level]));
    assert.equal(levels.get("pod-resources-set"), pb.EnforcementLevel.ADVISORY);
    assert.equal(levels.get("pod-no-token-automount"), pb.EnforcementLevel.MANDATORY);
  });

  test("Configure delivers policy config: a lower TTL cap", async () => {
    const req = new pb.ConfigureAnalyzerRequest();
    const ttl = new pb.PolicyConfig();
    ttl.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
    ttl.setProperties(Struct.fromJavaScript({ maxTtlSeconds: 300 }));
    req.getPolicyconfigMap().set("vault-token-ttl-capped", ttl);
    await call<Empty>((cb) => dev.client.configure(req, cb));
    const d = await analyze(dev, "vault:kubernetes/authBackendRole:AuthBackendRole", {
      // Named and mounted as the naming module and the foundation say (a phase stack's roles are closed-world).
      backend: "kubernetes",
      roleName: "agent-trust-dev-diag-remediation",
      boundServiceAccountNames: ["diag-remediation"],
      boundServiceAccountNamespaces: ["ai-agents"],
      audience: "vault",
      aliasNameSource: "serviceaccount_uid",
      tokenTtl: 300,
      tokenMaxTtl: 600,
      tokenNoDefaultPolicy: true,
    });
    assert.deepEqual(
      d.map((x) => [x.policy, x.level]),
      [["vault-token-ttl-capped", pb.EnforcementLevel.MANDATORY]],
    );
    assert.match(d[0]!.message, /token_max_ttl is 600; set 1\.\.300/);
  });

  test("Configure refuses config that disables or lowers a security rule; the earlier config stays in force", async () => {
    const req = new pb.ConfigureAnalyzerRequest();
    const off = new pb.PolicyConfig();
    off.setEnforcementlevel(pb.EnforcementLevel.DISABLED);
    off.setProperties(Struct.fromJavaScript({}));
    req.getPolicyconfigMap().set("no-secrets-access", off);
    await assert.rejects(
      call<Empty>((cb) => dev.client.configure(req, cb)),
      /refusing this policy config:[\s\S]*sets "no-secrets-access" to enforcementLevel "disabled"/,
    );
    const secrets = patch(role(), (o) => o.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }));
    const d = await analyze(dev, ROLE, secrets);
    assert.ok(
      d.some((x) => x.policy === "no-secrets-access" && x.level === pb.EnforcementLevel.MANDATORY),
      JSON.stringify(d),
    );
  });

  test("AnalyzeStack runs the stack rules and pins findings to URNs", async () => {
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList([resource(new pb.AnalyzerResource(), "kubernetes:core/v1:ServiceAccount", serviceAccount())]);
    const res = await call<pb.AnalyzeResponse>((cb) => dev.client.analyzeStack(req, cb));
    const d = res.getDiagnosticsList();
    assert.deepEqual(d.map((x) => x.getPolicyname()).sort(), [
      "agent-sa-has-network-policy",
      "agent-sa-has-vault-role",
    ]);
    assert.match(d[0]!.getUrn(), /ServiceAccount::r$/);
  });

  test("the phase ceiling: autonomous in prod is refused from the stack config", async () => {
    const prod = await startPack({
      "agent-trust:layer": "phase",
      "agent-trust:environment": "prod",
      "agent-trust:phase": "autonomous",
    });
    try {
      const res = await call<pb.AnalyzeResponse>((cb) => prod.client.analyzeStack(new pb.AnalyzeStackRequest(), cb));
      const d = res.getDiagnosticsList().filter((x) => x.getPolicyname() === "phase-within-environment-ceiling");
      assert.equal(d.length, 1);
      assert.equal(d[0]!.getEnforcementlevel(), pb.EnforcementLevel.MANDATORY);
      assert.match(d[0]!.getMessage(), /phase "autonomous" is above the phase ceiling "assist" of environment "prod"/);
    } finally {
      prod.child.kill();
    }
  });
});
