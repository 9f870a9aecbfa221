/**
 * `agent-trust sandbox preview|apply|destroy STACK` on a sandbox started with `--engine pulumi`: runs the real
 * engine on the stack file as it is now (so an edited stack file previews as its diff), with the policy pack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { Io } from "../cli/io";
import { isEnvironment } from "../model/phases";
import type { SandboxState } from "../sandbox/servers/state";
import { resolveEngineBinaries } from "./binaries";
import { ConfigError } from "../config/parse";
import { loadStackConfig } from "../config/stacks";
import { deployerOf, destroyPhaseWithEngine } from "./deploy";
import { SandboxEngine, type EngineResult } from "./engine";
import { engineDirs, enginePassphrase } from "./home";
import { formatEngineResult } from "./report";

export const ENGINE_COMMANDS = ["preview", "apply", "destroy"] as const;
export type EngineCommand = (typeof ENGINE_COMMANDS)[number];

export function isEngineCommand(c: string | undefined): c is EngineCommand {
  return (ENGINE_COMMANDS as readonly string[]).includes(c ?? "");
}

/** True when the sandbox in `dir` was started with `--engine pulumi`. */
export function hasEngine(dir: string): boolean {
  return fs.existsSync(path.join(engineDirs(dir).backendDir, ".pulumi"));
}

function caPemOf(kubeconfig: string): string {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const data = kc.getCurrentCluster()?.caData;
  if (!data) throw new Error(`${kubeconfig} has no certificate-authority-data`);
  return Buffer.from(data, "base64").toString("utf8");
}

export async function runEngineCommand(
  io: Io,
  state: SandboxState,
  command: EngineCommand,
  stack: string | undefined,
): Promise<number> {
  if (!stack)
    return io.fail(
      `sandbox ${command} needs a stack name, e.g. agent-trust sandbox ${command} ${state.environment}-assist`,
    );
  if (!hasEngine(state.dir)) return io.fail(`the sandbox in ${state.dir} was not started with --engine pulumi`);
  if (!isEnvironment(state.environment))
    return io.fail(`the sandbox state names an unknown environment "${state.environment}"`);
  // Only the foundation's file is read here: the stack being previewed may be the invalid one under review.
  let foundation;
  try {
    foundation = loadStackConfig(state.environment);
  } catch (e) {
    if (e instanceof ConfigError) return io.fail(e.message);
    throw e;
  }
  if (foundation.layer !== "foundation") return io.fail(`stack "${state.environment}" is not a foundation stack`);
  const binaries = await resolveEngineBinaries({
    build: false,
    log: (l) => {
      io.err(l);
    },
  });
  const engine = await SandboxEngine.open(
    state.dir,
    binaries,
    {
      apiserverUrl: state.apiserverUrl,
      caPem: caPemOf(state.kubeconfig),
      kubeconfig: state.kubeconfig,
      deployer: deployerOf(foundation),
      vaultAddr: state.vaultAddr,
      vaultToken: state.vaultToken,
    },
    enginePassphrase(state.dir),
  );
  io.err(`sandbox: ${engine.describe()}`);
  let r: EngineResult;
  if (command === "preview") r = await engine.preview(stack);
  else if (command === "apply") {
    r = await engine.up(stack);
  } else if (stack === state.environment) {
    r = await engine.destroy(stack);
  } else {
    r = (await destroyPhaseWithEngine(engine, stack)).result;
  }
  for (const line of formatEngineResult(stack, command === "apply" ? "up" : command, r)) io.out(line);
  return r.ok ? 0 : 1;
}
