/**
 * Cluster-scoped kinds of widely installed CRDs, by API group. Offline, a custom kind's scope is unknown (it lives
 * in its CustomResourceDefinition), and the API server ignores `metadata.namespace` on a cluster-scoped object:
 * spelling a namespace does not make one of these namespaced. Several reach far past any namespace: an
 * AdminNetworkPolicy or a cluster-wide Cilium or Calico policy overrides every NetworkPolicy, a
 * ClusterSecretStore hands out secrets of every namespace, a ClusterPolicy or a Gatekeeper constraint changes
 * what admission lets through. Kinds not listed here are judged by their namespace (see `no-cluster-scoped-objects`).
 */

const TABLE: Readonly<Record<string, readonly string[]>> = {
  "policy.networking.k8s.io": ["AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy"],
  "cilium.io": [
    "CiliumClusterwideNetworkPolicy",
    "CiliumClusterwideEnvoyConfig",
    "CiliumEgressGatewayPolicy",
    "CiliumNode",
    "CiliumIdentity",
    "CiliumExternalWorkload",
    "CiliumLoadBalancerIPPool",
    "CiliumBGPClusterConfig",
    "CiliumCIDRGroup",
  ],
  "crd.projectcalico.org": [
    "GlobalNetworkPolicy",
    "GlobalNetworkSet",
    "HostEndpoint",
    "FelixConfiguration",
    "IPPool",
    "BGPConfiguration",
    "BGPPeer",
    "Tier",
  ],
  "projectcalico.org": [
    "GlobalNetworkPolicy",
    "GlobalNetworkSet",
    "HostEndpoint",
    "FelixConfiguration",
    "IPPool",
    "BGPConfiguration",
    "BGPPeer",
    "Tier",
  ],
  "external-secrets.io": ["ClusterSecretStore", "ClusterExternalSecret", "ClusterGenerator", "ClusterPushSecret"],
  "cert-manager.io": ["ClusterIssuer"],
  "kyverno.io": ["ClusterPolicy", "ClusterCleanupPolicy", "ClusterPolicyReport"],
  "policies.kyverno.io": [
    "ValidatingPolicy",
    "ImageValidatingPolicy",
    "MutatingPolicy",
    "GeneratingPolicy",
    "DeletingPolicy",
  ],
  "templates.gatekeeper.sh": ["ConstraintTemplate"],
  "argoproj.io": ["ClusterWorkflowTemplate"],
  "tekton.dev": ["ClusterTask"],
  "gateway.networking.k8s.io": ["GatewayClass"],
  "snapshot.storage.k8s.io": ["VolumeSnapshotClass", "VolumeSnapshotContent"],
  "kueue.x-k8s.io": ["ClusterQueue", "ResourceFlavor", "Cohort", "WorkloadPriorityClass"],
  "scheduling.volcano.sh": ["Queue"],
  "karpenter.sh": ["NodePool", "NodeClaim"],
  "karpenter.k8s.aws": ["EC2NodeClass"],
  "apiextensions.crossplane.io": ["CompositeResourceDefinition", "Composition", "CompositionRevision"],
  "pkg.crossplane.io": [
    "Provider",
    "Configuration",
    "Function",
    "DeploymentRuntimeConfig",
    "ProviderRevision",
    "ConfigurationRevision",
    "FunctionRevision",
  ],
};

/** Gatekeeper creates one cluster-scoped kind per ConstraintTemplate, all in this group. */
const ALL_CLUSTER_SCOPED_GROUPS = ["constraints.gatekeeper.sh"];

/** The API group of an apiVersion (`group/version`; the core group has none). */
const groupOf = (apiVersion: unknown): string => {
  const v = typeof apiVersion === "string" ? apiVersion : "";
  const slash = v.lastIndexOf("/");
  return slash < 0 ? "" : v.slice(0, slash);
};

/** Whether `kind` of the apiVersion's group is a known cluster-scoped custom kind. */
export function isKnownClusterScopedCustomKind(apiVersion: unknown, kind: string): boolean {
  const group = groupOf(apiVersion);
  if (ALL_CLUSTER_SCOPED_GROUPS.includes(group)) return true;
  return Object.hasOwn(TABLE, group) && TABLE[group]!.includes(kind);
}
