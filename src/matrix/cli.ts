/** `agent-trust matrix <stack>|--all` and `agent-trust diff --base <git-ref>`. */
import { parseCommandArgs } from "../cli/args";
import type { Io } from "../cli/io";
import { ConfigError } from "../config/parse";
import { listStacks, projectRoot } from "../config/stacks";
import { PlanError } from "../plan/phase";
import { matricesAt } from "./base";
import { allMatrices, deltaJson, deltaMarkdown, diffMatrices, stackMatrix } from "./delta";
import { MATRIX_SCHEMA, MatrixError, rightText, type StackMatrix } from "./matrix";

export const MATRIX_HELP = `Usage: agent-trust matrix <stack>|--all [--format text|json]

What each agent identity of the stack can do, read off the planned objects: Kubernetes verb x resource x
namespace (with resourceNames), Vault path x capability, egress destinations and ports, token TTLs and Job limits.
A phase above its environment's ceiling is shown too (what it would grant). Exit 0, or 2 on bad input.`;

export const DIFF_HELP = `Usage: agent-trust diff --base <git-ref> [--format markdown|json]

Every stack's matrix at <git-ref> (computed by that revision's own code) against the working tree: only the
rights added or removed, grouped by stack, added first. An agent new to a phase stack is compared with its
identity one phase below at the base, so a promotion shows exactly what it grants. Markdown fits a pull-request
comment. Exit 0 (whether or not anything changed), 2 on bad input.`;

export function matrixText(m: StackMatrix): string[] {
  const out = [`matrix ${m.stack} (${m.layer}${m.phase ? ` ${m.phase}` : ""}, ${m.environment})`];
  if (m.agents.length === 0)
    out.push("  no agent identities (a foundation grants DNS egress to every agent pod, nothing per identity)");
  for (const a of m.agents) {
    out.push("", `agent ${a.agent}: ${a.identity}, Vault role ${a.vaultRole}`);
    // Kubernetes verbs on the same resource, namespace and names share a line; every other right is one line.
    for (const [kind, title] of [
      ["kubernetes", "kubernetes"],
      ["approval", "allowed with approval"],
    ] as const) {
      const grouped = new Map<string, string[]>();
      const rights = a.rights.filter((r) => r.kind === kind);
      for (const r of rights) {
        if (r.kind !== "kubernetes" && r.kind !== "approval") continue;
        const key = `${r.resource} in ${r.namespace}${r.resourceNames.length ? ` (only ${r.resourceNames.join(", ")})` : ""}`;
        grouped.set(key, [...(grouped.get(key) ?? []), r.verb]);
      }
      out.push(`  ${title} (${rights.length} verb x resource x namespace)`);
      out.push(...[...grouped].map(([key, verbs]) => `    ${verbs.sort().join("/")} ${key}`));
    }
    for (const kind of ["vault", "egress", "limit"] as const) {
      const rights = a.rights.filter((r) => r.kind === kind);
      out.push(`  ${kind} (${rights.length})`, ...rights.map((r) => `    ${rightText(r)}`));
    }
  }
  return out;
}

function guard(io: Io, f: () => number): number {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConfigError || e instanceof PlanError || e instanceof MatrixError) return io.fail(e.message);
    throw e;
  }
}

export function runMatrix(argv: readonly string[], io: Io): number {
  const parsed = parseCommandArgs(argv, { all: { type: "boolean" }, format: { type: "string" } }, "matrix");
  if (typeof parsed === "string") return io.fail(parsed);
  const { values, positionals: rest } = parsed;
  if (values.help) return (io.out(MATRIX_HELP), 0);
  if (values.format === "") return io.fail("--format needs a value");
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json") return io.fail(`--format must be text or json, not "${format}"`);
  const all = values.all === true;
  if (all === (rest.length === 1) || rest.length > 1) return io.fail("matrix needs exactly one <stack>, or --all");
  return guard(io, () => {
    const root = projectRoot();
    const stacks = all ? listStacks(root) : rest;
    const matrices = all ? allMatrices(root) : Object.fromEntries(stacks.map((s) => [s, stackMatrix(s, root)]));
    if (format === "json") io.out(JSON.stringify({ schema: MATRIX_SCHEMA, stacks: matrices }, null, 2));
    else
      stacks.forEach((s, i) => {
        [...(i ? [""] : []), ...matrixText(matrices[s]!)].forEach((l) => {
          io.out(l);
        });
      });
    return 0;
  });
}

export function runDiff(argv: readonly string[], io: Io): number {
  const parsed = parseCommandArgs(
    argv,
    { all: { type: "boolean" }, base: { type: "string", needs: "a git revision" }, format: { type: "string" } },
    "diff",
  );
  if (typeof parsed === "string") return io.fail(parsed);
  const { values, positionals: rest } = parsed;
  if (values.help) return (io.out(DIFF_HELP), 0);
  if (values.format === "" || values.base === "")
    return io.fail(`${values.base === "" ? "--base" : "--format"} needs a value`);
  const format = values.format ?? "markdown";
  if (format !== "markdown" && format !== "json") return io.fail(`--format must be markdown or json, not "${format}"`);
  const base = values.base;
  if (base === undefined || rest.length > 0 || values.all)
    return io.fail("diff needs --base <git-ref> and nothing else; see agent-trust diff --help");
  return guard(io, () => {
    const root = projectRoot();
    const before = matricesAt(root, base);
    const deltas = diffMatrices(before.matrices, allMatrices(root));
    io.out(format === "json" ? deltaJson(deltas, base, before.note) : deltaMarkdown(deltas, base, before.note));
    return 0;
  });
}
