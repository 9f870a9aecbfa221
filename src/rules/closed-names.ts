/**
 * The closed world of names: every object of a phase stack belongs to one agent of that phase by the naming
 * module (`<agent>-<phase>[-<role>]`), sits where the plan puts it, and refers only to that agent's own objects of
 * that phase: a RoleBinding to its own Role and ServiceAccount, a pod template to its own ServiceAccount and
 * labels, a NetworkPolicy to its own pods. So a binding to a Role in kube-system or of another phase, a
 * NetworkPolicy that selects every pod, or another phase's object redeclared here is refused file by file,
 * without the rest of the stack (the stack-wide half is closed-references.ts). Pure.
 */
import { CATALOG, executorRules, phaseSpec, targetNamespaceRules } from "../model/catalog";
import {
  agentServiceAccount,
  EXECUTOR_SUFFIX,
  executorServiceAccount,
  isDnsLabel,
  LABELS,
  parseAgentName,
  ROLE_SUFFIXES,
  SYSTEM_NAMESPACES,
  EGRESS_SUFFIX,
  type ParsedAgentName,
} from "../model/naming";
import { allowRead, READ_VERBS, SELF_RESOURCES } from "../model/rbac";
import type { Manifest } from "../model/manifest";
import { layerOf } from "./closed-kinds";
import { policyRules } from "./helpers";
import { field, isObj, isUnknown, list, podSpecsOf, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";

const RBAC = "rbac.authorization.k8s.io";

/**
 * The ServiceAccount an object of a parsed name belongs to: the executor's for the executor's objects, else the
 * agent's (built by the naming module, never by hand).
 */
const serviceAccountOf = (p: ParsedAgentName) =>
  p.role === EXECUTOR_SUFFIX ? executorServiceAccount(p.agent, p.phase) : agentServiceAccount(p.agent, p.phase);

/** Object labels that name a phase, agent or environment must name this stack's. */
function labelProblems(
  labels: unknown,
  at: string,
  owner: ParsedAgentName,
  ctx: RuleContext,
  required: boolean,
): string[] {
  const l = isObj(labels) ? labels : {};
  // The environment is checked when the stack's is known (stack config, --env): judged as prod by default says
  // how strictly, not where the object is deployed.
  const want: [string, string][] = [
    [LABELS.agent, owner.agent],
    [LABELS.phase, ctx.stackPhase],
    ...(ctx.stackEnvironment ? ([[LABELS.environment, ctx.stackEnvironment]] as [string, string][]) : []),
  ];
  return want.flatMap(([key, value]) => {
    const v = l[key];
    if (v === undefined)
      return required && key !== LABELS.environment
        ? [`${at}["${key}"] is missing; the plan sets it to "${value}"`]
        : [];
    return v === value ? [] : [`${at}["${key}"] is ${show(v)}; an object of this stack carries "${value}"`];
  });
}

/** The name, namespace and labels every object of a phase stack must have; undefined owner when the name is foreign. */
function ownership(obj: Manifest, ctx: RuleContext): { owner?: ParsedAgentName; problems: string[] } {
  const name = obj.metadata?.name;
  // Every name the plan builds is a DNS label; anything else is no agent's name (and no name is built from it).
  const parsed = typeof name === "string" && isDnsLabel(name) ? parseAgentName(name) : undefined;
  if (!parsed) {
    return {
      problems: [
        `metadata.name ${show(name)} is not an agent's name of this phase; the plan names it "<agent>-${ctx.stackPhase}[-…]"`,
      ],
    };
  }
  if (parsed.phase !== ctx.stackPhase) {
    return {
      problems: [
        `metadata.name "${name}" belongs to phase "${parsed.phase}"; the "${ctx.stackPhase}" stack holds only its own phase's objects`,
      ],
    };
  }
  const problems = labelProblems(obj.metadata?.labels, "metadata.labels", parsed, ctx, false);
  if (parsed.role === EXECUTOR_SUFFIX && CATALOG[parsed.phase].approvable.length === 0)
    problems.push(`metadata.name "${name}" is an executor's; phase "${parsed.phase}" approves nothing and has none`);
  else if (parsed.role === EXECUTOR_SUFFIX && ctx.approvalProxy === false)
    problems.push(
      `metadata.name "${name}" is an executor's; this stack's foundation runs no approval proxy, so the plan has none`,
    );
  return { owner: parsed, problems };
}

const namespaceOf = (obj: Manifest): unknown => obj.metadata?.namespace;

function inAgentsNamespace(obj: Manifest, ctx: RuleContext): string[] {
  const ns = namespaceOf(obj);
  return ns === ctx.namespace
    ? []
    : [
        `metadata.namespace is ${show(ns)}; the plan puts ${obj.kind} "${obj.metadata?.name}" in the agents namespace "${ctx.namespace}"`,
      ];
}

/** A Role or RoleBinding: `-self` in the agents namespace, `-target` in a target namespace (never a system one). */
function grantPlace(obj: Manifest, owner: ParsedAgentName, ctx: RuleContext): string[] {
  const ns = namespaceOf(obj);
  if (owner.role === ROLE_SUFFIXES.agents) return inAgentsNamespace(obj, ctx);
  if (owner.role !== ROLE_SUFFIXES.target && owner.role !== EXECUTOR_SUFFIX) {
    return [
      `metadata.name "${obj.metadata?.name}" ends in "-${owner.role}"; the plan's ${obj.kind}s end in -${ROLE_SUFFIXES.agents} (agents namespace), -${ROLE_SUFFIXES.target} or -${EXECUTOR_SUFFIX}`,
    ];
  }
  if (typeof ns !== "string" || ns === "")
    return [`metadata.namespace is ${show(ns)}; a target ${obj.kind} names its target namespace`];
  if (ns === ctx.namespace)
    return [
      `a -${owner.role} ${obj.kind} in the agents namespace "${ns}"; there the agent has only its -${ROLE_SUFFIXES.agents} grants`,
    ];
  if (SYSTEM_NAMESPACES.includes(ns)) return [`metadata.namespace "${ns}" is a system namespace; no agent targets it`];
  return [];
}

/**
 * Every verb on every resource a Role grants is one the catalog grants this role in this phase. In a target
 * namespace the writes are verbs-within-phase-ceiling's to judge (one refusal per excess, not two): here, reads
 * (an executor holds none: only its phase's approvable verbs).
 */
function grantsWithinCatalog(obj: Manifest, owner: ParsedAgentName, ctx: RuleContext): string[] {
  const self = owner.role === ROLE_SUFFIXES.agents;
  const allowed = self
    ? allowRead(SELF_RESOURCES)
    : owner.role === EXECUTOR_SUFFIX
      ? executorRules(ctx.stackPhase)
      : targetNamespaceRules(ctx.stackPhase);
  const judged = (verb: string) => self || (READ_VERBS as readonly string[]).includes(verb);
  const grants = (verb: string, group: string, resource: string) =>
    allowed.some((r) => r.verbs.includes(verb) && r.apiGroups.includes(group) && r.resources.includes(resource));
  const where = self ? "its own namespace" : "a target namespace";
  return policyRules(obj).flatMap((r) => [
    ...(r.nonResourceURLs.length > 0 ? [`${r.at}.nonResourceURLs: a Role grants no URLs; the catalog has none`] : []),
    ...r.apiGroups.flatMap((g) =>
      r.resources.flatMap((res) =>
        r.verbs
          .filter((v) => judged(v) && !grants(v, g, res))
          .map(
            (v) =>
              `${r.at}: "${v}" on ${g ? `${g}/` : ""}${res} is not in the catalog for phase "${ctx.stackPhase}" in ${where} (${phaseSpec(ctx.stackPhase).summary})`,
          ),
      ),
    ),
  ]);
}

function bindingRefs(obj: Manifest, owner: ParsedAgentName, ctx: RuleContext): string[] {
  const out: string[] = [];
  const ref = obj.roleRef;
  const name = obj.metadata?.name;
  if (!isObj(ref) || ref.kind !== "Role" || ref.apiGroup !== RBAC || ref.name !== name) {
    out.push(
      `roleRef is ${show(ref)}; a binding of this agent and phase references its own Role {apiGroup: ${RBAC}, kind: Role, name: ${name}}`,
    );
  }
  const subjects = list(obj.subjects);
  const sa = serviceAccountOf(owner);
  if (subjects.length === 0) out.push(`subjects is empty; the plan binds the ServiceAccount "${sa}"`);
  subjects.forEach((s, i) => {
    const apiGroup = field(s, "apiGroup");
    const ok =
      isObj(s) &&
      s.kind === "ServiceAccount" &&
      s.name === sa &&
      s.namespace === ctx.namespace &&
      (apiGroup === undefined || apiGroup === "");
    if (!ok)
      out.push(
        `subjects[${i}] is ${show(s)}; only this agent's ServiceAccount {kind: ServiceAccount, name: ${sa}, namespace: ${ctx.namespace}} is bound`,
      );
  });
  return out;
}

function podTemplates(obj: Manifest, owner: ParsedAgentName, ctx: RuleContext): string[] {
  const pods = podSpecsOf(obj);
  if (pods.length === 0) return [`holds no pod template; the plan's ${obj.kind} runs the agent's pods`];
  // Never the executor's: only the approval proxy acts as it.
  const sa = agentServiceAccount(owner.agent, owner.phase);
  return pods.flatMap((pod) => {
    const out = labelProblems(field(pod.meta, "labels"), `${pod.metaAt}.labels`, owner, ctx, true);
    for (const key of ["serviceAccountName", "serviceAccount"]) {
      const v = pod.spec[key];
      if ((key === "serviceAccountName" || v !== undefined) && v !== sa)
        out.push(`${pod.at}.${key} is ${show(v)}; this agent's pods run as "${sa}"`);
    }
    return out;
  });
}

function selectsOwnPods(obj: Manifest, owner: ParsedAgentName, ctx: RuleContext): string[] {
  if (owner.role !== EGRESS_SUFFIX)
    return [
      `metadata.name "${obj.metadata?.name}" ends in "-${owner.role}"; the agent's NetworkPolicy ends in -${EGRESS_SUFFIX}`,
    ];
  const selector = field(obj, "spec", "podSelector");
  const labels = field(selector, "matchLabels");
  const want = `{matchLabels: {${LABELS.agent}: ${owner.agent}, ${LABELS.phase}: ${ctx.stackPhase}}}`;
  const extra = isObj(selector) ? Object.keys(selector).filter((k) => k !== "matchLabels") : [];
  const own = isObj(labels) && labels[LABELS.agent] === owner.agent && labels[LABELS.phase] === ctx.stackPhase;
  return own && extra.length === 0
    ? []
    : [`spec.podSelector is ${show(selector)}; a phase stack's NetworkPolicy selects only its agent's pods: ${want}`];
}

/** Per kind: where the plan puts it, what it refers to. Kinds not listed here are refused by stack-kinds-closed. */
const CHECKS: Readonly<Record<string, (obj: Manifest, owner: ParsedAgentName, ctx: RuleContext) => string[]>> = {
  ServiceAccount: (obj, owner, ctx) => [
    ...(owner.role === "" || owner.role === EXECUTOR_SUFFIX
      ? []
      : [
          `metadata.name "${obj.metadata?.name}" is not a ServiceAccount name of the plan; it names it "${serviceAccountOf(owner)}"`,
        ]),
    ...inAgentsNamespace(obj, ctx),
  ],
  Role: (obj, owner, ctx) => [...grantPlace(obj, owner, ctx), ...grantsWithinCatalog(obj, owner, ctx)],
  RoleBinding: (obj, owner, ctx) => [...grantPlace(obj, owner, ctx), ...bindingRefs(obj, owner, ctx)],
  NetworkPolicy: (obj, owner, ctx) => [...inAgentsNamespace(obj, ctx), ...selectsOwnPods(obj, owner, ctx)],
  PodTemplate: (obj, owner, ctx) => [
    ...nonEmptyRole(obj, owner),
    ...inAgentsNamespace(obj, ctx),
    ...podTemplates(obj, owner, ctx),
  ],
  Job: (obj, owner, ctx) => [
    ...nonEmptyRole(obj, owner),
    ...inAgentsNamespace(obj, ctx),
    ...podTemplates(obj, owner, ctx),
  ],
};

function nonEmptyRole(obj: Manifest, owner: ParsedAgentName): string[] {
  return owner.role === ""
    ? [
        `metadata.name "${obj.metadata?.name}" is the ServiceAccount's name; a ${obj.kind} adds its tier or investigation id`,
      ]
    : [];
}

export const PHASE_NAMED_KINDS: readonly string[] = Object.keys(CHECKS);

export const phaseObjectsOwned: ResourceRule = {
  name: "phase-objects-owned",
  domain: "rbac",
  scope: "resource",
  security: true,
  kinds: PHASE_NAMED_KINDS,
  reads: [
    "metadata.name",
    "metadata.namespace",
    "metadata.labels",
    "roleRef",
    "subjects",
    "rules",
    "spec.podSelector",
    "{pod}",
  ],
  description:
    "Every object of a phase stack belongs to one agent of that phase by the naming module (<agent>-<phase>[-role]) and stays in its " +
    "lane: a RoleBinding references only its own Role and binds only its own ServiceAccount; a Role grants exactly the catalog's " +
    "resources and verbs; a pod template runs only as its own ServiceAccount with its own labels; a NetworkPolicy selects only its own pods.",
  remediationSteps:
    "Generate the object with the plan (agent-trust render) instead of writing it by hand; another phase's or the foundation's objects belong in their own stacks.",
  appliesTo: (_obj, ctx) => layerOf(ctx.layer) === "phase",
  validate: (obj, ctx) => {
    const { owner, problems } = ownership(obj, ctx);
    if (!owner || isUnknown(obj.metadata?.name)) return problems;
    return [...problems, ...CHECKS[obj.kind]!(obj, owner, ctx)];
  },
};

export const CLOSED_NAME_RULES: readonly ResourceRule[] = [phaseObjectsOwned];
