/**
 * A stack's settings file for the engine's workspace: the project's own stack file (stacks/Pulumi.<stack>.yaml),
 * with the sandbox departures: the one the rendered deployment makes too (Vault's Kubernetes auth points at the local
 * API server and its CA), the foundation's cluster (agent-trust:cluster.server is the local API server, so the
 * program's cluster check passes against the sandbox's kubeconfig) and that kubeconfig (kubernetes:kubeconfig: the
 * inline program runs in this process, so the engine's KUBECONFIG would not reach it), plus an optional edit (a test's or a user's what-if). The passphrase salt the engine wrote
 * earlier is kept, so the stack's secrets stay readable.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { stackConfigDir } from "../config/stacks";

export type ConfigMap = Record<string, unknown>;

export interface SandboxOverrides {
  readonly apiserverUrl: string;
  readonly caPem: string;
  /** The kubeconfig every stack's Kubernetes provider uses (kubernetes:kubeconfig); left unset when absent. */
  readonly kubeconfig?: string;
}

function readYaml(file: string): Record<string, unknown> {
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as unknown;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new Error(`${file}: not a YAML mapping`);
  return doc as Record<string, unknown>;
}

/** The stack file's `config` with the sandbox overrides applied (pure apart from reading the file). */
export function sandboxStackConfig(root: string, stack: string, overrides: SandboxOverrides): ConfigMap {
  const file = path.join(stackConfigDir(root), `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`no stack file for stack "${stack}" (${file})`);
  const config = { ...((readYaml(file).config ?? {}) as ConfigMap) };
  if (config["agent-trust:layer"] === "foundation") {
    const vault = config["agent-trust:vault"];
    if (typeof vault !== "object" || vault === null) throw new Error(`${file}: agent-trust:vault must be a mapping`);
    config["agent-trust:vault"] = {
      ...vault,
      kubernetesHost: overrides.apiserverUrl,
      kubernetesCaCert: overrides.caPem,
    };
    // The sandbox's kubeconfig uses its current context; a context named in the stack file would not be in it.
    config["agent-trust:cluster"] = { server: overrides.apiserverUrl };
  }
  if (overrides.kubeconfig) config["kubernetes:kubeconfig"] = overrides.kubeconfig;
  return config;
}

/** Writes workDir/Pulumi.<stack>.yaml with `config`, keeping the engine's encryption salt and secure values. */
export function writeStackSettings(workDir: string, stack: string, config: ConfigMap): string {
  const file = path.join(workDir, `Pulumi.${stack}.yaml`);
  const previous = fs.existsSync(file) ? readYaml(file) : {};
  const keep = (previous.config ?? {}) as ConfigMap;
  const secure = Object.fromEntries(
    Object.entries(keep).filter(([, v]) => typeof v === "object" && v !== null && "secure" in v),
  );
  const doc: Record<string, unknown> = {};
  if (previous.encryptionsalt) doc.encryptionsalt = previous.encryptionsalt;
  doc.config = { ...config, ...secure };
  fs.writeFileSync(file, stringify(doc), { mode: 0o600 });
  return file;
}

/**
 * A copy of the administrator's kubeconfig that impersonates `user` (kubeconfig `as:`): the engine applies the stacks
 * as the foundation's deployer identity, as `pulumi up` in CI would, since the admission policies let no one else
 * (system:masters included) bind an agent.
 */
export function writeDeployerKubeconfig(adminFile: string, user: string, outFile: string): string {
  const doc = readYaml(adminFile);
  const users = Array.isArray(doc.users) ? (doc.users as Record<string, unknown>[]) : [];
  if (users.length === 0) throw new Error(`${adminFile}: no users to impersonate ${user} with`);
  doc.users = users.map((u) => ({ ...u, user: { ...((u.user ?? {}) as Record<string, unknown>), as: user } }));
  fs.writeFileSync(outFile, stringify(doc), { mode: 0o600 });
  return outFile;
}
