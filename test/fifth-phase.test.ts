/**
 * Adding a phase is PHASES, one catalog row and one gate row. This test proves it: it copies the project, makes
 * exactly those three edits (a fifth phase, `guardian`, after autonomous, that may also scale statefulsets), adds
 * a stack file for it, and shows the phase flowing through config, plan, rules, the promotion gate, the matrix and
 * the docs (test/fixtures/fifth-phase/probe.ts, run inside the copy), and that the copy still type-checks. The
 * shipped code has no seam for this: the table is data that every other file reads.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { tempDir } from "./helpers/tmp";

const ROOT = path.resolve(__dirname, "..");

/** The three edits, each anchored on text that must occur exactly once. */
const EDITS: readonly { file: string; anchor: string; insert: "before" | "after"; text: string }[] = [
  { file: "src/model/phases.ts", anchor: `"remediation", "autonomous"`, insert: "after", text: `, "guardian"` },
  {
    file: "src/model/catalog.ts",
    anchor: "\n};\n\nexport function phaseSpec",
    insert: "before",
    text: `
  guardian: {
    phase: "guardian",
    summary: "routine fixes, and scaling statefulsets",
    outputReachesOperators: true,
    readOnly: false,
    writes: [RESTART_POD, ROLLOUT_RESTART, SCALE, { intent: "scale a statefulset", resource: { apiGroup: "apps", resource: "statefulsets/scale" }, verb: "patch", narrowedBy: "deployments" }],
    approvable: [DELETE_DEPLOYMENT, DELETE_STATEFULSET, DELETE_PVC, SCALE_DOWN],
    vault: [...READ_DIAGNOSTICS, READ_NOTIFY, ...READ_REMEDIATION],
    egress: [...BASE_EGRESS, "notify", "remediation-targets"],
  },`,
  },
  {
    file: "src/model/promotion-gates.ts",
    anchor: "} satisfies Readonly<Record<PromotedPhase, RowShape>>;",
    insert: "before",
    text: `  guardian: gate<"autonomous", { window: Window; autonomousRemediations: number; rollbacks: Ratio; signOffs: readonly SignOff[] }>({
    from: "autonomous",
    minApprovers: 2,
    record: z.strictObject({ window: windowField, autonomousRemediations: countField, rollbacks: ratioField, signOffs }),
    criteria: [
      { id: "autonomousRemediations", label: "autonomous remediations", bound: { kind: "atLeast", value: 200 }, measure: (r) => count(r.autonomousRemediations) },
      { id: "rollbackRate", label: "rollbacks of autonomous remediations", bound: { kind: "below", percent: 1 }, measure: (r) => ratio(r.rollbacks) },
    ],
  }),
`,
  },
];

let tree = "";
let seen: any;

function edit(file: string, anchor: string, insert: "before" | "after", text: string): void {
  const p = path.join(tree, file);
  const src = fs.readFileSync(p, "utf8");
  const at = src.indexOf(anchor);
  assert.ok(
    at >= 0 && src.indexOf(anchor, at + 1) < 0,
    `${file}: the anchor ${JSON.stringify(anchor)} occurs exactly once`,
  );
  const cut = insert === "before" ? at : at + anchor.length;
  fs.writeFileSync(p, src.slice(0, cut) + text + src.slice(cut));
}

before(() => {
  tree = tempDir("agent-trust-fifth-");
  for (const d of ["src", "stacks", "evidence", "policy"]) {
    fs.cpSync(path.join(ROOT, d), path.join(tree, d), { recursive: true, filter: (s) => !s.includes("node_modules") });
  }
  for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json"])
    fs.copyFileSync(path.join(ROOT, f), path.join(tree, f));
  fs.mkdirSync(path.join(tree, "test/fixtures/fifth-phase"), { recursive: true });
  fs.copyFileSync(
    path.join(ROOT, "test/fixtures/fifth-phase/probe.ts"),
    path.join(tree, "test/fixtures/fifth-phase/probe.ts"),
  );
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(tree, "node_modules"), "dir");
  fs.symlinkSync(path.join(ROOT, "policy/node_modules"), path.join(tree, "policy/node_modules"), "dir");
  for (const e of EDITS) edit(e.file, e.anchor, e.insert, e.text);
  // A stack for the new phase: the dev autonomous stack, one phase up.
  const stack = fs.readFileSync(path.join(ROOT, "stacks/Pulumi.dev-autonomous.yaml"), "utf8");
  assert.equal(stack.split("agent-trust:phase: autonomous").length, 2);
  fs.writeFileSync(
    path.join(tree, "stacks/Pulumi.dev-guardian.yaml"),
    stack.replace("agent-trust:phase: autonomous", "agent-trust:phase: guardian"),
  );
  const probe = execFileSync(process.execPath, ["--import", "tsx", "test/fixtures/fifth-phase/probe.ts", tree], {
    cwd: tree,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  seen = JSON.parse(probe);
  if (process.env["FIFTH_DUMP"]) fs.writeFileSync(process.env["FIFTH_DUMP"], probe);
});

after(() => {
  if (tree) fs.rmSync(tree, { recursive: true, force: true });
});

test("the table has five phases, guardian last, above autonomous", () => {
  assert.deepEqual(seen.phases, ["shadow", "assist", "remediation", "autonomous", "guardian"]);
  assert.deepEqual(seen.order, { above: true, below: false, highest: "guardian", atOrBelowAutonomous: "autonomous" });
  assert.equal(seen.catalog.writes.length, 4);
  assert.ok(seen.catalog.writes.includes("patch apps/statefulsets/scale"));
});

test("config and plan: the stack parses and every agent object is named and labelled for guardian", () => {
  assert.equal(seen.config.phase, "guardian");
  assert.deepEqual(seen.config.agents, ["diagnostic", "capacity"]);
  assert.equal(seen.plan.warnings.length, 1, "above dev's ceiling (autonomous): rendered for review only");
  assert.match(seen.plan.warnings[0], /phase "guardian" is above the phase ceiling "autonomous" of environment "dev"/);
  const objects: { kind: string; name: string; phase: string }[] = seen.plan.objects;
  const accounts = objects.filter((o) => o.kind === "ServiceAccount");
  // Each agent's own and, as guardian copies autonomous's approvable actions, its executor (issue 20).
  assert.equal(accounts.length, 4);
  assert.deepEqual(accounts.map((o) => o.name).sort(), [
    "capacity-guardian",
    "capacity-guardian-executor",
    "diagnostic-guardian",
    "diagnostic-guardian-executor",
  ]);
  assert.ok(objects.length > 10, `${objects.length} objects`);
  assert.deepEqual(
    objects.filter((o) => o.phase !== "guardian").map((o) => `${o.kind}/${o.name}`),
    [],
    "every object carries the guardian phase label",
  );
  assert.equal(objects.filter((o) => o.name.includes("autonomous")).length, 0);
});

test("rules: guardian's own grants pass, one phase lower they are refused, a grant beyond its row is refused", () => {
  type F = { rule: string; object: string; message: string };
  assert.deepEqual(seen.rules.own, []);
  const verbs = (fs: F[]) => fs.filter((f) => f.rule === "verbs-within-phase-ceiling");
  const lower: F[] = verbs(seen.rules.oneLower).filter((f) => f.object.endsWith("-target"));
  assert.equal(lower.length, 3, "one per target Role: diagnostic in checkout and payments, capacity in payments");
  // The executors' Roles (guardian's approvable deletes) are no executors of autonomous: refused like any Role.
  const executors = verbs(seen.rules.oneLower).filter((f) => f.object.endsWith("-executor"));
  assert.ok(executors.length >= 3, `${executors.length} executor refusals`);
  for (const f of executors) assert.match(f.message, /is above the ceiling of phase "autonomous"/);
  for (const f of lower)
    assert.match(f.message, /"patch" on apps\/statefulsets\/scale is above the ceiling of phase "autonomous"/);
  const owned = (seen.rules.oneLower as F[]).filter((f) => f.rule === "phase-objects-owned");
  assert.ok(
    owned.length > 0 && owned.every((f) => /belongs to phase "guardian"; the "autonomous" stack/.test(f.message)),
    "names are read with the new phase word",
  );
  const beyond: F[] = seen.rules.beyond;
  assert.equal(beyond.length, 2);
  assert.deepEqual(beyond.map((f) => f.rule).sort(), ["no-destructive-delete", "verbs-within-phase-ceiling"]);
  assert.match(verbs(beyond)[0]!.message, /"delete" on apps\/deployments is above the ceiling of phase "guardian"/);
  assert.equal(seen.rules.ceilingDefault.length, 1);
  assert.match(seen.rules.ceilingDefault[0].message, /phase "guardian" is above the phase ceiling "autonomous"/);
  assert.deepEqual(seen.rules.ceilingRaised, []);
});

test("gate: guardian is earned on the autonomous record, by its own row", () => {
  assert.deepEqual([seen.gate.from, seen.gate.minApprovers], ["autonomous", 2]);
  assert.equal(seen.gate.before.agents.length, 2);
  assert.equal(seen.gate.before.earned, false);
  for (const a of seen.gate.before.agents) {
    assert.equal(a.from, "autonomous");
    assert.deepEqual(
      a.rows.map((r: unknown[]) => r[0]),
      ["autonomousRemediations", "rollbackRate"],
    );
  }
  const diagnostic = seen.gate.after.agents.find((a: { agent: string }) => a.agent === "diagnostic");
  assert.equal(diagnostic.rows.length, 2);
  assert.deepEqual(diagnostic.rows, [
    ["autonomousRemediations", "240", true],
    ["rollbackRate", "1 of 240 = 0.41 %", true],
  ]);
  assert.equal(diagnostic.earned, true);
  assert.equal(seen.gate.after.earned, false, "capacity has no autonomous record yet");
  assert.deepEqual(seen.gate.recordKeys, ["shadow", "assist", "remediation", "autonomous"]);
  assert.ok(
    seen.gate.report.some((l: string) =>
      /agent diagnostic: .*autonomous record 2026-11-04 to 2026-11-28: earned/.test(l),
    ),
  );
  assert.equal(seen.gate.overrideAccepted, true);
  assert.equal(seen.gate.overrideOfUnknownRefused, true);
});

test("matrix: the promotion from dev-autonomous shows exactly the statefulset scale grant", () => {
  assert.equal(seen.matrix.agents.length, 2);
  for (const a of seen.matrix.agents) assert.match(a.identity, /:[a-z]+-guardian$/);
  assert.equal(seen.matrix.delta.length, 1);
  const d = seen.matrix.delta[0];
  assert.equal(d.stack, "dev-guardian");
  const diagnostic = d.agents.find((a: { agent: string }) => a.agent === "diagnostic");
  assert.equal(diagnostic.comparedWith, "dev-autonomous at the base (promotion)");
  assert.equal(diagnostic.removed, 0);
  const kubernetes = diagnostic.added
    .map((r: string) => JSON.parse(r))
    .filter((r: { kind: string }) => r.kind === "kubernetes");
  assert.equal(kubernetes.length, 2, "one per target namespace");
  for (const r of kubernetes) assert.deepEqual([r.verb, r.resource], ["patch", "apps/statefulsets/scale"]);
});

test("docs: the README tables gain the guardian rows", () => {
  assert.equal(seen.docs.phaseRows.length, 1);
  assert.match(seen.docs.phaseRows[0], /patch statefulsets\/scale \(scale a statefulset\)/);
  assert.equal(seen.docs.gateRows.length, 1);
  assert.match(
    seen.docs.gateRows[0],
    /autonomous → \*\*guardian\*\* \| autonomous remediations \| ≥ 200 \| `guardian.autonomousRemediations`/,
  );
});

test("the copy type-checks: nothing else spells out the phases", () => {
  fs.writeFileSync(
    path.join(tree, "tsconfig.fifth.json"),
    JSON.stringify({
      extends: "./tsconfig.json",
      include: ["src/**/*.ts", "policy/*.ts", "test/fixtures/fifth-phase/probe.ts"],
    }),
  );
  const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
  try {
    execFileSync(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.fifth.json"], {
      cwd: tree,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    assert.fail(`tsc in the five-phase copy:\n${(e as { stdout?: string }).stdout ?? (e as Error).message}`);
  }
});
