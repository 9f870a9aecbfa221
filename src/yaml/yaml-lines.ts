/**
 * The checker's fastest reader: line by line, the block YAML kubectl and `yaml`'s `stringify` write (block mappings
 * and sequences, one-line plain and quoted scalars, empty `[]` and `{}`, `|` literals), with exactly the exact
 * reader's value (`yaml.ts`, go-yaml v2 semantics), or `undefined` outside that subset so the caller falls back.
 * Declining is always safe, a wrong value is not (an attacker writes the YAML), so every doubt declines: tabs, CR,
 * controls, anchors, aliases, tags, flow collections, multi-line scalars, escapes but `\"` and `\\`, folded blocks, comments after
 * content, keys go-yaml converts, duplicates, `<<`.
 */
import { resolvePlainRecurring, type Json } from "./scalars";
import { BACKSLASH, BAD, BAR, COLON, DASH, DQUOTE, HASH, INDICATOR, KEY, LF, PLUS, SPACE, SQUOTE } from "./yaml-chars";
import { keyIn } from "./yaml-keys";

type JsonObject = Record<string, Json>;
/** Thrown (never escapes) when the text is outside the subset. */
const DECLINE: unique symbol = Symbol("decline");
function decline(): never {
  // A symbol, not an Error: no stack is captured on this hot path, and readSimple catches it before it escapes.
  // eslint-disable-next-line @typescript-eslint/only-throw-error
  throw DECLINE;
}

/** State: the text, the current significant line's start (or `len`) and indentation, the last key or quoted text. */
let src = "",
  len = 0,
  pos = 0,
  ind = 0,
  keyText = "";

/** The index of the line break ending the line at `p`, or `len`. */
function lineEnd(p: number): number {
  const e = src.indexOf("\n", p);
  return e < 0 ? len : e;
}

/** Moves to the first line at or after `from` (a line start) that is neither blank nor a full-line comment. */
function next(from: number): void {
  let p = from,
    i = from;
  while (p < len) {
    i = p;
    while (src.charCodeAt(i) === SPACE) i++;
    const c = src.charCodeAt(i);
    if (c === LF) p = i + 1;
    else if (c === HASH) p = lineEnd(i) + 1;
    else break;
  }
  const end = p >= len || i >= len;
  pos = end ? len : p;
  ind = end ? -1 : i - p;
}

/** A quoted scalar on one line starting at `q` (a quote); its text in `keyText`; returns the index after it. */
function quoted(q: number, eol: number): number {
  const quote = src.charCodeAt(q);
  let out = "",
    start = q + 1;
  for (let i = start; i < eol; i++) {
    const c = src.charCodeAt(i);
    if (quote === DQUOTE && c === BACKSLASH) {
      // Only `\"` and `\\` (CEL in admission policies is full of them), which every YAML reader reads alike.
      const d = src.charCodeAt(i + 1);
      if (d !== DQUOTE && d !== BACKSLASH) decline();
      out += src.slice(start, i);
      start = ++i; // the escaped character begins the next run
      continue;
    }
    if (c !== quote) continue;
    if (quote === DQUOTE || src.charCodeAt(i + 1) !== SQUOTE) {
      keyText = out + src.slice(start, i);
      return i + 1;
    }
    out += src.slice(start, i + 1); // '' is one quote
    start = ++i + 1;
  }
  return decline();
}

/**
 * Whether a mapping key starts at `k`: a plain key go-yaml reads as a string, or a one-line quoted key, followed
 * by `:` and a space or the line end. Returns the index of the `:` (the key in `keyText`) or -1.
 */
function scanKey(k: number, eol: number): number {
  const c = src.charCodeAt(k);
  let e;
  if (c < 128 && (KEY[c]! & 1) === 1) {
    e = k + 1;
    for (;;) {
      let d = src.charCodeAt(e);
      while (d < 128 && KEY[d] !== 0) d = src.charCodeAt(++e);
      if (d !== COLON) return -1;
      d = src.charCodeAt(e + 1);
      if (d >= 128 || KEY[d] === 0) break;
      e += 2; // a `:` inside the key, as Pulumi's `agent-trust:layer`
    }
    keyText = keyIn(src, k, e);
    if (typeof resolvePlainRecurring(keyText) !== "string") decline();
  } else if (c === SQUOTE || c === DQUOTE) {
    e = quoted(k, eol);
    if (src.charCodeAt(e) !== COLON) return -1;
  } else {
    return -1;
  }
  if (e + 1 < eol && src.charCodeAt(e + 1) !== SPACE) return -1;
  if (e - k > 1000 || keyText === "__proto__") decline();
  return e;
}

/** True when `-` at `i` is a sequence entry indicator (followed by a space or the line end). */
function isEntry(i: number): boolean {
  const d = src.charCodeAt(i + 1);
  return src.charCodeAt(i) === DASH && (d === SPACE || d === LF || i + 1 >= len);
}

/** The node starting on the current line at indentation `n`: a block mapping or sequence. */
function block(n: number): Json {
  return isEntry(pos + n) ? sequence(n) : mapping(n, pos + n);
}

/** A block mapping at indentation `n` whose first key starts at `k` (its `:` at `first`, when scanned). */
function mapping(n: number, k: number, first = -1): JsonObject {
  const out: JsonObject = {};
  for (let colon = first; ; colon = -1) {
    const eol = lineEnd(k);
    if (colon < 0) colon = scanKey(k, eol);
    if (colon < 0) decline();
    const key = keyText;
    if (out[key] !== undefined && Object.hasOwn(out, key)) decline();
    out[key] = value(n, colon + 1, eol, true);
    if (pos >= len || ind < n) return out;
    if (ind > n) decline();
    k = pos + n;
  }
}

/** A block sequence at indentation `n` (the current line's `-` is at `pos + n`). */
function sequence(n: number): Json[] {
  const base = items.length;
  for (;;) {
    const start = pos;
    const eol = lineEnd(start);
    let q = start + n + 1;
    while (q < eol && src.charCodeAt(q) === SPACE) q++;
    if (q < eol && isEntry(q)) decline();
    const colon = q < eol ? scanKey(q, eol) : -1;
    items.push(colon >= 0 ? mapping(q - start, q, colon) : value(n, q, eol, false));
    if (pos >= len || ind < n || (ind === n && !isEntry(pos + n))) break;
    if (ind > n) decline();
  }
  // Copied out at its exact size (a sequence grown by push would hold spare room), then dropped from the stack.
  const out = items.slice(base);
  items.length = base;
  return out;
}

/** The entries of the sequences being read, a nested one above the one holding it. */
const items: Json[] = [];

/**
 * The value after a key's `:` or an entry's `-` (from `p` to `eol`) in a collection at indentation `n`; leaves
 * the reader on the next significant line (the caller declines one indented more than `n`). `sameIndentSequence`:
 * a mapping value may be a sequence at `n`.
 */
function value(n: number, p: number, eol: number, sameIndentSequence: boolean): Json {
  let q = p;
  while (q < eol && src.charCodeAt(q) === SPACE) q++;
  if (q === eol) {
    next(eol + 1);
    if (pos >= len) return null;
    if (ind > n) return block(ind);
    if (ind === n && sameIndentSequence && isEntry(pos + n)) return sequence(n);
    return null;
  }
  const c = src.charCodeAt(q);
  if (c === BAR) return literal(n, q, eol);
  let v: Json;
  let end = eol;
  if (c === SQUOTE || c === DQUOTE) {
    end = quoted(q, eol);
    v = keyText;
  } else if ((c === 91 && src.charCodeAt(q + 1) === 93) || (c === 123 && src.charCodeAt(q + 1) === 125)) {
    end = q + 2;
    v = c === 91 ? [] : {};
  } else {
    v = plain(q, eol);
  }
  while (end < eol && src.charCodeAt(end) === SPACE) end++;
  if (end !== eol) decline();
  next(eol + 1);
  return v;
}

/** A one-line plain scalar from `q` to `eol`, resolved as go-yaml v2 resolves it. */
function plain(q: number, eol: number): Json {
  const c = src.charCodeAt(q);
  if (c < 128 && INDICATOR[c] === 1) decline();
  if (c === DASH && (q + 1 >= eol || src.charCodeAt(q + 1) === SPACE)) decline();
  let end = eol;
  while (src.charCodeAt(end - 1) === SPACE) end--;
  const text = src.slice(q, end);
  // A comment, a `: ` (a nested mapping) or a final `:` is not one plain scalar.
  if (text.includes(" #") || text.includes(": ") || src.charCodeAt(end - 1) === COLON) decline();
  const v = resolvePlainRecurring(text);
  if (typeof v === "number" && !Number.isFinite(v)) decline();
  return v;
}

/** A `|`, `|-` or `|+` literal block whose header is at `q` in a collection at indentation `n`. */
function literal(n: number, q: number, eol: number): string {
  let i = q + 1;
  const chomp = src.charCodeAt(i);
  if (chomp === DASH || chomp === PLUS) i++;
  while (i < eol && src.charCodeAt(i) === SPACE) i++;
  if (i !== eol || eol >= len) decline();
  let p = eol + 1;
  // The content indentation is that of the first non-blank line; a longer blank line before it is declined.
  let m = -1,
    longestBlank = 0;
  for (let s = p, j = p; s < len && m < 0; s = j + 1) {
    for (j = s; src.charCodeAt(j) === SPACE;) j++;
    if (src.charCodeAt(j) !== LF) m = j - s;
    else longestBlank = Math.max(longestBlank, j - s);
  }
  if (m <= n || longestBlank > m) decline();
  let out = "",
    blanks = 0,
    started = false;
  while (p < len) {
    let j = p;
    while (j < p + m && src.charCodeAt(j) === SPACE) j++;
    const e = src.indexOf("\n", j);
    if (j < p + m && j !== e && j < len) break; // a less indented line ends the block
    if (e < 0) decline(); // the last line has no line break
    p = e + 1;
    if (j === e) {
      blanks++;
      continue;
    }
    let k = j;
    while (src.charCodeAt(k) === SPACE) k++;
    if (k === e) decline(); // a blank line longer than the indentation
    const line = src.slice(j, e);
    out = started ? out + "\n".repeat(blanks + 1) + line : "\n".repeat(blanks) + line;
    started = true;
    blanks = 0;
  }
  next(p);
  if (chomp === DASH) return out;
  if (chomp === PLUS) return out + "\n".repeat(blanks + 1);
  return out + "\n";
}

/**
 * The value of one YAML document's text (a chunk as `splitDocuments` in yaml-fast.ts yields it: it may begin
 * with a `---` marker line), or undefined when the text is outside the simple subset this reader handles.
 * `screened`: the caller has already found none of the characters this reader never reads (`BAD`) in the text.
 */
export function readSimple(text: string, screened = false): Json | undefined {
  if (!screened && BAD.test(text)) return undefined;
  let p = 0;
  const marked = text.startsWith("---");
  if (marked) {
    p = 3;
    while (text.charCodeAt(p) === SPACE) p++;
    if (p < text.length && text.charCodeAt(p) !== LF) return undefined;
    p++;
  }
  src = text;
  len = text.length;
  try {
    next(p);
    if (pos >= len) return marked ? null : undefined;
    if (ind !== 0) return undefined;
    const v = block(0);
    return pos >= len ? v : undefined;
  } catch (e) {
    if (e === DECLINE || e instanceof RangeError) return undefined;
    throw e;
  } finally {
    src = "";
    len = 0;
    items.length = 0;
  }
}
