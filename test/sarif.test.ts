import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { runCheckCli } from "../src/check/cli";
import { captureIo } from "../src/cli/io";
import { main } from "../src/cli/main";
import { tempDir } from "./helpers/tmp";

// The SARIF 2.1.0 JSON schema as Microsoft's SARIF SDK ships it (MIT), pinned as a devDependency.
const SCHEMA_FILE = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
// The schema's "language" pattern is not valid in unicode mode; JSON Schema patterns are ECMA-262 without it.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8")) as object);

function run(...args: string[]) {
  const io = captureIo();
  const code = runCheckCli(args, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
}

interface SarifResult {
  ruleId: string;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
}

test("check --format sarif over the dangerous corpus validates against SARIF 2.1.0, one result per violation", () => {
  const dir = "test/fixtures/dangerous";
  const sarif = run("--format", "sarif", dir);
  const json = run("--format", "json", dir);
  assert.equal(sarif.code, 1);
  const doc = JSON.parse(sarif.out) as {
    version: string;
    runs: { results: SarifResult[]; tool: { driver: { rules: { id: string }[] } } }[];
  };
  assert.equal(validate(doc), true, JSON.stringify(validate.errors?.slice(0, 3)));
  const violations = (JSON.parse(json.out) as { violations: { policy: string; enforcement: string }[] }).violations;
  const results = doc.runs[0]!.results;
  assert.ok(violations.length > 50);
  assert.equal(results.length, violations.length);
  assert.deepEqual(
    results.map((r) => r.ruleId),
    violations.map((v) => v.policy),
  );
  assert.deepEqual(
    results.map((r) => r.level),
    violations.map((v) => (v.enforcement === "mandatory" ? "error" : "warning")),
  );
  const ruleIds = new Set(doc.runs[0]!.tool.driver.rules.map((r) => r.id));
  assert.ok(
    results.every((r) => ruleIds.has(r.ruleId)),
    "every result's rule is described",
  );
  for (const r of results) {
    const loc = r.locations[0]!.physicalLocation;
    assert.ok(
      !path.isAbsolute(loc.artifactLocation.uri) && loc.artifactLocation.uri.startsWith(`${dir}/`),
      loc.artifactLocation.uri,
    );
    const lines = fs.readFileSync(loc.artifactLocation.uri, "utf8").split("\n");
    const line = lines[loc.region.startLine - 1] ?? "";
    // The region is the start of the object's document, not the comment header above it.
    if (!loc.artifactLocation.uri.endsWith(".hcl"))
      assert.match(line, /^[A-Za-z]/, `${loc.artifactLocation.uri}:${loc.region.startLine}`);
  }
  assert.ok(results.some((r) => r.locations[0]!.physicalLocation.region.startLine > 1));
});

test("a multi-document file points each result at its own document's line", () => {
  const render = run("--format", "sarif", "--stack", "test/fixtures/dangerous/stack-pod-without-network-policy.yaml");
  const doc = JSON.parse(render.out) as { runs: { results: SarifResult[] }[] };
  assert.equal(validate(doc), true);
  const lines = doc.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.region.startLine);
  assert.ok(lines.length > 0);
});

test("a clean input is an empty but valid log, and the validator does reject a broken one", () => {
  const clean = run("--format", "sarif", "test/fixtures/dangerous/rbac-create-pods.yaml", "--phase", "autonomous");
  const doc = JSON.parse(clean.out) as { version?: string; runs: { results: unknown[] }[] };
  assert.equal(validate(doc), true);
  const broken = structuredClone(doc);
  delete broken.version;
  assert.equal(validate(broken), false);
  const badLevel = JSON.parse(run("--format", "sarif", "test/fixtures/dangerous").out) as {
    runs: { results: { level: string }[] }[];
  };
  badLevel.runs[0]!.results[0]!.level = "fatal";
  assert.equal(validate(badLevel), false);
  assert.equal(run("--format", "xml", "x").code, 2);
});

test("a rendered object's result points at its stack file, on the agent's entry, with the rendered document related", async () => {
  const out = tempDir("agent-trust-sarif-");
  try {
    assert.equal(await main(["render", "dev-assist", "--out", out], captureIo()), 0);
    const k8s = path.join(out, "kubernetes.yaml");
    const extra = `---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: sneaky
  namespace: payments
  labels: {agent-trust.io/agent: capacity, agent-trust.io/phase: assist, agent-trust.io/environment: dev}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
`;
    const before = fs.readFileSync(k8s, "utf8");
    fs.writeFileSync(k8s, before + extra);
    const r = run("--format", "sarif", out);
    const doc = JSON.parse(r.out) as {
      runs: { results: (SarifResult & { relatedLocations?: SarifResult["locations"]; message: { text: string } })[] }[];
    };
    assert.equal(validate(doc), true, JSON.stringify(validate.errors?.slice(0, 3)));
    const sneaky = doc.runs[0]!.results.filter((x) => x.message.text.includes("sneaky"));
    assert.ok(sneaky.length >= 1);
    const stackLines = fs.readFileSync("stacks/Pulumi.dev-assist.yaml", "utf8").split("\n");
    const docLine = before.split("\n").length + 1;
    for (const x of sneaky) {
      const loc = x.locations[0]!.physicalLocation;
      assert.equal(loc.artifactLocation.uri, "stacks/Pulumi.dev-assist.yaml");
      assert.match(stackLines[loc.region.startLine - 1]!, /^\s*- name: capacity$/);
      const rel = x.relatedLocations?.[0]?.physicalLocation;
      assert.ok(rel && rel.artifactLocation.uri.endsWith("/kubernetes.yaml"));
      assert.equal(
        fs.readFileSync(k8s, "utf8").split("\n")[rel.region.startLine - 1],
        "apiVersion: rbac.authorization.k8s.io/v1",
      );
      assert.ok(rel.region.startLine >= docLine - 1);
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
