import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { main } from "../src/cli/main";
import { captureIo } from "../src/cli/io";
import { listStacks } from "../src/config/stacks";
import { renderStack, toYaml, writeRendered } from "../src/render";
import { tempDir } from "./helpers/tmp";

const tmp = () => tempDir("agent-trust-render-");
const BIN = path.resolve(__dirname, "..", "bin", "agent-trust.js");

test("every stack renders, and rendering is byte-for-byte deterministic", () => {
  for (const stack of listStacks()) {
    const [a, b] = [tmp(), tmp()];
    writeRendered(renderStack(stack), a);
    writeRendered(renderStack(stack), b);
    for (const f of fs.readdirSync(a))
      assert.equal(fs.readFileSync(path.join(a, f), "utf8"), fs.readFileSync(path.join(b, f), "utf8"), `${stack}/${f}`);
  }
});

test("rendered YAML parses back to exactly the planned objects, without YAML aliases", () => {
  const r = renderStack("dev-remediation");
  const text = toYaml(r.kubernetes, "x");
  assert.ok(!/[&*]a\d/.test(text), "no anchors or aliases");
  const docs = parseAllDocuments(text).map((d) => d.toJS());
  assert.deepEqual(docs, JSON.parse(JSON.stringify(r.kubernetes)));
});

test("Vault objects are agent-trust.io/v1 documents with Vault API field names and HCL text", () => {
  const r = renderStack("dev-assist");
  const role = r.vault.find((d) => d.kind === "VaultKubernetesAuthRole")! as any;
  assert.equal(role.apiVersion, "agent-trust.io/v1");
  assert.deepEqual(Object.keys(role.spec).sort(), [
    "alias_name_source",
    "audience",
    "backend",
    "bound_service_account_names",
    "bound_service_account_namespaces",
    "role_name",
    "token_max_ttl",
    "token_no_default_policy",
    "token_policies",
    "token_ttl",
  ]);
  const policy = r.vault.find((d) => d.kind === "VaultPolicy" && d.metadata.name.endsWith("-notify"))! as any;
  assert.match(policy.spec.policy, /path "agent\/data\/notify\/\*" \{\n  capabilities = \["read"\]\n\}/);
});

test("a foundation renders its audit policy beside its objects", () => {
  const out = tmp();
  const files = writeRendered(renderStack("staging"), out).map((f) => path.basename(f));
  assert.deepEqual(files, ["kubernetes.yaml", "vault.yaml", "audit-policy.yaml"]);
  assert.match(fs.readFileSync(path.join(out, "audit-policy.yaml"), "utf8"), /system:serviceaccounts:ai-agents/);
});

test("CLI: render above the ceiling works, saying so on stderr", async () => {
  const io = captureIo();
  const out = tmp();
  assert.equal(await main(["render", "prod-autonomous", "--out", out], io), 0);
  assert.match(
    io.stderr.join("\n"),
    /warning: phase "autonomous" is above the phase ceiling "assist" of environment "prod"/,
  );
  assert.ok(fs.existsSync(path.join(out, "kubernetes.yaml")));
});

test("CLI: bad stack names and arguments exit 2 with the reason", async () => {
  const cases: [string[], RegExp][] = [
    [["render", "dev-shadowz", "--out", tmp()], /no stack "dev-shadowz"/],
    [["render", "../etc/passwd", "--out", tmp()], /not a valid stack name/],
    [["render", "dev-shadow"], /render needs --out <dir>/],
    [["render"], /render needs a stack name/],
    [["render", "dev", "--bogus"], /unknown option --bogus/],
    [["frobnicate"], /unknown command "frobnicate"/],
  ];
  for (const [argv, pattern] of cases) {
    const io = captureIo();
    assert.equal(await main(argv, io), 2, argv.join(" "));
    assert.match(io.stderr.join("\n"), pattern);
  }
});

test("CLI: an invalid stack file exits 2 naming the key, and writes nothing", () => {
  const root = tmp();
  fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: agent-trust\nruntime: nodejs\nstackConfigDir: stacks\n");
  fs.mkdirSync(path.join(root, "stacks"));
  const good = fs.readFileSync(path.resolve(__dirname, "..", "stacks", "Pulumi.dev-shadow.yaml"), "utf8");
  fs.copyFileSync(
    path.resolve(__dirname, "..", "stacks", "Pulumi.dev.yaml"),
    path.join(root, "stacks", "Pulumi.dev.yaml"),
  );
  fs.writeFileSync(
    path.join(root, "stacks", "Pulumi.dev-shadow.yaml"),
    good.replace("phase: shadow", "phase: shadoww"),
  );
  const out = path.join(root, "out");
  const r = spawnSync(process.execPath, [BIN, "render", "dev-shadow", "--out", out], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    r.stderr,
    /agent-trust:phase: "shadoww" is not allowed; allowed: shadow, assist, remediation, autonomous/,
  );
  assert.ok(!fs.existsSync(out));
});

test("CLI: --help explains the command; the bin runs through node", () => {
  const help = execFileSync(process.execPath, [BIN, "render", "--help"], { encoding: "utf8" });
  assert.match(help, /Usage: agent-trust render <stack> --out <dir>/);
  assert.match(help, /above its environment's ceiling/);
});

describe("render never trusts what is already in --out", () => {
  const cli = async (...argv: string[]) => {
    const io = captureIo();
    const code = await main(["render", "dev-shadow", ...argv], io);
    return { code, err: io.stderr.join("\n"), out: io.stdout.join("\n") };
  };

  test("an --out that is a file, or below a file, is refused with exit 2 and left alone", async () => {
    const d = tmp();
    const file = path.join(d, "out");
    fs.writeFileSync(file, "keep");
    let r = await cli("--out", file);
    assert.equal(r.code, 2);
    assert.match(r.err, /--out .*out exists and is not a directory/);
    r = await cli("--out", path.join(file, "sub"));
    assert.equal(r.code, 2);
    assert.match(r.err, /out\/sub: a parent is not a directory \(ENOTDIR\)/);
    assert.equal(fs.readFileSync(file, "utf8"), "keep");
  });

  test("an --out that is a symbolic link is refused", async () => {
    const d = tmp();
    fs.symlinkSync(tmp(), path.join(d, "out"));
    const r = await cli("--out", path.join(d, "out"));
    assert.equal(r.code, 2);
    assert.match(r.err, /is a symbolic link; give the directory itself/);
  });

  test("a symbolic link planted at an output file is refused and its target untouched; nothing else is written", async () => {
    const out = tmp();
    const victim = path.join(tmp(), "victim");
    fs.writeFileSync(victim, "precious");
    fs.symlinkSync(victim, path.join(out, "vault.yaml"));
    const r = await cli("--out", out);
    assert.equal(r.code, 2);
    assert.match(r.err, /refusing to replace .*vault\.yaml: it is a symbolic link/);
    assert.equal(fs.readFileSync(victim, "utf8"), "precious");
    assert.deepEqual(
      fs.readdirSync(out).filter((f) => f.endsWith(".tmp")),
      [],
    );
  });

  test("a hard link planted at an output file is replaced, never written through", async () => {
    const out = tmp();
    const victim = path.join(out, "victim-elsewhere");
    fs.writeFileSync(victim, "precious");
    fs.linkSync(victim, path.join(out, "kubernetes.yaml"));
    const r = await cli("--out", out);
    assert.equal(r.code, 0, r.err);
    assert.equal(fs.readFileSync(victim, "utf8"), "precious");
    assert.match(fs.readFileSync(path.join(out, "kubernetes.yaml"), "utf8"), /^# Rendered by agent-trust/);
  });

  test("an --out under /proc ends with exit 2 and the reason (Node's recursive mkdir loops forever there)", () => {
    const r = spawnSync(process.execPath, [BIN, "render", "dev", "--out", "/proc/agent-trust-render-test/out"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(r.signal, null, "render must end by itself");
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot create directory \/proc\/agent-trust-render-test for --out: .*\(ENOENT\)/);
    assert.doesNotMatch(r.stderr, /internal error/);
  });

  test("a missing --out is created with its parents", async () => {
    const out = path.join(tmp(), "a", "b", "c");
    const r = await cli("--out", out);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(fs.readdirSync(out).sort(), ["kubernetes.yaml", "vault.yaml"]);
  });
});
