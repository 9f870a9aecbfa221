/**
 * YAML and JSON read the way `kubectl apply -f` reads them, so the rules judge what the API server would store.
 * kubectl decodes with sigs.k8s.io/yaml, which converts each document to JSON through its fork of go-yaml v2
 * (YAML 1.1 scalars); a stream that starts with `{` is a JSON stream instead. This module parses with the `yaml`
 * package (failsafe schema: every scalar a string, nothing resolved) and then resolves the tree itself, as
 * go-yaml v2 does:
 * - plain scalars: `y/yes/on/true` (any of the listed capitalisations) are true, `n/no/off/false` false,
 *   `~/null/Null/NULL` and empty null; integers through Go's `strconv.ParseInt(s, 0, 64)` after removing `_`
 *   (`0777` is octal 511, `0x1F`, `0o17`, `0b101`, `+1`, `1_000`); floats by go-yaml's float pattern; timestamps
 *   stay strings; quoted scalars and `!!str` are strings; an unknown tag keeps the text as a string;
 * - merge keys: a plain `<<` (or `!!merge`) merges a mapping, an alias of one, or a sequence of them (earlier
 *   entries win); keys are applied in document order, so an explicit key after `<<` overrides it and one
 *   before it is overwritten by it, exactly as go-yaml v2 does. A quoted `"<<"` is an ordinary key;
 * - keys become JSON strings (`true`, `1`) as sigs.k8s.io/yaml converts them; a null, float, sequence or mapping
 *   key is refused;
 * - a key given twice (explicitly, after conversion) is refused: go-yaml would silently keep the last one, and a
 *   checker must not pick a different one than the cluster;
 * - aliases are expanded under go-yaml's own budget ("excessive aliasing": at most 99 % of decoded nodes from
 *   alias expansion, falling to 10 % for very large documents), and an anchor that contains itself is refused.
 * Errors are thrown as YamlError with a line and column.
 */
import type { Alias, Document, LineCounter, Node, Pair, Scalar, YAMLMap, YAMLSeq } from "yaml";
import { resolvePlain, type Json } from "./scalars";

/** The `yaml` package, loaded on first use: the fast path (`yaml-fast.ts`) reads most input without it. */
let yamlModule: typeof import("yaml") | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Y = (): typeof import("yaml") => (yamlModule ??= require("yaml") as typeof import("yaml"));
const isAlias = (n: unknown): n is Alias => Y().isAlias(n);
const isMap = (n: unknown): n is YAMLMap => Y().isMap(n);
const isPair = (n: unknown): n is Pair => Y().isPair(n);
const isScalar = (n: unknown): n is Scalar => Y().isScalar(n);
const isSeq = (n: unknown): n is YAMLSeq => Y().isSeq(n);

export type { Json } from "./scalars";
export class YamlError extends Error {}
export { resolvePlain };

const TAG = "tag:yaml.org,2002:";

interface State {
  readonly targets: Map<Alias, Node>;
  readonly lines: LineCounter;
  readonly expanding: Set<Node>;
  decodeCount: number;
  aliasCount: number;
  aliasDepth: number;
}

function fail(state: State, node: Node | null | undefined, message: string): never {
  const at = node?.range ? state.lines.linePos(node.range[0]) : undefined;
  throw new YamlError(at ? `line ${at.line}, column ${at.col}: ${message}` : message);
}

/** go-yaml v2.4's alias budget (decode.go allowedAliasRatio). */
function allowedAliasRatio(decodeCount: number): number {
  const low = 400_000;
  const high = 4_000_000;
  if (decodeCount <= low) return 0.99;
  if (decodeCount >= high) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - low) / (high - low));
}

function count(state: State, node: Node | null): void {
  state.decodeCount++;
  if (state.aliasDepth > 0) state.aliasCount++;
  if (
    state.aliasCount > 100 &&
    state.decodeCount > 1000 &&
    state.aliasCount / state.decodeCount > allowedAliasRatio(state.decodeCount)
  ) {
    fail(state, node, "document contains excessive aliasing (an alias bomb?); not read");
  }
}

/** JSON has no Infinity or NaN: kubectl fails converting such a document ("json: unsupported value"). */
function jsonNumber(state: State, node: Node, v: Json): Json {
  if (typeof v === "number" && !Number.isFinite(v))
    fail(state, node, `${v} cannot be converted to JSON; kubectl refuses the document`);
  return v;
}

function scalarValue(state: State, node: Node): Json {
  return jsonNumber(state, node, scalarText(state, node));
}

function scalarText(state: State, node: Node): Json {
  if (!isScalar(node)) return fail(state, node, "internal: not a scalar");
  // The failsafe schema leaves scalars as text, except a few tags the parser resolves anyway (!!binary to a
  // Buffer, !!merge to a symbol): read those from their source text.
  const raw = node.value;
  // What the parser resolved anyway (a number, a boolean, a Buffer) reads back as its text.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  const text = typeof raw === "string" ? raw : typeof node.source === "string" ? node.source : String(raw ?? "");
  const tag = node.tag;
  const plain = node.type === "PLAIN" || node.type === undefined;
  if (!tag || tag === "?") return plain ? resolvePlain(text) : text;
  if (tag === "!" || tag === `${TAG}str` || tag === `${TAG}timestamp`) return text;
  if (tag === `${TAG}binary`) return Buffer.from(text.replace(/\s+/g, ""), "base64").toString("utf8");
  const wanted: Partial<Record<string, (v: Json) => boolean>> = {
    [`${TAG}bool`]: (v) => typeof v === "boolean",
    [`${TAG}int`]: (v) => typeof v === "number" && Number.isInteger(v),
    [`${TAG}float`]: (v) => typeof v === "number",
    [`${TAG}null`]: (v) => v === null,
  };
  const check = wanted[tag];
  if (!check) return text; // go-yaml v2 keeps the text of a scalar with a tag it does not resolve
  const v = resolvePlain(text);
  if (!check(v)) fail(state, node, `cannot decode ${JSON.stringify(text)} as ${tag.replace(TAG, "!!")}`);
  return v;
}

function keyString(state: State, keyNode: Node | null): string {
  const key = keyNode ? convert(state, keyNode) : null;
  if (typeof key === "string") return key;
  if (typeof key === "boolean") return String(key);
  if (typeof key === "number" && Number.isInteger(key)) return String(key);
  if (typeof key === "number")
    return fail(state, keyNode, `map key ${key} is a float; the checker does not read float keys (quote it)`);
  return fail(state, keyNode, `unsupported map key ${JSON.stringify(key)}: kubectl cannot convert it to JSON`);
}

function isMergeKey(node: Node | null): boolean {
  if (!node || !isScalar(node)) return false;
  return node.tag === `${TAG}merge` || (node.type === "PLAIN" && !node.tag && node.value === "<<");
}

/** A mapping node (through an alias) for a merge, or a failure as go-yaml reports it. */
function mergeSource(state: State, node: Node): Node {
  const target = isAlias(node) ? state.targets.get(node) : node;
  if (!target || !isMap(target)) fail(state, node, "map merge requires map or sequence of maps as the value");
  return node;
}

function mergeInto(state: State, out: Record<string, Json>, node: Node | null): void {
  if (node && isSeq(node)) {
    const items = node.items as Node[];
    for (let i = items.length - 1; i >= 0; i--) assign(out, convert(state, mergeSource(state, items[i]!)));
    return;
  }
  if (!node) fail(state, node, "map merge requires map or sequence of maps as the value");
  assign(out, convert(state, mergeSource(state, node)));
}

function assign(out: Record<string, Json>, from: Json): void {
  if (from && typeof from === "object" && !Array.isArray(from)) for (const [k, v] of Object.entries(from)) out[k] = v;
}

function convert(state: State, node: Node | null): Json {
  count(state, node);
  if (node === null) return null;
  if (isAlias(node)) {
    const target = state.targets.get(node);
    if (!target) fail(state, node, `unknown anchor "${node.source}" referenced`);
    if (state.expanding.has(target)) fail(state, node, `anchor "${node.source}" value contains itself`);
    state.expanding.add(target);
    state.aliasDepth++;
    try {
      return convert(state, target);
    } finally {
      state.aliasDepth--;
      state.expanding.delete(target);
    }
  }
  if (isScalar(node)) return scalarValue(state, node);
  if (isSeq(node)) return (node.items as (Node | null)[]).map((item) => convert(state, item));
  if (isMap(node)) {
    const out: Record<string, Json> = Object.create(null) as Record<string, Json>;
    const explicit = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) fail(state, node, "malformed mapping entry");
      const k = pair.key as Node | null;
      const v = pair.value as Node | null;
      if (isMergeKey(k)) {
        mergeInto(state, out, v);
        continue;
      }
      const key = keyString(state, k);
      if (explicit.has(key))
        fail(state, k, `key "${key}" appears twice in one mapping; kubectl would silently keep the last one`);
      explicit.add(key);
      out[key] = convert(state, v);
    }
    return { ...out };
  }
  return fail(state, node, "unsupported YAML node");
}

/** Each alias's anchored node, as the parser saw it at that point of the document (anchors may be redefined). */
function aliasTargets(doc: Document): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  Y().visit(doc, {
    Node: (_, node) => {
      if (isAlias(node)) {
        const t = anchors.get(node.source);
        if (t) targets.set(node, t);
      } else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

/** One parsed document: its value (null when empty) or the reason it cannot be read. */
export type DocumentResult = { readonly value: Json } | { readonly error: string };

/** Every document of a YAML stream, resolved as kubectl resolves it. Never throws. */
export function parseYamlStream(text: string): DocumentResult[] {
  const lines = new (Y().LineCounter)();
  const docs = Y().parseAllDocuments(text, {
    schema: "failsafe",
    uniqueKeys: false,
    merge: false,
    lineCounter: lines,
    prettyErrors: false,
  });
  const list = Array.isArray(docs) ? docs : [];
  return list.map((doc) => {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      const at = lines.linePos(e.pos[0]);
      return { error: `line ${at.line}, column ${at.col}: ${e.message.split("\n")[0]}` };
    }
    try {
      const state: State = {
        targets: aliasTargets(doc),
        lines,
        expanding: new Set(),
        decodeCount: 0,
        aliasCount: 0,
        aliasDepth: 0,
      };
      return { value: convert(state, doc.contents ?? null) };
    } catch (e) {
      if (e instanceof YamlError) return { error: e.message };
      if (e instanceof RangeError) return { error: "nested too deeply to read" };
      throw e;
    }
  });
}

/**
 * A JSON stream (what kubectl reads when the input starts with `{`): the top-level values, each read like a YAML
 * document (JSON is YAML; duplicate keys are refused the same way). `undefined` when the text is not a sequence
 * of balanced `{…}` values, so the caller reads it as YAML instead.
 */
export function splitJsonStream(text: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) break;
    if (text[i] !== "{") return undefined;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) return undefined;
    out.push(text.slice(start, ++i));
  }
  return out;
}

/**
 * Reads a file's text as kubectl does: a JSON stream when it starts with `{`, else a YAML stream. `read` is the
 * stream reader: `parseYamlStream` here, the faster `parseYamlStreamFast` (same results) in the checker.
 */
export function parseStream(
  text: string,
  read: (text: string) => DocumentResult[] = parseYamlStream,
): DocumentResult[] {
  const trimmed = text.replace(/^\uFEFF/, "");
  if (/^\s*\{/.test(trimmed)) {
    const parts = splitJsonStream(trimmed);
    if (parts) return parts.flatMap((p) => read(p));
  }
  return read(trimmed);
}
