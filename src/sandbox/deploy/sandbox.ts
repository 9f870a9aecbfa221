/**
 * A sandbox: the three servers of `servers.ts` plus the environment deployed into them. The object a test,
 * the demo and `sandbox up` hold; `stop()` leaves no process or directory behind.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Environment } from "../../model/phases";
import { resolveBinaries } from "../servers/binaries";
import { deployKubernetes } from "./deploy-kube";
import { deployVault } from "./deploy-vault";
import { loadEnvironment, type SandboxEnvironment } from "./environment";
import { adminKubeConfig } from "../servers/kube";
import type { ServerProcess } from "../servers/procs";
import { startServers, stopServers, stopServersSync, type SandboxInfo } from "../servers/servers";
import { VaultHttp } from "../servers/vault-http";

export interface Sandbox extends SandboxInfo {
  readonly env: SandboxEnvironment;
  readonly kc: KubeConfig;
  /** Vault as its root (the administrator); agents get their own clients by logging in. */
  readonly vault: VaultHttp;
  stop(): Promise<void>;
  /** Lets the servers outlive this process (`sandbox up`): removes the exit and signal handlers. */
  detach(): void;
}

export interface SandboxOptions {
  /** Where everything lives; a new temporary directory when absent. Removed by stop(). */
  readonly dir?: string;
  /** Build missing server binaries from source (slow the first time) instead of failing. */
  readonly build: boolean;
  readonly environment?: Environment;
  readonly log: (line: string) => void;
}

/** Starts the servers (not yet deployed). Installs exit and signal handlers that stop them if we die first. */
export async function startSandbox(o: SandboxOptions): Promise<Sandbox> {
  const env = loadEnvironment(o.environment ?? "dev");
  const binaries = await resolveBinaries({ build: o.build, log: o.log });
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-sandbox-"));
  // Guard first: Ctrl-C in the middle of start-up must stop the servers already spawned.
  const tracker = { dir, processes: [] as ServerProcess[] };
  const release = guard(tracker);
  let info: SandboxInfo;
  try {
    info = await startServers({
      dir,
      binaries,
      auditPolicy: env.foundation.auditPolicy,
      namespace: env.namespace,
      log: o.log,
      processes: tracker.processes,
    });
  } catch (e) {
    release();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let stopped = false;
  return {
    ...info,
    env,
    kc: adminKubeConfig(info.kubeconfig),
    vault: new VaultHttp(info.vaultAddr, info.vaultToken),
    async stop() {
      if (stopped) return;
      stopped = true;
      release();
      await stopServers(info);
    },
    detach() {
      stopped = true;
      release();
    },
  };
}

/** Deploys the environment's stacks into a started sandbox; returns how many objects were applied. */
export async function deploySandbox(
  sb: Sandbox,
  reviewerTokenSeconds: number,
): Promise<{ kubernetes: number; vault: number }> {
  const kube = await deployKubernetes(sb.kc, sb.env, reviewerTokenSeconds);
  const vault = await deployVault(sb.vault, sb.env, {
    apiserverUrl: sb.apiserverUrl,
    caPem: fs.readFileSync(sb.pki.caCert, "utf8"),
    reviewerToken: kube.reviewerToken,
  });
  return { kubernetes: kube.applied, vault };
}

/**
 * Stops the servers if this process exits or is interrupted before stop() runs. Returns the uninstaller.
 * Not used by `sandbox up`, whose servers must outlive it.
 */
export function guard(info: Pick<SandboxInfo, "dir" | "processes">): () => void {
  const onExit = () => {
    stopServersSync(info);
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`sandbox: ${signal}: stopping the servers\n`);
    stopServers(info)
      .catch(() => undefined)
      .finally(() => {
        // Also whatever an interrupted start-up spawned while we were stopping the others.
        stopServersSync(info);
        process.exit(signal === "SIGINT" ? 130 : 143);
      });
  };
  process.on("exit", onExit);
  // `on`, not `once`: the Automation API's child-process library (execa, through signal-exit) re-raises a signal
  // as soon as it is the only listener left, which would kill us before the servers are stopped.
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("exit", onExit);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
