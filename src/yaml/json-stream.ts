/**
 * The JSON half of kubectl's YAMLOrJSONDecoder, incrementally: values one after another (Go's json.Decoder,
 * JSON whitespace between them), each value's text handed on as soon as it is complete. When a value cannot be
 * read, kubectl gives up with that error if it has already read two or more values; otherwise it rewinds to just
 * after the last value read, skips Go whitespace up to and including the first line break, and reads the rest
 * as a YAML stream (if nothing but whitespace is left, the error stands). So does this: `onYaml` gets the rest.
 * Memory holds one value (and what has arrived after it).
 */
import { isGoSpace } from "./kubectl-split";

export interface JsonSink {
  /** One complete JSON value's text, its value as JSON.parse reads it, and (asked during the call) its line. */
  value(text: string, parsed: unknown, line: () => number): void;
  /** kubectl's error, on a line of the stream (1-based); nothing more is read. */
  error(message: string, line: number): void;
  /** From here on the stream is YAML: this text (which starts on line `line` of the stream), then every later piece. */
  yaml(text: string, line: number): void;
}

/** The number of `\n` in `text` before `to`. */
function newlines(text: string, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

const isJsonSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

export class JsonStream {
  private buf = "";
  private pos = 0;
  /** Scan state of the value being read: where it starts, how far scanned, nesting, inside a string. */
  private start = -1;
  private scanned = 0;
  private depth = 0;
  private inString = false;
  private count = 0;
  /** Lines before `buf`. */
  private lines = 0;
  private state: "json" | "yaml" | "done" = "json";

  constructor(private readonly sink: JsonSink) {}

  push(text: string): void {
    if (this.state === "yaml") {
      this.sink.yaml(text, 0);
      return;
    }
    if (this.state === "done") return;
    if (this.pos > 0 && this.pos >= this.buf.length / 2) {
      this.lines += newlines(this.buf, this.pos);
      this.buf = this.buf.slice(this.pos);
      if (this.start >= 0) [this.start, this.scanned] = [this.start - this.pos, this.scanned - this.pos];
      this.pos = 0;
    }
    this.buf += text;
    this.read(false);
  }

  end(): void {
    if (this.state === "json") this.read(true);
  }

  private read(atEnd: boolean): void {
    for (;;) {
      if (this.start < 0) {
        let i = this.pos;
        while (i < this.buf.length && isJsonSpace(this.buf.charCodeAt(i))) i++;
        if (i >= this.buf.length) return; // io.EOF: the stream ends cleanly here
        this.start = this.scanned = i;
        this.depth = 0;
        this.inString = false;
      }
      const end = this.scan(atEnd);
      if (end === undefined) {
        if (!atEnd) return;
        this.fail("unexpected end of JSON input");
        return;
      }
      const text = this.buf.slice(this.start, end);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        this.fail((e as Error).message);
        return;
      }
      const start = this.start;
      this.pos = end;
      this.start = -1;
      this.count++;
      this.sink.value(text, parsed, () => this.lines + newlines(this.buf, start) + 1);
    }
  }

  /** The end of the value at `start`, or undefined when it is not complete in the buffer yet. */
  private scan(atEnd: boolean): number | undefined {
    const b = this.buf;
    const first = b.charCodeAt(this.start);
    let i = this.scanned;
    if (first !== 0x7b && first !== 0x5b && first !== 0x22) {
      // A number or a literal: up to the next character that cannot continue one.
      if (i === this.start) i++;
      while (i < b.length && /[A-Za-z0-9+.-]/.test(b[i]!)) i++;
      this.scanned = i;
      return i < b.length || atEnd ? i : undefined;
    }
    for (; i < b.length; i++) {
      const c = b.charCodeAt(i);
      if (this.inString) {
        if (c === 0x5c) {
          if (i + 1 >= b.length) break; // the escaped character has not arrived yet
          i++;
        } else if (c === 0x22) {
          this.inString = false;
          if (this.depth === 0) return i + 1;
        }
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === 0) return i + 1;
      }
    }
    this.scanned = i;
    return undefined;
  }

  private fail(message: string): void {
    const line = this.lines + newlines(this.buf, Math.max(this.start, this.pos)) + 1;
    if (this.count > 1) {
      this.state = "done";
      this.sink.error(
        `not JSON after the stream's ${this.count} JSON values (${message}); kubectl stops reading the file here`,
        line,
      );
      return;
    }
    // Rewind to just after the last value and skip Go whitespace through the first line break, as kubectl's
    // consumeWhitespace does: it reads 4 bytes at a time and gives up (the error stands) when fewer are left, or
    // on U+FFFD (Go's RuneError). Fewer than 4 characters left is taken as fewer than 4 bytes: refused.
    let i = this.pos;
    const b = this.buf;
    for (;;) {
      const c = b.charCodeAt(i);
      if (i + 4 > b.length || c === 0xfffd) {
        this.state = "done";
        this.sink.error(`not valid JSON (${message}); kubectl would refuse the file`, line);
        return;
      }
      if (!isGoSpace(c)) break;
      i++;
      if (c === 10) break;
    }
    this.state = "yaml";
    this.buf = "";
    this.sink.yaml(b.slice(i), this.lines + newlines(b, i) + 1);
  }
}
