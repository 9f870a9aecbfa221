/**
 * Turns planned objects into Pulumi resources. The only place that knows which Pulumi class creates which
 * kind; everything here is mechanical so the plan, not the component, decides what is granted.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import { isVaultKind, vaultSpecToInputs, VAULT_API_VERSION, type Manifest, type VaultKind } from "../plan/manifest";

type Ctor = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

const KUBERNETES: Record<string, Ctor> = {
  "v1/Namespace": k8s.core.v1.Namespace,
  "v1/ResourceQuota": k8s.core.v1.ResourceQuota,
  "v1/LimitRange": k8s.core.v1.LimitRange,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "v1/PodTemplate": k8s.core.v1.PodTemplate,
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
  "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy": k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
  "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding": k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
  // prometheus-operator CRD: a CustomResource registers as kubernetes:monitoring.coreos.com/v1:PrometheusRule.
  "monitoring.coreos.com/v1/PrometheusRule": k8s.apiextensions.CustomResource,
};

const VAULT: Record<VaultKind, Ctor> = {
  VaultPolicy: vault.Policy,
  VaultKubernetesAuthRole: vault.kubernetes.AuthBackendRole,
  VaultAuthBackend: vault.AuthBackend,
  VaultKubernetesAuthConfig: vault.kubernetes.AuthBackendConfig,
  VaultMount: vault.Mount,
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
    const inputs = vaultSpecToInputs(m.kind, m["spec"] as Record<string, unknown>);
    return new VAULT[m.kind](name, { ...inputs, ...extraInputs }, options);
  }
  const ctor = KUBERNETES[`${m.apiVersion}/${m.kind}`];
  if (!ctor) throw new Error(`no Pulumi resource for ${m.apiVersion} ${m.kind}`);
  return new ctor(name, { ...m, ...extraInputs }, options);
}
