/**
 * Helpers shared by the rules, so no two rules carry their own copy of a check: reading Role rules, the
 * "never this resource with these verbs" body, walking pod specs and containers, and Vault's list and duration
 * formats. Pure.
 */
import type { Manifest } from "../plan/manifest";
import { containersOf, field, list, podSpecOf, show, type ContainerAt, type PodSpecAt } from "./paths";

/** One PolicyRule of a Role, every list normalised to strings (non-strings are shown as JSON). */
interface RuleAt {
  readonly at: string;
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly nonResourceURLs: string[];
}

const strings = (v: unknown): string[] => list(v).map((x) => (typeof x === "string" ? x : show(x)));

export function policyRules(obj: Manifest): RuleAt[] {
  return list(obj["rules"]).map((r, i) => ({
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
): string[] {
  return policyRules(obj).flatMap((r) => {
    const hitVerbs = verbs ? r.verbs.filter((v) => verbs.includes(v)) : r.verbs;
    const hitResources = r.resources.filter((res) => resources.includes(res));
    if (hitVerbs.length === 0 || hitResources.length === 0) return [];
    const verbText = verbs ? ` with ${hitVerbs.map((v) => `"${v}"`).join(", ")}` : "";
    return [`${r.at} grants ${hitResources.map((x) => `"${x}"`).join(", ")}${verbText}: ${what}`];
  });
}

/** Runs `check` on the pod spec of `obj` (every pod kind has one). */
export function onPod(obj: Manifest, check: (pod: PodSpecAt) => string[]): string[] {
  const pod = podSpecOf(obj);
  return pod ? check(pod) : [];
}

/** Runs `check` on every container (init and ephemeral included) of the pod spec of `obj`. */
export function onContainers(obj: Manifest, check: (c: ContainerAt, pod: PodSpecAt) => string[]): string[] {
  return onPod(obj, (pod) => containersOf(pod).flatMap((c) => check(c, pod)));
}

/** A container's security setting, falling back to the pod's where Kubernetes does. */
export function effective(c: ContainerAt, pod: PodSpecAt, key: string): unknown {
  const own = field(c.container, "securityContext", key);
  return own !== undefined ? own : field(pod.spec, "securityContext", key);
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

