/**
 * Reads stack files straight from disk (no Pulumi CLI, no cluster): `Pulumi.yaml` names the config directory,
 * `stacks/Pulumi.<stack>.yaml` holds each stack's config. Used by the renderer and the tests.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { foundationOutputs, type FoundationOutputs } from "../model/foundation";
import { ConfigError, parseStackConfig } from "./parse";
import type { StackConfig } from "./schema";
import { PACKAGE_ROOT } from "../package-root";

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function findUp(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The project holding Pulumi.yaml: the working directory or its nearest ancestor with one (the user's
 * project), else this package's own (its shipped stacks).
 */
export function projectRoot(start = process.cwd()): string {
  const root = findUp(start) ?? findUp(PACKAGE_ROOT);
  if (!root) throw new ConfigError(`no Pulumi.yaml found in ${start} or above`);
  return root;
}

export function stackConfigDir(root: string): string {
  const project = parseYaml(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { stackConfigDir?: string };
  return path.join(root, project.stackConfigDir ?? ".");
}

/** Every stack that has a config file, sorted. */
export function listStacks(root = projectRoot()): string[] {
  return fs
    .readdirSync(stackConfigDir(root))
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** The raw `config:` map of one stack file, with a clear error for a missing or malformed file. */
export function readStackFile(stack: string, root = projectRoot()): { file: string; raw: Record<string, unknown> } {
  if (!STACK_NAME.test(stack)) throw new ConfigError(`"${stack}" is not a valid stack name`);
  const file = path.join(stackConfigDir(root), `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new ConfigError(
      `no stack "${stack}": ${path.relative(root, file)} does not exist (stacks: ${listStacks(root).join(", ")})`,
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new ConfigError(`${path.relative(root, file)} is not valid YAML: ${(e as Error).message}`);
  }
  const config = (doc as { config?: unknown } | null)?.config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(`${path.relative(root, file)} has no "config:" map`);
  }
  return { file: path.relative(root, file), raw: config as Record<string, unknown> };
}

export function loadStackConfig(stack: string, root = projectRoot()): StackConfig {
  const { file, raw } = readStackFile(stack, root);
  return parseStackConfig(raw, file);
}

/** The short stack name in `org/project/stack` or `stack` form. */
export function shortStackName(ref: string): string {
  return ref.split("/").pop()!;
}

/** The foundation a phase stack builds on, read from the foundation stack's own file. */
export function loadFoundationFor(cfg: StackConfig, root = projectRoot()): FoundationOutputs {
  if (cfg.layer === "foundation") return foundationOutputs(cfg);
  const stack = shortStackName(cfg.foundationStack ?? cfg.environment);
  const foundation = loadStackConfig(stack, root);
  if (foundation.layer !== "foundation") {
    throw new ConfigError(`agent-trust:foundationStack "${stack}" is a ${foundation.layer} stack, not a foundation`);
  }
  return foundationOutputs(foundation);
}
