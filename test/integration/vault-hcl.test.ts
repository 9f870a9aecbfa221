/**
 * The checker reads a Vault policy as Vault does: compared, policy by policy, with hashicorp/hcl v1 and the path
 * extraction of vault/policy.go (servers/vault-hcl, built with the same `go` toolchain as the other helpers). Where
 * Vault accepts a policy, the checker either reads exactly the same blocks (path and capabilities) or refuses it;
 * it never reads other blocks. Thousands of generated JSON policies (nesting HCL 1 flattens, lists, duplicate keys,
 * legacy words, the name key) and every policy the planner writes.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import { SECRET_DOMAINS } from "../../src/model/catalog";
import { PHASES } from "../../src/model/phases";
import { domainPolicyHcl } from "../../src/plan/vault";
import { loadPaths } from "../../src/check";
import { parseVaultPolicy } from "../../src/rules/hcl";
import { ROOT } from "./helpers";
import { tempDir } from "../helpers/tmp";

let reader = "";

type Blocks = [string, string[]][];

function vault(texts: readonly string[]): ({ blocks: Blocks } | { error: string })[] {
  const out = execFileSync(reader, {
    input: texts.map((t) => JSON.stringify(t)).join("\n") + "\n",
    maxBuffer: 1 << 28,
  }).toString();
  return out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { blocks: Blocks } | { error: string });
}

function ours(text: string): Blocks | undefined {
  try {
    return parseVaultPolicy(text).map((b) => [b.path, [...b.capabilities]]);
  } catch {
    return undefined;
  }
}

const norm = (bs: Blocks) =>
  bs
    .map(([p, c]) => `${p}=${[...c].sort().join(",")}`)
    .sort()
    .join(" | ");

/** A small deterministic generator (LCG) of JSON policies in the shapes HCL 1 flattens. */
function generate(count: number, seed: number): string[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const caps = ["read", "list", "sudo", "update", "create", "deny"];
  const paths = ["agent/data/a", "sys/", "secret/x", "+/", "agent/data/b/*", "/agent/data/c"];
  const keys = ["x", "capabilities", "policy", "allowed_parameters", "comment", "agent/data/c", "name"];
  const times = (n: number, f: () => string) => Array.from({ length: n }, f).join(", ");
  const body = () => {
    const parts: string[] = [];
    if (rnd() < 0.8) parts.push(`"capabilities": [${times(1 + Math.floor(rnd() * 2), () => `"${pick(caps)}"`)}]`);
    if (rnd() < 0.2) parts.push(`"policy": "${pick(["read", "write", "sudo", "deny"])}"`);
    if (rnd() < 0.15) parts.push(`"allowed_parameters": {"*": []}`);
    if (rnd() < 0.1) parts.push(`"comment": "c"`);
    return `{${parts.join(", ")}}`;
  };
  const node = (depth: number): string => {
    const r = rnd();
    if (depth > 3 || r < 0.45) return body();
    if (r < 0.65) return `{${times(1 + Math.floor(rnd() * 2), () => `"${pick(keys)}": ${node(depth + 1)}`)}}`;
    if (r < 0.85) return `[${times(Math.floor(rnd() * 3), () => node(depth + 1))}]`;
    return r < 0.9 ? "{}" : `[${node(depth + 1)}]`;
  };
  const policy = () =>
    `{${times(1 + Math.floor(rnd() * 2), () => {
      const inner =
        rnd() < 0.8 ? `{${times(1 + Math.floor(rnd() * 2), () => `"${pick(paths)}": ${node(0)}`)}}` : node(0);
      return `"${rnd() < 0.95 ? "path" : "name"}": ${rnd() < 0.15 ? `[${inner}]` : inner}`;
    })}}`;
  return Array.from({ length: count }, policy);
}

/** Generated HCL-syntax policies: labels, quoted keywords, comments, escapes, nested blocks, odd separators. */
function generateHcl(count: number, seed: number): string[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const str = () =>
    pick([
      '"agent/data/a"',
      '"sys/*"',
      '"a\\x2fb"',
      '"agent/\\u0064ata/x"',
      '"+/x"',
      '"a${b}"',
      '"/agent/x"',
      '"a\\"b"',
    ]);
  const caps = () =>
    `[${Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => pick(['"read"', '"sudo"', '"list"', '"update"', "read", '"deny"'])).join(pick([", ", ",", " "]))}${pick(["", ","])}]`;
  const attr = () =>
    pick([
      () => `capabilities ${pick(["=", ":", ""])} ${caps()}`,
      () => `"capabilities" = ${caps()}`,
      () => `policy = "${pick(["read", "write", "sudo", "deny"])}"`,
      () => `allowed_parameters = { "*" = [] }`,
      () => `denied_parameters { "x" = [] }`,
      () => `x { capabilities = ${caps()} }`,
      () => `comment = "c"`,
      () => `capabilities = <<EOT\nsudo\nEOT`,
    ])();
  const sep = () => pick(["\n", " ", "\n# c\n", " // c\n", " /* c */ ", ",\n", "\r\n", "\t"]);
  const block = () => {
    const kw = pick(["path", "path", "path", '"path"', "PATH", "name ="]);
    const labels = Array.from({ length: pick([1, 1, 1, 2, 0]) }, str).join(" ");
    return `${kw} ${labels} ${pick(["{", "= {", "{"])}${sep()}${Array.from({ length: 1 + Math.floor(rnd() * 2) }, attr).join(sep())}${sep()}}`;
  };
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(rnd() * 3) }, block).join(sep()));
}

describe("the checker reads Vault policies exactly as Vault does", { timeout: 600_000 }, () => {
  before(() => {
    reader = path.join(tempDir("agent-trust-vault-hcl-"), "vault-hcl");
    execFileSync("go", ["build", "-mod=readonly", "-trimpath", "-o", reader, "."], {
      cwd: path.join(ROOT, "servers", "vault-hcl"),
      env: { ...process.env, GOTOOLCHAIN: "local", CGO_ENABLED: "0" },
      stdio: ["ignore", "inherit", "inherit"],
    });
  });

  test("every policy the planner writes reads the same blocks", () => {
    const texts = PHASES.flatMap((p) => SECRET_DOMAINS.map((d) => domainPolicyHcl("agent", p, "diag", d)));
    vault(texts).forEach((v, i) => {
      assert.ok("blocks" in v, JSON.stringify(v));
      assert.equal(norm(ours(texts[i]!)!), norm(v.blocks));
    });
  });

  test("every VaultPolicy of the fixtures: where Vault accepts it, the checker reads the same blocks or refuses it", () => {
    const files = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
    const texts = files(path.join(ROOT, "test", "fixtures"))
      .filter((f) => !f.endsWith(".hcl"))
      .flatMap((f) => loadPaths([f]).objects.map((l) => l.object))
      .filter((o) => o.kind === "VaultPolicy")
      .map((o) => String((o["spec"] as { policy?: unknown } | undefined)?.policy));
    assert.ok(texts.length >= 30, `${texts.length} policies`);
    vault(texts).forEach((v, i) => {
      const o = ours(texts[i]!);
      if ("blocks" in v && o !== undefined) assert.equal(norm(o), norm(v.blocks), texts[i]);
    });
  });

  /** Where Vault accepts a policy, the checker reads the same blocks or refuses it; at least `least` read alike. */
  function readAlike(texts: readonly string[], least: number): void {
    let same = 0;
    const differ: string[] = [];
    vault(texts).forEach((v, i) => {
      const o = ours(texts[i]!);
      if (!("blocks" in v) || o === undefined) return;
      if (norm(o) === norm(v.blocks)) same++;
      else differ.push(`${texts[i]}\n  vault: ${norm(v.blocks)}\n  ours:  ${norm(o)}`);
    });
    assert.deepEqual(differ.slice(0, 5), []);
    assert.ok(same > least, `only ${same} policies read alike`);
  }

  test("6,000 generated JSON policies: where Vault accepts one, the checker reads the same blocks or refuses it", () => {
    readAlike([...generate(3000, 1), ...generate(3000, 7)], 1500);
  });

  test("6,000 generated HCL-syntax policies: where Vault accepts one, the checker reads the same blocks or refuses it", () => {
    readAlike(generateHcl(6000, 3), 150);
  });
});
