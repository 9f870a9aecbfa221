/**
 * The offline checker: the rule table over plain documents, for teams that deploy through GitOps or Helm and for
 * reviewing `agent-trust render` output. Each object is judged alone unless `stack` says the input is one whole
 * stack; the stack-config rules (the phase ceiling) need the stack's Pulumi config and run only in the pack.
 */
import * as path from "node:path";
import type { Environment, Phase } from "../model/phases";
import type { Manifest } from "../plan/manifest";
import {
  contextFor,
  coveredKinds,
  enforcementOf,
  judge,
  RESOURCE_RULES,
  resourceRulesFor,
  settingsFrom,
  STACK_RULES,
  STRICTEST_ENVIRONMENT,
  type Layer,
  type Rule,
  type RuleSettings,
} from "../rules";
import { describeObject, podSpecsOf } from "../rules/paths";
import { loadPaths, loadYaml, type Loaded } from "./load";
import { checkFileInParallel } from "./parallel";
import { readRegularFile, walkPaths } from "./walk";

export interface CheckOptions {
  /** Judge every object as this phase (else the strictest); an object's own phase label may only lower it. */
  readonly phase?: Phase;
  /** Judge every object as in this environment (else prod); an object's environment label may only tighten it. */
  readonly env?: Environment;
  /** Opt in: without --phase/--env, judge each object at the phase and environment its labels claim. */
  readonly trustLabels?: boolean;
  /** The input is a foundation stack's: the kinds the foundation renders are allowed (default: agent input). */
  readonly layer?: Layer;
  /** The input is one whole stack: run the stack-level rules too. */
  readonly stack?: boolean;
  readonly settings?: Partial<RuleSettings>;
}

export interface CheckViolation {
  readonly policy: string;
  readonly enforcement: "mandatory" | "advisory";
  /** `Kind namespace/name`, plus the file and document it came from when known. */
  readonly resource: string;
  readonly message: string;
  readonly remediation: string;
  readonly file?: string;
}

export interface CheckResult {
  readonly violations: CheckViolation[];
  /** Objects no active rule judges, counted by kind. */
  readonly passedOver: Record<string, number>;
  /** Unreadable input, each naming its file; any makes the check fail with exit code 2. */
  readonly errors: string[];
  /** Number of objects read. */
  readonly checked: number;
}

/** Loaded objects carry their source; bare manifests (e.g. `renderStack` output) have `kind` at the top. */
function isLoaded(l: Loaded | Manifest): l is Loaded {
  return typeof (l as Manifest).kind !== "string";
}

function resourceOf(l: Loaded | Manifest): { resource: string; file?: string } {
  if (isLoaded(l)) return { resource: `${describeObject(l.object)} (${l.file}, document ${l.document})`, file: l.file };
  return { resource: describeObject(l) };
}

function violation(rule: Rule, enforcement: "mandatory" | "advisory", where: Loaded | Manifest | undefined, message: string): CheckViolation {
  const at = where ? resourceOf(where) : { resource: "(stack)" };
  return { policy: rule.name, enforcement, message, remediation: rule.remediationSteps, ...at };
}

/** Judges objects already in memory (e.g. `renderStack` output): the whole check in one call. */
export function checkDocuments(input: readonly (Loaded | Manifest)[], options: CheckOptions = {}): CheckResult {
  const settings = settingsFrom(options.settings ?? {});
  const given = { phase: options.phase, environment: options.env, trustLabels: options.trustLabels, layer: options.layer };
  const objectOf = (l: Loaded | Manifest): Manifest => (isLoaded(l) ? l.object : l);
  const violations: CheckViolation[] = [];
  for (const item of input) {
    const obj = objectOf(item);
    const ctx = contextFor(obj, given, settings);
    for (const rule of resourceRulesFor(obj.kind)) {
      for (const message of judge(rule, obj, ctx)) violations.push(violation(rule, enforcementOf(rule, ctx.environment), item, message));
    }
  }
  const active: Rule[] = [...RESOURCE_RULES];
  if (options.stack) {
    active.push(...STACK_RULES);
    const objects = input.map(objectOf);
    for (const rule of STACK_RULES) {
      for (const f of rule.validate(objects, settings)) {
        const where = f.object ? input[objects.indexOf(f.object)] : undefined;
        violations.push(violation(rule, enforcementOf(rule, options.env ?? STRICTEST_ENVIRONMENT), where, f.message));
      }
    }
  }
  const covered = coveredKinds(active);
  const passedOver: Record<string, number> = {};
  for (const item of input) {
    const obj = objectOf(item);
    // Pod rules judge every object that carries a pod spec, whatever its kind.
    if (!covered.has(obj.kind) && podSpecsOf(obj).length === 0) passedOver[obj.kind] = (passedOver[obj.kind] ?? 0) + 1;
  }
  return { violations, passedOver, errors: [], checked: input.length };
}

/** Reads the paths (files and directories) and checks what they hold. */
export function check(paths: readonly string[], options: CheckOptions = {}): CheckResult {
  const walked = walkPaths(paths);
  // One large YAML file (the usual shape of rendered or generated input) is read and judged on both cores.
  const only = walked.files.length === 1 && walked.errors.length === 0 ? walked.files[0]! : undefined;
  if (only && path.extname(only).toLowerCase() !== ".hcl") {
    const read = readRegularFile(only);
    if ("text" in read) {
      const parallel = checkFileInParallel(only, read.text, options, checkDocuments);
      if (parallel) return parallel;
      const loaded = loadYaml(only, read.text);
      return { ...checkDocuments(loaded.objects, options), errors: loaded.errors };
    }
  }
  const loaded = loadPaths(paths);
  return { ...checkDocuments(loaded.objects, options), errors: loaded.errors };
}

export const hasMandatory = (r: CheckResult) => r.violations.some((v) => v.enforcement === "mandatory");

export { loadPaths, type Loaded } from "./load";
