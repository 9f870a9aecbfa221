/**
 * A small parser for Vault ACL policies in HCL or JSON, read as Vault reads them (HCL 1, hashicorp/hcl v1): a text
 * whose first character that is not Go whitespace (unicode.IsSpace) is `{` is JSON (`hcl-json.ts`), anything else
 * HCL: `path "<glob>" { capabilities = [...] }` blocks, `#`, `//` and block comments, nested attribute objects such as
 * `allowed_parameters`, and the legacy `policy = "read"` form. A path block holds only the attributes Vault's
 * parsePaths accepts (vault/policy.go). Rules judge the parsed blocks, never the raw text: a grep would miss a path
 * spread over lines and flag a commented-out one. What HCL 1 reads otherwise than this parser would (whitespace
 * other than space, tab, CR and LF; `${` inside a string, where HCL 1 stops honouring quotes and escapes) is
 * refused, as is a policy in base64 (which Vault decodes first) and anything else unknown: an error naming its line
 * and column. Pure.
 */

import { jsonPolicyBlocks } from "./hcl-json";
import {
  HclError,
  isJsonPolicy,
  PATH_ATTRIBUTES,
  resolveCapabilities,
  tokenize,
  type PathBlock,
  type Tok,
} from "./hcl-lex";

export { HclError, VAULT_CAPABILITIES, type PathBlock } from "./hcl-lex";

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
        if (eq.type !== "punct" || (eq.text !== "=" && eq.text !== ":"))
          this.fail(eq, `expected "=" after "${t.text}"`);
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
        else if (!(sep.type === "punct" && sep.text === "]"))
          this.fail(sep, `expected "," or "]" but found "${sep.text}"`);
      }
    }
    return this.fail(t, `expected a value but found "${t.text}"`);
  }

  private capabilities(body: Record<string, Value>, at: Tok): string[] {
    const keys = Object.keys(body);
    const bad = keys.find((k) => !PATH_ATTRIBUTES.includes(k));
    if (bad !== undefined)
      this.fail(at, `"${bad}" is not an attribute of a path block (Vault accepts ${PATH_ATTRIBUTES.join(", ")})`);
    const caps = body.capabilities;
    const legacy = body.policy;
    return resolveCapabilities(caps === undefined ? [] : [caps], legacy === undefined ? [] : [legacy], (msg) =>
      this.fail(at, msg),
    );
  }
}

/** Parses a Vault ACL policy, HCL or JSON; throws HclError naming the line and column of the first problem. */
export function parseVaultPolicy(text: string): PathBlock[] {
  // Vault's sys/policy endpoint decodes a policy that is valid base64 (Go's decoder skips CR and LF) before parsing it.
  const packed = text.replace(/[\r\n]/g, "");
  if (packed !== "" && packed.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(packed)) {
    throw new HclError("the policy is base64, which Vault decodes before parsing; write the HCL or JSON itself", 1, 1);
  }
  const toks = tokenize(text);
  return isJsonPolicy(text) ? jsonPolicyBlocks(toks) : new Parser(toks).file();
}
