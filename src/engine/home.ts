/**
 * The engine's private world inside a sandbox directory: its own PULUMI_HOME with the provider and policy-analyzer
 * plugins, a file backend, and the environment that keeps the CLI offline. Nothing is read from or written to the
 * user's ~/.pulumi.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../package-root";
import type { EngineBinaries } from "./binaries";

/** Plugin versions the npm packages ask the engine for (package.json). */
export const PLUGIN_VERSIONS = { kubernetes: "4.25.0", vault: "7.8.0", analyzer: "3.248.0" } as const;

export const ANALYZER_SCRIPT = path.join(PACKAGE_ROOT, "servers", "pulumi", "pulumi-analyzer-policy-nodejs");

/** The sandbox's stand-in Vault provider (src/engine/vault-standin.ts), used when no pulumi-resource-vault is installed. */
export const VAULT_STANDIN_SCRIPT = path.join(PACKAGE_ROOT, "servers", "pulumi", "pulumi-resource-vault-standin");

export interface EngineHome {
  /** Folder holding bin/pulumi (what PulumiCommand.get wants as its root). */
  readonly cliRoot: string;
  readonly pulumiHome: string;
  /** The file backend: every stack's state. */
  readonly backendDir: string;
  /** Where the workspace keeps Pulumi.yaml and the stacks' settings files. */
  readonly workDir: string;
  /**
   * TMPDIR of every engine process: the Kubernetes provider writes each kubeconfig it is given (the deployer's
   * client certificate) to a temporary file it never removes; here it goes with the sandbox, not into /tmp.
   */
  readonly tmpDir: string;
  readonly env: Record<string, string>;
}

export function engineDirs(dir: string): Omit<EngineHome, "env"> {
  const root = path.join(dir, "engine");
  return {
    cliRoot: path.join(root, "cli"),
    pulumiHome: path.join(root, "home"),
    backendDir: path.join(root, "state"),
    workDir: path.join(root, "work"),
    tmpDir: path.join(root, "tmp"),
  };
}

/** Environment of every CLI run: offline, private home, file backend, a passphrase for the sandbox's secrets. */
export function engineEnv(home: Omit<EngineHome, "env">, passphrase: string): Record<string, string> {
  return {
    PULUMI_HOME: home.pulumiHome,
    TMPDIR: home.tmpDir,
    PULUMI_BACKEND_URL: `file://${home.backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    // Only plugins installed into the private home count; a different provider version on PATH must not win.
    PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
  };
}

/**
 * Puts a plugin into the private plugin cache as `plugins/<kind>-<name>-v<version>/pulumi-<kind>-<name>`, a symlink
 * to the binary (the cache layout `pulumi plugin install --file` creates, without copying a 300 MB provider into
 * every sandbox). An entry already there is kept.
 */
function installPlugin(pluginsDir: string, kind: string, name: string, version: string, file: string): void {
  const dir = path.join(pluginsDir, `${kind}-${name}-v${version}`);
  const link = path.join(dir, `pulumi-${kind}-${name}`);
  if (fs.existsSync(link)) return;
  if (!fs.existsSync(file)) throw new Error(`plugin binary ${file} does not exist`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.symlinkSync(file, link);
}

/** The sandbox's stack-secrets passphrase: made once, kept (0600) in the sandbox folder, gone with it. */
export function enginePassphrase(dir: string): string {
  const file = path.join(dir, "engine", "passphrase");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = randomBytes(24).toString("hex");
  fs.writeFileSync(file, value + "\n", { mode: 0o600 });
  return value;
}

/**
 * Creates (or reuses) the engine folders under `dir` and installs the plugins. The passphrase protects the
 * stack secrets in the sandbox's state files; it is stored only in the sandbox's own state.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- callers await it; a failure must stay a rejection, not a synchronous throw
export async function prepareEngineHome(
  dir: string,
  binaries: EngineBinaries,
  passphrase: string,
): Promise<EngineHome> {
  const dirs = engineDirs(dir);
  for (const d of [path.join(dirs.cliRoot, "bin"), dirs.pulumiHome, dirs.backendDir, dirs.workDir, dirs.tmpDir])
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const link = path.join(dirs.cliRoot, "bin", "pulumi");
  if (!fs.existsSync(link)) fs.symlinkSync(binaries.pulumi, link);
  const env = engineEnv(dirs, passphrase);
  const plugins = path.join(dirs.pulumiHome, "plugins");
  installPlugin(plugins, "resource", "kubernetes", PLUGIN_VERSIONS.kubernetes, binaries.kubernetes);
  installPlugin(plugins, "resource", "vault", PLUGIN_VERSIONS.vault, binaries.vault ?? VAULT_STANDIN_SCRIPT);
  installPlugin(plugins, "analyzer", "policy-nodejs", PLUGIN_VERSIONS.analyzer, ANALYZER_SCRIPT);
  return { ...dirs, env };
}
