/**
 * One cell of the admission verification and how it is measured: the request a cell makes, the outcome and the
 * enforcer (an admission rule or RBAC) it expects, how the API server's answer is read (allow on 2xx, deny only on
 * a 403 from the expected enforcer), and the waits around it: a refusal that has not reached admission yet is
 * retried for the cell's settle time, and an over-grant is awaited until the authorizer sees it. Each measured cell
 * is recorded as a result of the admission section.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { Phase } from "../../model/phases";
import { ADMISSION_RULES } from "../../admission/rules";
import { kubeOk, type RawResponse } from "../servers/kube";
import type { CheckResult, Measured, Outcome } from "./results";

export interface Cell {
  readonly scope: string;
  readonly verb: string;
  readonly object: string;
  readonly expected: Outcome;
  /** The admission rule expected to refuse, `rbac`, or why it should pass. */
  readonly basis: string;
  readonly run: () => Promise<RawResponse>;
  /** Retry a refusal that has not arrived yet for up to this long (parameter changes reach admission by watch). */
  readonly settleMs?: number;
}

/** Allow on 2xx; deny only on a 403 from the expected enforcer (the named rule, with the phase for agents). */
export function measure(
  cell: Pick<Cell, "expected" | "basis">,
  phase: Phase,
  r: RawResponse,
): { measured: Measured; detail: string } {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- the API server's JSON message, a string; anything else is shown as it is
  const message = String(r.body.message ?? "");
  const detail = `HTTP ${r.status}${message ? `: ${message}` : ""}`;
  if (r.status >= 200 && r.status < 300) return { measured: "allow", detail };
  if (r.status !== 403) return { measured: "error", detail };
  const rule = ADMISSION_RULES.find((x) => x.name === cell.basis);
  const byExpected = rule
    ? message.includes(`agent-trust rule ${rule.name}`) &&
      (rule.admission.requesters !== "agents" || message.includes(`(phase ${phase},`))
    : cell.basis === "rbac" && !message.includes("ValidatingAdmissionPolicy");
  return { measured: byExpected || cell.expected === "allow" ? "deny" : "error", detail };
}

export async function untilAllowed(admin: KubeConfig, user: string, attributes: Record<string, string>): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const body = await kubeOk(admin, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user, groups: ["system:serviceaccounts", "system:authenticated"], resourceAttributes: attributes },
    });
    if ((body.status as { allowed?: boolean }).allowed) return;
    if (Date.now() > deadline) throw new Error(`the authorizer never saw the over-grant for ${user}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runCell(cell: Cell, phase: Phase): Promise<{ measured: Measured; detail: string }> {
  const deadline = Date.now() + (cell.settleMs ?? 0);
  for (;;) {
    const m = measure(cell, phase, await cell.run());
    if (m.measured !== "allow" || cell.expected === "allow" || Date.now() > deadline) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `cells` in order for one agent of `phase`, each measured and recorded as a result of the admission section. */
export async function recordCells(
  results: CheckResult[],
  phase: Phase,
  agent: string,
  cells: readonly Cell[],
): Promise<void> {
  for (const c of cells) {
    const m = await runCell(c, phase);
    results.push({
      section: "admission",
      phase,
      agent,
      scope: c.scope,
      verb: c.verb,
      object: c.object,
      expected: c.expected,
      basis: c.basis,
      ...m,
    });
  }
}
