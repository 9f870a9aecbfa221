/**
 * The cluster a stack deploys to. The foundation stack names it (`agent-trust:cluster`), phase stacks take it from
 * their foundation, and `resolveCluster` (kubeconfig.ts) checks the kubeconfig the provider would use against it,
 * so a wrong KUBECONFIG fails before anything is created instead of deploying to whatever cluster it points at.
 */
import { z } from "zod";

/** How a stack names its cluster: the API server's URL and, optionally, the kubeconfig context to use. */
export interface ClusterConfig {
  readonly server: string;
  readonly context?: string;
}

const SHAPE = "a mapping { server: https://<api-server>:<port>, context: <kubeconfig context> (optional) }";

/**
 * The URL as compared: scheme, lowercase host, explicit port (443 when left out), path without a trailing slash;
 * undefined when it is not an https URL without credentials, query or fragment.
 */
export function normalServer(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (u.protocol !== "https:" || u.hostname === "" || u.username || u.password || u.search || u.hash) return undefined;
  const port = u.port === "" ? "443" : u.port;
  const pathname = u.pathname.replace(/\/+$/, "");
  return `https://${u.hostname.toLowerCase()}:${port}${pathname}`;
}

export const clusterSchema = z.strictObject(
  {
    server: z
      .string({
        error: "must be the https URL of the cluster's API server, e.g. https://kubernetes.dev.example.internal:6443",
      })
      .refine(
        (v) => normalServer(v) !== undefined,
        "must be the https URL of the cluster's API server (no credentials, query or fragment), e.g. https://kubernetes.dev.example.internal:6443",
      ),
    context: z.string().min(1, "must name a kubeconfig context, or be left out to use the current context").optional(),
  },
  { error: `must be ${SHAPE}` },
);
