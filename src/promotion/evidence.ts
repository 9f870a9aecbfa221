/**
 * Evidence files (`evidence/<env>/<agent>.yaml`): the measured record per phase, with its window, the counts
 * behind every rate and the sign-offs; and observation files (a recent window of the current phase) for the
 * demotion rules. Parsed with zod; every problem names its key, and a bad file yields no record at all.
 */
import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { isDnsLabel } from "../model/naming";
import { phaseSpec } from "../model/catalog";
import { ENVIRONMENTS, PHASES } from "../model/phases";
import { gateRows, type Observation, type RecordOf, type Window } from "../model/promotion";
import { countField, issue, ratioField, windowField } from "../model/promotion-gates";

export class EvidenceError extends Error {
  override readonly name = "EvidenceError";
}

const agentName = z.string().refine(isDnsLabel, "must be the agent's name (a DNS label)");

/** `records`: one optional record per gate row, under the phase it was measured in. */
const records = z.strictObject(Object.fromEntries(gateRows().map(([, g]) => [g.from, g.record.optional()])));

export const evidenceFileSchema = z
  .strictObject({ agent: agentName, environment: z.enum(ENVIRONMENTS), records })
  .superRefine((f, ctx) => {
    // A phase is measured after the phase before it: overlapping windows mean a record was mislabelled.
    const windows = f.records as Readonly<Record<string, { window: Window } | undefined>>;
    const order = PHASES.filter((p) => windows[p]);
    for (let i = 1; i < order.length; i++) {
      const before = windows[order[i - 1]!]!.window;
      const after = windows[order[i]!]!.window;
      if (after.from < before.to) {
        issue(
          ctx,
          ["records", order[i]!, "window", "from"],
          `${after.from} is before the end of the ${order[i - 1]} window (${before.to})`,
        );
      }
    }
  });

export interface EvidenceFile {
  readonly agent: string;
  readonly environment: (typeof ENVIRONMENTS)[number];
  readonly records: { readonly [P in keyof RecordOf]?: RecordOf[P] };
}

export const observationSchema = z
  .strictObject({
    agent: agentName,
    environment: z.enum(ENVIRONMENTS),
    phase: z.enum(PHASES),
    window: windowField,
    diagnosticAccuracy: ratioField,
    rollbacks: ratioField.optional(),
    outOfScopeActions: countField,
  })
  .superRefine((o, ctx) => {
    const writes = !phaseSpec(o.phase).readOnly;
    if (writes && !o.rollbacks)
      issue(ctx, ["rollbacks"], `is required in ${o.phase}: the rollbacks of successful remediations ({count, of})`);
    if (!writes && o.rollbacks && o.rollbacks.of > 0)
      issue(ctx, ["rollbacks"], `${o.phase} has no write rights, so it has no remediations to roll back`);
  });

/** `["records", "shadow", "incidents"]` → `records.shadow.incidents`; `["signOffs", 0]` → `signOffs[0]`. */
export function keyOf(path: readonly PropertyKey[]): string {
  return (
    path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join("") ||
    "(top level)"
  );
}

function describe(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys")
    return issue.keys.map((k) => `${keyOf([...issue.path, k])}: unknown key; check its spelling`);
  if (issue.code === "invalid_value")
    return [
      `${keyOf(issue.path)}: ${JSON.stringify(issue.input)} is not allowed; allowed: ${issue.values.map(String).join(", ")}`,
    ];
  if (issue.code === "invalid_type" && issue.input === undefined) return [`${keyOf(issue.path)}: is required`];
  return [`${keyOf(issue.path)}: ${issue.message}`];
}

/** Parses YAML text with a schema; throws one EvidenceError listing every problem, each naming its key. */
export function parseWith<T>(schema: z.ZodType<T>, text: string, source: string, today: string): T {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new EvidenceError(`${source} is not valid YAML: ${(e as Error).message}`);
  }
  const result = schema.safeParse(doc, { reportInput: true });
  if (!result.success)
    throw new EvidenceError(`invalid evidence in ${source}:\n  ${result.error.issues.flatMap(describe).join("\n  ")}`);
  const future = datesIn(result.data).filter(([, d]) => d > today);
  if (future.length > 0) {
    throw new EvidenceError(
      `invalid evidence in ${source}:\n  ${future.map(([k, d]) => `${k}: ${d} is in the future (today is ${today})`).join("\n  ")}`,
    );
  }
  return result.data;
}

/** Every date in a parsed document with its key: windows and sign-offs must not lie in the future. */
function datesIn(value: unknown, path: PropertyKey[] = []): [string, string][] {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return [[keyOf(path), value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => datesIn(v, [...path, i]));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => datesIn(v, [...path, k]));
  return [];
}

export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function readText(file: string, label: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new EvidenceError(`cannot read ${label}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function loadEvidenceFile(file: string, label = file, today = todayUtc()): EvidenceFile {
  return parseWith(evidenceFileSchema, readText(file, label), label, today);
}

export function loadObservation(file: string, label = file, today = todayUtc()): Observation {
  return parseWith(observationSchema, readText(file, label), label, today);
}

/** Days covered by a window, both ends inclusive. */
export function windowDays(w: Window): number {
  return Math.round((Date.parse(`${w.to}T00:00:00Z`) - Date.parse(`${w.from}T00:00:00Z`)) / 86_400_000) + 1;
}
