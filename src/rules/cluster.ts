/**
 * Cluster objects: what an agent stack may never create besides namespaced grants. Cluster-scoped objects
 * reach past the agents namespace by definition (a PersistentVolume with a hostPath hands any pod that binds it
 * the node's disk; an admission policy, webhook or APIService intercepts every request; a CRD, StorageClass,
 * RuntimeClass or PriorityClass changes the cluster for everyone), and a service-account-token Secret is a
 * credential that never expires. Pure.
 */
import { CLUSTER_SCOPED_GRANT_KINDS } from "../model/forbidden";
import { type Manifest } from "../model/manifest";
import { isVaultKind } from "../model/vault-kinds";
import { isKnownClusterScopedCustomKind } from "./cluster-custom";
import { isPulumiResource, opaqueReason } from "./opaque";
import { ANY_KIND, field, isUnknown, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";

/** A rule whose `kinds` holds ANY_KIND judges objects of every kind. */
export { ANY_KIND };

/**
 * Cluster-scoped kinds of Kubernetes 1.36 (every built-in API group, alpha and beta included, plus kinds removed
 * in earlier releases that an older cluster may still serve). Kind names are unique across the built-in groups.
 */
export const CLUSTER_SCOPED_KINDS: readonly string[] = [
  // core/v1
  "Namespace",
  "Node",
  "PersistentVolume",
  "ComponentStatus",
  // admissionregistration.k8s.io
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  // apiextensions.k8s.io, apiregistration.k8s.io
  "CustomResourceDefinition",
  "APIService",
  // authentication.k8s.io, authorization.k8s.io (create-only reviews)
  "TokenReview",
  "SelfSubjectReview",
  "SubjectAccessReview",
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  // certificates.k8s.io
  "CertificateSigningRequest",
  "ClusterTrustBundle",
  // rbac.authorization.k8s.io
  "ClusterRole",
  "ClusterRoleBinding",
  // flowcontrol.apiserver.k8s.io
  "FlowSchema",
  "PriorityLevelConfiguration",
  // networking.k8s.io
  "IngressClass",
  "ServiceCIDR",
  "IPAddress",
  "ClusterCIDR",
  // node.k8s.io, scheduling.k8s.io
  "RuntimeClass",
  "PriorityClass",
  // storage.k8s.io, storagemigration.k8s.io, internal.apiserver.k8s.io
  "StorageClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "VolumeAttributesClass",
  "StorageVersionMigration",
  "StorageVersion",
  // resource.k8s.io (dynamic resource allocation)
  "DeviceClass",
  "ResourceSlice",
  "DeviceTaintRule",
  // policy/v1beta1 (removed in 1.25)
  "PodSecurityPolicy",
];

/** Namespaced built-in kinds of Kubernetes 1.36: an object of one of these without a namespace is still namespaced. */
export const NAMESPACED_KINDS: readonly string[] = [
  "Pod",
  "PodTemplate",
  "ReplicationController",
  "Service",
  "Endpoints",
  "ConfigMap",
  "Secret",
  "ServiceAccount",
  "PersistentVolumeClaim",
  "LimitRange",
  "ResourceQuota",
  "Event",
  "Binding",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "ControllerRevision",
  "Job",
  "CronJob",
  "HorizontalPodAutoscaler",
  "Role",
  "RoleBinding",
  "LocalSubjectAccessReview",
  "NetworkPolicy",
  "Ingress",
  "PodDisruptionBudget",
  "Lease",
  "LeaseCandidate",
  "EndpointSlice",
  "CSIStorageCapacity",
  "ResourceClaim",
  "ResourceClaimTemplate",
  "PodSchedulingContext",
  "PodCertificateRequest",
  "Workload",
];

/**
 * Cluster-scoped kinds a FOUNDATION stack may hold besides the agents Namespace: the objects the foundation
 * itself renders. The one list to extend when the foundation renders more (admission policies and their bindings).
 */
export const FOUNDATION_CLUSTER_KINDS: readonly string[] = [
  // The runtime backstop (src/admission/policies.ts); `foundation-admission-policies` holds them to what the table generates.
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
];

/**
 * API groups of configuration files that only the cluster's own components read (kube-apiserver's
 * --audit-policy-file, admission and encryption config, kubelet and scheduler config, credential plugins):
 * the API server serves no such objects, so `kubectl apply` cannot create one. `agent-trust render` writes the
 * audit policy beside a foundation's objects.
 */
const CONFIG_FILE_GROUPS: readonly string[] = [
  "audit.k8s.io",
  "apiserver.config.k8s.io",
  "apiserver.k8s.io",
  "kubelet.config.k8s.io",
  "kubeproxy.config.k8s.io",
  "kubescheduler.config.k8s.io",
  "kubecontrollermanager.config.k8s.io",
  "client.authentication.k8s.io",
];

function isConfigFile(obj: Manifest): boolean {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- untrusted input: the type says string, an attacker's object may not
  const v = String(obj.apiVersion);
  const slash = v.indexOf("/");
  return CONFIG_FILE_GROUPS.includes(slash < 0 ? v : v.slice(0, slash)) || (v === "v1" && obj.kind === "Config");
}

/** Kinds the older rule `no-cluster-scoped-grants` refuses everywhere already; not reported twice. */
const REFUSED_ELSEWHERE: readonly string[] = CLUSTER_SCOPED_GRANT_KINDS;

/** A namespace that is set, and not unknown during preview (an unknown one cannot vouch for anything). */
const hasNamespace = (obj: Manifest) => {
  const ns = obj.metadata?.namespace;
  return typeof ns === "string" && ns !== "" && !isUnknown(ns);
};

function clusterObjectFinding(obj: Manifest, ctx: RuleContext): string | undefined {
  if (isVaultKind(obj.kind) || REFUSED_ELSEWHERE.includes(obj.kind) || isConfigFile(obj)) return undefined;
  if (isPulumiResource(obj) || opaqueReason(obj)) return undefined; // no-opaque-resources and the listing judge these
  if (obj.kind === "Namespace") {
    const name = obj.metadata?.name;
    return name === ctx.namespace
      ? undefined
      : `Namespace ${show(name)} is not the agents namespace "${ctx.namespace}"; an agent stack may create no other namespace`;
  }
  if (CLUSTER_SCOPED_KINDS.includes(obj.kind) || isKnownClusterScopedCustomKind(obj.apiVersion, obj.kind)) {
    if (ctx.layer === "foundation" && FOUNDATION_CLUSTER_KINDS.includes(obj.kind)) return undefined;
    const where =
      ctx.layer === "foundation"
        ? "the foundation renders none of this kind"
        : "agent input holds namespaced objects only";
    const pv =
      obj.kind === "PersistentVolume" && field(obj, "spec", "hostPath") !== undefined
        ? " (its hostPath hands the node's disk to any pod that claims it)"
        : "";
    const custom = CLUSTER_SCOPED_KINDS.includes(obj.kind)
      ? ""
      : ` (${obj.apiVersion}: its CRD makes it cluster-scoped, and the API server ignores a namespace on it)`;
    return `${obj.kind} is cluster-scoped${pv}${custom}: it reaches past the agents namespace, and ${where}`;
  }
  if (NAMESPACED_KINDS.includes(obj.kind) || hasNamespace(obj)) return undefined;
  return (
    `${obj.kind} (${obj.apiVersion}) is not a built-in kind and has no metadata.namespace: if it is cluster-scoped it has no ` +
    "place in agent input, so it is refused unless it names its namespace"
  );
}

export const noClusterScopedObjects: ResourceRule = {
  name: "no-cluster-scoped-objects",
  domain: "cluster",
  scope: "resource",
  security: true,
  kinds: [ANY_KIND],
  // The verdict rests on the kind; a Namespace's name and an unknown kind's namespace are checked inside, where
  // an unknown value vouches for nothing.
  reads: ["kind", "apiVersion"],
  description:
    "Agent input holds namespaced objects and the agents Namespace only: no PersistentVolume (hostPath through a PV and a PVC), " +
    "admission policy or binding, APIService, CRD, StorageClass, RuntimeClass, PriorityClass, Node, CSIDriver, IngressClass, " +
    "FlowSchema, CertificateSigningRequest or other cluster-scoped kind of Kubernetes 1.36, and no cluster-scoped kind of a widely " +
    "installed CRD (AdminNetworkPolicy, cluster-wide Cilium and Calico policies, ClusterSecretStore, ClusterIssuer, Kyverno and " +
    "Gatekeeper policies, …), whatever namespace it spells; any other kind the checker does not know " +
    "must name its namespace. A foundation stack may also hold the cluster-scoped kinds the foundation renders.",
  remediationSteps:
    "Remove the object from the agent stack; cluster-scoped objects belong to the platform team. For a custom namespaced kind, set metadata.namespace.",
  validate: (obj, ctx) => {
    const f = clusterObjectFinding(obj, ctx);
    return f ? [f] : [];
  },
};

/** The Secret type the token controller fills with a non-expiring ServiceAccount token. */
export const SERVICE_ACCOUNT_TOKEN_TYPE = "kubernetes.io/service-account-token";

export const noLongLivedTokenSecrets: ResourceRule = {
  name: "no-long-lived-token-secrets",
  domain: "cluster",
  scope: "resource",
  security: true,
  kinds: ["Secret"],
  reads: ["type"],
  description:
    "No Secret of type kubernetes.io/service-account-token: the token controller fills it with a token for the named ServiceAccount that never expires.",
  remediationSteps: "Remove the Secret; pods get short-lived projected tokens, and agents log in to Vault with those.",
  validate: (obj) => {
    const type = obj.type;
    if (isUnknown(type)) return [];
    return type === SERVICE_ACCOUNT_TOKEN_TYPE
      ? [
          `type is "${SERVICE_ACCOUNT_TOKEN_TYPE}": a non-expiring token for ServiceAccount ${show(field(obj, "metadata", "annotations", "kubernetes.io/service-account.name"))}`,
        ]
      : [];
  },
};

export const CLUSTER_RULES: readonly ResourceRule[] = [noClusterScopedObjects, noLongLivedTokenSecrets];
