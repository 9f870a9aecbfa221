/**
 * What the investigation pod tells OpenTelemetry about itself, and the launcher's reasoning-depth breaker. Pure.
 *
 * The identity travels as OpenTelemetry resource attributes (OTEL_RESOURCE_ATTRIBUTES, OTEL_SERVICE_NAME), so every
 * span, metric and log line of one investigation carries it. Template-level values (agent, phase, tier,
 * environment) are written in, percent-encoded as the OpenTelemetry SDK environment specification requires;
 * pod-level values (the investigation ID label, the pod name and namespace) come from the downward API and are
 * spliced in with Kubernetes' `$(VAR)` expansion. Those are label values or DNS names, which contain none of the
 * characters the format reserves (",", "=", "%", whitespace), so they need no encoding.
 */
import { RESOURCE_ATTRIBUTES } from "../model/metrics";

type EnvVar = { name: string; value: string } | { name: string; valueFrom: { fieldRef: { fieldPath: string } } };

/** Percent-encodes a resource attribute value: everything but unreserved characters, so "," "=" "%" "$" never pass raw. */
export function encodeAttributeValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `key=value,...` with every value encoded; keys are fixed by the contract and checked, never encoded. */
export function resourceAttributes(attrs: readonly (readonly [string, string])[]): string {
  return attrs
    .map(([k, v]) => {
      if (!/^[a-z][a-z0-9_.]*$/.test(k)) throw new Error(`resource attribute key "${k}" is not a plain dotted name`);
      return `${k}=${encodeAttributeValue(v)}`;
    })
    .join(",");
}

export interface OtelIdentity {
  readonly environment: string;
  readonly agent: string;
  readonly phase: string;
  readonly tier: string;
  /** The env var that already holds the investigation ID (downward API); must come earlier in the list. */
  readonly investigationVar: string;
}

/** The OpenTelemetry env vars of an investigation container, in the order Kubernetes must expand them. */
export function otelEnv(id: OtelIdentity): EnvVar[] {
  const pod = { name: "AGENT_TRUST_POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } };
  const ns = { name: "AGENT_TRUST_POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } };
  const fixed = resourceAttributes([
    ["service.namespace", "agent-trust"],
    ["deployment.environment.name", id.environment],
    [RESOURCE_ATTRIBUTES.environment, id.environment],
    [RESOURCE_ATTRIBUTES.agent, id.agent],
    [RESOURCE_ATTRIBUTES.phase, id.phase],
    [RESOURCE_ATTRIBUTES.tier, id.tier],
  ]);
  const fromPod = [
    `${RESOURCE_ATTRIBUTES.investigation}=$(${id.investigationVar})`,
    `k8s.pod.name=$(${pod.name})`,
    `k8s.namespace.name=$(${ns.name})`,
  ].join(",");
  return [
    pod,
    ns,
    { name: "OTEL_SERVICE_NAME", value: id.agent },
    { name: "OTEL_RESOURCE_ATTRIBUTES", value: `${fixed},${fromPod}` },
  ];
}

/** The highest reasoning-cycle cap a tier may have (config refuses more; a template that says more is refused). */
export const MAX_CYCLE_CAP = 50;

/**
 * The cycle cap of one investigation: min(tier cap, 2 × the tier's observed p95 of resolved runs), rounded down
 * (the breaker alert fires at a cycle count above 2 × p95, so a cap of ⌊2 × p95⌋ is the last cycle allowed),
 * at least 1 and never above the tier cap. Without a p95 the tier cap stands.
 */
export function breakerCap(tierCap: number, observedP95Cycles?: number, factor = 2): number {
  if (!Number.isInteger(tierCap) || tierCap < 1 || tierCap > MAX_CYCLE_CAP) {
    throw new Error(`tier cycle cap ${tierCap} is not an integer from 1 to ${MAX_CYCLE_CAP}`);
  }
  if (observedP95Cycles === undefined) return tierCap;
  if (typeof observedP95Cycles !== "number" || !Number.isFinite(observedP95Cycles) || observedP95Cycles <= 0) {
    throw new Error(`observedP95Cycles must be a positive finite number of cycles, got ${String(observedP95Cycles)}`);
  }
  return Math.min(tierCap, Math.max(1, Math.floor(factor * observedP95Cycles)));
}
