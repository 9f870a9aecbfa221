/** zod field helpers of the stack config: Vault mount paths and Kubernetes quantities. Split from schema.ts. */
import { z } from "zod";
import { compareQuantities, isZero, parseQuantity, QUANTITY_FORMS } from "./quantity";

/** Vault's own top-level paths: a mount there is refused by Vault or shadows Vault itself. */
export const RESERVED_VAULT_PATHS = ["sys", "auth", "identity", "token", "cubbyhole"];
/** A Vault mount path of ours: a simple name, never one of Vault's own paths (nor under one). */
export const mountPath = (fallback: string) =>
  z
    .string()
    .refine(
      (v) => !RESERVED_VAULT_PATHS.includes(v.replace(/^\/+/, "").split("/")[0]!),
      `is a path Vault reserves for itself (${RESERVED_VAULT_PATHS.join(", ")}, and anything under them)`,
    )
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a simple mount path (lowercase a-z, 0-9 and "-", no "/")')
    .default(fallback);

/** A CPU or memory amount: a Kubernetes quantity, above zero. */
export const quantity = (fallback: string) =>
  z
    .string()
    .refine((v) => parseQuantity(v) !== undefined, `must be ${QUANTITY_FORMS}`)
    .refine((v) => {
      const q = parseQuantity(v);
      return !q || !isZero(q);
    }, "must be above zero")
    .default(fallback);

/** Adds an issue at `requestKey` unless request ≤ limit, compared as quantities (`1000m` equals `1`). */
export function requestWithinLimit(
  ctx: z.core.$RefinementCtx,
  path: (string | number)[],
  request: string,
  limit: string,
  limitKey: string,
): void {
  const r = parseQuantity(request);
  const l = parseQuantity(limit);
  if (r && l && compareQuantities(r, l) > 0) {
    ctx.addIssue({
      code: "custom",
      path,
      message: `${request} is above ${limitKey} (${limit}); a request must not exceed its limit`,
    });
  }
}
