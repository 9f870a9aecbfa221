/**
 * Finds the offline Pulumi engine through `scripts/engine.sh` (explicit env vars, the Pulumi plugin cache, PATH,
 * then the per-version cache; building the CLI and the Kubernetes provider from the Go module proxy when allowed).
 * The Vault provider is optional: it is never built unless AGENT_TRUST_PULUMI_VAULT_SRC names its source.
 */
import * as path from "node:path";
import { PACKAGE_ROOT } from "../package-root";
import { runScript } from "../sandbox/servers/binaries";

export interface EngineBinaries {
  readonly pulumi: string;
  readonly kubernetes: string;
  /** Absent when no Vault provider plugin is installed: the sandbox's stand-in provider then takes its place. */
  readonly vault?: string;
}

/** scripts/engine.sh with `args` (its stdout trimmed). */
async function run(args: string[], log: (l: string) => void): Promise<{ code: number; stdout: string }> {
  const r = await runScript(path.join(PACKAGE_ROOT, "scripts", "engine.sh"), args, log);
  return { code: r.code, stdout: r.stdout.trim() };
}

async function find(name: string, build: boolean, log: (l: string) => void): Promise<string | undefined> {
  const { code, stdout } = await run([build ? "ensure" : "path", name], log);
  if (code !== 0) return undefined;
  const value = build
    ? stdout
        .split("\n")
        .find((l) => l.startsWith(`${name}=`))
        ?.slice(name.length + 1)
    : stdout;
  if (!value || !path.isAbsolute(value))
    throw new Error(`scripts/engine.sh gave no absolute path for ${name}: "${stdout}"`);
  return value;
}

/**
 * The engine's binaries. With `build`, missing ones are built (tens of minutes the first time); without it a
 * missing CLI or Kubernetes provider is an error naming the command that builds it.
 */
export async function resolveEngineBinaries(opts: {
  build: boolean;
  log: (l: string) => void;
}): Promise<EngineBinaries> {
  const pulumi = await find("pulumi", opts.build, opts.log);
  const kubernetes = await find("pulumi-resource-kubernetes", opts.build, opts.log);
  if (!pulumi || !kubernetes) {
    throw new Error(
      "the Pulumi engine is not built yet; run scripts/servers.sh ensure pulumi pulumi-resource-kubernetes",
    );
  }
  const vaultBuild = opts.build && !!process.env.AGENT_TRUST_PULUMI_VAULT_SRC;
  const vault = await find("pulumi-resource-vault", vaultBuild, () => undefined);
  return vault ? { pulumi, kubernetes, vault } : { pulumi, kubernetes };
}

/** True when the CLI and the Kubernetes provider are present (nothing is built). */
export async function engineAvailable(): Promise<boolean> {
  const quiet = () => undefined;
  return !!(await find("pulumi", false, quiet)) && !!(await find("pulumi-resource-kubernetes", false, quiet));
}
