/**
 * What the rules cannot see into. A Helm release installed by the Kubernetes provider, a GitOps object that
 * makes a controller deploy a chart or a repository, a command or a dynamic provider that runs arbitrary code:
 * each deploys objects that never reach the pack or the checker, so a guard that passed them would pass
 * anything. Agent (phase) input refuses them; every other resource type no rule reads is listed as an advisory,
 * never passed in silence. Pure.
 */
import { type Manifest } from "../model/manifest";
import { isVaultKind } from "../model/vault-kinds";
import { field } from "./paths";
import type { ResourceRule, StackRule } from "./types";

/** The document the pack makes of a Pulumi resource that no Kubernetes or Vault document describes. */
export const PULUMI_RESOURCE_API_VERSION = "pulumi.agent-trust.io/v1";
export const PULUMI_RESOURCE_KIND = "PulumiResource";

export function pulumiResourceDocument(type: string, name: string): Manifest {
  return { apiVersion: PULUMI_RESOURCE_API_VERSION, kind: PULUMI_RESOURCE_KIND, metadata: { name }, spec: { type } };
}

export const isPulumiResource = (obj: Manifest) =>
  obj.apiVersion === PULUMI_RESOURCE_API_VERSION && obj.kind === PULUMI_RESOURCE_KIND;

/** Kubernetes-shaped deployers, by API group and kind, and what each hides. */
const OPAQUE_KINDS: readonly { readonly group: string; readonly kind: string; readonly hides: string }[] = [
  {
    group: "helm.sh",
    kind: "Release",
    hides: "the Pulumi Kubernetes provider installs the chart itself; its objects never reach the pack",
  },
  {
    group: "helm.toolkit.fluxcd.io",
    kind: "HelmRelease",
    hides: "Flux installs the chart; its objects are never checked",
  },
  {
    group: "kustomize.toolkit.fluxcd.io",
    kind: "Kustomization",
    hides: "Flux applies a whole repository path; its objects are never checked",
  },
  {
    group: "argoproj.io",
    kind: "Application",
    hides: "Argo CD deploys a repository or chart; its objects are never checked",
  },
  {
    group: "argoproj.io",
    kind: "ApplicationSet",
    hides: "Argo CD generates Applications; their objects are never checked",
  },
];

/** Pulumi resource types (by prefix) that run arbitrary code or commands, such as `kubectl apply`. */
export const OPAQUE_PULUMI_TYPES: readonly { readonly prefix: string; readonly hides: string }[] = [
  {
    prefix: "command:",
    hides: "a command runs any program (kubectl apply, helm install, vault write) outside every rule",
  },
  { prefix: "pulumi-nodejs:dynamic:", hides: "a dynamic provider runs arbitrary code at deploy time" },
  { prefix: "pulumi-python:dynamic:", hides: "a dynamic provider runs arbitrary code at deploy time" },
];

/**
 * Types that need no rule: the stack itself and stack references (read-only), plus components whose children are registered, and so
 * judged, one by one (the Kubernetes provider's YAML, Chart and kustomize components, and this project's own). Providers
 * (`pulumi:providers:*`) are not among them: the closed world (closed-kinds.ts) names the ones a stack may hold.
 */
export const CONTAINER_PULUMI_TYPES: readonly string[] = [
  "pulumi:pulumi:Stack",
  "pulumi:pulumi:StackReference",
  "kubernetes:yaml:ConfigFile",
  "kubernetes:yaml:ConfigGroup",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:yaml/v2:ConfigGroup",
  "kubernetes:helm.sh/v3:Chart",
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:kustomize:Directory",
  "kubernetes:kustomize/v2:Directory",
];
export const CONTAINER_PULUMI_PREFIXES: readonly string[] = ["agent-trust:"];

/** The prefix of every provider resource's type (`pulumi:providers:kubernetes`, `pulumi:providers:vault`, ...). */
export const PROVIDER_TYPE_PREFIX = "pulumi:providers:";
export const isProviderType = (type: string) => type.startsWith(PROVIDER_TYPE_PREFIX);

export const isContainerType = (type: string) =>
  CONTAINER_PULUMI_TYPES.includes(type) || CONTAINER_PULUMI_PREFIXES.some((p) => type.startsWith(p));

const groupOf = (apiVersion: unknown) =>
  typeof apiVersion === "string" && apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";

/** Why the rules cannot see what this object deploys, or undefined when they can. */
export function opaqueReason(obj: Manifest): string | undefined {
  if (isPulumiResource(obj)) {
    const type = String(field(obj, "spec", "type"));
    return OPAQUE_PULUMI_TYPES.find((t) => type.startsWith(t.prefix))?.hides;
  }
  return OPAQUE_KINDS.find((k) => k.kind === obj.kind && k.group === groupOf(obj.apiVersion))?.hides;
}

export const noOpaqueResources: ResourceRule = {
  name: "no-opaque-resources",
  domain: "cluster",
  scope: "resource",
  security: true,
  kinds: [...new Set([...OPAQUE_KINDS.map((k) => k.kind), PULUMI_RESOURCE_KIND])],
  reads: ["kind"],
  description:
    "Agent input holds nothing the rules cannot see into: no Helm Release (kubernetes:helm.sh/v3:Release), Flux HelmRelease or " +
    "Kustomization, Argo CD Application(Set), command or dynamic-provider resource. (Chart v4, ConfigGroup and kustomize " +
    "components register their children, which are judged one by one.)",
  remediationSteps:
    "Render the chart or manifests into plain objects (helm template, kustomize build, or the Chart v4 / ConfigGroup components) so every object is judged.",
  appliesTo: (_obj, ctx) => ctx.layer !== "foundation",
  validate: (obj) => {
    const hides = opaqueReason(obj);
    if (!hides) return [];
    const what = isPulumiResource(obj) ? String(field(obj, "spec", "type")) : `${obj.kind} (${obj.apiVersion})`;
    return [`${what}: ${hides}; agent stacks may hold only objects the rules can judge`];
  },
};

/** Kinds some rule reads, set by `index.ts` once the table is assembled (the listing must not read the table itself). */
let readKinds: ReadonlySet<string> = new Set();
export function setReadKinds(kinds: ReadonlySet<string>): void {
  readKinds = kinds;
}

function unjudgedName(obj: Manifest): string | undefined {
  if (isVaultKind(obj.kind)) return readKinds.has(obj.kind) ? undefined : obj.kind;
  if (isPulumiResource(obj)) {
    const type = String(field(obj, "spec", "type"));
    // A provider is judged by stack-kinds-closed (the closed world names the ones a stack may hold).
    return isContainerType(type) || isProviderType(type) || opaqueReason(obj) ? undefined : type;
  }
  return readKinds.has(obj.kind) || opaqueReason(obj) ? undefined : `${obj.kind} (${obj.apiVersion})`;
}

export const unjudgedResourceTypes: StackRule = {
  name: "unjudged-resource-types",
  domain: "cluster",
  scope: "stack",
  security: false,
  advisoryOnly: true,
  kinds: [PULUMI_RESOURCE_KIND],
  description:
    "Lists, as an advisory, every resource type or kind in the stack that no rule reads (beyond the cluster-scope check): " +
    "nothing is passed in silence; review these by hand or add a rule.",
  remediationSteps:
    "Review the listed resources by hand; if they can grant an agent anything, add a rule for their kind.",
  validate: (objects) => {
    const counts = new Map<string, number>();
    for (const o of objects) {
      const name = unjudgedName(o);
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return [...counts]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, n]) => ({ message: `no rule reads ${name} (${n} resource(s)); review it by hand` }));
  },
};

export const OPAQUE_RESOURCE_RULES: readonly ResourceRule[] = [noOpaqueResources];
export const OPAQUE_STACK_RULES: readonly StackRule[] = [unjudgedResourceTypes];
