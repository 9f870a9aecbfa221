/** Generated inputs for the bench: scaled agent lists and a large checker corpus. Deterministic. */
import { listStacks, readStackFile } from "../../src/config/stacks";
import type { FoundationOutputs } from "../../src/model/foundation";
import type { Manifest } from "../../src/model/manifest";
import { renderStack, toYaml } from "../../src/render";

/** The phase stack every scaled workload starts from: shadow needs no promotion evidence per generated agent. */
export const BENCH_STACK = "dev-shadow";

export const BENCH_FOUNDATION: FoundationOutputs = {
  environment: "dev",
  namespace: "ai-agents",
  phaseCeiling: "autonomous",
  authMount: "kubernetes",
  kvMount: "agent",
  audience: "vault",
};

/** `count` copies of the bench stack's first agent, each with `namespaces` target namespaces of its own. */
export function scaledAgents(count: number, namespaces: number): Record<string, unknown>[] {
  const agents = readStackFile(BENCH_STACK).raw["agent-trust:agents"] as Record<string, unknown>[];
  const template = agents[0]!;
  return Array.from({ length: count }, (_, i) => ({
    ...structuredClone(template),
    name: `agent${String(i).padStart(4, "0")}`,
    targetNamespaces: Array.from({ length: namespaces }, (_, j) => `team${String(j).padStart(3, "0")}`),
    resourceNames: undefined,
    promotion: undefined,
  }));
}

const IMAGE = `registry.example.com/agents/diagnostic@sha256:${"4f0c2b7e".repeat(8)}`;

/** One generated object: a mix of the kinds agent stacks hold, some compliant and some not. */
function object(i: number): Record<string, unknown> {
  const metadata = {
    name: `obj-${i}`,
    namespace: i % 3 === 0 ? "ai-agents" : `team${i % 25}`,
    labels: { "agent-trust.io/agent": `agent${i % 100}` },
  };
  switch (i % 5) {
    case 0:
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata,
        rules: [
          { apiGroups: [""], resources: ["pods", "pods/log", "events"], verbs: ["get", "list", "watch"] },
          {
            apiGroups: ["apps"],
            resources: ["deployments"],
            verbs: i % 10 === 0 ? ["get", "list", "delete"] : ["get", "list"],
          },
        ],
      };
    case 1:
      return {
        apiVersion: "v1",
        kind: "Pod",
        metadata,
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "agent",
              image: IMAGE,
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
              },
              resources: { limits: { cpu: "500m", memory: "512Mi" }, requests: { cpu: "100m", memory: "128Mi" } },
            },
          ],
        },
      };
    case 2:
      return {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata,
        spec: {
          podSelector: { matchLabels: { "agent-trust.io/agent": `agent${i % 100}` } },
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ ipBlock: { cidr: `10.${i % 250}.0.0/16`, except: [`10.${i % 250}.1.0/24`] } }],
              ports: [{ port: 443, protocol: "TCP" }],
            },
          ],
        },
      };
    case 3:
      return { apiVersion: "v1", kind: "ServiceAccount", metadata, automountServiceAccountToken: false };
    default:
      return {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: `obj-${i - 4}` },
        subjects: [{ kind: "ServiceAccount", name: `agent${i % 100}-assist`, namespace: "ai-agents" }],
      };
  }
}

/** A multi-document YAML stream of `count` objects, written as `agent-trust render` writes YAML. */
export function corpus(count: number, toYaml: (o: Record<string, unknown>) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`---\n${toYaml(object(i))}`);
  return parts.join("");
}

/**
 * `count` objects copied from the project's own rendered stacks (every stack in stacks/, foundations included:
 * admission policies with their CEL, PrometheusRule alert rules, dashboards in ConfigMaps, Vault policies), in
 * the order `render` writes them, cycled until there are `count`: what a user checks who points the checker at
 * rendered output. Rendered here, at bench time, so no large file is committed and it follows the planner.
 */
export function renderedCorpus(count: number): string {
  const docs: string[] = [];
  for (const stack of listStacks()) {
    const r = renderStack(stack);
    for (const o of [...r.kubernetes, ...r.vault, ...(r.auditPolicy ? [r.auditPolicy as Manifest] : [])]) {
      docs.push(toYaml([o], "").slice(3)); // without the (empty) header comment line: `---\n…`
    }
  }
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(docs[i % docs.length]!);
  return parts.join("");
}
