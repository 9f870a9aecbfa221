/**
 * The fast paths of the checker's reader. Most Kubernetes YAML uses none of the features where the exact reader
 * (`yaml.ts`, go-yaml v2 semantics on top of the `yaml` package) earns its cost: no anchors or aliases, no tags,
 * no merge keys, no directives, no keys that go-yaml would refuse. Plain block YAML (what kubectl and `render`
 * write) is read line by line (`yaml-lines.ts`); any other such document is parsed by js-yaml, several
 * times faster than the exact reader, with go-yaml v2's resolution of plain scalars (`resolvePlain`, the same function the exact reader
 * uses). Any document that shows one of those features anywhere in its text, or that js-yaml cannot read, is read
 * by the exact reader instead, so both paths give the same value or the same error; a differential test holds
 * them to that.
 */
import type { Schema } from "js-yaml";
import { resolvePlain, type Json } from "./scalars";
import { readSimple } from "./yaml-lines";
import { parseYamlStream, type DocumentResult } from "./yaml";

/** go-yaml v2's plain-scalar resolution as one implicit js-yaml type (applied to untagged plain scalars only). */
let lastText: string | undefined;
let lastValue: Json = null;

/** resolvePlain, remembered for the one scalar js-yaml resolves and then constructs right after. */
function plain(text: string): Json {
  if (text !== lastText) {
    lastText = text;
    lastValue = resolvePlain(text);
  }
  return lastValue;
}

/** Only these first characters can start a plain scalar go-yaml resolves to something other than a string. */
const MAY_RESOLVE = /^(?:$|[-+.0-9~nNyYtTfFoO])/;

/** js-yaml, and the schema, loaded on first use: plain block YAML never needs them (`yaml-lines.ts` reads it). */
let jsYaml: { readonly module: typeof import("js-yaml"); readonly schema: Schema } | undefined;

function js(): NonNullable<typeof jsYaml> {
  if (!jsYaml) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a document needs it
    const module = require("js-yaml") as typeof import("js-yaml");
    const goPlain = new module.Type("tag:agent-trust.io,2026:go-plain", {
      kind: "scalar",
      resolve: (text: string) => MAY_RESOLVE.test(text) && typeof plain(text) !== "string",
      construct: (text: string) => plain(text),
    });
    jsYaml = { module, schema: module.FAILSAFE_SCHEMA.extend({ implicit: [goPlain] }) };
  }
  return jsYaml;
}

/**
 * Text that sends a document to the exact reader: an anchor, alias or tag character anywhere (also inside
 * strings, which only costs speed), a merge key, a directive or document-end marker, a complex key, and a plain
 * key go-yaml refuses or converts (null, float, empty), and infinities or NaN (which kubectl refuses). Each run
 * of blanks is matched by one quantifier only (never `[ \t]*` twice in a row), so a long run costs linear time.
 */
const NEEDS_EXACT =
  /[&*!]|<<|\.(?:inf|Inf|INF|nan|NaN|NAN)\b|^%|^\.\.\.|(?:^|[\s{,[])\?(?:\s|$)|(?:^(?:---[ \t])?[ \t]*(?:-[ \t]+)*|[{,[][ \t]*)(?:(?:~|null|Null|NULL|[-+]?\.?[0-9][0-9_.eE+-]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))[ \t]*)?:(?:[ \t]|$)/m;

/** Only blank lines and comments. */
const BLANK = /^(?:[ \t\r]*(?:#[^\n]*)?(?:\n|$))*$/;

/** A document's text and the 0-based line it starts on. */
export interface Chunk {
  readonly text: string;
  /** The 0-based line it starts on: a number, or counted on demand by its stream (`forEachDocument`). */
  readonly line: number | { readonly start: number; readonly lines: LineCounter };
}

/** Counts the lines of one text up to an offset, onwards from the last count (offsets come in order). */
class LineCounter {
  private countedTo = 0;
  private counted = 0;
  constructor(private readonly text: string) {}
  at(offset: number): number {
    if (offset < this.countedTo) [this.countedTo, this.counted] = [0, 0];
    for (let i = this.text.indexOf("\n", this.countedTo); i !== -1 && i < offset; i = this.text.indexOf("\n", i + 1))
      this.counted++;
    this.countedTo = offset;
    return this.counted;
  }
}

/** The line a chunk starts on. */
export const lineOf = (chunk: Chunk): number =>
  typeof chunk.line === "number" ? chunk.line : chunk.line.lines.at(chunk.line.start);

/**
 * Hands each document of a YAML stream to `each` as it is found, split at `---` lines (a document marker is never
 * inside a document: YAML forbids it there). Lazily, so a large stream's chunks die young.
 */
export function forEachDocument(text: string, each: (chunk: Chunk) => void): void {
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let first = true;
  // Line numbers only matter for the rare document the exact reader must read (its errors name lines).
  const lines = new LineCounter(text);
  const emit = (from: number, to: number) => {
    const chunk: Chunk = { text: text.slice(from, to), line: { start: from, lines } };
    // Before the first marker only blanks and comments: not a document (as every YAML reader sees it).
    if (first && !chunk.text.startsWith("---") && BLANK.test(chunk.text)) return void (first = false);
    first = false;
    each(chunk);
  };
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    // emit() clears `first`.
    if (m.index > start || !first) emit(start, m.index);
    start = m.index;
  }
  emit(start, text.length);
}

/** Every document of a YAML stream (see `forEachDocument`), as plain data. */
export function splitDocuments(text: string): (Chunk & { readonly line: number })[] {
  const chunks: (Chunk & { readonly line: number })[] = [];
  forEachDocument(text, (c) => chunks.push({ text: c.text, line: lineOf(c) }));
  return chunks;
}

/** Shifts `line N` in an exact-reader message by the line a chunk starts on. */
function shiftLine(result: DocumentResult, by: number): DocumentResult {
  if (!("error" in result) || by === 0) return result;
  return { error: result.error.replace(/^line (\d+)/, (_, n: string) => `line ${Number(n) + by}`) };
}

/**
 * Reads one chunk: the line reader (`yaml-lines.ts`) when the chunk is plain block YAML, else js-yaml when
 * nothing in it needs the exact reader, else the exact reader.
 */
export function readChunk(chunk: Chunk): DocumentResult[] {
  const simple = readSimple(chunk.text);
  if (simple !== undefined) return [{ value: simple }];
  const docs = readChunkOnce(chunk.text);
  const by = lineOf(chunk);
  return by === 0 ? docs : docs.map((r) => shiftLine(r, by));
}

/**
 * A chunk's documents (line numbers counted from its start) by js-yaml when nothing in it needs the exact reader
 * and js-yaml reads it, else by the exact reader. The line reader is the caller's to try first.
 */
export function readChunkOnce(text: string): DocumentResult[] {
  if (NEEDS_EXACT.test(text)) return parseYamlStream(text);
  const { module, schema } = js();
  try {
    const value = module.load(text, { schema }) as Json | undefined;
    return [{ value: value === undefined ? null : value }];
  } catch (e) {
    if (e instanceof module.YAMLException || e instanceof RangeError) return parseYamlStream(text);
    throw e;
  }
}

/** Every document of a YAML stream, as `parseYamlStream` reads it, mostly faster. Never throws. */
export function parseYamlStreamFast(text: string): DocumentResult[] {
  return splitDocuments(text).flatMap(readChunk);
}
