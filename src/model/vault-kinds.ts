/**
 * Everything agent-trust knows about each Vault kind, in one table: the Pulumi type token of the @pulumi/vault
 * resource that creates it, how its `spec` fields (the names Vault's own HTTP API uses) map to that resource's
 * inputs, where it lives in Vault and the HTTP call that writes (and deletes) it, and when it is applied. The
 * components turn documents into resources with it (the Pulumi class per kind: src/components/objects.ts, checked
 * against this table), the policy pack turns resources back into documents with it, the planners annotate each
 * document with its path, and the sandbox and the engine's stand-in provider write Vault through it. Pure data.
 */
import { VAULT_API_VERSION, type Manifest } from "./manifest";

type Spec = Readonly<Record<string, unknown>>;

/** One HTTP call against Vault's `/v1/` API. */
export interface VaultCall {
  readonly path: string;
  readonly method: "POST" | "PUT";
  readonly body: Record<string, unknown>;
  /** Where the object is deleted; absent when it goes with another (an auth config with its backend). */
  readonly deletePath?: string;
}

const str = (spec: Spec, key: string) => String(spec[key]);
const without = (spec: Spec, ...keys: string[]) =>
  Object.fromEntries(Object.entries(spec).filter(([k]) => !keys.includes(k)));

export const VAULT_KINDS = {
  VaultPolicy: {
    pulumiType: "vault:index/policy:Policy",
    fields: { name: "name", policy: "policy" },
    documentOnly: [],
    layer: "phase",
    applyOrder: 3,
    call: (spec: Spec): VaultCall => {
      const at = `sys/policies/acl/${str(spec, "name")}`;
      return { path: at, method: "PUT", body: { policy: spec.policy }, deletePath: at };
    },
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
    documentOnly: ["policies"],
    layer: "phase",
    applyOrder: 4,
    call: (spec: Spec): VaultCall => {
      const at = `auth/${str(spec, "backend")}/role/${str(spec, "role_name")}`;
      return { path: at, method: "POST", body: without(spec, "backend", "role_name"), deletePath: at };
    },
  },
  VaultAuthBackend: {
    pulumiType: "vault:index/authBackend:AuthBackend",
    fields: { type: "type", path: "path", description: "description" },
    documentOnly: [],
    layer: "foundation",
    applyOrder: 1,
    call: (spec: Spec): VaultCall => {
      const at = `sys/auth/${str(spec, "path")}`;
      return { path: at, method: "POST", body: without(spec, "path"), deletePath: at };
    },
  },
  VaultKubernetesAuthConfig: {
    pulumiType: "vault:kubernetes/authBackendConfig:AuthBackendConfig",
    fields: {
      backend: "backend",
      kubernetes_host: "kubernetesHost",
      kubernetes_ca_cert: "kubernetesCaCert",
      disable_local_ca_jwt: "disableLocalCaJwt",
    },
    documentOnly: [],
    layer: "foundation",
    applyOrder: 2,
    // Removed with its auth backend; nothing of its own to delete.
    call: (spec: Spec): VaultCall => ({
      path: `auth/${str(spec, "backend")}/config`,
      method: "POST",
      body: without(spec, "backend"),
    }),
  },
  VaultMount: {
    pulumiType: "vault:index/mount:Mount",
    fields: { path: "path", type: "type", options: "options", description: "description" },
    documentOnly: [],
    layer: "foundation",
    applyOrder: 0,
    call: (spec: Spec): VaultCall => {
      const at = `sys/mounts/${str(spec, "path")}`;
      return { path: at, method: "POST", body: without(spec, "path"), deletePath: at };
    },
  },
} as const;

export type VaultKind = keyof typeof VAULT_KINDS;

/** The Pulumi input names of a kind that its resource class must accept (document-only fields left out). */
export type VaultInputName<K extends VaultKind> = Exclude<
  (typeof VAULT_KINDS)[K]["fields"][keyof (typeof VAULT_KINDS)[K]["fields"]],
  (typeof VAULT_KINDS)[K]["documentOnly"][number]
>;

export const VAULT_KIND_NAMES = Object.keys(VAULT_KINDS) as VaultKind[];

/** The Vault kinds a foundation creates (the rest belong to phase stacks). */
export const FOUNDATION_VAULT_KINDS = VAULT_KIND_NAMES.filter((k) => VAULT_KINDS[k].layer === "foundation");

export function isVaultKind(kind: string): kind is VaultKind {
  return Object.prototype.hasOwnProperty.call(VAULT_KINDS, kind);
}

/** Document `spec` (Vault API names) → Pulumi inputs. */
export function vaultSpecToInputs(kind: VaultKind, spec: Record<string, unknown>): Record<string, unknown> {
  const fields: Readonly<Record<string, string>> = VAULT_KINDS[kind].fields;
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
  const fields: Readonly<Record<string, string>> = VAULT_KINDS[kind].fields;
  const reverse = new Map(Object.entries(fields).map(([api, input]) => [input, api]));
  const out: Record<string, unknown> = {};
  for (const [input, value] of Object.entries(inputs)) out[reverse.get(input) ?? input] = value;
  return out;
}

/** Which Vault kind a Pulumi resource type creates, if any. */
export function vaultKindOfPulumiType(type: string): VaultKind | undefined {
  return VAULT_KIND_NAMES.find((k) => VAULT_KINDS[k].pulumiType === type);
}

/** Where a Vault object lives and the call that writes it (the sandbox's client and the engine's stand-in both use it). */
export function vaultCall(kind: VaultKind, spec: Spec): VaultCall {
  return VAULT_KINDS[kind].call(spec);
}

/** Vault objects in the order they can be written: mounts and auth methods, then auth config, policies, roles. */
export function byApplyOrder<T extends { readonly kind: string }>(docs: readonly T[]): T[] {
  const rank = (d: T) => (isVaultKind(d.kind) ? VAULT_KINDS[d.kind].applyOrder : VAULT_KIND_NAMES.length);
  return [...docs].sort((a, b) => rank(a) - rank(b));
}

/** The annotation a planned Vault document carries its Vault path in. */
export const VAULT_PATH_ANNOTATION = "agent-trust.io/vault-path";

/** A planned Vault document, annotated with the path it is written to. */
export function vaultDocument(
  kind: VaultKind,
  name: string,
  labels: Record<string, string>,
  spec: Record<string, unknown>,
): Manifest {
  return {
    apiVersion: VAULT_API_VERSION,
    kind,
    metadata: { name, labels, annotations: { [VAULT_PATH_ANNOTATION]: vaultCall(kind, spec).path } },
    spec,
  };
}
