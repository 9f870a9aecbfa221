/** The sandbox's stand-in Vault provider: the pure parts (URN types, secrets on the wire, the Vault calls). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { typeOfUrn, unwrapSecrets } from "../src/engine/vault-standin";
import { VAULT_KINDS, vaultCall, type VaultKind } from "../src/model/vault-kinds";
import { tempDir } from "./helpers/tmp";

test("a URN's type is its last type segment, parents left out", () => {
  assert.equal(
    typeOfUrn("urn:pulumi:dev::agent-trust::agent-trust:phase:AgentIdentity$vault:index/policy:Policy::p"),
    "vault:index/policy:Policy",
  );
  assert.equal(typeOfUrn("urn:pulumi:dev::agent-trust::vault:index/mount:Mount::m"), "vault:index/mount:Mount");
});

test("secrets arrive wrapped and are unwrapped at any depth; other values are untouched", () => {
  const sig = "4dabf18193072939515e22adb298388d";
  const wrapped = {
    a: { [sig]: "1b47061264138c4ac30d75fd1eb44270", value: "jwt" },
    b: [{ [sig]: "1b47061264138c4ac30d75fd1eb44270", value: 1 }],
    c: { [sig]: "other" },
  };
  assert.deepEqual(unwrapSecrets(wrapped), { a: "jwt", b: [1], c: { [sig]: "other" } });
});

test("every Vault kind the program creates has its write call, and all but the auth config a delete", () => {
  const kinds = Object.keys(VAULT_KINDS) as VaultKind[];
  assert.equal(kinds.length, 5);
  const spec = { path: "agent", name: "p", backend: "kubernetes", role_name: "r", policy: 'path "x" {}', type: "kv" };
  const calls = kinds.map((k) => [k, vaultCall(k, spec)] as const);
  assert.deepEqual(
    calls.map(([k, c]) => [k, c.method, c.path, c.deletePath ?? null]),
    [
      ["VaultPolicy", "PUT", "sys/policies/acl/p", "sys/policies/acl/p"],
      ["VaultKubernetesAuthRole", "POST", "auth/kubernetes/role/r", "auth/kubernetes/role/r"],
      ["VaultAuthBackend", "POST", "sys/auth/agent", "sys/auth/agent"],
      ["VaultKubernetesAuthConfig", "POST", "auth/kubernetes/config", null],
      ["VaultMount", "POST", "sys/mounts/agent", "sys/mounts/agent"],
    ]
      .filter(([k]) => kinds.includes(k as VaultKind))
      .sort((a, b) => kinds.indexOf(a[0] as VaultKind) - kinds.indexOf(b[0] as VaultKind)),
  );
  assert.deepEqual(
    vaultCall("VaultKubernetesAuthRole", spec).body["backend"],
    undefined,
    "the path carries backend and role name, not the body",
  );
});

test("the stand-in plugin works when copied into a plugin cache (`pulumi plugin install --file`), not only as a symlink", async () => {
  const { spawn } = await import("node:child_process");
  const fs = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const root = path.resolve(__dirname, "..");
  const cache = tempDir("standin-copy-");
  const copy = path.join(cache, "pulumi-resource-vault");
  fs.copyFileSync(path.join(root, "servers", "pulumi", "pulumi-resource-vault-standin"), copy);
  fs.chmodSync(copy, 0o755);
  /** Starts the copy; resolves with its first stdout line (the gRPC port) or its stderr when it exits first. */
  const start = (cwd: string, env: NodeJS.ProcessEnv) =>
    new Promise<{ port?: string; stderr: string; code?: number | null }>((resolve) => {
      const p = spawn(copy, [], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      let err = "";
      p.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("\n")) {
          p.kill();
          resolve({ port: out.split("\n")[0]!.trim(), stderr: err });
        }
      });
      p.stderr.on("data", (d: Buffer) => (err += d.toString()));
      p.on("exit", (code) => resolve({ stderr: err, code }));
    });
  try {
    const env = { ...process.env, AGENT_TRUST_ROOT: "" };
    const fromProject = await start(path.join(root, "test"), env);
    assert.match(fromProject.port ?? "", /^\d+$/, `started in the project: ${fromProject.stderr}`);
    const fromRoot = await start(os.tmpdir(), { ...env, AGENT_TRUST_ROOT: root });
    assert.match(fromRoot.port ?? "", /^\d+$/, `with AGENT_TRUST_ROOT: ${fromRoot.stderr}`);
    const lost = await start(os.tmpdir(), env);
    assert.equal(lost.port, undefined);
    assert.notEqual(lost.code, 0);
    assert.match(lost.stderr, /cannot find the agent-trust project .* set AGENT_TRUST_ROOT/);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
