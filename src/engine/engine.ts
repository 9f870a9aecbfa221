/**
 * The engine driver: runs the project's own `runProgram` inline (Automation API) against a sandbox, with the file
 * backend in the sandbox folder and the policy pack enforced by the engine on every preview and update.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand, type EngineEvent, type OpType, type Stack } from "@pulumi/pulumi/automation";
import { projectRoot } from "../config/stacks";
import { PACKAGE_ROOT } from "../package-root";
import { runProgram } from "../program";
import type { EngineBinaries } from "./binaries";
import { prepareEngineHome, type EngineHome } from "./home";
import {
  sandboxStackConfig,
  writeDeployerKubeconfig,
  writeStackSettings,
  type ConfigMap,
  type SandboxOverrides,
} from "./settings";
import { registerSandboxTransform } from "./transform";

export const PROJECT = "agent-trust";
export const POLICY_PACK = path.join(PACKAGE_ROOT, "policy");

export interface EngineTarget extends SandboxOverrides {
  /** The administrator's kubeconfig; the engine impersonates `deployer` with it. */
  readonly kubeconfig: string;
  /** The foundation's deployer user (agent-trust:admission.deployer.users[0]). */
  readonly deployer: string;
  readonly vaultAddr: string;
  readonly vaultToken: string;
}

export interface Step {
  readonly op: OpType;
  readonly urn: string;
  readonly type: string;
  /** The resource's name (last URN segment). */
  readonly name: string;
}

export interface Violation {
  readonly policy: string;
  readonly message: string;
  readonly level: string;
  readonly urn?: string;
}

export interface EngineResult {
  readonly ok: boolean;
  /** Every step the engine took or planned, `same` ones included. */
  readonly steps: readonly Step[];
  readonly violations: readonly Violation[];
  /** Error diagnostics (the program's own refusals among them). */
  readonly diagnostics: readonly string[];
  /** The CLI's failure message when !ok. */
  readonly error?: string;
  readonly outputs?: Record<string, unknown>;
}

export interface RunOptions {
  /** Changes the stack's config before the run (e.g. a promotion under review). */
  readonly edit?: (config: ConfigMap) => ConfigMap;
  /**
   * An extra resource transform after the program's own (tests only): simulates a program changed behind the
   * reviewers' back, so the tests can show the engine-run pack is the last line of defence.
   */
  readonly tamper?: pulumi.ResourceTransform;
}

/**
 * A refused program (bad config, phase above the ceiling) must fail the program itself, so the engine plans no
 * deletes. The SDK then reports the error, but the root stack's outputs (an Output over the failed program) also
 * hold derived promises nobody awaits; in the CLI's short-lived language host that does not matter, in this
 * long-lived process they would surface later as unhandled rejections. Observe exactly those before rethrowing.
 */
function observeStackOutputs(): void {
  const root = pulumi.runtime.getStackResource() as { outputs?: unknown } | undefined;
  const outputs = root?.outputs as { isKnown?: unknown; isSecret?: unknown } | undefined;
  for (const p of [outputs?.isKnown, outputs?.isSecret]) {
    if (p instanceof Promise) p.catch(() => undefined);
  }
}

export class SandboxEngine {
  private constructor(
    readonly home: EngineHome,
    private readonly cmd: PulumiCommand,
    private readonly target: EngineTarget,
    /**
     * Which provider the engine's Vault resources go through: the real pulumi-vault plugin, or the sandbox's
     * stand-in (`vault-standin.ts`). Either way the engine deploys both halves and the pack judges both.
     */
    readonly vaultProvider: "pulumi-vault" | "stand-in",
    private readonly root: string,
    private readonly secrets: Record<string, string>,
  ) {}

  static async open(
    dir: string,
    binaries: EngineBinaries,
    target: EngineTarget,
    passphrase: string,
    root = projectRoot(),
  ): Promise<SandboxEngine> {
    const home = await prepareEngineHome(dir, binaries, passphrase);
    const cmd = await PulumiCommand.get({ root: home.cliRoot, skipVersionCheck: true });
    const kubeconfig = writeDeployerKubeconfig(
      target.kubeconfig,
      target.deployer,
      path.join(home.workDir, "deployer.kubeconfig"),
    );
    return new SandboxEngine(
      home,
      cmd,
      { ...target, kubeconfig },
      binaries.vault ? "pulumi-vault" : "stand-in",
      root,
      {},
    );
  }

  /** The engine deploys the Vault half too (always: through pulumi-vault or the stand-in). */
  readonly includeVault = true;

  /** What the engine runs, in words for the user. */
  describe(): string {
    return this.vaultProvider === "pulumi-vault"
      ? "the Pulumi engine deploys both halves (Kubernetes provider 4.25.0, Vault provider pulumi-vault 7.8.0); the pack judges both"
      : "the Pulumi engine deploys both halves (Kubernetes provider 4.25.0; Vault through the sandbox's stand-in provider, " +
          "src/engine/vault-standin.ts, since no pulumi-resource-vault is installed); the pack judges both";
  }

  /** A secret config value given to a stack on every run (the foundation's token-reviewer JWT). */
  setSecret(key: string, value: string): void {
    this.secrets[key] = value;
  }

  private async stack(name: string, opts: RunOptions): Promise<Stack> {
    const base = sandboxStackConfig(this.root, name, this.target);
    writeStackSettings(this.home.workDir, name, opts.edit ? opts.edit(base) : base);
    const includeVault = this.includeVault;
    // The Vault provider (real or stand-in) reads its address and token from the environment.
    const envVars: Record<string, string> = {
      ...this.home.env,
      KUBECONFIG: this.target.kubeconfig,
      VAULT_ADDR: this.target.vaultAddr,
      VAULT_TOKEN: this.target.vaultToken,
    };
    const stack = await LocalWorkspace.createOrSelectStack(
      {
        stackName: name,
        projectName: PROJECT,
        program: async () => {
          registerSandboxTransform();
          if (opts.tamper) pulumi.runtime.registerResourceTransform(opts.tamper);
          try {
            return await runProgram({ includeVault });
          } catch (e) {
            observeStackOutputs();
            throw e;
          }
        },
      },
      {
        workDir: this.home.workDir,
        pulumiHome: this.home.pulumiHome,
        pulumiCommand: this.cmd,
        envVars,
        projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: `file://${this.home.backendDir}` } },
      },
    );
    const layer = base["agent-trust:layer"];
    for (const [key, value] of Object.entries(this.secrets)) {
      if (layer === "foundation") await stack.setConfig(key, { value, secret: true });
    }
    return stack;
  }

  private async run(
    name: string,
    opts: RunOptions,
    f: (s: Stack, onEvent: (e: EngineEvent) => void) => Promise<{ outputs?: Record<string, unknown> }>,
  ): Promise<EngineResult> {
    const steps: Step[] = [];
    const violations: Violation[] = [];
    const diagnostics: string[] = [];
    const onEvent = (e: EngineEvent) => {
      const d = e.diagnosticEvent;
      if (d?.severity === "error") diagnostics.push(d.message.trim());
      const m = e.resourcePreEvent?.metadata;
      if (m) steps.push({ op: m.op, urn: m.urn, type: m.type, name: m.urn.slice(m.urn.lastIndexOf("::") + 2) });
      const p = e.policyEvent;
      if (p)
        violations.push({
          policy: p.policyName,
          message: p.message,
          level: p.enforcementLevel,
          ...(p.resourceUrn ? { urn: p.resourceUrn } : {}),
        });
    };
    const stack = await this.stack(name, opts);
    try {
      const r = await f(stack, onEvent);
      return { ok: true, steps, violations, diagnostics, ...(r.outputs ? { outputs: r.outputs } : {}) };
    } catch (e) {
      return { ok: false, steps, violations, diagnostics, error: e instanceof Error ? e.message : String(e) };
    }
  }

  preview(name: string, opts: RunOptions = {}): Promise<EngineResult> {
    return this.run(name, opts, async (s, onEvent) => {
      await s.preview({ policyPacks: [POLICY_PACK], onEvent, color: "never" });
      return {};
    });
  }

  /**
   * `pulumi up` as the CLI runs it by default: a preview with the pack first, and the update only when the
   * preview passed, so a violation creates nothing. Its result's steps are those of the update.
   */
  async up(name: string, opts: RunOptions = {}): Promise<EngineResult> {
    const preview = await this.preview(name, opts);
    if (!preview.ok) return preview;
    return this.run(name, opts, async (s, onEvent) => {
      const r = await s.up({ policyPacks: [POLICY_PACK], onEvent, color: "never" });
      return { outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.value])) };
    });
  }

  destroy(name: string): Promise<EngineResult> {
    return this.run(name, {}, async (s, onEvent) => {
      await s.destroy({ onEvent, color: "never" });
      return {};
    });
  }
}

/** Steps that change something: not `same`, not a `read` (StackReferences), not the stack resource itself. */
export function changes(r: EngineResult): Step[] {
  return r.steps.filter((s) => s.op !== "same" && s.op !== "read" && s.type !== "pulumi:pulumi:Stack");
}

/** Throws with the engine's message and the pack's violations unless the run succeeded. */
export function expectOk(stack: string, what: string, r: EngineResult): EngineResult {
  if (r.ok) return r;
  const v = r.violations.map((x) => `\n  [${x.policy}] ${x.message}`).join("");
  throw new Error(`pulumi ${what} of stack ${stack} failed: ${r.error ?? "unknown error"}${v}`);
}
