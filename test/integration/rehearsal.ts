/**
 * Plays a GitHub Actions job the way the runner does, offline: each `run:` step through bash in the checkout, with
 * `${{ … }}` substituted, GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STEP_SUMMARY as fresh files per step, outputs and
 * env carried forward, `if:` evaluated; each `uses:` step by a stand-in the caller provides (an unknown action is
 * an error, so no step is silently skipped). Only the expression forms the workflows use are understood:
 * context paths, `==`/`!=` against a string literal, `contains(fromJSON(x), y)`, `always()`; anything else throws.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Job, Step } from "../helpers/workflows";

export type Context = Record<string, unknown>;

/** `npx agent-trust …` as the real CLI of the checkout, `node $GITHUB_WORKSPACE/bin/agent-trust.js` (nothing else is played). */
export const NPX_STUB = `#!/bin/bash\n[ "$1" = agent-trust ] || { echo "rehearsal npx: only agent-trust is played" >&2; exit 127; }\nshift\nexec node "$GITHUB_WORKSPACE/bin/agent-trust.js" "$@"\n`;

export interface StepRecord {
  readonly name: string;
  /** "ran", "stand-in: <what>", "skipped (if: …)". */
  readonly how: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface JobRun {
  readonly steps: StepRecord[];
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly failed: boolean;
}

/**
 * A `uses:` step's stand-in: returns what it did (shown in the step record), with an exit code when it fails, or
 * undefined when it has none.
 */
export type StandIn = (step: Step, env: Record<string, string>) => string | { how: string; code: number } | undefined;

function lookup(ctx: Context, expr: string): unknown {
  let v: unknown = ctx;
  for (const key of expr.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const str = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

export function evaluate(expr: string, ctx: Context): unknown {
  const e = expr.trim();
  if (e === "always()") return true;
  const cmp = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(e);
  if (cmp) return (str(lookup(ctx, cmp[1]!)) === cmp[3]) === (cmp[2] === "==");
  const contains = /^contains\(fromJSON\(([\w.-]+)\),\s*([\w.-]+)\)$/.exec(e);
  if (contains)
    return (JSON.parse(str(lookup(ctx, contains[1]!)) || "[]") as unknown[]).includes(lookup(ctx, contains[2]!));
  if (/^[a-z][\w-]*(\.[\w-]+)+$/.test(e)) return lookup(ctx, e);
  throw new Error(`rehearsal: unsupported expression \${{ ${e} }}`);
}

export const expand = (text: string, ctx: Context) =>
  text.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => str(evaluate(e, ctx)));

/** KEY=value lines and KEY<<DELIM … DELIM blocks, as the runner reads GITHUB_OUTPUT and GITHUB_ENV. */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`rehearsal: unterminated ${heredoc[1]}<<${heredoc[2]}`);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

/**
 * Runs `job` (one matrix cell when `matrix` is given) in `workspace`. `ctx` holds github, needs and vars; `env` is
 * the runner's environment (GITHUB_*, RUNNER_TEMP, PATH). Steps after a failed one run only with `if: always()`
 * (or a failure() condition, which this rehearsal treats as unsupported).
 */
export function runJob(
  job: Job,
  opts: {
    workspace: string;
    scratch: string;
    ctx: Context;
    env: Record<string, string>;
    standIns: StandIn;
    matrix?: Record<string, string>;
    installs: RegExp;
  },
): JobRun {
  const steps: StepRecord[] = [];
  const stepCtx: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
  const ctx: Context = { ...opts.ctx, matrix: opts.matrix ?? {}, steps: stepCtx };
  const jobEnv: Record<string, string> = { ...opts.env };
  for (const [k, v] of Object.entries(job.env ?? {})) jobEnv[k] = expand(String(v), ctx);
  let failed = false;
  let summary = "";
  job.steps.forEach((step, i) => {
    const name = step.name ?? step.run?.split("\n")[0] ?? step.uses ?? `step ${i}`;
    const cond = step.if ?? "";
    if ((failed && cond !== "always()") || (cond && !evaluate(cond, { ...ctx, env: jobEnv }))) {
      steps.push({ name, how: `skipped (if: ${cond || "success()"})`, code: 0, stdout: "", stderr: "" });
      if (step.id) stepCtx[step.id] = { outputs: {}, outcome: "skipped" };
      return;
    }
    const env = { ...jobEnv };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v), { ...ctx, env: jobEnv });
    if (step.uses !== undefined || opts.installs.test(step.run ?? "")) {
      const withs = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([k, v]) => [
          k,
          typeof v === "string" ? expand(v, { ...ctx, env: jobEnv }) : v,
        ]),
      );
      const how = opts.standIns({ ...step, with: withs }, env);
      if (how === undefined) throw new Error(`rehearsal: no stand-in for ${step.uses ?? step.run}`);
      const r = typeof how === "string" ? { how, code: 0 } : how;
      steps.push({ name, how: `stand-in: ${r.how}`, code: r.code, stdout: "", stderr: "" });
      if (step.id) stepCtx[step.id] = { outputs: {}, outcome: r.code === 0 ? "success" : "failure" };
      if (r.code !== 0) failed = true;
      return;
    }
    const files = Object.fromEntries(
      ["GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_PATH"].map((k) => [
        k,
        path.join(opts.scratch, `${i}-${k}`),
      ]),
    );
    for (const f of Object.values(files)) fs.writeFileSync(f, "");
    const script = path.join(opts.scratch, `${i}.sh`);
    fs.writeFileSync(script, expand(step.run ?? "", { ...ctx, env: jobEnv }));
    // The runner's default for `run:` on Linux: bash -e {0}.
    const r = spawnSync("bash", ["--noprofile", "--norc", "-e", script], {
      cwd: opts.workspace,
      env: { ...env, ...files },
      encoding: "utf8",
      maxBuffer: 64 << 20,
    });
    const code = r.status ?? 1;
    steps.push({ name, how: "ran", code, stdout: r.stdout, stderr: r.stderr });
    if (step.id)
      stepCtx[step.id] = {
        outputs: parseCommandFile(fs.readFileSync(files["GITHUB_OUTPUT"]!, "utf8")),
        outcome: code === 0 ? "success" : "failure",
      };
    Object.assign(jobEnv, parseCommandFile(fs.readFileSync(files["GITHUB_ENV"]!, "utf8")));
    summary += fs.readFileSync(files["GITHUB_STEP_SUMMARY"]!, "utf8");
    if (code !== 0) failed = true;
  });
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(job.outputs ?? {})) outputs[k] = expand(v, ctx);
  return { steps, outputs, summary, failed };
}
