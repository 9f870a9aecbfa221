/**
 * A synthetic measured run for the summary and report tests: two agents in every phase, a few cells in every
 * layer, and (when asked) one deliberate mismatch in the given layer: the first agent's last cell of that layer in
 * assist measured the opposite of what the catalog expects (in RBAC: diagnostic may delete pods).
 */
import { PHASES } from "../../src/model/phases";
import type { CheckResult, Section } from "../../src/sandbox/verify/results";
import type { RunReport } from "../../src/sandbox/verify/summary";

export const AGENTS = ["diagnostic", "capacity"] as const;

const CELLS: Record<Section, readonly Pick<CheckResult, "scope" | "verb" | "object">[]> = {
  rbac: [
    { scope: "target ns", verb: "get", object: "pods" },
    { scope: "target ns", verb: "delete", object: "pods" },
  ],
  vault: [{ scope: "kv", verb: "read", object: "agent/notify" }],
  "pod-security": [{ scope: "ai-agents", verb: "create", object: "privileged [standard]" }],
  admission: [{ scope: "own grants", verb: "create", object: "RoleBinding to cluster-admin" }],
  audit: [{ scope: "real request", verb: "recorded", object: "list pods" }],
  network: [{ scope: "egress", verb: "connect", object: "kube-dns:53/UDP" }],
  approval: [{ scope: "target ns", verb: "delete, approved", object: "deployments/payments-api" }],
};

const expectedOf = (section: Section, verb: string) =>
  (section === "rbac" && verb === "delete") || section === "pod-security" || section === "admission" ? "deny" : "allow";

export interface Synthetic {
  /** The layer holding the one mismatch; none when false. */
  readonly mismatch: Section | false;
  readonly agents?: readonly string[];
}

export function syntheticResults(opts: Synthetic): CheckResult[] {
  const agents = opts.agents ?? AGENTS;
  return (Object.keys(CELLS) as Section[]).flatMap((section) =>
    PHASES.flatMap((phase) =>
      agents.flatMap((agent) =>
        CELLS[section].map((c, i): CheckResult => {
          const expected = expectedOf(section, c.verb);
          const broken =
            opts.mismatch === section && phase === "assist" && agent === agents[0] && i === CELLS[section].length - 1;
          const measured = !broken ? expected : expected === "allow" ? "deny" : "allow";
          return {
            section,
            phase,
            agent,
            ...c,
            expected,
            basis: "catalog",
            measured,
            ...(broken ? { detail: "the server's words: allowed by RoleBinding widened" } : {}),
          };
        }),
      ),
    ),
  );
}

export function syntheticRun(opts: Synthetic): RunReport {
  const agents = opts.agents ?? AGENTS;
  return {
    title: "agent-trust demo",
    deployed: {
      environment: "dev",
      stacks: ["dev", "dev-shadow", "dev-assist", "dev-remediation", "dev-autonomous"],
      agents: { shadow: agents, assist: agents, remediation: agents, autonomous: agents },
      by: "the sandbox's own client",
      kubernetes: 120,
      vault: 40,
    },
    results: syntheticResults(opts),
    timings: { rbac: 1.25, vault: 2.5, "pod-security": 0.75, admission: 3, audit: 4.5, network: 1, approval: 2 },
    steps: [
      ["servers up", 10],
      ["deploy", 20],
      ["verify", 13],
      ["stop", 1],
      ["total", 44],
    ],
    generatedAt: "2026-12-02T16:00:00.000Z",
  };
}

/** Every grid cell: its class, layer, agent and phase (attribute values as written, escaped). */
export function gridCells(html: string): { cls: string; layer: string; agent: string; phase: string; body: string }[] {
  const re = /<td class="cell ([a-z]+)" data-layer="([^"]*)" data-agent="([^"]*)" data-phase="([^"]*)">(.*?)<\/td>/g;
  return [...html.matchAll(re)].map((m) => ({ cls: m[1]!, layer: m[2]!, agent: m[3]!, phase: m[4]!, body: m[5]! }));
}
