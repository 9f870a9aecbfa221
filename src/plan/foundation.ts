/**
 * The foundation of one environment, planned as plain objects: the agents namespace and its guard rails, and
 * the Vault mounts every phase stack builds on. Pure: the renderer and the Pulumi component both start here.
 */
import type { FoundationConfig } from "../config/schema";
import { FOUNDATION_NAMES, LABELS } from "../model/naming";
import type { Manifest } from "../model/manifest";
import type { Environment } from "../model/phases";
import { vaultDocument } from "../model/vault-kinds";
import { ADMISSION_PARAMS } from "../model/admission";
import { planApproval, type ApprovalPlan } from "./approval";
import { planObservability } from "./observability";

/** One admission rule's policy and the binding that enforces it. */
export interface AdmissionPair {
  readonly policy: Manifest;
  readonly binding: Manifest;
}

/**
 * The foundation of one environment, by what each object is, so the component wires dependencies by name;
 * `manifestsOf` (./manifests) lays it out as the one ordered list render and the rules see.
 */
export interface FoundationPlan {
  readonly layer: "foundation";
  readonly namespace: Manifest;
  /** Quota, limits and the two network policies: namespaced, each waits for the namespace. */
  readonly guards: {
    readonly quota: Manifest;
    readonly limitRange: Manifest;
    readonly defaultDeny: Manifest;
    readonly dnsEgress: Manifest;
  };
  /** The parameter ConfigMap (namespaced) and, per admission rule, its cluster-scoped policy and binding. */
  readonly admission: { readonly params: Manifest; readonly rules: readonly AdmissionPair[] };
  /** The approval proxy, its CRD, RBAC and approvers (./approval); undefined without `agent-trust:approval`. */
  readonly approval: ApprovalPlan | undefined;
  /** The observability objects (none when it is off): namespaced, each waits for the namespace. */
  readonly observability: readonly Manifest[];
  readonly vault: { readonly authBackend: Manifest; readonly authConfig: Manifest; readonly kvMount: Manifest };
}

export function baseLabels(env: Environment): Record<string, string> {
  return { [LABELS.managedBy]: "agent-trust", [LABELS.partOf]: "agent-trust", [LABELS.environment]: env };
}

function meta(cfg: FoundationConfig, name: string) {
  return { name, namespace: cfg.namespace, labels: baseLabels(cfg.environment) };
}

const PSA_RESTRICTED = {
  // All three modes: enforce rejects, audit records, warn tells the person applying. `latest` tracks the
  // cluster's own definition of restricted so an upgrade tightens rather than silently lags.
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/audit-version": "latest",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/warn-version": "latest",
};

function kubernetesObjects(cfg: FoundationConfig): Pick<FoundationPlan, "namespace" | "guards"> {
  const n = FOUNDATION_NAMES;
  const namespace: Manifest = {
    apiVersion: "v1",
    kind: "Namespace",
    // Protected: the admission policies refuse every agent write here, its own parameters and Jobs included.
    metadata: {
      name: cfg.namespace,
      labels: { ...baseLabels(cfg.environment), ...PSA_RESTRICTED, [cfg.admission.protectedLabel]: "true" },
    },
  };
  // A runaway launcher must not be able to starve the cluster: the quota bounds every investigation combined.
  const quota: Manifest = {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: meta(cfg, n.quota),
    spec: {
      hard: {
        pods: String(cfg.quota.pods),
        "requests.cpu": cfg.quota.requestsCpu,
        "requests.memory": cfg.quota.requestsMemory,
        "limits.cpu": cfg.quota.limitsCpu,
        "limits.memory": cfg.quota.limitsMemory,
      },
    },
  };
  // Defaults for any container that forgets its resources, so the quota can always be charged.
  const limitRange: Manifest = {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: meta(cfg, n.limitRange),
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "1Gi" },
          defaultRequest: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "256Mi" },
          max: { cpu: "2", memory: "4Gi", "ephemeral-storage": "4Gi" },
        },
      ],
    },
  };
  // Deny everything in and out; phase stacks open exactly the egress their phase allows.
  const defaultDeny: Manifest = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(cfg, n.defaultDeny),
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
  const dns: Manifest = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(cfg, n.dnsEgress),
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        },
      ],
    },
  };
  return { namespace, guards: { quota, limitRange, defaultDeny, dnsEgress: dns } };
}

function vaultObjects(cfg: FoundationConfig): FoundationPlan["vault"] {
  const labels = baseLabels(cfg.environment);
  const { authMount, kvMount } = cfg.vault;
  return {
    authBackend: vaultDocument("VaultAuthBackend", authMount, labels, {
      type: "kubernetes",
      path: authMount,
      description: `agent-trust ${cfg.environment}: agent ServiceAccounts log in here`,
    }),
    authConfig: vaultDocument("VaultKubernetesAuthConfig", authMount, labels, {
      backend: authMount,
      kubernetes_host: cfg.vault.kubernetesHost,
      kubernetes_ca_cert: cfg.vault.kubernetesCaCert,
      // Vault runs outside the cluster here: it must not fall back to a local pod's CA and token.
      disable_local_ca_jwt: true,
    }),
    kvMount: vaultDocument("VaultMount", kvMount, labels, {
      path: kvMount,
      type: "kv",
      options: { version: "2" },
      description: `agent-trust ${cfg.environment}: per-domain agent secrets`,
    }),
  };
}

/**
 * The admission objects of a foundation, planned by the admission room (src/admission/policies.ts `planAdmission`):
 * they are generated from the admission rule table, above the rules, so a planner cannot import them; the adapters
 * that plan a foundation (the renderer, the Pulumi component) pass the admission planner in.
 */
export type AdmissionPlanner = (cfg: FoundationConfig, labels: Record<string, string>) => Manifest[];

/**
 * The admission planner's objects by role: its parameter ConfigMap, and each binding with the policy it names
 * (in the planner's order). Refuses anything it cannot place, so no object is dropped on the way.
 */
function admissionParts(objects: readonly Manifest[]): FoundationPlan["admission"] {
  const params = objects.filter((m) => m.kind === "ConfigMap" && m.metadata.name === ADMISSION_PARAMS);
  const policies = new Map(
    objects.filter((m) => m.kind === "ValidatingAdmissionPolicy").map((m) => [m.metadata.name, m]),
  );
  const rules = objects
    .filter((m) => m.kind === "ValidatingAdmissionPolicyBinding")
    .map((binding) => {
      const name = (binding.spec as { policyName?: string } | undefined)?.policyName;
      const policy = name === undefined ? undefined : policies.get(name);
      if (!policy) throw new Error(`admission binding ${binding.metadata.name} names no planned policy`);
      return { policy, binding };
    });
  if (params.length !== 1 || 1 + 2 * rules.length !== objects.length || policies.size !== rules.length) {
    throw new Error(`the admission plan is not one parameter ConfigMap and a policy and binding per rule`);
  }
  return { params: params[0]!, rules };
}

export function planFoundation(cfg: FoundationConfig, planAdmission: AdmissionPlanner): FoundationPlan {
  return {
    layer: "foundation",
    ...kubernetesObjects(cfg),
    admission: admissionParts(planAdmission(cfg, baseLabels(cfg.environment))),
    approval: planApproval(cfg, baseLabels(cfg.environment)),
    observability: planObservability(cfg, baseLabels(cfg.environment)),
    vault: vaultObjects(cfg),
  };
}
