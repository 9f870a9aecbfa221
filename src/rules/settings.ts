/**
 * The one table of the rule settings: per setting its type, bounds, default, the checker's flag and the pack's
 * config name. Generated from it: the pack's JSON-schema config (policy/policies.ts), the checker's flags with
 * their help lines and checks (src/check/args.ts, src/check/cli.ts), and the clamping every caller's settings
 * pass through (`settingsFrom`, src/rules/index.ts). Pure.
 */
import { LIMITS } from "../model/catalog";
import { DEFAULTS } from "../model/naming";
import type { RuleSettings, SettingName } from "./types";

/**
 * A numeric setting. `default` is also the loosest value allowed: config may only make a rule stricter, so the
 * default is `max` when a lower value is stricter and `min` when a higher one is.
 */
export interface NumberSetting {
  readonly type: "integer" | "number";
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** The checker's flag, without `--`. */
  readonly flag: string;
  /** What the flag's value is, in the help line (`N`, `X`). */
  readonly metavar: string;
  readonly help: string;
}

export interface StringSetting {
  readonly type: "string";
  /** The value's form (JSON-schema `pattern`); the checker refuses a flag value that does not match it. */
  readonly pattern: string;
  readonly default: string;
  readonly flag: string;
  readonly metavar: string;
  readonly help: string;
}

export type Setting = NumberSetting | StringSetting;

/** The pack's config name of each setting is its key here (the `RuleSettings` field). */
export const SETTINGS = {
  maxTtlSeconds: {
    type: "integer",
    min: 60,
    max: LIMITS.maxTokenTtlSeconds,
    default: LIMITS.maxTokenTtlSeconds,
    flag: "max-ttl-seconds",
    metavar: "N",
    help: "the longest Vault token TTL a role may grant, in seconds",
  },
  maxJobDeadlineSeconds: {
    type: "integer",
    min: 60,
    max: LIMITS.maxJobDeadlineSeconds,
    default: LIMITS.maxJobDeadlineSeconds,
    flag: "max-job-deadline-seconds",
    metavar: "N",
    help: "the longest Job activeDeadlineSeconds, in seconds",
  },
  kvMount: {
    type: "string",
    pattern: "^[a-z0-9][a-z0-9-]*$",
    default: DEFAULTS.kvMount,
    flag: "kv-mount",
    metavar: "M",
    help: "the agents' KV mount Vault policies must stay under",
  },
  namespace: {
    type: "string",
    pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$",
    default: DEFAULTS.namespace,
    flag: "namespace",
    metavar: "N",
    help: "the agents namespace",
  },
  // Egress thresholds: the defaults are the loosest allowed; config can only make them stricter.
  maxPublicEgressShare: {
    type: "number",
    min: 0,
    max: 0.001,
    default: 0.001,
    flag: "max-public-egress-share",
    metavar: "X",
    help: "the largest share (0..1) of the public IPv4 or IPv6 space egress may reach on many ports",
  },
  maxBroadEgressPorts: {
    type: "integer",
    min: 0,
    max: 16,
    default: 16,
    flag: "max-broad-egress-ports",
    metavar: "N",
    help: "a destination open on more ports than this (in one protocol) counts as open on all ports",
  },
  minPrivateEgressPrefixV4: {
    type: "integer",
    min: 16,
    max: 32,
    default: 16,
    flag: "min-private-egress-prefix-v4",
    metavar: "N",
    help: "private IPv4 reachable on all ports may be at most one block of this prefix length",
  },
  minPrivateEgressPrefixV6: {
    type: "integer",
    min: 48,
    max: 128,
    default: 48,
    flag: "min-private-egress-prefix-v6",
    metavar: "N",
    help: "private IPv6 reachable on all ports may be at most one block of this prefix length",
  },
} as const satisfies { readonly [K in SettingName]: RuleSettings[K] extends number ? NumberSetting : StringSetting };

export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

export const DEFAULT_SETTINGS: RuleSettings = Object.fromEntries(
  SETTING_NAMES.map((k) => [k, SETTINGS[k].default]),
) as unknown as RuleSettings;

/** The loosest value of a numeric setting: its bound on the side config may not pass. */
export function limitOf(s: NumberSetting): number {
  return s.default;
}

export interface SettingSchema {
  readonly type: Setting["type"];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly default: number | string;
}

/** The JSON schema of one setting in the pack's policy config. */
export function settingSchema(name: SettingName): SettingSchema {
  const s: Setting = SETTINGS[name];
  if (s.type === "string") return { type: "string", pattern: s.pattern, default: s.default };
  return { type: s.type, minimum: s.min, maximum: s.max, default: s.default };
}

/**
 * One setting as the rules use it: a number never looser than its limit (the default, the loose end of its bounds; a
 * value that is not a finite number, from hostile or broken config, is the limit), and never loosened either: a value
 * past the strict end (a TTL cap under 60 s, say) stays as strict as it was asked to be. A string that is one, else
 * the default. The pack's schema and the checker's flags refuse values outside the bounds before they get here.
 */
function clampOne(name: SettingName, value: unknown): number | string {
  const s: Setting = SETTINGS[name];
  if (s.type === "string") return typeof value === "string" ? value : s.default;
  if (typeof value !== "number" || !Number.isFinite(value)) return s.default;
  return s.default === s.max ? Math.min(s.max, value) : Math.max(s.min, value);
}

/** Settings from config, never looser than the limits (a cap can be lowered, not raised). */
export function clampSettings(partial: Partial<Record<SettingName, unknown>>): RuleSettings {
  return Object.fromEntries(
    SETTING_NAMES.map((k) => [k, clampOne(k, partial[k] ?? SETTINGS[k].default)]),
  ) as unknown as RuleSettings;
}

/** One flag's value read and checked against its setting, or why it is refused (never silently clamped). */
export function readFlag(name: SettingName, text: string): number | string | { readonly refused: string } {
  const s: Setting = SETTINGS[name];
  const flag = `--${s.flag}`;
  if (s.type === "string") {
    if (text === "") return { refused: `${flag} needs a value` };
    if (!new RegExp(s.pattern).test(text)) return { refused: `${flag} "${text}" is not of the form ${s.pattern}` };
    return text;
  }
  const n = text.trim() === "" ? NaN : Number(text);
  const kind = s.type === "integer" ? "an integer" : "a number";
  if (!Number.isFinite(n) || (s.type === "integer" && !Number.isInteger(n)))
    return { refused: `${flag} needs ${kind} from ${s.min} to ${s.max}, not "${text}"` };
  if (n < s.min || n > s.max) {
    return {
      refused: `${flag} ${n} is outside ${s.min}..${s.max}: the limit is ${limitOf(s)}, and a setting may only make the rule stricter`,
    };
  }
  return n;
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/**
 * The help of the setting flags, one entry per setting: the flag, then its text from `column` (on its own line
 * after a long flag), wrapped to `width`.
 */
export function settingHelpLines(column: number, width = 115): string[] {
  return SETTING_NAMES.map((name) => {
    const s: Setting = SETTINGS[name];
    const head = `  --${s.flag} ${s.metavar}`;
    const bounds =
      s.type === "string" ? `default ${s.default}` : `default ${s.default}, the loosest allowed; ${s.min}..${s.max}`;
    const text = wrap(`${s.help} (${bounds})`, width - column).map((l) => `${" ".repeat(column)}${l}`);
    if (head.length < column) text[0] = `${head.padEnd(column)}${text[0]!.trimStart()}`;
    else text.unshift(head);
    return text.join("\n");
  });
}
