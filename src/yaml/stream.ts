/**
 * A file's text, fed in pieces, read into documents the way kubectl's YAMLOrJSONDecoder reads a stream: a JSON
 * stream when the first character that is not Go whitespace within the first 4096 bytes is `{`, else YAML split
 * by kubectl's YAMLReader (`kubectl-split.ts`), each document read as go-yaml reads it or refused
 * (`kubectl-read.ts`). YAML is read document by document as the pieces come, so memory holds one document at a
 * time however large the file; a JSON stream is held whole (it is split by balanced braces, as before).
 */
import { JsonStream } from "./json-stream";
import { isGoSpace, KubectlSplitter, type RawDocument } from "./kubectl-split";
import { readKubectlDocument } from "./kubectl-read";
import type { Json } from "./scalars";
import { parseYamlStreamFast } from "./yaml-fast";

/** How far kubectl looks for the `{` of a JSON stream (NewYAMLOrJSONDecoder's buffer in cli-runtime). */
const JSON_PEEK_BYTES = 4096;

/** Characters JSON forbids raw or the YAML readers of a JSON document could read differently from Go's JSON. */
// eslint-disable-next-line no-control-regex -- the readers must name the control characters YAML and JSON treat apart
const JSON_SPECIAL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;

/** What the stream reports: a document's value (numbered from 1, with its text for `mayHoldUnknown`), or an error. */
export interface StreamSink {
  document(n: number, value: Json, text: string): void;
  error(message: string): void;
}

const utf8Bytes = (c: number) =>
  c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xdc00 ? 4 : c >= 0xdc00 && c < 0xe000 ? 0 : 3;

export class ManifestStream {
  private mode: "undecided" | "yaml" | "json" = "undecided";
  private held: string[] = [];
  private heldBytes = 0;
  private n = 0;
  private first = true;
  private readonly splitter: KubectlSplitter;
  private json: JsonStream | undefined;

  constructor(
    private readonly file: string,
    private readonly sink: StreamSink,
  ) {
    this.splitter = new KubectlSplitter(
      (doc) => {
        this.yamlDocument(doc);
      },
      (e) => {
        this.sink.error(`${this.file}:${e.line}: ${e.message}`);
      },
    );
  }

  push(text: string): void {
    if (this.mode === "yaml") {
      this.splitter.push(text);
      return;
    }
    if (this.json) {
      this.json.push(text);
      return;
    }
    this.held.push(text);
    this.decide(text, false);
  }

  end(): void {
    if (this.mode === "undecided") this.decide("", true);
    this.json?.end();
    this.splitter.end();
  }

  /** Looks at the next piece for the first non-space character; switches to YAML or JSON once it is known. */
  private decide(text: string, atEnd: boolean): void {
    let found: number | undefined;
    for (let i = 0; i < text.length && this.heldBytes < JSON_PEEK_BYTES; i++) {
      const c = text.charCodeAt(i);
      if (!isGoSpace(c)) {
        found = c;
        break;
      }
      this.heldBytes += utf8Bytes(c);
    }
    if (found === undefined && !atEnd && this.heldBytes < JSON_PEEK_BYTES) return;
    const held = this.held;
    this.held = [];
    if (found === 0x7b) {
      this.mode = "json";
      this.json = new JsonStream({
        value: (text, parsed, line) => {
          this.jsonDocument(text, parsed, line);
        },
        error: (message, line) => {
          this.sink.error(`${this.file}:${line}: ${message}`);
        },
        yaml: (text, line) => {
          if (this.mode !== "yaml") this.splitter.startAt(line);
          this.mode = "yaml";
          this.json = undefined;
          this.splitter.push(text);
        },
      });
      // The sink above drops `this.json` when the stream turns out to be YAML, so it may be gone mid-loop.
      for (const t of held) this.json?.push(t);
      return;
    }
    this.mode = "yaml";
    for (const t of held) this.splitter.push(t);
  }

  private yamlDocument(doc: RawDocument): void {
    const r = readKubectlDocument(doc);
    // A first document that holds nothing (comments before the first ---) is not counted: kubectl skips it.
    if (this.first && !doc.marked && "value" in r && r.value === null) return void (this.first = false);
    this.first = false;
    const n = ++this.n;
    if ("value" in r) this.sink.document(n, r.value, doc.text);
    else if (r.parse) this.sink.error(`${this.file} document ${n}: cannot be parsed: ${r.error}`);
    else this.sink.error(`${this.file}:${r.line}: document ${n}: ${r.error}`);
  }

  /**
   * A JSON value: read with the YAML readers (so a key given twice is refused as in YAML) and held to what
   * JSON.parse (Go's JSON decoder, for these purposes) reads; a difference is refused.
   */
  private jsonDocument(part: string, parsed: unknown, line: () => number): void {
    const special = JSON_SPECIAL.exec(part);
    const n = ++this.n;
    if (special) {
      const hex = special[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      this.sink.error(
        `${this.file}:${line()}: document ${n}: character U+${hex} in a JSON document: JSON forbids it raw or the checker's readers could read it differently from kubectl's JSON decoder; refused (write it as a \\u escape)`,
      );
      return;
    }
    for (const d of parseYamlStreamFast(part)) {
      if ("error" in d) this.sink.error(`${this.file} document ${n}: cannot be parsed: ${d.error}`);
      else if (!sameJson(d.value, parsed))
        this.sink.error(
          `${this.file}:${line()}: document ${n}: read differently as JSON and as YAML (kubectl reads it as JSON); refused rather than guessed`,
        );
      else this.sink.document(n, d.value, part);
    }
  }
}

/** The same JSON data (numbers by value, so -0 is 0; key order aside). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  const ka = Object.keys(a);
  const bo = b as Record<string, unknown>;
  return (
    ka.length === Object.keys(bo).length &&
    ka.every((k) => Object.hasOwn(bo, k) && sameJson((a as Record<string, unknown>)[k], bo[k]))
  );
}

/** Every document value and error of a whole text, as the checker reads it (for tests and tools). */
export function readText(file: string, text: string): { values: Json[]; errors: string[] } {
  const values: Json[] = [];
  const errors: string[] = [];
  const s = new ManifestStream(file, { document: (_, v) => void values.push(v), error: (m) => void errors.push(m) });
  s.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  s.end();
  return { values, errors };
}
