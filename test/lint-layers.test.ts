/**
 * The layering lint (eslint-rules/layers.mjs) as a table: which room a file is in, and which imports between rooms it
 * allows; then the rule run on probe files placed in the tree, so a broken rule cannot pass by reporting nothing.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";

const ROOT = path.resolve(__dirname, "..");
type Layers = {
  roomOf(file: string, root: string): string | undefined;
  allowed(from: string, to: string | undefined): boolean;
};

test("rooms and the directions between them", async () => {
  const { roomOf, allowed }: Layers = await import("../eslint-rules/layers.mjs");
  const room = (rel: string) => roomOf(path.join(ROOT, rel), ROOT);
  assert.deepEqual(
    [
      "src/model/phases.ts",
      "src/rules",
      "src/sandbox/verify/report.ts",
      "src/sandbox/cli.ts",
      "src/program.ts",
      "policy/policies.ts",
      "test/x.ts",
    ].map(room),
    ["model", "rules", "sandbox/verify", "sandbox", "root:program", "policy", undefined],
  );
  const yes: [string, string][] = [
    ["config", "model"],
    ["plan", "config"],
    ["rules", "plan"],
    ["check", "rules"],
    ["check", "admission"],
    ["policy", "rules"],
    ["engine", "sandbox/deploy"],
    ["sandbox", "engine"],
    ["sandbox/verify", "render"],
    ["engine", "root:program"],
    ["config", "root:package-root"],
  ];
  const no: [string, string][] = [
    ["model", "config"],
    ["config", "plan"],
    ["plan", "rules"],
    ["rules", "admission"],
    ["yaml", "rules"],
    ["check", "engine"],
    ["sandbox/verify", "engine"],
    ["sandbox/servers", "sandbox/deploy"],
    ["engine", "sandbox/verify"],
    ["admission", "render"],
    ["rules", "root:program"],
  ];
  assert.equal(yes.length + no.length, 22);
  for (const [from, to] of yes) assert.ok(allowed(from, to), `${from} → ${to} is allowed`);
  for (const [from, to] of no) assert.ok(!allowed(from, to), `${from} → ${to} is refused`);
});

test("the rule reports probes that break the layering, and Pulumi in a pure layer", () => {
  const probes = {
    "src/model/zz-layers-probe.ts":
      'import * as pulumi from "@pulumi/pulumi";\nimport { parseStackConfig } from "../config/parse";\nexport const x = [pulumi, parseStackConfig];\n',
    "src/sandbox/verify/zz-layers-probe.ts":
      'import { runEngineCommand } from "../../engine/cli";\nexport const y = runEngineCommand;\n',
  };
  try {
    for (const [rel, text] of Object.entries(probes)) fs.writeFileSync(path.join(ROOT, rel), text);
    let out = "";
    try {
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, "node_modules", "eslint", "bin", "eslint.js"),
          "-c",
          "eslint.layers.config.mjs",
          "-f",
          "json",
          ...Object.keys(probes),
        ],
        { cwd: ROOT, encoding: "utf8" },
      );
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? "");
    }
    const messages = (JSON.parse(out) as { messages: { ruleId: string; message: string }[] }[]).flatMap(
      (r) => r.messages,
    );
    assert.equal(messages.length, 3, JSON.stringify(messages));
    assert.ok(messages.every((m) => m.ruleId === "agent-trust/layers"));
    assert.match(messages.map((m) => m.message).join("\n"), /src\/model is pure: it may not import @pulumi\/pulumi/);
    assert.match(messages.map((m) => m.message).join("\n"), /src\/sandbox\/verify may not import src\/engine/);
  } finally {
    for (const rel of Object.keys(probes)) fs.rmSync(path.join(ROOT, rel), { force: true });
  }
});
