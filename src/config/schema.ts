/**
 * The stack configuration schema. Config is parsed once, at the program's edge, into these types; nothing
 * downstream reads raw config. Every object is strict so a misspelled key is an error, not a silent default.
 */
import { z } from "zod";
import { EGRESS_CLASSES, LIMITS, SECRET_DOMAINS } from "../model/catalog";
import { DEFAULTS, isDnsLabel, phaseWordIn, SYSTEM_NAMESPACES } from "../model/naming";
import { gateFor, promotionProblems } from "../model/promotion";
import { destination, labelMap } from "./egress-schema";
import { evidenceReference } from "./evidence-reference";
import { gateOverridesSchema } from "./gate-overrides";
import { ENVIRONMENTS, PHASES } from "../model/phases";
import { BROAD_GROUPS } from "../model/forbidden";
import { DEFAULT_TIERS, type TierConfig } from "../model/tiers";
import { admission, unique } from "./admission-schema";
import { approval } from "./approval-schema";
import { clusterSchema } from "./cluster";
import { mountPath, quantity, requestWithinLimit, RESERVED_VAULT_PATHS } from "./fields";

const dnsLabel = (what: string, maxLength = 63) =>
  z
    .string()
    .max(maxLength, `${what} must be at most ${maxLength} characters`)
    .refine((v) => isDnsLabel(v), `${what} must be a DNS label (lowercase a-z, 0-9 and "-"); "*" is never allowed`);

/** Namespaces the control plane owns: an agent that targets them is a cluster-wide agent in disguise. */
export const RESERVED_NAMESPACES: readonly string[] = SYSTEM_NAMESPACES;

export { RESERVED_VAULT_PATHS };

const egressClass = z.enum(EGRESS_CLASSES.filter((c) => c !== "dns") as [string, ...string[]]);

const agent = z.strictObject({
  // 30 characters leaves room for "-<phase>-investigation" inside the 63-character DNS label limit.
  name: dnsLabel("agent name", 30).superRefine((n, ctx) => {
    const word = phaseWordIn(n);
    if (word)
      ctx.addIssue({
        code: "custom",
        message: `"${n}" contains the phase word "${word}" as a segment; names of different phases would collide`,
      });
  }),
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
    .strictObject({
      pods: z.array(dnsLabel("pod name", 253)).min(1),
      deployments: z.array(dnsLabel("deployment name", 253)).min(1),
    })
    .partial()
    .optional(),
  egress: z.partialRecord(egressClass, z.array(destination).min(1)).default({}),
  /** The evidence this agent earned its phase with; required above shadow, checked against the gates. */
  promotion: z
    .strictObject({
      /** The evidence file (`evidence/<env>/<agent>.yaml`) the gate judges: `agent-trust gate <stack>`. */
      evidence: evidenceReference,
      approvedBy: z
        .array(z.string().refine((v) => v.trim() !== "", "must name an approver, not be blank"))
        .min(1)
        .superRefine((names, ctx) => {
          // One person spelled twice ("Maria", " maria ") is one approver.
          const seen = new Map<string, number>();
          names.forEach((n, i) => {
            const key = n.trim().toLowerCase();
            const first = seen.get(key);
            if (key !== "" && first !== undefined) {
              ctx.addIssue({
                code: "custom",
                path: [i],
                message: `"${n}" is approvedBy[${first}] again (compared trimmed and case-folded); approvers must be distinct people`,
              });
            } else seen.set(key, i);
          });
        }),
      /** Where the review happened: a pull request or change ticket. */
      reference: z
        .string()
        .refine((v) => v.trim() !== "", "must name the review (a pull request or change ticket URL), not be blank"),
    })
    .optional(),
});
export type AgentConfig = z.infer<typeof agent>;

const seconds = (max: number) => z.number().int().min(60).max(max, `must be at most ${max} seconds`);

export { DEFAULT_TIERS, type TierConfig };

const tier = (d: TierConfig) =>
  z
    .strictObject({
      cpuRequest: quantity(d.cpuRequest),
      memoryRequest: quantity(d.memoryRequest),
      cpuLimit: quantity(d.cpuLimit),
      memoryLimit: quantity(d.memoryLimit),
      workspaceSize: quantity(d.workspaceSize),
      deadlineSeconds: seconds(LIMITS.maxJobDeadlineSeconds).default(d.deadlineSeconds),
      maxReasoningCycles: z.number().int().min(1).max(50).default(d.maxReasoningCycles),
    })
    .superRefine((t, ctx) => {
      requestWithinLimit(ctx, ["cpuRequest"], t.cpuRequest, t.cpuLimit, "cpuLimit");
      requestWithinLimit(ctx, ["memoryRequest"], t.memoryRequest, t.memoryLimit, "memoryLimit");
    })
    .prefault({});

const common = {
  environment: z.enum(ENVIRONMENTS),
  namespace: dnsLabel("namespace")
    .refine(
      (ns) => !RESERVED_NAMESPACES.includes(ns),
      `the agents namespace cannot be a system namespace (${RESERVED_NAMESPACES.join(", ")})`,
    )
    .default(DEFAULTS.namespace),
};

export { BROAD_GROUPS };
export type { AdmissionConfig } from "./admission-schema";
export type { ApprovalConfig } from "./approval-schema";

export const foundationSchema = z
  .strictObject({
    ...common,
    layer: z.literal("foundation"),
    phaseCeiling: z.enum(PHASES),
    /**
     * The cluster this environment deploys to; the program checks the kubeconfig against it before creating anything,
     * and its phase stacks read it from the foundation's outputs. It changes no rendered object.
     */
    cluster: clusterSchema,
    /** This environment's calibration of the promotion gates (src/config/gate-overrides.ts); shown by the gate. */
    promotionGates: gateOverridesSchema.optional(),
    vault: z.strictObject({
      authMount: mountPath(DEFAULTS.authMount),
      kvMount: mountPath(DEFAULTS.kvMount),
      audience: z.string().min(1).default(DEFAULTS.audience),
      kubernetesHost: z.url({ protocol: /^https$/, error: "must be the https URL of the Kubernetes API server" }),
      kubernetesCaCert: z.string().includes("BEGIN CERTIFICATE", { error: "must be a PEM CA certificate" }),
    }),
    /** The PrometheusRule, collector ConfigMap and dashboard ConfigMap (src/plan/observability.ts). */
    observability: z
      .strictObject({
        /** Off for a cluster without the prometheus-operator CRDs: then none of the three is planned. */
        enabled: z.boolean().default(true),
        /** Extra labels on the PrometheusRule, for the operator's ruleSelector (e.g. release: kube-prometheus-stack). */
        ruleLabels: z
          .record(
            z.string(),
            z
              .string()
              .regex(
                /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
                "must be a Kubernetes label value (at most 63 characters)",
              ),
          )
          .superRefine((m, ctx) => {
            for (const k of Object.keys(m)) {
              if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(k)) {
                ctx.addIssue({ code: "custom", path: [k], message: "is not a Kubernetes label key" });
              } else if (k.startsWith("app.kubernetes.io/") || k.startsWith("agent-trust.io/")) {
                ctx.addIssue({
                  code: "custom",
                  path: [k],
                  message: "app.kubernetes.io/ and agent-trust.io/ labels are set by agent-trust",
                });
              }
            }
          })
          .default({}),
        /** Where the OpenTelemetry Collector runs: agent pods get egress to its OTLP ports (4317, 4318) and nothing else of it. */
        collector: z
          .strictObject({
            namespace: dnsLabel("collector namespace"),
            podSelector: labelMap.refine(
              (m) => Object.keys(m).length > 0,
              "must select the collector pods by at least one label",
            ),
          })
          .optional(),
      })
      .prefault({}),
    quota: z
      .strictObject({
        pods: z.number().int().min(1).default(20),
        requestsCpu: quantity("4"),
        requestsMemory: quantity("8Gi"),
        limitsCpu: quantity("8"),
        limitsMemory: quantity("16Gi"),
      })
      .superRefine((q, ctx) => {
        requestWithinLimit(ctx, ["requestsCpu"], q.requestsCpu, q.limitsCpu, "quota.limitsCpu");
        requestWithinLimit(ctx, ["requestsMemory"], q.requestsMemory, q.limitsMemory, "quota.limitsMemory");
      })
      .prefault({}),
    admission,
    /** The approval proxy and who may approve (src/config/approval-schema.ts); none: nothing is held for approval. */
    approval: approval.optional(),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.admission.mode === "warn" && cfg.environment !== "dev") {
      ctx.addIssue({
        code: "custom",
        path: ["admission", "mode"],
        message: `"warn" is only allowed in dev; ${cfg.environment} must enforce (Deny)`,
      });
    }
    for (const [i, u] of cfg.admission.deployer.users.entries()) {
      if (u.startsWith(`system:serviceaccount:${cfg.namespace}:`)) {
        ctx.addIssue({
          code: "custom",
          path: ["admission", "deployer", "users", i],
          message: "an agent ServiceAccount can never be the deployer",
        });
      }
    }
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
      if (names.indexOf(n) !== i)
        ctx.addIssue({ code: "custom", path: ["agents", i, "name"], message: `agent "${n}" is defined twice` });
    });
    cfg.agents.forEach((a, i) => {
      const gate = gateFor(cfg.phase);
      if (gate && !a.promotion) {
        ctx.addIssue({
          code: "custom",
          path: ["agents", i, "promotion"],
          message: `is required in ${cfg.phase}: evidence (the evidence file with the ${gate.from} record), approvedBy and reference`,
        });
      } else if (!gate && a.promotion) {
        ctx.addIssue({ code: "custom", path: ["agents", i, "promotion"], message: "is only for phases above shadow" });
      } else if (a.promotion) {
        for (const [field, message] of promotionProblems(
          cfg.phase,
          a.promotion.evidence,
          a.name,
          cfg.environment,
          a.promotion.approvedBy,
        )) {
          ctx.addIssue({ code: "custom", path: ["agents", i, "promotion", ...field.split(".")], message });
        }
      }
      if (a.targetNamespaces.includes(cfg.namespace)) {
        ctx.addIssue({
          code: "custom",
          path: ["agents", i, "targetNamespaces"],
          message: `the agents namespace "${cfg.namespace}" cannot be a target`,
        });
      }
    });
    if (cfg.vault.tokenTtlSeconds > cfg.vault.tokenMaxTtlSeconds) {
      ctx.addIssue({
        code: "custom",
        path: ["vault", "tokenTtlSeconds"],
        message: "must not exceed vault.tokenMaxTtlSeconds",
      });
    }
    // A token must not outlive the longest Job it serves: after the deadline nothing legitimate holds it.
    const longest = Math.max(cfg.tiers.simple.deadlineSeconds, cfg.tiers.complex.deadlineSeconds);
    if (cfg.vault.tokenMaxTtlSeconds > longest) {
      ctx.addIssue({
        code: "custom",
        path: ["vault", "tokenMaxTtlSeconds"],
        message: `must not exceed the longest Job deadline (${longest} s)`,
      });
    }
  });
export type PhaseConfig = z.infer<typeof phaseSchema>;

export type StackConfig = FoundationConfig | PhaseConfig;
