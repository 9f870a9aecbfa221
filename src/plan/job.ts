/**
 * The investigation Job: one PodTemplate per agent, phase and tier is published in the cluster, and
 * `investigationJob` turns it into the Job a launcher submits for one investigation. Pure.
 */
import type { AgentConfig, PhaseConfig, TierConfig } from "../config/schema";
import { allVaultPaths, CATALOG, LIMITS } from "../model/catalog";
import { agentNames, assertDnsLabel, LABELS } from "../model/naming";
import { isEnvironment, isPhase } from "../model/phases";
import type { FoundationOutputs } from "../model/foundation";
import { proxyAccess, proxyFor } from "./approval-endpoint";
import type { Manifest } from "../model/manifest";
import { breakerCap, MAX_CYCLE_CAP, otelEnv } from "./observability-otel";

export const TIERS = ["simple", "complex"] as const;
export type Tier = (typeof TIERS)[number];

const VAULT_TOKEN_VOLUME = "vault-token";
const VAULT_TOKEN_DIR = "/var/run/secrets/vault";
/** Non-root UID/GID used by distroless images; any non-zero value satisfies Pod Security `restricted`. */
export const AGENT_UID = 65532;

const JOB_ANNOTATIONS = {
  deadline: "agent-trust.io/active-deadline-seconds",
  ttl: "agent-trust.io/ttl-seconds-after-finished",
} as const;

/** The pod-level security context of every pod we plan: not root, our UID and group, the runtime's seccomp. */
export function restrictedPodSecurity() {
  return {
    runAsNonRoot: true,
    runAsUser: AGENT_UID,
    runAsGroup: AGENT_UID,
    fsGroup: AGENT_UID,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function restrictedContainerSecurity() {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

function env(cfg: PhaseConfig, foundation: FoundationOutputs, agent: AgentConfig, tier: Tier, t: TierConfig) {
  const names = agentNames(cfg.environment, cfg.phase, agent.name);
  // The agent asks for the same paths in every phase; the phase's Vault policy decides what it gets.
  const paths = allVaultPaths()
    .filter((p) => agent.secretDomains.some((d) => p.startsWith(`${d}/`)))
    .map((p) => `${foundation.kvMount}/data/${p}`);
  const plain: [string, string][] = [
    ["AGENT_TRUST_AGENT", agent.name],
    ["AGENT_TRUST_PHASE", cfg.phase],
    ["AGENT_TRUST_ENVIRONMENT", cfg.environment],
    ["AGENT_TRUST_TIER", tier],
    ["AGENT_TRUST_MAX_REASONING_CYCLES", String(t.maxReasoningCycles)],
    ["AGENT_TRUST_DEADLINE_SECONDS", String(t.deadlineSeconds)],
    ["AGENT_TRUST_OUTPUT", CATALOG[cfg.phase].outputReachesOperators ? "operators" : "none"],
    ["AGENT_TRUST_VAULT_AUTH_PATH", `auth/${foundation.authMount}`],
    ["AGENT_TRUST_VAULT_ROLE", names.vaultRole],
    ["AGENT_TRUST_VAULT_JWT_FILE", `${VAULT_TOKEN_DIR}/token`],
    ["AGENT_TRUST_SECRET_PATHS", paths.join(",")],
  ];
  return [
    ...plain.map(([name, value]) => ({ name, value })),
    {
      name: "AGENT_TRUST_INVESTIGATION_ID",
      valueFrom: { fieldRef: { fieldPath: `metadata.labels['${LABELS.investigation}']` } },
    },
    ...otelEnv({
      environment: cfg.environment,
      agent: agent.name,
      phase: cfg.phase,
      tier,
      investigationVar: "AGENT_TRUST_INVESTIGATION_ID",
    }),
  ];
}

/** The published template of one agent's investigations in one phase and tier. */
export function planPodTemplate(
  cfg: PhaseConfig,
  foundation: FoundationOutputs,
  agent: AgentConfig,
  tier: Tier,
  labels: Record<string, string>,
): Manifest {
  const t = cfg.tiers[tier];
  const names = agentNames(cfg.environment, cfg.phase, agent.name);
  const podLabels = { ...labels, [LABELS.agent]: agent.name, [LABELS.phase]: cfg.phase, [LABELS.tier]: tier };
  const proxy = proxyFor(cfg, foundation);
  const access = proxy ? proxyAccess(proxy) : undefined;
  const spec: Record<string, unknown> = {
    serviceAccountName: names.serviceAccount,
    // No long-lived API token in the pod; the only credential is the short, Vault-audience token below.
    automountServiceAccountToken: false,
    restartPolicy: "Never",
    enableServiceLinks: false,
    securityContext: restrictedPodSecurity(),
    containers: [
      {
        name: "agent",
        image: agent.image,
        env: [...env(cfg, foundation, agent, tier, t), ...(access?.env ?? [])],
        resources: {
          requests: { cpu: t.cpuRequest, memory: t.memoryRequest },
          limits: { cpu: t.cpuLimit, memory: t.memoryLimit },
        },
        securityContext: restrictedContainerSecurity(),
        volumeMounts: [
          { name: "workspace", mountPath: "/workspace" },
          { name: VAULT_TOKEN_VOLUME, mountPath: VAULT_TOKEN_DIR, readOnly: true },
          ...(access ? [access.mount] : []),
        ],
      },
    ],
    volumes: [
      // The root filesystem is read-only; scratch space is bounded so one investigation cannot fill a node.
      { name: "workspace", emptyDir: { sizeLimit: t.workspaceSize } },
      {
        name: VAULT_TOKEN_VOLUME,
        projected: {
          sources: [
            {
              serviceAccountToken: {
                audience: foundation.audience,
                expirationSeconds: LIMITS.projectedTokenSeconds,
                path: "token",
              },
            },
          ],
        },
      },
      ...(access ? [access.volume] : []),
    ],
  };
  if (cfg.runtimeClassName) spec.runtimeClassName = cfg.runtimeClassName;
  return {
    apiVersion: "v1",
    kind: "PodTemplate",
    metadata: {
      name: names.podTemplate(tier),
      namespace: foundation.namespace,
      labels: podLabels,
      annotations: {
        [JOB_ANNOTATIONS.deadline]: String(t.deadlineSeconds),
        [JOB_ANNOTATIONS.ttl]: String(LIMITS.ttlSecondsAfterFinished),
      },
    },
    template: {
      metadata: {
        labels: podLabels,
        annotations: {
          "vault.hashicorp.com/agent-inject": "true",
          // Init container only: a sidecar would keep the Job's pod running after the agent exits.
          "vault.hashicorp.com/agent-pre-populate-only": "true",
          "vault.hashicorp.com/agent-inject-token": "true",
          "vault.hashicorp.com/role": names.vaultRole,
          "vault.hashicorp.com/auth-path": `auth/${foundation.authMount}`,
          "vault.hashicorp.com/agent-service-account-token-volume-name": VAULT_TOKEN_VOLUME,
        },
      },
      spec,
    },
  };
}

export interface InvestigationRequest {
  /** Unique per investigation; becomes part of the Job name and the cost-attribution label. */
  readonly investigationId: string;
  readonly tier: Tier;
  /**
   * The tier's observed p95 reasoning cycles of resolved investigations (recording rule
   * agent_trust:reasoning_cycles_resolved:p95_by_tier), when the launcher has it: the cycle cap becomes
   * min(tier cap, 2 × p95), never above the tier's cap. Must be a positive finite number.
   */
  readonly observedP95Cycles?: number;
}

const CYCLES_ENV = "AGENT_TRUST_MAX_REASONING_CYCLES";

/** The pod spec with the agent container's cycle cap set by the breaker (a copy; the template is not changed). */
function withCycleCap(name: string, spec: unknown, observedP95Cycles: number | undefined): unknown {
  const s = structuredClone(spec) as { containers?: { name: string; env?: { name: string; value?: string }[] }[] };
  const envVar = s.containers?.find((c) => c.name === "agent")?.env?.find((e) => e.name === CYCLES_ENV);
  const tierCap = Number(envVar?.value);
  if (!envVar || !Number.isInteger(tierCap) || tierCap < 1 || tierCap > MAX_CYCLE_CAP) {
    throw new Error(`PodTemplate ${name} has no valid ${CYCLES_ENV} (1 to ${MAX_CYCLE_CAP}) on its agent container`);
  }
  envVar.value = String(breakerCap(tierCap, observedP95Cycles));
  return s;
}

/**
 * The Job for one investigation, built from the published PodTemplate of its tier. A launcher may pass the
 * template it read from the cluster, so what runs is exactly what the phase stack published.
 */
/**
 * Longest Job name whose pods keep the whole Job name: the Job controller names pods with generateName
 * `<job>-`, and the API server truncates a generateName to 58 characters before adding 5 random ones.
 */
export const MAX_JOB_NAME = 57;

/** Pod suffix the API server appends to a generateName: 5 characters from its own alphabet. */
const POD_SUFFIX = /^-[bcdfghjklmnpqrstvwxz2456789]{5}$/;

/**
 * The investigation an audited agent request belongs to, from the two things every audit event of a bound pod
 * token carries: the username (`system:serviceaccount:<ns>:<agent>-<phase>`) and
 * `authentication.kubernetes.io/pod-name`. One to one because Job names are `<agent>-<phase>-<id>`, unique in
 * the namespace and at most MAX_JOB_NAME long, and each pod is its Job's name plus a 5-character suffix.
 * Undefined when the pod is not an investigation pod of that ServiceAccount.
 */
export function investigationOfPod(
  username: string,
  podName: string,
): { job: string; investigationId: string } | undefined {
  const sa = username.split(":")[3];
  if (!username.startsWith("system:serviceaccount:") || !sa) return undefined;
  const job = podName.slice(0, -6);
  if (!POD_SUFFIX.test(podName.slice(-6)) || !job.startsWith(`${sa}-`) || job.length > MAX_JOB_NAME) return undefined;
  const investigationId = job.slice(sa.length + 1);
  return investigationId ? { job, investigationId } : undefined;
}

export function investigationJob(podTemplate: Manifest, request: InvestigationRequest): Manifest {
  const id = assertDnsLabel(request.investigationId, "investigation ID");
  const meta = podTemplate.metadata;
  const template = podTemplate.template as { metadata: { labels: Record<string, string> }; spec: unknown };
  if (meta.labels?.[LABELS.tier] !== request.tier) {
    throw new Error(`PodTemplate ${meta.name} is for tier "${meta.labels?.[LABELS.tier]}", not "${request.tier}"`);
  }
  const deadline = Number(meta.annotations?.[JOB_ANNOTATIONS.deadline]);
  if (!Number.isInteger(deadline) || deadline <= 0 || deadline > LIMITS.maxJobDeadlineSeconds) {
    throw new Error(
      `PodTemplate ${meta.name} has no valid ${JOB_ANNOTATIONS.deadline} (≤ ${LIMITS.maxJobDeadlineSeconds})`,
    );
  }
  const [env, phase, agent] = [LABELS.environment, LABELS.phase, LABELS.agent].map((l) => meta.labels?.[l]);
  if (!isEnvironment(env) || !isPhase(phase) || !agent) {
    throw new Error(`PodTemplate ${meta.name} lacks its environment, phase or agent label`);
  }
  const labels = { ...template.metadata.labels, [LABELS.investigation]: id };
  const name = agentNames(env, phase, agent).job(id);
  if (name.length > MAX_JOB_NAME) {
    throw new Error(
      `investigation ID "${id}" is too long: Job name "${name}" has ${name.length} characters, at most ${MAX_JOB_NAME} ` +
        `keep every pod name "<job>-<5 random>" traceable to its investigation`,
    );
  }
  const spec = withCycleCap(meta.name, template.spec, request.observedP95Cycles);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: meta.namespace!, labels },
    spec: {
      // One attempt: a diagnostic that failed is reported, not re-run with the same credentials.
      backoffLimit: 0,
      podFailurePolicy: {
        rules: [
          // Evicted or preempted by the cluster: not the agent's fault, does not count as the attempt.
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
          // The agent itself failed: terminal, never retried.
          { action: "FailJob", onExitCodes: { containerName: "agent", operator: "NotIn", values: [0] } },
        ],
      },
      activeDeadlineSeconds: deadline,
      ttlSecondsAfterFinished: Number(meta.annotations?.[JOB_ANNOTATIONS.ttl] ?? LIMITS.ttlSecondsAfterFinished),
      template: { ...template, metadata: { ...template.metadata, labels }, spec },
    },
  };
}
