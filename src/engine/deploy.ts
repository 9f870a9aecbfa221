/**
 * `sandbox up --engine pulumi`: the dev foundation and phase stacks deployed by the Pulumi engine (policy pack
 * enforced, the phase stacks' StackReference to the foundation real), plus the administrator acts a real cluster's
 * operators own (target namespaces, Vault's token reviewer, the quota status no controller publishes here).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PHASES, type Phase } from "../model/phases";
import { createReviewer, namespace, publishQuotaStatus } from "../sandbox/deploy-kube";
import { deployVault, writeProbeSecrets } from "../sandbox/deploy-vault";
import type { SandboxEnvironment } from "../sandbox/environment";
import { applyAll } from "../sandbox/kube";
import type { Sandbox } from "../sandbox/sandbox";
import type { EngineBinaries } from "./binaries";
import { expectOk, SandboxEngine, type EngineResult } from "./engine";
import type { Manifest } from "../plan/manifest";
import type { VaultHttp } from "../sandbox/vault-http";
import { engineDirs, enginePassphrase } from "./home";

export const REVIEWER_JWT_KEY = "agent-trust:vaultTokenReviewerJwt";

export interface EngineDeployment {
  readonly engine: SandboxEngine;
  /** Stacks the engine updated, in order. */
  readonly stacks: readonly string[];
  /** Kubernetes / Vault resources the engine manages after the updates. */
  readonly kubernetes: number;
  readonly vault: number;
  /** Vault documents the sandbox's own client applied (0 when the engine did the Vault half). */
  readonly vaultBySandbox: number;
}

const managed = (r: EngineResult, prefix: string) => r.steps.filter((s) => s.type.startsWith(prefix) && s.op !== "delete").length;

/** Opens the engine on a started sandbox (no stack touched yet). */
export async function openEngine(sb: Sandbox, binaries: EngineBinaries): Promise<SandboxEngine> {
  return SandboxEngine.open(
    sb.dir,
    binaries,
    {
      apiserverUrl: sb.apiserverUrl,
      caPem: fs.readFileSync(sb.pki.caCert, "utf8"),
      kubeconfig: sb.kubeconfig,
      vaultAddr: sb.vaultAddr,
      vaultToken: sb.vaultToken,
    },
    enginePassphrase(sb.dir),
  );
}

/** Where the sandbox records the Vault documents it applied for a stack the engine holds only half of. */
export const vaultHalfFile = (dir: string, stack: string) => path.join(engineDirs(dir).workDir, `vault-half.${stack}.json`);

/**
 * `pulumi destroy` of a phase stack. Without the Vault provider the engine never had the stack's Vault half, so the
 * sandbox's own client deletes the Vault roles and policies it recorded applying for that stack (the returned count).
 */
export async function destroyPhaseWithEngine(dir: string, vault: VaultHttp, engine: SandboxEngine, stack: string): Promise<{ result: EngineResult; vaultBySandbox: number }> {
  const record = vaultHalfFile(dir, stack);
  if (!engine.includeVault && !fs.existsSync(record)) throw new Error(`${stack}: no record of its Vault half (${record}); is it a deployed phase stack?`);
  const result = await engine.destroy(stack);
  let vaultBySandbox = 0;
  if (result.ok && !engine.includeVault) {
    for (const doc of JSON.parse(fs.readFileSync(record, "utf8")) as Manifest[]) {
      const spec = (doc["spec"] ?? {}) as Record<string, unknown>;
      if (doc.kind === "VaultKubernetesAuthRole") await vault.ok("DELETE", `auth/${String(spec["backend"])}/role/${String(spec["role_name"])}`);
      else if (doc.kind === "VaultPolicy") await vault.ok("DELETE", `sys/policies/acl/${String(spec["name"])}`);
      else throw new Error(`no sandbox delete for Vault document kind ${doc.kind}`);
      vaultBySandbox++;
    }
    fs.rmSync(record);
  }
  return { result, vaultBySandbox };
}

/**
 * Deploys the foundation and the given phase stacks (default all four) through the engine; `up` fails, naming the
 * stack and the pack's verdict, on the first stack the engine refuses.
 */
export async function deployWithEngine(
  sb: Sandbox,
  binaries: EngineBinaries,
  reviewerTokenSeconds: number,
  log: (l: string) => void,
  phases: readonly Phase[] = PHASES,
): Promise<EngineDeployment> {
  const env = sb.env;
  const created = new Set(env.foundation.kubernetes.filter((m) => m.kind === "Namespace").map((m) => m.metadata.name));
  await applyAll(sb.kc, env.targetNamespaces.filter((n) => !created.has(n)).map(namespace));
  const reviewerToken = await createReviewer(sb.kc, reviewerTokenSeconds);
  const engine = await openEngine(sb, binaries);
  engine.setSecret(REVIEWER_JWT_KEY, reviewerToken);
  log(`engine: ${engine.describe()}`);
  const stacks = [env.foundation.stack, ...phases.map((p) => env.phases[p].stack)];
  let kubernetes = 0;
  let vault = 0;
  for (const stack of stacks) {
    const t = Date.now();
    const r = expectOk(stack, "up", await engine.up(stack));
    kubernetes += managed(r, "kubernetes:");
    vault += managed(r, "vault:");
    log(`engine: pulumi up ${stack}: ${r.steps.filter((s) => s.op === "create").length} created, policy pack passed (${((Date.now() - t) / 1000).toFixed(1)}s)`);
    if (stack === env.foundation.stack) await publishQuotaStatus(sb.kc, env.foundation.kubernetes.filter((m) => m.kind === "ResourceQuota"));
  }
  let vaultBySandbox = 0;
  if (engine.includeVault) {
    await writeProbeSecrets(sb.vault, env);
  } else {
    // Only the deployed phases' Vault documents (the others' stacks were not deployed).
    const only = { ...env, phases: Object.fromEntries(PHASES.map((p) => [p, phases.includes(p) ? env.phases[p] : { ...env.phases[p], vault: [] }])) as SandboxEnvironment["phases"] };
    vaultBySandbox = await deployVault(sb.vault, only, { apiserverUrl: sb.apiserverUrl, caPem: fs.readFileSync(sb.pki.caCert, "utf8"), reviewerToken });
    for (const p of phases) fs.writeFileSync(vaultHalfFile(sb.dir, env.phases[p].stack), JSON.stringify(env.phases[p].vault));
    log(`engine: Vault half: ${vaultBySandbox} documents applied from the rendered plan by the sandbox's own client (not the engine)`);
  }
  return { engine, stacks, kubernetes, vault, vaultBySandbox };
}
