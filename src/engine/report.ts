/** What a user reads after an engine run: the planned or applied changes and the policy pack's verdict. */
import { table } from "../cli/table";
import { changes, type EngineResult } from "./engine";

const SYMBOL: Record<string, string> = {
  create: "+",
  delete: "-",
  update: "~",
  replace: "+-",
  "create-replacement": "++",
  "delete-replaced": "--",
};

export function formatEngineResult(stack: string, what: "preview" | "up" | "destroy", r: EngineResult): string[] {
  const lines: string[] = [];
  const changed = changes(r);
  lines.push(`pulumi ${what} ${stack}: ${changed.length} change(s)`);
  // The CLI's one table printer; no table at all when nothing changes.
  if (changed.length > 0) {
    lines.push(
      ...table(
        ["op", "type", "name"],
        changed.map((s) => [SYMBOL[s.op] ?? s.op, s.type, s.name]),
        { indent: "  " },
      ),
    );
  }
  const blocking = r.violations.filter((v) => v.level === "mandatory");
  if (r.violations.length === 0 && r.ok) lines.push("policy pack agent-trust: passed");
  for (const d of r.diagnostics) lines.push(`error: ${d.split("\n")[0]}`);
  for (const v of r.violations)
    lines.push(`policy pack agent-trust: ${v.level} violation [${v.policy}]: ${v.message.trim().split("\n")[0]}`);
  if (!r.ok)
    lines.push(
      blocking.length > 0
        ? `pulumi ${what} ${stack}: BLOCKED by the policy pack`
        : `pulumi ${what} ${stack}: FAILED: ${(r.error ?? "").trim().split("\n").slice(-3).join(" ")}`,
    );
  return lines;
}
