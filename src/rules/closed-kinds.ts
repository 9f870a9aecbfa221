/**
 * The closed world of kinds: a stack may hold only the kinds its planner can produce. A phase stack holds an
 * agent's identity, grants, egress, Job template and Vault policies and role (and the launcher's Jobs, which the
 * same plan makes); a foundation holds the agents namespace and what guards it. Any other kind (another policy
 * engine's policies, another CNI's policies, a controller that installs charts, the guard's own parameters and
 * namespace in a phase stack) is refused by name, not passed over: a kind the rules were never written for is a
 * kind they cannot judge. A user who needs another kind adds it here together with the rule that judges it; no
 * flag lets unknown kinds through. Pure.
 */
import { VAULT_API_VERSION, type Manifest } from "../model/manifest";
import { claimsApprovalObject } from "./approval-planned";
import { isProviderType, isPulumiResource } from "./opaque";
import { ANY_KIND, field, show } from "./paths";
import type { Layer, ResourceRule } from "./types";

/** One kind a layer may hold, exactly as the planner writes `apiVersion` and `kind`. */
export interface StackKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Why the layer holds it: shown when another version of the kind is refused. */
  readonly role: string;
  /**
   * Held only as the foundation's approval objects (by kind and name; `approval-objects-as-planned` holds each to
   * the plan): any other object of the kind is refused here.
   */
  readonly approvalOnly?: true;
}

const k = (apiVersion: string, kind: string, role: string): StackKind => ({ apiVersion, kind, role });
const approvalKind = (apiVersion: string, kind: string, role: string): StackKind => ({
  apiVersion,
  kind,
  role: `${role}, only exactly as planned`,
  approvalOnly: true,
});

/** What each layer's planner emits (src/plan/phase.ts, job.ts, vault.ts; foundation.ts, admission.ts, observability.ts). */
export const STACK_KINDS: Readonly<Record<Layer, readonly StackKind[]>> = {
  phase: [
    k("v1", "ServiceAccount", "the agent's identity in this phase"),
    k("rbac.authorization.k8s.io/v1", "Role", "the agent's grants in its own namespace and each target namespace"),
    k("rbac.authorization.k8s.io/v1", "RoleBinding", "binds the agent's Role to its ServiceAccount"),
    k("networking.k8s.io/v1", "NetworkPolicy", "the agent's egress"),
    k("v1", "PodTemplate", "the agent's Job template, one per resource tier"),
    k("batch/v1", "Job", "one investigation, made by the launcher from the PodTemplate"),
    k(VAULT_API_VERSION, "VaultPolicy", "the agent's Vault policy, one per secret domain"),
    k(VAULT_API_VERSION, "VaultKubernetesAuthRole", "the agent's Vault login role"),
  ],
  foundation: [
    k("v1", "Namespace", "the agents namespace"),
    k("v1", "ResourceQuota", "the agents namespace's quota"),
    k("v1", "LimitRange", "the agents namespace's default limits"),
    k("v1", "ConfigMap", "the admission parameters and the dashboards"),
    k("networking.k8s.io/v1", "NetworkPolicy", "the namespace's default deny, DNS and collector egress"),
    k("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", "the runtime backstop"),
    k("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", "binds the runtime backstop"),
    k("monitoring.coreos.com/v1", "PrometheusRule", "the agents' alert rules"),
    k("audit.k8s.io/v1", "Policy", "the API server's audit policy (a file, not an object)"),
    k(VAULT_API_VERSION, "VaultAuthBackend", "the Kubernetes auth method"),
    k(VAULT_API_VERSION, "VaultKubernetesAuthConfig", "how Vault reviews ServiceAccount tokens"),
    k(VAULT_API_VERSION, "VaultMount", "the agents' KV v2 mount"),
    // The approval proxy (src/plan/approval.ts), when the foundation configures agent-trust:approval.
    approvalKind("apiextensions.k8s.io/v1", "CustomResourceDefinition", "the ApprovalReview resource"),
    approvalKind("v1", "ServiceAccount", "the approval proxy's identity"),
    approvalKind("rbac.authorization.k8s.io/v1", "Role", "the approval proxy's and the approvers' grants"),
    approvalKind("rbac.authorization.k8s.io/v1", "RoleBinding", "binds the approval proxy's and the approvers' Roles"),
    approvalKind("rbac.authorization.k8s.io/v1", "ClusterRole", "the approval proxy's TokenReview and user extras"),
    approvalKind("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "binds the approval proxy's ClusterRole"),
    approvalKind("v1", "Service", "the approval proxy's endpoint"),
    approvalKind("apps/v1", "Deployment", "the approval proxy"),
  ],
};

/** One provider resource type a layer may hold (the pack sees providers as `pulumi:providers:<package>` resources). */
export interface StackProvider {
  readonly type: string;
  readonly role: string;
}

/**
 * The providers a stack holds: the explicit Kubernetes provider the program makes per stack (src/program.ts), and the
 * engine's default Vault provider of the stack's Vault objects (both layers hold Vault kinds). Any other provider
 * (random, command, helm, a second cloud) is refused by name: what it creates is nothing the rules were written for.
 */
const PROVIDERS: readonly StackProvider[] = [
  {
    type: "pulumi:providers:kubernetes",
    role: "the stack's explicit Kubernetes provider, one per environment (src/program.ts)",
  },
  { type: "pulumi:providers:vault", role: "the provider of the stack's Vault policies, roles and mounts" },
];
/** A phase stack reads its foundation's outputs through a StackReference, which the engine's builtin provider serves. */
const STACK_REFERENCE_PROVIDER: StackProvider = {
  type: "pulumi:providers:pulumi",
  role: "the engine's builtin provider of the StackReference a phase stack reads its foundation through (src/program.ts)",
};
export const STACK_PROVIDERS: Readonly<Record<Layer, readonly StackProvider[]>> = {
  phase: [...PROVIDERS, STACK_REFERENCE_PROVIDER],
  foundation: PROVIDERS,
};

/** The layer an object is judged in: the one given, else phase (the strictest). */
export const layerOf = (layer: Layer | undefined): Layer => layer ?? "phase";

/** Why `obj` may not be in a stack of `layer`, or undefined when the layer's planner can produce its kind. */
export function kindProblem(obj: Manifest, layer: Layer): string | undefined {
  const allowed = STACK_KINDS[layer];
  const type = isPulumiResource(obj) ? field(obj, "spec", "type") : undefined;
  if (typeof type === "string" && isProviderType(type)) {
    const providers = STACK_PROVIDERS[layer];
    if (providers.some((p) => p.type === type)) return undefined;
    return `provider type ${show(type)} is not one a ${layer} stack can hold; a ${layer} stack holds only the providers ${providers.map((p) => p.type).join(", ")}`;
  }
  const what = isPulumiResource(obj)
    ? `resource type ${show(type)}`
    : `kind ${show(obj.kind)} (${show(obj.apiVersion)})`;
  const exact = allowed.find((a) => a.kind === obj.kind && a.apiVersion === obj.apiVersion);
  if (exact?.approvalOnly && !isPulumiResource(obj) && !claimsApprovalObject(obj))
    return `${what} is held by a ${layer} stack only as one of the approval proxy's objects (${exact.role}); ${show(obj.metadata?.name)} is none of them`;
  if (exact && !isPulumiResource(obj)) return undefined;
  const sameKind = allowed.find((a) => a.kind === obj.kind);
  if (sameKind && !isPulumiResource(obj)) {
    return `${what} is not what a ${layer} stack holds; its ${sameKind.kind} (${sameKind.role}) is apiVersion ${sameKind.apiVersion}`;
  }
  const list = allowed
    .map((a) => (a.apiVersion === VAULT_API_VERSION ? a.kind : `${a.kind} (${a.apiVersion})`))
    .join(", ");
  return `${what} is not one a ${layer} stack can hold; a ${layer} stack holds only ${list}`;
}

export const stackKindsClosed: ResourceRule = {
  name: "stack-kinds-closed",
  domain: "cluster",
  scope: "resource",
  security: true,
  kinds: [ANY_KIND],
  reads: ["apiVersion", "kind"],
  description:
    "A stack holds only the kinds its planner produces: a phase stack its agents' ServiceAccounts, Roles, RoleBindings, " +
    "NetworkPolicies, PodTemplates (and the launcher's Jobs) and their Vault policies and roles; a foundation the agents " +
    "namespace and what guards it; each stack's providers are its Kubernetes provider and the Vault provider (and, in a phase stack, the " +
    "builtin provider of its StackReference to the foundation). Every other kind, " +
    "resource type or provider type is refused by name, never passed over.",
  remediationSteps:
    "Remove the object from the stack. If the stack really needs this kind, add it to the closed world (src/rules/closed-kinds.ts) " +
    "together with the rule that judges it, through a reviewed change.",
  validate: (obj, ctx) => {
    const problem = kindProblem(obj, layerOf(ctx.layer));
    return problem ? [problem] : [];
  },
};

export const CLOSED_KIND_RULES: readonly ResourceRule[] = [stackKindsClosed];
