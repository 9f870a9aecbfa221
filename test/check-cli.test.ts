/** `agent-trust check`: arguments, input reading, exit codes and both output formats. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { stringify } from "yaml";
import { check } from "../src/check";
import { runCheckCli } from "../src/check/cli";
import { captureIo } from "../src/cli/io";
import type { Manifest } from "../src/model/manifest";
import { patch } from "./rules-harness";
import { POLICY_HCL, podTemplate, role, serviceAccount, wholeStack } from "./rules-samples";
import { tempDir } from "./helpers/tmp";

function dir(files: Record<string, string>): string {
  const d = tempDir("agent-trust-check-");
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), text);
  }
  return d;
}
const yamlDocs = (...objs: object[]) => objs.map((o) => `---\n${stringify(o)}`).join("");
const run = (...argv: string[]) => {
  const io = captureIo();
  const code = runCheckCli(argv, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
};
const secretsRole = patch(role(), (o) => o.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }));
// No rule reads a Service (a ConfigMap is read: the foundation's admission parameters are one).
const service: Manifest = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "s", namespace: "ai-agents" },
  spec: { ports: [{ port: 80 }] },
};
const configMap: Manifest = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c", namespace: "ai-agents" },
  data: {},
};

describe("agent-trust check", () => {
  test("exit 0 over compliant input; hidden entries are read", () => {
    // A phase stack holds neither the agents Namespace nor the default deny (the foundation's, checked in
    // check-render.test.ts).
    const stack = wholeStack().filter((o) => o.kind !== "Namespace" && o.metadata.name !== "agent-trust-default-deny");
    // A .hcl file's policy is named by its file name; unlabelled, it is judged as prod and shadow, so named for them.
    const d = dir({
      "stack.yaml": yamlDocs(...stack.slice(1)),
      "nested/deep/agent-trust-prod-diag-shadow-datasources.hcl": POLICY_HCL,
      ".hidden/x.yaml": yamlDocs(stack[0]!),
      "notes.txt": ": not read",
    });
    const r = run("--stack", "--trust-labels", d);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(
      r.out,
      new RegExp(`${stack.length + 1} object\\(s\\) checked .*: 0 mandatory and 0 advisory violation\\(s\\)`),
    );
    assert.match(r.out, /passed over: none/);
  });

  test("a kind no phase stack holds is a mandatory refusal naming the kind, never a passed-over count (closed world)", () => {
    const stack = wholeStack().filter((o) => o.kind !== "Namespace");
    const d = dir({ "stack.yaml": yamlDocs(...stack, service), ".hidden/x.yaml": yamlDocs(service) });
    const r = run("--stack", "--trust-labels", d);
    assert.equal(r.code, 1, r.out + r.err);
    assert.equal(
      (
        r.out.match(
          /DENY \[mandatory\] stack-kinds-closed: kind "Service" \("v1"\) is not one a phase stack can hold/g,
        ) ?? []
      ).length,
      2,
    );
    assert.match(r.out, /passed over: none/);
  });

  test("exit 1 on a mandatory violation; text names the file, the object, the rule and the fix", () => {
    const d = dir({ "role.yaml": yamlDocs(configMap, secretsRole) });
    const r = run(d);
    assert.equal(r.code, 1);
    assert.match(r.out, /^Role checkout\/diag-remediation-target \(.*role\.yaml, document 2\)$/m);
    assert.match(r.out, /DENY \[mandatory\] no-secrets-access: rules\[3\] grants "secrets"/);
    assert.match(r.out, /fix: Remove secrets from the rule/);
  });

  test("--format json prints exactly policy, enforcement, resource and message, and an empty errors list", () => {
    const r = run("--format", "json", "--trust-labels", dir({ "role.yaml": yamlDocs(secretsRole) }));
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.out) as { violations: Record<string, string>[]; errors: string[] };
    assert.deepEqual(Object.keys(parsed), ["violations", "errors"]);
    assert.deepEqual(parsed.errors, []);
    assert.ok(parsed.violations.length > 0);
    for (const v of parsed.violations)
      assert.deepEqual(Object.keys(v), ["policy", "enforcement", "resource", "message"]);
    const secrets = parsed.violations.filter((v) => v.policy === "no-secrets-access");
    assert.equal(secrets.length, 1);
    assert.equal(secrets[0]!.enforcement, "mandatory");
  });

  test("phase: --phase, else the strictest; the object's label only lowers it; --trust-labels opts in to the label", () => {
    const d = dir({ "role.yaml": yamlDocs(role()) }); // labelled remediation; deletes pods
    assert.match(run(d).out, /above the ceiling of phase "shadow"/);
    assert.equal(run(d).code, 1);
    assert.equal(run("--trust-labels", d).code, 0);
    assert.equal(run("--phase", "assist", d).code, 1);
    assert.equal(run("--phase=remediation", d).code, 0);
    // --phase autonomous does not lift a Role labelled remediation above its own label: scale is autonomous-only.
    const scales = dir({
      "role.yaml": yamlDocs(
        patch(role(), (o) => o.rules.push({ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] })),
      ),
    });
    assert.equal(run("--phase=autonomous", scales).code, 1);
    assert.match(run("--phase=autonomous", scales).out, /above the ceiling of phase "remediation"/);
    const unlabelled = dir({ "role.yaml": yamlDocs(patch(role(), (o) => delete o.metadata.labels)) });
    assert.match(run("--trust-labels", unlabelled).out, /above the ceiling of phase "shadow"/);
  });

  test("environment: a label can make it stricter (prod), never looser than --env or prod", () => {
    const noLimits = patch(podTemplate(), (o) => delete o.template.spec.containers[0].resources.limits);
    const devLabelled = dir({
      "t.yaml": yamlDocs(
        patch(noLimits, (o) => (o.metadata.labels = { ...o.metadata.labels, "agent-trust.io/environment": "dev" })),
      ),
    });
    assert.equal(run(devLabelled).code, 1, "a dev label alone does not lower prod");
    assert.equal(run("--trust-labels", devLabelled).code, 0);
    const prodLabelled = dir({
      "t.yaml": yamlDocs(
        patch(noLimits, (o) => (o.metadata.labels = { ...o.metadata.labels, "agent-trust.io/environment": "prod" })),
      ),
    });
    assert.equal(run("--env", "dev", prodLabelled).code, 1, "a prod label tightens --env dev");
  });

  test("hygiene rules are advisory in dev: a warning, exit 0", () => {
    const noLimits = patch(podTemplate(), (o) => delete o.template.spec.containers[0].resources.limits);
    const d = dir({
      "t.yaml": yamlDocs(patch(noLimits, (o) => delete o.metadata.labels["agent-trust.io/environment"])),
    });
    const dev = run("--env", "dev", "--phase", "remediation", d);
    assert.equal(dev.code, 0, dev.out);
    assert.match(dev.out, /WARN \[advisory\] pod-resources-set/);
    assert.equal(run("--env", "prod", "--phase", "remediation", d).code, 1);
  });

  test("List documents are expanded; each object is judged", () => {
    const list = {
      apiVersion: "v1",
      kind: "List",
      items: [serviceAccount(), patch(serviceAccount(), (o) => (o.automountServiceAccountToken = true))],
    };
    const r = check([dir({ "list.yaml": yamlDocs(list) })], { phase: "remediation" });
    assert.equal(r.checked, 2);
    assert.deepEqual(
      r.violations.map((v) => v.policy),
      ["serviceaccount-automount-off"],
    );
  });

  test(".hcl files are Vault policies, judged by the Vault rules", () => {
    const d = dir({ "bad.hcl": `path "sys/*" { capabilities = ["sudo"] }` });
    const r = run("--format", "json", d);
    assert.equal(r.code, 1);
    const names = (JSON.parse(r.out).violations as { policy: string }[]).map((v) => v.policy);
    assert.ok(names.includes("vault-policy-no-sudo") && names.includes("vault-policy-no-admin-paths"));
  });

  const bad: [string, string[], RegExp][] = [
    ["no path", [], /check needs at least one PATH/],
    ["unknown option", ["--fast", "."], /unknown option --fast/],
    ["bad phase", ["--phase", "god", "."], /--phase must be one of shadow, assist, remediation, autonomous, not "god"/],
    ["bad env", ["--env", "qa", "."], /--env must be one of dev, staging, prod/],
    ["bad format", ["--format", "xml", "."], /--format must be text or json/],
    ["bad layer", ["--layer", "platform", "."], /--layer must be phase or foundation, not "platform"/],
  ];
  for (const [what, argv, message] of bad) {
    test(`exit 2 on bad arguments: ${what}`, () => {
      const r = run(...argv);
      assert.equal(r.code, 2);
      assert.match(r.err, message);
    });
  }

  test("exit 2 on unreadable input, naming it, even when other files have violations", () => {
    const d = dir({
      "a.yaml": yamlDocs(secretsRole),
      "b.yaml": "kind: Role\nmetadata: [unclosed\n",
      "c.yaml": "just: a mapping\n",
      "d.hcl": `path "agent/*" { capabilities = <<EOF\nread\nEOF }`,
    });
    const r = run(d, path.join(d, "missing.yaml"));
    assert.equal(r.code, 2);
    assert.match(r.err, /b\.yaml document 1: /);
    assert.match(r.err, /c\.yaml document 1: has no apiVersion and kind/);
    assert.match(r.err, /d\.hcl: not a valid Vault policy: line 1, column \d+: heredoc/);
    assert.match(r.err, /missing\.yaml: cannot read: ENOENT/);
    assert.match(r.out, /no-secrets-access/);
  });

  test("--help explains usage and exit codes", () => {
    const r = run("--help");
    assert.equal(r.code, 0);
    assert.match(
      r.out,
      /Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 unreadable input or bad arguments/,
    );
  });
});
