/**
 * Helpers shared by the rules, so no two rules carry their own copy of a check: reading Role rules, the
 * "never this resource with these verbs" body, walking pod specs and containers, and Vault's list and duration
 * formats. Pure.
 */
import type { Manifest } from "../model/manifest";
import {
  ANY_KIND,
  containersOf,
  field,
  isObj,
  list,
  POD_KINDS,
  podSpecsOf,
  show,
  type ContainerAt,
  type PodSpecAt,
} from "./paths";
import type { ResourceRule } from "./types";

/** One PolicyRule of a Role, every list normalised to strings (non-strings are shown as JSON). */
interface RuleAt {
  readonly at: string;
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly nonResourceURLs: string[];
}

const strings = (v: unknown): string[] => list(v).map((x) => (typeof x === "string" ? x : show(x)));

/** Every rule of a Role, normalised once per object (a dozen rules read them). */
export function policyRules(obj: Manifest): readonly RuleAt[] {
  let found = POLICY_RULES.get(obj);
  if (!found) POLICY_RULES.set(obj, (found = readPolicyRules(obj)));
  return found;
}

const POLICY_RULES = new WeakMap<Manifest, readonly RuleAt[]>();

function readPolicyRules(obj: Manifest): RuleAt[] {
  return list(obj.rules).map((r, i) => ({
    at: `rules[${i}]`,
    // A rule without apiGroups is invalid; judge it as the core group rather than as granting nothing.
    apiGroups: field(r, "apiGroups") === undefined ? [""] : strings(field(r, "apiGroups")),
    resources: strings(field(r, "resources")),
    verbs: strings(field(r, "verbs")),
    nonResourceURLs: strings(field(r, "nonResourceURLs")),
  }));
}

/**
 * The shared body of the "never this resource with these verbs" rules: for each PolicyRule, report the
 * forbidden resources it names when it also uses one of `verbs` (`undefined` meaning any verb).
 */
export function forbidResources(
  obj: Manifest,
  resources: readonly string[],
  verbs: readonly string[] | undefined,
  what: string,
  exempt?: (verb: string, apiGroup: string, resource: string) => boolean,
): string[] {
  const out: string[] = [];
  for (const r of policyRules(obj)) {
    // Most rules name none of the resources: nothing is built for them.
    if (!r.resources.some((res) => resources.includes(res))) continue;
    const hitVerbs = verbs ? r.verbs.filter((v) => verbs.includes(v)) : r.verbs;
    if (hitVerbs.length === 0) continue;
    // A resource is exempt only when every verb hit on it, in every API group the rule names, is.
    const exempted = (res: string) =>
      exempt !== undefined &&
      r.apiGroups.length > 0 &&
      hitVerbs.every((v) => r.apiGroups.every((g) => exempt(v, g, res)));
    const hitResources = r.resources.filter((res) => resources.includes(res) && !exempted(res));
    if (hitResources.length === 0) continue;
    const verbText = verbs ? ` with ${hitVerbs.map((v) => `"${v}"`).join(", ")}` : "";
    out.push(`${r.at} grants ${hitResources.map((x) => `"${x}"`).join(", ")}${verbText}: ${what}`);
  }
  return out;
}

/**
 * A rule of the pods domain. Unless it names its kinds, it judges every object: the kinds that create pods, and
 * any other object in which a pod spec is found by shape (`podSpecsOf`). Such a rule reads nothing but pod specs
 * (through `onPod`, `onContainers` and `onSetters`), so an object without one is passed over at once.
 */
export const podRule = (
  r: Omit<ResourceRule, "domain" | "scope" | "kinds"> & { kinds?: readonly string[] },
): ResourceRule =>
  r.kinds
    ? { domain: "pods", scope: "resource", ...r, kinds: r.kinds }
    : { domain: "pods", scope: "resource", ...r, kinds: [...POD_KINDS, ANY_KIND], podSpecsOnly: true };

/** Runs `check` on every pod spec of `obj`: at its kind's known path, and every one found by shape. */
export function onPod(obj: Manifest, check: (pod: PodSpecAt) => string[]): string[] {
  const pods = podSpecsOf(obj);
  if (pods.length === 1) return check(pods[0]!);
  const out: string[] = [];
  for (const pod of pods) for (const m of check(pod)) out.push(m);
  return out;
}

/** Runs `check` on every container (init and ephemeral included) of every pod spec of `obj`. */
export function onContainers(obj: Manifest, check: (c: ContainerAt, pod: PodSpecAt) => string[]): string[] {
  const out: string[] = [];
  for (const pod of podSpecsOf(obj)) for (const c of containersOf(pod)) for (const m of check(c, pod)) out.push(m);
  return out;
}

/** A container's security setting, falling back to the pod's where Kubernetes does (the container's wins). */
export function effective(c: ContainerAt, pod: PodSpecAt, key: string): unknown {
  const own = field(c.container, "securityContext", key);
  return own !== undefined ? own : field(pod.spec, "securityContext", key);
}

/** One place a security setting can be set: the pod's securityContext or a container's. */
export interface Setter {
  readonly at: string;
  readonly securityContext: unknown;
}

/**
 * The pod-level securityContext and every container's, each at its path. Pod Security judges every setter on
 * its own (a bad pod-level value is refused even where every container overrides it); the container's value
 * wins where both are set, so a check needs both this and `effective`.
 */
export function setters(obj: Manifest): readonly Setter[] {
  let found = SETTERS.get(obj);
  if (!found) SETTERS.set(obj, (found = findSetters(obj)));
  return found;
}

/** Several rules read the setters of the same object: listed once per object. */
const SETTERS = new WeakMap<Manifest, readonly Setter[]>();

function findSetters(obj: Manifest): Setter[] {
  return podSpecsOf(obj).flatMap((pod) => [
    { at: `${pod.at}.securityContext`, securityContext: pod.spec.securityContext },
    ...containersOf(pod).map((c) => ({ at: `${c.at}.securityContext`, securityContext: c.container.securityContext })),
  ]);
}

/** Runs `check` on each setter's value of `keys` (inside securityContext) that is set. */
export function onSetters(
  obj: Manifest,
  keys: readonly string[],
  check: (value: unknown, at: string) => string[],
): string[] {
  const out: string[] = [];
  for (const s of setters(obj)) {
    const v = field(s.securityContext, ...keys);
    if (v !== undefined) for (const m of check(v, `${s.at}.${keys.join(".")}`)) out.push(m);
  }
  return out;
}

/** Annotations of the pods a pod spec creates ({} when there are none). */
export function podAnnotations(pod: PodSpecAt): Record<string, unknown> {
  const a = field(pod.meta, "annotations");
  return isObj(a) ? a : {};
}

export const absentOrFalse = (v: unknown) => v === undefined || v === false;

/** Vault accepts a list or a comma-separated string for list fields. */
export function vaultList(v: unknown): unknown[] {
  if (typeof v === "string") return v === "" ? [] : v.split(",").map((s) => s.trim());
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** Seconds of a Vault duration: a number, or a string like "900", "900s", "15m" or "1h30m"; undefined if invalid. */
export function durationSeconds(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== "string" || v.trim() === "") return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  if (!/^(\d+[hms])+$/.test(t)) return undefined;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1 };
  return [...t.matchAll(/(\d+)([hms])/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2]!]!, 0);
}
