/**
 * `agent-trust check --for-stack`: each rendered stack judged as itself (phase, environment and layer from its own
 * stack file), and the report formats CI reads: SARIF (severity, helpUri, version), GitHub annotations, JUnit.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { runCheckCli } from "../src/check/cli";
import { escapeData, escapeProperty, toGithub, toJunit, xml } from "../src/check/formats";
import { forStackOptions } from "../src/check/for-stack";
import { RULES_DOC_ANCHORS, SECURITY_SEVERITY } from "../src/check/sarif";
import { captureIo } from "../src/cli/io";
import { listStacks, loadStackConfig } from "../src/config/stacks";
import { renderStack, writeRendered } from "../src/render";
import { RULES } from "../src/rules";
import { tempDir } from "./helpers/tmp";

const ROOT = path.resolve(__dirname, "..");
const run = (...argv: string[]) => {
  const io = captureIo();
  const code = runCheckCli(argv, io);
  return { code, out: io.stdout.join("\n"), err: io.stderr.join("\n") };
};

interface Sarif {
  runs: {
    tool: {
      driver: { version?: string; rules: { id: string; helpUri?: string; properties: Record<string, unknown> }[] };
    };
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
    }[];
  }[];
}

const rendered = new Map<string, string>();
function renderedDir(stack: string): string {
  const hit = rendered.get(stack);
  if (hit) return hit;
  const dir = path.join(tempDir("agent-trust-for-stack-"), stack);
  writeRendered(renderStack(stack), dir);
  rendered.set(stack, dir);
  return dir;
}

describe("check --for-stack", () => {
  test("the options come from the stack file: phase, environment, layer, namespace and KV mount, stack rules on", () => {
    for (const stack of listStacks()) {
      const cfg = loadStackConfig(stack);
      const o = forStackOptions(stack, {});
      assert.equal(o.env, cfg.environment, stack);
      assert.equal(o.layer, cfg.layer, stack);
      assert.equal(o.phase, cfg.layer === "phase" ? cfg.phase : undefined, stack);
      assert.equal(o.stack, true);
      assert.equal(o.trustLabels, false);
      assert.equal(o.settings?.namespace, cfg.namespace);
    }
  });

  test("the SARIF of all 15 rendered stacks, each checked --for-stack, has no error result (exit 0)", () => {
    const stacks = listStacks();
    assert.equal(stacks.length, 15);
    for (const stack of stacks) {
      const r = run("--for-stack", stack, "--format", "sarif", renderedDir(stack));
      assert.equal(r.code, 0, `${stack}: ${r.err}`);
      const errors = (JSON.parse(r.out) as Sarif).runs[0]!.results.filter((x) => x.level === "error");
      assert.deepEqual(
        errors.map((e) => `${e.ruleId}: ${e.message.text}`),
        [],
        stack,
      );
    }
  });

  test("a violation added to one (its Role widened with secrets) is reported as an error on that stack", () => {
    const dir = path.join(tempDir("agent-trust-widened-"), "dev-remediation");
    writeRendered(renderStack("dev-remediation"), dir);
    const file = path.join(dir, "kubernetes.yaml");
    const text = fs.readFileSync(file, "utf8");
    // The first Role's first rule gains secrets.
    const widened = text.replace(
      /(kind: Role\n[\s\S]*?rules:\n\s*- apiGroups:\n\s*- ""\n\s*resources:\n)/,
      "$1      - secrets\n",
    );
    assert.notEqual(widened, text, "the Role was widened");
    fs.writeFileSync(file, widened);
    const r = run("--for-stack", "dev-remediation", "--format", "sarif", dir);
    assert.equal(r.code, 1, r.err);
    const errors = (JSON.parse(r.out) as Sarif).runs[0]!.results.filter((x) => x.level === "error");
    assert.ok(errors.length >= 1);
    // Exactly the widening: no-secrets-access, and the closed world's "secrets is not in the catalog" for each verb.
    assert.ok(errors.some((e) => e.ruleId === "no-secrets-access"));
    for (const e of errors) {
      assert.ok(
        e.ruleId === "no-secrets-access" ||
          (e.ruleId === "phase-objects-owned" && /on secrets is not in the catalog/.test(e.message.text)),
        `${e.ruleId}: ${e.message.text}`,
      );
    }
    assert.match(errors[0]!.message.text, /^Role /);
  });

  test("an unknown stack, a clash with --phase/--env/--layer/--trust-labels or a contradicting --namespace is exit 2", () => {
    const unknown = run("--for-stack", "qa-shadow", ".");
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.err,
      /--for-stack qa-shadow: no stack "qa-shadow": stacks\/Pulumi\.qa-shadow\.yaml does not exist \(stacks: dev, /,
    );
    for (const clash of [["--phase", "shadow"], ["--env", "dev"], ["--layer", "phase"], ["--trust-labels"]]) {
      const r = run("--for-stack", "dev-shadow", ...clash, ".");
      assert.equal(r.code, 2, clash.join(" "));
      assert.match(
        r.err,
        new RegExp(
          `--for-stack reads the phase, environment and layer from stacks/Pulumi\\.dev-shadow\\.yaml; drop ${clash[0]}`,
        ),
      );
    }
    const ns = run("--for-stack", "dev-shadow", "--namespace", "elsewhere", ".");
    assert.equal(ns.code, 2);
    assert.match(ns.err, /--namespace elsewhere contradicts stack "dev-shadow", whose agents namespace is ai-agents/);
  });

  test("the judged files' labels never choose the stack: prod-assist output checked as dev-autonomous is still judged as dev-autonomous", () => {
    const r = run("--for-stack", "dev-autonomous", renderedDir("prod-assist"));
    assert.match(r.out, /as stack dev-autonomous: phase autonomous, env dev, layer phase, stack rules on/);
  });
});

describe("SARIF rule metadata", () => {
  const doc = JSON.parse(run("--format", "sarif", "test/fixtures/dangerous").out) as Sarif;
  const driver = doc.runs[0]!.tool.driver;

  test("the tool version is package.json's", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    assert.equal(driver.version, version);
  });

  test("security-severity: security rules high (8.0), hygiene low (3.0), with the security tag", () => {
    assert.equal(driver.rules.length, RULES.length);
    for (const r of RULES) {
      const d = driver.rules.find((x) => x.id === r.name)!;
      assert.equal(
        d.properties["security-severity"],
        r.security ? SECURITY_SEVERITY.security : SECURITY_SEVERITY.hygiene,
        r.name,
      );
      assert.equal((d.properties["tags"] as string[]).includes("security"), r.security, r.name);
    }
    assert.ok(RULES.some((r) => !r.security) && RULES.some((r) => r.security));
  });

  test("every helpUri is an anchor of a heading in docs/rules.md", () => {
    // GitHub's heading slug: lower case, punctuation but - and _ removed, spaces to -.
    const slug = (h: string) =>
      h
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/\s/g, "-");
    const anchors = new Set(
      fs
        .readFileSync(path.join(ROOT, "docs", "rules.md"), "utf8")
        .split("\n")
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => slug(l.replace(/^#+ /, ""))),
    );
    for (const [domain, anchor] of Object.entries(RULES_DOC_ANCHORS))
      assert.ok(
        anchors.has(anchor),
        `${domain}: #${anchor} is not a heading of docs/rules.md (${[...anchors].join(", ")})`,
      );
    for (const d of driver.rules) {
      const m = /^(.+)\/docs\/rules\.md#([a-z0-9-]+)$/.exec(d.helpUri ?? "");
      assert.ok(m && anchors.has(m[2]!), `${d.id}: ${d.helpUri}`);
      assert.ok(/^(file|https):\/\//.test(m[1]!), `${d.id}: absolute (${d.helpUri})`);
    }
  });
});

describe("--format github and junit", () => {
  test("workflow-command escaping follows GitHub's toolkit: data %, CR, LF; properties also : and ,", () => {
    assert.equal(escapeData("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
    assert.equal(escapeProperty("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
  });

  test("one ::error per mandatory violation on its file and line, ::warning for advisory, ::error for unreadable input", () => {
    const result = {
      checked: 2,
      passedOver: {},
      errors: ["x.yaml: cannot read: ENOENT"],
      violations: [
        {
          policy: "no-secrets-access",
          enforcement: "mandatory" as const,
          resource: "Role a/b",
          message: "no secrets, 100%\nreally",
          remediation: "remove",
          file: "dir,1/r:1.yaml",
        },
        { policy: "hygiene", enforcement: "advisory" as const, resource: "Role a/c", message: "m", remediation: "r" },
      ],
    };
    const lines = toGithub(result, { paths: ["in.yaml"], base: ROOT, judged: "phase shadow" });
    assert.equal(
      lines[0],
      "::error file=dir%2C1/r%3A1.yaml,line=1,title=agent-trust no-secrets-access::Role a/b: no secrets, 100%25%0Areally%0Afix: remove",
    );
    assert.equal(lines[1], "::warning file=in.yaml,line=1,title=agent-trust hygiene::Role a/c: m%0Afix: r");
    assert.equal(lines[2], "::error title=agent-trust%3A unreadable input::x.yaml: cannot read: ENOENT");
    assert.match(lines[3]!, /^agent-trust check: 2 object\(s\) checked \(phase shadow\): 1 mandatory and 1 advisory/);
    const xmlOut = toJunit(result, { paths: ["in.yaml"], base: ROOT, judged: "phase shadow" });
    assert.match(xmlOut, /<testsuites name="agent-trust check" tests="4" failures="1" errors="1">/);
    assert.match(
      xmlOut,
      /<testcase classname="no-secrets-access" name="Role a\/b" file="dir,1\/r:1.yaml" line="1">\n\s*<failure type="mandatory" message="no secrets, 100%\nreally">/,
    );
    assert.equal(xml("a<b>&\"'\u0001"), "a&lt;b&gt;&amp;&quot;&apos;\uFFFD");
  });

  test("from the CLI: the dangerous corpus as annotations and as JUnit, exit 1 like any format", () => {
    const gh = run("--format", "github", "test/fixtures/dangerous");
    assert.equal(gh.code, 1);
    const annotations = gh.out.split("\n").filter((l) => l.startsWith("::"));
    const json = JSON.parse(run("--format", "json", "test/fixtures/dangerous").out) as { violations: unknown[] };
    assert.equal(annotations.length, json.violations.length);
    assert.ok(
      annotations.every((a) =>
        /^::(error|warning) file=test\/fixtures\/dangerous\/[^,]+,line=\d+,title=agent-trust [a-z0-9-]+::/.test(a),
      ),
      annotations[0],
    );
    const ju = run("--format", "junit", "test/fixtures/dangerous");
    assert.equal(ju.code, 1);
    assert.match(ju.out, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.equal((ju.out.match(/<testcase /g) ?? []).length, json.violations.length + 1);
  });
});
