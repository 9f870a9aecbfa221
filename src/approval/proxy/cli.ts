/**
 * `agent-trust approval-proxy`: runs the approval proxy until SIGTERM or SIGINT (then it stops accepting, marks the
 * reviews it holds failed and exits). In a pod it needs no flags but --namespace: the API server, its CA and the
 * proxy's token come from the ServiceAccount mount (the token file is re-read per request, as it rotates).
 * --kubeconfig is for local use with a token user.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseCommandArgs } from "../../cli/args";
import type { Io } from "../../cli/io";
import { isDnsLabel } from "../../model/naming";
import { startApprovalProxy, type ApprovalProxyOptions, type RunningProxy } from "./server";
import type { UpstreamOptions } from "./upstream";

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const DEFAULTS = { listen: "127.0.0.1:8443", holdSeconds: 600, minReplicas: 1, maxStepFactor: 2 } as const;

export const APPROVAL_PROXY_HELP = `Usage: agent-trust approval-proxy --namespace NS [options]

An HTTP(S) proxy in front of the Kubernetes API for the agents of namespace NS. Each caller is authenticated by
TokenReview. Requests matching an approvable action of the caller's phase (deleting a deployment, a drastic
scale-down, ...) are held as an ApprovalReview until a person decides (agent-trust approvals), then carried out
as the agent's executor or refused with 403; everything else passes through with the caller's own token.
Impersonation headers and connection upgrades (exec, attach, port-forward) are refused. GET /healthz: ok.

Options:
  --namespace NS          the agents namespace (default: the pod's own namespace)
  --listen HOST:PORT      where to listen (default ${DEFAULTS.listen}); a non-loopback host needs TLS
  --tls-cert FILE         PEM certificate to serve HTTPS with (with --tls-key)
  --tls-key FILE          its PEM key
  --server URL            the API server (default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)
  --ca-file FILE          CA of the API server (default: ${SA_DIR}/ca.crt)
  --token-file FILE       the proxy's own token, re-read per request (default: ${SA_DIR}/token)
  --kubeconfig FILE       take server, CA and token from a kubeconfig's current context instead
  --hold-seconds N        how long a request waits for a decision (default ${DEFAULTS.holdSeconds})
  --min-replicas N        the foundation's scaling floor (default ${DEFAULTS.minReplicas})
  --max-step-factor N     the foundation's largest scale-down factor in one step (default ${DEFAULTS.maxStepFactor})

Logs one JSON line per decision on stderr. Exit 0 after a signal, 2 on bad input, 1 when it cannot start.`;

const SPEC = {
  namespace: { type: "string", needs: "a namespace" },
  listen: { type: "string", needs: "HOST:PORT" },
  "tls-cert": { type: "string", needs: "a file" },
  "tls-key": { type: "string", needs: "a file" },
  server: { type: "string", needs: "a URL" },
  "ca-file": { type: "string", needs: "a file" },
  "token-file": { type: "string", needs: "a file" },
  kubeconfig: { type: "string", needs: "a file" },
  "hold-seconds": { type: "string", needs: "a number" },
  "min-replicas": { type: "string", needs: "a number" },
  "max-step-factor": { type: "string", needs: "a number" },
} as const;

/** Thrown for input the command refuses (exit 2). */
class InputError extends Error {}

function positiveInt(value: string | undefined, fallback: number, flag: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min)
    throw new InputError(`--${flag} must be a whole number of at least ${min}, not "${value}"`);
  return n;
}

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new InputError(`--listen must be HOST:PORT (or [IPv6]:PORT), not "${value}"`);
  return { host: m[1] ?? m[2]!, port };
}

function readFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

async function fromKubeconfig(file: string): Promise<UpstreamOptions> {
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw new InputError(`kubeconfig ${file} has no current cluster`);
  const token = user?.token;
  if (!token)
    throw new InputError(`kubeconfig ${file}: the current user has no token (only token users are supported)`);
  const caPem = cluster.caData
    ? Buffer.from(cluster.caData, "base64").toString("utf8")
    : cluster.caFile
      ? readFile(cluster.caFile, "CA file")
      : undefined;
  return { server: cluster.server, ...(caPem ? { caPem } : {}), credentials: () => token };
}

function inCluster(server: string | undefined, caFile: string | undefined, tokenFile: string): UpstreamOptions {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
  const url = server ?? (host ? `https://${host.includes(":") ? `[${host}]` : host}:${port}` : undefined);
  if (!url) throw new InputError("--server is needed outside a pod (or --kubeconfig)");
  const ca = caFile ?? (existsSync(`${SA_DIR}/ca.crt`) ? `${SA_DIR}/ca.crt` : undefined);
  readFile(tokenFile, "token file");
  return {
    server: url,
    ...(ca ? { caPem: readFile(ca, "CA file") } : {}),
    credentials: () => readFileSync(tokenFile, "utf8"),
  };
}

async function options(argv: readonly string[], io: Io): Promise<ApprovalProxyOptions | number> {
  const parsed = parseCommandArgs(argv, SPEC, "approval-proxy");
  if (typeof parsed === "string") return io.fail(parsed);
  const v = parsed.values;
  if (v.help) {
    io.out(APPROVAL_PROXY_HELP);
    return 0;
  }
  if (parsed.positionals.length > 0)
    return io.fail(`approval-proxy takes no arguments: ${parsed.positionals.join(" ")}`);
  const namespace =
    v.namespace ?? (existsSync(`${SA_DIR}/namespace`) ? readFileSync(`${SA_DIR}/namespace`, "utf8").trim() : "");
  if (!isDnsLabel(namespace)) return io.fail(`--namespace must be a namespace name, not "${namespace}"`);
  if ((v["tls-cert"] === undefined) !== (v["tls-key"] === undefined))
    return io.fail("--tls-cert and --tls-key go together");
  if (v.kubeconfig !== undefined && (v.server ?? v["ca-file"] ?? v["token-file"]) !== undefined)
    return io.fail("--kubeconfig replaces --server, --ca-file and --token-file; give one or the other");
  const listen = parseListen(v.listen ?? DEFAULTS.listen);
  const holdSeconds = positiveInt(v["hold-seconds"], DEFAULTS.holdSeconds, "hold-seconds", 1);
  const bounds = {
    minReplicas: positiveInt(v["min-replicas"], DEFAULTS.minReplicas, "min-replicas", 1),
    maxStepFactor: positiveInt(v["max-step-factor"], DEFAULTS.maxStepFactor, "max-step-factor", 2),
  };
  const tls =
    v["tls-cert"] && v["tls-key"]
      ? { certPem: readFile(v["tls-cert"], "TLS certificate"), keyPem: readFile(v["tls-key"], "TLS key") }
      : undefined;
  const upstream = v.kubeconfig
    ? await fromKubeconfig(v.kubeconfig)
    : inCluster(v.server, v["ca-file"], v["token-file"] ?? `${SA_DIR}/token`);
  return {
    listen,
    ...(tls ? { tls } : {}),
    upstream,
    namespace,
    holdSeconds,
    bounds,
    log: (entry) => {
      io.err(JSON.stringify({ time: new Date().toISOString(), ...entry }));
    },
  };
}

export async function runApprovalProxy(argv: string[], io: Io): Promise<number> {
  let opts: ApprovalProxyOptions | number;
  try {
    opts = await options(argv, io);
  } catch (e) {
    if (e instanceof InputError) return io.fail(e.message);
    throw e;
  }
  if (typeof opts === "number") return opts;
  let proxy: RunningProxy;
  try {
    proxy = await startApprovalProxy(opts);
  } catch (e) {
    io.fail((e as Error).message);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve();
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  await proxy.close();
  return 0;
}
