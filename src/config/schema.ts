/**
 * The stack configuration schema. Config is parsed once, at the program's edge, into these types; nothing
 * downstream reads raw config. Every object is strict so a misspelled key is an error, not a silent default.
 */
import { z } from "zod";
import { EGRESS_CLASSES, LIMITS, SECRET_DOMAINS } from "../model/catalog";
import { cidrContains, metadataRange, parseCidr } from "../model/cidr";
import { DEFAULTS, isDnsLabel } from "../model/naming";
import { gateFor, promotionProblems } from "../model/promotion";
import { evidenceReference } from "../promotion/reference";
import { gateOverridesSchema } from "../promotion/thresholds";
import { ENVIRONMENTS, PHASES } from "../model/phases";

const dnsLabel = (what: string, maxLength = 63) =>
  z
    .string()
    .max(maxLength, `${what} must be at most ${maxLength} characters`)
    .refine((v) => isDnsLabel(v), `${what} must be a DNS label (lowercase a-z, 0-9 and "-"); "*" is never allowed`);

/** Namespaces the control plane owns: an agent that targets them is a cluster-wide agent in disguise. */
const RESERVED_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease", "default"];

const unique = <T extends z.ZodTypeAny>(item: T, what: string) =>
  z.array(item).refine((xs) => new Set(xs).size === xs.length, `${what} must not repeat an entry`);

const labelMap = z.record(z.string().min(1), z.string());

const port = z.strictObject({
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(["TCP", "UDP"]).default("TCP"),
});
const ports = z.array(port).min(1, "every egress destination must name its ports; all-ports egress is refused");

const cidr = z
  .string()
  .refine((v) => parseCidr(v) !== undefined, "must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32")
  .refine((v) => {
    const c = parseCidr(v);
    // The cloud metadata service hands out node credentials: never a destination, however it is spelled.
    return !c || !cidrContains(metadataRange(c.family), c);
  }, "must not point into the cloud metadata range (169.254.0.0/16, fd00:ec2::/32)");

const cidrDestination = z.strictObject({ cidr, ports });
const selectorDestination = z.strictObject({
  namespaceSelector: labelMap.refine((m) => Object.keys(m).length > 0, "must select by at least one label"),
  podSelector: labelMap.optional(),
  ports,
});
const destination = z.union([cidrDestination, selectorDestination]);
export type EgressDestination = z.infer<typeof destination>;

const egressClass = z.enum(EGRESS_CLASSES.filter((c) => c !== "dns") as [string, ...string[]]);

const agent = z.strictObject({
  // 30 characters leaves room for "-<phase>-investigation" inside the 63-character DNS label limit.
  name: dnsLabel("agent name", 30),
  image: z.string().min(1),
  secretDomains: unique(z.enum(SECRET_DOMAINS), "secretDomains").min(1),
  targetNamespaces: unique(
    dnsLabel("target namespace").refine(
      (ns) => !RESERVED_NAMESPACES.includes(ns),
      `system namespaces (${RESERVED_NAMESPACES.join(", ")}) cannot be targets`,
    ),
    "targetNamespaces",
  ).min(1),
  resourceNames: z
    .strictObject({ pods: z.array(dnsLabel("pod name", 253)).min(1), deployments: z.array(dnsLabel("deployment name", 253)).min(1) })
    .partial()
    .optional(),
  egress: z.partialRecord(egressClass, z.array(destination).min(1)).default({}),
  /** The evidence this agent earned its phase with; required above shadow, checked against the gates. */
  promotion: z
    .strictObject({
      /** The evidence file (`evidence/<env>/<agent>.yaml`) the gate judges: `agent-trust gate <stack>`. */
      evidence: evidenceReference,
      approvedBy: z.array(z.string().min(1)).min(1),
      /** Where the review happened: a pull request or change ticket. */
      reference: z.string().min(1),
    })
    .optional(),
});
export type AgentConfig = z.infer<typeof agent>;

const seconds = (max: number) => z.number().int().min(60).max(max, `must be at most ${max} seconds`);

export interface TierConfig {
  cpuRequest: string;
  memoryRequest: string;
  cpuLimit: string;
  memoryLimit: string;
  workspaceSize: string;
  deadlineSeconds: number;
  maxReasoningCycles: number;
}

/** Each tier's defaults; a stack that sets some fields of a tier keeps that tier's defaults for the rest. */
export const DEFAULT_TIERS = {
  simple: { cpuRequest: "250m", memoryRequest: "256Mi", cpuLimit: "500m", memoryLimit: "512Mi", workspaceSize: "512Mi", deadlineSeconds: 300, maxReasoningCycles: 8 },
  complex: { cpuRequest: "500m", memoryRequest: "512Mi", cpuLimit: "1", memoryLimit: "1Gi", workspaceSize: "1Gi", deadlineSeconds: 900, maxReasoningCycles: 15 },
} satisfies Record<string, TierConfig>;

const tier = (d: TierConfig) =>
  z
    .strictObject({
      cpuRequest: z.string().min(1).default(d.cpuRequest),
      memoryRequest: z.string().min(1).default(d.memoryRequest),
      cpuLimit: z.string().min(1).default(d.cpuLimit),
      memoryLimit: z.string().min(1).default(d.memoryLimit),
      workspaceSize: z.string().min(1).default(d.workspaceSize),
      deadlineSeconds: seconds(LIMITS.maxJobDeadlineSeconds).default(d.deadlineSeconds),
      maxReasoningCycles: z.number().int().min(1).max(50).default(d.maxReasoningCycles),
    })
    .prefault({});

const common = {
  environment: z.enum(ENVIRONMENTS),
  namespace: dnsLabel("namespace").default(DEFAULTS.namespace),
};

export const foundationSchema = z.strictObject({
  ...common,
  layer: z.literal("foundation"),
  phaseCeiling: z.enum(PHASES),
  /** This environment's calibration of the promotion gates (src/promotion/thresholds.ts); shown by the gate. */
  promotionGates: gateOverridesSchema.optional(),
  vault: z.strictObject({
    authMount: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be a simple mount path").default(DEFAULTS.authMount),
    kvMount: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be a simple mount path").default(DEFAULTS.kvMount),
    audience: z.string().min(1).default(DEFAULTS.audience),
    kubernetesHost: z.url({ protocol: /^https$/, error: "must be the https URL of the Kubernetes API server" }),
    kubernetesCaCert: z.string().includes("BEGIN CERTIFICATE", { error: "must be a PEM CA certificate" }),
  }),
  quota: z
    .strictObject({
      pods: z.number().int().min(1).default(20),
      requestsCpu: z.string().default("4"),
      requestsMemory: z.string().default("8Gi"),
      limitsCpu: z.string().default("8"),
      limitsMemory: z.string().default("16Gi"),
    })
    .prefault({}),
});
export type FoundationConfig = z.infer<typeof foundationSchema>;

export const phaseSchema = z
  .strictObject({
    ...common,
    layer: z.literal("phase"),
    phase: z.enum(PHASES),
    foundationStack: z.string().min(1).optional(),
    agents: z.array(agent).min(1),
    vault: z
      .strictObject({
        tokenTtlSeconds: seconds(LIMITS.maxTokenTtlSeconds).default(600),
        tokenMaxTtlSeconds: seconds(LIMITS.maxTokenTtlSeconds).default(LIMITS.maxTokenTtlSeconds),
      })
      .prefault({}),
    tiers: z.strictObject({ simple: tier(DEFAULT_TIERS.simple), complex: tier(DEFAULT_TIERS.complex) }).prefault({}),
    runtimeClassName: dnsLabel("runtimeClassName").optional(),
  })
  .superRefine((cfg, ctx) => {
    const names = cfg.agents.map((a) => a.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: "custom", path: ["agents", i, "name"], message: `agent "${n}" is defined twice` });
    });
    cfg.agents.forEach((a, i) => {
      const gate = gateFor(cfg.phase);
      if (gate && !a.promotion) {
        ctx.addIssue({ code: "custom", path: ["agents", i, "promotion"], message: `is required in ${cfg.phase}: evidence (the evidence file with the ${gate.from} record), approvedBy and reference` });
      } else if (!gate && a.promotion) {
        ctx.addIssue({ code: "custom", path: ["agents", i, "promotion"], message: "is only for phases above shadow" });
      } else if (a.promotion) {
        for (const [field, message] of promotionProblems(cfg.phase, a.promotion.evidence, a.name, cfg.environment, a.promotion.approvedBy)) {
          ctx.addIssue({ code: "custom", path: ["agents", i, "promotion", ...field.split(".")], message });
        }
      }
      if (a.targetNamespaces.includes(cfg.namespace)) {
        ctx.addIssue({ code: "custom", path: ["agents", i, "targetNamespaces"], message: `the agents namespace "${cfg.namespace}" cannot be a target` });
      }
    });
    if (cfg.vault.tokenTtlSeconds > cfg.vault.tokenMaxTtlSeconds) {
      ctx.addIssue({ code: "custom", path: ["vault", "tokenTtlSeconds"], message: "must not exceed vault.tokenMaxTtlSeconds" });
    }
    // A token must not outlive the longest Job it serves: after the deadline nothing legitimate holds it.
    const longest = Math.max(cfg.tiers.simple.deadlineSeconds, cfg.tiers.complex.deadlineSeconds);
    if (cfg.vault.tokenMaxTtlSeconds > longest) {
      ctx.addIssue({ code: "custom", path: ["vault", "tokenMaxTtlSeconds"], message: `must not exceed the longest Job deadline (${longest} s)` });
    }
  });
export type PhaseConfig = z.infer<typeof phaseSchema>;

export type StackConfig = FoundationConfig | PhaseConfig;
