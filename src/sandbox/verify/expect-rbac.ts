/**
 * The RBAC half of the matrix: which requests to put to the API server's authorizer as each phase's
 * ServiceAccounts, and what the catalog says the answer must be. Every verb × resource the catalog mentions is
 * asked in the agents namespace, each target namespace and a namespace the agent does not target; narrowed
 * writes are asked for a listed name, an unlisted name and no name; and the never-lists of `forbidden.ts` are
 * asked everywhere they apply. Pure: API groups and scopes come from the server's discovery, passed in.
 */
import type { AgentConfig } from "../../config/schema";
import { agentsNamespaceRules, CATALOG, targetNamespaceRules } from "../../model/catalog";
import {
  CLUSTER_ONLY_RESOURCES,
  ESCALATION_VERBS,
  FORBIDDEN_RESOURCES,
  NO_DELETE_RESOURCES,
  NO_WRITE_RESOURCES,
  WORKLOAD_RESOURCES,
  WRITE_VERB_SET,
} from "../../model/forbidden";
import { agentNames } from "../../model/naming";
import type { Environment, Phase } from "../../model/phases";
import { PHASES } from "../../model/phases";
import type { PolicyRule } from "../../model/rbac";
import { rulesAllow } from "./rbac-eval";
import type { CheckSpec } from "./results";

/** Where each resource name lives, from discovery: `pods/exec` → `[{ group: "", namespaced: true }]`. */
export type ResourceIndex = ReadonlyMap<string, readonly { group: string; namespaced: boolean }[]>;

export interface SarAttributes {
  readonly namespace?: string;
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly name?: string;
}

export interface RbacCheck extends CheckSpec {
  readonly user: string;
  readonly groups: readonly string[];
  readonly attributes: SarAttributes;
}

export interface RbacMatrixInput {
  readonly environment: Environment;
  /** The agents namespace (the foundation's). */
  readonly namespace: string;
  /** Agents of each phase stack, as configured. */
  readonly agents: Readonly<Record<Phase, readonly AgentConfig[]>>;
  readonly index: ResourceIndex;
  /** A namespace no agent targets, e.g. `default`. */
  readonly otherNamespace: string;
}

export const UNLISTED_NAME = "sandbox-unlisted";
const NAMED_VERBS = new Set(["get", "update", "patch", "delete"]);
/** Kubernetes' own targets of the escalation verbs (impersonation targets are virtual, not in discovery). */
const ESCALATION_TARGETS: Record<(typeof ESCALATION_VERBS)[number], { group: string; resource: string }[]> = {
  escalate: [
    { group: "rbac.authorization.k8s.io", resource: "roles" },
    { group: "rbac.authorization.k8s.io", resource: "clusterroles" },
  ],
  bind: [
    { group: "rbac.authorization.k8s.io", resource: "roles" },
    { group: "rbac.authorization.k8s.io", resource: "clusterroles" },
  ],
  impersonate: [
    { group: "", resource: "users" },
    { group: "", resource: "groups" },
    { group: "", resource: "serviceaccounts" },
  ],
};

/** Every (group, resource) and every verb any phase's rules mention, in the agents or a target namespace. */
export function catalogVocabulary(): { refs: { group: string; resource: string }[]; verbs: string[] } {
  const rules = [agentsNamespaceRules(), ...PHASES.map((p) => targetNamespaceRules(p))].flat();
  const refs = new Map<string, { group: string; resource: string }>();
  const verbs = new Set<string>();
  for (const r of rules) {
    r.verbs.forEach((v) => verbs.add(v));
    for (const g of r.apiGroups) for (const res of r.resources) refs.set(`${g}/${res}`, { group: g, resource: res });
  }
  return {
    refs: [...refs.values()].sort((a, b) => `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`)),
    verbs: [...verbs].sort(),
  };
}

type Scope = "own ns" | "target ns" | "other ns" | "cluster";

function rulesFor(scope: Scope, phase: Phase, agent: AgentConfig): PolicyRule[] {
  if (scope === "own ns") return agentsNamespaceRules();
  if (scope === "target ns") return targetNamespaceRules(phase, agent.resourceNames ?? {});
  return [];
}

function lookup(index: ResourceIndex, resource: string): { group: string; namespaced: boolean }[] {
  const found = index.get(resource);
  if (!found || found.length === 0)
    throw new Error(`resource "${resource}" is not served by the API server (discovery)`);
  return [...found];
}

export function rbacMatrix(input: RbacMatrixInput): RbacCheck[] {
  const out = new Map<string, RbacCheck>();
  const { refs, verbs } = catalogVocabulary();
  const targeted = [...new Set(PHASES.flatMap((p) => input.agents[p].flatMap((a) => a.targetNamespaces)))].sort();
  const namespaces = [input.namespace, ...targeted, input.otherNamespace];
  for (const phase of PHASES) {
    for (const agent of input.agents[phase]) {
      const sa = agentNames(input.environment, phase, agent.name).serviceAccount;
      const user = `system:serviceaccount:${input.namespace}:${sa}`;
      const groups = ["system:serviceaccounts", `system:serviceaccounts:${input.namespace}`, "system:authenticated"];
      const scopeOf = (ns: string | undefined): Scope =>
        ns === undefined
          ? "cluster"
          : ns === input.namespace
            ? "own ns"
            : agent.targetNamespaces.includes(ns)
              ? "target ns"
              : "other ns";
      const add = (
        ns: string | undefined,
        verb: string,
        group: string,
        resource: string,
        name: string | undefined,
        label: string,
        basis: "catalog" | "forbidden",
      ) => {
        const scope = scopeOf(ns);
        const allowed =
          basis === "catalog" &&
          rulesAllow(rulesFor(scope, phase, agent), { verb, apiGroup: group, resource, ...(name ? { name } : {}) });
        const [res, sub] = resource.split("/");
        const key = [phase, agent.name, ns ?? "", verb, group, resource, name ?? ""].join("|");
        if (out.has(key)) return;
        out.set(key, {
          section: "rbac",
          phase,
          agent: agent.name,
          scope,
          verb,
          object: label,
          expected: allowed ? "allow" : "deny",
          basis,
          user,
          groups,
          attributes: {
            ...(ns ? { namespace: ns } : {}),
            verb,
            group,
            resource: res!,
            ...(sub ? { subresource: sub } : {}),
            ...(name ? { name } : {}),
          },
        });
      };
      // The never-lists first, so a catalog row that repeats one keeps the stronger basis.
      for (const ns of namespaces) {
        for (const r of FORBIDDEN_RESOURCES)
          for (const { group, namespaced } of lookup(input.index, r)) {
            if (namespaced)
              for (const v of ["get", "list", "watch", "create"]) add(ns, v, group, r, undefined, r, "forbidden");
          }
        for (const r of WORKLOAD_RESOURCES)
          for (const { group } of lookup(input.index, r)) add(ns, "create", group, r, undefined, r, "forbidden");
        for (const r of [...NO_WRITE_RESOURCES, ...NO_DELETE_RESOURCES]) {
          const writeVerbs = (NO_WRITE_RESOURCES as readonly string[]).includes(r) ? WRITE_VERB_SET : ["delete"];
          for (const { group, namespaced } of lookup(input.index, r)) {
            for (const v of writeVerbs) {
              if (namespaced) add(ns, v, group, r, undefined, r, "forbidden");
              else if (r === "namespaces")
                add(
                  undefined,
                  v,
                  group,
                  r,
                  NAMED_VERBS.has(v) ? ns : undefined,
                  NAMED_VERBS.has(v) ? "namespaces [a used one]" : r,
                  "forbidden",
                );
            }
          }
        }
        for (const v of ESCALATION_VERBS)
          for (const t of ESCALATION_TARGETS[v]) {
            const namespaced = t.resource === "roles" || t.resource === "serviceaccounts";
            add(namespaced ? ns : undefined, v, t.group, t.resource, undefined, t.resource, "forbidden");
          }
      }
      // Cluster-scoped reads (and creates) of everything cluster-scoped the never-lists name, namespaces included.
      const neverListed = [
        ...CLUSTER_ONLY_RESOURCES,
        ...NO_WRITE_RESOURCES,
        ...NO_DELETE_RESOURCES,
        ...FORBIDDEN_RESOURCES,
        ...WORKLOAD_RESOURCES,
      ];
      for (const r of new Set<string>(neverListed))
        for (const { group, namespaced } of lookup(input.index, r)) {
          if (!namespaced)
            for (const v of ["get", "list", "watch", "create"]) add(undefined, v, group, r, undefined, r, "forbidden");
        }
      // Cluster-wide reads of what the agent may read per namespace.
      for (const ref of refs)
        for (const v of ["list", "watch"])
          add(undefined, v, ref.group, ref.resource, undefined, `${ref.resource} [all namespaces]`, "forbidden");

      // The catalog grid: allowed exactly where the catalog's rules allow.
      const narrowed = new Map(
        CATALOG[phase].writes.map((w) => [`${w.resource.apiGroup}/${w.resource.resource}`, w.narrowedBy]),
      );
      const allNarrowable = new Set(
        PHASES.flatMap((p) => CATALOG[p].writes.map((w) => `${w.resource.apiGroup}/${w.resource.resource}`)),
      );
      for (const ns of namespaces)
        for (const ref of refs)
          for (const v of verbs) {
            const k = `${ref.group}/${ref.resource}`;
            if (!NAMED_VERBS.has(v) || !allNarrowable.has(k)) {
              add(ns, v, ref.group, ref.resource, undefined, ref.resource, "catalog");
              continue;
            }
            const by =
              narrowed.get(k) ??
              PHASES.flatMap((p) => CATALOG[p].writes).find(
                (w) => `${w.resource.apiGroup}/${w.resource.resource}` === k,
              )!.narrowedBy;
            const listed = agent.resourceNames?.[by] ?? [];
            add(ns, v, ref.group, ref.resource, undefined, `${ref.resource} [no name]`, "catalog");
            add(
              ns,
              v,
              ref.group,
              ref.resource,
              UNLISTED_NAME,
              `${ref.resource} [${listed.length ? "unlisted" : "any"} name]`,
              "catalog",
            );
            for (const n of listed) add(ns, v, ref.group, ref.resource, n, `${ref.resource} [listed name]`, "catalog");
          }
    }
  }
  return [...out.values()];
}
