/**
 * Which of many label selectors can select a given set of labels, without trying every selector on every pod
 * (pods × policies in a stack). Each selector is filed under one of its `matchLabels` pairs, the one fewest
 * selectors share: a selector can only select labels holding that pair. A pod's candidates are the selectors
 * filed under its own pairs, plus those that cannot be filed (no matchLabels, a value that is not a string, or
 * not a mapping at all), and the caller's `selects` still decides each candidate, so the answer is exactly the
 * plain filter's, in the same order. Pure.
 */
import { isObj } from "./paths";

const pairKey = (k: string, v: string) => `${k.length}:${k}=${v}`;

export class SelectorIndex<T> {
  private readonly filed = new Map<string, number[]>();
  private readonly unfiled: number[] = [];

  constructor(
    private readonly items: readonly T[],
    selectorOf: (item: T) => unknown,
  ) {
    const pairsOf = items.map((item): string[] | undefined => {
      const selector = selectorOf(item);
      const labels = isObj(selector) ? selector.matchLabels : undefined;
      if (!isObj(labels)) return undefined;
      const entries = Object.entries(labels);
      if (entries.length === 0 || entries.some(([, v]) => typeof v !== "string")) return undefined;
      return entries.map(([k, v]) => pairKey(k, v as string));
    });
    const shared = new Map<string, number>();
    for (const pairs of pairsOf) for (const p of pairs ?? []) shared.set(p, (shared.get(p) ?? 0) + 1);
    pairsOf.forEach((pairs, i) => {
      if (!pairs) return void this.unfiled.push(i);
      const rarest = pairs.reduce((a, b) => (shared.get(b)! < shared.get(a)! ? b : a));
      const at = this.filed.get(rarest);
      if (at) at.push(i);
      else this.filed.set(rarest, [i]);
    });
  }

  /** The items whose selector `selects` the labels, in the order they were given. */
  selecting(labels: Record<string, unknown>, selects: (item: T) => boolean): T[] {
    const candidates = [...this.unfiled];
    for (const [k, v] of Object.entries(labels)) {
      if (typeof v !== "string") continue;
      const at = this.filed.get(pairKey(k, v));
      if (at) for (const i of at) candidates.push(i);
    }
    if (candidates.length > this.unfiled.length) candidates.sort((a, b) => a - b);
    const out: T[] = [];
    for (const i of candidates) if (selects(this.items[i]!)) out.push(this.items[i]!);
    return out;
  }
}
