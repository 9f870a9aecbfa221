/**
 * As a new user would: `sandbox up --engine pulumi`, edit a stack file, `sandbox preview STACK` shows the diff and
 * the pack's verdict. Runs the CLI as a separate process in a copy of the project (so editing its stack files
 * touches nothing else).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { readState } from "../../src/sandbox/servers/state";
import { VaultHttp } from "../../src/sandbox/servers/vault-http";
import { ROOT } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "engine-cli-"));
const project = path.join(tmp, "project");
const stateDir = path.join(tmp, "state");
const stackFile = path.join(project, "stacks", "Pulumi.dev-assist.yaml");

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ["--import", require.resolve("tsx"), path.join(ROOT, "src/sandbox/cli.ts"), ...args],
    {
      cwd: project,
      env: { ...process.env, AGENT_TRUST_SANDBOX_DIR: stateDir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code: code ?? 1, stdout, stderr })));
}

/** Rewrites the first `targetNamespaces: [payments]` (the capacity agent's) in dev-assist. */
function editCapacityTargets(targets: string): void {
  const original = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.dev-assist.yaml"), "utf8");
  assert.ok(original.includes("targetNamespaces: [payments]\n"));
  fs.writeFileSync(stackFile, original.replace("targetNamespaces: [payments]\n", `targetNamespaces: [${targets}]\n`));
}

describe("engine CLI: edit a stack file, preview the diff and the pack's verdict", () => {
  let up: { code: number; stdout: string; stderr: string };
  before(async () => {
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.cpSync(path.join(ROOT, "stacks"), path.join(project, "stacks"), { recursive: true });
    // A user's project holds its agents' promotion evidence beside the stack files.
    fs.cpSync(path.join(ROOT, "evidence"), path.join(project, "evidence"), { recursive: true });
    up = await cli("up", "--engine", "pulumi");
  });
  after(async () => {
    await cli("down");
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test("up --engine pulumi prints only export lines and says which half the engine ran", () => {
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(
      up.stdout
        .trim()
        .split("\n")
        .map((l) => l.split("=")[0]),
      ["export KUBECONFIG", "export VAULT_ADDR", "export VAULT_TOKEN"],
    );
    assert.match(up.stderr, /the Pulumi engine deployed dev, dev-shadow, dev-assist, dev-remediation, dev-autonomous/);
    assert.match(up.stderr, /Kubernetes half only|both halves/);
  });

  test("an unedited stack previews with no changes", async () => {
    const r = await cli("preview", "dev-assist");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      "pulumi preview dev-assist: 0 change(s)",
      "policy pack agent-trust: passed",
    ]);
  });

  test("a new target namespace previews as exactly its Role and RoleBinding, the pack passing", async () => {
    editCapacityTargets("payments, checkout");
    const r = await cli("preview", "dev-assist");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "pulumi preview dev-assist: 2 change(s)");
    // The change table: a header, its rule, then one row per change.
    assert.match(lines[1] ?? "", /^ {2}op +type +name$/);
    assert.match(lines[2] ?? "", /^ {2}-+ +-+ +-+$/);
    const changed = lines.slice(3).filter((l) => l.startsWith("  "));
    assert.equal(changed.length, 2);
    assert.ok(
      changed.some((l) =>
        /^ {2}\+ +kubernetes:rbac.authorization.k8s.io\/v1:Role +capacity-role-checkout-capacity-assist-target$/.test(
          l,
        ),
      ),
      changed.join("\n"),
    );
    assert.ok(
      changed.some((l) =>
        /^ {2}\+ +kubernetes:rbac.authorization.k8s.io\/v1:RoleBinding +capacity-rolebinding-checkout-capacity-assist-target$/.test(
          l,
        ),
      ),
      changed.join("\n"),
    );
    assert.equal(lines.at(-1), "policy pack agent-trust: passed");
  });

  test("a system namespace is refused with the key named, and nothing would change", async () => {
    editCapacityTargets("payments, kube-system");
    const r = await cli("preview", "dev-assist");
    fs.copyFileSync(path.join(ROOT, "stacks", "Pulumi.dev-assist.yaml"), stackFile);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /error: invalid config in stack "dev-assist"/);
    assert.match(r.stdout, /pulumi preview dev-assist: (BLOCKED|FAILED)/);
    assert.deepEqual(
      r.stdout.split("\n").filter((l) => /^ {2}[-+~]/.test(l)),
      [],
      "a refused stack must plan no changes",
    );
  });

  test("destroy of a phase stack deletes its Kubernetes objects through the engine and its Vault role", async () => {
    const r = await cli("destroy", "dev-shadow");
    assert.equal(r.code, 0, r.stderr);
    const deleted = r.stdout.split("\n").filter((l) => /^ {2}- +kubernetes:/.test(l));
    assert.ok(
      deleted.some((l) => /ServiceAccount +diagnostic-serviceaccount-ai-agents-diagnostic-shadow$/.test(l)),
      r.stdout,
    );
    const state = readState(stateDir)!;
    const vault = new VaultHttp(state.vaultAddr, state.vaultToken);
    assert.equal((await vault.request("GET", "auth/kubernetes/role/agent-trust-dev-diagnostic-shadow")).status, 404);
    assert.equal(
      (await vault.request("GET", "auth/kubernetes/role/agent-trust-dev-diagnostic-assist")).status,
      200,
      "other phases keep theirs",
    );
  });
});
