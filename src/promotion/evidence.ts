/**
 * Evidence files (`evidence/<env>/<agent>.yaml`): the measured record per phase, with its window, the counts
 * behind every rate and the sign-offs; and observation files (a recent window of the current phase) for the
 * demotion rules. Parsed with zod; every problem names its key, and a bad file yields no record at all.
 */
import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { isDnsLabel } from "../model/naming";
import { ENVIRONMENTS, PHASES } from "../model/phases";
import type { Observation, RecordOf, Window } from "../model/promotion";

export class EvidenceError extends Error {
  override readonly name = "EvidenceError";
}

// Capped so that rate comparisons (count × 10000) stay exact in floating point.
const count = z.number().int("must be a whole number").min(0, "must not be negative").max(1_000_000_000, "must be at most 1000000000");
const isoDate = z.iso.date("must be a date written YYYY-MM-DD");
const window = z
  .strictObject({ from: isoDate, to: isoDate })
  .refine((w) => w.from <= w.to, { message: "from must not be after to", path: ["from"] });
const ratio = z
  .strictObject({ count, of: count })
  .refine((r) => r.count <= r.of, { message: "count must not exceed of", path: ["count"] });
const signOff = z.strictObject({ person: z.string().trim().min(1), role: z.string().trim().min(1), date: isoDate });
const signOffs = z.array(signOff).default([]);

type Ctx = z.core.$RefinementCtx;
const issue = (ctx: Ctx, path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message });

/** Sign-offs confirm a record that exists: none may predate the end of its window. */
function signedAfterWindow(r: { window: Window; signOffs: readonly { date: string }[] }, ctx: Ctx): void {
  r.signOffs.forEach((s, i) => {
    if (s.date < r.window.to) issue(ctx, ["signOffs", i, "date"], `${s.date} is before the end of the window (${r.window.to})`);
  });
}

const shadowRecord = z
  .strictObject({
    window,
    incidents: count,
    domains: z.record(z.string().min(1), count),
    diagnosticAccuracy: ratio,
    unsafeActionAttempts: count,
    signOffs,
  })
  .superRefine((r, ctx) => {
    const sum = Object.values(r.domains).reduce((a, b) => a + b, 0);
    if (sum !== r.incidents) issue(ctx, ["domains"], `the per-domain counts add up to ${sum}, not to incidents (${r.incidents})`);
    if (r.diagnosticAccuracy.of !== r.incidents) issue(ctx, ["diagnosticAccuracy", "of"], `must equal incidents (${r.incidents}): every incident is diagnosed`);
    signedAfterWindow(r, ctx);
  });

const assistRecord = z
  .strictObject({
    window,
    incidents: count,
    operatorAgreement: ratio,
    outOfScopeRecommendations: count,
    minimalEditAcceptance: ratio,
    signOffs,
  })
  .superRefine((r, ctx) => {
    if (r.operatorAgreement.of > r.incidents) issue(ctx, ["operatorAgreement", "of"], `must not exceed incidents (${r.incidents})`);
    if (r.minimalEditAcceptance.of > r.incidents) issue(ctx, ["minimalEditAcceptance", "of"], `must not exceed incidents (${r.incidents})`);
    signedAfterWindow(r, ctx);
  });

const remediationRecord = z
  .strictObject({
    window,
    approvedRemediations: count,
    successfulCompletion: ratio,
    rollbacks: ratio,
    escalationCorrectness: ratio,
    signOffs,
  })
  .superRefine((r, ctx) => {
    if (r.successfulCompletion.of !== r.approvedRemediations) {
      issue(ctx, ["successfulCompletion", "of"], `must equal approvedRemediations (${r.approvedRemediations})`);
    }
    if (r.rollbacks.of !== r.successfulCompletion.count) {
      issue(ctx, ["rollbacks", "of"], `must equal the successful remediations (successfulCompletion.count = ${r.successfulCompletion.count})`);
    }
    signedAfterWindow(r, ctx);
  });

const agentName = z.string().refine(isDnsLabel, "must be the agent's name (a DNS label)");

export const evidenceFileSchema = z
  .strictObject({
    agent: agentName,
    environment: z.enum(ENVIRONMENTS),
    records: z.strictObject({ shadow: shadowRecord.optional(), assist: assistRecord.optional(), remediation: remediationRecord.optional() }),
  })
  .superRefine((f, ctx) => {
    // A phase is measured after the phase before it: overlapping windows mean a record was mislabelled.
    const order = (["shadow", "assist", "remediation"] as const).filter((p) => f.records[p]);
    for (let i = 1; i < order.length; i++) {
      const before = f.records[order[i - 1]!]!.window;
      const after = f.records[order[i]!]!.window;
      if (after.from < before.to) {
        issue(ctx, ["records", order[i]!, "window", "from"], `${after.from} is before the end of the ${order[i - 1]} window (${before.to})`);
      }
    }
  });
export interface EvidenceFile {
  readonly agent: string;
  readonly environment: (typeof ENVIRONMENTS)[number];
  readonly records: { readonly [P in keyof RecordOf]?: RecordOf[P] };
}

const WRITE_PHASES: readonly string[] = ["remediation", "autonomous"];

export const observationSchema = z
  .strictObject({
    agent: agentName,
    environment: z.enum(ENVIRONMENTS),
    phase: z.enum(PHASES),
    window,
    diagnosticAccuracy: ratio,
    rollbacks: ratio.optional(),
    outOfScopeActions: count,
  })
  .superRefine((o, ctx) => {
    if (WRITE_PHASES.includes(o.phase) && !o.rollbacks) issue(ctx, ["rollbacks"], `is required in ${o.phase}: the rollbacks of successful remediations ({count, of})`);
    if (!WRITE_PHASES.includes(o.phase) && o.rollbacks && o.rollbacks.of > 0) issue(ctx, ["rollbacks"], `${o.phase} has no write rights, so it has no remediations to roll back`);
  });

/** `["records", "shadow", "incidents"]` → `records.shadow.incidents`; `["signOffs", 0]` → `signOffs[0]`. */
export function keyOf(path: readonly PropertyKey[]): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join("") || "(top level)";
}

function describe(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") return issue.keys.map((k) => `${keyOf([...issue.path, k])}: unknown key; check its spelling`);
  if (issue.code === "invalid_value") return [`${keyOf(issue.path)}: ${JSON.stringify(issue.input)} is not allowed; allowed: ${issue.values.map(String).join(", ")}`];
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
  if (!result.success) throw new EvidenceError(`invalid evidence in ${source}:\n  ${result.error.issues.flatMap(describe).join("\n  ")}`);
  const future = datesIn(result.data).filter(([, d]) => d > today);
  if (future.length > 0) {
    throw new EvidenceError(`invalid evidence in ${source}:\n  ${future.map(([k, d]) => `${k}: ${d} is in the future (today is ${today})`).join("\n  ")}`);
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
  return parseWith(evidenceFileSchema, readText(file, label), label, today) as EvidenceFile;
}

export function loadObservation(file: string, label = file, today = todayUtc()): Observation {
  return parseWith(observationSchema, readText(file, label), label, today) as Observation;
}

/** Days covered by a window, both ends inclusive. */
export function windowDays(w: Window): number {
  return Math.round((Date.parse(`${w.to}T00:00:00Z`) - Date.parse(`${w.from}T00:00:00Z`)) / 86_400_000) + 1;
}
