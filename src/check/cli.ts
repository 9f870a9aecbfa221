/** `agent-trust check [--phase P] [--env E] [--format text|json] [--stack] PATH...` */
import type { Io } from "../cli/io";
import { ENVIRONMENTS, isEnvironment, isPhase, PHASES } from "../model/phases";
import { DEFAULT_SETTINGS } from "../rules";
import { EGRESS_LIMITS } from "../rules/network";
import { check, hasMandatory, type CheckOptions, type CheckResult, type CheckViolation } from "./index";

export const CHECK_HELP = `Usage: agent-trust check [--phase P] [--env E] [--trust-labels] [--layer L] [--format text|json] [--stack] PATH...

Runs the agent-trust policy rules offline over YAML and JSON (Kubernetes objects and the agent-trust.io/v1
VaultPolicy / VaultKubernetesAuthRole documents that "agent-trust render" writes) and .hcl Vault policy files.

Input is read as kubectl apply -f reads it, so the rules judge what the API server would store:
  - YAML 1.1 scalars as kubectl's go-yaml resolves them: yes/no/on/off/y/n are booleans, 0777 is octal,
    1_000 and 0x1F are numbers, ~ is null; quoted values and !!str stay strings
  - merge keys (<<) resolved before any rule runs, in go-yaml's order; a key given twice in one mapping is an
    error (kubectl would silently keep the last one); aliases are expanded within go-yaml's alias budget, so an
    alias bomb is an error, not a hang
  - a file starting with a UTF-16 byte order mark is decoded as UTF-16 (little or big endian), as kubectl's
    file reader does; any other file is UTF-8
  - a file starting with { is a JSON stream (one or more objects); any document with an "items" list is
    expanded item by item, whatever its kind (kubectl does the same)
  - directories are read recursively like kubectl apply -R: hidden files and folders included; files ending in
    .yaml, .yml, .json or .hcl (any case); a PATH named explicitly is read whatever its name
  - symbolic links are followed, to files and to directories (each directory once, so loops end); a dangling
    link with one of those extensions is an error
  - FIFOs, sockets and devices are never opened: one with a read extension, or named explicitly, is an error;
    others are ignored like any file kubectl would not read
  - a file that cannot be read or parsed, or that kubectl would read differently (FILE:LINE says why), is named on stderr (and in the json "errors" list) and the exit code
    is 2; every other file is still judged and reported

Options:
  --phase P          judge every object as phase P (${PHASES.join(", ")}); default the strictest (shadow).
                     An object's agent-trust.io/phase label can only make the judgement stricter.
  --env E            judge as environment E (${ENVIRONMENTS.join(", ")}); default prod. An object's
                     agent-trust.io/environment label can only make it stricter. Hygiene rules are advisory in dev.
  --trust-labels     opt in: without --phase/--env, judge each object at the phase and environment its own
                     labels claim (only for input you already trust; an object must never raise its own ceiling)
  --layer L          phase (default: agent input) or foundation: a foundation may also hold the cluster-scoped
                     objects the foundation itself renders (the agents Namespace is allowed in both)
  --format F         text (default), json:
                     {"violations":[{"policy","enforcement","resource","message"}],"errors":["<file>: <reason>"]},
                     or sarif (SARIF 2.1.0 for code scanning, file and line of each document)
  --stack            the input is one whole stack: also run the stack-level rules
  --kv-mount M       the agents' KV mount Vault policies must stay under (default ${DEFAULT_SETTINGS.kvMount})
  --namespace N      the agents namespace (default ${DEFAULT_SETTINGS.namespace})
  --max-public-egress-share X, --max-broad-egress-ports N, --min-private-egress-prefix-v4 N,
  --min-private-egress-prefix-v6 N
                     the network rules' thresholds, as the pack's policy config names them (defaults, which are
                     also the loosest allowed: ${EGRESS_LIMITS.maxPublicEgressShare}, ${EGRESS_LIMITS.maxBroadEgressPorts}, /${EGRESS_LIMITS.minPrivateEgressPrefixV4}, /${EGRESS_LIMITS.minPrivateEgressPrefixV6}); each may only be made stricter

Kinds no rule covers are passed over and counted. The phase-ceiling rule needs the stack's Pulumi config and
runs only in the policy pack (pulumi preview --policy-pack policy).

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable input or bad arguments.`;

interface Parsed {
  readonly options: CheckOptions;
  readonly format: "text" | "json" | "sarif";
  readonly paths: string[];
}

type EgressKey = "maxPublicEgressShare" | "maxBroadEgressPorts" | "minPrivateEgressPrefixV4" | "minPrivateEgressPrefixV6";

/**
 * The egress thresholds of the network rules, as the pack's policy config names them: each may only be made
 * stricter than its limit (`EGRESS_LIMITS`), so the checker can judge as strictly as a team's pack does.
 */
const EGRESS_FLAGS: Readonly<Record<string, { key: EgressKey; integer: boolean; min: number; max: number }>> = {
  "--max-public-egress-share": { key: "maxPublicEgressShare", integer: false, min: 0, max: EGRESS_LIMITS.maxPublicEgressShare },
  "--max-broad-egress-ports": { key: "maxBroadEgressPorts", integer: true, min: 0, max: EGRESS_LIMITS.maxBroadEgressPorts },
  "--min-private-egress-prefix-v4": { key: "minPrivateEgressPrefixV4", integer: true, min: EGRESS_LIMITS.minPrivateEgressPrefixV4, max: 32 },
  "--min-private-egress-prefix-v6": { key: "minPrivateEgressPrefixV6", integer: true, min: EGRESS_LIMITS.minPrivateEgressPrefixV6, max: 128 },
};

/** One egress threshold flag's value, or why it is refused (never silently clamped). */
function egressSetting(flag: string, text: string | undefined): number | string {
  const spec = EGRESS_FLAGS[flag]!;
  const n = text === undefined || text.trim() === "" ? NaN : Number(text);
  const kind = spec.integer ? "an integer" : "a number";
  if (!Number.isFinite(n) || (spec.integer && !Number.isInteger(n))) return `${flag} needs ${kind} from ${spec.min} to ${spec.max}, not "${text ?? ""}"`;
  if (n < spec.min || n > spec.max) {
    return `${flag} ${n} is outside ${spec.min}..${spec.max}: the limit is ${spec.key.startsWith("min") ? spec.min : spec.max}, and a setting may only make the rule stricter`;
  }
  return n;
}

/** Parses the arguments after `check`; returns a reason string when they are wrong. */
export function parseCheckArgs(args: readonly string[]): Parsed | "help" | string {
  let phase: string | undefined;
  let env: string | undefined;
  let format = "text";
  let stack = false;
  let trustLabels = false;
  let layer: string | undefined;
  const settings: { kvMount?: string; namespace?: string } & Partial<Record<EgressKey, number>> = {};
  const paths: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (a === "--") {
      paths.push(...args.slice(i + 1));
      break;
    } else if (flag === "--help" || flag === "-h") return "help";
    else if (flag === "--stack") stack = true;
    else if (flag === "--trust-labels") trustLabels = true;
    else if (flag === "--layer") layer = value() ?? "";
    else if (flag === "--phase") phase = value() ?? "";
    else if (flag === "--env") env = value() ?? "";
    else if (flag === "--format") format = value() ?? "";
    else if (flag === "--kv-mount") settings.kvMount = value() ?? "";
    else if (flag === "--namespace") settings.namespace = value() ?? "";
    else if (Object.hasOwn(EGRESS_FLAGS, flag)) {
      const read = egressSetting(flag, value());
      if (typeof read === "string") return read;
      settings[EGRESS_FLAGS[flag]!.key] = read;
    } else if (a.startsWith("-") && a !== "-") return `unknown option ${a}; see agent-trust check --help`;
    else paths.push(a);
  }
  if (phase !== undefined && !isPhase(phase)) return `--phase must be one of ${PHASES.join(", ")}, not "${phase}"`;
  if (env !== undefined && !isEnvironment(env)) return `--env must be one of ${ENVIRONMENTS.join(", ")}, not "${env}"`;
  if (layer !== undefined && layer !== "phase" && layer !== "foundation") return `--layer must be phase or foundation, not "${layer}"`;
  if (format !== "text" && format !== "json" && format !== "sarif") return `--format must be text or json or sarif, not "${format}"`;
  if (settings.kvMount === "" || settings.namespace === "") return "--kv-mount and --namespace need a value";
  if (paths.length === 0) return "check needs at least one PATH (a file or a directory)";
  return { options: { phase, env, stack, trustLabels, layer, settings } as CheckOptions, format: format as Parsed["format"], paths };
}

function textReport(r: CheckResult, opts: CheckOptions): string[] {
  const lines: string[] = [];
  const byResource = new Map<string, CheckViolation[]>();
  for (const v of r.violations) {
    const of = byResource.get(v.resource);
    if (of) of.push(v);
    else byResource.set(v.resource, [v]);
  }
  for (const [resource, vs] of byResource) {
    lines.push(resource);
    for (const v of vs) {
      lines.push(`  ${v.enforcement === "mandatory" ? "DENY" : "WARN"} [${v.enforcement}] ${v.policy}: ${v.message}`);
      lines.push(`       fix: ${v.remediation}`);
    }
  }
  const mandatory = r.violations.filter((v) => v.enforcement === "mandatory").length;
  const over = Object.entries(r.passedOver).sort(([a], [b]) => a.localeCompare(b));
  const from = (given: string | undefined, strictest: string) => given ?? (opts.trustLabels ? `from labels (else ${strictest})` : strictest);
  const judged = `phase ${from(opts.phase, "shadow")}, env ${from(opts.env, "prod")}, layer ${opts.layer ?? "phase"}${opts.stack ? ", stack rules on" : ""}`;
  lines.push(
    `${r.checked} object(s) checked (${judged}): ${mandatory} mandatory and ${r.violations.length - mandatory} advisory violation(s)`,
  );
  lines.push(over.length ? `passed over (no rule covers the kind): ${over.map(([k, n]) => `${k} ×${n}`).join(", ")}` : "passed over: none");
  return lines;
}

/** Runs `agent-trust check` with the arguments after `check`; returns the exit code. */
export function runCheckCli(argv: readonly string[], io: Io): number {
  const parsed = parseCheckArgs(argv);
  if (parsed === "help") {
    io.out(CHECK_HELP);
    return 0;
  }
  if (typeof parsed === "string") return io.fail(parsed);
  const result = check(parsed.paths, parsed.options);
  if (parsed.format === "sarif") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for this format
    const { toSarif } = require("./sarif") as typeof import("./sarif");
    io.out(JSON.stringify(toSarif(result, { paths: parsed.paths }), null, 2));
  } else if (parsed.format === "json") {
    const violations = result.violations.map(({ policy, enforcement, resource, message }) => ({ policy, enforcement, resource, message }));
    io.out(JSON.stringify({ violations, errors: result.errors }, null, 2));
  } else {
    io.out(textReport(result, parsed.options).join("\n")); // one write: a report can run to many thousands of lines
  }
  if (result.errors.length > 0) {
    for (const e of result.errors) io.err(`agent-trust: ${e}`);
    return io.fail(`${result.errors.length} input(s) could not be read; nothing was judged as passing`);
  }
  return hasMandatory(result) ? 1 : 0;
}
