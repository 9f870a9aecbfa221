/**
 * How the approval proxy's pods are found on the network: the label its Deployment selects them by and the port
 * they listen on. Shared by the proxy's plan (./approval) and the agents' egress policy (./egress). Pure data.
 */
import { FOUNDATION_NAMES } from "../model/naming";

/** The proxy's port inside its pod; its Service maps 443 to it. */
export const PROXY_PORT = 8443;

/** The labels that select the proxy's pods (and nothing else: no agent pod carries them). */
export const PROXY_POD_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": FOUNDATION_NAMES.approvalProxy,
};
