/**
 * Sets of non-negative integers as sorted, disjoint, non-adjacent inclusive ranges: the algebra under the
 * address sets (`addrset.ts`) and port sets (`portset.ts`) of the network rules. Every operation returns a set
 * in that normal form, so two sets are equal exactly when their range lists are. Pure.
 */

export interface Range {
  readonly lo: bigint;
  readonly hi: bigint;
}

export type Ranges = readonly Range[];

export const EMPTY: Ranges = [];

/** The set {lo..hi}; empty when lo > hi. */
export function range(lo: bigint, hi: bigint): Ranges {
  return lo > hi ? EMPTY : [{ lo, hi }];
}

/** Sorts and merges overlapping or adjacent ranges into the normal form. */
export function normalize(input: readonly Range[]): Ranges {
  const sorted = input.filter((r) => r.lo <= r.hi).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1n) {
      if (r.hi > last.hi) out[out.length - 1] = { lo: last.lo, hi: r.hi };
    } else {
      out.push(r);
    }
  }
  return out;
}

export function union(...sets: Ranges[]): Ranges {
  return normalize(sets.flat());
}

/** The union of a list of sets of any length (a spread of 200,000 arguments overflows the stack). */
export function unionOf(sets: readonly Ranges[]): Ranges {
  if (sets.length === 1) return sets[0]!; // already in normal form: most rules have one peer and one port entry
  return normalize(sets.flat());
}

export function intersect(a: Ranges, b: Ranges): Ranges {
  const out: Range[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    const lo = x.lo > y.lo ? x.lo : y.lo;
    const hi = x.hi < y.hi ? x.hi : y.hi;
    if (lo <= hi) out.push({ lo, hi });
    if (x.hi < y.hi) i++;
    else j++;
  }
  return out;
}

/** a \ b, in one pass over both (linear: the ranges of b before x are never looked at again for later x). */
export function subtract(a: Ranges, b: Ranges): Ranges {
  const out: Range[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]!.hi < x.lo) j++;
    let lo = x.lo;
    for (let k = j; k < b.length && b[k]!.lo <= x.hi; k++) {
      const y = b[k]!;
      if (y.hi < lo) continue;
      if (y.lo > lo) out.push({ lo, hi: y.lo - 1n });
      lo = y.hi + 1n;
      if (lo > x.hi) break;
    }
    if (lo <= x.hi) out.push({ lo, hi: x.hi });
  }
  return out;
}

/** Number of members. */
export function size(a: Ranges): bigint {
  return a.reduce((n, r) => n + (r.hi - r.lo + 1n), 0n);
}

/** The index of the first range of `a` that ends at or after `v` (`a.length` when none), by binary search. */
function firstEndingFrom(a: Ranges, v: bigint): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]!.hi < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function has(a: Ranges, v: bigint): boolean {
  const i = firstEndingFrom(a, v);
  return i < a.length && a[i]!.lo <= v;
}

export function isEmpty(a: Ranges): boolean {
  return a.length === 0;
}

/** Every member of `inner` is in `outer`. */
export function covers(outer: Ranges, inner: Ranges): boolean {
  return isEmpty(subtract(inner, outer));
}

/** Whether a and b share a member: each range of the shorter looked up in the longer (no merge of the two). */
export function overlaps(a: Ranges, b: Ranges): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  for (const x of short) {
    const i = firstEndingFrom(long, x.lo);
    if (i < long.length && long[i]!.lo <= x.hi) return true;
  }
  return false;
}

/** Every range shifted by `by` (negative to move down); the caller keeps the result non-negative. */
export function shift(a: Ranges, by: bigint): Ranges {
  return a.map((r) => ({ lo: r.lo + by, hi: r.hi + by }));
}

/**
 * The boundaries at which any of `sets` starts or stops: cutting the line at these points gives pieces that each
 * lie wholly inside or wholly outside every set (used to union per-rule port sets per address piece).
 */
export function pieces(sets: readonly Ranges[]): Ranges {
  const cuts = new Set<bigint>();
  for (const s of sets)
    for (const r of s) {
      cuts.add(r.lo);
      cuts.add(r.hi + 1n);
    }
  const points = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: Range[] = [];
  for (let i = 0; i + 1 < points.length; i++) out.push({ lo: points[i]!, hi: points[i + 1]! - 1n });
  return out;
}
