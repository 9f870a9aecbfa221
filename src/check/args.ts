/** The arguments of `agent-trust check`, parsed with the CLI's one parser (`src/cli/args.ts`). */
import { parseCommandArgs, type OptionSpec } from "../cli/args";
import { ENVIRONMENTS, isEnvironment, isPhase, PHASES } from "../model/phases";
import { readFlag, SETTING_NAMES, SETTINGS } from "../rules/settings";
import type { RuleSettings } from "../rules/types";
import type { CheckOptions } from "./judging";

export const FORMATS = ["text", "json", "sarif", "junit", "github"] as const;
export type Format = (typeof FORMATS)[number];

export interface Parsed {
  readonly options: CheckOptions;
  readonly format: Format;
  readonly paths: string[];
  /** `--for-stack STACK`: phase, environment, layer and settings come from the stack's file (resolved by the caller). */
  readonly forStack?: string;
}

/**
 * The rule settings' flags, generated from the settings table (src/rules/settings.ts): the pack's config names in
 * kebab case, each value checked against its setting's bounds or form, so the checker judges as strictly as a
 * team's pack does and never looser than the limits.
 */
const NEEDS = { integer: "an integer", number: "a number", string: "a value" } as const;
type SettingFlags = {
  readonly [K in keyof RuleSettings as (typeof SETTINGS)[K]["flag"]]: {
    readonly type: "string";
    readonly needs: string;
  };
};
const SETTING_FLAGS = Object.fromEntries(
  SETTING_NAMES.map((k) => [SETTINGS[k].flag, { type: "string", needs: NEEDS[SETTINGS[k].type] } satisfies OptionSpec]),
) as SettingFlags;

const SPEC = {
  phase: { type: "string" },
  env: { type: "string" },
  layer: { type: "string" },
  format: { type: "string" },
  stack: { type: "boolean" },
  "for-stack": { type: "string", needs: "a stack name, e.g. --for-stack dev-shadow" },
  "trust-labels": { type: "boolean" },
} as const;

/** Parses the arguments after `check`; returns a reason string when they are wrong. */
export function parseCheckArgs(args: readonly string[]): Parsed | string /* "help", or an error message */ {
  const parsed = parseCommandArgs(args, { ...SETTING_FLAGS, ...SPEC }, "check");
  if (typeof parsed === "string") return parsed;
  const { values: v, positionals: paths } = parsed;
  if (v.help) return "help";
  const settings: Partial<Record<keyof RuleSettings, number | string>> = {};
  for (const name of SETTING_NAMES) {
    const text = v[SETTINGS[name].flag];
    if (typeof text !== "string") continue;
    const read = readFlag(name, text);
    if (typeof read === "object") return read.refused;
    settings[name] = read;
  }
  const { phase, env, layer } = v;
  const format = v.format ?? "text";
  const forStack = v["for-stack"];
  if (phase !== undefined && !isPhase(phase)) return `--phase must be one of ${PHASES.join(", ")}, not "${phase}"`;
  if (env !== undefined && !isEnvironment(env)) return `--env must be one of ${ENVIRONMENTS.join(", ")}, not "${env}"`;
  if (layer !== undefined && layer !== "phase" && layer !== "foundation")
    return `--layer must be phase or foundation, not "${layer}"`;
  if (!(FORMATS as readonly string[]).includes(format))
    return `--format must be text or json or sarif or junit or github, not "${format}"`;
  if (forStack !== undefined) {
    if (forStack === "") return "--for-stack needs a stack name, e.g. --for-stack dev-shadow";
    const clash = [
      phase !== undefined && "--phase",
      env !== undefined && "--env",
      layer !== undefined && "--layer",
      v["trust-labels"] && "--trust-labels",
    ].filter(Boolean);
    if (clash.length > 0)
      return `--for-stack reads the phase, environment and layer from stacks/Pulumi.${forStack}.yaml; drop ${clash.join(", ")}`;
  }
  if (paths.length === 0) return "check needs at least one PATH (a file or a directory, or - for standard input)";
  const options = {
    phase,
    env,
    stack: v.stack === true || forStack !== undefined,
    trustLabels: v["trust-labels"] === true,
    layer,
    settings,
  } as CheckOptions;
  return { options, format: format as Format, paths, ...(forStack !== undefined ? { forStack } : {}) };
}
