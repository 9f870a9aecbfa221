/** ServiceAccount tokens by TokenRequest, as the administrator: what the kubelet would project into a pod. */
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeOk } from "./kube";

/**
 * A token for `namespace/serviceAccount`. `audiences` undefined means the API server's own audience (the
 * issuer), i.e. a token minted for talking to Kubernetes, not to Vault.
 */
export async function requestToken(
  kc: KubeConfig,
  namespace: string,
  serviceAccount: string,
  audiences?: readonly string[],
  expirationSeconds = 600,
): Promise<string> {
  const body = await kubeOk(kc, "POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds, ...(audiences ? { audiences } : {}) },
  });
  const token = (body.status as { token?: string } | undefined)?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  return token;
}

/** The claims of a JWT, unverified (for messages and assertions about audience, never for trust). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1];
  if (!part) throw new Error("not a JWT");
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
}
