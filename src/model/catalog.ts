/**
 * The trust catalog: what each phase may be given. This is the single source of truth that the Pulumi program,
 * the renderer, the policy rules and the integration tests all read. Pure data and pure functions only.
 */
import type { Phase } from "./phases";
import { PHASES } from "./phases";
import {
  allowRead,
  allowVerb,
  DEPLOYMENT,
  DEPLOYMENT_SCALE,
  DIAGNOSTIC_RESOURCES,
  POD,
  SELF_RESOURCES,
  type PolicyRule,
  type ResourceRef,
} from "./rbac";
import { DELETE_DEPLOYMENT, DELETE_PVC, DELETE_STATEFULSET, SCALE_DOWN, type ApprovableAction } from "./approval";

/** Egress classes an agent pod may reach. DNS is granted by the foundation to every pod in the namespace. */
export const EGRESS_CLASSES = ["dns", "vault", "llm-api", "datasources", "notify", "remediation-targets"] as const;
export type EgressClass = (typeof EGRESS_CLASSES)[number];

/** Vault secret domains: the first path segment under the agents' KV mount. */
export const SECRET_DOMAINS = ["datasources", "llm", "notify", "remediation"] as const;
export type SecretDomain = (typeof SECRET_DOMAINS)[number];

/** A KV path the phase may read, relative to the KV v2 mount (`datasources/*` → `agent/data/datasources/*`). */
export interface VaultGrant {
  readonly path: string;
  /** Capabilities on the secret data. Read-only phases never get anything but read. */
  readonly capabilities: readonly ("read" | "list")[];
}

/** A write the phase may perform in target namespaces, with the intent it serves (shown in docs and matrices). */
export interface WriteGrant {
  readonly intent: string;
  readonly resource: ResourceRef;
  readonly verb: "delete" | "patch";
  /** Which key of an agent's `resourceNames` config narrows this grant. */
  readonly narrowedBy: "pods" | "deployments";
}

export interface PhaseSpec {
  readonly phase: Phase;
  readonly summary: string;
  /** Whether the agent's output reaches anyone (shadow's goes nowhere). */
  readonly outputReachesOperators: boolean;
  readonly readOnly: boolean;
  readonly writes: readonly WriteGrant[];
  /**
   * Irreversible actions allowed only with a person's approval, carried out through the approval proxy as the
   * agent's executor identity (src/model/approval.ts). Never anything of the never-list: secrets, RBAC, cluster objects.
   */
  readonly approvable: readonly ApprovableAction[];
  readonly vault: readonly VaultGrant[];
  readonly egress: readonly EgressClass[];
}

/** Hard ceilings shared by config validation, the rules and the admission policies. */
export const LIMITS = {
  /** Longest a Vault token or a Job may live, in seconds, unless a stack lowers it. */
  maxTokenTtlSeconds: 900,
  maxJobDeadlineSeconds: 900,
  /** Kubernetes refuses projected tokens shorter than 10 minutes. */
  projectedTokenSeconds: 600,
  /** Finished Jobs are kept this long for the audit trail before garbage collection. */
  ttlSecondsAfterFinished: 3600,
} as const;

const READ_DIAGNOSTICS: readonly VaultGrant[] = [
  { path: "datasources/*", capabilities: ["read", "list"] },
  { path: "llm/inference", capabilities: ["read"] },
];
const READ_NOTIFY: VaultGrant = { path: "notify/*", capabilities: ["read", "list"] };
const READ_REMEDIATION: readonly VaultGrant[] = [
  { path: "remediation/pod-restart", capabilities: ["read"] },
  { path: "remediation/cache-clear", capabilities: ["read"] },
];

const RESTART_POD: WriteGrant = { intent: "restart a pod", resource: POD, verb: "delete", narrowedBy: "pods" };
const ROLLOUT_RESTART: WriteGrant = {
  intent: "rollout restart a deployment",
  resource: DEPLOYMENT,
  verb: "patch",
  narrowedBy: "deployments",
};
const SCALE: WriteGrant = {
  intent: "scale a deployment",
  resource: DEPLOYMENT_SCALE,
  verb: "patch",
  narrowedBy: "deployments",
};

const BASE_EGRESS: readonly EgressClass[] = ["dns", "vault", "llm-api", "datasources"];

export const CATALOG: Readonly<Record<Phase, PhaseSpec>> = {
  shadow: {
    phase: "shadow",
    summary: "reads production data; output goes nowhere",
    outputReachesOperators: false,
    readOnly: true,
    writes: [],
    approvable: [],
    vault: READ_DIAGNOSTICS,
    // No notify egress: a shadow agent has nobody to talk to, so it must not be able to.
    egress: BASE_EGRESS,
  },
  assist: {
    phase: "assist",
    summary: "same reads; recommendations reach operators",
    outputReachesOperators: true,
    readOnly: true,
    writes: [],
    approvable: [],
    vault: [...READ_DIAGNOSTICS, READ_NOTIFY],
    egress: [...BASE_EGRESS, "notify"],
  },
  remediation: {
    phase: "remediation",
    summary: "low-risk writes on named resources in named namespaces",
    outputReachesOperators: true,
    readOnly: false,
    writes: [RESTART_POD, ROLLOUT_RESTART],
    approvable: [DELETE_DEPLOYMENT, SCALE_DOWN],
    vault: [...READ_DIAGNOSTICS, READ_NOTIFY, ...READ_REMEDIATION],
    egress: [...BASE_EGRESS, "notify", "remediation-targets"],
  },
  autonomous: {
    phase: "autonomous",
    summary: "routine fixes without an operator; still no cluster rights, secrets or escalation",
    outputReachesOperators: true,
    readOnly: false,
    writes: [RESTART_POD, ROLLOUT_RESTART, SCALE],
    approvable: [DELETE_DEPLOYMENT, DELETE_STATEFULSET, DELETE_PVC, SCALE_DOWN],
    vault: [...READ_DIAGNOSTICS, READ_NOTIFY, ...READ_REMEDIATION],
    egress: [...BASE_EGRESS, "notify", "remediation-targets"],
  },
};

export function phaseSpec(phase: Phase): PhaseSpec {
  return CATALOG[phase];
}

/** Rules for the agent's Role in its own namespace: read its own investigations, in every phase. */
export function agentsNamespaceRules(): PolicyRule[] {
  return allowRead(SELF_RESOURCES);
}

/** Rules for the agent's Role in one target namespace: read diagnostics, plus the phase's narrow writes. */
export function targetNamespaceRules(
  phase: Phase,
  resourceNames: Partial<Record<WriteGrant["narrowedBy"], readonly string[]>> = {},
): PolicyRule[] {
  const writes = CATALOG[phase].writes.map((w) => allowVerb(w.resource, w.verb, resourceNames[w.narrowedBy]));
  return [...allowRead(DIAGNOSTIC_RESOURCES), ...writes];
}

/**
 * Rules for the executor identity's Role in one target namespace: exactly the phase's approvable verbs, narrowed
 * like its writes. Empty for a phase with nothing approvable (it gets no executor).
 */
export function executorRules(
  phase: Phase,
  resourceNames: Partial<Record<WriteGrant["narrowedBy"], readonly string[]>> = {},
): PolicyRule[] {
  return CATALOG[phase].approvable.flatMap((a) =>
    a.verbs.map((verb) => allowVerb(a.resource, verb, a.narrowedBy && resourceNames[a.narrowedBy])),
  );
}

/** The catalog is constant: each phase's executor rules (unnarrowed) are built once for `executorAllows`. */
const EXECUTOR_RULES = new Map<Phase, readonly PolicyRule[]>();

/** True when the executor identity of `phase` may use `verb` on `apiGroup`/`resource` (its approvable actions). */
export function executorAllows(phase: Phase, verb: string, apiGroup: string, resource: string): boolean {
  let rules = EXECUTOR_RULES.get(phase);
  if (!rules) EXECUTOR_RULES.set(phase, (rules = executorRules(phase)));
  return rules.some((r) => r.verbs.includes(verb) && r.apiGroups.includes(apiGroup) && r.resources.includes(resource));
}

/** The approvable action of `phase` on `apiGroup`/`resource` (with subresource) with `verb`, if any. */
export function approvableAction(
  phase: Phase,
  verb: string,
  apiGroup: string,
  resource: string,
): ApprovableAction | undefined {
  return CATALOG[phase].approvable.find(
    (a) =>
      a.resource.apiGroup === apiGroup &&
      a.resource.resource === resource &&
      (a.verbs as readonly string[]).includes(verb),
  );
}

/** The phases that write nothing (read-only in the catalog), in trust order. */
export function readOnlyPhases(): Phase[] {
  return PHASES.filter((p) => CATALOG[p].readOnly);
}

/** Every verb the phase may use anywhere: the verb ceiling the policy rules enforce. */
export function allowedVerbs(phase: Phase): string[] {
  const verbs = new Set<string>(["get", "list", "watch"]);
  for (const w of CATALOG[phase].writes) verbs.add(w.verb);
  return [...verbs].sort();
}

/** The catalog is constant: each phase's target-namespace rules are built once for `phaseAllows`. */
const CEILING_RULES = new Map<Phase, readonly PolicyRule[]>();

/** True when `phase` may use `verb` on `apiGroup`/`resource` in a target namespace. */
export function phaseAllows(phase: Phase, verb: string, apiGroup: string, resource: string): boolean {
  let rules = CEILING_RULES.get(phase);
  if (!rules) CEILING_RULES.set(phase, (rules = targetNamespaceRules(phase)));
  return rules.some((r) => r.verbs.includes(verb) && r.apiGroups.includes(apiGroup) && r.resources.includes(resource));
}

/** The Vault capabilities a phase grants on a KV path (relative to the mount), `[]` meaning denied. */
export function vaultCapabilities(phase: Phase, path: string): readonly string[] {
  const exact = CATALOG[phase].vault.find((g) => g.path === path);
  if (exact) return exact.capabilities;
  const glob = CATALOG[phase].vault.find((g) => g.path.endsWith("/*") && path.startsWith(g.path.slice(0, -1)));
  return glob ? glob.capabilities : [];
}

/** The grants of one secret domain in a phase (possibly none). */
export function domainGrants(phase: Phase, domain: SecretDomain): VaultGrant[] {
  return CATALOG[phase].vault.filter((g) => g.path.split("/")[0] === domain);
}

/** Every KV path any phase mentions: the paths an agent asks for, whatever its phase. */
export function allVaultPaths(): string[] {
  return [...new Set(PHASES.flatMap((p) => CATALOG[p].vault.map((g) => g.path)))].sort();
}
