/**
 * `agent-trust sandbox up|status|verify|down` as a user runs them: separate processes, `up` returning while
 * its servers keep running, `down` leaving nothing behind.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { adminKubeConfig, kubeOk, kubeRequest } from "../../src/sandbox/servers/kube";
import { readState, type SandboxState } from "../../src/sandbox/servers/state";
import { VaultHttp } from "../../src/sandbox/servers/vault-http";
import { pidAlive, runTs } from "./helpers";

const CLI = "src/sandbox/cli.ts";
const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-cli-")), "state");
const env = { AGENT_TRUST_SANDBOX_DIR: dir };
const sandbox = async (...args: string[]) => {
  const r = runTs(CLI, args, env);
  const code = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
};

describe("sandbox up / down", () => {
  let upOut: string;
  let upErr: string;
  let state: SandboxState;

  before(async () => {
    const r = await sandbox("up");
    assert.equal(r.code, 0, r.stderr);
    upOut = r.stdout;
    upErr = r.stderr;
    state = readState(dir)!;
  });
  after(async () => {
    await sandbox("down");
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test("up prints only export lines a shell can eval", () => {
    const lines = upOut.trim().split("\n");
    assert.deepEqual(
      lines.map((l) => l.split("=")[0]),
      ["export KUBECONFIG", "export VAULT_ADDR", "export VAULT_TOKEN"],
    );
    assert.ok(lines.every((l) => /^export [A-Z_]+='[^']*'$/.test(l)));
  });

  test("up returned while the three servers and the approval proxy keep running", () => {
    assert.deepEqual(
      state.processes.map((p) => p.name),
      ["etcd", "kube-apiserver", "vault", "approval-proxy"],
    );
    for (const p of state.processes) assert.ok(pidAlive(p.pid), `${p.name} is not running`);
    assert.match(state.approvalProxyUrl ?? "", /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(upErr, new RegExp(`approval proxy at ${state.approvalProxyUrl!.replace(/\./g, "\\.")}`));
  });

  test("kubeconfig AGENT PHASE: the agent's identity through the proxy; reads pass as the agent, RBAC answers as for it", async () => {
    const k = await sandbox("kubeconfig", "diagnostic", "remediation");
    assert.equal(k.code, 0, k.stderr);
    const file = path.join(path.dirname(dir), "agent.kubeconfig");
    fs.writeFileSync(file, k.stdout);
    const kc = adminKubeConfig(file);
    assert.equal(kc.getCurrentCluster()?.server, state.approvalProxyUrl);
    // Passed through as the agent: it reads its target namespace, and RBAC answers as for the agent itself.
    const pods = await kubeRequest(kc, "GET", "/api/v1/namespaces/checkout/pods");
    assert.equal(pods.status, 200, JSON.stringify(pods.body));
    const secrets = await kubeRequest(kc, "GET", "/api/v1/namespaces/checkout/secrets");
    assert.equal(secrets.status, 403);
    const unknown = await sandbox("kubeconfig", "nobody", "remediation");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no agent "nobody" in phase remediation/);
    assert.equal((await sandbox("kubeconfig", "diagnostic", "sideways")).code, 2);
  });

  test("the printed KUBECONFIG reaches the cluster with the dev stacks deployed", async () => {
    const kubeconfig = /KUBECONFIG='([^']+)'/.exec(upOut)![1]!;
    const kc = adminKubeConfig(kubeconfig);
    const roles = await kubeOk(kc, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/checkout/roles");
    const names = (roles["items"] as { metadata: { name: string } }[]).map((r) => r.metadata.name);
    for (const phase of ["shadow", "assist", "remediation", "autonomous"])
      assert.ok(names.includes(`diagnostic-${phase}-target`), phase);
  });

  test("the printed VAULT_ADDR and VAULT_TOKEN reach Vault with the mounts and roles configured", async () => {
    const addr = /VAULT_ADDR='([^']+)'/.exec(upOut)![1]!;
    const token = /VAULT_TOKEN='([^']+)'/.exec(upOut)![1]!;
    const vault = new VaultHttp(addr, token);
    const mounts = (await vault.ok("GET", "sys/mounts"))["data"] as Record<string, unknown>;
    assert.ok("agent/" in mounts);
    const roles = (await vault.ok("LIST", "auth/kubernetes/role"))["data"] as { keys: string[] };
    assert.equal(roles.keys.filter((k) => k.startsWith("agent-trust-dev-")).length, 8);
  });

  test("status says running; a second up is refused", async () => {
    const s = await sandbox("status");
    assert.equal(s.code, 0);
    assert.match(s.stdout, /sandbox running/);
    const again = await sandbox("up");
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already running/);
  });

  test("verify measures the running sandbox: every cell matches; one screen, the full matrix and the report in the named files", async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-verify-"));
    const files = { matrix: path.join(out, "matrix.txt"), html: path.join(out, "report.html") };
    const v = await sandbox("verify", "--matrix", files.matrix, "--html", files.html);
    const matrix = fs.existsSync(files.matrix) ? fs.readFileSync(files.matrix, "utf8") : "";
    assert.equal(v.code, 0, `${v.stdout}\n${matrix.slice(-3000)}`);
    const lines = v.stdout.trimEnd().split("\n");
    assert.ok(lines.length <= 25, `${lines.length} lines:\n${v.stdout}`);
    for (const layer of ["RBAC", "Vault", "Pod Security", "admission", "audit", "network", "approval"]) {
      const row = lines.find((l) => l.startsWith(`${layer} `));
      assert.match(row ?? "", /^\S+(?: \S+)?\s+[1-9]\d*\s+0\s+\d+\.\ds\s/, `${layer}: some cells, no mismatch, a time`);
    }
    assert.match(v.stdout, /^total\s+\d+\s+0\s/m);
    assert.match(v.stdout, /^deployed {2}5 stacks: dev, dev-shadow, dev-assist, dev-remediation, dev-autonomous$/m);
    assert.match(v.stdout, /^✓ every cell matches the catalog \(\d+ cells in 7 layers\)$/m);
    assert.deepEqual(lines.slice(-2), [`full matrix  ${files.matrix}`, `HTML report  ${files.html}`]);
    assert.match(matrix, /total\s+\d+ checks, 0 mismatches/);
    const html = fs.readFileSync(files.html, "utf8");
    assert.match(html, /<div class="verdict ok">✓ every cell matches the catalog/);
    assert.doesNotMatch(html, /class="cell mismatch"/);
    fs.rmSync(out, { recursive: true });
  });

  test("down stops every server and removes the directory; status then says none", async () => {
    const d = await sandbox("down");
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trim(), "unset KUBECONFIG VAULT_ADDR VAULT_TOKEN");
    for (const p of state.processes) assert.equal(pidAlive(p.pid), false, `${p.name} (pid ${p.pid}) still running`);
    assert.equal(fs.existsSync(dir), false);
    const s = await sandbox("status");
    assert.equal(s.code, 1);
    assert.equal((await sandbox("down")).code, 0);
  });
});
