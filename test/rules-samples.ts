/**
 * Compliant sample documents for the rule tests: each rule test starts from one of these and breaks exactly the
 * property the rule judges. Written by hand (not taken from the planner) so the rules are tested on their own.
 */
import type { Manifest } from "../src/model/manifest";

const labels = {
  "agent-trust.io/agent": "diag",
  "agent-trust.io/phase": "remediation",
  "agent-trust.io/environment": "staging",
};
const meta = (name: string, namespace = "ai-agents") => ({ name, namespace, labels: { ...labels } });

export const role = (): Manifest => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "Role",
  metadata: meta("diag-remediation-target", "checkout"),
  rules: [
    { apiGroups: [""], resources: ["pods", "pods/log", "events"], verbs: ["get", "list", "watch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["delete"], resourceNames: ["web-0"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch"] },
  ],
});

export const roleBinding = (): Manifest => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "RoleBinding",
  metadata: meta("diag-remediation-target", "checkout"),
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "diag-remediation-target" },
  subjects: [{ kind: "ServiceAccount", name: "diag-remediation", namespace: "ai-agents" }],
});

export const serviceAccount = (): Manifest => ({
  apiVersion: "v1",
  kind: "ServiceAccount",
  metadata: meta("diag-remediation"),
  automountServiceAccountToken: false,
});

const DIGEST = "sha256:" + "ab".repeat(32);

export const podSpec = () => ({
  serviceAccountName: "diag-remediation",
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "agent",
      image: `registry.example.com/agents/diag@${DIGEST}`,
      env: [
        { name: "AGENT_TRUST_PHASE", value: "remediation" },
        { name: "VAULT_TOKEN_FILE", value: "/var/run/secrets/vault/token" },
        { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      ],
      resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
      securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } },
      ports: [{ containerPort: 8080 }],
    },
  ],
  volumes: [
    { name: "workspace", emptyDir: { sizeLimit: "1Gi" } },
    {
      name: "vault-token",
      projected: { sources: [{ serviceAccountToken: { audience: "vault", expirationSeconds: 600, path: "token" } }] },
    },
  ],
});

const podLabels = { "agent-trust.io/agent": "diag", "agent-trust.io/phase": "remediation" };

export const podTemplate = (): Manifest => ({
  apiVersion: "v1",
  kind: "PodTemplate",
  metadata: meta("diag-remediation-simple"),
  template: { metadata: { labels: { ...podLabels } }, spec: podSpec() },
});

export const job = (): Manifest => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: meta("diag-remediation-inv1"),
  spec: {
    backoffLimit: 0,
    activeDeadlineSeconds: 600,
    ttlSecondsAfterFinished: 3600,
    template: { metadata: { labels: { ...podLabels } }, spec: podSpec() },
  },
});

export const cronJob = (): Manifest => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: meta("diag-remediation-nightly"),
  spec: { schedule: "0 3 * * *", jobTemplate: { spec: job()["spec"] } },
});

export const deployment = (): Manifest => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta("diag-remediation-daemon"),
  spec: { selector: { matchLabels: podLabels }, template: { metadata: { labels: { ...podLabels } }, spec: podSpec() } },
});

/** A custom kind carrying a pod template (Argo Rollouts): judged by the shape of its pod spec. */
export const rollout = (): Manifest => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: meta("diag-remediation-rollout"),
  spec: {
    replicas: 1,
    strategy: { canary: { steps: [{ setWeight: 20 }] } },
    selector: { matchLabels: podLabels },
    template: { metadata: { labels: { ...podLabels } }, spec: podSpec() },
  },
});

export const namespace = (): Manifest => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: {
    name: "ai-agents",
    labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
  },
});

export const egressPolicy = (): Manifest => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: meta("diag-remediation-egress"),
  spec: {
    podSelector: { matchLabels: { ...podLabels } },
    policyTypes: ["Ingress", "Egress"],
    egress: [
      {
        to: [
          {
            ipBlock: {
              cidr: "0.0.0.0/0",
              except: ["10.0.0.0/8", "169.254.0.0/16", "168.63.129.16/32", "100.100.100.200/32", "192.0.0.192/32"],
            },
          },
        ],
        ports: [{ port: 443, protocol: "TCP" }],
      },
      { to: [{ ipBlock: { cidr: "2001:db8::/32" } }], ports: [{ port: 443, protocol: "TCP" }] },
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "vault" } } }],
        ports: [{ port: 8200 }],
      },
    ],
  },
});

export const defaultDeny = (): Manifest => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "agent-trust-default-deny", namespace: "ai-agents" },
  spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
});

export const vaultRole = (): Manifest => ({
  apiVersion: "agent-trust.io/v1",
  kind: "VaultKubernetesAuthRole",
  metadata: { name: "agent-trust-staging-diag-remediation", labels: { ...labels } },
  spec: {
    backend: "kubernetes",
    role_name: "agent-trust-staging-diag-remediation",
    bound_service_account_names: ["diag-remediation"],
    bound_service_account_namespaces: ["ai-agents"],
    audience: "vault",
    alias_name_source: "serviceaccount_uid",
    token_ttl: 600,
    token_max_ttl: 900,
    token_policies: ["agent-trust-staging-diag-remediation-datasources"],
    token_no_default_policy: true,
  },
});

export const POLICY_HCL = `# datasources, remediation phase
path "agent/data/datasources/*" {
  capabilities = ["read"]
}
path "agent/metadata/datasources/*" {
  capabilities = ["list"]
}
/* the llm domain: one secret */
path "agent/data/llm/inference" { capabilities = ["read"] }
path "agent/data/llm/*" { capabilities = ["deny"] }
`;

export const vaultPolicy = (hcl = POLICY_HCL): Manifest => ({
  apiVersion: "agent-trust.io/v1",
  kind: "VaultPolicy",
  metadata: { name: "agent-trust-staging-diag-remediation-datasources", labels: { ...labels } },
  spec: { name: "agent-trust-staging-diag-remediation-datasources", policy: hcl },
});

/** A whole compliant phase stack of one agent (plus the foundation's namespace and default deny). */
export const wholeStack = (): Manifest[] => [
  namespace(),
  defaultDeny(),
  serviceAccount(),
  role(),
  roleBinding(),
  egressPolicy(),
  podTemplate(),
  vaultRole(),
  vaultPolicy(),
];
