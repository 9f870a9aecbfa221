/**
 * Identity and pod rules. Every pod an input can create is judged — Pods, PodTemplates, the pod templates of
 * every workload kind, and every pod spec found by shape in any other object (custom kinds) — because an agent
 * may be shipped by someone else's chart. Checks are written as "the value must be in the safe set", so a
 * missing or unknown value is never mistaken for a safe one. The Pod Security controls live in
 * pods-baseline.ts and pods-restricted.ts, the agents' credential rules in pods-secrets.ts.
 */
import { CREDENTIAL_NAME_PATTERN } from "../model/forbidden";
import { onContainers, onPod, podRule } from "./helpers";
import { BASELINE_RULES } from "./pods-baseline";
import { RESTRICTED_RULES } from "./pods-restricted";
import { SECRET_RULES } from "./pods-secrets";
import { podVaultAnnotations } from "./pods-vault-annotations";
import { field, jobSpecOf, JOB_KINDS, list, show } from "./paths";
import type { ResourceRule, RuleContext } from "./types";

export * from "./pods-baseline";
export * from "./pods-restricted";
export * from "./pods-secrets";

export const podNoTokenAutomount = podRule({
  name: "pod-no-token-automount",
  security: true,
  reads: ["{pod}.automountServiceAccountToken"],
  description:
    "Pods set automountServiceAccountToken: false; the only credential is an explicitly projected, audience-bound token.",
  remediationSteps:
    "Set automountServiceAccountToken: false in the pod spec and project a short-lived token with an audience.",
  validate: (obj) =>
    onPod(obj, (pod) => {
      const v = pod.spec.automountServiceAccountToken;
      return v === false ? [] : [`${pod.at}.automountServiceAccountToken is ${show(v)}; it must be false`];
    }),
});

export const podDedicatedServiceAccount = podRule({
  name: "pod-dedicated-service-account",
  security: true,
  reads: ["{pod}.serviceAccountName", "{pod}.serviceAccount"],
  description:
    "Pods run as a named ServiceAccount of their own, never `default`, so RBAC and Vault can tell agents apart.",
  remediationSteps: "Set serviceAccountName to the agent's ServiceAccount (<agent>-<phase>).",
  validate: (obj) =>
    onPod(obj, (pod) => {
      const name = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
      return typeof name === "string" && name !== "" && name !== "default"
        ? []
        : [`${pod.at}.serviceAccountName is ${show(name)}; use the agent's own ServiceAccount`];
    }),
});

export const podResourcesSet = podRule({
  name: "pod-resources-set",
  security: false,
  reads: ["{containers}.resources", "{containers}.computeResources"],
  description:
    "Every container sets cpu and memory requests and limits, so one investigation cannot starve the node or the quota.",
  remediationSteps:
    "Set resources.requests and resources.limits (cpu and memory) on every container; tiers in the stack config do this.",
  validate: (obj) =>
    onContainers(obj, (c) => {
      // Ephemeral containers take no resources; a Tekton stepTemplate only lends defaults to the steps judged here.
      if (c.list === "ephemeralContainers" || c.list === "stepTemplate") return [];
      // Tekton names a step's or sidecar's resources computeResources.
      const tekton = (c.list === "steps" || c.list === "sidecars") && c.container.resources === undefined;
      const key = tekton && c.container.computeResources !== undefined ? "computeResources" : "resources";
      const named = tekton && key === "resources" ? "resources (Tekton: computeResources)" : key;
      return (["requests", "limits"] as const).flatMap((k) =>
        ["cpu", "memory"]
          .filter((r) => field(c.container, key, k, r) === undefined)
          .map((r) => `${c.at}: ${named}.${k}.${r} is missing`),
      );
    }),
});

/** Names that say where a credential is rather than what it is (`*_FILE`, `*_PATH`…) may hold a literal. */
const REFERENCE_SUFFIX = /_(FILE|PATH|PATHS|DIR|MOUNT)$/i;

export const podNoLiteralCredentials = podRule({
  name: "pod-no-literal-credentials",
  security: true,
  reads: ["{containers}.env"],
  description:
    "No literal value in an env var named like a credential (*KEY*, *TOKEN*, *SECRET*, *PASSWORD*…); names ending _FILE, _PATH or _DIR point at one and may.",
  remediationSteps: "Deliver the credential through Vault (agent injector or a file), never as a literal value.",
  validate: (obj) =>
    onContainers(obj, (c) =>
      list(c.container.env).flatMap((e, i) => {
        const name = field(e, "name");
        const value = field(e, "value");
        if (typeof name !== "string" || !CREDENTIAL_NAME_PATTERN.test(name) || REFERENCE_SUFFIX.test(name)) return [];
        return value === undefined || value === "" ? [] : [`${c.at}.env[${i}] ${name} has a literal value`];
      }),
    ),
});

const DIGEST = /@sha256:[0-9a-f]{64}$/;

export const imagePinnedByDigest = podRule({
  name: "image-pinned-by-digest",
  security: true,
  reads: ["{containers}.image", "{pod}.volumes"],
  description:
    "In prod every container image, and every image volume, is pinned by sha256 digest, so what was reviewed is what runs.",
  remediationSteps: "Reference the image as registry/name@sha256:<digest> (a tag may be kept in front of the digest).",
  appliesTo: (_obj, ctx: RuleContext) => ctx.environment === "prod",
  validate: (obj) => [
    ...onContainers(obj, (c) => {
      const image = c.container.image;
      // A Tekton stepTemplate need not name an image (each step does); one it names is judged.
      if (c.list === "stepTemplate" && image === undefined) return [];
      return typeof image === "string" && DIGEST.test(image)
        ? []
        : [`${c.at}.image ${show(image)} is not pinned by digest`];
    }),
    ...onPod(obj, (pod) =>
      list(pod.spec.volumes).flatMap((v, i) => {
        const ref = field(v, "image", "reference");
        return field(v, "image") === undefined || (typeof ref === "string" && DIGEST.test(ref))
          ? []
          : [`${pod.at}.volumes[${i}].image.reference ${show(ref)} is not pinned by digest`];
      }),
    ),
  ],
});

export const jobBounded = podRule({
  name: "job-bounded",
  security: true,
  kinds: JOB_KINDS,
  settings: ["maxJobDeadlineSeconds"],
  reads: ["{job}.backoffLimit", "{job}.activeDeadlineSeconds"],
  description:
    "Agent Jobs run once and briefly: backoffLimit 0 and activeDeadlineSeconds present and at most the cap (900 s by default).",
  remediationSteps: "Set backoffLimit: 0 and activeDeadlineSeconds to the tier's deadline (≤ the cap).",
  validate: (obj, ctx) => {
    const job = jobSpecOf(obj);
    if (!job) return [];
    const out: string[] = [];
    const backoff = job.spec.backoffLimit;
    if (backoff !== 0)
      out.push(
        `${job.at}.backoffLimit is ${show(backoff)}; it must be 0 (a failed diagnosis is reported, not retried)`,
      );
    const deadline = job.spec.activeDeadlineSeconds;
    if (
      typeof deadline !== "number" ||
      !Number.isInteger(deadline) ||
      deadline <= 0 ||
      deadline > ctx.maxJobDeadlineSeconds
    ) {
      out.push(`${job.at}.activeDeadlineSeconds is ${show(deadline)}; set 1..${ctx.maxJobDeadlineSeconds}`);
    }
    return out;
  },
});

export const jobTtlAfterFinished = podRule({
  name: "job-ttl-after-finished",
  security: false,
  kinds: JOB_KINDS,
  reads: ["{job}.ttlSecondsAfterFinished"],
  description:
    "Agent Jobs set ttlSecondsAfterFinished, so finished investigations are garbage-collected after the audit window.",
  remediationSteps: "Set ttlSecondsAfterFinished (the planner uses 3600).",
  validate: (obj) => {
    const job = jobSpecOf(obj);
    const ttl = job?.spec.ttlSecondsAfterFinished;
    return !job || (typeof ttl === "number" && Number.isInteger(ttl) && ttl >= 0)
      ? []
      : [`${job.at}.ttlSecondsAfterFinished is ${show(ttl)}`];
  },
});

export const serviceAccountAutomountOff = podRule({
  name: "serviceaccount-automount-off",
  security: true,
  kinds: ["ServiceAccount"],
  reads: ["automountServiceAccountToken"],
  description:
    "ServiceAccounts set automountServiceAccountToken: false, so no pod gets a long-lived API token by accident.",
  remediationSteps: "Set automountServiceAccountToken: false on the ServiceAccount.",
  validate: (obj) => {
    const v = obj.automountServiceAccountToken;
    return v === false ? [] : [`automountServiceAccountToken is ${show(v)}; it must be false`];
  },
});

const PSA_ENFORCE = "pod-security.kubernetes.io/enforce";
const PSA_ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";

export const namespacePsaRestricted = podRule({
  name: "namespace-psa-restricted",
  security: true,
  kinds: ["Namespace"],
  reads: [`metadata.labels`],
  description:
    "The agents Namespace enforces Pod Security `restricted` at the latest version (an old enforce-version such as v1.21 drops controls), so the API server refuses any pod the rules above would.",
  remediationSteps: `Label the namespace ${PSA_ENFORCE}: restricted and ${PSA_ENFORCE_VERSION}: latest (or leave the version out).`,
  validate: (obj) => {
    const out: string[] = [];
    const v = obj.metadata?.labels?.[PSA_ENFORCE];
    if (v !== "restricted") out.push(`label ${PSA_ENFORCE} is ${show(v)}; it must be "restricted"`);
    const version = obj.metadata?.labels?.[PSA_ENFORCE_VERSION];
    if (version !== undefined && version !== "latest")
      out.push(`label ${PSA_ENFORCE_VERSION} is ${show(version)}; it must be "latest" or absent`);
    return out;
  },
});

export const POD_RULES: readonly ResourceRule[] = [
  serviceAccountAutomountOff,
  ...RESTRICTED_RULES,
  ...BASELINE_RULES,
  ...SECRET_RULES,
  podVaultAnnotations,
  podNoTokenAutomount,
  podDedicatedServiceAccount,
  podResourcesSet,
  podNoLiteralCredentials,
  imagePinnedByDigest,
  jobBounded,
  jobTtlAfterFinished,
  namespacePsaRestricted,
];
