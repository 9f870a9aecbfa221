/**
 * The permission matrix: what each agent identity of a stack can do, read off the planned objects (the same
 * objects the components create and the renderer writes), never re-derived from the catalog. Kubernetes rights
 * come from the Roles its RoleBindings bind to the ServiceAccount, Vault rights from the policies its auth role
 * attaches (parsed as Vault parses them, explicit denies are not rights), egress from the NetworkPolicies that
 * select its pods, TTLs and Job limits from the Vault role and the PodTemplates. Pure.
 */
import type { PhaseConfig } from "../config/schema";
import { LABELS } from "../model/naming";
import type { FoundationOutputs } from "../model/foundation";
import type { Manifest } from "../model/manifest";
import { manifestsOf } from "../plan/manifests";
import { planPhase, type AgentPlan } from "../plan/phase";
import { parseVaultPolicy } from "../rules/hcl";

export type Right =
  | {
      readonly kind: "kubernetes";
      readonly verb: string;
      readonly resource: string;
      readonly namespace: string;
      readonly resourceNames: readonly string[];
    }
  | {
      /** What the agent may do only once a person approves it: the executor identity's grant (issue 20). */
      readonly kind: "approval";
      readonly verb: string;
      readonly resource: string;
      readonly namespace: string;
      readonly resourceNames: readonly string[];
    }
  | { readonly kind: "vault"; readonly path: string; readonly capability: string }
  | { readonly kind: "egress"; readonly to: string; readonly port: string }
  | { readonly kind: "limit"; readonly name: string; readonly value: string };

export interface IdentityMatrix {
  readonly agent: string;
  /** The Kubernetes identity: `system:serviceaccount:<namespace>:<name>`. */
  readonly identity: string;
  readonly vaultRole: string;
  readonly rights: readonly Right[];
}

export const MATRIX_SCHEMA = "agent-trust.io/matrix/v1";

export interface StackMatrix {
  readonly stack: string;
  readonly environment: string;
  readonly layer: "foundation" | "phase";
  readonly phase?: string;
  readonly agents: readonly IdentityMatrix[];
}

export class MatrixError extends Error {
  override readonly name = "MatrixError";
}

/** A stable key per right: equal keys are the same right, whatever the stack or phase. */
export function rightKey(r: Right): string {
  switch (r.kind) {
    case "kubernetes":
      return `kubernetes|${r.namespace}|${r.resource}|${r.verb}|${r.resourceNames.join(",")}`;
    case "approval":
      return `approval|${r.namespace}|${r.resource}|${r.verb}|${r.resourceNames.join(",")}`;
    case "vault":
      return `vault|${r.path}|${r.capability}`;
    case "egress":
      return `egress|${r.to}|${r.port}`;
    case "limit":
      return `limit|${r.name}|${r.value}`;
  }
}

/** One line a reviewer reads. */
export function rightText(r: Right): string {
  switch (r.kind) {
    case "kubernetes":
      return `${r.verb} ${r.resource} in ${r.namespace}${r.resourceNames.length ? ` (only ${r.resourceNames.join(", ")})` : ""}`;
    case "approval":
      return `with approval: ${r.verb} ${r.resource} in ${r.namespace}${r.resourceNames.length ? ` (only ${r.resourceNames.join(", ")})` : ""}`;
    case "vault":
      return `${r.capability} ${r.path}`;
    case "egress":
      return `${r.to} port ${r.port}`;
    case "limit":
      return `${r.name}: ${r.value}`;
  }
}

const KIND_ORDER = ["kubernetes", "approval", "vault", "egress", "limit"];
export function sortRights(rights: readonly Right[]): Right[] {
  const unique = new Map(rights.map((r) => [rightKey(r), r]));
  return [...unique.values()].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || rightKey(a).localeCompare(rightKey(b)),
  );
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => asArr(v).map(String);

/** What the agent's executor identity holds: each of its Kubernetes rights, carried out only with approval. */
function approvalRights(objects: readonly Manifest[], executor: Manifest | undefined): Right[] {
  if (!executor) return [];
  return kubernetesRights(objects, executor).map((r): Right =>
    r.kind === "kubernetes" ? { ...r, kind: "approval" } : r,
  );
}

function kubernetesRights(objects: readonly Manifest[], sa: Manifest): Right[] {
  const saNs = sa.metadata.namespace ?? "";
  const bindings = objects.filter(
    (o) =>
      o.kind === "RoleBinding" &&
      asArr(o.subjects).some(
        (s) => asObj(s).kind === "ServiceAccount" && asObj(s).name === sa.metadata.name && asObj(s).namespace === saNs,
      ),
  );
  return bindings.flatMap((b) => {
    const ref = asObj(b.roleRef);
    const role = objects.find(
      (o) => o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === b.metadata.namespace,
    );
    // Fail closed: a binding whose Role is not in the plan grants something the matrix cannot show.
    if (!role)
      throw new MatrixError(
        `RoleBinding ${b.metadata.namespace}/${b.metadata.name} refers to ${String(ref.kind)} "${String(ref.name)}", which is not in the plan`,
      );
    return asArr(role.rules).flatMap((rule) => {
      const r = asObj(rule);
      const names = strs(r.resourceNames).sort();
      return strs(r.apiGroups).flatMap((g) =>
        strs(r.resources).flatMap((res) =>
          strs(r.verbs).map((verb): Right => ({
            kind: "kubernetes",
            verb,
            resource: g ? `${g}/${res}` : res,
            namespace: b.metadata.namespace ?? "",
            resourceNames: names,
          })),
        ),
      );
    });
  });
}

function vaultRights(objects: readonly Manifest[], role: Manifest): Right[] {
  const policies = strs(asObj(role.spec).token_policies);
  return policies.flatMap((name) => {
    const doc = objects.find((o) => o.kind === "VaultPolicy" && asObj(o.spec).name === name);
    if (!doc)
      throw new MatrixError(`Vault role ${role.metadata.name} attaches policy "${name}", which is not in the plan`);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar; anything else is shown as it is
    return parseVaultPolicy(String(asObj(doc.spec).policy ?? "")).flatMap((block) =>
      block.capabilities.includes("deny")
        ? []
        : block.capabilities.map((capability): Right => ({ kind: "vault", path: block.path, capability })),
    );
  });
}

function peerText(peer: Obj): string {
  const ip = asObj(peer.ipBlock);
  if (typeof ip.cidr === "string") {
    const except = strs(ip.except);
    return `${ip.cidr}${except.length ? ` except ${except.join(", ")}` : ""}`;
  }
  const labels = (v: unknown) =>
    Object.entries(asObj(asObj(v).matchLabels))
      .map(([k, x]) => `${k}=${String(x)}`)
      .join(",");
  const ns = peer.namespaceSelector === undefined ? "this namespace" : `namespaces {${labels(peer.namespaceSelector)}}`;
  return peer.podSelector === undefined ? ns : `${ns} pods {${labels(peer.podSelector)}}`;
}

function egressRights(objects: readonly Manifest[], agent: string, phase: string): Right[] {
  const selects = (np: Manifest) => {
    const sel = asObj(asObj(asObj(np.spec).podSelector).matchLabels);
    return Object.entries(sel).every(([k, v]) =>
      k === LABELS.agent ? v === agent : k === LABELS.phase ? v === phase : false,
    );
  };
  return objects
    .filter((o) => o.kind === "NetworkPolicy" && selects(o))
    .flatMap((np) =>
      asArr(asObj(np.spec).egress).flatMap((rule) => {
        const peers = asArr(asObj(rule).to).map((p) => peerText(asObj(p)));
        const ports = asArr(asObj(rule).ports).map(
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- YAML scalars; anything else is shown as it is
          (p) => `${String(asObj(p).port ?? "all")}/${String(asObj(p).protocol ?? "TCP")}`,
        );
        return (peers.length ? peers : ["anywhere"]).flatMap((to) =>
          (ports.length ? ports : ["all"]).map((port): Right => ({ kind: "egress", to, port })),
        );
      }),
    );
}

function limitRights(objects: readonly Manifest[], role: Manifest, sa: string): Right[] {
  const spec = asObj(role.spec);
  const out: Right[] = [
    { kind: "limit", name: "vault token ttl", value: `${String(spec.token_ttl)} s` },
    { kind: "limit", name: "vault token max ttl", value: `${String(spec.token_max_ttl)} s` },
  ];
  for (const t of objects.filter(
    (o) => o.kind === "PodTemplate" && asObj(asObj(o.template).spec).serviceAccountName === sa,
  )) {
    const tier = t.metadata.labels?.[LABELS.tier] ?? t.metadata.name;
    const pod = asObj(asObj(t.template).spec);
    const agentContainer = asObj(asArr(pod.containers)[0]);
    const env = Object.fromEntries(
      asArr(agentContainer.env).map((e) => [String(asObj(e).name), String(asObj(e).value)]),
    );
    const limits = asObj(asObj(agentContainer.resources).limits);
    const projected = asArr(asObj(asObj(asArr(pod.volumes).find((v) => asObj(v).projected)).projected).sources);
    const tokenSeconds = asObj(asObj(projected[0]).serviceAccountToken).expirationSeconds;
    const a = t.metadata.annotations ?? {};
    out.push(
      {
        kind: "limit",
        name: `${tier} job deadline`,
        value: `${a["agent-trust.io/active-deadline-seconds"] ?? "none"} s`,
      },
      { kind: "limit", name: `${tier} reasoning cycles`, value: env.AGENT_TRUST_MAX_REASONING_CYCLES ?? "none" },
      { kind: "limit", name: `${tier} cpu / memory limit`, value: `${String(limits.cpu)} / ${String(limits.memory)}` },
      { kind: "limit", name: `${tier} projected token`, value: `${String(tokenSeconds)} s` },
    );
  }
  return out;
}

function identityOf(plan: AgentPlan, phase: string): IdentityMatrix {
  const sa = plan.serviceAccount;
  const role = plan.vault.role;
  const all = manifestsOf(plan);
  return {
    agent: plan.agent,
    identity: `system:serviceaccount:${sa.metadata.namespace}:${sa.metadata.name}`,
    vaultRole: role.metadata.name,
    rights: sortRights([
      ...kubernetesRights(all, sa),
      ...approvalRights(all, plan.executor?.serviceAccount),
      ...vaultRights(all, role),
      ...egressRights(all, plan.agent, phase),
      ...limitRights(all, role, sa.metadata.name),
    ]),
  };
}

/** The matrix of a phase stack, from its plan (a phase above the ceiling is shown too: it is what would be granted). */
export function phaseMatrix(stack: string, cfg: PhaseConfig, foundation: FoundationOutputs): StackMatrix {
  const plans = planPhase(cfg, foundation, { allowAboveCeiling: true });
  return {
    stack,
    environment: cfg.environment,
    layer: "phase",
    phase: cfg.phase,
    agents: plans.map((p) => identityOf(p, cfg.phase)),
  };
}
