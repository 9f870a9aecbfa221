/**
 * The agents' own rules for credentials in pods, stricter than Pod Security: agents get secrets only from Vault
 * (no Kubernetes Secret by volume, projection or environment), the only ServiceAccount token is a short one for
 * Vault's audience, and a custom kind whose content is unknown during preview cannot hide a pod spec.
 */
import { LIMITS } from "../model/catalog";
import { DEFAULTS } from "../model/naming";
import { onContainers, onPod, podRule } from "./helpers";
import type { Manifest } from "../model/manifest";
import { hasFixedSchema } from "./fixed-schema";
import { ANY_KIND, field, isObj, joinAt, list, podSpecsOf, show, UNKNOWN } from "./paths";
import { holdsUnknown } from "./unknowns";
import {
  API_ACCESS,
  apiAccessProblems,
  isApprovalProxyWorkload,
  isProxyTlsVolume,
  proxyEnvProblems,
} from "./pods-api-access";

export const podNoKubernetesSecrets = podRule({
  name: "pod-no-kubernetes-secrets",
  security: true,
  reads: ["{pod}.volumes", "{containers}.envFrom", "{containers}.env"],
  description:
    "Agents get secrets only from Vault: no Secret volume (the foundation's approval proxy Deployment alone mounts its TLS Secret as volume `tls`), no projected `secret` source, no envFrom.secretRef and no env valueFrom.secretKeyRef, in any container.",
  remediationSteps:
    "Read the credential from Vault (the agent's Vault role and the projected Vault token); delete the Secret reference.",
  validate: (obj, ctx) => [
    ...onPod(obj, (pod) =>
      list(pod.spec.volumes).flatMap((v, i) => {
        const at = `${pod.at}.volumes[${i}]`;
        // The foundation's approval proxy serves TLS from the platform's certificate Secret: that one volume only.
        if (isApprovalProxyWorkload(obj, ctx) && isProxyTlsVolume(v)) return [];
        if (field(v, "secret") !== undefined) return [`${at} (${show(field(v, "name"))}) is a Secret volume`];
        return list(field(v, "projected", "sources")).flatMap((s, j) =>
          field(s, "secret") !== undefined
            ? [`${at}.projected.sources[${j}] projects Secret ${show(field(s, "secret", "name"))}`]
            : [],
        );
      }),
    ),
    ...onContainers(obj, (c) => [
      ...list(c.container.envFrom).flatMap((e, i) =>
        field(e, "secretRef") !== undefined
          ? [`${c.at}.envFrom[${i}].secretRef takes Secret ${show(field(e, "secretRef", "name"))}`]
          : [],
      ),
      ...list(c.container.env).flatMap((e, i) =>
        field(e, "valueFrom", "secretKeyRef") !== undefined
          ? [
              `${c.at}.env[${i}] ${show(field(e, "name"))} comes from Secret ${show(field(e, "valueFrom", "secretKeyRef", "name"))}`,
            ]
          : [],
      ),
    ]),
  ],
});

/** Projected sources an agent pod may use; `secret` and `podCertificate` (an API client certificate) are not. */
const PROJECTED_SOURCES: readonly string[] = ["serviceAccountToken", "configMap", "downwardAPI", "clusterTrustBundle"];

export const podProjectedTokenVaultOnly = podRule({
  name: "pod-projected-token-vault-only",
  security: true,
  reads: ["{pod}.volumes", "{containers}.volumeMounts", "{containers}.env"],
  description: `The only ServiceAccount credential in a pod is a projected token for the "${DEFAULTS.audience}" audience that expires within ${LIMITS.projectedTokenSeconds} s, and, only to talk to the approval proxy, the API-access volume "${API_ACCESS.volume}" (a token for the API server's audience and the proxy's CA, read-only at ${API_ACCESS.mountPath}) with ${API_ACCESS.hostVar}/${API_ACCESS.portVar} pointing at the proxy's Service; no projected Secret or pod certificate.`,
  remediationSteps: `Project serviceAccountToken with audience: ${DEFAULTS.audience} and expirationSeconds: ${LIMITS.projectedTokenSeconds}; remove other credential sources. An API-access token is planned by agent-trust (src/plan/job.ts) and only in that shape.`,
  validate: (obj, ctx) =>
    onPod(obj, (pod) => {
      const api = apiAccessProblems(obj, pod, ctx);
      const vaultTokens = list(pod.spec.volumes).flatMap((v, i) =>
        list(field(v, "projected", "sources")).flatMap((s, j) => {
          const at = `${pod.at}.volumes[${i}].projected.sources[${j}]`;
          if (!isObj(s)) return [`${at} is ${show(s)}; not a projection`];
          const bad = Object.keys(s).filter((k) => !PROJECTED_SOURCES.includes(k));
          const out = bad.map((k) => `${at}.${k} is not allowed; project only ${PROJECTED_SOURCES.join(", ")}`);
          const token = s.serviceAccountToken;
          // The API-access volume is judged whole by apiAccessProblems.
          if (token === undefined || api?.volumes.has(v)) return out;
          const audience = field(token, "audience");
          if (audience !== DEFAULTS.audience)
            out.push(`${at}.serviceAccountToken.audience is ${show(audience)}; it must be "${DEFAULTS.audience}"`);
          const exp = field(token, "expirationSeconds");
          if (typeof exp !== "number" || !Number.isInteger(exp) || exp <= 0 || exp > LIMITS.projectedTokenSeconds) {
            out.push(
              `${at}.serviceAccountToken.expirationSeconds is ${show(exp)}; set at most ${LIMITS.projectedTokenSeconds}`,
            );
          }
          return out;
        }),
      );
      return [...vaultTokens, ...(api?.problems ?? []), ...proxyEnvProblems(pod, ctx.namespace)];
    }),
});

/**
 * In an object of a custom kind, every value unknown during preview outside its own metadata and outside the pod
 * specs found in it: any of them could be (or hide) a pod spec that no rule can see.
 */
export function hiddenUnknowns(obj: Manifest): string[] {
  if (hasFixedSchema(obj) || !holdsUnknown(obj)) return [];
  const specs = new Set<unknown>(podSpecsOf(obj).map((p) => p.spec));
  const seen = new Set<unknown>();
  const out: string[] = [];
  const visit = (value: unknown, at: string, depth: number): void => {
    if (value === UNKNOWN) out.push(at || "(the whole object)");
    if (typeof value !== "object" || value === null || specs.has(value) || seen.has(value)) return;
    if (depth > 200) return void out.push(`${at} (nested too deeply to judge)`);
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        visit(v, joinAt(at, i), depth + 1);
      });
      return;
    }
    // The object's own metadata, and the metadata next to a pod spec, are read by the rules that need them.
    const holdsSpec = Object.values(value).some((v) => specs.has(v));
    for (const [k, v] of Object.entries(value))
      if (!(k === "metadata" && (at === "" || holdsSpec))) visit(v, joinAt(at, k), depth + 1);
  };
  visit(obj, "", 0);
  return out;
}

export const podSpecVisible = podRule({
  name: "pod-spec-visible",
  security: true,
  kinds: [ANY_KIND],
  reads: ["{containers}.name"],
  description:
    "An object of a custom kind (any API group without a fixed schema) has no value unknown during preview outside its metadata and the pod specs found in it, since such a value could hold a pod spec no rule can see; no pod spec patch (Argo's podSpecPatch), which rewrites the pods after they are judged; and no object manifest handed over as text (an Argo resource template).",
  remediationSteps:
    "Set the custom resource's fields from plain config, so every pod template it carries is judged at preview; write pod settings into the template, not into a podSpecPatch.",
  appliesTo: (obj) => !hasFixedSchema(obj),
  validate: (obj) => [
    ...hiddenUnknowns(obj).map(
      (at) => `${at} is unknown during preview; in a custom kind it could hold a pod spec that no rule can see`,
    ),
    ...opaqueParts(obj),
  ],
});

/**
 * What a custom kind hands its controller as text no rule reads: a pod spec patch (Argo Workflows' `podSpecPatch`,
 * merged into each pod after everything else) and an object manifest (an Argo `resource` template creates any
 * object from it, a privileged Pod included).
 */
function opaqueParts(obj: Manifest): string[] {
  const out: string[] = [];
  const given = (v: unknown) => v !== undefined && v !== null && v !== "";
  const seen = new Set<unknown>();
  const visit = (value: unknown, at: string, depth: number): void => {
    if (typeof value !== "object" || value === null || seen.has(value) || depth > 200) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((v, i) => {
        visit(v, joinAt(at, i), depth + 1);
      });
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      if (at === "" && k === "metadata") continue;
      if (k === "podSpecPatch" && given(v)) {
        out.push(
          `${joinAt(at, k)} patches the pods after every rule has judged them (Argo podSpecPatch); set the fields in the template instead`,
        );
      } else if (k === "resource" && isObj(v) && (given(v.manifest) || given(v.manifestFrom))) {
        const which = given(v.manifest) ? "manifest" : "manifestFrom";
        out.push(
          `${joinAt(joinAt(at, k), which)} creates objects from text no rule reads (an Argo resource template); deploy the object itself instead`,
        );
      } else visit(v, joinAt(at, k), depth + 1);
    }
  };
  visit(obj, "", 0);
  return out;
}

export const SECRET_RULES = [podNoKubernetesSecrets, podProjectedTokenVaultOnly, podSpecVisible];
