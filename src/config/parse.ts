/**
 * The one edge where raw configuration becomes typed config. Both the Pulumi program (from the engine's config)
 * and the renderer (from the stack YAML files) come through here, so they can never disagree about a value.
 */
import { z } from "zod";
import { foundationSchema, phaseSchema, type StackConfig } from "./schema";

export const CONFIG_NAMESPACE = "agent-trust";

/** Config keys that hold secrets; they are read separately and never enter the typed, renderable config. */
export const SECRET_KEYS = ["vaultTokenReviewerJwt"] as const;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** `["agents", 0, "name"]` → `agent-trust:agents[0].name`, the key as a user writes it in a stack file. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = `${CONFIG_NAMESPACE}:`;
  path.forEach((seg, i) => {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += i === 0 ? String(seg) : `.${String(seg)}`;
  });
  return out;
}

function describe(issue: z.core.$ZodIssue): string[] {
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((k) => `${keyPath([...issue.path, k])}: unknown key; check its spelling`);
    case "invalid_value":
      return [`${keyPath(issue.path)}: ${JSON.stringify(issue.input)} is not allowed; allowed: ${issue.values.map(String).join(", ")}`];
    case "invalid_union":
      return [`${keyPath(issue.path)}: ${issue.message}; see README "Configuration" for the allowed shapes`];
    default:
      return [`${keyPath(issue.path)}: ${issue.message}`];
  }
}

/**
 * Turns `{"agent-trust:phase": "shadow", "kubernetes:context": "x"}` into the typed config of the stack,
 * throwing one ConfigError listing every problem, each naming its exact key. Keys of other namespaces are
 * provider settings and pass through untouched.
 */
export function parseStackConfig(raw: Record<string, unknown>, source: string): StackConfig {
  const ours: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const [ns, ...rest] = key.split(":");
    if (ns !== CONFIG_NAMESPACE) continue;
    const name = rest.join(":");
    if ((SECRET_KEYS as readonly string[]).includes(name)) continue;
    ours[name] = value;
  }
  const layer = ours["layer"];
  if (layer !== "foundation" && layer !== "phase") {
    throw new ConfigError(
      `invalid config in ${source}:\n  ${keyPath(["layer"])}: ${layer === undefined ? "is required" : `${JSON.stringify(layer)} is not allowed`}; allowed: foundation, phase`,
    );
  }
  const schema = layer === "foundation" ? foundationSchema : phaseSchema;
  const result = schema.safeParse(ours, { reportInput: true });
  if (!result.success) {
    const lines = result.error.issues.flatMap(describe);
    throw new ConfigError(`invalid config in ${source}:\n  ${lines.join("\n  ")}`);
  }
  return result.data;
}

/**
 * The engine hands structured config values over as JSON text and scalars as strings; this restores the
 * values the user wrote so the same schema applies to the engine's config and to the YAML files.
 */
export function decodeEngineConfig(raw: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const t = value.trim();
    if (t.startsWith("{") || t.startsWith("[") || /^-?\d+$/.test(t) || t === "true" || t === "false") {
      try {
        out[key] = JSON.parse(t);
        continue;
      } catch {
        // Not JSON after all: keep the text, and let the schema say what is wrong with it.
      }
    }
    out[key] = value;
  }
  return out;
}
