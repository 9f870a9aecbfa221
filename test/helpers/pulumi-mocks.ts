/**
 * Runs the real Pulumi program under Pulumi's mock runtime for one stack file and records every resource it
 * registers, with the inputs the engine would have received.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadFoundationFor, loadStackConfig, readStackFile } from "../../src/config/stacks";
import { runProgram } from "../../src/program";

export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly parent?: string;
}

/** Stack-file values as the engine hands them over: structured values as JSON text, scalars as strings. */
export function engineConfig(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)]),
  );
}

export interface RunOptions {
  /** Overrides the stack file's config (raw YAML values, keyed `agent-trust:...`). */
  readonly config?: Record<string, unknown>;
  /** Replaces the foundation outputs the StackReference returns. */
  readonly foundationOutputs?: Record<string, unknown>;
  /** Receives every registration as it happens, so a test can see what was registered before a failure. */
  readonly sink?: Registered[];
}

export async function runStack(stack: string, options: RunOptions = {}): Promise<Registered[]> {
  const raw = { ...readStackFile(stack).raw, ...(options.config ?? {}) };
  const registered: Registered[] = options.sink ?? [];
  let foundation: Record<string, unknown> | undefined = options.foundationOutputs;
  if (!foundation) {
    try {
      foundation = { ...loadFoundationFor(loadStackConfig(stack)) };
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
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
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
