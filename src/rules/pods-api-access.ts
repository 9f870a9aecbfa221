/**
 * The one ServiceAccount token for the API server's own audience a pod may hold: the approval proxy's API access
 * (src/plan/job.ts, src/plan/approval.ts). An agent pod holds it only to talk to the proxy, so it comes with the
 * environment that points its client there; the proxy's own pod (foundation layer) holds it for its TokenReviews.
 * Everything else about it is fixed: the volume's name, the mount path, read-only, a short token and the CA. Pure.
 */
import { LIMITS } from "../model/catalog";
import type { Manifest } from "../model/manifest";
import { FOUNDATION_NAMES } from "../model/naming";
import { containersOf, field, isObj, list, show, type PodSpecAt } from "./paths";
import type { RuleContext } from "./types";

export const API_ACCESS = {
  volume: "kube-api-access",
  mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
  hostVar: "KUBERNETES_SERVICE_HOST",
  portVar: "KUBERNETES_SERVICE_PORT",
} as const;

/** The host and port an agent's client must be pointed at when it holds API access: the proxy's Service. */
export function proxyServiceHost(namespace: string): string {
  return `${FOUNDATION_NAMES.approvalProxy}.${namespace}.svc`;
}

/** True for the foundation's own approval proxy Deployment in the agents namespace, judged as a foundation. */
export function isApprovalProxyWorkload(obj: Manifest, ctx: RuleContext): boolean {
  return (
    ctx.layer === "foundation" &&
    obj.apiVersion === "apps/v1" &&
    obj.kind === "Deployment" &&
    obj.metadata.name === FOUNDATION_NAMES.approvalProxy &&
    obj.metadata.namespace === ctx.namespace
  );
}

/** The proxy's TLS volume: `tls`, a plain Secret volume naming its Secret and nothing else. */
export function isProxyTlsVolume(v: unknown): boolean {
  const secret = field(v, "secret");
  return (
    sameKeys(v, ["name", "secret"]) &&
    field(v, "name") === "tls" &&
    sameKeys(secret, ["secretName"]) &&
    typeof field(secret, "secretName") === "string"
  );
}

const sameKeys = (v: unknown, keys: readonly string[]) =>
  isObj(v) && Object.keys(v).length === keys.length && keys.every((k) => k in v);

/** Problems with `volume` as the API-access volume: exactly a short token and a CA under ca.crt, nothing more. */
function volumeProblems(volume: unknown, at: string): string[] {
  const sources = list(field(volume, "projected", "sources"));
  const token = field(sources[0], "serviceAccountToken");
  const exp = field(token, "expirationSeconds");
  const ca = field(sources[1], "configMap");
  const items = list(field(ca, "items"));
  const ok =
    sameKeys(volume, ["name", "projected"]) &&
    field(volume, "name") === API_ACCESS.volume &&
    sameKeys(field(volume, "projected"), ["sources"]) &&
    sources.length === 2 &&
    sameKeys(sources[0], ["serviceAccountToken"]) &&
    sameKeys(token, ["expirationSeconds", "path"]) &&
    typeof exp === "number" &&
    Number.isInteger(exp) &&
    exp > 0 &&
    exp <= LIMITS.projectedTokenSeconds &&
    field(token, "path") === "token" &&
    sameKeys(sources[1], ["configMap"]) &&
    sameKeys(ca, ["name", "items"]) &&
    typeof field(ca, "name") === "string" &&
    items.length === 1 &&
    sameKeys(items[0], ["key", "path"]) &&
    field(items[0], "key") === "ca.crt" &&
    field(items[0], "path") === "ca.crt";
  return ok
    ? []
    : [
        `${at} projects a token for the API server's audience; the only such volume is "${API_ACCESS.volume}": ` +
          `a serviceAccountToken {expirationSeconds ≤ ${LIMITS.projectedTokenSeconds}, path: token} and a configMap ` +
          `with only ca.crt, mounted read-only at ${API_ACCESS.mountPath} for the approval proxy`,
      ];
}

/** Problems with how the containers of `pod` use the API-access volume and the proxy's environment. */
function useProblems(pod: PodSpecAt, proxyPod: boolean, namespace: string): string[] {
  const out: string[] = [];
  const host = proxyServiceHost(namespace);
  let mounted = 0;
  for (const c of containersOf(pod)) {
    const mounts = list(c.container.volumeMounts);
    const own = mounts.filter((m) => field(m, "name") === API_ACCESS.volume);
    for (const m of mounts.filter((m) => field(m, "mountPath") === API_ACCESS.mountPath || own.includes(m))) {
      const exact =
        sameKeys(m, ["name", "mountPath", "readOnly"]) &&
        field(m, "name") === API_ACCESS.volume &&
        field(m, "mountPath") === API_ACCESS.mountPath &&
        field(m, "readOnly") === true;
      if (!exact)
        out.push(
          `${c.at} mounts ${show(field(m, "name"))} at ${show(field(m, "mountPath"))}; ${API_ACCESS.volume} is mounted only read-only at ${API_ACCESS.mountPath}, and nothing else there`,
        );
    }
    if (own.length === 0) continue;
    mounted++;
    if (proxyPod) continue;
    const env = list(c.container.env);
    const value = (name: string) => env.find((e) => field(e, "name") === name);
    const hostVar = value(API_ACCESS.hostVar);
    const portVar = value(API_ACCESS.portVar);
    if (!sameKeys(hostVar, ["name", "value"]) || field(hostVar, "value") !== host)
      out.push(`${c.at} holds API access but ${API_ACCESS.hostVar} is not "${host}" (the approval proxy)`);
    if (!sameKeys(portVar, ["name", "value"]) || field(portVar, "value") !== "443")
      out.push(`${c.at} holds API access but ${API_ACCESS.portVar} is not "443" (the approval proxy)`);
  }
  if (mounted === 0) out.push(`${pod.at} projects ${API_ACCESS.volume} but no container mounts it`);
  return out;
}

/**
 * Problems with API access in `pod`, when a projected token without audience (the API server's own) is present:
 * undefined when the pod holds none, so the caller judges its other tokens as before.
 */
export function apiAccessProblems(
  obj: Manifest,
  pod: PodSpecAt,
  ctx: RuleContext,
): { readonly volumes: ReadonlySet<unknown>; readonly problems: string[] } | undefined {
  const volumes = list(pod.spec.volumes);
  const holding = volumes.filter((v) =>
    list(field(v, "projected", "sources")).some(
      (s) =>
        isObj(s) && s.serviceAccountToken !== undefined && field(s, "serviceAccountToken", "audience") === undefined,
    ),
  );
  if (holding.length === 0) {
    // Nothing but the API-access volume goes by its name or at its path (a hostPath there, say).
    const problems = [
      ...volumes.flatMap((v, i) =>
        field(v, "name") === API_ACCESS.volume
          ? [`${pod.at}.volumes[${i}] is named ${API_ACCESS.volume} but is not the API-access projection`]
          : [],
      ),
      ...containersOf(pod).flatMap((c) =>
        list(c.container.volumeMounts)
          .filter((m) => field(m, "mountPath") === API_ACCESS.mountPath)
          .map((m) => `${c.at} mounts ${show(field(m, "name"))} at ${API_ACCESS.mountPath}, the API-access path`),
      ),
    ];
    return problems.length > 0 ? { volumes: new Set(), problems } : undefined;
  }
  const problems = holding.flatMap((v) => volumeProblems(v, `${pod.at}.volumes[${volumes.indexOf(v)}]`));
  if (holding.length > 1) problems.push(`${pod.at} projects ${holding.length} API-audience tokens; at most one`);
  if (problems.length === 0) problems.push(...useProblems(pod, isApprovalProxyWorkload(obj, ctx), ctx.namespace));
  return { volumes: new Set(holding), problems };
}

/** Problems with the proxy's environment variables wherever they are set: they may point only at the proxy. */
export function proxyEnvProblems(pod: PodSpecAt, namespace: string): string[] {
  const expected: Record<string, string> = {
    [API_ACCESS.hostVar]: proxyServiceHost(namespace),
    [API_ACCESS.portVar]: "443",
  };
  return containersOf(pod).flatMap((c) =>
    list(c.container.env).flatMap((e, i) => {
      const name = field(e, "name");
      if (typeof name !== "string" || !(name in expected)) return [];
      return sameKeys(e, ["name", "value"]) && field(e, "value") === expected[name]
        ? []
        : [`${c.at}.env[${i}] sets ${name}; it may only be "${expected[name]}" (the approval proxy)`];
    }),
  );
}
