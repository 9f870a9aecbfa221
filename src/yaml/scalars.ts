/**
 * Plain YAML scalars as kubectl reads them: go-yaml v2's resolution (YAML 1.1 booleans, Go-style integers, floats,
 * nulls). Shared by the exact reader (yaml.ts) and the fast path (yaml-fast.ts). Pure.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const BOOL_TRUE = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"];
const BOOL_FALSE = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"];
const NULLS = ["", "~", "null", "Null", "NULL"];
/** Every word resolvePlain turns into a boolean or null. */
const RESOLVED_WORDS: readonly string[] = [...BOOL_TRUE, ...BOOL_FALSE, ...NULLS];
const SPECIAL_FLOATS: Record<string, number> = {
  ".nan": NaN,
  ".NaN": NaN,
  ".NAN": NaN,
  ".inf": Infinity,
  ".Inf": Infinity,
  ".INF": Infinity,
  "+.inf": Infinity,
  "+.Inf": Infinity,
  "+.INF": Infinity,
  "-.inf": -Infinity,
  "-.Inf": -Infinity,
  "-.INF": -Infinity,
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
  const first = text[0] ?? "";
  if (first === ".") return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : text;
  if (!/[-+0-9]/.test(first)) return text;
  const plain = text.replace(/_/g, "");
  const int = goParseInt(plain);
  if (int !== undefined) return int;
  if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
  return text;
}

/** First characters of a plain scalar that resolvePlain may turn into something other than a string. */
const MAY_RESOLVE = new Uint8Array(128);
for (const c of "-+.0123456789") MAY_RESOLVE[c.charCodeAt(0)] = 1;
for (const w of RESOLVED_WORDS) if (w) MAY_RESOLVE[w.charCodeAt(0)] = 1;
const LONGEST_WORD = Math.max(...RESOLVED_WORDS.map((w) => w.length));

/** resolvePlain's answers for the spellings that recur in every document (true, 443, TCP…); bounded. */
const RECURRING = new Map<string, Json>();

/**
 * resolvePlain for a reader of many documents: a text that cannot start a number or one of the words, or is
 * longer than every word and starts with a letter, is the string itself at once; other short texts are remembered.
 */
export function resolvePlainRecurring(text: string): Json {
  const c = text.charCodeAt(0);
  if (text !== "" && (c >= 128 || MAY_RESOLVE[c] !== 1 || (c >= 65 && text.length > LONGEST_WORD))) return text;
  if (text.length > 64) return resolvePlain(text);
  let v = RECURRING.get(text);
  if (v !== undefined) return v;
  v = resolvePlain(text);
  if (RECURRING.size >= 4096) RECURRING.clear();
  RECURRING.set(text, v);
  return v;
}
