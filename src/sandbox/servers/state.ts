/**
 * The record `sandbox up` leaves for `sandbox down` and `status`: where the sandbox lives and which process
 * groups are its servers. One sandbox per user (per state directory).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import type { SandboxInfo } from "./servers";

/** `$AGENT_TRUST_SANDBOX_DIR`, else `${XDG_STATE_HOME:-~/.local/state}/agent-trust/sandbox`. */
export function sandboxDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AGENT_TRUST_SANDBOX_DIR) return path.resolve(env.AGENT_TRUST_SANDBOX_DIR);
  // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- an empty XDG_STATE_HOME or HOME counts as unset (XDG spec)
  const state = env.XDG_STATE_HOME || path.join(env.HOME || os.homedir(), ".local", "state");
  return path.join(state, "agent-trust", "sandbox");
}

const processSchema = z.strictObject({ name: z.string(), pid: z.number().int().positive(), bin: z.string(), logFile: z.string() });
const stateSchema = z.strictObject({
  version: z.literal(1),
  createdAt: z.string(),
  environment: z.string(),
  dir: z.string(),
  apiserverUrl: z.string(),
  vaultAddr: z.string(),
  vaultToken: z.string(),
  kubeconfig: z.string(),
  auditLog: z.string(),
  processes: z.array(processSchema),
  /** The approval proxy `up` started beside the servers, when the foundation runs one. */
  approvalProxyUrl: z.string().optional(),
});
export type SandboxState = z.infer<typeof stateSchema>;

export const stateFile = (dir: string) => path.join(dir, "state.json");

export function toState(
  info: SandboxInfo,
  environment: string,
  now = new Date(),
  approvalProxyUrl?: string,
): SandboxState {
  return {
    version: 1,
    createdAt: now.toISOString(),
    environment,
    dir: info.dir,
    apiserverUrl: info.apiserverUrl,
    vaultAddr: info.vaultAddr,
    vaultToken: info.vaultToken,
    kubeconfig: info.kubeconfig,
    auditLog: info.auditLog,
    processes: info.processes.map(({ name, pid, bin, logFile }) => ({ name, pid, bin, logFile })),
    ...(approvalProxyUrl ? { approvalProxyUrl } : {}),
  };
}

export function writeState(state: SandboxState): void {
  const file = stateFile(state.dir);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/** The recorded state, undefined if there is none; throws on a file that is not ours. */
export function readState(dir: string): SandboxState | undefined {
  const file = stateFile(dir);
  if (!fs.existsSync(file)) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not an agent-trust sandbox state file: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** Lines a POSIX shell can `eval`. */
export function exportLines(s: Pick<SandboxState, "kubeconfig" | "vaultAddr" | "vaultToken">): string[] {
  return [`export KUBECONFIG=${quote(s.kubeconfig)}`, `export VAULT_ADDR=${quote(s.vaultAddr)}`, `export VAULT_TOKEN=${quote(s.vaultToken)}`];
}
