/**
 * The pieces both syntaxes of a Vault policy share (`hcl.ts` for HCL, `hcl-json.ts` for JSON): HCL 1's tokens, the
 * capabilities and path attributes Vault knows, and how HCL 1 tells JSON from HCL. Pure.
 */

export const VAULT_CAPABILITIES = [
  "create",
  "read",
  "update",
  "patch",
  "delete",
  "list",
  "sudo",
  "deny",
  "subscribe",
  "recover",
] as const;

/** What the legacy `policy = "<word>"` form means in capabilities. */
export const LEGACY_POLICY: Readonly<Record<string, readonly string[]>> = {
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
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

/** The attributes Vault's parsePaths accepts in a path block (vault/policy.go); any other key fails there. */
export const PATH_ATTRIBUTES: readonly string[] = [
  "comment",
  "policy",
  "capabilities",
  "allowed_parameters",
  "denied_parameters",
  "required_parameters",
  "min_wrapping_ttl",
  "max_wrapping_ttl",
  "mfa_methods",
  "control_group",
];

type TokType = "ident" | "string" | "number" | "punct" | "eof";
export interface Tok {
  readonly type: TokType;
  readonly text: string;
  readonly line: number;
  readonly col: number;
}

/** Sticky: matched where the scan stands, never on a copy of the rest of the text. */
const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /-?[0-9]+(\.[0-9]+)?/y;
/** A string's characters up to the next quote, backslash or line end. */
const PLAIN = /[^"\\\n]+/y;
const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  '"': '"',
  "\\": "\\",
  r: "\r",
  "/": "/",
  b: "\b",
  f: "\f",
};

export function tokenize(src: string): Tok[] {
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
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) err("unterminated /* comment");
      for (let j = i; j < end; j++)
        if (src[j] === "\n") {
          line++;
          lineStart = j + 1;
        }
      i = end + 2;
    } else if (c === "<" && src[i + 1] === "<") {
      err("heredoc strings are not supported in Vault policies here; use a quoted string");
    } else if (c === '"') {
      const start = i;
      let out = "";
      i++;
      for (;;) {
        // The plain run up to the next quote, backslash or line end is taken whole (one slice, not a char at a time).
        PLAIN.lastIndex = i;
        if (PLAIN.test(src)) {
          out += src.slice(i, PLAIN.lastIndex);
          i = PLAIN.lastIndex;
        }
        if (i >= src.length || src[i] === "\n") err("unterminated string");
        const ch = src[i]!;
        if (ch === '"') break;
        const esc = src[i + 1];
        if (esc === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
          // JSON-format policies may spell any character as \uXXXX: "\u0073ys/" is "sys/".
          out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        if (esc === undefined || !Object.hasOwn(ESCAPES, esc)) err(`unsupported escape \\${esc ?? ""}`);
        out += ESCAPES[esc!]!;
        i += 2;
      }
      i++;
      // HCL 1 copies `${...}` verbatim (no escapes) and, in HCL syntax, reads quotes inside it as part of the string.
      if (src.slice(start, i).includes("${"))
        err('"${" inside a string is an HCL 1 interpolation; Vault policies here never use it');
      toks.push({ type: "string", text: out, line, col });
    } else if (/[A-Za-z_]/.test(c)) {
      IDENT.lastIndex = i;
      const m = IDENT.exec(src)!;
      toks.push({ type: "ident", text: m[0], line, col });
      i += m[0].length;
    } else if (/[-0-9]/.test(c)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src);
      if (!m) err(`unexpected "${c}"`);
      toks.push({ type: "number", text: m![0], line, col });
      i += m![0].length;
    } else if ("{}[]=,:".includes(c)) {
      toks.push({ type: "punct", text: c, line, col });
      i++;
    } else if (/\s/.test(c) || c === "\u0085") {
      err(
        `character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} is not whitespace to Vault's HCL reader (space, tab, CR, LF)`,
      );
    } else {
      err(`unexpected "${c}"`);
    }
  }
  toks.push({ type: "eof", text: "end of input", line, col: i - lineStart + 1 });
  return toks;
}

/**
 * The capabilities a path block grants: every `capabilities` list (HCL 1 appends repeated ones) and what each legacy
 * `policy` word means, as a set. Kept even where Vault would let a `deny` win: a rule may only judge more, never less.
 */
export function resolveCapabilities(
  lists: readonly unknown[],
  legacies: readonly unknown[],
  fail: (msg: string) => never,
): string[] {
  const out: string[] = [];
  for (const caps of lists) {
    if (!Array.isArray(caps) || caps.some((c) => typeof c !== "string")) fail("capabilities must be a list of strings");
    out.push(...(caps as string[]));
  }
  for (const legacy of legacies) {
    if (typeof legacy !== "string" || !Object.hasOwn(LEGACY_POLICY, legacy)) {
      fail(`policy = ${JSON.stringify(legacy)} is not one of deny, read, write, sudo`);
    }
    out.push(...LEGACY_POLICY[legacy]!);
  }
  const unknown = out.filter((c) => !(VAULT_CAPABILITIES as readonly string[]).includes(c));
  if (unknown.length) fail(`unknown capabilities ${unknown.map((c) => `"${c}"`).join(", ")}`);
  return [...new Set(out)];
}

/**
 * Go's unicode.IsSpace, which HCL 1 uses to decide the syntax: a text whose first other character is `{` is JSON.
 * (JavaScript's trimStart differs: it skips U+FEFF and keeps U+0085.)
 */
function isGoSpace(c: string): boolean {
  const n = c.charCodeAt(0);
  return (
    (n >= 9 && n <= 13) ||
    n === 32 ||
    n === 0x85 ||
    n === 0xa0 ||
    n === 0x1680 ||
    (n >= 0x2000 && n <= 0x200a) ||
    n === 0x2028 ||
    n === 0x2029 ||
    n === 0x202f ||
    n === 0x205f ||
    n === 0x3000
  );
}

/** Whether HCL 1 reads `text` as JSON. */
export function isJsonPolicy(text: string): boolean {
  for (const c of text) if (!isGoSpace(c)) return c === "{";
  return false;
}
