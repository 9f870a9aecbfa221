/** The arguments of `agent-trust check`, parsed with the CLI's one parser (`src/cli/args.ts`). */
import { parseCommandArgs } from "../cli/args";
import { ENVIRONMENTS, isEnvironment, isPhase, PHASES } from "../model/phases";
import { EGRESS_LIMITS } from "../rules/network";
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

type EgressKey = "maxPublicEgressShare" | "maxBroadEgressPorts" | "minPrivateEgressPrefixV4" | "minPrivateEgressPrefixV6";

/**
 * The egress thresholds of the network rules, as the pack's policy config names them: each may only be made
 * stricter than its limit (`EGRESS_LIMITS`), so the checker can judge as strictly as a team's pack does.
 */
const EGRESS_FLAGS: Readonly<Record<string, { key: EgressKey; integer: boolean; min: number; max: number }>> = {
  "max-public-egress-share": { key: "maxPublicEgressShare", integer: false, min: 0, max: EGRESS_LIMITS.maxPublicEgressShare },
  "max-broad-egress-ports": { key: "maxBroadEgressPorts", integer: true, min: 0, max: EGRESS_LIMITS.maxBroadEgressPorts },
  "min-private-egress-prefix-v4": { key: "minPrivateEgressPrefixV4", integer: true, min: EGRESS_LIMITS.minPrivateEgressPrefixV4, max: 32 },
  "min-private-egress-prefix-v6": { key: "minPrivateEgressPrefixV6", integer: true, min: EGRESS_LIMITS.minPrivateEgressPrefixV6, max: 128 },
};

/** One egress threshold flag's value, or why it is refused (never silently clamped). */
function egressSetting(name: string, text: string): number | string {
  const spec = EGRESS_FLAGS[name]!;
  const flag = `--${name}`;
  const n = text.trim() === "" ? NaN : Number(text);
  const kind = spec.integer ? "an integer" : "a number";
  if (!Number.isFinite(n) || (spec.integer && !Number.isInteger(n))) return `${flag} needs ${kind} from ${spec.min} to ${spec.max}, not "${text}"`;
  if (n < spec.min || n > spec.max) {
    return `${flag} ${n} is outside ${spec.min}..${spec.max}: the limit is ${spec.key.startsWith("min") ? spec.min : spec.max}, and a setting may only make the rule stricter`;
  }
  return n;
}

const SPEC = {
  phase: { type: "string" },
  env: { type: "string" },
  layer: { type: "string" },
  format: { type: "string" },
  stack: { type: "boolean" },
  "for-stack": { type: "string", needs: "a stack name, e.g. --for-stack dev-shadow" },
  "trust-labels": { type: "boolean" },
  "kv-mount": { type: "string" },
  namespace: { type: "string" },
  "max-public-egress-share": { type: "string", needs: "a number" },
  "max-broad-egress-ports": { type: "string", needs: "an integer" },
  "min-private-egress-prefix-v4": { type: "string", needs: "an integer" },
  "min-private-egress-prefix-v6": { type: "string", needs: "an integer" },
} as const;

/** Parses the arguments after `check`; returns a reason string when they are wrong. */
export function parseCheckArgs(args: readonly string[]): Parsed | "help" | string {
  const parsed = parseCommandArgs(args, SPEC, "check");
  if (typeof parsed === "string") return parsed;
  const { values: v, positionals: paths } = parsed;
  if (v.help) return "help";
  const settings: { kvMount?: string; namespace?: string } & Partial<Record<EgressKey, number>> = {};
  for (const name of Object.keys(EGRESS_FLAGS)) {
    const text = v[name as keyof typeof EGRESS_FLAGS & keyof typeof v];
    if (typeof text !== "string") continue;
    const read = egressSetting(name, text);
    if (typeof read === "string") return read;
    settings[EGRESS_FLAGS[name]!.key] = read;
  }
  const { phase, env, layer } = v;
  const format = v.format ?? "text";
  const forStack = v["for-stack"];
  if (phase !== undefined && !isPhase(phase)) return `--phase must be one of ${PHASES.join(", ")}, not "${phase}"`;
  if (env !== undefined && !isEnvironment(env)) return `--env must be one of ${ENVIRONMENTS.join(", ")}, not "${env}"`;
  if (layer !== undefined && layer !== "phase" && layer !== "foundation") return `--layer must be phase or foundation, not "${layer}"`;
  if (!(FORMATS as readonly string[]).includes(format)) return `--format must be text or json or sarif or junit or github, not "${format}"`;
  if (v["kv-mount"] !== undefined) settings.kvMount = v["kv-mount"];
  if (v.namespace !== undefined) settings.namespace = v.namespace;
  if (settings.kvMount === "" || settings.namespace === "") return "--kv-mount and --namespace need a value";
  if (forStack !== undefined) {
    if (forStack === "") return "--for-stack needs a stack name, e.g. --for-stack dev-shadow";
    const clash = [phase !== undefined && "--phase", env !== undefined && "--env", layer !== undefined && "--layer", v["trust-labels"] && "--trust-labels"].filter(Boolean);
    if (clash.length > 0) return `--for-stack reads the phase, environment and layer from stacks/Pulumi.${forStack}.yaml; drop ${clash.join(", ")}`;
  }
  if (paths.length === 0) return "check needs at least one PATH (a file or a directory, or - for standard input)";
  const options = { phase, env, stack: v.stack === true || forStack !== undefined, trustLabels: v["trust-labels"] === true, layer, settings } as CheckOptions;
  return { options, format: format as Format, paths, ...(forStack !== undefined ? { forStack } : {}) };
}
