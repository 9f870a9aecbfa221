/**
 * Starts etcd, kube-apiserver and the Vault-compatible dev server on loopback, in that order, each waited for
 * until healthy, and stops them again. Everything a run creates lives under one directory.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { stringify } from "yaml";
import type { Binaries } from "./binaries";
import { apiserverArgs, etcdArgs, vaultArgs } from "./flags";
import { kubeconfigYaml } from "./kubeconfig";
import { createPki, type Pki } from "./pki";
import { freePort, killServerSync, startServer, stopServer, waitHealthy, type ServerProcess } from "./procs";

/** What a running sandbox is: enough to reach it, and to stop it from another process (`sandbox down`). */
export interface SandboxInfo {
  readonly dir: string;
  readonly apiserverUrl: string;
  readonly vaultAddr: string;
  readonly vaultToken: string;
  readonly kubeconfig: string;
  readonly pki: Pki;
  readonly auditLog: string;
  /** In start order; stopped in reverse. */
  readonly processes: ServerProcess[];
}

export interface StartOptions {
  readonly dir: string;
  readonly binaries: Binaries;
  /** The environment's rendered audit policy (`renderStack("dev").auditPolicy`). */
  readonly auditPolicy: Record<string, unknown>;
  /** Default namespace of the kubeconfig context. */
  readonly namespace: string;
  readonly log: (line: string) => void;
  /**
   * Caller-owned list each server is added to the moment it is spawned, so a signal handler installed before
   * start-up can stop servers of a start-up it interrupts.
   */
  readonly processes?: ServerProcess[];
}

function httpsOk(url: string, pki: Pki): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(
      url,
      {
        ca: fs.readFileSync(pki.caCert),
        cert: fs.readFileSync(pki.adminCert),
        key: fs.readFileSync(pki.adminKey),
        timeout: 2000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => { resolve(false); });
    req.on("timeout", () => req.destroy());
  });
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 200;
}

/** Starts the three servers. On any failure, whatever already started is stopped before the error propagates. */
export async function startServers(o: StartOptions): Promise<SandboxInfo> {
  const dir = path.resolve(o.dir);
  const logs = path.join(dir, "logs");
  fs.mkdirSync(logs, { recursive: true, mode: 0o700 });
  const processes: ServerProcess[] = o.processes ?? [];
  const started = Date.now();
  const step = (msg: string) => { o.log(`sandbox: ${msg} (+${((Date.now() - started) / 1000).toFixed(1)}s)`); };
  try {
    const pki = createPki(path.join(dir, "pki"));
    step(`certificates created in ${dir}`);

    const [clientPort, peerPort, apiPort, vaultPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const etcd = startServer("etcd", o.binaries.etcd, etcdArgs({ dataDir: path.join(dir, "etcd"), clientPort, peerPort }), {
      logFile: path.join(logs, "etcd.log"),
      cwd: dir,
      // etcd reads ETCD_* variables as flags; a user's own must not reconfigure the sandbox's.
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ETCD_"))),
    });
    processes.push(etcd);
    await waitHealthy(etcd, () => httpOk(`${etcdUrl}/health`), 30_000);
    step(`etcd ready at ${etcdUrl} (pid ${etcd.pid})`);

    const auditPolicyFile = path.join(dir, "audit-policy.yaml");
    fs.writeFileSync(auditPolicyFile, stringify(o.auditPolicy));
    const auditLog = path.join(logs, "audit.log");
    const apiserverUrl = `https://127.0.0.1:${apiPort}`;
    const args = apiserverArgs({ port: apiPort, etcdUrl, pki, auditPolicyFile, auditLogPath: auditLog });
    const api = startServer("kube-apiserver", o.binaries["kube-apiserver"], args, {
      logFile: path.join(logs, "kube-apiserver.log"),
      cwd: dir,
    });
    processes.push(api);
    // /readyz waits for the post-start hooks, among them the bootstrap ClusterRoles (system:auth-delegator).
    await waitHealthy(api, () => httpsOk(`${apiserverUrl}/readyz`, pki), 90_000);
    step(`kube-apiserver ready at ${apiserverUrl} (pid ${api.pid})`);

    const vaultToken = crypto.randomBytes(24).toString("hex");
    const vaultAddr = `http://127.0.0.1:${vaultPort}`;
    const vault = startServer("vault", o.binaries.vault, vaultArgs({ port: vaultPort, rootToken: vaultToken }), {
      logFile: path.join(logs, "vault.log"),
      cwd: dir,
      // Keep the dev server from reading a user's own Vault settings or writing a token helper file.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
    });
    processes.push(vault);
    await waitHealthy(vault, () => httpOk(`${vaultAddr}/v1/sys/health`), 30_000);
    step(`vault dev server ready at ${vaultAddr} (pid ${vault.pid})`);

    const kubeconfig = path.join(dir, "kubeconfig");
    const pem = (f: string) => fs.readFileSync(f, "utf8");
    fs.writeFileSync(
      kubeconfig,
      kubeconfigYaml({
        server: apiserverUrl,
        caPem: pem(pki.caCert),
        clientCertPem: pem(pki.adminCert),
        clientKeyPem: pem(pki.adminKey),
        namespace: o.namespace,
      }),
      { mode: 0o600 },
    );
    return { dir, apiserverUrl, vaultAddr, vaultToken, kubeconfig, pki, auditLog, processes };
  } catch (e) {
    for (const p of [...processes].reverse()) await stopServer(p).catch(() => undefined);
    throw e;
  }
}

/** Stops every server (reverse start order) and removes the sandbox directory. */
export async function stopServers(info: Pick<SandboxInfo, "dir" | "processes">): Promise<void> {
  const errors: string[] = [];
  for (const p of [...info.processes].reverse()) {
    await stopServer(p).catch((e: unknown) => errors.push((e as Error).message));
  }
  fs.rmSync(info.dir, { recursive: true, force: true });
  if (errors.length > 0) throw new Error(errors.join("; "));
}

/** Synchronous last resort for `process.on("exit")`. */
export function stopServersSync(info: Pick<SandboxInfo, "dir" | "processes">): void {
  for (const p of [...info.processes].reverse()) killServerSync(p);
  fs.rmSync(info.dir, { recursive: true, force: true });
}
