/**
 * Runs the real Pulumi program under Pulumi's mock runtime for one stack file and records every resource it
 * registers, with the inputs the engine would have received.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../../src/config/cluster";
import { loadFoundationFor, loadStackConfig, readStackFile, shortStackName } from "../../src/config/stacks";
import { runProgram } from "../../src/program";
import { tempDir } from "./tmp";

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly parent?: string;
  /** The provider reference (`urn::id`) the resource was registered with, when it has an explicit one. */
  readonly provider?: string;
}

/** Stack-file values as the engine hands them over: structured values as JSON text, scalars as strings. */
export function engineConfig(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)]),
  );
}

/** A kubeconfig file whose current context points at `server` (written once per server, in a temp folder). */
let mockDir: string | undefined;
export function kubeconfigFor(server: string, context = "test"): string {
  const dir = (mockDir ??= tempDir("agent-trust-mock-kubeconfig-"));
  const file = path.join(dir, `${encodeURIComponent(server)}-${context}.yaml`);
  if (!fs.existsSync(file)) {
    const doc = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: context, context: { cluster: "c", user: "u" } }],
      "current-context": context,
    };
    fs.writeFileSync(file, JSON.stringify(doc));
  }
  return file;
}

/** The cluster the stack's foundation names (undefined when it cannot be read). */
export function clusterOf(stack: string): ClusterConfig | undefined {
  try {
    const cfg = loadStackConfig(stack);
    const foundation =
      cfg.layer === "foundation" ? cfg : loadStackConfig(shortStackName(cfg.foundationStack ?? cfg.environment));
    return foundation.layer === "foundation" ? foundation.cluster : undefined;
  } catch {
    return undefined;
  }
}

export interface RunOptions {
  /** Overrides the stack file's config (raw YAML values, keyed `agent-trust:...`). */
  readonly config?: Record<string, unknown>;
  /** Replaces the foundation outputs the StackReference returns. */
  readonly foundationOutputs?: Record<string, unknown>;
  /** Receives every registration as it happens, so a test can see what was registered before a failure. */
  readonly sink?: Registered[];
  /** Receives the provider resources (`pulumi:providers:*`), which are not in the sink. */
  readonly providers?: Registered[];
}

export async function runStack(stack: string, options: RunOptions = {}): Promise<Registered[]> {
  // The program checks the kubeconfig against the cluster the foundation names: give it one that matches.
  const cluster = clusterOf(stack);
  const kubeconfig = cluster ? { "kubernetes:kubeconfig": kubeconfigFor(cluster.server) } : {};
  const raw = { ...readStackFile(stack).raw, ...kubeconfig, ...(options.config ?? {}) };
  const registered: Registered[] = options.sink ?? [];
  const providers: Registered[] = options.providers ?? [];
  let foundation: Record<string, unknown> | undefined = options.foundationOutputs;
  if (!foundation) {
    try {
      foundation = { ...loadFoundationFor(loadStackConfig(stack)), ...(cluster ? { cluster } : {}) };
    } catch {
      foundation = {};
    }
  }
  pulumi.runtime.setAllConfig(engineConfig(raw));
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type === "pulumi:pulumi:StackReference") {
          return { id: args.name, state: { name: args.inputs.name, outputs: foundation, secretOutputNames: [] } };
        }
        const r = {
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          ...(args.provider ? { provider: args.provider } : {}),
        };
        (args.type.startsWith("pulumi:providers:") ? providers : registered).push(r);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "agent-trust",
    stack,
    false,
    "organization",
  );
  await runProgram();
  // Let every pending registration reach the mock monitor.
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return registered;
}
