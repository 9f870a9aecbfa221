/** Helpers for integration tests: running the sandbox commands as separate processes, as a user would, and waiting on the authorizer. */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import type { KubeConfig } from "@kubernetes/client-node";
import * as fs from "node:fs";
import * as path from "node:path";
import { kubeOk } from "../../src/sandbox/servers/kube";

export const ROOT = path.resolve(__dirname, "..", "..");

export interface Run {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (128 + n for a signal). */
  readonly exited: Promise<number>;
}

/** Runs `node --import tsx <script> args…` from the repository root. */
export function runTs(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number>((resolve) =>
    child.on("exit", (code, signal) =>
      resolve(code ?? 128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 9)),
    ),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** True while any process with this pid exists and has not exited (a zombie counts as exited). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/** Pids and the directory announced in the harness's progress lines. */
export function announced(stderr: string): { dir?: string; pids: Record<string, number> } {
  const dir = /certificates created in (\S+)/.exec(stderr)?.[1];
  const pids: Record<string, number> = {};
  for (const m of stderr.matchAll(/sandbox: (etcd|kube-apiserver|vault dev server) ready at \S+ \(pid (\d+)\)/g))
    pids[m[1]!] = Number(m[2]);
  return { ...(dir ? { dir } : {}), pids };
}

/**
 * Waits until a SubjectAccessReview for `user` answers `allowed` (the authorizer reads Roles from an informer
 * cache, so a change is seen a moment later); fails after 15 s naming the request.
 */
export async function untilSar(
  kc: KubeConfig,
  user: string,
  attributes: Record<string, string>,
  allowed: boolean,
): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const body = await kubeOk(kc, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user, resourceAttributes: attributes },
    });
    if ((body["status"] as { allowed?: boolean }).allowed === allowed) return;
    assert.ok(
      Date.now() < deadline,
      `SubjectAccessReview for ${user} ${JSON.stringify(attributes)} never became allowed=${allowed}`,
    );
    await new Promise((r) => setTimeout(r, 100));
  }
}
