/**
 * The OpenTelemetry Collector configuration of one environment: receive OTLP, keep only the contract's metrics,
 * put the investigation's identity on every data point (so Prometheus stores it as labels) and expose them for
 * Prometheus without renaming. Pure.
 *
 * The identity is not taken on the agent's word: for agent-emitted metrics it is read from the labels of the pod
 * the connection comes from (k8sattributes, which asks the API server), and agent metrics from anything that is
 * not an agent pod are dropped. Feedback and audit metrics (operator verdicts, rollbacks, out-of-scope attempts)
 * carry the identity as resource attributes and are dropped when they come from an agent pod, so an agent cannot
 * vouch for itself.
 */
import { stringify } from "yaml";
import { LABELS } from "../model/naming";
import { METRICS, RESOURCE_ATTRIBUTES } from "../model/metrics";

/** Ports the collector listens on (OTLP defaults) and the Prometheus exporter's port. */
export const COLLECTOR_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, prometheus: 8889 } as const;

/** The identity labels and the pod label each is verified from. */
const IDENTITY = [
  ["investigation", LABELS.investigation],
  ["agent", LABELS.agent],
  ["phase", LABELS.phase],
  ["tier", LABELS.tier],
] as const;

const verified = (label: string) => `agent_trust.verified.${label}`;
const FROM_AGENT_POD = `resource.attributes["${verified("agent")}"] != nil`;
const NOT_FROM_AGENT_POD = `resource.attributes["${verified("agent")}"] == nil`;

const anyName = (names: readonly string[]) => `(${names.map((n) => `name == "${n}"`).join(" or ")})`;

export function collectorConfig(environment: string, namespace: string): Record<string, unknown> {
  const agentMetrics = METRICS.filter((m) => m.emitter === "agent").map((m) => m.name);
  const otherMetrics = METRICS.filter((m) => m.emitter !== "agent").map((m) => m.name);
  const statements = IDENTITY.flatMap(([label]) => [
    `set(attributes["${label}"], resource.attributes["${verified(label)}"]) where ${FROM_AGENT_POD}`,
    `set(attributes["${label}"], resource.attributes["${RESOURCE_ATTRIBUTES[label]}"]) where ${NOT_FROM_AGENT_POD}`,
  ]);
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.otlpGrpc}` },
          http: { endpoint: `0.0.0.0:${COLLECTOR_PORTS.otlpHttp}` },
        },
      },
    },
    processors: {
      // Bounded memory first: a flood from one looping agent must not take the collector down.
      memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
      // Who is speaking: the agent pod's own labels, looked up by the connection's source address.
      "k8sattributes/identity": {
        auth_type: "serviceAccount",
        passthrough: false,
        filter: { namespace },
        pod_association: [{ sources: [{ from: "connection" }] }],
        extract: {
          metadata: ["k8s.pod.name", "k8s.namespace.name"],
          labels: IDENTITY.map(([label, podLabel]) => ({ tag_name: verified(label), key: podLabel, from: "pod" })),
        },
      },
      // Dropped: anything not in the contract; agent metrics not from an agent pod; feedback from an agent pod.
      "filter/contract": {
        error_mode: "ignore",
        metrics: {
          metric: [
            `not ${anyName(METRICS.map((m) => m.name))}`,
            `${anyName(agentMetrics)} and ${NOT_FROM_AGENT_POD}`,
            `${anyName(otherMetrics)} and ${FROM_AGENT_POD}`,
          ],
        },
      },
      // The investigation labels on every data point.
      "transform/investigation": {
        error_mode: "ignore",
        metric_statements: [{ context: "datapoint", statements }],
      },
      batch: {},
    },
    exporters: {
      prometheus: {
        endpoint: `0.0.0.0:${COLLECTOR_PORTS.prometheus}`,
        // Names are already final in the contract: no `_total` or unit suffix appended.
        add_metric_suffixes: false,
        resource_to_telemetry_conversion: { enabled: false },
        const_labels: { environment },
        metric_expiration: "30m",
      },
    },
    service: {
      pipelines: {
        metrics: {
          receivers: ["otlp"],
          processors: [
            "memory_limiter",
            "k8sattributes/identity",
            "filter/contract",
            "transform/investigation",
            "batch",
          ],
          exporters: ["prometheus"],
        },
      },
    },
  };
}

/** The collector configuration as YAML, with a header naming the contract it keeps. */
export function collectorYaml(environment: string, namespace: string): string {
  const header = [
    `# OpenTelemetry Collector (contrib) configuration for agent-trust (${environment}). Generated from src/model/metrics.ts; do not edit.`,
    `# Needs get/list/watch on pods in ${namespace} for k8sattributes. Keeps these metrics, labelled ${IDENTITY.map(([l]) => l).join(", ")}:`,
    ...METRICS.map((m) => `#   ${m.name} (${m.type}, ${m.unit}, from ${m.emitter})`),
  ];
  return `${header.join("\n")}\n${stringify(collectorConfig(environment, namespace), { lineWidth: 0 })}`;
}
