/**
 * Splitting a YAML stream into documents exactly as kubectl does (k8s.io/apimachinery/pkg/util/yaml YAMLReader
 * over a bufio LineReader), incrementally, so a file of any size is read in pieces:
 * - lines end at `\n` only; one `\r` before it is dropped (bufio.ReadLine), a last line without `\n` gets one;
 * - a line that STARTS with `---` is a separator when what follows, trimmed of Go whitespace (unicode.IsSpace),
 *   is empty or starts with `#` (`---`, `--- # x`, `---#x`, `---   `); anything else after it (`--- foo`,
 *   `---x`, `----`, `--- {a: 1}`, `--- |`) is kubectl's "invalid Yaml document separator" error, which stops its
 *   reading of the file: so here too (the error names the line), and nothing after it is read;
 * - a separator ends the document being gathered and is dropped; one that comes before any line of a document
 *   (the file's first line, or right after another separator) is the first line of the next document instead, so
 *   go-yaml reads it (`--- # x` is a YAML document start with a comment).
 * What a document's text then means is go-yaml v2's business (see `kubectl-read.ts`).
 */

/** Go's unicode.IsSpace. */
export function isGoSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** What follows `---` on a line from `from` to `to`, trimmed as Go's strings.TrimSpace trims it. */
export function separatorRest(text: string, from: number, to: number): string {
  while (from < to && isGoSpace(text.charCodeAt(from))) from++;
  while (to > from && isGoSpace(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

/** One document as kubectl hands it to sigs.k8s.io/yaml: its text (`\n` line ends) and its first line (1-based). */
export interface RawDocument {
  readonly text: string;
  readonly line: number;
  /** Its first line is a separator (`---…`), kept because no line came before it in this document. */
  readonly marked: boolean;
}

/** Why kubectl stops reading the stream at a line. */
export interface SplitError {
  readonly line: number;
  readonly message: string;
}

/** The number of `\n` in `text` from `from` to `to`. */
function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** kubectl's document text: `\r\n` read as `\n`, as bufio.ReadLine drops the `\r` before a line's `\n`. */
const kubectlText = (text: string): string => (text.includes("\r") ? text.replace(/\r\n/g, "\n") : text);

/**
 * Feeds text in pieces (`push`), then `end`; hands each document to `onDocument` as soon as its end is seen, and
 * a separator kubectl refuses to `onError` (after which nothing more is read). Holds at most one document and
 * one unfinished line.
 */
export class KubectlSplitter {
  private pending = "";
  /** Line number of the first line of `pending`. */
  private line = 1;
  private parts: string[] = [];
  private partsLength = 0;
  private docLine = 1;
  private docMarked = false;
  private stopped = false;

  constructor(
    private readonly onDocument: (doc: RawDocument) => void,
    private readonly onError: (e: SplitError) => void,
  ) {}

  /** Whether a refused separator stopped the reading. */
  get failed(): boolean {
    return this.stopped;
  }

  /** The stream given to this splitter starts on line `line` of the file (kubectl read JSON before it). */
  startAt(line: number): void {
    this.line = this.docLine = line;
  }

  push(text: string): void {
    if (this.stopped || text === "") return;
    const lastInText = text.lastIndexOf("\n"); // in the new text only: a long unfinished line is not searched again
    if (lastInText < 0) {
      this.pending += text;
      return;
    }
    const all = this.pending === "" ? text : this.pending + text;
    const last = all.length - text.length + lastInText;
    this.pending = last + 1 === all.length ? "" : all.slice(last + 1);
    this.lines(all, last + 1);
  }

  end(): void {
    if (this.stopped) return;
    if (this.pending !== "") {
      const rest = this.pending + "\n"; // bufio's last line without a line break, as LineReader completes it
      this.pending = "";
      this.lines(rest, rest.length);
    }
    // this.lines() above may have stopped the splitter.
    if (!this.stopped && this.partsLength > 0) this.emit();
  }

  /** Complete lines `block[0, to)` (`to` is just after a `\n`), starting on line `this.line`. */
  private lines(block: string, to: number): void {
    let from = 0;
    let sep = block.startsWith("---") ? 0 : this.nextSeparator(block, 0, to);
    let line = this.line;
    while (sep >= 0) {
      line += newlines(block, from, sep);
      const eol = block.indexOf("\n", sep);
      const rest = separatorRest(block, sep + 3, eol);
      if (rest !== "" && !rest.startsWith("#")) {
        this.stopped = true;
        this.parts = [];
        this.onError({
          line,
          message: `invalid document separator "${block.slice(sep, eol).replace(/\r$/, "")}": a line that starts with --- may only be followed by spaces or a comment; kubectl stops reading the file here ("invalid Yaml document separator: ${rest}")`,
        });
        return;
      }
      this.add(block, from, sep);
      if (this.partsLength > 0) {
        this.emit(); // the separator line is dropped
        this.docLine = line + 1;
      } else {
        this.docLine = line;
        this.docMarked = true;
        this.add(block, sep, eol + 1); // kept as the first line of the next document
      }
      from = eol + 1;
      line++;
      sep = this.nextSeparator(block, from, to);
    }
    this.add(block, from, to);
    this.line = line + newlines(block, from, to);
  }

  private nextSeparator(block: string, from: number, to: number): number {
    const i = block.indexOf("\n---", from - 1 < 0 ? 0 : from - 1);
    return i < 0 || i + 1 >= to ? -1 : i + 1;
  }

  private add(block: string, from: number, to: number): void {
    if (to <= from) return;
    this.parts.push(from === 0 && to === block.length ? block : block.slice(from, to));
    this.partsLength += to - from;
  }

  private emit(): void {
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join("");
    const doc: RawDocument = { text: kubectlText(text), line: this.docLine, marked: this.docMarked };
    this.parts = [];
    this.partsLength = 0;
    this.docMarked = false;
    this.onDocument(doc);
  }
}

/** Splits a whole text as kubectl does (see `KubectlSplitter`). */
export function splitKubectl(text: string): { documents: RawDocument[]; error?: SplitError } {
  const documents: RawDocument[] = [];
  let error: SplitError | undefined;
  const s = new KubectlSplitter(
    (d) => documents.push(d),
    (e) => (error = e),
  );
  s.push(text);
  s.end();
  return error ? { documents, error } : { documents };
}
