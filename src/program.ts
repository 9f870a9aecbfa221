/**
 * The Pulumi program. Config is parsed once here; a phase stack then reads its foundation, is checked against
 * the environment's ceiling, and only then registers resources, so a refused phase creates nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { AgentFoundation } from "./components/foundation";
import { AgentIdentity } from "./components/agent";
import { CONFIG_NAMESPACE, ConfigError, decodeEngineConfig, parseStackConfig } from "./config/parse";
import type { PhaseConfig } from "./config/schema";
import { isEnvironment, isPhase } from "./model/phases";
import type { FoundationOutputs } from "./model/foundation";
import { planPhase, PlanError } from "./plan/phase";
import { judgePhaseConfig } from "./promotion/gate";

const FOUNDATION_KEYS = ["environment", "namespace", "phaseCeiling", "authMount", "kvMount", "audience"] as const;

/** Reads the foundation's outputs as plain values, failing clearly when the foundation is missing or stale. */
export async function readFoundation(ref: pulumi.StackReference, refName: string): Promise<FoundationOutputs> {
  const values: Record<string, unknown> = {};
  for (const key of FOUNDATION_KEYS) {
    const details = await ref.getOutputDetails(key);
    values[key] = details.value ?? details.secretValue;
    if (typeof values[key] !== "string") {
      throw new ConfigError(`foundation stack "${refName}" has no output "${key}"; run \`pulumi up\` on it first`);
    }
  }
  if (!isEnvironment(values["environment"]) || !isPhase(values["phaseCeiling"])) {
    throw new ConfigError(`foundation stack "${refName}" exports an unknown environment or phase ceiling`);
  }
  return values as unknown as FoundationOutputs;
}

function foundationStackName(cfg: PhaseConfig): string {
  if (cfg.foundationStack) return cfg.foundationStack;
  return `${pulumi.getOrganization()}/${pulumi.getProject()}/${cfg.environment}`;
}

/** How the program runs; the defaults are what `pulumi up` deploys. */
export interface ProgramOptions {
  /**
   * Create the Vault resources. Default true. The sandbox's engine mode sets false when no Vault provider plugin
   * is installed and deploys the Vault half from the rendered plan instead (src/engine).
   */
  readonly includeVault?: boolean;
}

export async function runProgram(options: ProgramOptions = {}): Promise<Record<string, unknown>> {
  const includeVault = options.includeVault ?? true;
  const cfg = parseStackConfig(decodeEngineConfig(pulumi.runtime.allConfig()), `stack "${pulumi.getStack()}"`);
  if (cfg.layer === "foundation") {
    const tokenReviewerJwt = new pulumi.Config(CONFIG_NAMESPACE).getSecret("vaultTokenReviewerJwt");
    const foundation = new AgentFoundation(cfg.environment, { config: cfg, tokenReviewerJwt, includeVault });
    return { ...foundation.outputs };
  }
  const refName = foundationStackName(cfg);
  const ref = new pulumi.StackReference("foundation", { name: refName });
  const foundation = await readFoundation(ref, refName);
  const plans = planPhase(cfg, foundation);
  // Promotion is earned by evidence: a phase its agents' evidence files do not earn creates nothing.
  const gate = judgePhaseConfig(pulumi.getStack(), cfg);
  if (!gate.earned) throw new PlanError(`phase "${cfg.phase}" is not earned by its evidence; run \`agent-trust gate ${pulumi.getStack()}\` for the table`);
  const agents = plans.map((plan) => new AgentIdentity(plan.agent, { plan, includeVault }));
  return {
    environment: cfg.environment,
    phase: cfg.phase,
    namespace: foundation.namespace,
    agents: Object.fromEntries(
      agents.map((a, i) => [
        plans[i]!.agent,
        { serviceAccount: a.serviceAccountName, vaultRole: a.vaultRoleName, podTemplates: a.podTemplates },
      ]),
    ),
  };
}
