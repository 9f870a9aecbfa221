/**
 * Turns planned objects into Pulumi resources. The only place that knows which Pulumi class creates which
 * kind; everything here is mechanical so the plan, not the component, decides what is granted.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { VAULT_API_VERSION, type Manifest } from "../model/manifest";
import { isVaultKind, vaultSpecToInputs, type VaultInputName, type VaultKind } from "../model/vault-kinds";

/** A Pulumi resource class: its constructor's args are what `ArgsOf` reads back. */
type ResourceClass<A> = new (name: string, args: A, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;
type ArgsOf<C> = C extends ResourceClass<infer A> ? A : never;

/**
 * Creates a resource of `Class` from inputs read off a planned object. The inputs are data (the plan's document,
 * through the Vault-kind table for Vault): their names are checked against the class below, their values are
 * the plan's and cross into the class's args type here, the one place they do.
 */
type Create = (
  name: string,
  inputs: Readonly<Record<string, unknown>>,
  opts: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;
function creator<A>(Class: ResourceClass<A>): Create {
  return (name, inputs, opts) => new Class(name, inputs as A, opts);
}

const KUBERNETES: Readonly<Record<string, Create>> = {
  "v1/Namespace": creator<k8s.core.v1.NamespaceArgs>(k8s.core.v1.Namespace),
  "v1/ResourceQuota": creator<k8s.core.v1.ResourceQuotaArgs>(k8s.core.v1.ResourceQuota),
  "v1/LimitRange": creator<k8s.core.v1.LimitRangeArgs>(k8s.core.v1.LimitRange),
  "v1/ServiceAccount": creator<k8s.core.v1.ServiceAccountArgs>(k8s.core.v1.ServiceAccount),
  "v1/PodTemplate": creator<k8s.core.v1.PodTemplateArgs>(k8s.core.v1.PodTemplate),
  "v1/ConfigMap": creator<k8s.core.v1.ConfigMapArgs>(k8s.core.v1.ConfigMap),
  "v1/Service": creator<k8s.core.v1.ServiceArgs>(k8s.core.v1.Service),
  "apps/v1/Deployment": creator<k8s.apps.v1.DeploymentArgs>(k8s.apps.v1.Deployment),
  "apiextensions.k8s.io/v1/CustomResourceDefinition": creator<k8s.apiextensions.v1.CustomResourceDefinitionArgs>(
    k8s.apiextensions.v1.CustomResourceDefinition,
  ),
  "networking.k8s.io/v1/NetworkPolicy": creator<k8s.networking.v1.NetworkPolicyArgs>(k8s.networking.v1.NetworkPolicy),
  "rbac.authorization.k8s.io/v1/Role": creator<k8s.rbac.v1.RoleArgs>(k8s.rbac.v1.Role),
  "rbac.authorization.k8s.io/v1/RoleBinding": creator<k8s.rbac.v1.RoleBindingArgs>(k8s.rbac.v1.RoleBinding),
  "rbac.authorization.k8s.io/v1/ClusterRole": creator<k8s.rbac.v1.ClusterRoleArgs>(k8s.rbac.v1.ClusterRole),
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": creator<k8s.rbac.v1.ClusterRoleBindingArgs>(
    k8s.rbac.v1.ClusterRoleBinding,
  ),
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy":
    creator<k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs>(
      k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
    ),
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding":
    creator<k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs>(
      k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
    ),
  // prometheus-operator CRD: a CustomResource registers as kubernetes:monitoring.coreos.com/v1:PrometheusRule.
  "monitoring.coreos.com/v1/PrometheusRule": creator<k8s.apiextensions.CustomResourceArgs>(
    k8s.apiextensions.CustomResource,
  ),
};

/** The Pulumi class of each Vault kind, keyed by the Vault-kind table (src/model/vault-kinds.ts). */
const VAULT_CLASSES = {
  VaultPolicy: vault.Policy,
  VaultKubernetesAuthRole: vault.kubernetes.AuthBackendRole,
  VaultAuthBackend: vault.AuthBackend,
  VaultKubernetesAuthConfig: vault.kubernetes.AuthBackendConfig,
  VaultMount: vault.Mount,
};

/** A class that takes every input its kind's table row maps to; otherwise a type naming the missing inputs. */
type TakesInputs<C, K extends VaultKind> = [Exclude<VaultInputName<K>, keyof ArgsOf<C>>] extends [never]
  ? C
  : { readonly missingPulumiInputs: Exclude<VaultInputName<K>, keyof ArgsOf<C>> };

// A Vault kind without a class, or a class whose args lack one of the kind's mapped inputs, is a compile error.
const VAULT = VAULT_CLASSES satisfies { readonly [K in VaultKind]: TakesInputs<(typeof VAULT_CLASSES)[K], K> };

const VAULT_CREATE: Readonly<Record<VaultKind, Create>> = {
  VaultPolicy: creator<ArgsOf<typeof VAULT.VaultPolicy>>(VAULT.VaultPolicy),
  VaultKubernetesAuthRole: creator<ArgsOf<typeof VAULT.VaultKubernetesAuthRole>>(VAULT.VaultKubernetesAuthRole),
  VaultAuthBackend: creator<ArgsOf<typeof VAULT.VaultAuthBackend>>(VAULT.VaultAuthBackend),
  VaultKubernetesAuthConfig: creator<ArgsOf<typeof VAULT.VaultKubernetesAuthConfig>>(VAULT.VaultKubernetesAuthConfig),
  VaultMount: creator<ArgsOf<typeof VAULT.VaultMount>>(VAULT.VaultMount),
};

/** `<parent>-<kind>-[<namespace>-]<name>`: unique within a stack and stable across runs. */
export function childName(parent: string, m: Manifest): string {
  const ns = m.metadata.namespace ? `${m.metadata.namespace}-` : "";
  return `${parent}-${m.kind.toLowerCase()}-${ns}${m.metadata.name}`;
}

/**
 * Creates one planned object. Names are fixed by the plan (so the renderer can predict them), which means a
 * replacement must delete the old object first or the new one would collide with it.
 */
export function createObject(
  parent: string,
  m: Manifest,
  opts: pulumi.CustomResourceOptions,
  extraInputs: Record<string, pulumi.Input<unknown>> = {},
): pulumi.CustomResource {
  const name = childName(parent, m);
  const options = { deleteBeforeReplace: true, ...opts };
  if (m.apiVersion === VAULT_API_VERSION) {
    if (!isVaultKind(m.kind)) throw new Error(`no Pulumi resource for Vault kind ${m.kind}`);
    const inputs = vaultSpecToInputs(m.kind, m.spec as Record<string, unknown>);
    return VAULT_CREATE[m.kind](name, { ...inputs, ...extraInputs }, options);
  }
  const create = Object.hasOwn(KUBERNETES, `${m.apiVersion}/${m.kind}`)
    ? KUBERNETES[`${m.apiVersion}/${m.kind}`]
    : undefined;
  if (!create) throw new Error(`no Pulumi resource for ${m.apiVersion} ${m.kind}`);
  return create(name, { ...m, ...extraInputs }, options);
}
