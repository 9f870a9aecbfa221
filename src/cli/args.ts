/**
 * One argument parser for every command: `node:util` parseArgs in strict mode, its errors turned into the
 * project's one-line messages (`unknown option --x; see agent-trust <command> --help`, `--out needs a directory`).
 * `--name=value` and `--name value` both work, `--` ends the options, and a lone `-` is a positional (stdin).
 */
import { parseArgs } from "node:util";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** For a string option: what the missing value is, in `--name needs <needs>` (default "a value"). */
  readonly needs?: string;
  /** A string option that may be given several times (`--as-group a --as-group b`): its value is a list. */
  readonly multiple?: boolean;
}
export type Spec = Readonly<Record<string, OptionSpec>>;
export type Values<S extends Spec> = {
  -readonly [K in keyof S]?: S[K]["type"] extends "string"
    ? S[K]["multiple"] extends true
      ? string[]
      : string
    : boolean;
};

export interface Parsed<S extends Spec> {
  readonly values: Values<S>;
  readonly positionals: string[];
}

/** `--help` / `-h`, which every command takes. */
export const HELP = { help: { type: "boolean", short: "h" } } as const satisfies Spec;

/** The option a parseArgs message names (`'--out <value>'`, `'-x'`), without its value placeholder. */
function optionIn(message: string): string {
  const m = /'(-{1,2}[^' ]*)/.exec(message);
  return m ? m[1]! : "";
}

/** Why the message of a parseArgs error is wrong input, in the project's words. */
function reason(spec: Spec, command: string, code: string, message: string): string {
  const named = optionIn(message);
  const long = named.replace(/^-+/, "");
  const short = Object.entries(spec).find(([, o]) => o.short === long)?.[0];
  const name = named.startsWith("--") ? long : (short ?? long);
  const option = spec[name];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || !option)
    return `unknown option ${named}; see agent-trust ${command} --help`;
  if (option.type === "boolean") return `--${name} takes no value`;
  if (message.includes("ambiguous"))
    return `--${name} needs ${option.needs ?? "a value"}; to give one starting with "-", write --${name}=VALUE`;
  return `--${name} needs ${option.needs ?? "a value"}`;
}

/**
 * Parses `args` against `spec` (plus `--help`); returns the values and positionals, or a one-line reason when the
 * arguments are wrong.
 */
export function parseCommandArgs<S extends Spec>(
  args: readonly string[],
  spec: S,
  command: string,
): Parsed<S & typeof HELP> | string {
  const all: Spec = { ...HELP, ...spec };
  const options = Object.fromEntries(
    Object.entries(all).map(([k, o]) => [
      k,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  try {
    const r = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    return { values: r.values as Values<S & typeof HELP>, positionals: r.positionals };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_"))
      return reason(all, command, code, (e as Error).message);
    throw e;
  }
}
