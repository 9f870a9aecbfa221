/**
 * The one rules boundary: every adapter (the policy pack, the offline checker, `check --stack`) runs the rule table
 * through these three functions and only adapts input and formats output, so they cannot disagree on which rules
 * run, how unknown values are treated, which phase and environment an object is judged as, or how strict a
 * finding is. Pure.
 */
import { isEnvironment, type Environment } from "../model/phases";
import type { Manifest } from "../model/manifest";
import {
  CONFIG_RULES,
  contextFor,
  DEFAULT_ADVISORY_ENVIRONMENTS,
  enforcementOf,
  environmentFor,
  judge,
  resourceRulesFor,
  STACK_RULES,
  STRICTEST_ENVIRONMENT,
  type Given,
} from "./index";
import { podSpecsOf } from "./paths";
import type { Ceilings, ConfigRule, ResourceRule, Rule, RuleSettings, StackConfigView, StackRule } from "./types";

/** One finding of any rule: what every adapter reports, each in its own format. */
export interface Finding {
  readonly rule: Rule;
  readonly enforcement: "mandatory" | "advisory";
  readonly message: string;
  /** The object at fault, when there is one (always, for a resource rule). */
  readonly object?: Manifest;
}

/** Where the input will be deployed, and how strictly hygiene is judged there. */
export interface Evaluation {
  readonly given: Given;
  readonly settings: RuleSettings;
  /** Environments where hygiene rules only warn (the pack's policy config; default: dev). */
  readonly advisoryIn?: readonly string[];
}

const levelOf = (rule: Rule, environment: Environment, e: Evaluation) =>
  enforcementOf(rule, environment, e.advisoryIn ?? DEFAULT_ADVISORY_ENVIRONMENTS);

/**
 * Judges one object with the resource rules (default: every rule that judges its kind, in table order), at the
 * phase and environment `contextFor` gives it.
 */
export function evaluateObject(obj: Manifest, e: Evaluation, rules?: readonly ResourceRule[]): Finding[] {
  const ctx = contextFor(obj, e.given, e.settings);
  const table = rules ?? resourceRulesFor(obj.kind, podSpecsOf(obj).length > 0);
  const found: Finding[] = [];
  // Indexed loops: this runs for every rule of every object, mostly before the JIT has optimised it.
  // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed on purpose, see above
  for (let r = 0; r < table.length; r++) {
    const rule = table[r]!;
    const messages = judge(rule, obj, ctx);
    // eslint-disable-next-line @typescript-eslint/prefer-for-of -- indexed on purpose, see above
    for (let m = 0; m < messages.length; m++)
      found.push({ rule, enforcement: levelOf(rule, ctx.environment, e), message: messages[m]!, object: obj });
  }
  return found;
}

/**
 * The environment a stack finding is judged in: the one given, else the strictest; the object at fault's own
 * environment label may only tighten it (the same principle as `environmentFor`, for checker and pack alike).
 */
export function stackFindingEnvironment(object: Manifest | undefined, given: Given): Environment {
  if (object) return environmentFor(object, given.environment, given.trustLabels);
  return isEnvironment(given.environment) ? given.environment : STRICTEST_ENVIRONMENT;
}

/** Judges a whole stack with the stack rules (default: all of them). */
export function evaluateStack(
  objects: readonly Manifest[],
  e: Evaluation,
  rules: readonly StackRule[] = STACK_RULES,
): Finding[] {
  const found: Finding[] = [];
  for (const rule of rules) {
    for (const f of rule.validate(objects, e.settings, e.given)) {
      found.push({
        rule,
        enforcement: levelOf(rule, stackFindingEnvironment(f.object, e.given), e),
        message: f.message,
        object: f.object,
      });
    }
  }
  return found;
}

/** Judges a stack's own configuration (only the pack sees it); always mandatory. */
export function evaluateConfig(
  config: StackConfigView,
  ceilings: Ceilings,
  rules: readonly ConfigRule[] = CONFIG_RULES,
): Finding[] {
  return rules.flatMap((rule) =>
    rule.validate(config, ceilings).map((message) => ({ rule, enforcement: "mandatory" as const, message })),
  );
}
