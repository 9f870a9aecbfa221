/**
 * A JSON-format Vault policy, read exactly as Vault reads it. HCL 1's JSON parser (hashicorp/hcl v1 json/parser)
 * keeps every key (a path named twice is there twice; JSON.parse would keep only the last), then flattens
 * (flatten.go): an item whose value is an object holding only objects is replaced by one item per member, the
 * member's key appended to the item's keys; an item whose value is a non-empty list of objects by one item per
 * element. ast.Walk runs that on every object list before it walks into its values, so nesting dissolves from the
 * outside in. Vault (vault/policy.go parsePaths) then takes a `path` item's SECOND key as the path, drops any
 * deeper key, and reads the capabilities from what remains: `{"path": {"secret/": {"x": {"capabilities":
 * ["sudo"]}}}}` grants sudo on `secret/`. Top-level keys other than `path` and `name`, and path attributes
 * Vault does not know, fail there and here. Pure.
 */
import { HclError, PATH_ATTRIBUTES, resolveCapabilities, type PathBlock, type Tok } from "./hcl-lex";

interface Key {
  readonly tok: Tok;
}

type Node =
  | { readonly kind: "object"; items: Item[]; readonly tok: Tok }
  | { readonly kind: "list"; readonly elems: Node[]; readonly tok: Tok }
  | { readonly kind: "literal"; readonly value: string | number | boolean; readonly tok: Tok };

interface Item {
  readonly keys: readonly Key[];
  readonly val: Node;
}

const fail = (tok: Tok, msg: string): never => {
  throw new HclError(msg, tok.line, tok.col);
};

const isPunct = (t: Tok, text: string) => t.type === "punct" && t.text === text;

/** Recursive descent over the tokens of one JSON value. */
class Reader {
  private pos = 0;
  constructor(private readonly toks: readonly Tok[]) {}

  next(): Tok {
    return this.toks[Math.min(this.pos++, this.toks.length - 1)]!;
  }

  private expect(text: string): Tok {
    const t = this.next();
    if (!isPunct(t, text)) fail(t, `expected "${text}" but found "${t.text}"`);
    return t;
  }

  /** An object, its `{` already read. */
  object(open: Tok, depth: number): Node {
    const items: Item[] = [];
    let t = this.next();
    if (isPunct(t, "}")) return { kind: "object", items, tok: open };
    for (;;) {
      if (t.type !== "string") fail(t, `expected a quoted key but found "${t.text}"`);
      this.expect(":");
      items.push({ keys: [{ tok: t }], val: this.value(depth + 1) });
      const sep = this.next();
      if (isPunct(sep, "}")) return { kind: "object", items, tok: open };
      if (!isPunct(sep, ",")) fail(sep, `expected "," or "}" but found "${sep.text}"`);
      t = this.next();
    }
  }

  value(depth: number): Node {
    const t = this.next();
    if (depth > 100) fail(t, "nested more than 100 levels deep");
    if (t.type === "string") return { kind: "literal", value: t.text, tok: t };
    if (t.type === "number") return { kind: "literal", value: Number(t.text), tok: t };
    if (t.type === "ident" && (t.text === "true" || t.text === "false"))
      return { kind: "literal", value: t.text === "true", tok: t };
    if (isPunct(t, "{")) return this.object(t, depth);
    if (isPunct(t, "[")) {
      const elems: Node[] = [];
      if (isPunct(this.toks[this.pos]!, "]")) return (this.next(), { kind: "list", elems, tok: t });
      for (;;) {
        // HCL 1's JSON list reader skips a "[" (nested lists are not in its grammar) and misreads what follows.
        if (isPunct(this.toks[this.pos]!, "["))
          fail(this.toks[this.pos]!, "a list inside a list, which HCL 1's JSON reader misreads");
        elems.push(this.value(depth + 1));
        const sep = this.next();
        if (isPunct(sep, "]")) return { kind: "list", elems, tok: t };
        if (!isPunct(sep, ",")) fail(sep, `expected "," or "]" but found "${sep.text}"`);
      }
    }
    return fail(t, `expected a value but found "${t.text}"`);
  }
}

/** flatten.go's flattenObjects on one object list: a frontier popped from the end, the result reversed. */
function flatten(list: readonly Item[]): Item[] {
  const out: Item[] = [];
  const frontier = [...list];
  while (frontier.length > 0) {
    const item = frontier.pop()!;
    const v = item.val;
    if (v.kind === "object" && v.items.length > 0 && v.items.every((s) => s.val.kind === "object")) {
      for (const sub of v.items) frontier.push({ keys: [...item.keys, ...sub.keys], val: sub.val });
    } else if (v.kind === "list" && v.elems.length > 0 && v.elems.every((e) => e.kind === "object")) {
      for (const elem of v.elems) frontier.push({ keys: item.keys, val: elem });
    } else {
      out.push(item);
    }
  }
  return out.reverse();
}

/**
 * ast.Walk with flattenObjects: each object list is flattened before its values are walked (Walk's closing call
 * passes nil, so nothing is flattened again afterwards: a list flattened inside a value never dissolves its parent).
 */
function walk(list: readonly Item[]): Item[] {
  const flat = flatten(list);
  for (const item of flat) walkNode(item.val);
  return flat;
}

function walkNode(node: Node): void {
  if (node.kind === "object") node.items = walk(node.items);
  else if (node.kind === "list") for (const e of node.elems) walkNode(e);
}

/** The path blocks of a JSON-format policy (tokens from `tokenize`), as Vault's parsePaths reads them. */
export function jsonPolicyBlocks(toks: readonly Tok[]): PathBlock[] {
  const reader = new Reader(toks);
  const open = reader.next();
  if (!isPunct(open, "{")) fail(open, `expected "{" but found "${open.text}"`);
  const root = reader.object(open, 0);
  const end = reader.next();
  if (end.type !== "eof") fail(end, `unexpected "${end.text}" after the policy`);
  const blocks: PathBlock[] = [];
  for (const item of walk(root.kind === "object" ? root.items : [])) {
    const [first, second] = item.keys;
    if (first!.tok.text === "name") {
      if (item.keys.length > 1 || item.val.kind !== "literal" || typeof item.val.value !== "string")
        fail(first!.tok, `"name" must be a string`);
      continue;
    }
    if (first!.tok.text !== "path") fail(first!.tok, `expected "path" but found "${first!.tok.text}"`);
    // Vault names the path by the key after "path" (a lone "path" key is the path "path"); deeper keys are dropped.
    const at = (second ?? first)!.tok;
    const path = second ? second.tok.text : "path";
    const body = item.val;
    if (body.kind !== "object") return fail(body.tok, `expected "{" but found "${body.tok.text}"`);
    const lists: unknown[] = [];
    const legacies: unknown[] = [];
    for (const attr of body.items) {
      const key = attr.keys[0]!.tok;
      if (!PATH_ATTRIBUTES.includes(key.text)) {
        fail(
          key,
          `path "${path}": "${key.text}" is not an attribute of a path block (Vault accepts ${PATH_ATTRIBUTES.join(", ")})`,
        );
      }
      if (key.text !== "capabilities" && key.text !== "policy") continue;
      if (attr.keys.length > 1) fail(key, `path "${path}": "${key.text}" must hold a value, not an object`);
      const v = attr.val;
      if (key.text === "policy") legacies.push(v.kind === "literal" ? v.value : v.kind);
      else lists.push(v.kind === "list" ? v.elems.map((e) => (e.kind === "literal" ? e.value : e.kind)) : v.kind);
    }
    blocks.push({ path, capabilities: resolveCapabilities(lists, legacies, (msg) => fail(at, msg)), line: at.line });
  }
  return blocks;
}
