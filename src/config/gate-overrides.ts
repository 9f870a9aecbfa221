/**
 * Per-environment calibration of the gate table: `agent-trust:promotionGates` in an environment's foundation
 * stack overrides single numbers of the defaults in src/model/promotion.ts. Every override is reported next to
 * the default it replaced, so a loosened gate is never silent. Safety invariants (zero tolerance) are fixed.
 */
import { z } from "zod";
import {
  DEMOTION_RULES,
  DEMOTION_WINDOW_DAYS,
  gateRows,
  type Bound,
  type Criterion,
  type PromotedPhase,
} from "../model/promotion";

const percent = z
  .number()
  .min(0)
  .max(100, "is a percentage: at most 100")
  .refine(
    (v) => Number.isInteger(Math.round(v * 100)) && Math.abs(v * 100 - Math.round(v * 100)) < 1e-9,
    "may have at most 2 decimals",
  );
const countValue = z.number().int("must be a whole number").min(0);
const roles = z
  .array(z.string().trim().min(1))
  .min(1)
  .refine((rs) => new Set(rs).size === rs.length, "must not repeat a role");

function valueSchema(bound: Bound): z.ZodType {
  switch (bound.kind) {
    case "atLeast":
    case "atMost":
      return countValue;
    case "above":
    case "below":
      return percent;
    case "signOff":
      return roles;
  }
}

function criteriaSchema(criteria: readonly Criterion<never>[], extra: Record<string, z.ZodType> = {}) {
  const shape: Record<string, z.ZodType> = { ...extra };
  for (const c of criteria) if (!c.fixed) shape[c.id] = valueSchema(c.bound).optional();
  return z.strictObject(shape).optional();
}

/** An environment's calibration: single numbers per promoted phase's gate, and of the demotion rules. */
export type GateOverrides = Readonly<Partial<Record<PromotedPhase, Readonly<Record<string, unknown>>>>> & {
  readonly demotion?: Readonly<Record<string, unknown>>;
};

/** The zod schema of `agent-trust:promotionGates`, derived from the table so it can never name a missing criterion. */
export const gateOverridesSchema: z.ZodType<GateOverrides> = z.strictObject({
  ...Object.fromEntries(
    gateRows().map(([phase, g]) => [phase, criteriaSchema(g.criteria as readonly Criterion<never>[])]),
  ),
  demotion: criteriaSchema(DEMOTION_RULES as readonly Criterion<never>[], {
    windowDays: z.number().int().min(1).max(366).optional(),
  }),
});

/** One criterion as it applies in an environment. */
export interface Effective<R> {
  readonly criterion: Criterion<R>;
  readonly bound: Bound;
  /** The default bound when an override replaced it. */
  readonly overridden?: Bound;
}

function withValue(bound: Bound, value: unknown): Bound {
  switch (bound.kind) {
    case "atLeast":
    case "atMost":
      return { kind: bound.kind, value: value as number };
    case "above":
    case "below":
      return { kind: bound.kind, percent: value as number };
    case "signOff":
      return { kind: "signOff", roles: value as string[] };
  }
}

export function effective<R>(
  criteria: readonly Criterion<R>[],
  overrides: Record<string, unknown> | undefined,
): Effective<R>[] {
  return criteria.map((criterion) => {
    const value = overrides?.[criterion.id];
    if (value === undefined || criterion.fixed) return { criterion, bound: criterion.bound };
    return { criterion, bound: withValue(criterion.bound, value), overridden: criterion.bound };
  });
}

export function gateOverridesFor(
  phase: PromotedPhase,
  overrides: GateOverrides | undefined,
): Record<string, unknown> | undefined {
  return overrides?.[phase];
}

export function demotionWindowDays(overrides: GateOverrides | undefined): number {
  const v = overrides?.demotion?.windowDays;
  return typeof v === "number" ? v : DEMOTION_WINDOW_DAYS;
}
