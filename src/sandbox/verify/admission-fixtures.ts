/**
 * What the admission verification acts on: per agent and phase a victim namespace holding one object of every kind an
 * agent must never destroy, a pod to evict and a node to cordon, created by the administrator; the deployment the
 * agents may restart and scale in their target namespace; and the requests themselves. The sandbox has no
 * controllers, so these objects just sit in etcd, which is all admission needs.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { Manifest } from "../../model/manifest";
import { RESTART_ANNOTATION } from "../../admission/rules";
import { applyAll, kubeOk, kubeRequest, type RawResponse } from "../servers/kube";

/**
 * Per agent ServiceAccount (`<agent>-<phase>`) and round: a namespace the administrator deleted stays Terminating
 * here (no controllers), so a rerun uses new names.
 */
export const victimNamespace = (serviceAccount: string, round = 1) => `adm-${serviceAccount}-${round}`;
export const victimNode = (serviceAccount: string, round = 1) => `adm-${serviceAccount}-${round}`;
export const VICTIM = "victim";

const LABELS = { "app.kubernetes.io/managed-by": "agent-trust-sandbox" };
const podSpec = { containers: [{ name: "app", image: "registry.example/app@sha256:" + "0".repeat(64) }] };

export function deployment(name: string, namespace: string, replicas: number): Manifest {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: LABELS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec },
    },
  };
}

export function victimPod(name: string, namespace: string): Manifest {
  return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels: LABELS }, spec: podSpec };
}

/** Everything of one agent's victim namespace, and its node. */
export function victimObjects(serviceAccount: string, round: number): Manifest[] {
  const namespace = victimNamespace(serviceAccount, round);
  const meta = (name: string) => ({ name, namespace, labels: LABELS });
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: LABELS } },
    { apiVersion: "v1", kind: "Node", metadata: { name: victimNode(serviceAccount, round), labels: LABELS }, spec: {} },
    { apiVersion: "v1", kind: "Secret", metadata: meta(VICTIM), stringData: { note: "not a real secret" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: meta(VICTIM), data: { note: "victim" } },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(VICTIM),
      spec: { selector: { app: VICTIM }, ports: [{ port: 80 }] },
    },
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta(VICTIM),
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
    deployment(VICTIM, namespace, 2),
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta(VICTIM),
      spec: {
        serviceName: VICTIM,
        replicas: 1,
        selector: { matchLabels: { app: VICTIM } },
        template: { metadata: { labels: { app: VICTIM } }, spec: podSpec },
      },
    },
    victimPod(VICTIM, namespace),
  ];
}

export async function createVictims(admin: KubeConfig, serviceAccount: string, round: number): Promise<void> {
  await applyAll(admin, victimObjects(serviceAccount, round));
}

/** Sets a deployment's replicas through its scale subresource, as the administrator. */
export async function setReplicas(admin: KubeConfig, namespace: string, name: string, replicas: number): Promise<void> {
  await kubeOk(
    admin,
    "PATCH",
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/scale`,
    { spec: { replicas } },
    "application/merge-patch+json",
  );
}

const MERGE = "application/merge-patch+json";
const STRATEGIC = "application/strategic-merge-patch+json";

/** The requests of the matrix, by what they do; each returns the raw response so the caller judges the status. */
export const act = {
  del: (kc: KubeConfig, path: string) => kubeRequest(kc, "DELETE", path),
  restart: (kc: KubeConfig, ns: string, name: string): Promise<RawResponse> =>
    kubeRequest(
      kc,
      "PATCH",
      `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
      { spec: { template: { metadata: { annotations: { [RESTART_ANNOTATION]: new Date().toISOString() } } } } },
      STRATEGIC,
    ),
  image: (kc: KubeConfig, ns: string, name: string): Promise<RawResponse> =>
    kubeRequest(
      kc,
      "PATCH",
      `/apis/apps/v1/namespaces/${ns}/deployments/${name}`,
      { spec: { template: { spec: { containers: [{ name: "app", image: "registry.example/evil:latest" }] } } } },
      STRATEGIC,
    ),
  scale: (kc: KubeConfig, ns: string, name: string, replicas: number): Promise<RawResponse> =>
    kubeRequest(kc, "PATCH", `/apis/apps/v1/namespaces/${ns}/deployments/${name}/scale`, { spec: { replicas } }, MERGE),
  evict: (kc: KubeConfig, ns: string, pod: string): Promise<RawResponse> =>
    kubeRequest(kc, "POST", `/api/v1/namespaces/${ns}/pods/${pod}/eviction`, {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name: pod, namespace: ns },
    }),
  cordon: (kc: KubeConfig, node: string) =>
    kubeRequest(kc, "PATCH", `/api/v1/nodes/${node}`, { spec: { unschedulable: true } }, MERGE),
  taint: (kc: KubeConfig, node: string) =>
    kubeRequest(
      kc,
      "PATCH",
      `/api/v1/nodes/${node}`,
      { spec: { taints: [{ key: "agent-trust/test", effect: "NoSchedule" }] } },
      MERGE,
    ),
  bind: (
    kc: KubeConfig,
    ns: string,
    name: string,
    sa: { name: string; namespace: string },
    cluster = false,
  ): Promise<RawResponse> =>
    kubeRequest(
      kc,
      "POST",
      cluster
        ? "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"
        : `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`,
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: cluster ? "ClusterRoleBinding" : "RoleBinding",
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
        subjects: [{ kind: "ServiceAccount", ...sa }],
      },
    ),
  addRule: (kc: KubeConfig, rolePath: string, rule: Record<string, string[]>) =>
    kubeRequest(kc, "PATCH", rolePath, [{ op: "add", path: "/rules/-", value: rule }], "application/json-patch+json"),
  configMap: (kc: KubeConfig, ns: string, name: string) =>
    kubeRequest(kc, "POST", `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name },
      data: { by: "agent" },
    }),
  patchData: (kc: KubeConfig, ns: string, name: string, data: Record<string, string>) =>
    kubeRequest(kc, "PATCH", `/api/v1/namespaces/${ns}/configmaps/${name}`, { data }, MERGE),
};
