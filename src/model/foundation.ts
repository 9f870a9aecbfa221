/**
 * The contract between a foundation stack and the phase stacks on it: what a phase stack reads from its
 * foundation (the foundation stack's outputs). Pure data.
 */
import { FOUNDATION_NAMES } from "./naming";
import type { Environment, Phase } from "./phases";

/** Where the agents' Kubernetes client reaches the approval proxy, and the CA its serving certificate chains to. */
export interface ApprovalProxyEndpoint {
  /** `<proxy service>.<agents namespace>.svc`. */
  readonly host: string;
  readonly port: 443;
  /** The ConfigMap (agents namespace) whose key `ca.crt` the agents' pods trust for it. */
  readonly caConfigMap: string;
}

/** What a phase stack needs from its foundation (the foundation stack's outputs). */
export interface FoundationOutputs {
  readonly environment: Environment;
  readonly namespace: string;
  readonly phaseCeiling: Phase;
  readonly authMount: string;
  readonly kvMount: string;
  readonly audience: string;
  /** Set when the foundation runs the approval proxy: the agents' pods then talk to it, not the API server. */
  readonly approvalProxy?: ApprovalProxyEndpoint;
}

/** The part of a foundation's settings its outputs are made of (a parsed foundation config has this shape). */
export interface FoundationOutputSource {
  readonly environment: Environment;
  readonly namespace: string;
  readonly phaseCeiling: Phase;
  readonly vault: { readonly authMount: string; readonly kvMount: string; readonly audience: string };
  readonly approval?: { readonly tls: { readonly caConfigMap: string } };
}

/** The endpoint of the approval proxy a foundation in `namespace` runs. */
export function approvalProxyEndpoint(namespace: string, caConfigMap: string): ApprovalProxyEndpoint {
  return { host: `${FOUNDATION_NAMES.approvalProxy}.${namespace}.svc`, port: 443, caConfigMap };
}

export function foundationOutputs(cfg: FoundationOutputSource): FoundationOutputs {
  return {
    environment: cfg.environment,
    namespace: cfg.namespace,
    phaseCeiling: cfg.phaseCeiling,
    authMount: cfg.vault.authMount,
    kvMount: cfg.vault.kvMount,
    audience: cfg.vault.audience,
    // Left out entirely (not `undefined`) without a proxy, so outputs and plans stay as they were.
    ...(cfg.approval ? { approvalProxy: approvalProxyEndpoint(cfg.namespace, cfg.approval.tls.caConfigMap) } : {}),
  };
}
