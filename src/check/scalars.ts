/**
 * Plain YAML scalars as kubectl reads them: go-yaml v2's resolution (YAML 1.1 booleans, Go-style integers, floats,
 * nulls). Shared by the exact reader (yaml.ts) and the fast path (yaml-fast.ts). Pure.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const BOOL_TRUE = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
const BOOL_FALSE = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];
const NULLS = ["", "~", "null", "Null", "NULL"];
/** Every word resolvePlain turns into a boolean or null (fast readers skip resolving texts that cannot be one). */
export const RESOLVED_WORDS: readonly string[] = [...BOOL_TRUE, ...BOOL_FALSE, ...NULLS];
const SPECIAL_FLOATS: Record<string, number> = {
  ".nan": NaN, ".NaN": NaN, ".NAN": NaN,
  ".inf": Infinity, ".Inf": Infinity, ".INF": Infinity,
  "+.inf": Infinity, "+.Inf": Infinity, "+.INF": Infinity,
  "-.inf": -Infinity, "-.Inf": -Infinity, "-.INF": -Infinity,
};
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** Go's strconv.ParseInt(s, 0, 64) / ParseUint: sign, then 0x / 0o / 0b / leading-0 octal or decimal digits. */
function goParseInt(s: string): number | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let big: bigint;
  if (/^0[xXoObB]/.test(body)) big = BigInt(body.toLowerCase());
  else if (body.startsWith("0") && body.length > 1) big = BigInt(`0o${body.slice(1)}`);
  else big = BigInt(body);
  if (m[1] === "-") big = -big;
  // Beyond int64 ParseInt fails; ParseUint takes up to uint64 (never negative); beyond that it is a float or a string.
  if (big < -(2n ** 63n) || big >= 2n ** 64n) return undefined;
  return Number(big);
}

/** The value go-yaml v2 gives a plain (unquoted, untagged) scalar. */
export function resolvePlain(text: string): Json {
  if (BOOL_TRUE.includes(text)) return true;
  if (BOOL_FALSE.includes(text)) return false;
  if (NULLS.includes(text)) return null;
  if (Object.hasOwn(SPECIAL_FLOATS, text)) return SPECIAL_FLOATS[text]!;
  const first = text[0]!;
  if (first === ".") return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : text;
  if (!/[-+0-9]/.test(first)) return text;
  const plain = text.replace(/_/g, "");
  const int = goParseInt(plain);
  if (int !== undefined) return int;
  if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
  return text;
}
