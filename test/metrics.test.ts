import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { metricsTable, rulesTable } from "../src/docs/metrics-table";
import { METRICS } from "../src/model/metrics";

// The tables live in docs/observability.md (moved out of the README with the rest of the observability internals).
const readme = () => fs.readFileSync(path.resolve(__dirname, "..", "docs", "observability.md"), "utf8");
const section = (name: string) =>
  new RegExp(`<!-- ${name}:start -->\\n([\\s\\S]*?)\\n<!-- ${name}:end -->`).exec(readme());
const REGEN =
  "regenerate: replace the text between the markers with metricsTable() / rulesTable() from src/docs/metrics-table.ts";

test("the README's metrics contract is the one generated from src/model/metrics.ts", () => {
  const m = section("metrics-table");
  assert.ok(m, "README has the metrics-table markers");
  assert.equal(m[1], metricsTable(), REGEN);
  const rows = m[1]!.split("\n").filter((l) => l.startsWith("| `agent_trust_"));
  assert.equal(rows.length, METRICS.length);
});

test("the README's rule summary is the one generated from the planned rules", () => {
  const m = section("rules-table");
  assert.ok(m, "README has the rules-table markers");
  assert.equal(m[1], rulesTable(), REGEN);
  assert.equal(m[1]!.split("\n").filter((l) => / \| (record|alert) \| /.test(l)).length, 25);
});
