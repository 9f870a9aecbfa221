/**
 * `agent-trust render`: a stack's desired state as multi-document YAML, read from the stack files alone and
 * byte-for-byte deterministic, so a pull request can show exactly what a config change grants.
 */
import { stringify } from "yaml";
import { planAdmission } from "../admission/policies";
import { loadFoundationFor, loadStackConfig, projectRoot } from "../config/stacks";
import type { StackConfig } from "../config/schema";
import { ceilingMessage, isAbove } from "../model/phases";
import { planAuditPolicy } from "../plan/audit";
import { planFoundation } from "../plan/foundation";
import { manifestsOf } from "../plan/manifests";
import type { Manifest } from "../model/manifest";
import { VAULT_API_VERSION } from "../model/manifest";
import { planPhase } from "../plan/phase";
import { ensureOutDir, writeFileSafely } from "./write";

export { RenderOutputError } from "./write";

export interface Rendered {
  readonly stack: string;
  readonly config: StackConfig;
  readonly kubernetes: Manifest[];
  readonly vault: Manifest[];
  /** For a foundation: the API server audit policy the environment's cluster should run with. */
  readonly auditPolicy?: Record<string, unknown>;
  /** Things a reviewer must know, e.g. that this phase is above its environment's ceiling. */
  readonly warnings: string[];
}

/** Plans a stack from its files. Never refuses a phase above the ceiling: it says so in `warnings`. */
export function renderStack(stack: string, root = projectRoot()): Rendered {
  const config = loadStackConfig(stack, root);
  const foundation = loadFoundationFor(config, root);
  const warnings: string[] = [];
  let objects: Manifest[];
  let auditPolicy: Record<string, unknown> | undefined;
  if (config.layer === "foundation") {
    objects = manifestsOf(planFoundation(config, planAdmission));
    auditPolicy = planAuditPolicy(config);
  } else {
    if (isAbove(config.phase, foundation.phaseCeiling)) {
      warnings.push(
        `${ceilingMessage(config.environment, config.phase, foundation.phaseCeiling)}; rendered for review only, deploying it is refused`,
      );
    }
    objects = manifestsOf(planPhase(config, foundation, { allowAboveCeiling: true }));
  }
  return {
    stack,
    config,
    kubernetes: objects.filter((o) => o.apiVersion !== VAULT_API_VERSION),
    vault: objects.filter((o) => o.apiVersion === VAULT_API_VERSION),
    ...(auditPolicy ? { auditPolicy } : {}),
    warnings,
  };
}

/** Multi-document YAML with a provenance header; stable key order and no line folding, so diffs stay small. */
export function toYaml(objects: readonly Manifest[], header: string): string {
  const docs = objects.map((o) => stringify(o, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false }));
  return `# ${header}\n` + docs.map((d) => `---\n${d}`).join("");
}

/** The files of a rendered stack, in order: `kubernetes.yaml`, `vault.yaml` (and a foundation's `audit-policy.yaml`). */
export function renderedFiles(r: Rendered): [name: string, text: string][] {
  const header = `Rendered by agent-trust from stack "${r.stack}". Generated; do not edit.`;
  const files: [string, string][] = [
    ["kubernetes.yaml", toYaml(r.kubernetes, header)],
    ["vault.yaml", toYaml(r.vault, header)],
  ];
  if (r.auditPolicy) {
    // Not a cluster object: kept out of kubernetes.yaml so `kubectl apply -f` of that file stays valid.
    files.push([
      "audit-policy.yaml",
      toYaml([r.auditPolicy as Manifest], `${header} Pass to kube-apiserver --audit-policy-file.`),
    ]);
  }
  return files;
}

/** Every file of a rendered stack as one YAML stream (`render --out -`), each part under its file's header. */
export function renderedStream(r: Rendered): string {
  return renderedFiles(r)
    .map(([name, text]) => text.replace(/^# /, `# ${name}: `))
    .join("");
}

/**
 * Writes `kubernetes.yaml` and `vault.yaml` (and a foundation's `audit-policy.yaml`) into `outDir`; returns the
 * files written. Never follows a symbolic link inside `outDir` (see `write.ts`); throws RenderOutputError.
 */
export function writeRendered(r: Rendered, outDir: string): string[] {
  ensureOutDir(outDir);
  return renderedFiles(r).map(([name, text]) => writeFileSafely(outDir, name, text));
}
