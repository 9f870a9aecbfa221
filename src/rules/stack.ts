/**
 * Stack-level rules: what must hold of a whole stack rather than of one object (every agent identity has a Vault
 * role and a NetworkPolicy, agent pods are isolated, the agents namespace has a default deny), and the phase
 * ceiling, which needs the stack's own configuration and so runs only in the policy pack. Pure.
 */
import { EXECUTOR_SUFFIX, LABELS, parseAgentName } from "../model/naming";
import {
  DEFAULT_CEILINGS,
  ENVIRONMENTS,
  PHASES,
  ceilingMessage,
  isAbove,
  isEnvironment,
  isPhase,
} from "../model/phases";
import type { Manifest } from "../model/manifest";
import { describeObject, field, isObj, isUnknown, list, podLabelsOf, podSpecOf, POD_KINDS } from "./paths";
import { vaultList } from "./helpers";
import type { ConfigRule, RuleSettings, StackFinding, StackRule } from "./types";
import { foundationAdmissionPolicies } from "./foundation-admission";
import { SelectorIndex } from "./selector-index";

/** Equality that never holds for an unknown value: what cannot be seen cannot satisfy a requirement. */
const same = (a: unknown, b: unknown) => !isUnknown(a) && !isUnknown(b) && a === b;

/** True when a label selector selects the given labels (matchLabels and matchExpressions). */
export function selects(selector: unknown, labels: Record<string, unknown>): boolean {
  if (!isObj(selector)) return false;
  const matchLabels = selector.matchLabels ?? {};
  if (!isObj(matchLabels)) return false;
  if (!Object.entries(matchLabels).every(([k, v]) => same(labels[k], v))) return false;
  return list(selector.matchExpressions).every((e) => {
    const key = field(e, "key");
    const op = field(e, "operator");
    const values = list(field(e, "values"));
    if (typeof key !== "string") return false;
    const v = labels[key];
    if (isUnknown(v) || values.some(isUnknown)) return false;
    if (op === "In") return v !== undefined && values.includes(v);
    if (op === "NotIn") return v !== undefined && !values.includes(v);
    if (op === "Exists") return v !== undefined;
    if (op === "DoesNotExist") return v === undefined;
    return false;
  });
}

const namespaceOf = (obj: Manifest, settings: RuleSettings) => obj.metadata?.namespace ?? settings.namespace;

/** Policy types as Kubernetes applies them when the field is left out. */
function policyTypes(np: Manifest): unknown[] {
  const explicit = field(np, "spec", "policyTypes");
  if (explicit !== undefined) return list(explicit);
  return field(np, "spec", "egress") !== undefined ? ["Ingress", "Egress"] : ["Ingress"];
}

/** A NetworkPolicy that denies all ingress and restricts egress of the pods it selects. */
function isolates(np: Manifest): boolean {
  const types = policyTypes(np);
  return types.includes("Ingress") && types.includes("Egress") && list(field(np, "spec", "ingress")).length === 0;
}

/**
 * Known values to the objects that carry them, built in one pass; an unknown value (or NaN, which equals
 * nothing) is left out, as `same` never matches it. Rules look objects up here instead of scanning every object
 * for every ServiceAccount or pod (quadratic in the stack).
 */
function indexBy<T>(items: readonly T[], keysOf: (item: T) => readonly unknown[]): Map<unknown, T[]> {
  const index = new Map<unknown, T[]>();
  for (const item of items) {
    for (const k of new Set(keysOf(item))) {
      if (isUnknown(k) || k !== k) continue;
      const at = index.get(k);
      if (at) at.push(item);
      else index.set(k, [item]);
    }
  }
  return index;
}

/** The isolating NetworkPolicies of the stack by namespace, each namespace's by selector (`coveredBy`). */
function isolatingByNamespace(
  objects: readonly Manifest[],
  settings: RuleSettings,
): Map<unknown, SelectorIndex<Manifest>> {
  const byNamespace = indexBy(
    objects.filter((o) => o.kind === "NetworkPolicy" && isolates(o)),
    (o) => [namespaceOf(o, settings)],
  );
  return new Map([...byNamespace].map(([ns, policies]) => [ns, new SelectorIndex(policies, podSelectorOf)]));
}

const podSelectorOf = (np: Manifest) => field(np, "spec", "podSelector");

function coveredBy(
  isolating: ReadonlyMap<unknown, SelectorIndex<Manifest>>,
  namespace: unknown,
  labels: Record<string, unknown>,
) {
  if (isUnknown(namespace)) return false;
  const index = isolating.get(namespace);
  return index !== undefined && index.selecting(labels, (o) => selects(podSelectorOf(o), labels)).length > 0;
}

/** ServiceAccounts with the phase or agent label; unknown labels count as an agent's (never silently skipped). */
const agentServiceAccounts = (objects: readonly Manifest[]) =>
  objects.filter((o) => {
    const labels = o.metadata?.labels;
    return (
      o.kind === "ServiceAccount" &&
      (isUnknown(labels) || labels?.[LABELS.phase] !== undefined || labels?.[LABELS.agent] !== undefined)
    );
  });

const podObjects = (objects: readonly Manifest[]) => objects.filter((o) => podSpecOf(o) !== undefined);

/** A security rule of the stack domain: judged over the whole stack. */
const stackRule = (r: Omit<StackRule, "domain" | "scope" | "security">): StackRule => ({
  domain: "stack",
  scope: "stack",
  security: true,
  ...r,
});

export const agentSaHasVaultRole = stackRule({
  name: "agent-sa-has-vault-role",
  kinds: ["ServiceAccount", "VaultKubernetesAuthRole"],
  description:
    "Every agent ServiceAccount (one with the phase or agent label) is bound by a Vault Kubernetes auth role; an executor ServiceAccount (`<agent>-<phase>-executor`, acted as only by the approval proxy) is bound by none.",
  remediationSteps:
    "Add the agent to the phase stack's config so its Vault role is created with its ServiceAccount; never bind an executor ServiceAccount in Vault.",
  validate: (objects, settings) => {
    const rolesByName = indexBy(
      objects.filter((r) => r.kind === "VaultKubernetesAuthRole"),
      (r) => vaultList(field(r, "spec", "bound_service_account_names")),
    );
    return agentServiceAccounts(objects).flatMap((sa): StackFinding[] => {
      const ns = namespaceOf(sa, settings);
      const name = sa.metadata?.name;
      const bound =
        !isUnknown(name) &&
        (rolesByName.get(name) ?? []).some((r) =>
          vaultList(field(r, "spec", "bound_service_account_namespaces")).some((n) => same(n, ns)),
        );
      // An executor holds no credential of its own: no Vault login either.
      if (!isUnknown(name) && parseAgentName(name)?.role === EXECUTOR_SUFFIX) {
        return bound
          ? [{ message: `${describeObject(sa)} is an executor and must not be bound by a Vault role`, object: sa }]
          : [];
      }
      return bound
        ? []
        : [{ message: `${describeObject(sa)} has no Vault Kubernetes auth role bound to it`, object: sa }];
    });
  },
});

export const agentSaHasNetworkPolicy = stackRule({
  name: "agent-sa-has-network-policy",
  kinds: ["ServiceAccount", "NetworkPolicy", ...POD_KINDS],
  description:
    "Every agent ServiceAccount has a NetworkPolicy that denies ingress and restricts egress for its pods (the pods that use it, or pods carrying its labels).",
  remediationSteps:
    "Create the agent's egress NetworkPolicy (policyTypes Ingress and Egress) selecting its pods' labels.",
  validate: (objects, settings) => {
    const isolating = isolatingByNamespace(objects, settings);
    const podsBySa = indexBy(podObjects(objects), (p) => [podSpecOf(p)!.spec.serviceAccountName]);
    return agentServiceAccounts(objects).flatMap((sa): StackFinding[] => {
      const ns = namespaceOf(sa, settings);
      const name = sa.metadata?.name;
      const pods = isUnknown(name) ? [] : (podsBySa.get(name) ?? []).filter((p) => same(namespaceOf(p, settings), ns));
      const labelSets = pods.length ? pods.map(podLabelsOf) : [sa.metadata?.labels ?? {}];
      return labelSets.every((l) => coveredBy(isolating, ns, l))
        ? []
        : [{ message: `${describeObject(sa)}: no isolating NetworkPolicy selects its pods`, object: sa }];
    });
  },
});

export const agentPodsNetworkIsolated = stackRule({
  name: "agent-pods-network-isolated",
  kinds: ["NetworkPolicy", ...POD_KINDS],
  settings: ["namespace"],
  description:
    "Every pod the stack can create in the agents namespace is selected by a NetworkPolicy that denies ingress and restricts egress.",
  remediationSteps: "Label the pod template with the agent and phase labels its NetworkPolicy selects.",
  validate: (objects, settings) => {
    const isolating = isolatingByNamespace(objects, settings);
    return podObjects(objects)
      .filter((p) => namespaceOf(p, settings) === settings.namespace || isUnknown(namespaceOf(p, settings)))
      .filter((p) => !coveredBy(isolating, namespaceOf(p, settings), podLabelsOf(p)))
      .map((p) => ({
        message: `${describeObject(p)}: its pods are selected by no isolating NetworkPolicy`,
        object: p,
      }));
  },
});

export const agentsNamespaceDefaultDeny = stackRule({
  name: "agents-namespace-default-deny",
  kinds: ["Namespace", "NetworkPolicy"],
  settings: ["namespace"],
  description:
    "A stack that creates the agents Namespace also creates a default-deny NetworkPolicy in it (podSelector {}, Ingress and Egress, no rules).",
  remediationSteps:
    "Create a NetworkPolicy with podSelector: {} and policyTypes [Ingress, Egress] and no rules in the namespace.",
  validate: (objects, settings) =>
    objects
      .filter((o) => o.kind === "Namespace" && o.metadata?.name === settings.namespace)
      .filter(
        (ns) =>
          !objects.some(
            (np) =>
              np.kind === "NetworkPolicy" &&
              same(np.metadata?.namespace, ns.metadata.name) &&
              isolates(np) &&
              list(field(np, "spec", "egress")).length === 0 &&
              isObj(field(np, "spec", "podSelector")) &&
              selects(field(np, "spec", "podSelector"), {}) &&
              Object.keys(field(np, "spec", "podSelector") as object).every(
                (k) => k === "matchLabels" || k === "matchExpressions",
              ),
          ),
      )
      .map((ns) => ({ message: `${describeObject(ns)} has no default-deny NetworkPolicy`, object: ns })),
});

export { DEFAULT_CEILINGS } from "../model/phases";

export const phaseWithinEnvironmentCeiling: ConfigRule = {
  name: "phase-within-environment-ceiling",
  domain: "stack",
  scope: "stack-config",
  security: true,
  description: `The stack's phase (agent-trust:phase) is not above its environment's ceiling (pack config \`ceilings\`, default ${ENVIRONMENTS.map((e) => `${e}: ${DEFAULT_CEILINGS[e]}`).join(", ")}); a foundation's phaseCeiling is not above it either.`,
  remediationSteps:
    "Deploy a lower phase, or raise the ceiling through a reviewed change of the foundation stack and the pack's `ceilings` config.",
  validate: (config, ceilings) => {
    const env = config.environment;
    if (!isEnvironment(env)) {
      return [
        `agent-trust:environment is ${JSON.stringify(env)}; one of ${ENVIRONMENTS.join(", ")} is required to check the ceiling`,
      ];
    }
    const ceiling = ceilings[env];
    if (config.layer === "foundation") {
      const own = config.phaseCeiling;
      if (!isPhase(own))
        return [`agent-trust:phaseCeiling is ${JSON.stringify(own)}; one of ${PHASES.join(", ")} is required`];
      return isAbove(own, ceiling)
        ? [`agent-trust:phaseCeiling "${own}" of environment "${env}" is above the policy pack's ceiling "${ceiling}"`]
        : [];
    }
    const phase = config.phase;
    if (!isPhase(phase))
      return [`agent-trust:phase is ${JSON.stringify(phase)}; one of ${PHASES.join(", ")} is required`];
    return isAbove(phase, ceiling) ? [ceilingMessage(env, phase, ceiling)] : [];
  },
};

export const STACK_RULES: readonly StackRule[] = [
  agentSaHasVaultRole,
  agentSaHasNetworkPolicy,
  agentPodsNetworkIsolated,
  agentsNamespaceDefaultDeny,
  foundationAdmissionPolicies,
];

export const CONFIG_RULES: readonly ConfigRule[] = [phaseWithinEnvironmentCeiling];
