/** `agent-trust gate <stack>` and `agent-trust gate --observed <file>`. */
import * as path from "node:path";
import { parseCommandArgs } from "../cli/args";
import type { Io } from "../cli/io";
import { table } from "../cli/table";
import { ConfigError } from "../config/parse";
import { loadStackConfig, projectRoot } from "../config/stacks";
import { isPromoted } from "../model/promotion";
import { EvidenceError, loadObservation } from "./evidence";
import { judgeDemotion, judgeStack, type DemotionResult, type Row, type StackGate } from "./gate";

export const GATE_HELP = `Usage: agent-trust gate <stack> [--format text|json]
       agent-trust gate --observed <file> [--format text|json]

gate <stack>       Is the phase of this phase stack earned? Every agent's evidence file (the stack's
                   agents[].promotion.evidence, evidence/<env>/<agent>.yaml) must meet the gate of the phase,
                   judged on the record of the phase below, with the environment's calibration
                   (agent-trust:promotionGates in its foundation stack; every override is shown).
                   Prints criterion / required / measured / pass per agent.
gate --observed F  Applies the demotion rules to an observed recent window (F: agent, environment, phase,
                   window, diagnosticAccuracy, rollbacks, outOfScopeActions) and names the phase to fall back to.

Exit codes: 0 earned (or no demotion), 1 not earned (or demotion called for), 2 bad input.`;

const required = (r: Row) =>
  r.defaultRequired ? `${r.required} (override; default ${r.defaultRequired})` : r.required;

export function gateReport(g: StackGate): string[] {
  const out = [`gate ${g.stack}: phase ${g.phase} in ${g.environment} is ${g.earned ? "EARNED" : "NOT EARNED"}`];
  if (!isPromoted(g.phase)) return [...out, `  ${g.phase} needs no evidence: it is where every agent starts`];
  const overridden = g.agents.some((a) => a.result.rows.some((r) => r.defaultRequired));
  out.push(`calibration: ${g.overridesSource} (${overridden ? "overrides marked below" : "defaults, no overrides"})`);
  for (const a of g.agents) {
    const r = a.result;
    const w = a.missing
      ? "file does not exist (no evidence)"
      : r.window
        ? `${r.from} record ${r.window.from} to ${r.window.to}`
        : `no ${r.from} record`;
    out.push("", `agent ${a.agent}: ${a.evidenceFile}, ${w}: ${r.earned ? "earned" : "NOT earned"}`);
    out.push(
      ...table(
        ["criterion", "required", "measured", "pass"],
        r.rows.map((x) => [x.criterion, required(x), x.measured, x.pass ? "yes" : "NO"]),
        { indent: "  " },
      ),
    );
  }
  return out;
}

export function demotionReport(d: DemotionResult, source: string): string[] {
  const o = d.observation;
  const verdict =
    d.triggered.length === 0
      ? "no demotion: stays in " + o.phase
      : d.fallBackTo
        ? `DEMOTE to ${d.fallBackTo}, pending review before re-promotion`
        : `DEMOTION TRIGGERED but ${o.phase} is the lowest phase: stop the agent pending review`;
  return [
    `observed ${o.agent} in ${o.environment}, phase ${o.phase}, ${o.window.from} to ${o.window.to} (calibration: ${source})`,
    ...table(
      ["trigger", "demotes when", "measured", "fired"],
      d.rows.map((r) => [r.criterion, required(r), r.measured, r.pass ? "no" : "YES"]),
      { indent: "  " },
    ),
    verdict,
  ];
}

interface Args {
  readonly stack?: string;
  readonly observed?: string;
  readonly format: string;
}

function parseGateArgs(argv: readonly string[]): Args | string /* "help", or an error message */ {
  const parsed = parseCommandArgs(
    argv,
    { observed: { type: "string", needs: "a file" }, format: { type: "string" } },
    "gate",
  );
  if (typeof parsed === "string") return parsed;
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const format = values.format ?? "text";
  const observed = values.observed;
  if (positionals.length > 1) return `gate takes one stack, not "${positionals[0]}" and "${positionals[1]}"`;
  const stack = positionals[0];
  if (format !== "text" && format !== "json") return `--format must be text or json, not "${format}"`;
  if (observed === "") return "--observed needs a file";
  if ((stack === undefined) === (observed === undefined))
    return "gate needs either a <stack> or --observed <file>; see agent-trust gate --help";
  return { ...(stack !== undefined ? { stack } : {}), ...(observed !== undefined ? { observed } : {}), format };
}

export function run(argv: readonly string[], io: Io): number {
  const args = parseGateArgs(argv);
  if (args === "help") {
    io.out(GATE_HELP);
    return 0;
  }
  if (typeof args === "string") return io.fail(args);
  try {
    if (args.observed !== undefined) {
      const observation = loadObservation(path.resolve(args.observed), args.observed);
      const foundation = loadStackConfig(observation.environment, projectRoot());
      const overrides = foundation.layer === "foundation" ? foundation.promotionGates : undefined;
      const d = judgeDemotion(observation, overrides);
      if (args.format === "json") io.out(JSON.stringify(d, null, 2));
      else for (const l of demotionReport(d, `stacks/Pulumi.${observation.environment}.yaml`)) io.out(l);
      return d.triggered.length > 0 ? 1 : 0;
    }
    const g = judgeStack(args.stack ?? "");
    if (args.format === "json") io.out(JSON.stringify(g, null, 2));
    else for (const l of gateReport(g)) io.out(l);
    return g.earned ? 0 : 1;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof EvidenceError) return io.fail(e.message);
    throw e;
  }
}
