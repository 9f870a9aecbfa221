/**
 * Reading documents safely: the unknown-at-preview sentinel, where each kind keeps its pod spec, and a walker
 * that finds unknown values on the paths a rule reads. Pure.
 */
import type { Manifest } from "../plan/manifest";

/**
 * What the pack puts where Pulumi had an unknown value (an output not yet computed during preview). A string,
 * so that an allow-list check fails on it by itself; rules also refuse it explicitly through `reads`.
 */
export const UNKNOWN = "<unknown during preview>";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` as an array: missing → `[]`, a single non-array value → `[value]` (so it is still judged). */
export function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function field(value: unknown, ...keys: string[]): unknown {
  let cur = value;
  for (const k of keys) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Renders a value for a message. */
export function show(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === UNKNOWN) return UNKNOWN;
  return JSON.stringify(value);
}

/** Where each kind keeps the pod spec(s) it can create. */
const POD_SPEC_PATHS: Readonly<Record<string, string>> = {
  Pod: "spec",
  PodTemplate: "template.spec",
  Deployment: "spec.template.spec",
  StatefulSet: "spec.template.spec",
  DaemonSet: "spec.template.spec",
  ReplicaSet: "spec.template.spec",
  ReplicationController: "spec.template.spec",
  Job: "spec.template.spec",
  CronJob: "spec.jobTemplate.spec.template.spec",
};

/** Where Jobs and CronJobs keep the Job spec. */
const JOB_SPEC_PATHS: Readonly<Record<string, string>> = { Job: "spec", CronJob: "spec.jobTemplate.spec" };

export const POD_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);
export const JOB_KINDS: readonly string[] = Object.keys(JOB_SPEC_PATHS);
export const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

/** Expands `{pod}`, `{containers}` and `{job}` for one kind; a path that does not apply to the kind is dropped. */
export function expandPath(kind: string, pattern: string): string[] {
  const pod = POD_SPEC_PATHS[kind];
  const job = JOB_SPEC_PATHS[kind];
  if (pattern.startsWith("{containers}")) {
    if (!pod) return [];
    return CONTAINER_LISTS.map((l) => `${pod}.${l}[]${pattern.slice("{containers}".length)}`);
  }
  if (pattern.startsWith("{pod}")) return pod ? [pod + pattern.slice("{pod}".length)] : [];
  if (pattern.startsWith("{job}")) return job ? [job + pattern.slice("{job}".length)] : [];
  return [pattern];
}

function splitPath(path: string): string[] {
  return path.split(".").flatMap((seg) => {
    if (!seg.endsWith("[]")) return [seg];
    const name = seg.slice(0, -2);
    return name ? [name, "[]"] : ["[]"];
  });
}

function deepUnknown(value: unknown, at: string): string | undefined {
  if (value === UNKNOWN) return at;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = deepUnknown(value[i], `${at}[${i}]`);
      if (found) return found;
    }
  } else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) {
      const found = deepUnknown(v, at ? `${at}.${k}` : k);
      if (found) return found;
    }
  }
  return undefined;
}

function walk(value: unknown, segs: string[], at: string, out: string[]): void {
  if (value === UNKNOWN) {
    out.push(at || "(the whole object)");
    return;
  }
  if (segs.length === 0) {
    const found = deepUnknown(value, at);
    if (found) out.push(found);
    return;
  }
  const [seg, ...rest] = segs as [string, ...string[]];
  if (seg === "[]") {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, rest, `${at}[${i}]`, out));
    return;
  }
  if (isObj(value) && seg in value) walk(value[seg], rest, at ? `${at}.${seg}` : seg, out);
}

/** Every place on the given read paths of `obj` whose value is unknown during preview. */
export function unknownPaths(obj: Manifest, reads: readonly string[]): string[] {
  const out: string[] = [];
  for (const pattern of reads) {
    for (const path of expandPath(obj.kind, pattern)) walk(obj, splitPath(path), "", out);
  }
  return [...new Set(out)];
}

/** A pod spec found in an object, with the path it lives at (for messages). */
export interface PodSpecAt {
  readonly at: string;
  readonly spec: Obj;
}

/** The pod spec an object can create, if its kind creates pods (and the spec is an object). */
export function podSpecOf(obj: Manifest): PodSpecAt | undefined {
  const path = POD_SPEC_PATHS[obj.kind];
  if (!path) return undefined;
  const spec = field(obj, ...path.split("."));
  return { at: path, spec: isObj(spec) ? spec : {} };
}

/** Labels of the pods an object creates (the pod template's labels, or a Pod's own). */
export function podLabelsOf(obj: Manifest): Record<string, unknown> {
  const path = POD_SPEC_PATHS[obj.kind];
  if (!path) return {};
  const meta = path === "spec" ? obj.metadata : field(obj, ...path.split(".").slice(0, -1), "metadata");
  const labels = field(meta, "labels");
  return isObj(labels) ? labels : {};
}

/** A container with the path it lives at and the kind of list it is in. */
export interface ContainerAt {
  readonly at: string;
  readonly list: (typeof CONTAINER_LISTS)[number];
  readonly container: Obj;
}

export function containersOf(pod: PodSpecAt): ContainerAt[] {
  return CONTAINER_LISTS.flatMap((l) =>
    list(pod.spec[l]).map((c, i) => ({ at: `${pod.at}.${l}[${i}]`, list: l, container: isObj(c) ? c : {} })),
  );
}

/** The job spec of a Job or CronJob. */
export function jobSpecOf(obj: Manifest): { at: string; spec: Obj } | undefined {
  const path = JOB_SPEC_PATHS[obj.kind];
  if (!path) return undefined;
  const spec = field(obj, ...path.split("."));
  return { at: path, spec: isObj(spec) ? spec : {} };
}

/** `Kind namespace/name` for messages and reports. */
export function describeObject(obj: Manifest): string {
  const name = typeof obj.metadata?.name === "string" ? obj.metadata.name : "(unnamed)";
  const ns = typeof obj.metadata?.namespace === "string" ? `${obj.metadata.namespace}/` : "";
  return `${obj.kind} ${ns}${name}`;
}
