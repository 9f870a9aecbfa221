/**
 * `agent-trust sandbox up|down|status|verify`: a local kube-apiserver, etcd and Vault-compatible server with the
 * dev stacks deployed, left running for hands-on use with kubectl and vault. stdout carries only what a shell
 * may `eval`, or verify's one-screen summary (the full matrix and HTML report go to files); progress goes to stderr.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCommandArgs } from "../cli/args";
import { processIo, type Io } from "../cli/io";
import { table } from "../cli/table";
import { resolveEngineBinaries } from "../engine/binaries";
import { isEngineCommand, runEngineCommand } from "../engine/cli";
import { deployWithEngine } from "../engine/deploy";
import { isEnvironment, isPhase, PHASES, type Environment } from "../model/phases";
import { agentKubeconfig, spawnSandboxProxy } from "./deploy/approval";
import { loadEnvironment } from "./deploy/environment";
import { adminKubeConfig } from "./servers/kube";
import { isOurs } from "./servers/procs";
import { deployedOf, emitReport, REPORT_OPTIONS, REPORT_USAGE, reportFiles, unwritable } from "./verify/report-out";
import { deploySandbox, startSandbox } from "./deploy/sandbox";
import { stopServers } from "./servers/servers";
import { exportLines, readState, sandboxDir, toState, writeState } from "./servers/state";
import { verifySandbox } from "./verify/verify";
import { VaultHttp } from "./servers/vault-http";

/** How long Vault can verify logins after `up` (its reviewer token), just under the certificates' 7 days. */
const UP_REVIEWER_SECONDS = 6 * 24 * 3600;

export const SANDBOX_USAGE = `Usage: agent-trust sandbox <up|down|status|verify> [--env ENV] [--no-build] [--engine pulumi]
       agent-trust sandbox verify [--matrix FILE] [--html FILE]
       agent-trust sandbox kubeconfig AGENT PHASE
       agent-trust sandbox <preview|apply|destroy> STACK      (a sandbox started with --engine pulumi)

  up       start etcd, kube-apiserver and a Vault dev server on 127.0.0.1, deploy the ENV (default dev)
           foundation and phase stacks, and print export lines for KUBECONFIG, VAULT_ADDR and VAULT_TOKEN:
             eval "$(npx agent-trust sandbox up)"
           When the foundation runs the approval proxy (agent-trust:approval), it is started beside the servers
           on 127.0.0.1 as the foundation's proxy identity, and its address is printed to stderr
  kubeconfig AGENT PHASE
           print a kubeconfig of that agent's identity in that phase (a one-hour token of its ServiceAccount)
           pointed at the approval proxy: try a delete, then agent-trust approvals list / approve / deny
  down     stop the servers and delete the sandbox directory
  status   say whether a sandbox is running (exit 0) or not (exit 1)
  verify   measure the permission matrix of the running sandbox (exit 1 on any mismatch) and print one
           screen: per layer the cells, mismatches and time; the full matrix and an HTML report go to files
           (default report/matrix.txt and report/report.html in the sandbox directory, removed by down)

  --no-build  fail instead of building missing server binaries from source
  --engine pulumi
           deploy through the real Pulumi engine (offline CLI and providers from scripts/servers.sh, the policy
           pack enforced by the engine, state in the sandbox folder) instead of the sandbox's own client; then
           preview/apply/destroy STACK run the engine on the stack file as it is now (edit it, preview the diff)
${REPORT_USAGE}
State lives in $AGENT_TRUST_SANDBOX_DIR, default \${XDG_STATE_HOME:-~/.local/state}/agent-trust/sandbox.`;

/** The certificate files `up` created in the sandbox directory (servers/pki.ts). */
const sandboxPki = (dir: string) => ({
  caCert: path.join(dir, "pki", "ca.crt"),
  servingCert: path.join(dir, "pki", "serving.crt"),
  servingKey: path.join(dir, "pki", "serving.key"),
});

function alive(dir: string): { running: boolean; state: ReturnType<typeof readState> } {
  const state = readState(dir);
  return { running: !!state && state.processes.some(isOurs), state };
}

async function up(io: Io, environment: Environment, build: boolean, engine: boolean): Promise<number> {
  const dir = sandboxDir();
  const { running, state } = alive(dir);
  if (running) return io.fail(`a sandbox is already running (${dir}); run agent-trust sandbox down first`);
  if (state) {
    io.err(`sandbox: removing a stale sandbox in ${dir}`);
    await stopServers(state);
  } else if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    return io.fail(`${dir} exists and is not a sandbox; remove it or set AGENT_TRUST_SANDBOX_DIR`);
  }
  // Find (or build) the engine before any server starts, so a missing engine fails fast.
  const binaries = engine
    ? await resolveEngineBinaries({
        build,
        log: (l) => {
          io.err(l);
        },
      })
    : undefined;
  const sb = await startSandbox({
    dir,
    build,
    environment,
    log: (l) => {
      io.err(l);
    },
  });
  try {
    writeState(toState(sb, environment));
    if (binaries) {
      const n = await deployWithEngine(sb, binaries, UP_REVIEWER_SECONDS, (l) => {
        io.err(`sandbox: ${l}`);
      });
      io.err(
        `sandbox: the Pulumi engine deployed ${n.stacks.join(", ")}: ${n.kubernetes} Kubernetes and ${n.vault} Vault resources`,
      );
      io.err(`sandbox: preview an edited stack file with: agent-trust sandbox preview ${environment}-assist`);
    } else {
      const n = await deploySandbox(sb, UP_REVIEWER_SECONDS);
      io.err(
        `sandbox: deployed ${n.kubernetes} Kubernetes objects and ${n.vault} Vault objects of the ${environment} stacks`,
      );
    }
  } catch (e) {
    await sb.stop();
    throw e;
  }
  let proxyUrl: string | undefined;
  if (sb.env.foundation.config.approval) {
    try {
      proxyUrl = (await spawnSandboxProxy(sb, UP_REVIEWER_SECONDS)).url;
      writeState(toState(sb, environment, new Date(), proxyUrl));
    } catch (e) {
      await sb.stop();
      throw e;
    }
    io.err(`sandbox: approval proxy at ${proxyUrl} (log ${path.join(sb.dir, "logs", "approval-proxy.log")})`);
    io.err(`sandbox: an agent's kubeconfig through it: agent-trust sandbox kubeconfig diagnostic remediation`);
  }
  sb.detach();
  for (const line of exportLines(sb)) io.out(line);
  io.err(
    `sandbox: running; try: kubectl auth can-i --list --as=system:serviceaccount:${sb.env.namespace}:diagnostic-shadow -n checkout`,
  );
  io.err("sandbox: stop it with: agent-trust sandbox down");
  return 0;
}

async function kubeconfig(io: Io, agent: string | undefined, phase: string | undefined): Promise<number> {
  if (!agent || !isPhase(phase))
    return io.fail(`sandbox kubeconfig needs AGENT and PHASE (one of ${PHASES.join(", ")})\n${SANDBOX_USAGE}`);
  const { running, state } = alive(sandboxDir());
  if (!running || !state) return io.fail("no sandbox is running; start one with agent-trust sandbox up");
  if (!isEnvironment(state.environment)) return io.fail(`unknown environment in state: ${state.environment}`);
  if (!state.approvalProxyUrl)
    return io.fail(`this sandbox runs no approval proxy (the ${state.environment} foundation configures none)`);
  const sb = {
    kc: adminKubeConfig(state.kubeconfig),
    env: loadEnvironment(state.environment),
    pki: sandboxPki(state.dir),
  };
  try {
    io.out(await agentKubeconfig(sb, agent, phase, state.approvalProxyUrl));
  } catch (e) {
    return io.fail((e as Error).message);
  }
  io.err(
    `sandbox: ${agent} in ${phase} through the approval proxy ${state.approvalProxyUrl}; save it and use KUBECONFIG`,
  );
  return 0;
}

async function down(io: Io): Promise<number> {
  const dir = sandboxDir();
  const state = readState(dir);
  if (!state) {
    io.err(`sandbox: none running (${dir})`);
    return 0;
  }
  await stopServers(state);
  const left = state.processes.filter(isOurs);
  if (left.length > 0) {
    io.err(`sandbox: still running: ${left.map((p) => `${p.name} (pid ${p.pid})`).join(", ")}`);
    return 1;
  }
  io.err(`sandbox: stopped ${state.processes.map((p) => p.name).join(", ")} and removed ${dir}`);
  io.out("unset KUBECONFIG VAULT_ADDR VAULT_TOKEN");
  return 0;
}

function status(io: Io): number {
  const dir = sandboxDir();
  const { running, state } = alive(dir);
  if (!state) {
    io.out(`no sandbox (${dir})`);
    return 1;
  }
  io.out(
    `sandbox ${running ? "running" : "stopped (stale state)"}, environment ${state.environment}, since ${state.createdAt}`,
  );
  const rows = state.processes.map((p) => [p.name, String(p.pid), isOurs(p) ? "running" : "gone", p.logFile]);
  for (const l of table(["process", "pid", "state", "log"], rows, { indent: "  " })) io.out(l);
  io.out(`  kube-apiserver ${state.apiserverUrl}`);
  io.out(`  vault          ${state.vaultAddr}`);
  return running ? 0 : 1;
}

async function verify(io: Io, files: { matrix?: string | undefined; html?: string | undefined }): Promise<number> {
  const { running, state } = alive(sandboxDir());
  if (!running || !state) return io.fail("no sandbox is running; start one with agent-trust sandbox up");
  if (!isEnvironment(state.environment)) return io.fail(`unknown environment in state: ${state.environment}`);
  const bad = unwritable(files);
  if (bad) return io.fail(bad);
  const sb = {
    kc: adminKubeConfig(state.kubeconfig),
    vault: new VaultHttp(state.vaultAddr, state.vaultToken),
    env: loadEnvironment(state.environment),
    auditLog: state.auditLog,
    apiserverUrl: state.apiserverUrl,
    pki: sandboxPki(state.dir),
    dir: state.dir,
    kubeconfig: state.kubeconfig,
  };
  const { results, timings } = await verifySandbox(sb, (l) => {
    io.err(l);
  });
  const deployed = deployedOf(sb.env, `sandbox up at ${state.createdAt}`);
  const run = {
    title: "agent-trust sandbox verify",
    deployed,
    results,
    timings,
    generatedAt: new Date().toISOString(),
  };
  return emitReport(
    io,
    run,
    reportFiles(files, () => path.join(state.dir, "report")),
  );
}

export async function runSandboxCli(args: string[], io: Io): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      env: { type: "string", needs: "one of dev, staging, prod" },
      "no-build": { type: "boolean" },
      engine: { type: "string", needs: `"pulumi" (the only engine)` },
      ...REPORT_OPTIONS,
    },
    "sandbox",
  );
  if (typeof parsed === "string") return io.fail(`${parsed}\n${SANDBOX_USAGE}`);
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help) {
    io.out(SANDBOX_USAGE);
    return 0;
  }
  if (values.engine !== undefined && values.engine !== "pulumi")
    return io.fail(`--engine needs "pulumi" (the only engine)`);
  if (values.env !== undefined && !isEnvironment(values.env)) return io.fail(`--env needs one of dev, staging, prod`);
  const environment: Environment = values.env ?? "dev";
  const build = values["no-build"] !== true;
  const engine = values.engine === "pulumi";
  const positional = isEngineCommand(command) ? rest.slice(0, 1) : command === "kubeconfig" ? rest.slice(0, 2) : [];
  const extra = rest.slice(positional.length);
  if ((values.matrix !== undefined || values.html !== undefined) && command !== "verify")
    return io.fail(`--matrix and --html are for sandbox verify\n${SANDBOX_USAGE}`);
  if (extra.length > 0) return io.fail(`unexpected argument "${extra[0]}"\n${SANDBOX_USAGE}`);
  switch (command) {
    case "up":
      return up(io, environment, build, engine);
    case "preview":
    case "apply":
    case "destroy": {
      const { running, state } = alive(sandboxDir());
      if (!running || !state)
        return io.fail("no sandbox is running; start one with agent-trust sandbox up --engine pulumi");
      return runEngineCommand(io, state, command, positional[0]);
    }
    case "kubeconfig":
      return kubeconfig(io, positional[0], positional[1]);
    case "down":
      return down(io);
    case "status":
      return status(io);
    case "verify":
      return verify(io, values);
    case undefined:
    case "help":
      io.out(SANDBOX_USAGE);
      return command === undefined ? 2 : 0;
    default:
      return io.fail(`unknown sandbox command "${command}"\n${SANDBOX_USAGE}`);
  }
}

// Runnable on its own until the main CLI dispatches to it: node --import tsx src/sandbox/cli.ts up
if (require.main === module) {
  const io = processIo();
  runSandboxCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      io.err(`agent-trust sandbox: ${(e as Error).stack ?? (e as Error).message}`);
      process.exitCode = 70;
    },
  );
}
