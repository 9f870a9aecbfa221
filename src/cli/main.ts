/**
 * The `agent-trust` command: a small dispatcher over subcommands, each in its own module. A command's module is
 * loaded only when that command runs (CommonJS `require`, so the tsx launcher resolves it too), so `--help` and
 * `check` never pay for the sandbox's Kubernetes client, the Pulumi SDK or git.
 */
import { EXIT_CLOSED_PIPE, processIo, type Io } from "./io";

type Run = (args: string[], io: Io) => number | Promise<number>;
interface Command {
  readonly summary: string;
  readonly load: () => Run;
}

/* eslint-disable @typescript-eslint/no-require-imports -- synchronous, lazy loading keeps start-up at the floor */
const COMMANDS: Record<string, Command> = {
  render: {
    summary: "write a stack's desired state as YAML (no cluster needed)",
    load: () => (require("./render") as typeof import("./render")).runRender,
  },
  check: {
    summary: "judge YAML and .hcl files against the policy rules (offline)",
    load: () => (require("../check/cli") as typeof import("../check/cli")).runCheckCli,
  },
  gate: {
    summary: "is the stack's phase earned by its evidence? (--observed F: demotion)",
    load: () => (require("../promotion/cli") as typeof import("../promotion/cli")).run,
  },
  matrix: {
    summary: "what each agent identity of a stack can do (from the plan)",
    load: () => (require("../matrix/cli") as typeof import("../matrix/cli")).runMatrix,
  },
  diff: {
    summary: "rights added/removed per stack against a git revision (--base REF)",
    load: () => (require("../matrix/cli") as typeof import("../matrix/cli")).runDiff,
  },
  approvals: {
    summary: "list, approve, deny and trace the requests the approval proxy holds (list|approve|deny|log)",
    load: () => (require("../approval/reviewers/cli") as typeof import("../approval/reviewers/cli")).runApprovals,
  },
  sandbox: {
    summary: "local kube-apiserver + etcd + Vault with the dev stacks (up|down|status|verify|kubeconfig)",
    load: () => (require("../sandbox/cli") as typeof import("../sandbox/cli")).runSandboxCli,
  },
  "approval-proxy": {
    summary: "hold agents' irreversible Kubernetes requests for a person's approval (in front of the API)",
    load: () => (require("../approval/proxy/cli") as typeof import("../approval/proxy/cli")).runApprovalProxy,
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The command names, for tests and completion. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: agent-trust <command> [options]",
    "       agent-trust --version",
    "",
    "Commands:",
    ...lines,
    "",
    "Run agent-trust <command> --help for details. Output piped into a reader that stops early (| head) ends",
    `quietly with status ${EXIT_CLOSED_PIPE} (128 + SIGPIPE), as coreutils do.`,
  ].join("\n");
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(usage());
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-V") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- read package.json only when asked
    io.out((require("./version") as typeof import("./version")).toolVersion());
    return 0;
  }
  const c = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!c) {
    io.err(usage());
    return io.fail(`unknown command "${command}"`);
  }
  return c.load()(rest, io);
}
