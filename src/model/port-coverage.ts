/**
 * How many ports of each protocol a changing collection of port sets covers together: port sets are added and
 * removed (a sweep over addresses adds a rule's ports where its reach starts and removes them where it stops),
 * and `widest` answers at once. A segment tree per protocol over 1..65535 counting how often each node's span is
 * covered, so an add or remove costs O(ranges × log 65535) whatever else is in, and no union is ever recomputed.
 */
import { MAX_PORT, PROTOCOLS, type PortSet } from "./portset";

/** Leaves 1..MAX_PORT; node 1 is the root; each array holds 4 × the span, as a segment tree needs at most. */
const SPAN = MAX_PORT;

class Tree {
  private readonly count = new Int32Array(4 * SPAN);
  private readonly covered = new Int32Array(4 * SPAN);

  /** Adds `delta` (+1 or -1) to every port lo..hi. */
  update(lo: number, hi: number, delta: number, node = 1, l = 1, r = SPAN): void {
    if (hi < l || r < lo) return;
    if (lo <= l && r <= hi) {
      this.count[node]! += delta;
    } else {
      const mid = (l + r) >>> 1;
      this.update(lo, hi, delta, 2 * node, l, mid);
      this.update(lo, hi, delta, 2 * node + 1, mid + 1, r);
    }
    this.covered[node] =
      this.count[node]! > 0 ? r - l + 1 : l === r ? 0 : this.covered[2 * node]! + this.covered[2 * node + 1]!;
  }

  /** The number of ports covered at least once. */
  get total(): number {
    return this.covered[1]!;
  }
}

export class PortCoverage {
  private readonly trees = PROTOCOLS.map(() => new Tree());

  /** Adds (`delta` 1) or removes (`delta` -1) the ports of one set; remove only what was added. */
  change(ports: PortSet, delta: 1 | -1): void {
    PROTOCOLS.forEach((p, i) => {
      for (const r of ports[p]) this.trees[i]!.update(Number(r.lo), Number(r.hi), delta);
    });
  }

  /** The number of covered ports of the protocol that has the most (as `widestCount` of the union). */
  widest(): number {
    return Math.max(...this.trees.map((t) => t.total));
  }
}
