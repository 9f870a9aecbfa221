/**
 * The policy pack as `pulumi policy publish` ships it: `npm pack` of policy/ (its prepack bundles the rule table),
 * unpacked into an empty folder outside the repository, its dependencies installed there, and run by the real
 * Pulumi engine, which must block a violation with it. Nothing of the repository is reachable from there.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { resolveEngineBinaries } from "../../src/engine/binaries";
import { POLICY_PACK, PROJECT } from "../../src/engine/engine";
import { enginePassphrase, prepareEngineHome } from "../../src/engine/home";

const log = (l: string) => process.stderr.write(`${l}\n`);
let dir: string;
let pack: string;
let stack: Stack;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-publish-"));
  const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], {
    cwd: POLICY_PACK,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  execFileSync("tar", ["-xzf", path.join(dir, tarball), "-C", dir]);
  pack = path.join(dir, "package");
  log(`policy-publish: installing the packed pack's dependencies in ${pack}`);
  execFileSync(
    "npm",
    ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"],
    { cwd: pack, stdio: "ignore" },
  );
  const binaries = await resolveEngineBinaries({ build: true, log });
  const home = await prepareEngineHome(path.join(dir, "engine"), binaries, enginePassphrase(dir));
  const pulumiCommand = await PulumiCommand.get({ root: home.cliRoot, skipVersionCheck: true });
  const rendered = path.join(dir, "rendered");
  stack = await LocalWorkspace.createOrSelectStack(
    {
      stackName: "dev-shadow",
      projectName: PROJECT,
      program: async () => {
        const k8s = await import("@pulumi/kubernetes");
        // A provider that renders YAML needs no cluster: the engine still plans every resource and runs the pack.
        const provider = new k8s.Provider("render", { renderYamlToDirectory: rendered });
        new k8s.rbac.v1.ClusterRole(
          "everything",
          {
            metadata: { name: "diagnostic-shadow-all" },
            rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
          },
          { provider },
        );
        return {};
      },
    },
    {
      workDir: home.workDir,
      pulumiHome: home.pulumiHome,
      pulumiCommand,
      envVars: home.env,
      projectSettings: { name: PROJECT, runtime: "nodejs", backend: { url: `file://${home.backendDir}` } },
    },
  );
  await stack.setAllConfig({
    "agent-trust:layer": { value: "phase" },
    "agent-trust:environment": { value: "dev" },
    "agent-trust:phase": { value: "shadow" },
  });
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("the packed pack holds its bundle and manifest, installs its two dependencies, and reaches nothing outside itself", () => {
  const files = execFileSync("find", [".", "-path", "./node_modules", "-prune", "-o", "-type", "f", "-print"], {
    cwd: pack,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .sort();
  assert.deepEqual(files, ["./PulumiPolicy.yaml", "./README.md", "./dist/index.js", "./entry.js", "./package.json"]);
  assert.match(fs.readFileSync(path.join(pack, "PulumiPolicy.yaml"), "utf8"), /^version: \d+\.\d+\.\d+$/m);
  const bundle = fs.readFileSync(path.join(pack, "dist", "index.js"), "utf8");
  const requires = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
  assert.ok(requires.length > 0, "the bundle requires nothing at all");
  const foreign = requires.filter((r) => !/^(node:)?[a-z_]+$/.test(r) && !/^@pulumi\/(policy|pulumi)(\/|$)/.test(r));
  assert.deepEqual(foreign, [], "the bundle may require only Node built-ins and @pulumi/policy or @pulumi/pulumi");
  assert.ok(fs.existsSync(path.join(pack, "node_modules", "@pulumi", "policy")));
});

test("run by the engine from outside the repository, the published pack blocks a cluster-wide grant", async () => {
  let message = "";
  try {
    await stack.preview({ policyPacks: [pack], color: "never" });
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /no-cluster-scoped-grants/, message.slice(-2000));
  assert.match(message, /mandatory/);
  assert.match(message, /stack-kinds-closed/);
  assert.doesNotMatch(message, /Cannot find module|bundle .* is here|unhandled exception/i);
});
