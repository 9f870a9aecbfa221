/**
 * What a real kube-apiserver (1.36) and a real Vault-compatible server (OpenBao) store for the spellings the
 * network and Vault rules reason about, so the rules' model of them is measured, not assumed:
 * - every ipBlock CIDR spelling the API server accepts is one the rules parse (none is judged as junk), and the
 *   network it means is the one the rules compute;
 * - Vault splits a comma-joined list field and trims it exactly as `vaultStrings` does, and a token's policy
 *   names are trimmed and lower-cased;
 * - a JSON-format ACL policy naming a path twice grants no capability our parser does not see.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { cidrSet, metadataHits } from "../../src/model/addrset";
import { requiredExcepts } from "../../src/model/cidr";
import type { Manifest } from "../../src/model/manifest";
import { egressReach } from "../../src/rules/egress-reach";
import { formatCidr, parseIpCidr } from "../../src/model/ip";
import { parseVaultPolicy } from "../../src/rules/hcl";
import { vaultStrings } from "../../src/rules/vault-role";
import { kubeRequest } from "../../src/sandbox/servers/kube";
import { startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";

let sb: Sandbox;
const log = (l: string) => process.stderr.write(`${l}\n`);

const SPELLINGS = [
  "169.254.169.254/32",
  "0169.0254.0169.0254/32",
  "169.254.1.1/16",
  "169.254.169.254/032",
  "::ffff:169.254.169.254/128",
  "::ffff:a9fe:a9fe/128",
  "0:0:0:0:0:FFFF:A9FE:A9FE/128",
  "64:ff9b::169.254.169.254/128",
  "FD00:0EC2:0000:0000:0000:0000:0000:0254/128",
  "fd00:ec2::254/128",
];

function networkPolicy(name: string, cidr: string): Record<string, unknown> {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: "default" },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr } }], ports: [{ port: 80 }] }],
    },
  };
}

describe("storage facts: what the servers keep for the spellings the rules judge", () => {
  before(async () => {
    sb = await startSandbox({ build: true, log });
  });
  after(async () => {
    await sb?.stop();
  });

  test("every ipBlock CIDR the API server accepts is parsed by the rules, meaning what the API server says", async () => {
    let accepted = 0;
    const report: string[] = [];
    for (const [i, cidr] of SPELLINGS.entries()) {
      const r = await kubeRequest(
        sb.kc,
        "POST",
        "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies",
        networkPolicy(`spelling-${i}`, cidr),
      );
      report.push(`${cidr}: HTTP ${r.status}`);
      if (r.status >= 300) continue;
      accepted++;
      const stored = ((r.body["spec"] as any).egress[0].to[0].ipBlock as { cidr: string }).cidr;
      assert.equal(stored, cidr, "the API server stores the text as written");
      const parsed = parseIpCidr(stored);
      assert.ok(parsed, `${cidr} was accepted by the API server but the rules cannot parse it`);
      assert.ok(cidrSet(stored), cidr);
      log(`storage-facts: ${cidr} accepted; the rules read it as ${formatCidr(parsed!)}`);
    }
    log(`storage-facts: ${report.join("; ")}`);
    // The plain spelling is always accepted; what else is depends on the StrictIPCIDRValidation gate.
    assert.ok(accepted >= 1);
  });

  test("the excepts the planner writes for a broad CIDR are accepted by the API server", async () => {
    for (const [i, cidr] of ["0.0.0.0/0", "::/0", "128.0.0.0/2"].entries()) {
      const np = networkPolicy(`planner-${i}`, cidr);
      (np["spec"] as any).egress[0].to[0].ipBlock.except = requiredExcepts(cidr);
      const r = await kubeRequest(sb.kc, "POST", "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", np);
      assert.equal(
        r.status,
        201,
        `${cidr} except ${requiredExcepts(cidr).join(", ")}: ${String(r.body["message"] ?? "")}`,
      );
      const stored = egressReach(r.body as unknown as Manifest);
      assert.equal(stored.length, 1);
      assert.deepEqual(
        metadataHits(stored[0]!.addrs),
        [],
        `${cidr}: the stored policy still reaches a metadata endpoint`,
      );
    }
  });

  test("Vault splits comma-joined list fields and trims them as vaultStrings does", async () => {
    await sb.vault.ok("POST", "sys/auth/facts", { type: "kubernetes" });
    const names = "diag-shadow, capacity-shadow";
    const namespaces = [" ai-agents "];
    const policies = " ROOT ,Agent-Trust-Dev-Diag-Shadow-LLM";
    await sb.vault.ok("POST", "auth/facts/role/r", {
      bound_service_account_names: names,
      bound_service_account_namespaces: namespaces,
      token_policies: policies,
      audience: "vault",
    });
    const data = (await sb.vault.ok("GET", "auth/facts/role/r"))["data"] as Record<string, unknown>;
    log(
      `storage-facts: role stored ${JSON.stringify({ n: data["bound_service_account_names"], ns: data["bound_service_account_namespaces"], p: data["token_policies"] })}`,
    );
    assert.deepEqual(data["bound_service_account_names"], vaultStrings(names));
    assert.deepEqual(data["bound_service_account_namespaces"], vaultStrings(namespaces));
    // The role keeps the names' case; a token gets them lower-cased (next test), which is why the rule compares so.
    assert.deepEqual(data["token_policies"], vaultStrings(policies));
  });

  test('a token\'s policies are trimmed and lower-cased: " ROOT " on a role would be the root policy', async () => {
    await sb.vault.ok("PUT", "sys/policies/acl/facts-case", {
      policy: `path "agent/data/x" { capabilities = ["read"] }`,
    });
    const auth = (
      await sb.vault.ok("POST", "auth/token/create", { policies: [" FACTS-Case "], no_default_policy: true })
    )["auth"] as { policies: string[] };
    log(`storage-facts: token created with [" FACTS-Case "] carries ${JSON.stringify(auth.policies)}`);
    assert.deepEqual(auth.policies, ["facts-case"]);
  });

  test("a JSON-format policy naming a path twice grants nothing the parser does not see", async () => {
    const text = `{"path": {"agent/data/a": {"capabilities": ["read"]}, "agent/data/a": {"capabilities": ["update"]}, "\\u0073ys/mounts": {"capabilities": ["read"]}}}`;
    await sb.vault.ok("PUT", "sys/policies/acl/facts-json", { policy: text });
    const token = (
      (await sb.vault.ok("POST", "auth/token/create", { policies: ["facts-json"], no_default_policy: true }))[
        "auth"
      ] as { client_token: string }
    ).client_token;
    const blocks = parseVaultPolicy(text);
    assert.equal(blocks.length, 3);
    for (const path of ["agent/data/a", "sys/mounts"]) {
      const caps = ((await sb.vault.ok("POST", "sys/capabilities", { token, paths: [path] }))[path] as string[]) ?? [];
      const ours = new Set(blocks.filter((b) => b.path === path).flatMap((b) => b.capabilities));
      log(`storage-facts: ${path} -> Vault ${JSON.stringify(caps)}, parser ${JSON.stringify([...ours])}`);
      assert.ok(caps.length > 0, `${path}: Vault granted nothing; the policy did not load as written`);
      for (const c of caps) assert.ok(ours.has(c), `${path}: Vault grants "${c}" the parser does not see`);
    }
  });
});
