/**
 * Finds the server binaries through `scripts/servers.sh` (explicit env vars, KUBEBUILDER_ASSETS, PATH, then the
 * per-version cache; building from the Go module proxy when allowed). Build progress goes to our stderr.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../../package-root";

export const SERVER_NAMES = ["etcd", "kube-apiserver", "vault"] as const;
export type ServerName = (typeof SERVER_NAMES)[number];
export type Binaries = Record<ServerName, string>;
/** Not servers, but built and found the same way for the verification: cyclonus judges the network layer. */
export const TOOL_NAMES = ["cyclonus"] as const;

/** Parses `NAME=/abs/path` lines; throws unless every server is named exactly once with an absolute path. */
export function parseEnsureOutput(stdout: string): Binaries {
  const found = new Map<string, string>();
  for (const line of stdout.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)=(.+)$/.exec(line);
    if (!m) throw new Error(`unexpected line from servers.sh: "${line}"`);
    if (found.has(m[1]!)) throw new Error(`servers.sh named ${m[1]} twice`);
    if (!path.isAbsolute(m[2]!)) throw new Error(`servers.sh gave a relative path for ${m[1]}: ${m[2]}`);
    found.set(m[1]!, m[2]!);
  }
  const missing = SERVER_NAMES.filter((n) => !found.has(n));
  if (missing.length > 0) throw new Error(`servers.sh did not report: ${missing.join(", ")}`);
  return Object.fromEntries(SERVER_NAMES.map((n) => [n, found.get(n)!])) as Binaries;
}

export interface ResolveOptions {
  /** Build missing binaries (can take tens of minutes on a cold cache); otherwise fail fast. */
  readonly build: boolean;
  /** Receives servers.sh progress lines. */
  readonly log: (line: string) => void;
  readonly root?: string;
}

/** Runs a bash script, passing its stderr lines to `log` as they come; resolves with its exit code and stdout. */
export function runScript(script: string, args: string[], log: (l: string) => void): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let pending = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      lines.filter(Boolean).forEach(log);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (pending) log(pending);
      resolve({ code: code ?? 1, stdout });
    });
  });
}

export async function resolveBinaries(opts: ResolveOptions): Promise<Binaries> {
  const script = path.join(opts.root ?? PACKAGE_ROOT, "scripts", "servers.sh");
  if (opts.build) {
    const { code, stdout } = await runScript(script, ["ensure", ...SERVER_NAMES, ...TOOL_NAMES], opts.log);
    if (code !== 0) throw new Error(`scripts/servers.sh ensure failed (exit ${code}); see the messages above`);
    const tools = new Set<string>(TOOL_NAMES);
    return parseEnsureOutput(stdout.split("\n").filter((l) => !tools.has(l.split("=")[0]!)).join("\n"));
  }
  const lines: string[] = [];
  for (const name of SERVER_NAMES) {
    const { code, stdout } = await runScript(script, ["path", name], opts.log);
    if (code !== 0) throw new Error(`${name} is not built yet; run scripts/servers.sh ensure (or npm run demo, which builds it)`);
    lines.push(`${name}=${stdout.trim()}`);
  }
  return parseEnsureOutput(lines.join("\n"));
}
