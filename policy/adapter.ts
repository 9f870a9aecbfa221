/**
 * Turns what the Pulumi engine hands a policy (a resource type and its inputs or outputs) back into the document
 * shape the rule table judges, using the same tables the components use in the other direction
 * (`src/model/manifest.ts`, `src/model/vault-kinds.ts`). Values unknown during preview become the rules' UNKNOWN
 * sentinel, so no rule reads an unknown by accident and every rule that needs one refuses it.
 */
import { manifestTypeOfPulumiType, VAULT_API_VERSION, type Manifest } from "../src/model/manifest";
import { vaultInputsToSpec, vaultKindOfPulumiType } from "../src/model/vault-kinds";
import { UNKNOWN } from "../src/rules";
import { isContainerType, pulumiResourceDocument } from "../src/rules/opaque";

/**
 * @pulumi/policy hands props through a proxy that throws on unknown values (which the server then reports as a
 * mere advisory "can't run during preview"). These are that proxy's internals, read from the module itself
 * rather than copied, so a version bump that changes them fails the adapter tests instead of failing open.
 */
interface PolicyProxyModule {
  readonly getSpecialProxyTarget: string;
  readonly [k: string]: unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as PolicyProxyModule;

/** The string sentinels Pulumi uses for unknown values (boolean, number, string, array, asset, archive, object). */
export const PULUMI_UNKNOWNS: ReadonlySet<unknown> = new Set(
  Object.keys(proxy)
    .filter((k) => /^unknown[A-Za-z]+Value$/.test(k))
    .map((k) => proxy[k]),
);

function target(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const raw = (value as Record<string, unknown>)[proxy.getSpecialProxyTarget];
  return raw === undefined ? value : raw;
}

/** A plain deep copy with every Pulumi unknown replaced by UNKNOWN. */
export function plain(value: unknown): unknown {
  const v = target(value);
  if (PULUMI_UNKNOWNS.has(v)) return UNKNOWN;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "object" && v !== null) {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v; // assets, archives: no rule reads them
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plain(x);
    return out;
  }
  return v;
}

/**
 * The document a Pulumi resource stands for. Server-side-apply `...Patch` resources are judged as the kind they
 * upsert: a ClusterRoleBindingPatch can create the binding. Any other type becomes a `PulumiResource` document
 * (judged by no-opaque-resources and listed by unjudged-resource-types); undefined only for the stack, providers
 * and components whose children are registered and judged one by one.
 */
export function toDocument(type: string, resourceName: string, props: unknown): Manifest | undefined {
  if (isContainerType(type)) return undefined;
  const p = plain(props);
  const inputs = typeof p === "object" && p !== null && !Array.isArray(p) ? (p as Record<string, unknown>) : {};
  const vaultKind = vaultKindOfPulumiType(type);
  if (vaultKind) {
    const spec = vaultInputsToSpec(vaultKind, inputs);
    const named = [spec.name, spec.role_name].find((n) => typeof n === "string" && n !== "" && n !== UNKNOWN);
    return {
      apiVersion: VAULT_API_VERSION,
      kind: vaultKind,
      metadata: { name: (named as string) ?? resourceName },
      spec,
    };
  }
  const k8s = manifestTypeOfPulumiType(type);
  if (!k8s) return pulumiResourceDocument(type, resourceName);
  const kind = k8s.kind.endsWith("Patch") && k8s.kind !== "Patch" ? k8s.kind.slice(0, -"Patch".length) : k8s.kind;
  const meta = inputs.metadata;
  const metadata =
    typeof meta === "object" && meta !== null && !Array.isArray(meta) ? { ...(meta as Record<string, unknown>) } : {};
  if (typeof metadata.name !== "string") metadata.name = resourceName;
  return { ...inputs, apiVersion: k8s.apiVersion, kind, metadata } as unknown as Manifest;
}
