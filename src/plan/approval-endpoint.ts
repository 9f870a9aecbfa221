/**
 * How the approval proxy's pods are found on the network: the label its Deployment selects them by and the port
 * they listen on, and how an agent's pod reaches it. Shared by the proxy's plan (./approval), the agents' egress
 * policy (./egress) and their PodTemplates (./job). Pure.
 */
import type { PhaseConfig } from "../config/schema";
import { CATALOG, LIMITS } from "../model/catalog";
import type { ApprovalProxyEndpoint, FoundationOutputs } from "../model/foundation";
import { FOUNDATION_NAMES } from "../model/naming";

/** The proxy's port inside its pod; its Service maps 443 to it. */
export const PROXY_PORT = 8443;

/** The labels that select the proxy's pods (and nothing else: no agent pod carries them). */
export const PROXY_POD_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": FOUNDATION_NAMES.approvalProxy,
};

/** The approval proxy's API access: where an unmodified in-cluster client reads its token and CA. */
export const API_ACCESS_VOLUME = "kube-api-access";
export const API_ACCESS_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The approval proxy the agent's Kubernetes client talks to, when the foundation runs one and the phase has
 * something approvable; otherwise the client talks to the API server and the template is as without a proxy.
 */
export function proxyFor(cfg: PhaseConfig, foundation: FoundationOutputs): ApprovalProxyEndpoint | undefined {
  return CATALOG[cfg.phase].approvable.length > 0 ? foundation.approvalProxy : undefined;
}

/**
 * What points an in-cluster client at the proxy: the service host and port it reads from the environment, and
 * at the standard path a token for the API server's own audience (the proxy passes it on) with the proxy's CA.
 */
export function proxyAccess(proxy: ApprovalProxyEndpoint) {
  return {
    env: [
      { name: "KUBERNETES_SERVICE_HOST", value: proxy.host },
      { name: "KUBERNETES_SERVICE_PORT", value: String(proxy.port) },
    ],
    mount: { name: API_ACCESS_VOLUME, mountPath: API_ACCESS_DIR, readOnly: true },
    volume: {
      name: API_ACCESS_VOLUME,
      projected: {
        sources: [
          { serviceAccountToken: { expirationSeconds: LIMITS.projectedTokenSeconds, path: "token" } },
          { configMap: { name: proxy.caConfigMap, items: [{ key: "ca.crt", path: "ca.crt" }] } },
        ],
      },
    },
  };
}
