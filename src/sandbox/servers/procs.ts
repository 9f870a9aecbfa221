/**
 * Server processes: each runs in its own process group (so one signal reaches everything it forks), logs to a
 * file, and is stopped by group. Works both for a parent that waits (demo, tests) and for `sandbox down`, which
 * stops processes a previous command started.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly bin: string;
  readonly logFile: string;
}

export interface SpawnOptions {
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export interface Running extends ServerProcess {
  /** Set once the process has exited (only known to the process that started it). */
  exitCode(): number | null | undefined;
}

export function startServer(name: string, bin: string, args: string[], opts: SpawnOptions): Running {
  const fd = fs.openSync(opts.logFile, "a", 0o600);
  let exited: number | null | undefined;
  try {
    const child = spawn(bin, args, {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    if (child.pid === undefined) throw new Error(`could not start ${name} (${bin})`);
    child.on("exit", (code, signal) => (exited = code ?? (signal ? -1 : null)));
    child.on("error", () => (exited = -1));
    // The parent must be free to exit (sandbox up); stopping is explicit, by process group.
    child.unref();
    return { name, pid: child.pid, bin, logFile: opts.logFile, exitCode: () => exited };
  } finally {
    fs.closeSync(fd);
  }
}

/** A zombie has exited and only waits to be reaped; it holds no ports or files. */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/**
 * True when `pid` is still the server we started (not a recycled pid): its executable is the recorded binary.
 * Linux-only check through /proc; elsewhere it falls back to "the group exists".
 */
export function isOurs(p: ServerProcess): boolean {
  if (!groupAlive(p.pid)) return false;
  if (!fs.existsSync("/proc/self/exe")) return true;
  let exe: string;
  try {
    exe = fs.readlinkSync(`/proc/${p.pid}/exe`).replace(/ \(deleted\)$/, "");
  } catch {
    return false;
  }
  let bin = p.bin;
  try {
    bin = fs.realpathSync(p.bin);
  } catch {
    /* the binary was replaced since; compare the recorded path */
  }
  return exe === bin || exe === p.bin;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the group is gone. */
export async function stopServer(p: ServerProcess, graceMs = 5000): Promise<void> {
  if (!isOurs(p)) return;
  signalGroup(p.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupAlive(p.pid) && Date.now() < deadline) await sleep(50);
  if (groupAlive(p.pid)) {
    signalGroup(p.pid, "SIGKILL");
    const hard = Date.now() + 5000;
    while (groupAlive(p.pid) && Date.now() < hard) await sleep(50);
  }
  if (groupAlive(p.pid)) throw new Error(`${p.name} (pid ${p.pid}) did not stop`);
}

/** For `process.on("exit")`, where nothing asynchronous runs: SIGKILL the group at once. */
export function killServerSync(p: ServerProcess): void {
  if (!isOurs(p)) return;
  signalGroup(p.pid, "SIGKILL");
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 3000;
  while (groupAlive(p.pid) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 20);
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => {
        if (typeof addr === "object" && addr) resolve(addr.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** Last lines of a server's log, for error messages. */
export function logTail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Polls `probe` until it resolves true. Fails early, with the log tail, if the process exits first.
 */
export async function waitHealthy(p: Running, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const code = p.exitCode();
    if (code !== undefined) throw new Error(`${p.name} exited (code ${code}) before becoming healthy; log ${p.logFile}:\n${logTail(p.logFile)}`);
    try {
      if (await probe()) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${p.name} not healthy after ${timeoutMs / 1000}s; log ${p.logFile}:\n${logTail(p.logFile)}`);
    await sleep(150);
  }
}
