/**
 * `sandbox up --engine pulumi`: the dev foundation and phase stacks deployed by the Pulumi engine (policy pack
 * enforced, the phase stacks' StackReference to the foundation real), plus the administrator acts a real cluster's
 * operators own (target namespaces, Vault's token reviewer, the quota status no controller publishes here).
 */
import * as fs from "node:fs";
import { PHASES, type Phase } from "../model/phases";
import { createReviewer, deployerKubeConfig, namespace, publishQuotaStatus } from "../sandbox/deploy/deploy-kube";
import type { FoundationConfig } from "../config/schema";
import { installPrometheusRuleCrd } from "../sandbox/deploy/observability-crd";
import { writeProbeSecrets } from "../sandbox/deploy/deploy-vault";
import { applyAll } from "../sandbox/servers/kube";
import type { Sandbox } from "../sandbox/deploy/sandbox";
import type { EngineBinaries } from "./binaries";
import { expectOk, SandboxEngine, type EngineResult } from "./engine";
import { enginePassphrase } from "./home";

export const REVIEWER_JWT_KEY = "agent-trust:vaultTokenReviewerJwt";

export interface EngineDeployment {
  readonly engine: SandboxEngine;
  /** Stacks the engine updated, in order. */
  readonly stacks: readonly string[];
  /** Kubernetes / Vault resources the engine manages after the updates. */
  readonly kubernetes: number;
  readonly vault: number;
}

const managed = (r: EngineResult, prefix: string) =>
  r.steps.filter((s) => s.type.startsWith(prefix) && s.op !== "delete").length;

/** The user the engine deploys as: the foundation's deployer, the only identity the admission policies let bind an agent. */
export function deployerOf(foundation: FoundationConfig): string {
  const user = foundation.admission.deployer.users[0];
  if (!user)
    throw new Error(
      `the ${foundation.environment} foundation names no deployer user (agent-trust:admission.deployer.users); the engine deploys as that user`,
    );
  return user;
}

/** Opens the engine on a started sandbox (no stack touched yet). */
export async function openEngine(sb: Sandbox, binaries: EngineBinaries): Promise<SandboxEngine> {
  return SandboxEngine.open(
    sb.dir,
    binaries,
    {
      apiserverUrl: sb.apiserverUrl,
      caPem: fs.readFileSync(sb.pki.caCert, "utf8"),
      kubeconfig: sb.kubeconfig,
      deployer: deployerOf(sb.env.foundation.config),
      vaultAddr: sb.vaultAddr,
      vaultToken: sb.vaultToken,
    },
    enginePassphrase(sb.dir),
  );
}

/** `pulumi destroy` of a phase stack: the engine deletes both halves (Vault through its provider, real or stand-in). */
export async function destroyPhaseWithEngine(engine: SandboxEngine, stack: string): Promise<{ result: EngineResult }> {
  return { result: await engine.destroy(stack) };
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
  await installPrometheusRuleCrd(sb.kc); // a real cluster gets it with prometheus-operator
  await deployerKubeConfig(sb.kc, env); // binds the deployer user the engine impersonates
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
    log(
      `engine: pulumi up ${stack}: ${r.steps.filter((s) => s.op === "create").length} created, policy pack passed (${((Date.now() - t) / 1000).toFixed(1)}s)`,
    );
    if (stack === env.foundation.stack)
      await publishQuotaStatus(
        sb.kc,
        env.foundation.kubernetes.filter((m) => m.kind === "ResourceQuota"),
      );
  }
  await writeProbeSecrets(sb.vault, env);
  return { engine, stacks, kubernetes, vault };
}
