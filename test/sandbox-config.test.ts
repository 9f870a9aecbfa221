import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, test } from "node:test";
import { KubeConfig } from "@kubernetes/client-node";
import { parseEnsureOutput } from "../src/sandbox/servers/binaries";
import { apiserverArgs, etcdArgs, SERVICE_ACCOUNT_ISSUER, vaultArgs } from "../src/sandbox/servers/flags";
import { kubeconfigYaml } from "../src/sandbox/servers/kubeconfig";
import type { Pki } from "../src/sandbox/servers/pki";
import { exportLines, readState, sandboxDir, stateFile } from "../src/sandbox/servers/state";
import { tempDir } from "./helpers/tmp";

const pem = (kind: string) => `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----\n`;
const flag = (args: string[], name: string) =>
  args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));

describe("sandbox kubeconfig", () => {
  test("embeds the CA and client certificate and loads with the client library", () => {
    const yaml = kubeconfigYaml({
      server: "https://127.0.0.1:6443",
      caPem: pem("CERTIFICATE"),
      clientCertPem: pem("CERTIFICATE"),
      clientKeyPem: pem("EC PRIVATE KEY"),
      namespace: "ai-agents",
    });
    const kc = new KubeConfig();
    kc.loadFromString(yaml);
    assert.equal(kc.getCurrentCluster()?.server, "https://127.0.0.1:6443");
    assert.equal(Buffer.from(kc.getCurrentCluster()!.caData!, "base64").toString(), pem("CERTIFICATE"));
    assert.equal(Buffer.from(kc.getCurrentUser()!.keyData!, "base64").toString(), pem("EC PRIVATE KEY"));
    assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, "ai-agents");
  });

  test("refuses a plain-http server or something that is not PEM", () => {
    const ok = {
      server: "https://127.0.0.1:1",
      caPem: pem("CERTIFICATE"),
      clientCertPem: pem("CERTIFICATE"),
      clientKeyPem: pem("PRIVATE KEY"),
    };
    assert.throws(() => kubeconfigYaml({ ...ok, server: "http://127.0.0.1:1" }), /https/);
    assert.throws(() => kubeconfigYaml({ ...ok, caPem: "nope" }), /CA is not a PEM certificate/);
    assert.throws(() => kubeconfigYaml({ ...ok, clientKeyPem: pem("CERTIFICATE") }), /private key/);
  });
});

describe("sandbox server flags", () => {
  const pki = {
    caCert: "/p/ca.crt",
    servingCert: "/p/s.crt",
    servingKey: "/p/s.key",
    saPublicKey: "/p/sa.pub",
    saPrivateKey: "/p/sa.key",
  } as Pki;
  const api = apiserverArgs({
    port: 6443,
    etcdUrl: "http://127.0.0.1:2379",
    pki,
    auditPolicyFile: "/p/audit.yaml",
    auditLogPath: "/p/audit.log",
  });

  test("kube-apiserver: loopback only, RBAC only, no anonymous access", () => {
    assert.deepEqual(flag(api, "bind-address"), ["127.0.0.1"]);
    assert.deepEqual(flag(api, "authorization-mode"), ["RBAC"]);
    assert.deepEqual(flag(api, "anonymous-auth"), ["false"]);
    assert.deepEqual(flag(api, "client-ca-file"), ["/p/ca.crt"]);
  });

  test("kube-apiserver: Pod Security and ValidatingAdmissionPolicy admission, audit to a JSON log", () => {
    assert.deepEqual(flag(api, "enable-admission-plugins")[0]!.split(",").sort(), [
      "PodSecurity",
      "ValidatingAdmissionPolicy",
    ]);
    assert.deepEqual(flag(api, "disable-admission-plugins"), ["ServiceAccount"]);
    assert.deepEqual(flag(api, "audit-policy-file"), ["/p/audit.yaml"]);
    assert.deepEqual(flag(api, "audit-log-path"), ["/p/audit.log"]);
    assert.deepEqual(flag(api, "audit-log-format"), ["json"]);
  });

  test("kube-apiserver: TokenRequest works, and default tokens are for the API server only (never Vault's audience)", () => {
    assert.deepEqual(flag(api, "service-account-signing-key-file"), ["/p/sa.key"]);
    assert.deepEqual(flag(api, "service-account-key-file"), ["/p/sa.pub"]);
    assert.deepEqual(flag(api, "service-account-issuer"), [SERVICE_ACCOUNT_ISSUER]);
    assert.deepEqual(flag(api, "api-audiences"), [SERVICE_ACCOUNT_ISSUER]);
  });

  test("etcd listens on loopback only; the Vault dev server too, and writes no token file", () => {
    const etcd = etcdArgs({ dataDir: "/d", clientPort: 1, peerPort: 2 });
    for (const f of ["listen-client-urls", "listen-peer-urls", "advertise-client-urls"]) {
      assert.match(flag(etcd, f)[0]!, /^http:\/\/127\.0\.0\.1:\d+$/);
    }
    const vault = vaultArgs({ port: 8200, rootToken: "t" });
    assert.ok(vault.includes("-dev-listen-address=127.0.0.1:8200"));
    assert.ok(vault.includes("-dev-root-token-id=t"));
    assert.ok(vault.includes("-dev-no-store-token"));
  });
});

describe("sandbox state and binaries", () => {
  test("the state directory: explicit, else XDG_STATE_HOME, else ~/.local/state", () => {
    assert.equal(sandboxDir({ AGENT_TRUST_SANDBOX_DIR: "/x/y", XDG_STATE_HOME: "/s" }), "/x/y");
    assert.equal(sandboxDir({ XDG_STATE_HOME: "/s" }), "/s/agent-trust/sandbox");
    assert.equal(sandboxDir({ HOME: "/h" }), "/h/.local/state/agent-trust/sandbox");
  });

  test("export lines are safe to eval, whatever the path", () => {
    const lines = exportLines({
      kubeconfig: "/tmp/it's here/kubeconfig",
      vaultAddr: "http://127.0.0.1:1",
      vaultToken: "abc",
    });
    assert.deepEqual(lines, [
      `export KUBECONFIG='/tmp/it'\\''s here/kubeconfig'`,
      "export VAULT_ADDR='http://127.0.0.1:1'",
      "export VAULT_TOKEN='abc'",
    ]);
  });

  test("a state file that is not ours is refused; none at all is 'no sandbox'", () => {
    const dir = tempDir("sandbox-state-");
    try {
      assert.equal(readState(dir), undefined);
      fs.writeFileSync(stateFile(dir), JSON.stringify({ version: 1, processes: "x" }));
      assert.throws(() => readState(dir), /not an agent-trust sandbox state file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("servers.sh ensure output must name all three servers with absolute paths", () => {
    assert.deepEqual(parseEnsureOutput("etcd=/c/etcd\nkube-apiserver=/c/kube-apiserver\nvault=/c/bao\n"), {
      etcd: "/c/etcd",
      "kube-apiserver": "/c/kube-apiserver",
      vault: "/c/bao",
    });
    assert.throws(() => parseEnsureOutput("etcd=/c/etcd\nvault=/c/bao"), /did not report: kube-apiserver/);
    assert.throws(() => parseEnsureOutput("etcd=c/etcd\nkube-apiserver=/k\nvault=/v"), /relative path/);
    assert.throws(() => parseEnsureOutput("building…"), /unexpected line/);
  });
});
