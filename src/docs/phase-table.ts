/**
 * The README's phase table, generated from the trust catalog so the documentation cannot drift from what the
 * program grants (a test compares the two).
 */
import { CATALOG, domainGrants, SECRET_DOMAINS } from "../model/catalog";
import { PHASES } from "../model/phases";
import { DEMOTION_RULES, DEMOTION_WINDOW_DAYS, formatBound, gateRows } from "../model/promotion";

export function phaseTable(): string {
  const rows = PHASES.map((p) => {
    const spec = CATALOG[p];
    const writes =
      spec.writes.length === 0
        ? "none"
        : spec.writes.map((w) => `${w.verb} ${w.resource.resource} (${w.intent})`).join("; ");
    const vault = SECRET_DOMAINS.flatMap((d) =>
      domainGrants(p, d).map((g) => `\`${g.path}\` ${g.capabilities.join("/")}`),
    ).join(", ");
    const approvable =
      spec.approvable.length === 0
        ? "none"
        : spec.approvable.map((a) => `${a.verbs.join("/")} ${a.resource.resource} (${a.intent})`).join("; ");
    return `| **${p}** | ${spec.summary} | get/list/watch | ${writes} | ${approvable} | ${vault} | ${spec.egress.join(", ")} |`;
  });
  return [
    "| phase | meaning | Kubernetes reads (target namespaces) | Kubernetes writes (target namespaces) | allowed with approval (target namespaces) | Vault (KV v2, relative to the mount) | egress classes |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** The README's promotion gates and demotion rules, generated from the gate table (`src/model/promotion-gates.ts`) and `src/model/promotion.ts`. */
export function promotionTable(): string {
  const gates = gateRows().flatMap(([to, g]) =>
    g.criteria.map(
      (c, i) =>
        `| ${i === 0 ? `${g.from} → **${to}**` : ""} | ${c.label} | ${formatBound(c.bound)} | ${c.fixed ? "fixed (safety invariant)" : `\`${to}.${c.id}\``} |`,
    ),
  );
  const demotions = DEMOTION_RULES.map(
    (c) =>
      `| ${c.label} | ${formatBound(c.bound)} | ${c.fixed ? "fixed (safety invariant)" : `\`demotion.${c.id}\``} |`,
  );
  return [
    "| promotion | criterion (measured in the phase below) | default | override key |",
    "|---|---|---|---|",
    ...gates,
    "",
    `Demotion to the previous phase, pending review before re-promotion, when any of these holds over the last ${DEMOTION_WINDOW_DAYS} days (\`demotion.windowDays\`):`,
    "",
    "| trigger | default | override key |",
    "|---|---|---|",
    ...demotions,
  ].join("\n");
}
