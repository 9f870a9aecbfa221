/**
 * Prints a measured run the way `npm run demo` and `sandbox verify` show it: the one-screen summary on stdout,
 * the full text matrix to `--matrix FILE` (or `-`: stdout, after the screen) and the HTML report to
 * `--html FILE`; without the flags both go to `defaultDir`, printed on the screen.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Io } from "../../cli/io";
import type { Environment, Phase } from "../../model/phases";
import { PHASES } from "../../model/phases";
import type { SandboxEnvironment } from "../deploy/environment";
import { formatReport } from "./report";
import { renderHtmlReport } from "./report-html";
import { summarize } from "./results";
import { formatSummary, type Deployed, type ReportFiles, type RunReport } from "./summary";

/** The options both commands take (for parseCommandArgs). */
export const REPORT_OPTIONS = {
  matrix: { type: "string", needs: "a file (or - for stdout)" },
  html: { type: "string", needs: "a file" },
} as const;

export const REPORT_USAGE = `  --matrix FILE  write the full measured matrix (text) to FILE; - prints it after the summary
  --html FILE    write the HTML report (agents × phases per layer, mismatches in red) to FILE`;

/** What a sandbox of `env` holds once deployed, `by` whom. */
export function deployedOf(
  env: SandboxEnvironment,
  by: string,
  counts?: { kubernetes: number; vault: number },
): Deployed {
  const stacks = [env.foundation.stack, ...PHASES.map((p) => env.phases[p].stack)];
  const agents = Object.fromEntries(PHASES.map((p) => [p, env.agents[p].map((a) => a.name)])) as Record<
    Phase,
    string[]
  >;
  const environment: Environment = env.environment;
  return { environment, stacks, agents, by, ...(counts ?? {}) };
}

/** The files to write: the flags, else `matrix.txt` and `report.html` in `defaultDir` (created when needed). */
export function reportFiles(
  values: { matrix?: string | undefined; html?: string | undefined },
  defaultDir: () => string,
): ReportFiles {
  if (values.matrix !== undefined && values.html !== undefined) return { matrix: values.matrix, html: values.html };
  const dir = defaultDir();
  return { matrix: values.matrix ?? path.join(dir, "matrix.txt"), html: values.html ?? path.join(dir, "report.html") };
}

/**
 * Why a named file could not be written (its folder is created when missing), checked before anything is
 * measured so a mistyped path fails in a second rather than after the run; undefined when both can be.
 */
export function unwritable(files: { matrix?: string | undefined; html?: string | undefined }): string | undefined {
  for (const [flag, file] of [
    ["--matrix", files.matrix],
    ["--html", files.html],
  ] as const) {
    if (file === undefined || file === "-") continue;
    try {
      const dir = path.dirname(path.resolve(file));
      fs.mkdirSync(dir, { recursive: true });
      fs.accessSync(fs.existsSync(file) ? file : dir, fs.constants.W_OK);
      if (fs.existsSync(file) && fs.statSync(file).isDirectory()) return `${flag} ${file} is a directory`;
    } catch (e) {
      return `cannot write ${flag} ${file}: ${(e as Error).message}`;
    }
  }
  return undefined;
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Writes the files, prints the screen (and the matrix for `--matrix -`); returns the exit code: 1 on any mismatch. */
export function emitReport(io: Io, run: RunReport, files: ReportFiles): number {
  const text = `${formatReport(run.results)}\n`;
  if (files.matrix !== "-") write(files.matrix, text);
  write(files.html, renderHtmlReport(run));
  for (const line of formatSummary(run, files)) io.out(line);
  if (files.matrix === "-") io.out(text);
  return summarize(run.results).mismatches === 0 ? 0 : 1;
}
