/**
 * Pods for the Pod Security checks: the pod an investigation Job would create from a published PodTemplate, and
 * the same pod with one dangerous change each. Pure.
 */
import type { Tier } from "../../plan/job";
import { investigationJob } from "../../plan/job";
import { LABELS } from "../../model/naming";
import type { Manifest } from "../../model/manifest";

export interface PodVariant {
  readonly name: string;
  /** The admission message must name this, so a rejection for another reason does not count. */
  readonly violation?: RegExp;
  readonly mutate: (spec: PodSpec) => void;
}

interface Container {
  securityContext?: Record<string, unknown>;
  [k: string]: unknown;
}
export interface PodSpec {
  containers: Container[];
  volumes?: Record<string, unknown>[];
  securityContext?: Record<string, unknown>;
  [k: string]: unknown;
}

export const POD_VARIANTS: readonly PodVariant[] = [
  { name: "template pod", mutate: () => undefined },
  {
    name: "privileged",
    violation: /privileged/,
    mutate: (s) => {
      // Privileged implies privilege escalation; the API rejects the contradiction before admission does.
      s.containers[0]!.securityContext = {
        ...s.containers[0]!.securityContext,
        privileged: true,
        allowPrivilegeEscalation: true,
      };
    },
  },
  {
    name: "runAsUser 0 (root)",
    violation: /runAsUser=0/,
    mutate: (s) => {
      s.containers[0]!.securityContext = { ...s.containers[0]!.securityContext, runAsUser: 0 };
    },
  },
  {
    name: "hostPath volume",
    violation: /hostPath/,
    mutate: (s) => {
      s.volumes = [...(s.volumes ?? []), { name: "host-root", hostPath: { path: "/" } }];
    },
  },
];

/** The Pod a Job built by `investigationJob` from `podTemplate` would run, with `variant` applied. */
export function investigationPod(podTemplate: Manifest, variant: PodVariant): Manifest {
  const tier = podTemplate.metadata.labels?.[LABELS.tier] as Tier;
  const job = investigationJob(podTemplate, { investigationId: "sandbox-check", tier });
  const template = (job.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } }).template;
  const spec = structuredClone(template.spec);
  variant.mutate(spec);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${podTemplate.metadata.name}-check`,
      namespace: podTemplate.metadata.namespace!,
      labels: template.metadata.labels,
    },
    spec,
  };
}
