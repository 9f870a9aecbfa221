/**
 * The Pulumi program. Config is parsed once here; a phase stack then reads its foundation, is checked against
 * the environment's ceiling, and only then registers resources, so a refused phase creates nothing. Every
 * Kubernetes object goes through one explicit provider per stack, made from the kubeconfig and context that were
 * checked against the cluster the foundation names; a kubeconfig for another cluster fails before anything exists.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AgentFoundation } from "./components/foundation";
import { AgentIdentity } from "./components/agent";
import { CONFIG_NAMESPACE, ConfigError, decodeEngineConfig, parseStackConfig } from "./config/parse";
import type { ClusterConfig } from "./config/cluster";
import { kubernetesProviderConfig, parseClusterOutput, resolveCluster } from "./config/kubeconfig";
import type { PhaseConfig } from "./config/schema";
import { isEnvironment, isPhase } from "./model/phases";
import { approvalProxyEndpoint, type ApprovalProxyEndpoint, type FoundationOutputs } from "./model/foundation";
import { planPhase, PlanError } from "./plan/phase";
import { judgePhaseConfig } from "./promotion/gate";

const FOUNDATION_KEYS = ["environment", "namespace", "phaseCeiling", "authMount", "kvMount", "audience"] as const;

/** What a phase stack reads from its foundation: the values its plan needs and the cluster the environment names. */
export interface FoundationReading {
  readonly outputs: FoundationOutputs;
  readonly cluster: ClusterConfig;
}

/** The foundation's `approvalProxy` output: absent, or exactly the endpoint its own foundation config builds. */
function parseApprovalProxyOutput(
  value: unknown,
  namespace: unknown,
  refName: string,
): ApprovalProxyEndpoint | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value as Partial<Record<keyof ApprovalProxyEndpoint, unknown>>;
  if (
    typeof value !== "object" ||
    typeof v.host !== "string" ||
    v.port !== 443 ||
    typeof v.caConfigMap !== "string" ||
    typeof namespace !== "string" ||
    v.host !== approvalProxyEndpoint(namespace, v.caConfigMap).host ||
    Object.keys(value).length !== 3
  ) {
    throw new ConfigError(
      `foundation stack "${refName}" exports an approvalProxy that is not { host, port: 443, caConfigMap }; run \`pulumi up\` on it again`,
    );
  }
  return approvalProxyEndpoint(namespace, v.caConfigMap);
}

/** Reads the foundation's outputs as plain values, failing clearly when the foundation is missing or stale. */
export async function readFoundation(ref: pulumi.StackReference, refName: string): Promise<FoundationReading> {
  const values: Record<string, unknown> = {};
  for (const key of FOUNDATION_KEYS) {
    const details = await ref.getOutputDetails(key);
    values[key] = details.value ?? details.secretValue;
    if (typeof values[key] !== "string") {
      throw new ConfigError(`foundation stack "${refName}" has no output "${key}"; run \`pulumi up\` on it first`);
    }
  }
  if (!isEnvironment(values.environment) || !isPhase(values.phaseCeiling)) {
    throw new ConfigError(`foundation stack "${refName}" exports an unknown environment or phase ceiling`);
  }
  const cluster = await ref.getOutputDetails("cluster");
  const proxy = await ref.getOutputDetails("approvalProxy");
  const approvalProxy = parseApprovalProxyOutput(proxy.value ?? proxy.secretValue, values.namespace, refName);
  return {
    outputs: { ...(values as unknown as FoundationOutputs), ...(approvalProxy ? { approvalProxy } : {}) },
    cluster: parseClusterOutput(cluster.value ?? cluster.secretValue, refName),
  };
}

/**
 * The stack's one Kubernetes provider, named after the environment, made from the kubeconfig and context the
 * provider would have used anyway, once they are checked against `cluster` (a ConfigError otherwise).
 */
export function kubernetesProvider(
  environment: string,
  cluster: ClusterConfig,
  raw: Record<string, string>,
): k8s.Provider {
  const stack = pulumi.getStack();
  const settings = kubernetesProviderConfig(raw, `stack "${stack}"`);
  const resolved = resolveCluster(stack, cluster, {
    ...settings,
    ...(process.env.KUBECONFIG !== undefined ? { kubeconfigEnv: process.env.KUBECONFIG } : {}),
    home: os.homedir(),
    readFile: (file) => (fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file, "utf8") : undefined),
  });
  const kubeconfig =
    "path" in resolved.kubeconfig ? resolved.kubeconfig.path : pulumi.secret(resolved.kubeconfig.contents);
  return new k8s.Provider(environment, { kubeconfig, context: resolved.context });
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
  const engineConfig = pulumi.runtime.allConfig();
  const cfg = parseStackConfig(decodeEngineConfig(engineConfig), `stack "${pulumi.getStack()}"`);
  if (cfg.layer === "foundation") {
    const provider = kubernetesProvider(cfg.environment, cfg.cluster, engineConfig);
    const tokenReviewerJwt = new pulumi.Config(CONFIG_NAMESPACE).getSecret("vaultTokenReviewerJwt");
    const foundation = new AgentFoundation(
      cfg.environment,
      { config: cfg, tokenReviewerJwt, includeVault },
      { providers: [provider] },
    );
    // The cluster is exported so the phase stacks check against the one value the foundation names.
    return { ...foundation.outputs, cluster: { ...cfg.cluster } };
  }
  const refName = foundationStackName(cfg);
  const ref = new pulumi.StackReference("foundation", { name: refName });
  const { outputs: foundation, cluster } = await readFoundation(ref, refName);
  const plans = planPhase(cfg, foundation);
  // Promotion is earned by evidence: a phase its agents' evidence files do not earn creates nothing.
  const gate = judgePhaseConfig(pulumi.getStack(), cfg);
  if (!gate.earned)
    throw new PlanError(
      `phase "${cfg.phase}" is not earned by its evidence; run \`agent-trust gate ${pulumi.getStack()}\` for the table`,
    );
  const provider = kubernetesProvider(cfg.environment, cluster, engineConfig);
  const agents = plans.map((plan) => new AgentIdentity(plan.agent, { plan, includeVault }, { providers: [provider] }));
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
