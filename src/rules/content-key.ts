/**
 * A key for memoising a rule's reading of a value by content: the value's JSON text, but only when that text
 * stands for exactly this value. Anything JSON would blur (undefined, NaN and the infinities, -0, bigints, class
 * instances, sparse or oversized input) gets no key, and the caller computes afresh. Pure.
 */

/** Longer keys cost more to build and hold than they save. */
const MAX_KEY_CHARS = 16_384;

function exact(v: unknown, depth: number): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== "object" || depth > 32) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !exact(v[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (!exact((v as Record<string, unknown>)[k], depth + 1)) return false;
  return Object.getOwnPropertySymbols(v).length === 0;
}

/** The value's JSON text when it is plain JSON data and not too large; else undefined (do not memoise). */
export function contentKey(v: unknown): string | undefined {
  if (!exact(v, 0)) return undefined;
  const text = JSON.stringify(v);
  return text.length <= MAX_KEY_CHARS ? text : undefined;
}
