/**
 * Judging evidence: whether a phase stack's phase is earned (every agent's record from the phase below meets the
 * environment's gate), and whether an observed window calls for demotion. The one place the gate is computed:
 * `agent-trust gate`, the Pulumi program and the tests all come through here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../config/parse";
import type { PhaseConfig } from "../config/schema";
import { loadStackConfig, projectRoot, shortStackName } from "../config/stacks";
import {
  DEMOTION_RULES,
  formatBound,
  formatMeasured,
  isPromoted,
  measureRecord,
  meets,
  previousPhase,
  PROMOTION_GATES,
  type AnyGate,
  type Observation,
  type PromotedPhase,
  type RecordPhase,
} from "../model/promotion";
import type { Phase } from "../model/phases";
import { EvidenceError, loadEvidenceFile, todayUtc, windowDays, type EvidenceFile } from "./evidence";
import { demotionWindowDays, effective, type Effective, type GateOverrides } from "../config/gate-overrides";

export interface Row {
  readonly id: string;
  readonly criterion: string;
  readonly required: string;
  /** The default requirement, when this environment overrides it. */
  readonly defaultRequired?: string;
  readonly measured: string;
  readonly pass: boolean;
}

export interface GateResult {
  readonly target: PromotedPhase;
  readonly from: RecordPhase;
  /** Absent when the evidence has no record of the phase below. */
  readonly window?: { from: string; to: string };
  readonly rows: readonly Row[];
  readonly earned: boolean;
}

function row<R>(e: Effective<R>, record: unknown, passWhenMet: boolean): Row {
  const m = record === undefined ? undefined : measureRecord(e.criterion, record);
  const met = m !== undefined && meets(e.bound, m);
  return {
    id: e.criterion.id,
    criterion: e.criterion.label,
    required: formatBound(e.bound),
    ...(e.overridden ? { defaultRequired: formatBound(e.overridden) } : {}),
    measured: m === undefined ? "no record" : formatMeasured(m),
    pass: m !== undefined && met === passWhenMet,
  };
}

/** Judges the record of the phase below against the gate for `target`, with this environment's overrides. */
export function judgePromotion(target: PromotedPhase, evidence: EvidenceFile, overrides?: GateOverrides): GateResult {
  const gate: AnyGate = PROMOTION_GATES[target];
  const from = gate.from;
  const record: { readonly window: { from: string; to: string } } | undefined = evidence.records[from];
  const rows = effective<never>(gate.criteria, overrides?.[target]).map((e) => row(e, record, true));
  return {
    target,
    from,
    ...(record ? { window: record.window } : {}),
    rows,
    earned: record !== undefined && rows.every((r) => r.pass),
  };
}

export interface DemotionResult {
  readonly observation: Observation;
  readonly rows: readonly Row[];
  /** The rules that fired. */
  readonly triggered: readonly string[];
  /** The phase to fall back to when a rule fired; undefined when nothing fired or the agent is already in shadow. */
  readonly fallBackTo?: Phase;
}

/** Applies the demotion rules to an observed window (at most `windowDays` long, else bad input). */
export function judgeDemotion(observation: Observation, overrides?: GateOverrides): DemotionResult {
  const maxDays = demotionWindowDays(overrides);
  const days = windowDays(observation.window);
  if (days > maxDays) {
    throw new EvidenceError(
      `window: ${days} days (${observation.window.from} to ${observation.window.to}); the demotion rules judge the last ${maxDays} days, so give a window of at most ${maxDays} days`,
    );
  }
  // A row "passes" when its rule did NOT fire.
  const rows = effective(DEMOTION_RULES, overrides?.demotion).map((e) => row(e, observation, false));
  const triggered = rows.filter((r) => !r.pass).map((r) => r.id);
  const to = triggered.length > 0 ? previousPhase(observation.phase) : undefined;
  return { observation, rows, triggered, ...(to ? { fallBackTo: to } : {}) };
}

/** An evidence reference must stay inside the project's `evidence/` directory. */
export function resolveEvidencePath(root: string, ref: string): string {
  const dir = path.resolve(root, "evidence");
  const file = path.resolve(root, ref);
  if (!file.startsWith(dir + path.sep)) throw new EvidenceError(`evidence path "${ref}" must be inside evidence/`);
  return file;
}

/** The calibration of an environment: its foundation stack's `agent-trust:promotionGates`. */
export function overridesFor(cfg: PhaseConfig, root: string): { overrides?: GateOverrides; source: string } {
  const stack = shortStackName(cfg.foundationStack ?? cfg.environment);
  const foundation = loadStackConfig(stack, root);
  if (foundation.layer !== "foundation")
    throw new ConfigError(`agent-trust:foundationStack "${stack}" is a ${foundation.layer} stack, not a foundation`);
  const overrides = foundation.promotionGates;
  return { ...(overrides ? { overrides } : {}), source: `stacks/Pulumi.${stack}.yaml` };
}

export interface AgentGate {
  readonly agent: string;
  readonly evidenceFile: string;
  /** The evidence file does not exist. */
  readonly missing?: boolean;
  readonly result: GateResult;
}

export interface StackGate {
  readonly stack: string;
  readonly environment: string;
  readonly phase: Phase;
  readonly overridesSource: string;
  readonly agents: readonly AgentGate[];
  readonly earned: boolean;
}

/** Judges every agent of a parsed phase stack. Throws ConfigError / EvidenceError on bad input. */
export function judgePhaseConfig(stack: string, cfg: PhaseConfig, root = projectRoot(), today = todayUtc()): StackGate {
  const { overrides, source } = overridesFor(cfg, root);
  const target = cfg.phase;
  const agents: AgentGate[] = [];
  if (isPromoted(target)) {
    for (const [i, a] of cfg.agents.entries()) {
      const ref = a.promotion?.evidence;
      if (!ref) throw new ConfigError(`agent-trust:agents[${i}].promotion.evidence: is required in ${target}`);
      const label = ref;
      const file = resolveEvidencePath(root, ref);
      // No evidence at all is the plainest "not earned": judged as a file without records, so the table shows it.
      if (!fs.existsSync(file)) {
        const none: EvidenceFile = { agent: a.name, environment: cfg.environment, records: {} };
        agents.push({
          agent: a.name,
          evidenceFile: ref,
          missing: true,
          result: judgePromotion(target, none, overrides),
        });
        continue;
      }
      const evidence = loadEvidenceFile(file, label, today);
      if (evidence.agent !== a.name)
        throw new EvidenceError(`${label}: agent: is "${evidence.agent}" but agent-trust:agents[${i}] is "${a.name}"`);
      if (evidence.environment !== cfg.environment) {
        throw new EvidenceError(
          `${label}: environment: is "${evidence.environment}" but stack ${stack} is in "${cfg.environment}"`,
        );
      }
      agents.push({ agent: a.name, evidenceFile: ref, result: judgePromotion(target, evidence, overrides) });
    }
  }
  return {
    stack,
    environment: cfg.environment,
    phase: target,
    overridesSource: source,
    agents,
    earned: agents.every((a) => a.result.earned),
  };
}

export function judgeStack(stack: string, root = projectRoot(), today = todayUtc()): StackGate {
  const cfg = loadStackConfig(stack, root);
  if (cfg.layer !== "phase")
    throw new ConfigError(`${stack} is a foundation stack; the gate judges phase stacks (for example ${stack}-assist)`);
  return judgePhaseConfig(stack, cfg, root, today);
}
