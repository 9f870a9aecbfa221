/**
 * The pack's policies: one Pulumi policy per rule of the table, each a thin adapter. Resource rules become
 * `validateResource`, stack rules and the phase-ceiling rule become `validateStack`. Building the list has no side
 * effect, so tests call these policies directly; only `index.ts` constructs the PolicyPack.
 */
import type {
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
// Loads the admission room, which registers the generator `foundation-admission-policies` compares a foundation
// against (src/rules/foundation-admission.ts); without it that rule fails closed.
import "../src/admission";
import { ENVIRONMENTS, PHASES, type Environment, type Phase } from "../src/model/phases";
import type { Manifest } from "../src/model/manifest";
import {
  DEFAULT_ADVISORY_ENVIRONMENTS,
  judgesKind,
  RULES,
  settingsFrom,
  type Ceilings,
  type ConfigRule,
  type ResourceRule,
  type Rule,
  type RuleSettings,
  type StackConfigView,
  type StackRule,
} from "../src/rules";
import { evaluateConfig, evaluateObject, evaluateStack, type Evaluation } from "../src/rules/evaluate";
import { settingSchema } from "../src/rules/settings";
import { DEFAULT_CEILINGS } from "../src/rules/stack";
import { toDocument } from "./adapter";

/** What the pack knows about the stack it runs for; `index.ts` reads it from the stack's Pulumi config. */
export interface PackEnvironment {
  stackConfig(): StackConfigView;
}

type Level = "mandatory" | "advisory";

const phaseEnum = { type: "string" as const, enum: [...PHASES] };

/** The policy config a rule accepts: its settings, the hygiene downgrade, the ceilings. */
export function configSchemaOf(rule: Rule): PolicyConfigSchema {
  const properties: PolicyConfigSchema["properties"] = {};
  for (const s of rule.settings ?? []) properties[s] = settingSchema(s);
  if (!rule.security) {
    properties.advisoryInEnvironments = {
      type: "array",
      items: { type: "string", enum: [...ENVIRONMENTS] },
      default: [...DEFAULT_ADVISORY_ENVIRONMENTS],
      description: "Environments where this hygiene rule only warns.",
    };
  }
  if (rule.scope === "stack-config") {
    properties.ceilings = {
      type: "object",
      properties: { dev: phaseEnum, staging: phaseEnum, prod: phaseEnum },
      additionalProperties: false,
      default: { ...DEFAULT_CEILINGS },
      description: "Highest phase each environment may run.",
    };
  }
  return { properties };
}

export interface PolicyConfig extends Partial<RuleSettings> {
  advisoryInEnvironments?: string[];
  ceilings?: Partial<Record<Environment, Phase>>;
}

/** The stack's own namespace setting wins over the policy config's, since that is where the stack deploys. */
export function settingsOf(config: PolicyConfig, env: PackEnvironment): RuleSettings {
  const fromStack = env.stackConfig().namespace;
  const { maxTtlSeconds, maxJobDeadlineSeconds, kvMount, namespace } = config;
  const { maxPublicEgressShare, maxBroadEgressPorts, minPrivateEgressPrefixV4, minPrivateEgressPrefixV6 } = config;
  const egress = { maxPublicEgressShare, maxBroadEgressPorts, minPrivateEgressPrefixV4, minPrivateEgressPrefixV6 };
  const defined = Object.fromEntries(
    Object.entries({
      maxTtlSeconds,
      maxJobDeadlineSeconds,
      kvMount,
      namespace: fromStack ?? namespace,
      ...egress,
    }).filter(([, v]) => v !== undefined),
  );
  return settingsFrom(defined);
}

/**
 * Reports with an explicit enforcement level. @pulumi/policy 1.21 honours a level passed this way (its
 * reportViolation accepts an info object); it is how security rules stay mandatory even if policy config lowers
 * them, and how hygiene rules become advisory in dev. The analyzer-protocol test proves the level arrives.
 */
function reportAt(report: ReportViolation, level: Level, message: string, urn?: string): void {
  (report as unknown as (info: { message: string; urn?: string; enforcementLevel: Level }) => void)({
    message,
    urn,
    enforcementLevel: level,
  });
}

function base(rule: Rule) {
  return {
    name: rule.name,
    description: rule.description,
    remediationSteps: rule.remediationSteps,
    enforcementLevel: "mandatory" as const,
    severity: rule.security ? ("high" as const) : ("low" as const),
    tags: [rule.domain, rule.security ? "security" : "hygiene"],
    configSchema: configSchemaOf(rule),
  };
}

/** What the rules know of this stack: the stack's own config, and the policy's settings and hygiene downgrade. */
function evaluationOf(config: PolicyConfig, env: PackEnvironment): Evaluation {
  const stack = env.stackConfig();
  return {
    given: { phase: stack.phase, environment: stack.environment, layer: stack.layer },
    settings: settingsOf(config, env),
    advisoryIn: config.advisoryInEnvironments ?? DEFAULT_ADVISORY_ENVIRONMENTS,
  };
}

function resourcePolicy(rule: ResourceRule, env: PackEnvironment): ResourceValidationPolicy {
  return {
    ...base(rule),
    validateResource: (args, report) => {
      const doc = toDocument(args.type, args.name, args.props);
      if (!doc || !judgesKind(rule.kinds, doc.kind)) return;
      for (const f of evaluateObject(doc, evaluationOf(args.getConfig<PolicyConfig>(), env), [rule]))
        reportAt(report, f.enforcement, f.message);
    },
  };
}

function documentsOf(resources: readonly PolicyResource[]): { docs: Manifest[]; urns: Map<Manifest, string> } {
  const urns = new Map<Manifest, string>();
  for (const r of resources) {
    const doc = toDocument(r.type, r.name, r.props);
    if (doc) urns.set(doc, r.urn);
  }
  return { docs: [...urns.keys()], urns };
}

function stackPolicy(rule: StackRule, env: PackEnvironment): StackValidationPolicy {
  return {
    ...base(rule),
    validateStack: (args, report) => {
      const { docs, urns } = documentsOf(args.resources);
      for (const f of evaluateStack(docs, evaluationOf(args.getConfig<PolicyConfig>(), env), [rule])) {
        reportAt(report, f.enforcement, f.message, f.object ? urns.get(f.object) : undefined);
      }
    },
  };
}

function configPolicy(rule: ConfigRule, env: PackEnvironment): StackValidationPolicy {
  return {
    ...base(rule),
    validateStack: (args, report) => {
      const config = args.getConfig<PolicyConfig>();
      const ceilings: Ceilings = { ...DEFAULT_CEILINGS, ...(config.ceilings ?? {}) };
      for (const f of evaluateConfig(env.stackConfig(), ceilings, [rule])) reportAt(report, f.enforcement, f.message);
    },
  };
}

/** One policy per rule of the table, in table order. */
export function buildPolicies(env: PackEnvironment): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return RULES.map((rule) =>
    rule.scope === "resource"
      ? resourcePolicy(rule, env)
      : rule.scope === "stack"
        ? stackPolicy(rule, env)
        : configPolicy(rule, env),
  );
}
