/**
 * The one edge where raw configuration becomes typed config. Both the Pulumi program (from the engine's config)
 * and the renderer (from the stack YAML files) come through here, so they can never disagree about a value.
 */
import { z } from "zod";
import { foundationSchema, phaseSchema, type StackConfig } from "./schema";

export const CONFIG_NAMESPACE = "agent-trust";

/**
 * Config namespaces a stack file may use besides ours: the providers the program creates (kubernetes, vault,
 * random) and Pulumi's own. A key under any other namespace is a typo (`agnet-trust:phase`) that would otherwise
 * be ignored silently while the stack runs on defaults.
 */
export const PROVIDER_NAMESPACES = ["kubernetes", "vault", "random", "pulumi"] as const;

/** Keys in no namespace we know, each as a message naming the key. */
function unknownNamespaceKeys(raw: Record<string, unknown>): string[] {
  const known = [CONFIG_NAMESPACE, ...PROVIDER_NAMESPACES];
  return Object.keys(raw).flatMap((key) => {
    const colon = key.indexOf(":");
    if (colon < 0) return [`${key}: config keys are "<namespace>:<key>"; allowed namespaces: ${known.join(", ")}`];
    const ns = key.slice(0, colon);
    if (known.includes(ns)) return [];
    const close = known.find((k) => editDistance(k, ns) <= 2);
    return [
      `${key}: unknown config namespace "${ns}"${close ? ` (did you mean "${close}:"?)` : ""}; allowed namespaces: ${known.join(", ")}`,
    ];
  });
}

function editDistance(a: string, b: string): number {
  const row = [...Array(b.length + 1).keys()];
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

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

/** The schema inside wrappers (optional, default, pipe...). */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  for (;;) {
    const def = schema._zod.def as unknown as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
    if (def.innerType) schema = def.innerType;
    else if (def.type === "pipe" && def.in) schema = def.in;
    else return schema;
  }
}

/** The keys an object at `path` of `schema` allows, for "unknown key" messages. */
export function allowedKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let cur: z.core.$ZodType | undefined = schema;
  for (const seg of path) {
    if (!cur) return [];
    const def = unwrap(cur)._zod.def as unknown as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
      valueType?: z.core.$ZodType;
    };
    cur =
      def.type === "object"
        ? def.shape?.[String(seg)]
        : def.type === "array"
          ? def.element
          : def.type === "record"
            ? def.valueType
            : undefined;
  }
  const def = cur
    ? (unwrap(cur)._zod.def as unknown as { type: string; shape?: Record<string, unknown>; keyType?: z.core.$ZodType })
    : undefined;
  if (def?.type === "record" && def.keyType) {
    const keyDef = unwrap(def.keyType)._zod.def as unknown as { type: string; entries?: Record<string, string> };
    return keyDef.type === "enum" && keyDef.entries ? Object.values(keyDef.entries) : [];
  }
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
}

function describe(issue: z.core.$ZodIssue, schema: z.core.$ZodType): string[] {
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(schema, issue.path);
      const hint = allowed.length ? `; allowed here: ${allowed.join(", ")}` : "";
      return issue.keys.map((k) => `${keyPath([...issue.path, k])}: unknown key; check its spelling${hint}`);
    }
    case "invalid_value":
      return [
        `${keyPath(issue.path)}: ${JSON.stringify(issue.input)} is not allowed; allowed: ${issue.values.map(String).join(", ")}`,
      ];
    case "invalid_union":
      return [`${keyPath(issue.path)}: ${issue.message}; see README "Configuration" for the allowed shapes`];
    default:
      return [`${keyPath(issue.path)}: ${issue.message}`];
  }
}

/**
 * Turns `{"agent-trust:phase": "shadow", "kubernetes:context": "x"}` into the typed config of the stack,
 * throwing one ConfigError listing every problem, each naming its exact key. Keys of the provider namespaces
 * pass through untouched; a key of any other namespace is an error.
 */
export function parseStackConfig(raw: Record<string, unknown>, source: string): StackConfig {
  const foreign = unknownNamespaceKeys(raw);
  if (foreign.length > 0) throw new ConfigError(`invalid config in ${source}:\n  ${foreign.join("\n  ")}`);
  const ours: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const [ns, ...rest] = key.split(":");
    if (ns !== CONFIG_NAMESPACE) continue;
    const name = rest.join(":");
    if ((SECRET_KEYS as readonly string[]).includes(name)) continue;
    ours[name] = value;
  }
  const layer = ours.layer;
  if (layer !== "foundation" && layer !== "phase") {
    throw new ConfigError(
      `invalid config in ${source}:\n  ${keyPath(["layer"])}: ${layer === undefined ? "is required" : `${JSON.stringify(layer)} is not allowed`}; allowed: foundation, phase`,
    );
  }
  const schema = layer === "foundation" ? foundationSchema : phaseSchema;
  const result = schema.safeParse(ours, { reportInput: true });
  if (!result.success) {
    const lines = result.error.issues.flatMap((i) => describe(i, schema));
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
