/**
 * Configures the Vault-compatible dev server through its HTTP API from the rendered Vault documents: mounts and
 * auth methods first, then the Kubernetes auth config, policies and roles, then a test secret at every probe
 * path. The auth config is the one place the sandbox departs from the stack file: it points at the local API
 * server (host, CA and a reviewer token the harness created as administrator) instead of the placeholder.
 */
import { PHASES } from "../../model/phases";
import type { Manifest } from "../../model/manifest";
import { byApplyOrder, isVaultKind, vaultCall } from "../../model/vault-kinds";
import type { SandboxEnvironment } from "./environment";
import { vaultProbes } from "./vault-probes";
import type { VaultHttp } from "../servers/vault-http";

export interface VaultTarget {
  readonly apiserverUrl: string;
  readonly caPem: string;
  readonly reviewerToken: string;
}

const specOf = (m: Manifest) => (m.spec ?? {}) as Record<string, unknown>;

/** Writes one document with the Vault-kind table's call; the auth config is pointed at the local API server. */
async function applyDoc(vault: VaultHttp, doc: Manifest, target: VaultTarget): Promise<void> {
  if (!isVaultKind(doc.kind))
    throw new Error(`no sandbox support for Vault document kind ${doc.kind} (${doc.metadata.name})`);
  const call = vaultCall(doc.kind, specOf(doc));
  const body =
    doc.kind === "VaultKubernetesAuthConfig"
      ? {
          ...call.body,
          kubernetes_host: target.apiserverUrl,
          kubernetes_ca_cert: target.caPem,
          token_reviewer_jwt: target.reviewerToken,
        }
      : call.body;
  await vault.ok(call.method, call.path, body);
}

/** A freshly mounted KV v2 engine refuses writes for a moment while it initialises; retry briefly. */
async function writeSecret(vault: VaultHttp, path: string, data: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await vault.request("POST", path, { data });
    if (r.status >= 200 && r.status < 300) return;
    if (Date.now() > deadline)
      throw new Error(`vault POST ${path}: HTTP ${r.status}: ${JSON.stringify(r.body.errors ?? r.body)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

export async function deployVault(vault: VaultHttp, env: SandboxEnvironment, target: VaultTarget): Promise<number> {
  const docs = [...env.foundation.vault, ...PHASES.flatMap((p) => env.phases[p].vault)];
  for (const doc of byApplyOrder(docs)) await applyDoc(vault, doc, target);
  await writeProbeSecrets(vault, env);
  return docs.length;
}

/** A test secret at every probe path of the matrix, in the environment's KV mount (which must exist). */
export async function writeProbeSecrets(vault: VaultHttp, env: SandboxEnvironment): Promise<void> {
  const kvMount = env.foundation.config.vault.kvMount;
  for (const p of vaultProbes()) {
    await writeSecret(vault, `${kvMount}/data/${p.secret}`, {
      probe: p.secret,
      note: "agent-trust sandbox test secret",
    });
  }
}
