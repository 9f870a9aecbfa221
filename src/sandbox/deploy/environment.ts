/**
 * The environment a sandbox deploys: the foundation stack and the four phase stacks of one environment, rendered
 * from the stack files exactly as `agent-trust render` would, plus the facts the harness needs from them.
 */
import type { AgentConfig, FoundationConfig, PhaseConfig } from "../../config/schema";
import { projectRoot } from "../../config/stacks";
import { stackName } from "../../model/naming";
import { PHASES, type Environment, type Phase } from "../../model/phases";
import { renderStack, type Rendered } from "../../render";

export interface SandboxEnvironment {
  readonly environment: Environment;
  readonly foundation: Rendered & { config: FoundationConfig; auditPolicy: Record<string, unknown> };
  readonly phases: Readonly<Record<Phase, Rendered & { config: PhaseConfig }>>;
  /** The agents namespace. */
  readonly namespace: string;
  readonly agents: Readonly<Record<Phase, readonly AgentConfig[]>>;
  /** Every namespace some agent targets; the sandbox creates them, as a real cluster would already have them. */
  readonly targetNamespaces: readonly string[];
}

function byPhase<T>(f: (p: Phase) => T): Record<Phase, T> {
  return Object.fromEntries(PHASES.map((p) => [p, f(p)])) as Record<Phase, T>;
}

export function loadEnvironment(environment: Environment = "dev", root = projectRoot()): SandboxEnvironment {
  const foundation = renderStack(stackName(environment), root);
  if (foundation.config.layer !== "foundation" || !foundation.auditPolicy) {
    throw new Error(`stack "${stackName(environment)}" is not a foundation stack`);
  }
  const phases = byPhase((phase) => {
    const r = renderStack(stackName(environment, phase), root);
    if (r.config.layer !== "phase" || r.config.phase !== phase)
      throw new Error(`stack "${r.stack}" is not the ${phase} phase stack`);
    return r as Rendered & { config: PhaseConfig };
  });
  const agents = byPhase((p) => phases[p].config.agents);
  const targetNamespaces = [...new Set(PHASES.flatMap((p) => agents[p].flatMap((a) => a.targetNamespaces)))].sort();
  return {
    environment,
    foundation: foundation as SandboxEnvironment["foundation"],
    phases,
    namespace: foundation.config.namespace,
    agents,
    targetNamespaces,
  };
}
