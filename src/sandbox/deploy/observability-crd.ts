/**
 * The prometheus-operator PrometheusRule CRD, installed into the sandbox cluster before the foundation so the
 * API server validates the rendered PrometheusRule against the operator's real schema. The YAML is the
 * operator's own (servers/prometheus-operator, Apache-2.0), unchanged.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import type { Manifest } from "../../model/manifest";
import { applyAll, kubeOk, kubeRequest } from "../servers/kube";
import { PACKAGE_ROOT } from "../../package-root";

export const PROMETHEUS_RULE_CRD = path.resolve(
  PACKAGE_ROOT,
  "servers",
  "prometheus-operator",
  "monitoring.coreos.com_prometheusrules.yaml",
);

export function prometheusRuleCrd(file = PROMETHEUS_RULE_CRD): Manifest {
  const crd = parse(fs.readFileSync(file, "utf8")) as Manifest;
  if (crd.kind !== "CustomResourceDefinition" || crd.metadata.name !== "prometheusrules.monitoring.coreos.com") {
    throw new Error(`${file} is not the PrometheusRule CustomResourceDefinition`);
  }
  return crd;
}

/** Applies the CRD and waits until the API server serves its kind. */
export async function installPrometheusRuleCrd(kc: KubeConfig, timeoutMs = 30_000): Promise<void> {
  const crd = prometheusRuleCrd();
  await applyAll(kc, [crd]);
  await waitCrdServed(kc, crd, timeoutMs);
}

/**
 * Waits until the API server reports a CRD Established and then answers a list of its kind: right after
 * Established, the kind's storage may still be initializing (HTTP 429) for a moment.
 */
export async function waitCrdServed(kc: KubeConfig, crd: Manifest, timeoutMs = 30_000): Promise<void> {
  const spec = crd.spec as { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] };
  const version = spec.versions.find((v) => v.served)?.name;
  if (!version) throw new Error(`CRD ${crd.metadata.name} serves no version`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await kubeOk(
      kc,
      "GET",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
    );
    const conditions =
      (body.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    const established = conditions.some((c) => c.type === "Established" && c.status === "True");
    if (
      established &&
      (await kubeRequest(kc, "GET", `/apis/${spec.group}/${version}/${spec.names.plural}?limit=1`)).status === 200
    )
      return;
    if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not served after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
