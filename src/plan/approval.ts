/**
 * The approval proxy of one environment, planned as plain objects: the ApprovalReview CRD, the proxy's
 * ServiceAccount, RBAC, Deployment, Service and NetworkPolicy, and the approvers' Role. Planned only when the
 * foundation configures `agent-trust:approval`. Pure: the renderer and the Pulumi component both start here.
 */
import type { ApprovalConfig, FoundationConfig } from "../config/schema";
import { APPROVAL_EXTRAS, REVIEW_API } from "../model/approval";
import { LIMITS } from "../model/catalog";
import { parseIpv4, parseIpv6 } from "../model/ip";
import type { Manifest } from "../model/manifest";
import { approvalProxyClusterName, FOUNDATION_NAMES, LABELS } from "../model/naming";
import { planReviewCrd } from "./approval-crd";
import { API_ACCESS_DIR, API_ACCESS_VOLUME, PROXY_POD_LABELS, PROXY_PORT } from "./approval-endpoint";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./job";

/**
 * What the approval plan reads of a foundation's config, and nothing else: the rule that plans an approval object's
 * twin from the object itself (rules/approval-planned.ts) builds exactly this, not a whole FoundationConfig.
 */
export interface ApprovalInputs {
  readonly namespace: FoundationConfig["namespace"];
  readonly cluster: Pick<FoundationConfig["cluster"], "server">;
  readonly admission: { readonly scale: Pick<FoundationConfig["admission"]["scale"], "minReplicas" | "maxStepFactor"> };
  readonly approval?: ApprovalConfig;
}

/** A Role (or ClusterRole) and the binding that binds exactly it. */
export interface Grant {
  readonly role: Manifest;
  readonly binding: Manifest;
}

/** The foundation's approval objects by role; `manifestsOf` (./manifests) lays them out in apply order. */
export interface ApprovalPlan {
  /** Cluster-scoped; first, so everything that names approvalreviews finds the resource. */
  readonly crd: Manifest;
  readonly serviceAccount: Manifest;
  /** The proxy's Role in the agents namespace: reviews, and impersonating the executor ServiceAccounts. */
  readonly proxyRole: Grant;
  /** The proxy's ClusterRole: TokenReview, and impersonating exactly the two approval user extras. */
  readonly proxyClusterRole: Grant;
  /** The configured approvers: read and decide reviews in the agents namespace. */
  readonly approvers: Grant;
  readonly service: Manifest;
  readonly networkPolicy: Manifest;
  readonly deployment: Manifest;
}

const RBAC = "rbac.authorization.k8s.io";
const RBAC_V1 = `${RBAC}/v1`;
const TLS_DIR = "/etc/agent-trust/tls";

function grant(
  kind: "Role" | "ClusterRole",
  metadata: Manifest["metadata"],
  rules: object[],
  subjects: object[],
): Grant {
  return {
    role: { apiVersion: RBAC_V1, kind, metadata, rules },
    binding: {
      apiVersion: RBAC_V1,
      kind: `${kind}Binding`,
      metadata,
      roleRef: { apiGroup: RBAC, kind, name: metadata.name },
      subjects,
    },
  };
}

/** The API server as an egress peer, when the foundation's cluster URL names it by address. */
export function apiServerPeer(server: string): { cidr: string; port: number } | undefined {
  const url = new URL(server);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port === "" ? 443 : Number(url.port);
  if (parseIpv4(host) !== undefined) return { cidr: `${host}/32`, port };
  if (parseIpv6(host) !== undefined) return { cidr: `${host}/128`, port };
  return undefined;
}

function networkPolicy(cfg: ApprovalInputs, metadata: Manifest["metadata"], selector: object): Manifest {
  const api = apiServerPeer(cfg.cluster.server);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      ...metadata,
      // A cluster URL by host name cannot become an ipBlock: the platform must let the proxy reach the API server.
      ...(api ? {} : { annotations: { "agent-trust.io/api-server-egress": "provided-by-platform" } }),
    },
    spec: {
      podSelector: selector,
      policyTypes: ["Ingress", "Egress"],
      // Only agent pods of this namespace may call the proxy; DNS egress comes from the foundation's own policy.
      ingress: [
        {
          from: [{ podSelector: { matchExpressions: [{ key: LABELS.agent, operator: "Exists" }] } }],
          ports: [{ port: PROXY_PORT, protocol: "TCP" }],
        },
      ],
      egress: api ? [{ to: [{ ipBlock: { cidr: api.cidr } }], ports: [{ port: api.port, protocol: "TCP" }] }] : [],
    },
  };
}

function deployment(cfg: ApprovalInputs, approval: ApprovalConfig, metadata: Manifest["metadata"]): Manifest {
  const podLabels = { ...metadata.labels, ...PROXY_POD_LABELS };
  const { minReplicas, maxStepFactor } = cfg.admission.scale;
  const args = [
    "approval-proxy",
    ...["--namespace", cfg.namespace, "--listen", `0.0.0.0:${PROXY_PORT}`],
    ...["--tls-cert", `${TLS_DIR}/tls.crt`, "--tls-key", `${TLS_DIR}/tls.key`],
    ...["--hold-seconds", String(approval.holdSeconds)],
    ...["--min-replicas", String(minReplicas), "--max-step-factor", String(maxStepFactor)],
  ];
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: { ...PROXY_POD_LABELS } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: FOUNDATION_NAMES.approvalProxy,
          // Its own API credentials are the short token projected below, never a long-lived one.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurity(),
          containers: [
            {
              name: "approval-proxy",
              image: approval.image,
              args,
              ports: [{ name: "https", containerPort: PROXY_PORT, protocol: "TCP" }],
              readinessProbe: { httpGet: { path: "/healthz", port: PROXY_PORT, scheme: "HTTPS" }, periodSeconds: 10 },
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
              securityContext: restrictedContainerSecurity(),
              volumeMounts: [
                { name: "tls", mountPath: TLS_DIR, readOnly: true },
                { name: API_ACCESS_VOLUME, mountPath: API_ACCESS_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "tls", secret: { secretName: approval.tls.secretName } },
            {
              name: API_ACCESS_VOLUME,
              projected: {
                sources: [
                  { serviceAccountToken: { expirationSeconds: LIMITS.projectedTokenSeconds, path: "token" } },
                  { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                ],
              },
            },
          ],
        },
      },
    },
  };
}

/** The approval objects of a foundation; undefined when it configures no approval. */
export function planApproval(cfg: ApprovalInputs, labels: Record<string, string>): ApprovalPlan | undefined {
  const approval = cfg.approval;
  if (!approval) return undefined;
  const ns = cfg.namespace;
  const name = FOUNDATION_NAMES.approvalProxy;
  const metadata = { name, namespace: ns, labels };
  const proxySubject = [{ kind: "ServiceAccount", name, namespace: ns }];
  const reviews = { apiGroups: [REVIEW_API.group], resources: [REVIEW_API.plural] };
  const selector = { matchLabels: { ...PROXY_POD_LABELS } };
  const approverSubjects = [
    ...approval.approvers.users.map((u) => ({ apiGroup: RBAC, kind: "User", name: u })),
    ...approval.approvers.groups.map((g) => ({ apiGroup: RBAC, kind: "Group", name: g })),
  ];
  return {
    crd: planReviewCrd(labels),
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata, automountServiceAccountToken: false },
    proxyRole: grant(
      "Role",
      metadata,
      [
        { ...reviews, verbs: ["create", "get", "list", "watch", "update", "patch"] },
        // RBAC cannot name the executors (the foundation does not know the agents); the admission policies and
        // each executor's own narrow Roles bound what impersonating one can do.
        { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
      ],
      proxySubject,
    ),
    proxyClusterRole: grant(
      "ClusterRole",
      { name: approvalProxyClusterName(ns), labels },
      [
        { apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"], verbs: ["create"] },
        {
          apiGroups: ["authentication.k8s.io"],
          resources: [`userextras/${APPROVAL_EXTRAS.review}`, `userextras/${APPROVAL_EXTRAS.approver}`],
          verbs: ["impersonate"],
        },
      ],
      proxySubject,
    ),
    approvers: grant(
      "Role",
      { name: FOUNDATION_NAMES.approvers, namespace: ns, labels },
      [{ ...reviews, verbs: ["get", "list", "watch", "update", "patch"] }],
      approverSubjects,
    ),
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata,
      spec: {
        selector: selector.matchLabels,
        ports: [{ name: "https", port: 443, targetPort: PROXY_PORT, protocol: "TCP" }],
      },
    },
    networkPolicy: networkPolicy(cfg, metadata, selector),
    deployment: deployment(cfg, approval, metadata),
  };
}
