/**
 * The approval proxy's objects in a foundation (src/plan/approval.ts): the ApprovalReview CRD, the proxy's
 * ServiceAccount, Roles, ClusterRole and bindings, Service, NetworkPolicy and Deployment, and the approvers' Role
 * and binding. The agents' rules (closed kinds, no cluster-scoped grants, no impersonation, pod secrets...) would
 * refuse them, and rightly anywhere else; in a foundation each is passed over by them only when it is exactly
 * what the planner produces, its few free parameters (approvers, image, hold time, TLS Secret, API server address)
 * read back from the object itself and checked like the config checks them. Anything else claiming one of their
 * names is refused with the first differences. Pure.
 */
import { isDeepStrictEqual } from "node:util";
import { HOLD_SECONDS, isPinnedImage, whyNotAPerson } from "../model/approval";
import { PULUMI_PROVIDER_ANNOTATIONS, type Manifest } from "../model/manifest";
import { approvalProxyClusterName, FOUNDATION_NAMES, LABELS } from "../model/naming";
import { type ApprovalInputs, planApproval } from "../plan/approval";
import { approvalManifests } from "../plan/manifests";
import { field, isObj, list, show } from "./paths";
import { differences } from "./prometheus-rules";
import type { ResourceRule, RuleContext } from "./types";

/** Labels the foundation puts on its objects; an approval object carries no other (no agent or phase label). */
const FOUNDATION_LABELS: readonly string[] = [LABELS.managedBy, LABELS.partOf, LABELS.environment];
const PROXY = FOUNDATION_NAMES.approvalProxy;
const CRD_NAME = "approvalreviews.agent-trust.io";

/** Kind and name of every approval object in `namespace` (cluster-scoped ones without namespace). */
function approvalNames(namespace: string): readonly string[] {
  const cluster = approvalProxyClusterName(namespace);
  return [
    `CustomResourceDefinition/${CRD_NAME}`,
    `ClusterRole/${cluster}`,
    `ClusterRoleBinding/${cluster}`,
    ...["ServiceAccount", "Role", "RoleBinding", "Service", "NetworkPolicy", "Deployment"].map((k) => `${k}/${PROXY}`),
    `Role/${FOUNDATION_NAMES.approvers}`,
    `RoleBinding/${FOUNDATION_NAMES.approvers}`,
  ];
}

/** True when `obj` claims (by kind and name) to be one of the foundation's approval objects. */
export function claimsApprovalObject(obj: Manifest): boolean {
  const ns = obj.metadata?.namespace;
  const raw: unknown = obj.metadata?.name;
  const name = typeof raw === "string" ? raw : "";
  const key = `${obj.kind}/${name}`;
  const cluster = obj.kind === "CustomResourceDefinition" || obj.kind.startsWith("Cluster");
  if (cluster)
    return (
      key === `CustomResourceDefinition/${CRD_NAME}` ||
      (obj.kind.startsWith("Cluster") && name.startsWith(approvalProxyClusterName("")))
    );
  return typeof ns === "string" && approvalNames(ns).includes(key);
}

const arg = (args: unknown[], flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The approval config `obj` implies (what can be read back from it), with a placeholder for what it cannot show. */
function impliedConfig(obj: Manifest, namespace: string): { cfg: ApprovalInputs; problems: string[] } {
  const problems: string[] = [];
  let image = "registry.invalid/agent-trust:0";
  let holdSeconds: number = HOLD_SECONDS.default;
  let minReplicas = 1;
  let maxStepFactor = 2;
  let secretName = "tls";
  let server = "https://kubernetes.invalid:443";
  const users: string[] = [];
  const groups: string[] = [];
  if (obj.kind === "Deployment") {
    const pod = field(obj, "spec", "template", "spec");
    const c = list(field(pod, "containers"))[0];
    const args = list(field(c, "args"));
    image = String(field(c, "image"));
    if (!isPinnedImage(image)) problems.push(`image ${show(image)} is not pinned by tag or digest`);
    holdSeconds = Number(arg(args, "--hold-seconds"));
    if (!Number.isInteger(holdSeconds) || holdSeconds < HOLD_SECONDS.min || holdSeconds > HOLD_SECONDS.max)
      problems.push(
        `--hold-seconds ${show(arg(args, "--hold-seconds"))} is outside ${HOLD_SECONDS.min}..${HOLD_SECONDS.max}`,
      );
    minReplicas = Number(arg(args, "--min-replicas"));
    maxStepFactor = Number(arg(args, "--max-step-factor"));
    const tls = list(field(pod, "volumes")).find((v) => field(v, "name") === "tls");
    secretName = String(field(tls, "secret", "secretName"));
  }
  if (obj.kind === "NetworkPolicy") {
    const egress = list(field(obj, "spec", "egress"))[0];
    const cidr = field(list(field(egress, "to"))[0], "ipBlock", "cidr");
    const port = field(list(field(egress, "ports"))[0], "port");
    if (typeof cidr === "string" && typeof port === "number") {
      const [ip = "", bits] = cidr.split("/");
      server = bits === "128" ? `https://[${ip}]:${port}` : `https://${ip}:${port}`;
    }
  }
  if (obj.kind === "RoleBinding" && obj.metadata?.name === FOUNDATION_NAMES.approvers) {
    for (const s of list(field(obj, "subjects"))) {
      const name = field(s, "name");
      const kind = field(s, "kind") === "Group" ? "group" : "user";
      if (typeof name !== "string" || name === "") {
        problems.push(`approver subject ${show(name)} is not a name`);
        continue;
      }
      const notPerson = whyNotAPerson(name, kind);
      if (notPerson !== undefined) problems.push(`approver subject: ${notPerson}`);
      else (kind === "group" ? groups : users).push(name);
    }
    if (users.length + groups.length === 0) problems.push("the approvers binding names no approver");
  }
  const cfg: ApprovalInputs = {
    namespace,
    cluster: { server },
    admission: { scale: { minReplicas, maxStepFactor } },
    approval: { approvers: { users, groups }, holdSeconds, image, tls: { secretName, caConfigMap: "ca" } },
  };
  return { cfg, problems };
}

/** The planned twin of an approval object, or the reasons none can be planned for it. */
function twinOf(obj: Manifest, ctx: RuleContext): { twin?: Manifest; problems: string[] } {
  const labels = obj.metadata?.labels ?? {};
  const problems: string[] = [];
  const extra = Object.keys(labels).filter((k) => !FOUNDATION_LABELS.includes(k));
  if (extra.length > 0) problems.push(`labels ${extra.join(", ")} are not the foundation's`);
  if (!isObj(labels)) problems.push("metadata.labels is not a map");
  let implied: ReturnType<typeof impliedConfig>;
  try {
    implied = impliedConfig(obj, ctx.namespace);
  } catch {
    return { problems: [...problems, "its parameters cannot be read back"] };
  }
  problems.push(...implied.problems);
  let planned: Manifest[];
  try {
    planned = approvalManifests(planApproval(implied.cfg, labels));
  } catch (e) {
    return { problems: [...problems, `it cannot be planned: ${(e as Error).message}`] };
  }
  const twin = planned.find((p) => p.kind === obj.kind && p.metadata?.name === obj.metadata?.name);
  return twin ? { twin, problems } : { problems: [...problems, "the plan has no such object"] };
}

/** `obj` without the Pulumi provider's own directives (and without annotations when only those were there). */
function withoutProviderDirectives(obj: Manifest): Manifest {
  const annotations = obj.metadata?.annotations;
  if (!isObj(annotations) || !Object.keys(annotations).some((k) => PULUMI_PROVIDER_ANNOTATIONS.includes(k))) return obj;
  const kept = Object.fromEntries(
    Object.entries(annotations).filter(([k]) => !PULUMI_PROVIDER_ANNOTATIONS.includes(k)),
  );
  const metadata = { ...obj.metadata };
  if (Object.keys(kept).length > 0) metadata.annotations = kept;
  else delete metadata.annotations;
  return { ...obj, metadata };
}

/** Verdicts per object and agents namespace: every rule asks (judge()), the answer is planned once per object. */
const PLANNED = new WeakMap<Manifest, Map<string, boolean>>();

/** True when `obj` is, in a foundation, exactly one of the planned approval objects. */
export function isPlannedApprovalObject(obj: Manifest, ctx: RuleContext): boolean {
  if (ctx.layer !== "foundation" || !claimsApprovalObject(obj)) return false;
  let known = PLANNED.get(obj);
  if (!known) PLANNED.set(obj, (known = new Map<string, boolean>()));
  let verdict = known.get(ctx.namespace);
  if (verdict === undefined) {
    const { twin, problems } = twinOf(obj, ctx);
    verdict = problems.length === 0 && twin !== undefined && isDeepStrictEqual(withoutProviderDirectives(obj), twin);
    known.set(ctx.namespace, verdict);
  }
  return verdict;
}

export const approvalObjectsAsPlanned: ResourceRule = {
  name: "approval-objects-as-planned",
  domain: "cluster",
  scope: "resource",
  security: true,
  kinds: [
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Service",
    "NetworkPolicy",
    "Deployment",
  ],
  settings: ["namespace"],
  reads: [
    "metadata.name",
    "metadata.namespace",
    "metadata.labels",
    "spec",
    "rules",
    "roleRef",
    "subjects",
    "automountServiceAccountToken",
  ],
  description:
    "In a foundation, the approval proxy's objects (ApprovalReview CRD, the proxy's identity, grants, Service, NetworkPolicy and Deployment, the approvers' Role and binding) are exactly what the planner renders for their parameters; only then do the agents' rules pass them over.",
  remediationSteps:
    "Render the foundation again (`agent-trust render <env>`) and deploy its approval objects unchanged; change approvers, image or hold time in agent-trust:approval.",
  // No appliesTo: an unknown value in what it reads fails closed wherever the object is (the other rules refuse
  // these kinds outside a foundation anyway).
  validate: (obj, ctx) => {
    if (ctx.layer !== "foundation" || !claimsApprovalObject(obj)) return [];
    const { twin, problems } = twinOf(obj, ctx);
    const diffs: string[] = [];
    if (twin) differences(withoutProviderDirectives(obj), twin, "", diffs);
    return [...problems, ...(diffs.length > 0 ? [`it differs from the plan: ${diffs.join("; ")}`] : [])];
  },
};
