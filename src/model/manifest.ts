/**
 * The desired state as plain objects: Kubernetes manifests, plus Vault objects as `agent-trust.io/v1` documents.
 * The planner produces these, the renderer writes them, the Pulumi components create resources from them and
 * the rules judge them, so there is exactly one shape to agree on. Pure data: nothing here imports Pulumi.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** The apiVersion of the Vault documents (their kinds and how each is written: `./vault-kinds`). */
export const VAULT_API_VERSION = "agent-trust.io/v1";

/** `rbac.authorization.k8s.io/v1` + `Role` → `kubernetes:rbac.authorization.k8s.io/v1:Role`; `v1` → `core/v1`. */
export function pulumiTypeOfManifest(apiVersion: string, kind: string): string {
  const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return `kubernetes:${group}:${kind}`;
}

/** The inverse: `kubernetes:core/v1:Pod` → `{ apiVersion: "v1", kind: "Pod" }`. */
export function manifestTypeOfPulumiType(type: string): { apiVersion: string; kind: string } | undefined {
  const m = /^kubernetes:(.+):([A-Za-z][A-Za-z0-9]*)$/.exec(type);
  if (!m) return undefined;
  const apiVersion = m[1]!.startsWith("core/") ? m[1]!.slice("core/".length) : m[1]!;
  return { apiVersion, kind: m[2]! };
}

/**
 * Annotations the Pulumi Kubernetes provider reads as directives to itself (await, timeouts, deletion propagation,
 * forced patches) and the API server stores without acting on them. An object compared with its plan may carry
 * these: they change how the provider deploys it, never what it grants or runs.
 */
export const PULUMI_PROVIDER_ANNOTATIONS: readonly string[] = [
  "pulumi.com/skipAwait",
  "pulumi.com/timeoutSeconds",
  "pulumi.com/deletionPropagationPolicy",
  "pulumi.com/patchForce",
  "pulumi.com/replaceUnready",
  "pulumi.com/waitFor",
];
