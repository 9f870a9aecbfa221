/**
 * The rule table: every rule the policy pack, the offline checker and the admission policies enforce, in one
 * place, plus the few functions every adapter needs to run them the same way. Pure: nothing here imports Pulumi.
 */
import { LABELS } from "../model/naming";
import {
  ENVIRONMENTS,
  isAbove,
  isEnvironment,
  isPhase,
  STRICTEST_PHASE,
  type Environment,
  type Phase,
} from "../model/phases";
import type { Manifest } from "../model/manifest";
import { CLOSED_KIND_RULES } from "./closed-kinds";
import { CLOSED_NAME_RULES } from "./closed-names";
import { CLOSED_STACK_RULES } from "./closed-references";
import { auditPolicyRecordsAgents } from "./audit-policy";
import { CLUSTER_RULES } from "./cluster";
import { NETWORK_RULES } from "./network";
import { clampSettings } from "./settings";
import { NETWORK_STACK_RULES } from "./network-stack";
import { ANY_KIND, judgesKind, podSpecsOf, UNKNOWN } from "./paths";
import { holdsUnknown, unknownPaths } from "./unknowns";
import { NAMESPACE_LIMIT_RULES } from "./namespace-limits";
import { POD_RULES } from "./pods";
import { prometheusRulesAsPlanned } from "./prometheus-rules";
import { approvalObjectsAsPlanned, isPlannedApprovalObject } from "./approval-planned";
import { RBAC_RULES } from "./rbac";
import { OPAQUE_RESOURCE_RULES, OPAQUE_STACK_RULES, setReadKinds } from "./opaque";
import { CONFIG_RULES, STACK_RULES as BASE_STACK_RULES } from "./stack";
import type { Given, Layer, ResourceRule, Rule, RuleContext, RuleSettings, StackRule } from "./types";
import { VAULT_RULES } from "./vault";

export type * from "./types";
export { UNKNOWN };
export { CONFIG_RULES };

export const RESOURCE_RULES: readonly ResourceRule[] = [
  ...CLOSED_KIND_RULES,
  ...CLOSED_NAME_RULES,
  ...RBAC_RULES,
  ...CLUSTER_RULES,
  ...NAMESPACE_LIMIT_RULES,
  auditPolicyRecordsAgents,
  prometheusRulesAsPlanned,
  approvalObjectsAsPlanned,
  ...OPAQUE_RESOURCE_RULES,
  ...POD_RULES,
  ...NETWORK_RULES,
  ...VAULT_RULES,
];

/** Stack rules: the stack-wide checks, the network limits over the union of policies selecting each pod, and the listing of unjudged types. */
export const STACK_RULES: readonly StackRule[] = [
  ...BASE_STACK_RULES,
  ...CLOSED_STACK_RULES,
  ...NETWORK_STACK_RULES,
  ...OPAQUE_STACK_RULES,
];

export { FOUNDATION_CLUSTER_KINDS } from "./cluster";
export { ANY_KIND, judgesKind };

const BY_KIND = new Map<string, readonly ResourceRule[]>();
const BY_KIND_WITHOUT_PODS = new Map<string, readonly ResourceRule[]>();

/**
 * The resource rules that judge objects of `kind` (table order), listed once per kind. With `podSpecs: false`
 * (the object holds no pod spec) the rules that read only pod specs are left out: they would pass it anyway.
 */
export function resourceRulesFor(kind: string, podSpecs = true): readonly ResourceRule[] {
  const cache = podSpecs ? BY_KIND : BY_KIND_WITHOUT_PODS;
  let rules = cache.get(kind);
  if (!rules)
    cache.set(kind, (rules = RESOURCE_RULES.filter((r) => judgesKind(r.kinds, kind) && (podSpecs || !r.podSpecsOnly))));
  return rules;
}

/** Every rule, in the order reports and docs list them. */
export const RULES: readonly Rule[] = [...RESOURCE_RULES, ...STACK_RULES, ...CONFIG_RULES];

export function ruleByName(name: string): Rule | undefined {
  return RULES.find((r) => r.name === name);
}

/** The environment an object is judged as when nothing says which: the strictest. */
export const STRICTEST_ENVIRONMENT: Environment = "prod";

/** Where hygiene rules are advisory unless the pack's policy config says otherwise. */
export const DEFAULT_ADVISORY_ENVIRONMENTS: readonly Environment[] = ["dev"];

export { DEFAULT_SETTINGS, SETTINGS } from "./settings";

/** Settings from config, clamped by the settings table: never looser than the limits (a cap can be lowered, not raised). */
export function settingsFrom(partial: Partial<RuleSettings>): RuleSettings {
  return clampSettings(partial);
}

/**
 * The phase an object is judged as. No object raises its own ceiling: the base is the phase the user gave
 * (stack config, `--phase`), else (only when the user opted in with `trustLabels`) the object's phase label,
 * else the strictest; the object's label may then only lower it.
 */
export function phaseFor(obj: Manifest, given?: string, trustLabels = false): Phase {
  const label = obj.metadata?.labels?.[LABELS.phase];
  const base = stackPhaseFor(obj, given, trustLabels);
  return isPhase(label) && isAbove(base, label) ? label : base;
}

/** The phase of the stack an object is in: the one given, else (opted in) its label, else the strictest. */
export function stackPhaseFor(obj: Manifest, given?: string, trustLabels = false): Phase {
  const label = obj.metadata?.labels?.[LABELS.phase];
  return isPhase(given) ? given : trustLabels && isPhase(label) ? label : STRICTEST_PHASE;
}

/** Strictness of environments: prod is the strictest. */
const strictness = (e: Environment) => ENVIRONMENTS.indexOf(e);

/** The environment, by the same principle: given, else (opted in) the label, else prod; a label may only tighten. */
export function environmentFor(obj: Manifest, given?: string, trustLabels = false): Environment {
  const label = obj.metadata?.labels?.[LABELS.environment];
  const base = isEnvironment(given) ? given : trustLabels && isEnvironment(label) ? label : STRICTEST_ENVIRONMENT;
  return isEnvironment(label) && strictness(label) > strictness(base) ? label : base;
}

export function contextFor(obj: Manifest, given: Given, settings: RuleSettings): RuleContext {
  const layer: Layer = given.layer === "foundation" ? "foundation" : "phase";
  const phase = phaseFor(obj, given.phase, given.trustLabels);
  const stackPhase = stackPhaseFor(obj, given.phase, given.trustLabels);
  const environment = environmentFor(obj, given.environment, given.trustLabels);
  const envLabel = obj.metadata?.labels?.[LABELS.environment];
  const stackEnvironment = isEnvironment(given.environment)
    ? given.environment
    : given.trustLabels && isEnvironment(envLabel)
      ? envLabel
      : undefined;
  // Objects judged alike share one frozen context: a checker run over many objects builds only a handful.
  let bySettings = CONTEXTS.get(settings);
  if (!bySettings) CONTEXTS.set(settings, (bySettings = new Map<string, RuleContext>()));
  const approvalProxy = given.approvalProxy;
  const key = `${phase}|${stackPhase}|${environment}|${stackEnvironment}|${layer}|${approvalProxy}`;
  let ctx = bySettings.get(key);
  if (!ctx)
    bySettings.set(
      key,
      (ctx = Object.freeze({ ...settings, phase, stackPhase, stackEnvironment, environment, layer, approvalProxy })),
    );
  return ctx;
}

const CONTEXTS = new WeakMap<RuleSettings, Map<string, RuleContext>>();

/** Security rules are always mandatory; hygiene rules are advisory in the listed environments. */
export function enforcementOf(
  rule: Rule,
  environment: Environment,
  advisoryIn: readonly string[] = DEFAULT_ADVISORY_ENVIRONMENTS,
): "mandatory" | "advisory" {
  if (rule.advisoryOnly) return "advisory";
  return !rule.security && advisoryIn.includes(environment) ? "advisory" : "mandatory";
}

/**
 * Judges one object with one resource rule, as every adapter must: an object of another kind passes, and a value
 * unknown during preview on a path the rule reads is a violation, so no rule passes what it cannot see.
 */
export function judge(rule: ResourceRule, obj: Manifest, ctx: RuleContext): string[] {
  if (!judgesKind(rule.kinds, obj.kind) || (rule.podSpecsOnly && podSpecsOf(obj).length === 0)) return [];
  if (rule.appliesTo && !rule.appliesTo(obj, ctx)) return [];
  // The foundation's approval objects, exactly as planned, are judged by `approval-objects-as-planned` alone.
  if (rule !== approvalObjectsAsPlanned && isPlannedApprovalObject(obj, ctx)) return [];
  // Most objects hold no unknown value at all (known once per object): no path is walked for them.
  const unknown = holdsUnknown(obj) ? unknownPaths(obj, rule.reads) : [];
  if (unknown.length > 0) {
    return unknown.map(
      (p) => `${p} is unknown during preview; this rule cannot pass a value it cannot see (set it from plain config)`,
    );
  }
  return rule.validate(obj, ctx);
}

/** Kinds some rule of the given set judges or reads by name (rules over every kind read only the scope). */
export function coveredKinds(rules: readonly Rule[]): Set<string> {
  return new Set(rules.flatMap((r) => (r.scope === "stack-config" ? [] : r.kinds.filter((k) => k !== ANY_KIND))));
}

// The advisory listing of unjudged types needs to know which kinds the other rules read.
setReadKinds(coveredKinds([...RESOURCE_RULES, ...BASE_STACK_RULES]));
