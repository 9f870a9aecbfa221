/**
 * The stack rule that keeps the runtime backstop honest at deploy time: a foundation (a stack that creates the
 * agents Namespace or any admission object) must hold every admission policy and binding exactly as the rule
 * table generates them, fail-closed and denying (Warn only in dev), and a parameter ConfigMap with valid values.
 * Pure; the pack and `agent-trust check --stack` run it like every stack rule.
 *
 * Design (issue 19): there is ONE rule table (src/rules/index.ts) and one evaluate() (src/rules/evaluate.ts), and
 * this rule is in that table like every other, with its whole judgement here. Only the objects it compares against
 * come from above: the admission room (src/admission/) generates the policies and bindings from the admission rule
 * table, and rules may not import an adapter. So src/admission/policies.ts registers its generator here when it is
 * loaded, and every adapter that runs stack rules loads the room (`import "../admission"`: the pack, the checker).
 * Without a registered generator the rule fails closed: every foundation gets a finding naming the missing
 * generator, so an adapter that forgot the import can never pass a weakened foundation.
 */
import { ADMISSION_API_VERSION, ADMISSION_KINDS, ADMISSION_PARAMS, PARAM_KEYS } from "../model/admission";
import { BROAD_GROUPS } from "../model/forbidden";
import { LABELS } from "../model/naming";
import { isEnvironment, isPhase, type Environment } from "../model/phases";
import type { Manifest } from "../model/manifest";
import { describeObject, field, isObj, isUnknown, show } from "./paths";
import type { StackFinding, StackRule } from "./types";

/** The admission policies and bindings (validationActions [Deny], no labels) an environment's foundation must hold. */
export type AdmissionGenerator = (env: Environment, namespace: string) => readonly Manifest[];

let generator: AdmissionGenerator | undefined;

/** Called once by src/admission/policies.ts when it is loaded; see the design note above. */
export function registerAdmissionGenerator(generate: AdmissionGenerator): void {
  generator = generate;
}

/** Structural equality; an unknown value equals nothing. */
function sameValue(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set(
      [...Object.keys(a), ...Object.keys(b)].filter((k) => a[k] !== undefined || b[k] !== undefined),
    );
    return [...keys].every((k) => sameValue(a[k], b[k]));
  }
  return a === b;
}

/** MatchResources as the API server stores it: its defaults filled in (admissionregistration.k8s.io/v1). */
function matchResourcesDefaults(m: unknown): unknown {
  if (!isObj(m)) return m;
  const rules = (v: unknown) =>
    Array.isArray(v) ? (v as unknown[]).map((r) => (isObj(r) && r.scope === undefined ? { ...r, scope: "*" } : r)) : v;
  return {
    ...m,
    namespaceSelector: m.namespaceSelector ?? {},
    objectSelector: m.objectSelector ?? {},
    matchPolicy: m.matchPolicy ?? "Equivalent",
    ...(m.resourceRules !== undefined ? { resourceRules: rules(m.resourceRules) } : {}),
    ...(m.excludeResourceRules !== undefined ? { excludeResourceRules: rules(m.excludeResourceRules) } : {}),
  };
}

/**
 * A policy's or binding's spec as the API server stores it, defaults filled in, so that a spec written out in full
 * (as the Kubernetes provider sends it) and one that leaves the defaults out compare equal; a changed value never does.
 */
export function withServerDefaults(kind: string, spec: unknown): unknown {
  if (!isObj(spec)) return spec;
  if (kind === "ValidatingAdmissionPolicy") {
    return {
      ...spec,
      failurePolicy: spec.failurePolicy ?? "Fail",
      matchConstraints: matchResourcesDefaults(spec.matchConstraints),
    };
  }
  return spec.matchResources === undefined
    ? spec
    : { ...spec, matchResources: matchResourcesDefaults(spec.matchResources) };
}

/** The first path where `a` and `b` differ, for a message a reviewer can act on. */
function firstDifference(a: unknown, b: unknown, at: string): string | undefined {
  if (sameValue(a, b)) return undefined;
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[k], b[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
  }
  return `${at} is ${show(a)}, the table generates ${show(b)}`;
}

const isAdmissionObject = (o: Manifest) =>
  o.apiVersion === ADMISSION_API_VERSION && (ADMISSION_KINDS as readonly string[]).includes(o.kind);

function environmentOf(objects: readonly Manifest[], namespace: Manifest | undefined): Environment {
  const label =
    field(namespace, "metadata", "labels", LABELS.environment) ??
    field(objects.find(isAdmissionObject), "metadata", "labels", LABELS.environment);
  return isEnvironment(label) ? label : "prod";
}

function paramProblems(cm: Manifest, namespace: Manifest | undefined): string[] {
  const data = field(cm, "data");
  if (!isObj(data)) return [`${describeObject(cm)} has no data`];
  const problems: string[] = [];
  for (const key of PARAM_KEYS)
    if (typeof data[key] !== "string" || isUnknown(data[key])) problems.push(`data.${key} is missing or unknown`);
  if (problems.length) return problems.map((p) => `${describeObject(cm)}: ${p}`);
  const s = data as Record<string, string>;
  if (!isPhase(s.phaseCeiling)) problems.push(`data.phaseCeiling ${show(s.phaseCeiling)} is not a phase`);
  const int = (k: string) => (/^[0-9]+$/.test(s[k] ?? "") ? Number(s[k]) : NaN);
  const [min, max, step] = [int("minReplicas"), int("maxReplicas"), int("maxStepFactor")];
  if (!(min >= 1)) problems.push("data.minReplicas must be a whole number of at least 1");
  if (!(max >= min)) problems.push("data.maxReplicas must be a whole number not below minReplicas");
  if (!(step >= 2)) problems.push("data.maxStepFactor must be a whole number of at least 2");
  const names = (k: string) => (s[k] ?? "").split(",").filter(Boolean);
  if (names("deployerUsers").length + names("deployerGroups").length === 0)
    problems.push("data.deployerUsers and data.deployerGroups name nobody");
  const broad = names("deployerGroups").filter(
    (g) => BROAD_GROUPS.includes(g) || g.startsWith("system:serviceaccounts:"),
  );
  if (broad.length) problems.push(`data.deployerGroups names broad system groups (${broad.join(", ")})`);
  if (!s.protectedLabel) problems.push("data.protectedLabel is empty");
  else if (namespace && field(namespace, "metadata", "labels", s.protectedLabel) !== "true") {
    problems.push(`the agents Namespace does not carry ${s.protectedLabel}: "true"`);
  }
  return problems.map((p) => `${describeObject(cm)}: ${p}`);
}

export const foundationAdmissionPolicies: StackRule = {
  name: "foundation-admission-policies",
  domain: "stack",
  scope: "stack",
  security: true,
  kinds: ["Namespace", "ConfigMap", ...ADMISSION_KINDS],
  settings: ["namespace"],
  description:
    "A foundation stack (one that creates the agents Namespace or admission objects) installs every admission policy and binding exactly as the rule table generates them (failurePolicy Fail, validationActions [Deny]; [Warn, Audit] only in dev) and their parameter ConfigMap with valid values.",
  remediationSteps:
    "Deploy the foundation from this program unchanged (src/admission/policies.ts); change tunables through agent-trust:admission config, never the policies.",
  validate: (objects, settings) => {
    const namespace = objects.find(
      (o) => o.kind === "Namespace" && field(o, "metadata", "name") === settings.namespace,
    );
    const params = objects.find((o) => o.kind === "ConfigMap" && field(o, "metadata", "name") === ADMISSION_PARAMS);
    if (!namespace && !params && !objects.some(isAdmissionObject)) return [];
    const env = environmentOf(objects, namespace);
    if (!generator) {
      return [
        {
          message:
            "the admission policies cannot be verified: the admission generator (src/admission) is not loaded in this adapter",
        },
      ];
    }
    const findings: StackFinding[] = [];
    const expected = generator(env, settings.namespace);
    for (const want of expected) {
      const have = objects.filter(
        (o) => isAdmissionObject(o) && o.kind === want.kind && field(o, "metadata", "name") === want.metadata.name,
      );
      if (have.length === 0) {
        findings.push({
          message: `${want.kind} ${want.metadata.name} is missing: the foundation must install every admission rule`,
        });
        continue;
      }
      for (const o of have) {
        const spec = withServerDefaults(want.kind, field(o, "spec"));
        const wantSpec = withServerDefaults(want.kind, want.spec) as Record<string, unknown>;
        if (want.kind === "ValidatingAdmissionPolicyBinding") {
          const actions = field(spec, "validationActions");
          const ok = sameValue(actions, ["Deny"]) || (env === "dev" && sameValue(actions, ["Warn", "Audit"]));
          if (!ok)
            findings.push({
              message: `${describeObject(o)}: validationActions ${show(actions)} is weakened; ${env} requires [Deny]${env === "dev" ? " or [Warn, Audit]" : ""}`,
              object: o,
            });
          const rest = isObj(spec) ? { ...spec, validationActions: wantSpec.validationActions } : spec;
          if (!sameValue(rest, wantSpec))
            findings.push({
              message: `${describeObject(o)} differs from what the rule table generates: ${firstDifference(rest, wantSpec, "spec")}`,
              object: o,
            });
        } else {
          if (field(spec, "failurePolicy") !== "Fail") {
            findings.push({
              message: `${describeObject(o)}: failurePolicy ${show(field(spec, "failurePolicy"))} fails open; it must be Fail`,
              object: o,
            });
          } else if (!sameValue(spec, wantSpec)) {
            findings.push({
              message: `${describeObject(o)} differs from what the rule table generates (its CEL, match rules or parameters were changed): ${firstDifference(spec, wantSpec, "spec")}`,
              object: o,
            });
          }
        }
      }
    }
    if (!params)
      findings.push({
        message: `ConfigMap ${settings.namespace}/${ADMISSION_PARAMS} (the admission parameters) is missing`,
      });
    else findings.push(...paramProblems(params, namespace).map((message) => ({ message, object: params })));
    return findings;
  },
};
