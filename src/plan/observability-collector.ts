/**
 * The OpenTelemetry Collector configuration of one environment: receive OTLP from the investigation pods, copy
 * the investigation's identity from the resource attributes onto every data point (so Prometheus stores it as
 * labels), keep only the contract's metrics, and expose them for Prometheus without renaming. Pure.
 */
import { stringify } from "yaml";
import { METRICS, RESOURCE_ATTRIBUTES } from "../model/metrics";

/** Ports the collector listens on (OTLP defaults) and the Prometheus exporter's port. */
export const COLLECTOR_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, prometheus: 8889 } as const;

export function collectorConfig(environment: string): Record<string, unknown> {
  const copy = Object.entries(RESOURCE_ATTRIBUTES)
    .filter(([label]) => label !== "environment")
    .map(([label, attr]) => `set(attributes["${label}"], resource.attributes["${attr}"])`);
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
      // Only the contract's metrics pass; anything else an agent invents is dropped, not stored.
      "filter/contract": {
        error_mode: "ignore",
        metrics: { metric: [`not(name == ${METRICS.map((m) => `"${m.name}"`).join(` or name == `)})`] },
      },
      // The investigation labels: resource attributes set by the Job template, copied onto every data point.
      "transform/investigation": {
        error_mode: "ignore",
        metric_statements: [{ context: "datapoint", statements: copy }],
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
          processors: ["memory_limiter", "filter/contract", "transform/investigation", "batch"],
          exporters: ["prometheus"],
        },
      },
    },
  };
}

/** The collector configuration as YAML, with a header naming the contract it keeps. */
export function collectorYaml(environment: string): string {
  const header = [
    `# OpenTelemetry Collector configuration for agent-trust (${environment}). Generated from src/model/metrics.ts; do not edit.`,
    `# Keeps these metrics and the labels ${Object.keys(RESOURCE_ATTRIBUTES).filter((l) => l !== "environment").join(", ")}:`,
    ...METRICS.map((m) => `#   ${m.name} (${m.type}, ${m.unit})`),
  ];
  return `${header.join("\n")}\n${stringify(collectorConfig(environment), { lineWidth: 0 })}`;
}
