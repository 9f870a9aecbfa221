/**
 * Observability objects of one environment's foundation: the PrometheusRule (prometheus-operator), the
 * OpenTelemetry Collector configuration and the Grafana dashboard, both as ConfigMaps. Pure; generated from the
 * metrics contract (src/model/metrics.ts). They live in the agents namespace, which the foundation owns.
 */
import type { FoundationConfig } from "../config/schema";
import type { Manifest } from "../model/manifest";
import { COLLECTOR_PORTS, collectorYaml } from "./observability-collector";
import { dashboard } from "./observability-dashboard";
import { planRuleGroups } from "./observability-rules";

export const PROMETHEUS_RULE_API_VERSION = "monitoring.coreos.com/v1";

export const OBSERVABILITY_NAMES = {
  rules: "agent-trust-rules",
  collector: "agent-trust-otel-collector",
  dashboard: "agent-trust-dashboard",
  telemetryEgress: "agent-trust-telemetry-egress",
} as const;

/** The label the Grafana sidecar (kiwigrid k8s-sidecar, as in the Grafana and kube-prometheus-stack charts) loads dashboards by. */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

export function planObservability(cfg: FoundationConfig, labels: Record<string, string>): Manifest[] {
  if (!cfg.observability.enabled) return [];
  const meta = (name: string, extra: Record<string, string> = {}) => ({
    name,
    namespace: cfg.namespace,
    labels: { ...extra, ...labels },
  });
  const collector = cfg.observability.collector;
  // Agent pods may reach the collector's OTLP ports, and nothing else in its namespace.
  const egress: Manifest[] = collector
    ? [
        {
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: meta(OBSERVABILITY_NAMES.telemetryEgress),
          spec: {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
              {
                to: [
                  {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": collector.namespace } },
                    podSelector: { matchLabels: { ...collector.podSelector } },
                  },
                ],
                ports: [
                  { port: COLLECTOR_PORTS.otlpGrpc, protocol: "TCP" },
                  { port: COLLECTOR_PORTS.otlpHttp, protocol: "TCP" },
                ],
              },
            ],
          },
        },
      ]
    : [];
  return [
    ...egress,
    {
      apiVersion: PROMETHEUS_RULE_API_VERSION,
      kind: "PrometheusRule",
      metadata: meta(OBSERVABILITY_NAMES.rules, cfg.observability.ruleLabels),
      spec: { groups: planRuleGroups(cfg.namespace) },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta(OBSERVABILITY_NAMES.collector),
      data: { "collector.yaml": collectorYaml(cfg.environment, cfg.namespace) },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta(OBSERVABILITY_NAMES.dashboard, DASHBOARD_LABEL),
      data: { [`agent-trust-${cfg.environment}.json`]: `${JSON.stringify(dashboard(cfg.environment), null, 2)}\n` },
    },
  ];
}
