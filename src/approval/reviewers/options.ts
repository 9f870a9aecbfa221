/**
 * What every `approvals` subcommand shares: the cluster options as kubectl takes them (kubeconfig, context,
 * impersonation), the namespace, and the session built from them (client, clock, output).
 */
import { parseCommandArgs, type Spec } from "../../cli/args";
import type { Io } from "../../cli/io";
import { impersonationHeaders, kubeClient, loadKubeConfig, ReviewerError, type KubeClient } from "./client";
import { DEFAULT_NAMESPACE } from "./reviews";

export const COMMON_OPTIONS = {
  kubeconfig: { type: "string", needs: "a file" },
  context: { type: "string", needs: "a context name" },
  as: { type: "string", needs: "a user name" },
  "as-group": { type: "string", multiple: true, needs: "a group name" },
  namespace: { type: "string", short: "n", needs: "a namespace" },
} as const satisfies Spec;

export interface CommonValues {
  kubeconfig?: string;
  context?: string;
  as?: string;
  "as-group"?: string[];
  namespace?: string;
}

/** What a subcommand works with: the client, the namespace, the clock and the output. */
export interface Session {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly now: () => Date;
  readonly io: Io;
}

/** Seams for tests: the environment to find the kubeconfig in and the clock. */
export interface Seams {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly home?: string;
  readonly now?: () => Date;
}

/** The session the common options name, or why there is none (thrown as ReviewerError). */
export function session(values: CommonValues, io: Io, seams: Seams): Session {
  const namespace = values.namespace ?? DEFAULT_NAMESPACE;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63)
    throw new ReviewerError(`--namespace "${namespace}" is not a namespace name`);
  const kc = loadKubeConfig({
    ...(values.kubeconfig === undefined ? {} : { kubeconfig: values.kubeconfig }),
    ...(values.context === undefined ? {} : { context: values.context }),
    asGroups: values["as-group"] ?? [],
    ...(seams.env ? { env: seams.env } : {}),
    ...(seams.home ? { home: seams.home } : {}),
  });
  const headers = impersonationHeaders(values.as, values["as-group"] ?? []);
  return { client: kubeClient(kc, headers), namespace, now: seams.now ?? (() => new Date()), io };
}

/** Parses a subcommand's options (its own plus the common ones); a string is the reason they are wrong. */
export function parseSub<S extends Spec>(args: readonly string[], spec: S, sub: string) {
  return parseCommandArgs(args, { ...COMMON_OPTIONS, ...spec }, `approvals ${sub}`);
}
