/**
 * Configures the Vault-compatible dev server through its HTTP API from the rendered Vault documents: mounts and
 * auth methods first, then the Kubernetes auth config, policies and roles, then a test secret at every probe
 * path. The auth config is the one place the sandbox departs from the stack file: it points at the local API
 * server (host, CA and a reviewer token the harness created as administrator) instead of the placeholder.
 */
import { PHASES } from "../model/phases";
import type { Manifest } from "../plan/manifest";
import type { SandboxEnvironment } from "./environment";
import { vaultProbes } from "./expect-vault";
import type { VaultHttp } from "./vault-http";

export interface VaultTarget {
  readonly apiserverUrl: string;
  readonly caPem: string;
  readonly reviewerToken: string;
}

type Spec = Record<string, unknown>;
const specOf = (m: Manifest) => (m["spec"] ?? {}) as Spec;
const without = (spec: Spec, ...keys: string[]) => Object.fromEntries(Object.entries(spec).filter(([k]) => !keys.includes(k)));
const ORDER = ["VaultMount", "VaultAuthBackend", "VaultKubernetesAuthConfig", "VaultPolicy", "VaultKubernetesAuthRole"];

async function applyDoc(vault: VaultHttp, doc: Manifest, target: VaultTarget): Promise<void> {
  const spec = specOf(doc);
  switch (doc.kind) {
    case "VaultMount":
      await vault.ok("POST", `sys/mounts/${String(spec["path"])}`, without(spec, "path"));
      return;
    case "VaultAuthBackend":
      await vault.ok("POST", `sys/auth/${String(spec["path"])}`, without(spec, "path"));
      return;
    case "VaultKubernetesAuthConfig":
      await vault.ok("POST", `auth/${String(spec["backend"])}/config`, {
        ...without(spec, "backend"),
        kubernetes_host: target.apiserverUrl,
        kubernetes_ca_cert: target.caPem,
        token_reviewer_jwt: target.reviewerToken,
      });
      return;
    case "VaultPolicy":
      await vault.ok("PUT", `sys/policies/acl/${String(spec["name"])}`, { policy: spec["policy"] });
      return;
    case "VaultKubernetesAuthRole":
      await vault.ok("POST", `auth/${String(spec["backend"])}/role/${String(spec["role_name"])}`, without(spec, "backend", "role_name"));
      return;
    default:
      throw new Error(`no sandbox support for Vault document kind ${doc.kind} (${doc.metadata.name})`);
  }
}

/** A freshly mounted KV v2 engine refuses writes for a moment while it initialises; retry briefly. */
async function writeSecret(vault: VaultHttp, path: string, data: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await vault.request("POST", path, { data });
    if (r.status >= 200 && r.status < 300) return;
    if (Date.now() > deadline) throw new Error(`vault POST ${path}: HTTP ${r.status}: ${JSON.stringify(r.body["errors"] ?? r.body)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

export async function deployVault(vault: VaultHttp, env: SandboxEnvironment, target: VaultTarget): Promise<number> {
  const docs = [...env.foundation.vault, ...PHASES.flatMap((p) => env.phases[p].vault)];
  const rank = (d: Manifest) => {
    const i = ORDER.indexOf(d.kind);
    return i < 0 ? ORDER.length : i;
  };
  for (const doc of [...docs].sort((a, b) => rank(a) - rank(b))) await applyDoc(vault, doc, target);
  await writeProbeSecrets(vault, env);
  return docs.length;
}

/** A test secret at every probe path of the matrix, in the environment's KV mount (which must exist). */
export async function writeProbeSecrets(vault: VaultHttp, env: SandboxEnvironment): Promise<void> {
  const kvMount = env.foundation.config.vault.kvMount;
  for (const p of vaultProbes()) {
    await writeSecret(vault, `${kvMount}/data/${p.secret}`, { probe: p.secret, note: "agent-trust sandbox test secret" });
  }
}
