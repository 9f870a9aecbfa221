/**
 * The approval proxy in the sandbox: the foundation's proxy identity (its ServiceAccount, RBAC and admission
 * parameters are deployed with the foundation), served on 127.0.0.1 with the sandbox API server's own certificate
 * so one CA covers both; and kubeconfigs of an agent's identity pointed at it. The sandbox has no kubelet: the
 * foundation's proxy Deployment is stored but never runs, so the proxy runs here, in-process (tests, verify,
 * demo) or as a local process beside the servers (`sandbox up`).
 */
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { startApprovalProxy, type RunningProxy } from "../../approval/proxy";
import type { LogSink } from "../../approval/proxy/context";
import type { ScaleBounds } from "../../model/approval";
import { agentServiceAccount, FOUNDATION_NAMES } from "../../model/naming";
import type { Phase } from "../../model/phases";
import { PACKAGE_ROOT } from "../../package-root";
import type { Pki } from "../servers/pki";
import { freePort, startServer, waitHealthy, type ServerProcess } from "../servers/procs";
import { requestToken } from "../servers/tokens";
import type { SandboxEnvironment } from "./environment";
import { waitCrdServed } from "./observability-crd";

/** What the sandbox proxy needs of a sandbox. */
export interface ProxySandbox {
  readonly kc: KubeConfig;
  readonly env: SandboxEnvironment;
  readonly apiserverUrl: string;
  readonly pki: Pick<Pki, "caCert" | "servingCert" | "servingKey">;
}

/** The foundation's approval settings, or a clear error when the environment runs no proxy. */
export function approvalSettings(env: SandboxEnvironment): { holdSeconds: number; bounds: ScaleBounds } {
  const approval = env.foundation.config.approval;
  if (!approval)
    throw new Error(
      `the ${env.environment} foundation configures no approval proxy (agent-trust:approval); nothing to start`,
    );
  return { holdSeconds: approval.holdSeconds, bounds: env.foundation.config.admission.scale };
}

/** Waits until the API server serves the foundation's ApprovalReview kind (the proxy lists reviews as it starts). */
async function reviewsServed(sb: ProxySandbox): Promise<void> {
  for (const crd of sb.env.foundation.kubernetes.filter((m) => m.kind === "CustomResourceDefinition"))
    await waitCrdServed(sb.kc, crd);
}

/** A token of the proxy's own ServiceAccount: what the proxy calls the API server with (TokenReview, reviews). */
export function proxyToken(sb: ProxySandbox, seconds: number): Promise<string> {
  return requestToken(sb.kc, sb.env.namespace, FOUNDATION_NAMES.approvalProxy, undefined, seconds);
}

/** Starts the proxy in this process as the foundation's proxy identity; `holdSeconds` overrides the config's. */
export async function startSandboxProxy(
  sb: ProxySandbox,
  o: { holdSeconds?: number; log?: LogSink } = {},
): Promise<RunningProxy> {
  const settings = approvalSettings(sb.env);
  await reviewsServed(sb);
  const token = await proxyToken(sb, 3600);
  const pem = (f: string) => fs.readFileSync(f, "utf8");
  return startApprovalProxy({
    upstream: { server: sb.apiserverUrl, caPem: pem(sb.pki.caCert), credentials: () => token },
    namespace: sb.env.namespace,
    holdSeconds: o.holdSeconds ?? settings.holdSeconds,
    bounds: settings.bounds,
    listen: { host: "127.0.0.1", port: 0 },
    tls: { certPem: pem(sb.pki.servingCert), keyPem: pem(sb.pki.servingKey) },
    ...(o.log ? { log: o.log } : {}),
  });
}

/** A kubeconfig (YAML) with a token user, e.g. an agent's identity pointed at the proxy. */
export function tokenKubeconfigYaml(o: {
  server: string;
  caPem: string;
  token: string;
  name: string;
  namespace?: string;
}): string {
  const ca = Buffer.from(o.caPem, "utf8").toString("base64");
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: o.name, cluster: { server: o.server, "certificate-authority-data": ca } }],
      users: [{ name: o.name, user: { token: o.token } }],
      contexts: [
        {
          name: o.name,
          context: { cluster: o.name, user: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) },
        },
      ],
      "current-context": o.name,
    },
    { lineWidth: 0 },
  );
}

/** A client with a token user against `server` (the proxy or the API server), trusting `caPem`. */
export function tokenClient(server: string, caPem: string, token: string, name: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(tokenKubeconfigYaml({ server, caPem, token, name }));
  return kc;
}

/**
 * A kubeconfig of `agent` in `phase` pointed at `server` (the proxy): a TokenRequest token of the agent's own
 * ServiceAccount for the API server's audience, as its Job's projected token would be. Refuses an agent the
 * environment does not deploy in that phase.
 */
export async function agentKubeconfig(
  sb: Pick<ProxySandbox, "kc" | "env"> & { pki: Pick<Pki, "caCert"> },
  agent: string,
  phase: Phase,
  server: string,
  seconds = 3600,
): Promise<string> {
  const names = sb.env.agents[phase].map((a) => a.name);
  if (!names.includes(agent))
    throw new Error(
      `no agent "${agent}" in phase ${phase} of the ${sb.env.environment} stacks (it has: ${names.join(", ") || "none"})`,
    );
  const sa = agentServiceAccount(agent, phase);
  const token = await requestToken(sb.kc, sb.env.namespace, sa, undefined, seconds);
  const caPem = fs.readFileSync(sb.pki.caCert, "utf8");
  return tokenKubeconfigYaml({ server, caPem, token, name: sa, namespace: sb.env.namespace });
}

/**
 * Starts the proxy as a local process beside the servers (`sandbox up`): the CLI's `approval-proxy` with a
 * kubeconfig of the proxy identity in the sandbox directory, recorded among the servers (stopped with them),
 * waited for until it answers its health check.
 */
export async function spawnSandboxProxy(
  sb: ProxySandbox & { dir: string; processes: ServerProcess[] },
  tokenSeconds: number,
): Promise<{ process: ServerProcess; url: string }> {
  const settings = approvalSettings(sb.env);
  await reviewsServed(sb);
  const kubeconfig = path.join(sb.dir, "approval-proxy.kubeconfig");
  const caPem = fs.readFileSync(sb.pki.caCert, "utf8");
  const token = await proxyToken(sb, tokenSeconds);
  const name = FOUNDATION_NAMES.approvalProxy;
  fs.writeFileSync(kubeconfig, tokenKubeconfigYaml({ server: sb.apiserverUrl, caPem, token, name }), { mode: 0o600 });
  const port = await freePort();
  const args = [
    path.join(PACKAGE_ROOT, "bin", "agent-trust.js"),
    "approval-proxy",
    ...["--namespace", sb.env.namespace, "--listen", `127.0.0.1:${port}`, "--kubeconfig", kubeconfig],
    ...["--tls-cert", sb.pki.servingCert, "--tls-key", sb.pki.servingKey],
    ...["--hold-seconds", String(settings.holdSeconds)],
    ...["--min-replicas", String(settings.bounds.minReplicas)],
    ...["--max-step-factor", String(settings.bounds.maxStepFactor)],
  ];
  const logFile = path.join(sb.dir, "logs", "approval-proxy.log");
  const proc = startServer("approval-proxy", process.execPath, args, { logFile, cwd: sb.dir });
  sb.processes.push(proc);
  const url = `https://127.0.0.1:${port}`;
  await waitHealthy(proc, () => healthy(url, caPem), 60_000);
  return { process: proc, url };
}

/** True when the proxy at `url` answers its health check over TLS with the sandbox CA. */
function healthy(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(new URL("/healthz", url), { ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => {
      resolve(false);
    });
    req.on("timeout", () => req.destroy());
  });
}
