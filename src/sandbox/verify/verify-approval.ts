/**
 * The approval layer, measured with real requests: for one agent of each phase that approves something, its
 * delete of a Deployment through the approval proxy (run here, in-process, as the foundation's proxy identity)
 * is held, refused when the agent approves it itself, carried out as the executor once a configured approver
 * approves (`agent-trust approvals approve`), and refused with 403 when denied or when the hold expires; the same
 * delete sent straight to the API server, and the executor identity without an approval, are refused by the
 * API server itself. Each measurement is one cell.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { runApprovals } from "../../approval/reviewers/cli";
import { captureIo } from "../../cli/io";
import { CATALOG } from "../../model/catalog";
import { executorUsername } from "../../model/naming";
import { PHASES, type Phase } from "../../model/phases";
import { startSandboxProxy, tokenClient, tokenKubeconfigYaml, type ProxySandbox } from "../deploy/approval";
import { applyAll, impersonating, kubeRequest } from "../servers/kube";
import { deployment } from "./admission-fixtures";
import type { CheckResult, Measured, Outcome } from "./results";
import { investigationToken } from "./verify-audit";

/** Polls until `f` gives a value (every 100 ms, up to `ms`). */
async function eventually<T>(f: () => Promise<T | undefined>, ms = 20_000): Promise<T | undefined> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const v = await f();
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The sandbox as this layer needs it: the proxy's, plus where to keep the kubeconfig files it hands out. */
export type ApprovalSandbox = ProxySandbox & { readonly dir: string; readonly kubeconfig: string };

interface Agent {
  readonly phase: Phase;
  readonly name: string;
  readonly viaProxy: KubeConfig;
  readonly viaShortProxy: KubeConfig;
  readonly direct: KubeConfig;
  /** Its kubeconfig file pointed at the proxy, for the reviewers' command. */
  readonly file: string;
}

interface World {
  readonly sb: ApprovalSandbox;
  readonly approver: readonly string[];
}

async function approvals(args: readonly string[]): Promise<{ code: number; text: string }> {
  const io = captureIo();
  const code = await runApprovals([...args], io, { env: {} });
  return { code, text: [...io.stdout, ...io.stderr].join("\n") };
}

interface Listed {
  readonly metadata: { readonly name: string };
  readonly state: string;
  readonly spec: { readonly request: Readonly<Record<string, string>> };
}

/** The reviews of `ns/name` the approver lists (pending only, or all of them). */
async function reviewsOf(w: World, ns: string, name: string, all = false): Promise<Listed[]> {
  const r = await approvals([
    "list",
    ...(all ? ["--all"] : []),
    "--format",
    "json",
    "--kubeconfig",
    w.sb.kubeconfig,
    ...w.approver,
  ]);
  if (r.code !== 0) return [];
  return (JSON.parse(r.text) as Listed[]).filter(
    (x) => x.spec.request.namespace === ns && x.spec.request.name === name,
  );
}

const uri = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const exists = async (w: World, ns: string, name: string) =>
  (await kubeRequest(w.sb.kc, "GET", uri(ns, name))).status === 200;
const outcome = (status: number): Measured =>
  status === 403 ? "deny" : status >= 200 && status < 300 ? "allow" : "error";
const lastLine = (text: string) => text.trim().split("\n").pop() ?? "";
const said = (r: { status: number; body: Record<string, unknown> }) =>
  typeof r.body.message === "string" ? r.body.message : `HTTP ${r.status}`;

/** Every cell of one agent: approved, its own approval, denied, expired, bypassing the proxy, the bare executor. */
async function measure(w: World, a: Agent, ns: string, name: string): Promise<CheckResult[]> {
  const base = {
    section: "approval",
    phase: a.phase,
    agent: a.name,
    scope: "target ns",
    object: `deployments/${name}`,
  } as const;
  const out: CheckResult[] = [];
  const cell = (verb: string, expected: Outcome, measured: Measured, basis: string, detail: string) =>
    out.push({ ...base, verb, expected, measured, basis, detail });
  const reset = () => applyAll(w.sb.kc, [deployment(name, ns, 2)]);
  await reset();
  // Held; the agent approving its own request is refused; a person's approval carries it out as the executor.
  const held = kubeRequest(a.viaProxy, "DELETE", uri(ns, name));
  const review = (await eventually(async () => (await reviewsOf(w, ns, name))[0]))?.metadata.name;
  const self = review ? await approvals(["approve", review, "--kubeconfig", a.file, "--reason", "mine"]) : undefined;
  cell(
    "approve its own request",
    "deny",
    !self ? "error" : self.code === 0 ? "allow" : "deny",
    "approvers only",
    self ? lastLine(self.text) : "no review listed",
  );
  const yes = review ? await approvals(["approve", review, "--kubeconfig", w.sb.kubeconfig, ...w.approver]) : undefined;
  const done = await held;
  const carried = yes?.code === 0 && !(await exists(w, ns, name));
  cell(
    "delete, approved",
    "allow",
    done.status === 200 && carried ? "allow" : outcome(done.status) === "allow" ? "error" : outcome(done.status),
    "approval",
    `review ${review ?? "none"}: HTTP ${done.status}`,
  );
  // Denied: 403 naming the review, and the Deployment stays.
  await reset();
  const asked = kubeRequest(a.viaProxy, "DELETE", uri(ns, name));
  const second = (await eventually(async () => (await reviewsOf(w, ns, name))[0]))?.metadata.name;
  if (second) await approvals(["deny", second, "--kubeconfig", w.sb.kubeconfig, ...w.approver, "--reason", "verify"]);
  const no = await asked;
  const kept = await exists(w, ns, name);
  cell("delete, denied", "deny", kept ? outcome(no.status) : "allow", "approval", `HTTP ${no.status}: ${said(no)}`);
  // Expired: the short hold ends with 403 and nothing done; approving it afterwards is refused.
  const late = await kubeRequest(a.viaShortProxy, "DELETE", uri(ns, name));
  const expired = (await reviewsOf(w, ns, name, true)).filter((r) => r.state === "expired").pop()?.metadata.name;
  const after = expired
    ? await approvals(["approve", expired, "--kubeconfig", w.sb.kubeconfig, ...w.approver])
    : undefined;
  const lateOk = after !== undefined && after.code !== 0;
  cell(
    "delete, hold expired",
    "deny",
    (await exists(w, ns, name)) && lateOk ? outcome(late.status) : "allow",
    "hold",
    `HTTP ${late.status}; a late approval exits ${after?.code ?? "(no review)"}`,
  );
  // Straight to the API server with the agent's own token; as the executor without an approval.
  const direct = await kubeRequest(a.direct, "DELETE", uri(ns, name));
  cell("delete, bypassing the proxy", "deny", outcome(direct.status), "rbac", said(direct));
  const executor = impersonating(w.sb.kc, executorUsername(w.sb.env.namespace, a.name, a.phase));
  const bare = await kubeRequest(executor, "DELETE", uri(ns, name));
  cell("delete as its executor, no approval", "deny", outcome(bare.status), "admission", said(bare));
  await reset();
  return out;
}

/** The approval cells; none when the foundation runs no approval proxy. */
export async function verifyApproval(sb: ApprovalSandbox): Promise<CheckResult[]> {
  const approval = sb.env.foundation.config.approval;
  if (!approval) return [];
  const group = approval.approvers.groups[0];
  const approver = group
    ? ["--as", "agent-trust-verify-approver", "--as-group", group]
    : ["--as", approval.approvers.users[0] ?? ""];
  const w: World = { sb, approver };
  const proxy = await startSandboxProxy(sb, { holdSeconds: 60 });
  const short = await startSandboxProxy(sb, { holdSeconds: 2 });
  const caPem = fs.readFileSync(sb.pki.caCert, "utf8");
  const server = sb.kc.getCurrentCluster()!.server;
  try {
    const out: CheckResult[] = [];
    for (const phase of PHASES.filter((p) => CATALOG[p].approvable.length > 0)) {
      const agent = sb.env.agents[phase][0];
      if (!agent) continue;
      const { token } = await investigationToken(sb.kc, sb.env, phase, agent.name, `approval-${phase}`);
      const file = path.join(sb.dir, `approval-${agent.name}-${phase}.kubeconfig`);
      fs.writeFileSync(file, tokenKubeconfigYaml({ server: proxy.url, caPem, token, name: agent.name }), {
        mode: 0o600,
      });
      const a: Agent = {
        phase,
        name: agent.name,
        viaProxy: tokenClient(proxy.url, caPem, token, agent.name),
        viaShortProxy: tokenClient(short.url, caPem, token, agent.name),
        direct: tokenClient(server, caPem, token, agent.name),
        file,
      };
      const ns = [...agent.targetNamespaces].sort()[0]!;
      out.push(...(await measure(w, a, ns, agent.resourceNames?.deployments?.[0] ?? "agent-trust-approval-web")));
    }
    return out;
  } finally {
    await proxy.close();
    await short.close();
  }
}
