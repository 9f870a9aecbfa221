/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): `500m`, `1.5`, `2Gi`, `1e3`, `512M`.
 * Parsed exactly, as a fraction of two bigints, so `1000m` equals `1` and `1Gi` is more than `1G`. Pure.
 */

export interface Quantity {
  /** value = num / den, den > 0 */
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const QUANTITY = /^\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][-+]?[0-9]+)?$/;

/** The allowed spellings, for error messages. */
export const QUANTITY_FORMS = `a Kubernetes quantity such as 500m, 1.5, 2Gi, 512M or 1e3`;

/** Parses a non-negative quantity; undefined when Kubernetes would refuse it (or it is negative). */
export function parseQuantity(text: string): Quantity | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [whole = "", frac = ""] = m[1]!.split(".");
  let num = BigInt((whole || "0") + frac);
  let den = 10n ** BigInt(frac.length);
  const suffix = m[2] ?? "";
  const scale = (exp: number) => {
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  };
  if (suffix in BINARY) num *= BINARY[suffix]!;
  else if (suffix in DECIMAL) scale(DECIMAL[suffix]!);
  else {
    const exp = Number(suffix.slice(1));
    if (Math.abs(exp) > 30) return undefined;
    scale(exp);
  }
  return { num, den };
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}

export function isZero(q: Quantity): boolean {
  return q.num === 0n;
}
