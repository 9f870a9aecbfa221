/**
 * Measures Pod Security admission: every PodTemplate the phase stacks published, read back from the cluster,
 * becomes the pod its investigation Job would create; that pod must be admitted in the agents namespace and each
 * dangerous variant rejected by PodSecurity (restricted). Dry-run: admission runs in full, nothing is stored.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { LABELS } from "../../model/naming";
import { isPhase } from "../../model/phases";
import type { Manifest } from "../../model/manifest";
import type { SandboxEnvironment } from "../deploy/environment";
import { kubeOk, kubeRequest } from "../servers/kube";
import { investigationPod, POD_VARIANTS } from "./pod-variants";
import { mapLimit, type CheckResult, type Measured } from "./results";

export async function verifyPodSecurity(kc: KubeConfig, env: SandboxEnvironment): Promise<CheckResult[]> {
  const list = await kubeOk(
    kc,
    "GET",
    `/api/v1/namespaces/${env.namespace}/podtemplates?labelSelector=${encodeURIComponent(`${LABELS.environment}=${env.environment}`)}`,
  );
  const templates = ((list.items ?? []) as Manifest[]).map((t) => ({ ...t, apiVersion: "v1", kind: "PodTemplate" }));
  const expectedCount = Object.values(env.phases).reduce(
    (n, r) => n + r.kubernetes.filter((m) => m.kind === "PodTemplate").length,
    0,
  );
  if (templates.length !== expectedCount)
    throw new Error(`found ${templates.length} published PodTemplates in ${env.namespace}, expected ${expectedCount}`);
  const cells = templates.flatMap((t) => POD_VARIANTS.map((v) => ({ t, v })));
  return mapLimit(cells, 8, async ({ t, v }) => {
    const phase = t.metadata.labels?.[LABELS.phase];
    if (!isPhase(phase)) throw new Error(`PodTemplate ${t.metadata.name} has no phase label`);
    const pod = investigationPod(t, v);
    const r = await kubeRequest(kc, "POST", `/api/v1/namespaces/${env.namespace}/pods?dryRun=All`, pod);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the API server's JSON message, a string; anything else is shown as it is
    const message = String(r.body.message ?? "");
    // Only a PodSecurity rejection naming the intended violation counts as "deny"; any other refusal is an error.
    let measured: Measured = "error";
    if (r.status === 201 || r.status === 200) measured = "allow";
    else if (
      r.status === 403 &&
      message.includes("violates PodSecurity") &&
      (!v.violation || v.violation.test(message))
    )
      measured = "deny";
    return {
      section: "pod-security",
      phase,
      agent: t.metadata.labels?.[LABELS.agent] ?? "?",
      scope: env.namespace,
      verb: "create",
      object: `${v.name} [${t.metadata.labels?.[LABELS.tier]}]`,
      expected: v.violation ? "deny" : "allow",
      basis: "restricted",
      measured,
      ...(message ? { detail: `HTTP ${r.status}: ${message}` } : {}),
    } satisfies CheckResult;
  });
}
