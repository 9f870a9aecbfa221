/**
 * What no phase may ever be given. The policy rules, the admission policies and the integration matrix read
 * these lists; the catalog never grants any of them (a unit test proves it). Pure data.
 */

/** Verbs that let a subject grant itself more than it has, or act as someone else. */
export const ESCALATION_VERBS = ["escalate", "bind", "impersonate"] as const;

/** Resources no agent may touch with any verb (exec over websockets needs only `get`, so even reads are out). */
export const FORBIDDEN_RESOURCES = [
  "secrets",
  "pods/exec",
  "pods/attach",
  "pods/portforward",
  "pods/ephemeralcontainers",
  "serviceaccounts/token",
] as const;

/** Workloads: creating any of them is running new code with the agent's identity or another's. */
export const WORKLOAD_RESOURCES = [
  "pods",
  "jobs",
  "cronjobs",
  "deployments",
  "statefulsets",
  "daemonsets",
  "replicasets",
] as const;

/** Identity and RBAC objects: writing them is escalation by another route. */
export const NO_WRITE_RESOURCES = ["namespaces", "serviceaccounts", "roles", "rolebindings"] as const;

/** Deleting these loses data or whole applications; a restart never needs it. */
export const NO_DELETE_RESOURCES = [
  "namespaces",
  "persistentvolumeclaims",
  "secrets",
  "deployments",
  "statefulsets",
] as const;

/** Cluster-only resources: they have no place in a namespaced Role at all. */
export const CLUSTER_ONLY_RESOURCES = [
  "nodes",
  "nodes/proxy",
  "nodes/status",
  "certificatesigningrequests",
  "certificatesigningrequests/approval",
  "certificatesigningrequests/status",
  "validatingwebhookconfigurations",
  "mutatingwebhookconfigurations",
  "validatingadmissionpolicies",
  "validatingadmissionpolicybindings",
  "persistentvolumes",
  "clusterroles",
  "clusterrolebindings",
  "customresourcedefinitions",
  "namespaces/finalize",
  "tokenreviews",
  "subjectaccessreviews",
] as const;

/** Kinds that grant or hook cluster-wide and so never belong to an agent stack. */
export const CLUSTER_SCOPED_GRANT_KINDS = [
  "ClusterRole",
  "ClusterRoleBinding",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
] as const;

/** Write verbs, including `*`-free spellings only: wildcards are refused on their own. */
export const WRITE_VERB_SET = ["create", "update", "patch", "delete", "deletecollection"] as const;

/** Vault path prefixes that administer Vault itself. */
export const FORBIDDEN_VAULT_PREFIXES = ["sys/", "auth/", "identity/"] as const;

/** Env var names that look like credentials; a literal value there is a leaked secret. */
export const CREDENTIAL_NAME_PATTERN = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i;

/** Address ranges a broad egress CIDR must carve out: private networks and cloud metadata. */
export const PRIVATE_IPV4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;
export const METADATA_IPV4 = "169.254.0.0/16";
export const PRIVATE_IPV6 = ["fc00::/7"] as const;
export const METADATA_IPV6 = "fd00:ec2::/32";

/** Groups that hold far more than the deployer: naming one would let anyone in it grant agents anything. */
export const BROAD_GROUPS: readonly string[] = [
  "system:masters",
  "system:authenticated",
  "system:unauthenticated",
  "system:serviceaccounts",
  "system:nodes",
];
