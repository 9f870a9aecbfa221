/**
 * The Vault agent injector (hashicorp/vault-k8s, agent-inject/agent/annotations.go) turns annotations on a pod into
 * a Vault agent with access: a secret path or template is a Vault read with the pod's role, `agent-extra-secret`
 * and `tls-secret` mount a Kubernetes Secret, `agent-configmap` replaces the whole agent config, a command hook
 * runs in the agent with its token, `service`, `namespace` and the TLS settings point the login at another Vault.
 * So every `vault.hashicorp.com/` annotation of a pod template (of any kind) is judged like the field it becomes:
 * the planner's own (src/plan/job.ts) pass, reads only of the phase's catalog paths under the KV mount pass, and
 * every other annotation is refused, by name. Pure.
 */
import { vaultCapabilities } from "../model/catalog";
import { agentNames, DEFAULTS, parseVaultRoleName } from "../model/naming";
import { onPod, podAnnotations, podRule } from "./helpers";
import { field, list, show, type PodSpecAt } from "./paths";
import type { RuleContext } from "./types";
import { templateReads } from "./vault-template";

const PREFIX = "vault.hashicorp.com/";

/** Annotations that only tune the agent's own behaviour (timing, logging, resources, file format). */
const TUNING: ReadonlySet<string> = new Set([
  "agent-inject",
  "agent-inject-status",
  "agent-inject-token",
  "agent-pre-populate",
  "agent-pre-populate-only",
  "agent-init-first",
  "agent-revoke-on-shutdown",
  "agent-revoke-grace",
  "agent-limits-cpu",
  "agent-limits-mem",
  "agent-limits-ephemeral",
  "agent-requests-cpu",
  "agent-requests-mem",
  "agent-requests-ephemeral",
  "log-level",
  "log-format",
  "go-max-procs",
  "client-max-retries",
  "client-timeout",
  "agent-cache-enable",
  "agent-cache-use-auto-auth-token",
  "agent-cache-listener-port",
  "agent-cache-exit-on-err",
  "template-config-exit-on-retry-failure",
  "template-static-secret-render-interval",
  "template-max-connections-per-host",
  "template-lease-renewal-threshold",
  "agent-enable-quit",
  "auth-min-backoff",
  "auth-max-backoff",
  "agent-disable-idle-connections",
  "agent-disable-keep-alives",
  "agent-auto-auth-exit-on-err",
  "agent-inject-default-template",
  "preserve-secret-case",
]);

/** Per-secret annotations (`<name>-<secret>`) that only tune how a secret file is written. */
const SECRET_TUNING = ["agent-inject-perms-", "error-on-missing-key-", "preserve-secret-case-"];

/** Annotations that give access no rule could judge, and why. Prefixes end in "-". */
const REFUSED: readonly (readonly [string, string])[] = [
  ["agent-extra-secret", "mounts a Kubernetes Secret into the agent"],
  ["tls-secret", "mounts a Kubernetes Secret into the agent"],
  ["agent-configmap", "replaces the agent's whole configuration (auto-auth, templates) with a ConfigMap no rule reads"],
  ["agent-inject-command-", "runs a command in the agent container, next to its Vault token"],
  ["agent-inject-template-file-", "renders a template from a file no rule reads"],
  ["agent-template-left-delim", "changes the template delimiters, so the template is not read as written"],
  ["agent-template-right-delim", "changes the template delimiters, so the template is not read as written"],
  ["secret-volume-path", "writes secrets to another path of the containers"],
  ["agent-copy-volume-mounts", "copies an app container's volume mounts (a Secret volume, say) into the agent"],
  ["agent-json-patch", "patches the agent container after every rule has judged it"],
  ["agent-init-json-patch", "patches the agent init container after every rule has judged it"],
  ["agent-image", "runs another image with the agent's Vault token"],
  ["agent-run-as-user", "changes the agent's user"],
  ["agent-run-as-group", "changes the agent's group"],
  ["agent-run-as-same-user", "runs the agent as the app's user"],
  ["agent-set-security-context", "changes the agent's security context"],
  ["agent-share-process-namespace", "shares the pod's process namespace with the agent"],
  ["service", "logs in to another Vault server"],
  ["proxy-address", "sends Vault traffic through a proxy"],
  ["namespace", "logs in to another Vault namespace"],
  ["agent-request-namespace", "sends requests to another Vault namespace"],
  ["tls-skip-verify", "skips verifying the Vault server"],
  ["tls-server-name", "verifies another server name"],
  ["ca-cert", "trusts another CA for the Vault server"],
  ["ca-key", "uses a key from a mounted Secret"],
  ["client-cert", "uses a client certificate from a mounted Secret"],
  ["client-key", "uses a client key from a mounted Secret"],
  ["auth-config-", "changes the login's configuration (for one, which token file it sends)"],
  ["agent-inject-containers", "mounts the secrets into containers other than the app's"],
  ["agent-telemetry-", "exports the agent's telemetry elsewhere"],
];

const refusal = (name: string) =>
  REFUSED.find(([k]) => (k.endsWith("-") ? name.startsWith(k) : name === k || name.startsWith(`${k}-`)));

/** A Vault request path the phase may read: `<kvMount>/data/<p>` where the catalog grants read on `<p>`. */
function pathProblem(path: string, ctx: RuleContext): string | undefined {
  const segs = path.split("/");
  if (segs.some((s) => s === "" || s === "." || s === ".." || /[^A-Za-z0-9_.-]/.test(s))) {
    return `${show(path)} is not a plain path (segments of letters, digits, "_", "-", "."); expected ${ctx.kvMount}/data/<path the catalog grants>`;
  }
  const [mount, sub, ...rest] = segs;
  if (mount !== ctx.kvMount || sub !== "data" || rest.length === 0) {
    return `${show(path)} is outside the agents' KV mount; expected ${ctx.kvMount}/data/<path the catalog grants phase "${ctx.phase}">`;
  }
  return vaultCapabilities(ctx.phase, rest.join("/")).includes("read")
    ? undefined
    : `${show(path)} is not a path the catalog lets phase "${ctx.phase}" read`;
}

/** Whether the pod has a projected ServiceAccount token volume of this name. */
const tokenVolume = (pod: PodSpecAt, name: unknown) =>
  list(pod.spec.volumes).some(
    (v) =>
      field(v, "name") === name &&
      list(field(v, "projected", "sources")).some((s) => field(s, "serviceAccountToken") !== undefined),
  );

function roleProblem(pod: PodSpecAt, role: unknown, ctx: RuleContext): string | undefined {
  const sa = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
  const suffix = `-${ctx.phase}`;
  const saAgent = typeof sa === "string" && sa.endsWith(suffix) ? sa.slice(0, -suffix.length) : undefined;
  let expected = `agent-trust-${ctx.environment}-<agent>-${ctx.phase}`;
  try {
    if (saAgent) expected = agentNames(ctx.environment, ctx.phase, saAgent).vaultRole;
  } catch {
    // A ServiceAccount name that is no agent's: the pattern stands.
  }
  const agent = typeof role === "string" ? parseVaultRoleName(ctx.environment, ctx.phase, role) : undefined;
  if (agent !== undefined && agent === saAgent) return undefined;
  return `is ${show(role)}; expected ${show(expected)}, the Vault role of environment "${ctx.environment}", phase "${ctx.phase}" for the pod's ServiceAccount ${show(sa)}`;
}

function annotationProblems(pod: PodSpecAt, ctx: RuleContext): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(podAnnotations(pod))) {
    if (!key.startsWith(PREFIX)) continue;
    const name = key.slice(PREFIX.length);
    const at = `${pod.metaAt}.annotations["${key}"]`;
    const text = typeof value === "string" ? value : "";
    const refused = refusal(name);
    if (refused) {
      out.push(
        `${at} ${refused[1]}; expected only the annotations the planner writes (agent-inject, agent-pre-populate-only, agent-inject-token, role, auth-path, agent-service-account-token-volume-name) and secrets of the phase's catalog paths`,
      );
    } else if (name === "role") {
      const p = roleProblem(pod, value, ctx);
      if (p) out.push(`${at} ${p}`);
    } else if (name === "auth-path") {
      if (value !== `auth/${DEFAULTS.authMount}`)
        out.push(
          `${at} is ${show(value)}; expected "auth/${DEFAULTS.authMount}", the foundation's Kubernetes auth mount`,
        );
    } else if (name === "auth-type") {
      if (value !== "kubernetes") out.push(`${at} is ${show(value)}; expected "kubernetes"`);
    } else if (name === "agent-service-account-token-volume-name") {
      if (!tokenVolume(pod, value))
        out.push(
          `${at} is ${show(value)}; expected the name of the pod's projected ServiceAccount token volume (for the "${DEFAULTS.audience}" audience)`,
        );
    } else if (name.startsWith("agent-inject-secret-")) {
      const p = text.trim() === "" ? undefined : pathProblem(text.trim(), ctx);
      if (p) out.push(`${at}: ${p}`);
    } else if (name.startsWith("agent-inject-template-")) {
      const reads = templateReads(text);
      for (const p of reads.problems) out.push(`${at}: ${p}`);
      for (const path of reads.paths) {
        const p = pathProblem(path, ctx);
        if (p) out.push(`${at} reads ${p}`);
      }
    } else if (name.startsWith("agent-inject-file-")) {
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(text))
        out.push(`${at} is ${show(value)}; expected a plain file name (no "/", no leading ".")`);
    } else if (!TUNING.has(name) && !SECRET_TUNING.some((p) => name.startsWith(p))) {
      out.push(
        `${at} is not an annotation this guard knows; expected only the planner's (agent-inject, agent-pre-populate-only, agent-inject-token, role, auth-path, agent-service-account-token-volume-name), secrets and templates of the phase's catalog paths, and agent tuning`,
      );
    }
  }
  return out;
}

export const podVaultAnnotations = podRule({
  name: "pod-vault-annotations",
  security: true,
  settings: ["kvMount"],
  reads: ["{podmeta}.annotations", "{pod}.serviceAccountName", "{pod}.serviceAccount", "{pod}.volumes"],
  description:
    "The Vault agent injector's annotations on a pod template are judged like the access they become: secrets and templates read only the phase's catalog paths under the KV mount, the role is the phase's own for the pod's ServiceAccount, the auth path is the foundation's, and nothing mounts a Kubernetes Secret, replaces the agent's config, runs a command, or points the login at another Vault.",
  remediationSteps:
    "Keep only the annotations the planner writes (agent-inject, agent-pre-populate-only, agent-inject-token, role, auth-path, agent-service-account-token-volume-name) and secrets of the catalog's paths for the phase.",
  validate: (obj, ctx) => onPod(obj, (pod) => annotationProblems(pod, ctx)),
});
