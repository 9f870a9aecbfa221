/**
 * The sandbox runs no kube-controller-manager and no kubelet, so a Deployment never gets a ReplicaSet or a ready
 * pod and a Service never gets endpoints: `pulumi up` with the plain CLI (no skipAwait) would wait for them until
 * it times out. For the Quickstart test, this plays those controllers for the foundation's Deployments (the
 * approval proxy), once each exists, as the real ones would report a healthy rollout: the revision annotation, one
 * owned ReplicaSet with its pod ready, the Deployment's Available and Progressing conditions, and the Service's
 * Endpoints with one ready address. Nothing runs: the statuses are what the awaiters read.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { Manifest } from "../../src/model/manifest";
import { kubeRequest } from "../../src/sandbox/servers/kube";

const REVISION = "deployment.kubernetes.io/revision";
const MERGE = "application/merge-patch+json";

/** One round over `deployments` (as planned); returns how many are reported healthy. Idempotent. */
export async function playWorkloadControllers(kc: KubeConfig, deployments: readonly Manifest[]): Promise<number> {
  let healthy = 0;
  for (const d of deployments) {
    const ns = d.metadata.namespace!;
    const name = d.metadata.name;
    const at = `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
    const got = await kubeRequest(kc, "GET", at);
    if (got.status !== 200) continue; // not created yet
    const live = got.body as { metadata: { uid: string; generation: number; annotations?: Record<string, string> } };
    const spec = (got.body as { spec: { selector: unknown; template: unknown; replicas?: number } }).spec;
    const replicas = spec.replicas ?? 1;
    if (live.metadata.annotations?.[REVISION] !== "1")
      await kubeRequest(kc, "PATCH", at, { metadata: { annotations: { [REVISION]: "1" } } }, MERGE);
    const rsName = `${name}-1`;
    const rsAt = `/apis/apps/v1/namespaces/${ns}/replicasets`;
    if ((await kubeRequest(kc, "GET", `${rsAt}/${rsName}`)).status === 404) {
      const owner = { apiVersion: "apps/v1", kind: "Deployment", name, uid: live.metadata.uid, controller: true };
      const rs = {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: { name: rsName, namespace: ns, annotations: { [REVISION]: "1" }, ownerReferences: [owner] },
        spec: { replicas, selector: spec.selector, template: spec.template },
      };
      const made = await kubeRequest(kc, "POST", rsAt, rs);
      if (made.status !== 201)
        throw new Error(`ReplicaSet ${ns}/${rsName}: HTTP ${made.status} ${JSON.stringify(made.body)}`);
    }
    const counts = { replicas, readyReplicas: replicas, availableReplicas: replicas, fullyLabeledReplicas: replicas };
    await kubeRequest(kc, "PATCH", `${rsAt}/${rsName}/status`, { status: { ...counts, observedGeneration: 1 } }, MERGE);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const condition = (type: string, reason: string) => ({
      type,
      status: "True",
      reason,
      lastUpdateTime: now,
      lastTransitionTime: now,
    });
    const status = {
      observedGeneration: live.metadata.generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        condition("Available", "MinimumReplicasAvailable"),
        condition("Progressing", "NewReplicaSetAvailable"),
      ],
    };
    await kubeRequest(kc, "PATCH", `${at}/status`, { status }, MERGE);
    healthy++;
  }
  return healthy;
}

/** Endpoints with one ready address for each Service (as planned) once it exists. */
export async function playEndpointsController(kc: KubeConfig, services: readonly Manifest[]): Promise<void> {
  for (const s of services) {
    const ns = s.metadata.namespace!;
    if ((await kubeRequest(kc, "GET", `/api/v1/namespaces/${ns}/services/${s.metadata.name}`)).status !== 200) continue;
    const at = `/api/v1/namespaces/${ns}/endpoints`;
    if ((await kubeRequest(kc, "GET", `${at}/${s.metadata.name}`)).status === 200) continue;
    const ports = ((s.spec as { ports?: { name?: string; targetPort?: number; protocol?: string }[] }).ports ?? []).map(
      (p) => ({ ...(p.name ? { name: p.name } : {}), port: p.targetPort ?? 443, protocol: p.protocol ?? "TCP" }),
    );
    await kubeRequest(kc, "POST", at, {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name: s.metadata.name, namespace: ns },
      subsets: [{ addresses: [{ ip: "10.0.0.10" }], ports }],
    });
  }
}
