/**
 * The README's metrics contract and rule summary, generated from src/model/metrics.ts and the planned rules so
 * the documentation cannot drift from what the collector keeps and the rules read (a test compares them).
 */
import { EXTERNAL_METRICS, IDENTITY_LABELS, METRICS, SIGNALS } from "../model/metrics";
import { planRuleGroups } from "../plan/observability-rules";

export function metricsTable(): string {
  const rows = METRICS.map((m) => {
    const extra = Object.entries(m.labels).map(([k, v]) => `\`${k}\`: ${(v as readonly string[]).join(", ")}`);
    const buckets = "buckets" in m ? ` Buckets: ${m.buckets.join(", ")}.` : "";
    return `| \`${m.name}\` | ${m.type} | \`${m.unit}\` | ${extra.length ? extra.join("; ") : "—"} | ${m.emitter} | ${m.when} | ${m.description}${buckets} |`;
  });
  return [
    `Every series also carries ${IDENTITY_LABELS.map((l) => `\`${l}\``).join(", ")}.`,
    "",
    "| metric | type | unit | labels | emitted by | when | meaning |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    "",
    `Read from other exporters: ${EXTERNAL_METRICS.map((m) => `\`${m.name}\` (${m.source}: ${m.description})`).join("; ")}`,
  ].join("\n");
}

export function rulesTable(): string {
  const rows = planRuleGroups("<namespace>").flatMap((g) =>
    g.rules.map((r) =>
      "record" in r
        ? `| ${g.name} | record | \`${r.record}\`${
            r.labels
              ? ` (${Object.entries(r.labels)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(", ")})`
              : ""
          } | \`${r.expr.replaceAll("|", "\\|")}\` |`
        : `| ${g.name} | alert | **${r.alert}** | \`${r.expr.replaceAll("|", "\\|")}\` |`,
    ),
  );
  const d = SIGNALS.demotion;
  return [
    `Breaker: min(tier cap ${SIGNALS.tierCycleCaps.simple} simple / ${SIGNALS.tierCycleCaps.complex} complex, ${SIGNALS.p95Factor} × p95 of resolved runs over ${SIGNALS.p95Window}). ` +
      `Demotion: accuracy < ${d.minAccuracy}, rollback rate > ${d.maxRollbackRate}, out-of-scope attempts > ${d.maxOutOfScope}, over ${SIGNALS.evidenceWindow}. ` +
      `Cost anomaly: > ${SIGNALS.costAnomalyFactor} × the tier's median cost per investigation.`,
    "",
    "| group | kind | name | expression |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
