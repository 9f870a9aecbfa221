/** Runs every verification against a deployed sandbox and returns all measured cells. */
import type { Sandbox } from "../deploy/sandbox";
import { findCyclonus } from "./cyclonus";
import type { CheckResult } from "./results";
import { verifyAdmission } from "./verify-admission";
import { verifyApproval, type ApprovalSandbox } from "./verify-approval";
import { verifyAudit } from "./verify-audit";
import { verifyNetwork } from "./verify-network";
import { verifyPodSecurity } from "./verify-pods";
import { verifyRbac } from "./verify-rbac";
import { verifyVault } from "./verify-vault";

export interface Verification {
  readonly results: CheckResult[];
  /** Seconds spent per section. */
  readonly timings: Record<string, number>;
}

export interface VerifyOptions {
  /** The cyclonus binary; found through scripts/servers.sh (never built here) when absent. */
  readonly cyclonus?: string;
}

export async function verifySandbox(
  sb: Pick<Sandbox, "kc" | "vault" | "env" | "auditLog"> & ApprovalSandbox,
  log: (l: string) => void = () => undefined,
  opts: VerifyOptions = {},
): Promise<Verification> {
  const timings: Record<string, number> = {};
  const timed = async (name: string, f: () => Promise<CheckResult[]>) => {
    const t = Date.now();
    const r = await f();
    timings[name] = (Date.now() - t) / 1000;
    log(`verify: ${name}: ${r.length} checks in ${timings[name].toFixed(1)}s`);
    return r;
  };
  const rbac = await timed("rbac", () => verifyRbac(sb.kc, sb.env));
  const vault = await timed("vault", () => verifyVault(sb.kc, sb.vault, sb.env));
  const pods = await timed("pod-security", () => verifyPodSecurity(sb.kc, sb.env));
  const admission = await timed("admission", () => verifyAdmission(sb.kc, sb.env));
  const audit = await timed("audit", () => verifyAudit(sb.kc, sb.env, sb.auditLog));
  // The network layer has no enforcer in the sandbox (no CNI): cyclonus judges the stored NetworkPolicies.
  const cyclonus = opts.cyclonus ?? (await findCyclonus({ build: false, log }));
  const network = await timed("network", () => verifyNetwork(sb.kc, sb.env, cyclonus));
  const approval = await timed("approval", () => verifyApproval(sb));
  return { results: [...rbac, ...vault, ...pods, ...network, ...admission, ...audit, ...approval], timings };
}
