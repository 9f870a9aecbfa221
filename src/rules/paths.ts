/**
 * Reading documents safely: the unknown-at-preview sentinel, where each kind keeps its pod spec, and a walker
 * that finds unknown values on the paths a rule reads. Pure.
 */
import type { Manifest } from "../model/manifest";
import {
  CONTAINER_LISTS,
  isContainerLike,
  isPodSpecShape,
  SHAPE_CONTAINER_LISTS,
  SHAPE_CONTAINERS,
  type ContainerList,
} from "./pod-shapes";
import { hasFixedSchema } from "./fixed-schema";

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
  // JSON would print NaN and the infinities as null (and a bigint not at all): name what is really there.
  if ((typeof value === "number" && !Number.isFinite(value)) || typeof value === "bigint") return String(value);
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only undefined, functions and symbols get here: JSON has no text for them
  return JSON.stringify(value) ?? String(value);
}

export { CONTAINER_LISTS };

/** Where each kind keeps the pod spec(s) it can create. */
export const POD_SPEC_PATHS: Readonly<Record<string, string>> = {
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

/** A kind's entry in one of the tables above: own entries only (a kind named `toString` has none). */
const entryOf = (table: Readonly<Record<string, string>>, kind: string): string | undefined =>
  Object.hasOwn(table, kind) ? table[kind] : undefined;

/** Where objects of `kind` keep their pod spec, if it is a pod kind. */
export const podSpecPathOf = (kind: string): string | undefined => entryOf(POD_SPEC_PATHS, kind);

/** The same paths split into keys, once. */
const POD_SPEC_KEYS = new Map(Object.entries(POD_SPEC_PATHS).map(([k, p]) => [k, p.split(".")]));
const POD_META_KEYS = new Map(Object.entries(POD_SPEC_PATHS).map(([k, p]) => [k, metaPathOf(p).split(".")]));

export const POD_KINDS: readonly string[] = Object.keys(POD_SPEC_PATHS);
export const JOB_KINDS: readonly string[] = Object.keys(JOB_SPEC_PATHS);

/** Where the metadata of the pods a pod spec path creates lives: `spec` → `metadata`, `x.spec` → `x.metadata`. */
function metaPathOf(specPath: string): string {
  return specPath === "spec" ? "metadata" : `${specPath.slice(0, -".spec".length)}.metadata`;
}

/**
 * Expands `{pod}`, `{containers}`, `{podmeta}` (the pod template's metadata) and `{job}` for one kind; a path
 * that does not apply to the kind is dropped. Pod specs found by shape are expanded by `unknownPaths` itself.
 */
export function expandPath(kind: string, pattern: string): string[] {
  const pod = entryOf(POD_SPEC_PATHS, kind);
  const job = entryOf(JOB_SPEC_PATHS, kind);
  if (pattern.startsWith("{podmeta}")) return pod ? [metaPathOf(pod) + pattern.slice("{podmeta}".length)] : [];
  if (pattern.startsWith("{containers}")) {
    if (!pod) return [];
    return CONTAINER_LISTS.map((l) => `${pod}.${l}[]${pattern.slice("{containers}".length)}`);
  }
  if (pattern.startsWith("{pod}")) return pod ? [pod + pattern.slice("{pod}".length)] : [];
  if (pattern.startsWith("{job}")) return job ? [job + pattern.slice("{job}".length)] : [];
  return [pattern];
}

/** A pod spec found in an object, with the path it lives at (for messages) and its pods' metadata. */
export interface PodSpecAt {
  readonly at: string;
  readonly spec: Obj;
  /** Found by shape in a custom kind: its controller's container keys (`pod-shapes.ts`) count too. */
  readonly byShape?: boolean;
  /** The metadata of the pods it creates: the template's `metadata` next to the spec (a Pod's own for a Pod). */
  readonly meta: unknown;
  readonly metaAt: string;
}

/** `a.b` + `c` → `a.b.c`; `a` + 2 → `a[2]`; the root is "". */
export const joinAt = (at: string, key: string | number) =>
  typeof key === "number" ? `${at}[${key}]` : at ? `${at}.${key}` : key;

/**
 * Every pod spec an object can create. The pod kinds keep theirs at a known path (judged even when empty). An
 * object of a custom kind (any API group without a fixed schema, see `hasFixedSchema`), and any `…List`, is also
 * searched BY SHAPE — every nested object with a `containers`, `initContainers` or `ephemeralContainers` key,
 * outside the object's own metadata — so a progressive-delivery Rollout, a ScaledJob, a CloneSet or a Knative
 * Service is judged as the pods its controller will create. Built-in kinds are not searched: the API server prunes
 * what their schema does not hold (and a CustomResourceDefinition's schema mentions `containers` harmlessly).
 */
export function podSpecsOf(obj: Manifest): readonly PodSpecAt[] {
  if (obj === lastObject) return lastSpecs;
  let found = POD_SPECS.get(obj);
  if (!found) {
    found = findPodSpecs(obj);
    POD_SPECS.set(obj, found);
  }
  lastObject = obj;
  lastSpecs = found;
  return found;
}

/** Every rule asks for the pod specs of the object it judges: found once per object (the last one at hand). */
const POD_SPECS = new WeakMap<object, readonly PodSpecAt[]>();
let lastObject: object | undefined;
let lastSpecs: readonly PodSpecAt[] = [];

function findPodSpecs(obj: Manifest): PodSpecAt[] {
  const out: PodSpecAt[] = [];
  const knownPath = podSpecPathOf(obj.kind);
  if (knownPath) {
    const spec = field(obj, ...POD_SPEC_KEYS.get(obj.kind)!);
    out.push({
      at: knownPath,
      spec: isObj(spec) ? spec : {},
      meta: field(obj, ...POD_META_KEYS.get(obj.kind)!),
      metaAt: metaPathOf(knownPath),
    });
  }
  if (hasFixedSchema(obj) && !obj.kind.endsWith("List")) return out;
  const seen = new Set<unknown>();
  const stack: { value: unknown; at: string; key?: string | number; holder?: Obj; holderAt?: string }[] = [
    { value: obj, at: "" },
  ];
  while (stack.length > 0) {
    const { value, at, key, holder, holderAt } = stack.pop()!;
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], at: joinAt(at, i), key: i });
      continue;
    }
    const o = value as Obj;
    if (at !== "" && at !== knownPath && isPodSpecShape(o, key)) {
      const metaAt = holder && holderAt !== undefined ? joinAt(holderAt, "metadata") : "metadata";
      out.push({ at, spec: o, meta: holder ? holder.metadata : obj.metadata, metaAt, byShape: true });
    }
    for (const k of Object.keys(o).reverse()) {
      if (!(at === "" && k === "metadata"))
        stack.push({ value: o[k], at: joinAt(at, k), key: k, holder: o, holderAt: at });
    }
  }
  return out;
}

/** The first pod spec an object can create (see `podSpecsOf`), if any. */
export function podSpecOf(obj: Manifest): PodSpecAt | undefined {
  return podSpecsOf(obj)[0];
}

/** Labels of the pods an object creates (the pod template's labels, or a Pod's own). */
export function podLabelsOf(obj: Manifest): Record<string, unknown> {
  const labels = field(podSpecOf(obj)?.meta, "labels");
  return isObj(labels) ? labels : {};
}

/** Marks a rule that judges objects of every kind, finding its subject by shape (pod rules: pod specs). */
export const ANY_KIND = "*";

/** Whether a rule declaring `kinds` judges an object of `kind`. */
export function judgesKind(kinds: readonly string[], kind: string): boolean {
  return kinds.includes(kind) || kinds.includes(ANY_KIND);
}

/** A container with the path it lives at and the kind of list it is in. */
export interface ContainerAt {
  readonly at: string;
  readonly list: ContainerList;
  readonly container: Obj;
}

/**
 * The containers of a pod spec, init and ephemeral ones included; in a pod spec found by shape also those of its
 * controller's own keys (`pod-shapes.ts`). An entry that is not a mapping is judged as an empty container.
 */
export function containersOf(pod: PodSpecAt): readonly ContainerAt[] {
  let found = CONTAINERS.get(pod);
  if (!found) {
    const out: ContainerAt[] = [];
    const lists: readonly ContainerList[] = pod.byShape
      ? [...CONTAINER_LISTS, ...SHAPE_CONTAINER_LISTS]
      : CONTAINER_LISTS;
    for (const l of lists)
      list(pod.spec[l]).forEach((c, i) =>
        out.push({ at: `${joinAt(pod.at, l)}[${i}]`, list: l, container: isObj(c) ? c : {} }),
      );
    if (pod.byShape)
      for (const k of SHAPE_CONTAINERS)
        if (isContainerLike(pod.spec[k])) out.push({ at: joinAt(pod.at, k), list: k, container: pod.spec[k] as Obj });
    CONTAINERS.set(pod, (found = out));
  }
  return found;
}

/** Pod specs are found once per object (`podSpecsOf`), so their containers can be listed once per pod spec. */
const CONTAINERS = new WeakMap<PodSpecAt, readonly ContainerAt[]>();

/** The job spec of a Job or CronJob. */
export function jobSpecOf(obj: Manifest): { at: string; spec: Obj } | undefined {
  const path = entryOf(JOB_SPEC_PATHS, obj.kind);
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
