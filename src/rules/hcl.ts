/**
 * A small parser for Vault ACL policies in HCL or JSON (Vault accepts both): `path "<glob>" { capabilities = [...] }`
 * blocks, `#`, `//` and block comments, nested attribute objects such as `allowed_parameters`, and the legacy
 * `policy = "read"` form. Rules judge the parsed blocks, never the raw text: a grep would miss a path spread over
 * lines and flag a commented-out one. Anything else is an error naming its line and column. Pure.
 */

export const VAULT_CAPABILITIES = [
  "create", "read", "update", "patch", "delete", "list", "sudo", "deny", "subscribe", "recover",
] as const;

/** What the legacy `policy = "<word>"` form means in capabilities. */
const LEGACY_POLICY: Readonly<Record<string, readonly string[]>> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "delete", "list"],
  sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

export interface PathBlock {
  readonly path: string;
  readonly capabilities: readonly string[];
  /** 1-based line of the `path` keyword. */
  readonly line: number;
}

export class HclError extends Error {
  override readonly name = "HclError";
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

type TokType = "ident" | "string" | "number" | "punct" | "eof";
interface Tok {
  readonly type: TokType;
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const err = (msg: string): never => {
    throw new HclError(msg, line, i - lineStart + 1);
  };
  while (i < src.length) {
    const c = src[i]!;
    const col = i - lineStart + 1;
    if (c === "\n") {
      line++;
      i++;
      lineStart = i;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) err("unterminated /* comment");
      for (let j = i; j < end; j++) if (src[j] === "\n") (line++, (lineStart = j + 1));
      i = end + 2;
    } else if (c === "<" && src[i + 1] === "<") {
      err("heredoc strings are not supported in Vault policies here; use a quoted string");
    } else if (c === '"') {
      let out = "";
      i++;
      for (;;) {
        if (i >= src.length || src[i] === "\n") err("unterminated string");
        const ch = src[i]!;
        if (ch === '"') break;
        if (ch === "\\") {
          const esc = src[i + 1];
          const map: Record<string, string> = { n: "\n", t: "\t", '"': '"', "\\": "\\", r: "\r", "/": "/", b: "\b", f: "\f" };
          if (esc === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            // JSON-format policies may spell any character as \uXXXX: "\u0073ys/" is "sys/".
            out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            i += 6;
            continue;
          }
          if (esc === undefined || !(esc in map)) err(`unsupported escape \\${esc ?? ""}`);
          out += map[esc!];
          i += 2;
        } else {
          out += ch;
          i++;
        }
      }
      i++;
      toks.push({ type: "string", text: out, line, col });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      toks.push({ type: "ident", text: m[0], line, col });
      i += m[0].length;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(src.slice(i));
      if (!m) err(`unexpected "${c}"`);
      toks.push({ type: "number", text: m![0], line, col });
      i += m![0].length;
    } else if ("{}[]=,:".includes(c)) {
      toks.push({ type: "punct", text: c, line, col });
      i++;
    } else {
      err(`unexpected "${c}"`);
    }
  }
  toks.push({ type: "eof", text: "end of input", line, col: i - lineStart + 1 });
  return toks;
}

type Value = string | number | boolean | Value[] | { [k: string]: Value };

class Parser {
  private pos = 0;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok {
    return this.toks[this.pos]!;
  }
  private next(): Tok {
    return this.toks[this.pos++]!;
  }
  private fail(tok: Tok, msg: string): never {
    throw new HclError(msg, tok.line, tok.col);
  }
  private expect(text: string): Tok {
    const t = this.next();
    if (t.type !== "punct" || t.text !== text) this.fail(t, `expected "${text}" but found "${t.text}"`);
    return t;
  }

  /**
   * A JSON-format policy (HCL 1, which Vault uses, reads a document starting with `{` as JSON):
   * `{"path": {"<glob>": {"capabilities": [...]}, ...}}`, or `"path"` as a list of such objects. A path named
   * twice is kept twice, as HCL's JSON reader keeps both and Vault merges their capabilities (JSON.parse would
   * silently drop the first).
   */
  jsonFile(): PathBlock[] {
    const blocks: PathBlock[] = [];
    this.expect("{");
    const paths = () => {
      this.expect("{");
      for (;;) {
        const name = this.next();
        if (name.type === "punct" && name.text === "}") return;
        if (name.type !== "string") this.fail(name, `expected a quoted path but found "${name.text}"`);
        this.expect(":");
        this.expect("{");
        blocks.push({ path: name.text, capabilities: this.capabilities(this.body(), name), line: name.line });
        this.separator("}");
      }
    };
    for (;;) {
      const key = this.next();
      if (key.type === "punct" && key.text === "}") break;
      if (key.type !== "string" || key.text !== "path") this.fail(key, `expected "path" but found "${key.text}"`);
      this.expect(":");
      const open = this.peek();
      if (open.type === "punct" && open.text === "[") {
        this.next();
        for (;;) {
          const p = this.peek();
          if (p.type === "punct" && p.text === "]") break;
          paths();
          this.separator("]");
        }
        this.next();
      } else {
        paths();
      }
      this.separator("}");
    }
    const end = this.next();
    if (end.type !== "eof") this.fail(end, `unexpected "${end.text}" after the policy`);
    return blocks;
  }

  /** Consumes a "," or stops before `close`. */
  private separator(close: string): void {
    const sep = this.peek();
    if (sep.type === "punct" && sep.text === ",") this.next();
    else if (!(sep.type === "punct" && sep.text === close)) this.fail(sep, `expected "," or "${close}" but found "${sep.text}"`);
  }

  file(): PathBlock[] {
    const blocks: PathBlock[] = [];
    while (this.peek().type !== "eof") {
      const kw = this.next();
      if (kw.type !== "ident" || kw.text !== "path") {
        this.fail(kw, `expected a path "<path>" { ... } block but found "${kw.text}"`);
      }
      const name = this.next();
      if (name.type !== "string") this.fail(name, `path needs a quoted path, found "${name.text}"`);
      this.expect("{");
      const body = this.body();
      blocks.push({ path: name.text, capabilities: this.capabilities(body, kw), line: kw.line });
    }
    return blocks;
  }

  /** Attributes up to and including the closing brace. */
  private body(): Record<string, Value> {
    const out: Record<string, Value> = {};
    for (;;) {
      const t = this.next();
      if (t.type === "punct" && t.text === "}") return out;
      if (t.type !== "ident" && t.type !== "string") this.fail(t, `expected an attribute name but found "${t.text}"`);
      if (t.text in out) this.fail(t, `attribute "${t.text}" is set twice`);
      const p = this.peek();
      if (p.type === "punct" && p.text === "{") {
        this.next();
        out[t.text] = this.body();
      } else {
        const eq = this.next();
        if (eq.type !== "punct" || (eq.text !== "=" && eq.text !== ":")) this.fail(eq, `expected "=" after "${t.text}"`);
        out[t.text] = this.value();
      }
      const sep = this.peek();
      if (sep.type === "punct" && sep.text === ",") this.next();
    }
  }

  private value(): Value {
    const t = this.next();
    if (t.type === "string") return t.text;
    if (t.type === "number") return Number(t.text);
    if (t.type === "ident" && (t.text === "true" || t.text === "false")) return t.text === "true";
    if (t.type === "punct" && t.text === "{") return this.body();
    if (t.type === "punct" && t.text === "[") {
      const items: Value[] = [];
      for (;;) {
        const p = this.peek();
        if (p.type === "punct" && p.text === "]") {
          this.next();
          return items;
        }
        items.push(this.value());
        const sep = this.peek();
        if (sep.type === "punct" && sep.text === ",") this.next();
        else if (!(sep.type === "punct" && sep.text === "]")) this.fail(sep, `expected "," or "]" but found "${sep.text}"`);
      }
    }
    return this.fail(t, `expected a value but found "${t.text}"`);
  }

  private capabilities(body: Record<string, Value>, at: Tok): string[] {
    const caps = body["capabilities"];
    const legacy = body["policy"];
    let out: string[] = [];
    if (caps !== undefined) {
      if (!Array.isArray(caps) || caps.some((c) => typeof c !== "string")) {
        this.fail(at, "capabilities must be a list of strings");
      }
      out = caps as string[];
    }
    if (legacy !== undefined) {
      if (typeof legacy !== "string" || !(legacy in LEGACY_POLICY)) {
        this.fail(at, `policy = ${JSON.stringify(legacy)} is not one of deny, read, write, sudo`);
      }
      out = [...out, ...LEGACY_POLICY[legacy as string]!];
    }
    const unknown = out.filter((c) => !(VAULT_CAPABILITIES as readonly string[]).includes(c));
    if (unknown.length) this.fail(at, `unknown capabilities ${unknown.map((c) => `"${c}"`).join(", ")}`);
    return [...new Set(out)];
  }
}

/** Parses a Vault ACL policy, HCL or JSON; throws HclError naming the line and column of the first problem. */
export function parseVaultPolicy(text: string): PathBlock[] {
  const parser = new Parser(tokenize(text));
  return text.trimStart().startsWith("{") ? parser.jsonFile() : parser.file();
}
