/** `agent-trust check [--phase P] [--env E] [--for-stack S] [--format F] [--stack] PATH...` */
import type { Io } from "../cli/io";
import { ENVIRONMENTS, PHASES, STRICTEST_PHASE } from "../model/phases";
import { settingHelpLines } from "../rules/settings";
import { parseCheckArgs, type Parsed } from "./args";
import { check, hasMandatory, type CheckOptions, type CheckResult, type CheckViolation } from "./index";

export { parseCheckArgs } from "./args";

export const CHECK_HELP = `Usage: agent-trust check [--phase P] [--env E] [--trust-labels] [--layer L] [--format F] [--stack] PATH...
       agent-trust check --for-stack STACK [--format F] PATH...

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
  - a PATH of - is standard input (YAML or JSON), reported as <stdin>: agent-trust render S --out - | agent-trust check -
  - a file that cannot be read or parsed, or that kubectl would read differently (FILE:LINE says why), is named on stderr (and in the json "errors" list) and the exit code
    is 2; every other file is still judged and reported

Options:
  --phase P          judge every object as phase P (${PHASES.join(", ")}); default the strictest (${STRICTEST_PHASE}).
                     An object's agent-trust.io/phase label can only make the judgement stricter.
  --env E            judge as environment E (${ENVIRONMENTS.join(", ")}); default prod. An object's
                     agent-trust.io/environment label can only make it stricter. Hygiene rules are advisory in dev.
  --trust-labels     opt in: without --phase/--env, judge each object at the phase and environment its own
                     labels claim (only for input you already trust; an object must never raise its own ceiling)
  --layer L          phase (default: agent input) or foundation: a foundation may also hold the cluster-scoped
                     objects the foundation itself renders (the agents Namespace is allowed in both)
  --for-stack S      judge the input as stack S itself: the phase, environment and layer of
                     stacks/Pulumi.S.yaml (never the judged files' labels), its agents namespace and KV mount
                     (from its foundation), and the stack-level rules on; an unknown stack is exit 2.
                     Excludes --phase, --env, --layer and --trust-labels.
  --format F         text (default); json:
                     {"violations":[{"policy","enforcement","resource","message"}],"errors":["<file>: <reason>"]};
                     sarif (SARIF 2.1.0 for code scanning: file and line of each document, security-severity,
                     helpUri into docs/rules.md, the tool version); junit (JUnit XML, a test case per violation);
                     github (GitHub Actions annotations: ::error file=F,line=N,title=T::message per violation)
  --stack            the input is one whole stack: also run the stack-level rules

Rule settings (the pack's policy config of the same name in camel case; each may only be made stricter):
${settingHelpLines(21).join("\n")}

Closed world: a phase stack (the default layer) may hold only its agents' ServiceAccounts, Roles, RoleBindings,
NetworkPolicies, PodTemplates, Jobs and Vault policies and roles, each named for one agent of the judged phase
(<agent>-<phase>[-role]) and referring only to that agent's own objects; a foundation (--layer foundation) only
what the foundation plan renders. Any other kind is refused by name. Objects of an allowed kind that no rule
reads are counted as passed over. The phase-ceiling rule needs the stack's Pulumi config and runs only in the
policy pack (pulumi preview --policy-pack policy).

Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable input or bad arguments.`;

/** How the objects were judged, e.g. "phase shadow, env prod, layer phase". */
export function judgedAs(opts: CheckOptions, forStack?: string): string {
  const from = (given: string | undefined, strictest: string) =>
    given ?? (opts.trustLabels ? `from labels (else ${strictest})` : strictest);
  const as = forStack ? `as stack ${forStack}: ` : "";
  return `${as}phase ${from(opts.phase, STRICTEST_PHASE)}, env ${from(opts.env, "prod")}, layer ${opts.layer ?? "phase"}${opts.stack ? ", stack rules on" : ""}`;
}

function textReport(r: CheckResult, judged: string): string[] {
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
  lines.push(
    `${r.checked} object(s) checked (${judged}): ${mandatory} mandatory and ${r.violations.length - mandatory} advisory violation(s)`,
  );
  lines.push(
    over.length
      ? `passed over (no rule covers the kind): ${over.map(([k, n]) => `${k} ×${n}`).join(", ")}`
      : "passed over: none",
  );
  return lines;
}

/** The options of `--for-stack` read from the stack's file, or why they cannot be (exit 2). */
function resolve(parsed: Parsed): CheckOptions | string {
  if (parsed.forStack === undefined) return parsed.options;
  /* eslint-disable @typescript-eslint/no-require-imports -- the stack reader (zod, yaml) only for --for-stack */
  const { forStackOptions, ForStackError } = require("./for-stack") as typeof import("./for-stack");
  const { ConfigError } = require("../config/parse") as typeof import("../config/parse");
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    return forStackOptions(parsed.forStack, parsed.options);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ForStackError) return `--for-stack ${parsed.forStack}: ${e.message}`;
    throw e;
  }
}

/** The report in the chosen format, as one string (a report can run to many thousands of lines: one write). */
function report(result: CheckResult, parsed: Parsed, options: CheckOptions): string {
  const judged = judgedAs(options, parsed.forStack);
  /* eslint-disable @typescript-eslint/no-require-imports -- each format's module loaded only for that format */
  if (parsed.format === "sarif") {
    const { toSarif, rulesDocUri } = require("./sarif") as typeof import("./sarif");
    const { toolVersion } = require("../cli/version") as typeof import("../cli/version");
    const { PACKAGE_ROOT } = require("../package-root") as typeof import("../package-root");
    return JSON.stringify(
      toSarif(result, {
        paths: parsed.paths,
        toolVersion: toolVersion(),
        rulesDoc: rulesDocUri(process.env, PACKAGE_ROOT),
      }),
      null,
      2,
    );
  }
  if (parsed.format === "github" || parsed.format === "junit") {
    const { toGithub, toJunit } = require("./formats") as typeof import("./formats");
    const opts = { paths: parsed.paths, base: process.cwd(), judged };
    return parsed.format === "github" ? toGithub(result, opts).join("\n") : toJunit(result, opts);
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (parsed.format === "json") {
    const violations = result.violations.map(({ policy, enforcement, resource, message }) => ({
      policy,
      enforcement,
      resource,
      message,
    }));
    return JSON.stringify({ violations, errors: result.errors }, null, 2);
  }
  return textReport(result, judged).join("\n");
}

/** Runs `agent-trust check` with the arguments after `check`; returns the exit code. */
export function runCheckCli(argv: readonly string[], io: Io, stdin?: () => Buffer): number {
  const parsed = parseCheckArgs(argv);
  if (parsed === "help") {
    io.out(CHECK_HELP);
    return 0;
  }
  if (typeof parsed === "string") return io.fail(parsed);
  const options = resolve(parsed);
  if (typeof options === "string") return io.fail(options);
  const result = stdin ? check(parsed.paths, options, stdin) : check(parsed.paths, options);
  io.out(report(result, parsed, options));
  if (result.errors.length > 0) {
    for (const e of result.errors) io.err(`agent-trust: ${e}`);
    return io.fail(`${result.errors.length} input(s) could not be read; nothing was judged as passing`);
  }
  return hasMandatory(result) ? 1 : 0;
}
