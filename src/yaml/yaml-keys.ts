/**
 * Mapping keys recur in every document of a stream (apiVersion, kind, metadata, name…): the line reader takes
 * each spelling once and hands out that copy again, sparing a new string, and its lookup as a property name,
 * per key. Bounded: short keys only, a few thousand in all.
 */

/** Kept keys by length and first character. */
const KEYS = new Map<number, string[]>();
let kept = 0;

/** The key spelled from `k` to `e` in `text` (its first character is ASCII): the kept copy when there is one. */
export function keyIn(text: string, k: number, e: number): string {
  const bucket = (e - k) * 128 + text.charCodeAt(k);
  const same = KEYS.get(bucket);
  if (same) for (const key of same) if (text.startsWith(key, k)) return key;
  const key = text.slice(k, e);
  if (e - k <= 64 && kept < 4096 && (!same || same.length < 8)) {
    if (same) same.push(key);
    else KEYS.set(bucket, [key]);
    kept++;
  }
  return key;
}
