/**
 * A key for memoising a rule's reading of a value by content: the value's JSON text, but only when that text
 * stands for exactly this value as the rules read it (by string keys). Anything JSON would blur (undefined, NaN
 * and the infinities, -0, bigints, class instances, holes) gets no key, and the caller computes afresh; so does
 * a value too large or too deep to be worth remembering. Pure.
 */

/** Longer keys cost more to build and hold than they save. */
const MAX_KEY_CHARS = 16_384;
const MAX_DEPTH = 32;

/** Thrown (never escapes) when the value has no exact key: one instance, built once. */
class NoKey extends Error {}
const NO_KEY = new NoKey("no key");

let chars = 0;

function write(v: unknown, depth: number): string {
  if (typeof v === "string") {
    chars += v.length + 2;
    if (chars > MAX_KEY_CHARS) throw NO_KEY;
    return JSON.stringify(v);
  }
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") {
    if (!Number.isFinite(v) || Object.is(v, -0)) throw NO_KEY;
    return String(v);
  }
  if (typeof v !== "object" || depth > MAX_DEPTH) throw NO_KEY;
  if (Array.isArray(v)) {
    let out = "[";
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) throw NO_KEY;
      out += (i ? "," : "") + write(v[i], depth + 1);
    }
    return `${out}]`;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) throw NO_KEY;
  let out = "{";
  let first = true;
  for (const k of Object.keys(v)) {
    chars += k.length + 3;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${write((v as Record<string, unknown>)[k], depth + 1)}`;
    first = false;
  }
  return `${out}}`;
}

/** The value's JSON text when it is plain JSON data and not too large; else undefined (do not memoise). */
export function contentKey(v: unknown): string | undefined {
  chars = 0;
  try {
    return write(v, 0);
  } catch (e) {
    if (e === NO_KEY || e instanceof RangeError) return undefined;
    throw e;
  }
}
