/**
 * The desired state as plain objects: Kubernetes manifests, plus Vault objects as `agent-trust.io/v1` documents.
 * The planner produces these, the renderer writes them, the Pulumi components create resources from them and
 * the rules judge them, so there is exactly one shape to agree on.
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

export const VAULT_API_VERSION = "agent-trust.io/v1";

/**
 * Vault kinds and, for each, how its `spec` fields (the names Vault's own HTTP API uses) map to the input names
 * of the @pulumi/vault resource that creates it. One table serves both directions: the components turn
 * documents into resources with it, and the policy pack turns resources back into documents with it.
 */
export const VAULT_KINDS = {
  VaultPolicy: {
    pulumiType: "vault:index/policy:Policy",
    fields: { name: "name", policy: "policy" },
  },
  VaultKubernetesAuthRole: {
    pulumiType: "vault:kubernetes/authBackendRole:AuthBackendRole",
    fields: {
      backend: "backend",
      role_name: "roleName",
      bound_service_account_names: "boundServiceAccountNames",
      bound_service_account_namespaces: "boundServiceAccountNamespaces",
      audience: "audience",
      alias_name_source: "aliasNameSource",
      token_ttl: "tokenTtl",
      token_max_ttl: "tokenMaxTtl",
      token_policies: "tokenPolicies",
      token_no_default_policy: "tokenNoDefaultPolicy",
      token_type: "tokenType",
      // Read by the policy rules: a namespace selector or a periodic token would undo the exact binding and the TTL cap.
      bound_service_account_namespace_selector: "boundServiceAccountNamespaceSelector",
      token_period: "tokenPeriod",
      token_explicit_max_ttl: "tokenExplicitMaxTtl",
      // Vault's legacy alias of token_policies: no @pulumi/vault input sets it, but a document may, and the rules refuse it.
      policies: "policies",
    },
  },
  VaultAuthBackend: {
    pulumiType: "vault:index/authBackend:AuthBackend",
    fields: { type: "type", path: "path", description: "description" },
  },
  VaultKubernetesAuthConfig: {
    pulumiType: "vault:kubernetes/authBackendConfig:AuthBackendConfig",
    fields: {
      backend: "backend",
      kubernetes_host: "kubernetesHost",
      kubernetes_ca_cert: "kubernetesCaCert",
      disable_local_ca_jwt: "disableLocalCaJwt",
    },
  },
  VaultMount: {
    pulumiType: "vault:index/mount:Mount",
    fields: { path: "path", type: "type", options: "options", description: "description" },
  },
} as const;

export type VaultKind = keyof typeof VAULT_KINDS;

export function isVaultKind(kind: string): kind is VaultKind {
  return Object.prototype.hasOwnProperty.call(VAULT_KINDS, kind);
}

/** Document `spec` (Vault API names) → Pulumi inputs. */
export function vaultSpecToInputs(kind: VaultKind, spec: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, string> = VAULT_KINDS[kind].fields;
  const out: Record<string, unknown> = {};
  for (const [apiName, value] of Object.entries(spec)) {
    const input = Object.hasOwn(fields, apiName) ? fields[apiName] : undefined;
    if (!input) throw new Error(`${kind}: spec field "${apiName}" has no Pulumi input mapping`);
    out[input] = value;
  }
  return out;
}

/** Pulumi inputs → document `spec`; inputs the table does not know are kept under their Pulumi names. */
export function vaultInputsToSpec(kind: VaultKind, inputs: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, string> = VAULT_KINDS[kind].fields;
  const reverse = new Map(Object.entries(fields).map(([api, input]) => [input, api]));
  const out: Record<string, unknown> = {};
  for (const [input, value] of Object.entries(inputs)) out[reverse.get(input) ?? input] = value;
  return out;
}

/** Which Vault kind a Pulumi resource type creates, if any. */
export function vaultKindOfPulumiType(type: string): VaultKind | undefined {
  return (Object.keys(VAULT_KINDS) as VaultKind[]).find((k) => VAULT_KINDS[k].pulumiType === type);
}

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
