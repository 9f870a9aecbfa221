/** The `agent-trust` command: a small dispatcher over subcommands, each in its own module. */
import { runCheckCli } from "../check/cli";
import { runSandboxCli } from "../sandbox/cli";
import { processIo, type Io } from "./io";
import { runRender } from "./render";

/** Loads a command's module only when that command runs (CommonJS `require`, so the tsx launcher resolves it). */
function lazy<M>(specifier: string): M {
  return require(specifier) as M;
}

type Command = { summary: string; run: (args: string[], io: Io) => number | Promise<number> };

const COMMANDS: Record<string, Command> = {
  render: { summary: "write a stack's desired state as YAML (no cluster needed)", run: runRender },
  check: { summary: "judge YAML and .hcl files against the policy rules (offline)", run: runCheckCli },
  gate: { summary: "is the stack's phase earned by its evidence? (--observed F: demotion)", run: (a, io) => lazy<typeof import("../promotion/cli")>("../promotion/cli").run(a, io) },
  matrix: { summary: "what each agent identity of a stack can do (from the plan)", run: (a, io) => lazy<typeof import("../matrix/cli")>("../matrix/cli").runMatrix(a, io) },
  diff: { summary: "rights added/removed per stack against a git revision (--base REF)", run: (a, io) => lazy<typeof import("../matrix/cli")>("../matrix/cli").runDiff(a, io) },
  sandbox: { summary: "local kube-apiserver + etcd + Vault with the dev stacks (up|down|status|verify)", run: runSandboxCli },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: agent-trust <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun agent-trust <command> --help for details.`;
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(usage());
    return command === undefined ? 2 : 0;
  }
  const c = COMMANDS[command];
  if (!c) {
    io.err(usage());
    return io.fail(`unknown command "${command}"`);
  }
  return c.run(rest, io);
}
