/**
 * The checker's judging: the rule table over objects, one at a time (`judging`) or all at once
 * (`checkDocuments`). Each object is judged alone unless `stack` says the input is one whole stack. Pure.
 */
// Loads the admission room, which registers the generator `foundation-admission-policies` compares a foundation
// against (src/rules/foundation-admission.ts); without it that rule fails closed.
import "../admission";
import type { Environment, Phase } from "../model/phases";
import type { Manifest } from "../model/manifest";
import { coveredKinds, RESOURCE_RULES, settingsFrom, STACK_RULES, type Layer, type RuleSettings } from "../rules";
import { evaluateObject, evaluateStack, type Evaluation, type Finding } from "../rules/evaluate";
import { describeObject, podSpecsOf } from "../rules/paths";
import { judgingWithoutUnknown } from "../rules/unknowns";
import type { Loaded } from "./load";

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
  /** Whether the stack's foundation runs the approval proxy (known with --for-stack): false refuses executors. */
  readonly approvalProxy?: boolean;
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

function violation(f: Finding, where: Loaded | Manifest | undefined): CheckViolation {
  const at = where ? resourceOf(where) : { resource: "(stack)" };
  return {
    policy: f.rule.name,
    enforcement: f.enforcement,
    message: f.message,
    remediation: f.rule.remediationSteps,
    ...at,
  };
}

/** Judges objects one at a time, keeping only what they broke: the check streams, so its objects die young. */
export interface Judging {
  /** Judges one object; `clean`: it cannot hold the UNKNOWN sentinel (its text does not spell it). */
  add(item: Loaded | Manifest, clean?: boolean): void;
  /** The result so far; the stack rules (when `stack`) run over `all`, every object of the stack. */
  result(all?: readonly (Loaded | Manifest)[]): CheckResult;
}

export function judging(options: CheckOptions = {}): Judging {
  const given = {
    phase: options.phase,
    environment: options.env,
    trustLabels: options.trustLabels,
    layer: options.layer,
    approvalProxy: options.approvalProxy,
  };
  const evaluation: Evaluation = { given, settings: settingsFrom(options.settings ?? {}) };
  const covered = coveredKinds(options.stack ? [...RESOURCE_RULES, ...STACK_RULES] : RESOURCE_RULES);
  const violations: CheckViolation[] = [];
  // A Map, since a kind is input: `__proto__` or `toString` must count like any other.
  const passedOver = new Map<string, number>();
  let checked = 0;
  return {
    add(item, clean = false) {
      checked++;
      const obj = objectOf(item);
      if (clean) judgingWithoutUnknown(obj);
      const found = evaluateObject(obj, evaluation);
      for (const f of found) violations.push(violation(f, item));
      // Passed over: no rule reads its kind and none reported on it (the closed world refuses a kind by name, and
      // pod rules judge every object that carries a pod spec, whatever its kind).
      if (found.length === 0 && !covered.has(obj.kind) && podSpecsOf(obj).length === 0)
        passedOver.set(obj.kind, (passedOver.get(obj.kind) ?? 0) + 1);
    },
    result(all = []) {
      const found = [...violations];
      if (options.stack) {
        const objects = all.map(objectOf);
        // Each object's first position, looked up per finding (an indexOf per finding is quadratic).
        const at = new Map<Manifest, number>();
        objects.forEach((o, i) => at.has(o) || at.set(o, i));
        for (const f of evaluateStack(objects, evaluation))
          found.push(violation(f, f.object ? all[at.get(f.object) ?? -1] : undefined));
      }
      return { violations: found, passedOver: Object.fromEntries(passedOver), errors: [], checked };
    },
  };
}

const objectOf = (l: Loaded | Manifest): Manifest => (isLoaded(l) ? l.object : l);

/** Judges objects already in memory (e.g. `renderStack` output): the whole check in one call. */
export function checkDocuments(input: readonly (Loaded | Manifest)[], options: CheckOptions = {}): CheckResult {
  const j = judging(options);
  for (const item of input) j.add(item);
  return j.result(input);
}
