/**
 * Seeded, deterministic inputs for holding the checker's reader to kubectl's: real manifests (a rendered stack's
 * objects) written as YAML or JSON, then edited with what go-yaml and YAML 1.2 readers can read differently:
 * document separators of every spelling, comments, byte order marks at the start and in the middle, NEL / LS /
 * PS line breaks, CRLF and lone CR, tabs, control characters, `...` end markers. Case `i` of seed `s` is always
 * the same text.
 */
import { dump } from "js-yaml";
import { stringify } from "yaml";

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export const SEPARATORS = [
  "---",
  "--- # c",
  "---#c",
  "---x",
  "----",
  "--- ",
  "---\t",
  "--- foo",
  "---\r",
  "--- \u00a0",
  "---\u0085",
  "--- |",
  "--- {}",
  "---  # kind: Role",
  "...",
  "--- !!map",
  "---\u2028",
];
const SPECIAL = [
  "?",
  " ?",
  "? ",
  "\ufeff",
  "\u0085",
  "\u2028",
  "\u2029",
  "\r",
  "\t",
  "\x01",
  "\x7f",
  "\x9b",
  "\u00a0",
  "\u3000",
  "\u200b",
  "\v",
  "\f",
  "\ufffe",
  "\x00",
];

/** Places in a text to put something: a line start, a line end, anywhere. */
function at(r: Rand, text: string): number {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  const kind = r();
  if (kind < 0.4) return pick(r, starts);
  if (kind < 0.7) return Math.max(0, pick(r, starts) - 1);
  return Math.floor(r() * (text.length + 1));
}

const insert = (text: string, i: number, s: string) => text.slice(0, i) + s + text.slice(i);

/** One edit of a text. */
function edit(r: Rand, text: string): string {
  const e = Math.floor(r() * 12);
  const lines = text.split("\n");
  const line = Math.floor(r() * lines.length);
  switch (e) {
    case 0: // a separator line of any spelling, replacing or inserted
      if (r() < 0.5 && lines[line] === "---") lines[line] = pick(r, SEPARATORS);
      else lines.splice(line, 0, pick(r, SEPARATORS));
      return lines.join("\n");
    case 1: // a comment line, or a comment after content
      if (r() < 0.5)
        lines.splice(
          line,
          0,
          `${" ".repeat(Math.floor(r() * 4))}# ${pick(r, ["c", "kind: Role", "---", 'x\u0085verbs: ["*"]'])}`,
        );
      else lines[line] += pick(r, [" # c", " #c", "#c", " # --- x"]);
      return lines.join("\n");
    case 2: // a byte order mark at the start or anywhere
      return r() < 0.4 ? "\ufeff" + text : insert(text, at(r, text), "\ufeff");
    case 3: // a Unicode line break
      return insert(text, at(r, text), pick(r, ["\u0085", "\u2028", "\u2029"]));
    case 4: // CRLF everywhere, on some lines, or a lone CR
      if (r() < 0.4) return text.replace(/\n/g, "\r\n");
      if (r() < 0.5) return lines.map((l) => (r() < 0.3 ? l + "\r" : l)).join("\n");
      return insert(text, at(r, text), "\r");
    case 5: // tabs: as indentation, after a colon, in a value
      if (r() < 0.5)
        lines[line] = lines[line]!.replace(/^( *)/, (s) =>
          s.length > 0 ? pick(r, ["\t", " \t", "\t" + s.slice(1)]) : "\t",
        );
      else lines[line] = lines[line]!.replace(/: /, pick(r, [":\t", ": \t", "\t: "]));
      return lines.join("\n");
    case 6: // a control or other special character
      return insert(text, at(r, text), pick(r, SPECIAL));
    case 7: // a document end marker, with or without content after it
      lines.splice(line, 0, pick(r, ["...", "... # c", "...\nkind: Secret"]));
      return lines.join("\n");
    case 8: // blank lines and comments before everything
      return pick(r, ["\n\n", "# head\n", "#\n---\n", "  \n", "\r\n# c\r\n"]) + text;
    case 9: // a separator right at the end, with or without a final line break
      return text + pick(r, ["---", "---\n", "--- # end", "\n---x", "..."]);
    case 10: // no final line break
      return text.replace(/\n+$/, "");
    default: // a special character inside a quoted scalar or key
      return text.replace(
        /name: ([^\n]+)/,
        (_, v: string) => `name: "${v.replace(/"/g, "")}${pick(r, SPECIAL).replace("\r", "\\r")}"`,
      );
  }
}

/** A document written the way people write manifests: `yaml` (what render writes), js-yaml, flow style, JSON. */
function write(r: Rand, doc: object): string {
  const style = r();
  if (style < 0.5) return stringify(doc, { lineWidth: 0 });
  if (style < 0.75) return dump(doc, { lineWidth: -1 });
  if (style < 0.9) return stringify(doc, { lineWidth: 0, collectionStyle: "flow" });
  return JSON.stringify(doc, null, r() < 0.5 ? 2 : undefined) + "\n";
}

/** Input `i` of seed `seed`: one to three of `docs`, joined by separators, then one to three edits. */
export function mutatedInput(docs: readonly object[], seed: number, i: number): string {
  const r = prng(seed * 1_000_003 + i);
  const n = 1 + Math.floor(r() * 3);
  const parts = Array.from({ length: n }, () => write(r, pick(r, docs)));
  const json = parts.every((p) => p.startsWith("{"));
  let text = json && r() < 0.5 ? parts.join(r() < 0.5 ? "" : "\n") : parts.map((p) => `---\n${p}`).join("");
  if (!json && r() < 0.3) text = text.slice(4); // no marker before the first document
  const edits = 1 + Math.floor(r() * 3);
  for (let k = 0; k < edits; k++) text = edit(r, text);
  return text;
}
