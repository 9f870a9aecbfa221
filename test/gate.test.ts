import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import { captureIo } from "../src/cli/io";
import { main } from "../src/cli/main";
import { listStacks, loadFoundationFor, loadStackConfig, projectRoot } from "../src/config/stacks";
import { isAbove } from "../src/model/phases";
import { evidenceFileSchema, parseWith } from "../src/promotion/evidence";
import { judgeStack } from "../src/promotion/gate";
import { clusterOf, runStack, type Registered } from "./helpers/pulumi-mocks";
import { tempDir } from "./helpers/tmp";

const ROOT = projectRoot();
const tmp = tempDir("agent-trust-gate-");
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function gate(...args: string[]) {
  const io = captureIo();
  const code = await main(["gate", ...args], io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

test("the shipped evidence earns exactly the phases the shipped stacks deploy (at or below the ceiling)", () => {
  const phaseStacks = listStacks().filter((s) => loadStackConfig(s).layer === "phase");
  assert.equal(phaseStacks.length, 12);
  for (const stack of phaseStacks) {
    const cfg = loadStackConfig(stack);
    const deployable = !isAbove(cfg.layer === "phase" ? cfg.phase : "shadow", loadFoundationFor(cfg).phaseCeiling);
    assert.equal(judgeStack(stack).earned, deployable, stack);
  }
});

test("raising prod's phase without the evidence fails the gate with a readable table (exit 1)", async () => {
  const r = await gate("prod-remediation");
  assert.equal(r.code, 1);
  assert.match(r.out, /^gate prod-remediation: phase remediation in prod is NOT EARNED$/m);
  assert.match(r.out, /criterion\s+required\s+measured\s+pass/);
  assert.match(r.out, /assisted incidents\s+≥ 150\s+96\s+NO/);
  assert.match(r.out, /operator agreement on the diagnosis\s+> 90 %\s+89 of 96 = 92\.70 %\s+yes/);
  const none = await gate("prod-autonomous");
  assert.equal(none.code, 1);
  assert.equal(
    (none.out.match(/no record\s+NO/g) ?? []).length,
    5,
    "every autonomous criterion fails for want of a record",
  );
});

test("an earned stack exits 0, and an environment's override is shown next to its default", async () => {
  const r = await gate("dev-assist");
  assert.equal(r.code, 0);
  assert.equal(
    (r.out.match(/shadow incidents\s+≥ 50 \(override; default ≥ 100\)/g) ?? []).length,
    2,
    "both dev agents",
  );
  assert.match(r.out, /calibration: stacks\/Pulumi\.dev\.yaml \(overrides marked below\)/);
  const json = await gate("prod-assist", "--format", "json");
  assert.equal(json.code, 0);
  const parsed = JSON.parse(json.out) as { earned: boolean; agents: { result: { rows: unknown[] } }[] };
  assert.equal(parsed.agents.length, 1);
  assert.deepEqual([parsed.earned, parsed.agents[0]!.result.rows.length], [true, 4]);
});

test("bad arguments and foundation stacks are bad input (exit 2)", async () => {
  for (const args of [
    [],
    ["prod"],
    ["nope"],
    ["dev-assist", "dev-shadow"],
    ["dev-assist", "--format", "xml"],
    ["--bogus"],
  ]) {
    const r = await gate(...args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, /^agent-trust: /);
  }
});

/** A copy of the project in a temp dir with one evidence file replaced. */
function project(name: string, evidence: string | undefined): string {
  const root = path.join(tmp, name);
  fs.mkdirSync(root, { recursive: true });
  fs.cpSync(path.join(ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
  fs.cpSync(path.join(ROOT, "stacks"), path.join(root, "stacks"), { recursive: true });
  fs.cpSync(path.join(ROOT, "evidence"), path.join(root, "evidence"), { recursive: true });
  const file = path.join(root, "evidence/prod/diagnostic.yaml");
  if (evidence === undefined) fs.rmSync(file);
  else fs.writeFileSync(file, evidence);
  return root;
}

const SHIPPED = fs.readFileSync(path.join(ROOT, "evidence/prod/diagnostic.yaml"), "utf8");

test("bad evidence is refused with every problem naming its key, and judges nothing", () => {
  const cases: [string, string | undefined, RegExp][] = [
    [
      "bare-percentage",
      SHIPPED.replace("diagnosticAccuracy: {count: 174, of: 180}", "diagnosticAccuracy: 0.97"),
      /records\.shadow\.diagnosticAccuracy: Invalid input: expected object/,
    ],
    [
      "count-above-of",
      SHIPPED.replace("{count: 174, of: 180}", "{count: 181, of: 180}"),
      /records\.shadow\.diagnosticAccuracy\.count: count must not exceed of/,
    ],
    [
      "domains-sum",
      SHIPPED.replace("deploy: 50", "deploy: 49"),
      /records\.shadow\.domains: the per-domain counts add up to 179, not to incidents \(180\)/,
    ],
    [
      "typo",
      SHIPPED.replace("unsafeActionAttempts: 0", "unsafeActionAttempt: 0"),
      /records\.shadow\.unsafeActionAttempts: is required[\s\S]*records\.shadow\.unsafeActionAttempt: unknown key; check its spelling/,
    ],
    [
      "negative",
      SHIPPED.replace("unsafeActionAttempts: 0", "unsafeActionAttempts: -1"),
      /records\.shadow\.unsafeActionAttempts: must not be negative/,
    ],
    [
      "future",
      SHIPPED.replace("to: 2026-11-20", "to: 2999-01-01"),
      /records\.assist\.window\.to: 2999-01-01 is in the future/,
    ],
    [
      "bad-date",
      SHIPPED.replace("from: 2026-08-01", "from: 2026-13-01"),
      /records\.shadow\.window\.from: must be a date written YYYY-MM-DD/,
    ],
    [
      "signed-early",
      SHIPPED.replace("date: 2026-09-16", "date: 2026-09-01"),
      /records\.shadow\.signOffs\[0\]\.date: 2026-09-01 is before the end of the window \(2026-09-15\)/,
    ],
    [
      "overlap",
      SHIPPED.replace("from: 2026-09-17", "from: 2026-09-01"),
      /records\.assist\.window\.from: 2026-09-01 is before the end of the shadow window/,
    ],
    [
      "wrong-agent",
      SHIPPED.replace("agent: diagnostic", "agent: capacity"),
      /evidence\/prod\/diagnostic\.yaml: agent: is "capacity" but agent-trust:agents\[0\] is "diagnostic"/,
    ],
    [
      "wrong-env",
      SHIPPED.replace("environment: prod", "environment: dev"),
      /environment: is "dev" but stack prod-assist is in "prod"/,
    ],
    [
      "duplicate-key",
      SHIPPED.replace("agent: diagnostic", "agent: diagnostic\nagent: diagnostic"),
      /is not valid YAML/,
    ],
    ["unreadable", "\u0000", /is not valid YAML|invalid evidence/],
  ];
  assert.equal(cases.length, 13);
  for (const [name, text, pattern] of cases) {
    const root = project(name, text);
    if (text !== undefined) assert.notEqual(text, SHIPPED, `${name}: the mutation applied`);
    assert.throws(() => judgeStack("prod-assist", root), pattern, name);
  }
  assert.equal(judgeStack("prod-assist", project("unchanged", SHIPPED)).earned, true, "the copy itself is sound");
});

test("no evidence file at all is not earned (exit 1 in the CLI), shown as a table of missing records", () => {
  const g = judgeStack("prod-assist", project("missing", undefined));
  assert.equal(g.agents.length, 1);
  assert.deepEqual([g.earned, g.agents[0]!.missing, g.agents[0]!.result.rows.length], [false, true, 4]);
  assert.ok(g.agents[0]!.result.rows.every((r) => !r.pass && r.measured === "no record"));
});

function observed(name: string, body: string): string {
  const file = path.join(tmp, `${name}.yaml`);
  fs.writeFileSync(file, body);
  return file;
}
const OBS = `agent: diagnostic
environment: staging
phase: remediation
window: {from: 2026-10-20, to: 2026-11-18}
diagnosticAccuracy: {count: 280, of: 300}
rollbacks: {count: 1, of: 80}
outOfScopeActions: 0
`;

test("gate --observed: no trigger exits 0; any trigger names the phase to fall back to (exit 1); bad input exits 2", async () => {
  const ok = await gate("--observed", observed("ok", OBS));
  assert.equal(ok.code, 0);
  assert.match(ok.out, /no demotion: stays in remediation/);
  const low = await gate("--observed", observed("low", OBS.replace("count: 280", "count: 275")));
  assert.equal(low.code, 1);
  assert.match(low.out, /diagnostic accuracy\s+< 92 %\s+275 of 300 = 91\.66 %\s+YES/);
  assert.match(low.out, /DEMOTE to assist, pending review before re-promotion/);
  const rolled = await gate("--observed", observed("rolled", OBS.replace("count: 1, of: 80", "count: 2, of: 80")));
  assert.equal(rolled.code, 1);
  assert.match(rolled.out, /rollbacks of successful remediations\s+> 2 %\s+2 of 80 = 2\.50 %\s+YES/);
  const scope = await gate(
    "--observed",
    observed("scope", OBS.replace("outOfScopeActions: 0", "outOfScopeActions: 1")),
  );
  assert.equal(scope.code, 1);
  assert.match(scope.out, /actions outside the permitted scope\s+≥ 1\s+1\s+YES/);
  const long = await gate("--observed", observed("long", OBS.replace("from: 2026-10-20", "from: 2026-09-01")));
  assert.equal(long.code, 2);
  assert.match(long.err, /window: 79 days .* at most 30 days/);
  const noRollbacks = await gate("--observed", observed("norb", OBS.replace(/rollbacks: .*\n/, "")));
  assert.equal(noRollbacks.code, 2);
  assert.match(noRollbacks.err, /rollbacks: is required in remediation/);
  const missing = await gate("--observed", path.join(tmp, "absent.yaml"));
  assert.equal(missing.code, 2);
});

test("the Pulumi program refuses a phase its evidence does not earn, even under a raised ceiling, registering nothing", async () => {
  const foundation = {
    ...loadFoundationFor(loadStackConfig("staging-autonomous")),
    phaseCeiling: "autonomous",
    cluster: clusterOf("staging-autonomous"),
  };
  const sink: Registered[] = [];
  await assert.rejects(
    runStack("staging-autonomous", { foundationOutputs: foundation, sink }),
    /phase "autonomous" is not earned by its evidence; run `agent-trust gate staging-autonomous`/,
  );
  assert.deepEqual(
    sink.filter((r) => !r.type.startsWith("pulumi:")),
    [],
  );
});

test("property: any rate in an evidence file passes parsing exactly when 0 ≤ count ≤ of ≤ 10^9, else names its key", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -5, max: 2_000_000_000 }),
      fc.integer({ min: 0, max: 2_000_000_000 }),
      (count, of) => {
        const text = SHIPPED.replace(
          "operatorAgreement: {count: 89, of: 96}",
          `operatorAgreement: {count: ${count}, of: ${of}}`,
        ).replace("incidents: 96", `incidents: ${Math.max(of, 96)}`);
        const ok = count >= 0 && count <= of && of <= 1_000_000_000;
        try {
          parseWith(evidenceFileSchema, text, "f", "2026-11-26");
          return ok;
        } catch (e) {
          return (
            !ok &&
            /records\.assist\.operatorAgreement\.(count|of)|records\.assist\.incidents/.test((e as Error).message)
          );
        }
      },
    ),
    { numRuns: 200 },
  );
});
