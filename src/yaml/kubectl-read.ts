/**
 * One document's text (as `KubectlSplitter` hands it over) read as kubectl reads it — sigs.k8s.io/yaml's
 * yaml.Unmarshal with go-yaml v2 — or refused. The readers (`yaml-lines.ts`, js-yaml in `yaml-fast.ts`, the exact
 * reader `yaml.ts`) are YAML 1.2 readers underneath; where go-yaml v2 reads characters differently they could
 * agree on the syntax and still disagree on the meaning, so a document holding any such character is refused
 * (exit 2, naming its line) before any of them sees it:
 * - U+0085 NEL, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR and a `\r` that is not part of a line's `\r\n`:
 *   line breaks to go-yaml, not to kubectl's document splitter nor (NEL, LS, PS) to a YAML 1.2 reader, so text
 *   that one reader sees inside a comment or a scalar is a key to another;
 * - a byte order mark anywhere but at the very start of the file: go-yaml skips one at the start of a line and
 *   keeps one elsewhere as text;
 * - characters go-yaml refuses outright ("control characters are not allowed"): C0 controls other than tab and
 *   line feed, DEL, C1 controls, U+FFFE and U+FFFF;
 * - a tab in a line's indentation (before its first other character, or right after a sequence entry's `-`),
 *   where go-yaml's scanner and YAML 1.2 readers disagree about what is indentation and what is content;
 * - an explicit `? ` mapping key in block context (the two disagree on where the key ends).
 * - a plain (unquoted) scalar inside a flow collection that holds a `?` (`[ ?a ]`, `{ a: r.?b }`: go-yaml treats
 *   it as a key indicator there, libyaml's rule, YAML 1.2 as text; `[ ?a ]` is `[{a: null}]` to kubectl) or
 *   that runs over more than one line (go-yaml fails where YAML 1.2 folds it into one scalar).
 * And go-yaml's yaml.Unmarshal reads only the FIRST YAML document of the text kubectl gives it: a second one (after
 * a `...` document end marker) is silently dropped by kubectl, so a `...` line is refused here rather than judged.
 */
import type { Node } from "yaml";
import type { Json } from "./scalars";
import type { RawDocument } from "./kubectl-split";
import { BAD } from "./yaml-chars";
import { readSimple } from "./yaml-lines";
import { readChunkOnce } from "./yaml-fast";

/** What one kubectl document reads as: its value, or why it is refused, on which line of the file. */
export type KubectlDocument =
  | { readonly value: Json }
  /** `parse`: go-yaml's syntax error (`error` says "line L, column C: …" in the file); else refused by `screen`. */
  | { readonly error: string; readonly line: number; readonly parse?: boolean };

/** Characters go-yaml reads differently than the other readers, or refuses. */
// eslint-disable-next-line no-control-regex -- the readers must name the control characters YAML and JSON treat apart
const SPECIAL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
/** Anything `screen` looks for: BAD's characters, a `?`, a `...` line. */
const SUSPECT = new RegExp(`${BAD.source.slice(0, -1)}?]|^\\.\\.\\.`, "m");
/** A `...` document end marker. */
const END_MARKER = /^\.\.\.(?=[ \t\n]|$)/m;
/** A tab in a line's indentation, also after a sequence entry's `-` (go-yaml: "cannot start any token"). */
const TAB_INDENT = /^[ ]*(?:-[ ]*)*\t/m;
/** An explicit `? ` mapping key in block context. */
const EXPLICIT_KEY = /^[ ]*(?:-[ ]+)*\?(?:[ \t]|$)/m;

const NAMES: Record<number, string> = {
  0x0d: "a carriage return (\\r) that does not end a line",
  0x85: "U+0085 NEXT LINE (NEL)",
  0x2028: "U+2028 LINE SEPARATOR",
  0x2029: "U+2029 PARAGRAPH SEPARATOR",
  0xfeff: "a byte order mark (U+FEFF) that is not at the start of the file",
};

function why(c: number): string {
  const name = NAMES[c];
  if (c === 0xfeff)
    return `${name}: go-yaml skips it at the start of a line and keeps it as text elsewhere; refused rather than guessed`;
  if (name)
    return `${name}: go-yaml (kubectl) reads it as a line break where other YAML readers and kubectl's document splitter do not; refused rather than guessed`;
  const hex = c.toString(16).toUpperCase().padStart(4, "0");
  return `control character U+${hex}: kubectl would refuse the file (go-yaml: "control characters are not allowed")`;
}

/** The 1-based line of `offset` in a document that starts on `first`. */
function lineAt(text: string, offset: number, first: number): number {
  let line = first;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * Why go-yaml and the readers here could read the text differently, with the line; undefined when they cannot.
 * `clean`: the caller found none of the line reader's BAD characters in the text (so no special one either).
 */
export function screen(doc: RawDocument, clean = !BAD.test(doc.text)): { error: string; line: number } | undefined {
  const text = doc.text;
  const special = clean ? null : SPECIAL.exec(text);
  if (special) return { line: lineAt(text, special.index, doc.line), error: why(special[0].charCodeAt(0)) };
  const tab = clean || !text.includes("\t") ? null : TAB_INDENT.exec(text);
  if (tab)
    return {
      line: lineAt(text, tab.index, doc.line),
      error:
        "a tab in the indentation: go-yaml refuses it in block context and YAML 1.2 readers differ on it; indent with spaces",
    };
  const key = text.includes("?") ? EXPLICIT_KEY.exec(text) : null;
  if (key)
    return {
      line: lineAt(text, key.index, doc.line),
      error:
        "an explicit `? ` mapping key: go-yaml (kubectl) and YAML 1.2 readers disagree on where such a key ends; write the key plainly (`key: value`)",
    };
  const end = text.includes("...") ? END_MARKER.exec(text) : null;
  if (end)
    return {
      line: lineAt(text, end.index, doc.line),
      error:
        "a `...` document end marker: go-yaml (kubectl) reads only the first YAML document of each ---separated part, fails on a part that starts with one, and drops what follows; start each document with a --- line instead",
    };
  return screenMarker(doc);
}

/** `---#x` or `---<NBSP># x` as a document's first line: kubectl splits the stream there, go-yaml reads text. */
function screenMarker(doc: RawDocument): { error: string; line: number } | undefined {
  if (!doc.marked || /^---(?:[ \t]+(?:#[^\n]*)?)?\n/.test(doc.text)) return undefined;
  return {
    line: doc.line,
    error:
      "a document separator with no space before its comment: kubectl splits here, but go-yaml would read the line as text; write `--- # comment`",
  };
}

/** Whether some line opens more `[`/`{` than it closes or holds a `?` after one: a flow collection to look into. */
function mayHaveFlowTrouble(text: string): boolean {
  let depth = 0;
  let open = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      depth++;
      open = true;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x3f && open) return true;
    else if (c === 0x0a) {
      if (depth > 0) return true;
      depth = 0;
      open = false;
    }
  }
  return depth > 0;
}

/**
 * The 0-based offset of a plain scalar inside a flow collection that holds a `?` or a line break (parsed with
 * `yaml`, so block scalars and quoted text are told apart), if any.
 */
function flowTrouble(text: string): number | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for the rare document that needs it
  const Y = require("yaml") as typeof import("yaml");
  let found: number | undefined;
  for (const doc of Y.parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false })) {
    if (!("contents" in doc)) continue;
    Y.visit(doc, {
      Scalar(_, node, path) {
        const range = (node as Node).range;
        if (found !== undefined || node.type !== "PLAIN" || !range) return;
        const raw = text.slice(range[0], range[1]);
        if ((raw.includes("?") || raw.includes("\n")) && path.some((p) => Y.isCollection(p) && p.flow === true))
          found = range[0];
      },
    });
  }
  return found;
}

/** Reads one kubectl document: refused (see `screen`), or read by the fastest reader that can, as go-yaml reads it. */
export function readKubectlDocument(doc: RawDocument): KubectlDocument {
  // One scan for the usual document: none of BAD's characters, no `?`, no `...` line; then only its marker line.
  const usual = !SUSPECT.test(doc.text);
  const clean = usual || !BAD.test(doc.text);
  const refused = usual ? screenMarker(doc) : screen(doc, clean);
  if (refused) return refused;
  const simple = readSimple(doc.text, clean);
  if (simple !== undefined) return { value: simple }; // the line reader reads no flow collection but [] and {}
  if (mayHaveFlowTrouble(doc.text)) {
    const at = flowTrouble(doc.text);
    if (at !== undefined)
      return {
        line: lineAt(doc.text, at, doc.line),
        error:
          "an unquoted value inside [ ] or { } that holds a `?` or runs over lines: go-yaml (kubectl) reads `?` there as a mapping-key indicator and does not fold such values as other YAML readers do; quote the value",
      };
  }
  const docs = readChunkOnce(doc.text);
  if (docs.length === 0) return { value: null };
  const first = docs[0]!;
  if (docs.length > 1) {
    return {
      line: doc.line,
      error:
        "holds a second YAML document (after a `...` end marker): kubectl's yaml.Unmarshal would read only the first and silently drop the rest; start each document with a --- line",
    };
  }
  if ("error" in first) {
    const at = /^line (\d+)/.exec(first.error);
    const line = at ? doc.line + Number(at[1]) - 1 : doc.line;
    return { line, parse: true, error: at ? first.error.replace(/^line \d+/, `line ${line}`) : first.error };
  }
  return { value: first.value };
}
