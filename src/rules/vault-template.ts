/**
 * What a Vault agent template (consul-template, Go text/template syntax) reads from Vault. Every action
 * `{{ ... }}` is scanned (quoted strings may hold `}}`); a `secret "<path>"` call with a literal path and no
 * further argument (one more argument makes it a write) is a read of that path, and every other function must be
 * one of a small set that only formats data: `file`, `env`, `plugin`, `writeToFile`, `pkiCert`, `secrets` and the
 * rest are refused, as is a path that is not a literal. Linear in the text. Pure.
 */

/** Functions and keywords that only shape the data a template already has. */
const FORMATTING: ReadonlySet<string> = new Set([
  "with",
  "range",
  "if",
  "else",
  "end",
  "and",
  "or",
  "not",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "len",
  "index",
  "print",
  "printf",
  "println",
  "toJSON",
  "toJSONPretty",
  "toYAML",
  "toTOML",
  "toLower",
  "toUpper",
  "toTitle",
  "trimSpace",
  "base64Decode",
  "base64Encode",
  "base64URLDecode",
  "base64URLEncode",
  "split",
  "join",
  "replaceAll",
  "contains",
  "indent",
  "parseJSON",
  "nil",
  "true",
  "false",
  "html",
  "js",
  "urlquery",
  "slice",
]);

export interface TemplateReads {
  /** The literal paths of every `secret` call, in order. */
  readonly paths: readonly string[];
  /** Why (parts of) the template cannot be judged, or what it does besides reading. */
  readonly problems: readonly string[];
}

interface Tok {
  readonly kind: "string" | "word" | "field" | "punct";
  readonly text: string;
}

/** The tokens of one action's text, or an error message. */
function lexAction(src: string): Tok[] | string {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") i++;
    else if (c === '"' || c === "`") {
      let j = i + 1;
      let out = "";
      while (j < src.length && src[j] !== c) {
        if (c === '"' && src[j] === "\\") {
          const e = src[j + 1];
          if (e !== '"' && e !== "\\")
            return `the escape \\${e ?? ""} in a string is not read here; spell the path plainly`;
          out += e;
          j += 2;
        } else out += src[j++]!;
      }
      if (j >= src.length) return "unterminated string";
      toks.push({ kind: "string", text: out });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      WORD.lastIndex = i;
      const w = WORD.exec(src)![0];
      toks.push({ kind: "word", text: w });
      i += w.length;
    } else if (c === "." || c === "$") {
      FIELD.lastIndex = i;
      const f = FIELD.exec(src)![0];
      toks.push({ kind: "field", text: f });
      i += f.length;
    } else if (/[0-9]/.test(c)) {
      NUM.lastIndex = i;
      i += NUM.exec(src)![0].length;
      toks.push({ kind: "field", text: "0" });
    } else if ("()|,=:".includes(c)) {
      toks.push({ kind: "punct", text: c });
      i++;
    } else return `unexpected ${JSON.stringify(c)} in an action`;
  }
  return toks;
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const FIELD = /[.$][A-Za-z0-9_.$]*/y;
const NUM = /[0-9][0-9A-Za-z_.]*/y;

/** The end of the action that starts at `from` (just after `{{`): the index of its `}}`, or -1. */
function actionEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "}" && text[i + 1] === "}") return i;
    if (c === '"' || c === "`" || c === "'") {
      i++;
      while (i < text.length && text[i] !== c) i += c !== "`" && text[i] === "\\" ? 2 : 1;
    }
    i++;
  }
  return -1;
}

export function templateReads(text: string): TemplateReads {
  const paths: string[] = [];
  const problems: string[] = [];
  let at = text.indexOf("{{");
  while (at >= 0) {
    const end = actionEnd(text, at + 2);
    if (end < 0) return { paths, problems: [...problems, `an action opened at offset ${at} is never closed`] };
    let body = text.slice(at + 2, end);
    if (body.startsWith("-")) body = body.slice(1);
    if (body.endsWith("-")) body = body.slice(0, -1);
    const trimmed = body.trim();
    if (!(trimmed.startsWith("/*") && trimmed.endsWith("*/"))) judgeAction(trimmed, paths, problems);
    at = text.indexOf("{{", end + 2);
  }
  return { paths, problems };
}

function judgeAction(body: string, paths: string[], problems: string[]): void {
  const toks = lexAction(body);
  if (typeof toks === "string") return void problems.push(`{{ ${body} }}: ${toks}`);
  toks.forEach((t, i) => {
    if (t.kind !== "word") return;
    if (t.text === "secret") {
      const path = toks[i + 1];
      const after = toks[i + 2];
      if (path?.kind !== "string") problems.push(`{{ ${body} }}: secret takes a path that is not a literal string`);
      else if (after !== undefined && !(after.kind === "punct" && (after.text === ")" || after.text === "|"))) {
        problems.push(`{{ ${body} }}: secret with arguments after the path writes to Vault`);
      } else paths.push(path.text);
    } else if (!FORMATTING.has(t.text)) {
      problems.push(
        `{{ ${body} }}: the function "${t.text}" is not one that only formats secret data (expected secret "<path>", with, range, end and formatting)`,
      );
    }
  });
}
