/**
 * The permission delta between two sets of stack matrices (a base revision and the working tree): only what was
 * added or removed, grouped by stack, added rights first. An agent new to a phase stack is compared with its
 * identity one phase below in the same environment at the base, so a promotion shows exactly what it grants.
 */
import { loadStackConfig, listStacks, loadFoundationFor } from "../config/stacks";
import { ENVIRONMENTS, isPhase, PHASES, phaseRank, previousPhase } from "../model/phases";
import { phaseMatrix, rightKey, rightText, type IdentityMatrix, type Right, type StackMatrix } from "./matrix";

export interface AgentDelta {
  readonly agent: string;
  readonly identity: string;
  /** What the head identity is compared with. */
  readonly comparedWith: string;
  readonly added: readonly Right[];
  readonly removed: readonly Right[];
}

export interface StackDelta {
  readonly stack: string;
  readonly agents: readonly AgentDelta[];
}

/** The matrix of one stack read from a project directory. */
export function stackMatrix(stack: string, root: string): StackMatrix {
  const cfg = loadStackConfig(stack, root);
  if (cfg.layer === "foundation") return { stack, environment: cfg.environment, layer: "foundation", agents: [] };
  return phaseMatrix(stack, cfg, loadFoundationFor(cfg, root));
}

export function allMatrices(root: string): Record<string, StackMatrix> {
  return Object.fromEntries(listStacks(root).map((s) => [s, stackMatrix(s, root)]));
}

function minus(a: readonly Right[], b: readonly Right[]): Right[] {
  const keys = new Set(b.map(rightKey));
  return a.filter((r) => !keys.has(rightKey(r)));
}

/** The stack one phase below in the same environment, in the base set, if the naming follows `<env>-<phase>`. */
function promotionSource(m: StackMatrix, base: Readonly<Record<string, StackMatrix>>): StackMatrix | undefined {
  if (m.layer !== "phase" || !isPhase(m.phase)) return undefined;
  const below = previousPhase(m.phase);
  if (below === undefined) return undefined;
  return Object.values(base).find((s) => s.layer === "phase" && s.environment === m.environment && s.phase === below);
}

/** Environments in their order, each foundation first and then its phase stacks in trust order; unknowns last. */
const stackOrder = (m: StackMatrix | undefined) =>
  m
    ? (ENVIRONMENTS as readonly string[]).indexOf(m.environment) * (PHASES.length + 1) +
      (isPhase(m.phase) ? 1 + phaseRank(m.phase) : 0)
    : Number.MAX_SAFE_INTEGER;

export function diffMatrices(
  base: Readonly<Record<string, StackMatrix>>,
  head: Readonly<Record<string, StackMatrix>>,
): StackDelta[] {
  const stacks = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort(
    (a, b) => stackOrder(head[a] ?? base[a]) - stackOrder(head[b] ?? base[b]) || a.localeCompare(b),
  );
  const out: StackDelta[] = [];
  for (const stack of stacks) {
    const before = base[stack];
    const after = head[stack];
    const agents: AgentDelta[] = [];
    const names = [...new Set([...(before?.agents ?? []), ...(after?.agents ?? [])].map((a) => a.agent))].sort();
    for (const name of names) {
      const b = before?.agents.find((a) => a.agent === name);
      const h = after?.agents.find((a) => a.agent === name);
      let from: IdentityMatrix | undefined = b;
      let comparedWith = b ? `${stack} at the base` : "nothing (new identity)";
      if (!b && h && after) {
        const source = promotionSource(after, base)?.agents.find((a) => a.agent === name);
        const sourceStack = promotionSource(after, base)?.stack;
        if (source && sourceStack) {
          from = source;
          comparedWith = `${sourceStack} at the base (promotion)`;
        }
      }
      if (!h && b) comparedWith = `${stack} at the base (identity removed)`;
      const added = minus(h?.rights ?? [], from?.rights ?? []);
      const removed = minus(from?.rights ?? [], h?.rights ?? []);
      if (added.length || removed.length || !b !== !h) {
        agents.push({ agent: name, identity: (h ?? b)?.identity ?? name, comparedWith, added, removed });
      }
    }
    if (agents.length) out.push({ stack, agents });
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, "\\|");

export function deltaMarkdown(deltas: readonly StackDelta[], base: string, note?: string): string {
  const lines = [`### Permission delta against \`${cell(base)}\``, ""];
  if (note) lines.push(`> ${note}`, "");
  if (deltas.length === 0) return [...lines, "No permission changes in any stack."].join("\n");
  for (const d of deltas) {
    lines.push(`#### \`${d.stack}\``, "");
    for (const a of d.agents) {
      lines.push(
        `**${a.agent}** \`${a.identity}\`, compared with ${a.comparedWith}: ${a.added.length} added, ${a.removed.length} removed`,
        "",
      );
      if (a.added.length + a.removed.length === 0) continue;
      lines.push("| | kind | right |", "|---|---|---|");
      for (const r of a.added) lines.push(`| **+ added** | ${r.kind} | ${cell(rightText(r))} |`);
      for (const r of a.removed) lines.push(`| − removed | ${r.kind} | ${cell(rightText(r))} |`);
      lines.push("");
    }
  }
  return lines.join("\n").trimEnd();
}

export function deltaJson(deltas: readonly StackDelta[], base: string, note?: string): string {
  const stacks = deltas.map((d) => ({
    stack: d.stack,
    agents: d.agents.map((a) => ({
      ...a,
      added: a.added.map(rightText),
      removed: a.removed.map(rightText),
      addedDetail: a.added,
      removedDetail: a.removed,
    })),
  }));
  return JSON.stringify({ base, ...(note ? { note } : {}), stacks }, null, 2);
}
