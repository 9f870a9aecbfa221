/**
 * The bench's workloads, each run in a child process of its own (`node --import tsx workloads.ts <name> ...`) so
 * that its peak memory is its own. Each prints one JSON line: the measured milliseconds of the work itself (module
 * loading excluded), the peak resident set size, and what was produced.
 */

import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../../src/config/parse";
import { readStackFile } from "../../src/config/stacks";
import { manifestsOf } from "../../src/plan/manifests";
import { planPhase } from "../../src/plan/phase";
import { toYaml } from "../../src/render";
import { check } from "../../src/check";
import { clusterOf, runStack } from "../../test/helpers/pulumi-mocks";
import { scaledAgents, BENCH_STACK, BENCH_FOUNDATION } from "./inputs";

const now = () => Number(process.hrtime.bigint()) / 1e6;
const peakMb = () => process.resourceUsage().maxRSS / 1024;

function emit(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, peakMb: Math.round(peakMb()) })}\n`);
}

/** The real program under the mock runtime with `agents` agents × `namespaces` target namespaces. */
async function program(agents: number, namespaces: number): Promise<void> {
  const t = now();
  const registered = await runStack(BENCH_STACK, {
    config: { "agent-trust:agents": scaledAgents(agents, namespaces) },
    // A phase stack reads its cluster from the foundation's outputs: the one its stack file's foundation names.
    foundationOutputs: { ...BENCH_FOUNDATION, cluster: clusterOf(BENCH_STACK) },
  });
  emit({ ms: now() - t, resources: registered.length });
}

/** The least a resource can be: no inputs to speak of, no outputs read. */
class Trivial extends pulumi.CustomResource {
  constructor(name: string, value: number, parent: pulumi.Resource) {
    super("bench:index:Trivial", name, { value }, { parent });
  }
}

/** The floor for `program`: the same number of trivial resources through the same mock runtime. */
async function trivial(count: number): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs as Record<string, unknown> }),
      call: (a) => a.inputs as Record<string, unknown>,
    },
    "bench",
    "bench",
    false,
  );
  const t = now();
  const parent = new pulumi.ComponentResource("bench:index:Parent", "parent", {});
  for (let i = 0; i < count; i++) new Trivial(`r${i}`, i, parent);
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  emit({ ms: now() - t, resources: count });
}

/** Planning and serialising a phase stack of `agents` × `namespaces`, as `render` does. */
function render(agents: number, namespaces: number): void {
  const raw = { ...readStackFile(BENCH_STACK).raw, "agent-trust:agents": scaledAgents(agents, namespaces) };
  const t = now();
  const cfg = parseStackConfig(raw, "bench");
  if (cfg.layer !== "phase") throw new Error("bench stack must be a phase stack");
  const objects = manifestsOf(planPhase(cfg, BENCH_FOUNDATION));
  const text = toYaml(objects, "bench");
  const ms = now() - t;
  // The floor: serialising the very same objects, with the same library, and nothing else.
  const t2 = now();
  toYaml(objects, "bench");
  emit({ ms, floorMs: now() - t2, objects: objects.length, bytes: text.length });
}

/** The offline checker over a file, in-process (reading, parsing, judging). */
function checker(file: string): void {
  const t = now();
  const r = check([file]);
  emit({ ms: now() - t, objects: r.checked, violations: r.violations.length, errors: r.errors.length });
}

const [name, ...args] = process.argv.slice(2);
const n = args.map(Number);
const run: Record<string, () => unknown> = {
  program: () => program(n[0]!, n[1]!),
  trivial: () => trivial(n[0]!),
  render: () => {
    render(n[0]!, n[1]!);
  },
  checker: () => {
    checker(args[0]!);
  },
};
if (!name || !run[name]) {
  process.stderr.write(`unknown workload ${name}\n`);
  process.exit(2);
}
Promise.resolve(run[name]()).catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
