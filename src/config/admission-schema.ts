/**
 * The foundation's `agent-trust:admission` block: the runtime backstop's mode, deployer identity, scale bounds and
 * protected-namespace label (src/admission/policies.ts reads it). Split from schema.ts; parsed as part of it.
 */
import { z } from "zod";
import { BROAD_GROUPS } from "../model/forbidden";

/** A list whose entries are distinct. */
export const unique = <T extends z.ZodType>(item: T, what: string) =>
  z.array(item).refine((xs) => new Set(xs).size === xs.length, `${what} must not repeat an entry`);

/** A user or group name as the API server reports it; no commas (the admission parameters list them comma-separated). */
const identity = (what: string) =>
  z
    .string()
    .min(1)
    .max(253)
    .refine((v) => !/[,\s]/.test(v), `${what} must not contain commas or whitespace`);

/** The runtime backstop: the ValidatingAdmissionPolicies the foundation installs (src/admission/policies.ts). */
export const admission = z.strictObject({
  /** `enforce`: validationActions [Deny]. `warn` ([Warn, Audit]) is allowed in dev only. */
  mode: z.enum(["enforce", "warn"]).default("enforce"),
  /** The only identity that may create or change a binding naming an agent ServiceAccount (system:masters is not). */
  deployer: z
    .strictObject({
      users: unique(identity("deployer user"), "deployer.users").default([]),
      groups: unique(
        identity("deployer group").refine(
          (g) => !BROAD_GROUPS.includes(g) && !g.startsWith("system:serviceaccounts:"),
          `must not be a broad system group (${BROAD_GROUPS.join(", ")}, system:serviceaccounts:<ns>)`,
        ),
        "deployer.groups",
      ).default([]),
    })
    .refine(
      (d) => d.users.length + d.groups.length > 0,
      "must name at least one user or group (the identity that runs pulumi up)",
    ),
  /** Bounds on an agent's scaling of deployments/scale. */
  scale: z
    .strictObject({
      minReplicas: z.number().int().min(1).default(1),
      maxReplicas: z.number().int().min(1).max(1000).default(10),
      /** Largest factor of one scaling step (2: at most double or half). */
      maxStepFactor: z.number().int().min(2).max(10).default(2),
    })
    .prefault({})
    .refine((s) => s.minReplicas <= s.maxReplicas, "minReplicas must not exceed maxReplicas"),
  /** Namespaces carrying this label with value "true" are off limits to every agent write (the agents namespace carries it). */
  protectedLabel: z
    .string()
    .regex(
      /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
      "must be a label key such as agent-trust.io/protected",
    )
    .default("agent-trust.io/protected"),
});
export type AdmissionConfig = z.infer<typeof admission>;
