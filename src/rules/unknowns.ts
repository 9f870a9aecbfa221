/**
 * Finding values unknown during preview on the paths a rule reads (fail closed: a rule never passes what it cannot
 * see), with one walk per object remembered, so objects without any unknown value skip the per-rule walks. Pure.
 */
import type { Manifest } from "../model/manifest";
import { CONTAINER_LISTS, expandPath, isObj, podSpecPathOf, podSpecsOf, UNKNOWN, type Obj } from "./paths";
import { SHAPE_CONTAINER_LISTS, SHAPE_CONTAINERS } from "./pod-shapes";

const SPLIT = new Map<string, string[]>();

/** `a.b[].c` → `["a", "b", "[]", "c"]`; the rules' read paths are few, so each is split once. */
function splitPath(path: string): string[] {
  let segs = SPLIT.get(path);
  if (!segs) {
    segs = path.split(".").flatMap((seg) => {
      if (!seg.endsWith("[]")) return [seg];
      const name = seg.slice(0, -2);
      return name ? [name, "[]"] : ["[]"];
    });
    SPLIT.set(path, segs);
  }
  return segs;
}

const HOLDS_UNKNOWN = new WeakMap<object, boolean>();

/** Records that `obj` holds no UNKNOWN (its reader knows: see `mayHoldUnknown` in src/check/load.ts). */
export function markWithoutUnknown(obj: object): void {
  HOLDS_UNKNOWN.set(obj, false);
  if (obj === lastObject) lastHolds = false;
}

/**
 * The same for an object judged right away and then dropped (the streaming checker): it becomes the object at
 * hand, and no table entry outlives it. Asked about again later, it is walked once, with the same answer.
 */
export function judgingWithoutUnknown(obj: object): void {
  lastObject = obj;
  lastHolds = false;
}

/**
 * Whether UNKNOWN appears anywhere in `obj` (one walk per object, remembered). An object without it has no unknown
 * on any path, so the per-rule path walks can be skipped: the common case, and every file the checker reads that
 * does not spell the sentinel.
 */
export function holdsUnknown(obj: object): boolean {
  if (obj === lastObject) return lastHolds;
  const known = HOLDS_UNKNOWN.get(obj);
  lastObject = obj;
  if (known !== undefined) return (lastHolds = known);
  const seen = new Set<object>();
  const stack: unknown[] = [obj];
  let found = false;
  while (stack.length > 0 && !found) {
    const v = stack.pop();
    if (v === UNKNOWN) found = true;
    else if (typeof v === "object" && v !== null && !seen.has(v)) {
      seen.add(v);
      if (Array.isArray(v)) for (const x of v) stack.push(x);
      else for (const k in v) if (Object.hasOwn(v, k)) stack.push((v as Obj)[k]);
    }
  }
  HOLDS_UNKNOWN.set(obj, found);
  return (lastHolds = found);
}

/** Every rule asks of the object at hand: the last answer is kept. */
let lastObject: object | undefined;
let lastHolds = false;

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
    if (Array.isArray(value))
      value.forEach((v, i) => {
        walk(v, rest, `${at}[${i}]`, out);
      });
    return;
  }
  if (isObj(value) && seg in value) walk(value[seg], rest, at ? `${at}.${seg}` : seg, out);
}

/** Every place on the given read paths of `obj` whose value is unknown during preview. */
export function unknownPaths(obj: Manifest, reads: readonly string[]): string[] {
  if (!holdsUnknown(obj)) return [];
  const out: string[] = [];
  const known = podSpecPathOf(obj.kind);
  const found = reads.some((r) => r.startsWith("{")) ? podSpecsOf(obj).filter((p) => p.at !== known) : [];
  for (const pattern of reads) {
    for (const path of expandPath(obj.kind, pattern)) walk(obj, splitPath(path), "", out);
    // Pod specs found by shape (custom kinds, or extra ones): the same paths, relative to each spec.
    const rest = (token: string) => splitPath(pattern.slice(token.length)).filter((s) => s !== "");
    for (const pod of found) {
      if (pattern.startsWith("{pod}")) walk(pod.spec, rest("{pod}"), pod.at, out);
      if (pattern.startsWith("{podmeta}")) walk(pod.meta, rest("{podmeta}"), pod.metaAt, out);
      if (pattern.startsWith("{containers}")) {
        for (const l of CONTAINER_LISTS) walk(pod.spec, [l, "[]", ...rest("{containers}")], pod.at, out);
        if (pod.byShape) {
          for (const l of SHAPE_CONTAINER_LISTS) walk(pod.spec, [l, "[]", ...rest("{containers}")], pod.at, out);
          for (const k of SHAPE_CONTAINERS) walk(pod.spec, [k, ...rest("{containers}")], pod.at, out);
        }
      }
    }
  }
  return [...new Set(out)];
}
