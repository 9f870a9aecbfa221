/**
 * The README's Quickstart, run as written: its command block (between the quickstart markers) in a scratch copy of
 * the project, with the real Pulumi CLI, Pulumi's Node.js language host and the policy pack, against the sandbox's
 * API server and Vault. Only placeholders are substituted (the sandbox's server, CA, deployer, reviewer JWT and Vault;
 * a file:// backend; the provider files of the `# offline:` lines). Then a KUBECONFIG for another cluster makes
 * `pulumi preview` fail with the program's clear message. The language host and the CLI are optional builds: where
 * one is absent the test says so and skips (CI has no pulumi/pulumi snapshot to build the language host from).
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { resolveEngineBinaries, type EngineBinaries } from "../../src/engine/binaries";
import { VAULT_STANDIN_SCRIPT } from "../../src/engine/home";
import { writeDeployerKubeconfig } from "../../src/engine/settings";
import { deployerOf } from "../../src/engine/deploy";
import {
  createReviewer,
  deployerKubeConfig,
  namespace,
  publishQuotaStatus,
} from "../../src/sandbox/deploy/deploy-kube";
import { applyAll, kubeOk } from "../../src/sandbox/servers/kube";
import { installPrometheusRuleCrd } from "../../src/sandbox/deploy/observability-crd";
import { startSandbox, type Sandbox } from "../../src/sandbox/deploy/sandbox";
import { ROOT } from "./helpers";
import { playEndpointsController, playWorkloadControllers } from "./workload-controllers";

const README = path.join(ROOT, "README.md");

/** The Quickstart's command block: the ```bash fence between `<!-- quickstart:begin -->` and `<!-- quickstart:end -->`. */
export function quickstartBlock(readme: string): string {
  const m = /<!-- quickstart:begin -->\s*```bash\n([\s\S]*?)```\s*<!-- quickstart:end -->/.exec(readme);
  if (!m)
    throw new Error("README.md has no ```bash block between <!-- quickstart:begin --> and <!-- quickstart:end -->");
  return m[1]!;
}

export interface QuickstartValues {
  readonly backend: string;
  readonly apiserverUrl: string;
  readonly deployer: string;
  readonly kubeconfig: string;
  readonly vaultAddr: string;
  readonly vaultToken: string;
  readonly kubernetesPlugin: string;
  readonly vaultPlugin: string;
}

/** The block with the placeholders replaced and the `# offline:` lines made commands; throws on a placeholder left. */
export function substitute(block: string, v: QuickstartValues): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const out = block
    .replace(/^pulumi login\b.*$/m, `pulumi login ${q(`file://${v.backend}`)}`)
    .replace(/^# offline: /gm, "")
    .replace(/<pulumi-resource-kubernetes>/g, q(v.kubernetesPlugin))
    .replace(/<pulumi-resource-vault>/g, q(v.vaultPlugin))
    .replace(/https:\/\/<api-server>:6443/g, v.apiserverUrl)
    .replace(/(agent-trust:admission\.deployer\.users\[0\]' )ci-deployer/, `$1${v.deployer}`)
    .replace(/KUBECONFIG=~\/\.kube\/dev/, `KUBECONFIG=${q(v.kubeconfig)}`)
    .replace(/VAULT_ADDR=https:\/\/vault\.example:8200/, `VAULT_ADDR=${q(v.vaultAddr)}`)
    .replace(/VAULT_TOKEN=\.\.\./, `VAULT_TOKEN=${q(v.vaultToken)}`);
  const commands = out.split("\n").filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  const left = commands.filter((l) => /<[a-z][a-z-]*>|=\.\.\.|example:8200|~\/\.kube/.test(l.replace(/#.*$/, "")));
  if (left.length) throw new Error(`placeholders left in the Quickstart after substitution:\n${left.join("\n")}`);
  return out;
}

/** `npm ci` (node_modules is linked in) and `npx agent-trust` (the scratch copy's own CLI), as the README runs them. */
const STUBS: Record<string, string> = {
  npm: `#!/bin/sh\n[ "$1" = ci ] || { echo "quickstart npm: only 'npm ci' is played" >&2; exit 127; }\necho "quickstart: npm ci (node_modules is linked from the checkout)"\n`,
  npx: `#!/bin/sh\n[ "$1" = agent-trust ] || { echo "quickstart npx: only agent-trust is played" >&2; exit 127; }\nshift\nexec node "$PWD/bin/agent-trust.js" "$@"\n`,
};

test("the README's Quickstart block is marked, names the cluster, and has the offline route for both providers", () => {
  const block = quickstartBlock(fs.readFileSync(README, "utf8"));
  for (const line of [
    "pulumi stack init dev",
    "pulumi config set --path 'agent-trust:cluster.server' https://<api-server>:6443 -s dev",
    "# offline: pulumi plugin install resource vault 7.8.0 --file <pulumi-resource-vault>",
    "# offline: pulumi plugin install resource kubernetes 4.25.0 --file <pulumi-resource-kubernetes>",
    "pulumi config set --path 'agent-trust:vault.kubernetesCaCert' -s dev -- \"$(cat ca.crt)\"",
    "pulumi preview -s dev --policy-pack policy",
  ]) {
    assert.ok(
      block.split("\n").some((l) => l.startsWith(line)),
      `Quickstart lacks: ${line}`,
    );
  }
  const values = {
    backend: "/b",
    apiserverUrl: "https://127.0.0.1:1",
    deployer: "d",
    kubeconfig: "/k",
    vaultAddr: "http://127.0.0.1:2",
    vaultToken: "t",
    kubernetesPlugin: "/p/k",
    vaultPlugin: "/p/v",
  };
  const script = substitute(block, values);
  assert.match(script, /^pulumi login 'file:\/\/\/b'$/m);
  assert.match(script, /^pulumi plugin install resource vault 7\.8\.0 --file '\/p\/v'$/m);
  assert.match(script, /^export KUBECONFIG='\/k' VAULT_ADDR='http:\/\/127\.0\.0\.1:2' VAULT_TOKEN='t'$/m);
});

/** Why the real run cannot happen here, or undefined when everything it needs is present. */
function missingTools(): string | undefined {
  const r = spawnSync(path.join(ROOT, "scripts", "servers.sh"), ["path", "pulumi-language-nodejs"], {
    encoding: "utf8",
  });
  if (r.status !== 0)
    return "pulumi-language-nodejs is not installed (build it with AGENT_TRUST_PULUMI_SRC=<pulumi/pulumi git dir at v3.248.0> scripts/servers.sh ensure pulumi-language-nodejs); the plain CLI cannot run the project without it";
  return undefined;
}

describe("README Quickstart with the real CLI against the sandbox", { timeout: 1_200_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agent-trust-quickstart-"));
  const repo = path.join(dir, "repo");
  let skip: string | undefined;
  let sb: Sandbox | undefined;
  let binaries: EngineBinaries;
  let env: Record<string, string>;
  const log = (l: string) => process.stderr.write(`${l}\n`);

  before(async () => {
    skip = missingTools();
    if (skip) return;
    try {
      binaries = await resolveEngineBinaries({ build: false, log });
    } catch (e) {
      skip = (e as Error).message;
      return;
    }
    const host = execFileSync(path.join(ROOT, "scripts", "servers.sh"), ["path", "pulumi-language-nodejs"], {
      encoding: "utf8",
    }).trim();
    sb = await startSandbox({ build: true, log });
    // What a real cluster's operators own: the target namespaces, Vault's token reviewer, the CRD, the deployer's rights.
    const created = new Set(
      sb.env.foundation.kubernetes.filter((m) => m.kind === "Namespace").map((m) => m.metadata.name),
    );
    await applyAll(sb.kc, sb.env.targetNamespaces.filter((n) => !created.has(n)).map(namespace));
    const reviewer = await createReviewer(sb.kc, 1800);
    await installPrometheusRuleCrd(sb.kc);
    await deployerKubeConfig(sb.kc, sb.env);
    // The scratch copy: the project at HEAD, node_modules linked in.
    fs.mkdirSync(repo);
    execFileSync("bash", ["-c", `git -C "$1" archive HEAD | tar -x -C "$2"`, "-", ROOT, repo]);
    for (const nm of ["node_modules", path.join("policy", "node_modules")])
      fs.symlinkSync(fs.realpathSync(path.join(ROOT, nm)), path.join(repo, nm));
    fs.writeFileSync(path.join(repo, "ca.crt"), fs.readFileSync(sb.pki.caCert, "utf8"));
    fs.writeFileSync(path.join(repo, "reviewer.jwt"), reviewer, { mode: 0o600 });
    const stubs = path.join(dir, "stubs");
    fs.mkdirSync(stubs);
    for (const [name, text] of Object.entries(STUBS)) fs.writeFileSync(path.join(stubs, name), text, { mode: 0o755 });
    const deployer = deployerOf(sb.env.foundation.config);
    const kubeconfig = writeDeployerKubeconfig(sb.kubeconfig, deployer, path.join(dir, "deployer.kubeconfig"));
    const values: QuickstartValues = {
      backend: path.join(dir, "state"),
      apiserverUrl: sb.apiserverUrl,
      deployer,
      kubeconfig,
      vaultAddr: sb.vaultAddr,
      vaultToken: sb.vaultToken,
      kubernetesPlugin: binaries.kubernetes,
      vaultPlugin: binaries.vault ?? VAULT_STANDIN_SCRIPT,
    };
    fs.mkdirSync(values.backend);
    fs.writeFileSync(
      path.join(dir, "quickstart.sh"),
      substitute(quickstartBlock(fs.readFileSync(README, "utf8")), values),
    );
    const tmp = path.join(dir, "tmp");
    fs.mkdirSync(tmp);
    env = {
      PATH: [stubs, path.dirname(binaries.pulumi), path.dirname(host), process.env["PATH"] ?? "/usr/bin:/bin"].join(
        path.delimiter,
      ),
      HOME: process.env["HOME"] ?? dir,
      PULUMI_HOME: path.join(dir, "pulumi-home"),
      // The Kubernetes provider leaves a temporary kubeconfig (the sandbox's client certificate) per run: keep them here.
      TMPDIR: tmp,
      PULUMI_CONFIG_PASSPHRASE: "quickstart",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      AGENT_TRUST_FROM_SOURCE: "1",
    };
  });
  after(async () => {
    await sb?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const bash = (script: string, extra: Record<string, string> = {}) =>
    spawnSync("bash", ["-euo", "pipefail", "-c", script], {
      cwd: repo,
      env: { ...env, ...extra },
      encoding: "utf8",
      timeout: 900_000,
    });

  /** The same, without blocking this process, so the test can play a controller while the script runs. */
  const bashAsync = (script: string) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("bash", ["-euo", "pipefail", "-c", script], {
        cwd: repo,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += String(d)));
      child.stderr.on("data", (d) => (stderr += String(d)));
      const timer = setTimeout(() => child.kill("SIGKILL"), 900_000);
      child.on("close", (status) => (clearTimeout(timer), resolve({ status, stdout, stderr })));
    });

  test("the Quickstart's commands run as written: preview and up of the foundation and the shadow phase, with the pack", async (t) => {
    if (skip) return t.skip(skip);
    // The sandbox runs no kube-controller-manager, and the plain CLI adds none of the engine tests' skipAwait
    // annotations: `pulumi up` waits for the quota's status as it would on a real cluster. Play the quota controller
    // while the Quickstart runs, publishing that status once the quota exists, as the real one would.
    const quotas = sb!.env.foundation.kubernetes.filter((m) => m.kind === "ResourceQuota");
    assert.equal(quotas.length, 1);
    // The same for the approval proxy's Deployment and Service (workload-controllers.ts): a rollout reported healthy.
    const kinds = (kind: string) => sb!.env.foundation.kubernetes.filter((m) => m.kind === kind);
    assert.equal(kinds("Deployment").length, 1, "the dev foundation runs the approval proxy");
    let running = true;
    const controller = (async () => {
      while (running) {
        await publishQuotaStatus(sb!.kc, quotas).catch(() => undefined); // 404 until `pulumi up` creates it
        await playWorkloadControllers(sb!.kc, kinds("Deployment"));
        await playEndpointsController(sb!.kc, kinds("Service"));
        await new Promise((res) => setTimeout(res, 1000));
      }
    })();
    const r = await bashAsync(`. ${JSON.stringify(path.join(dir, "quickstart.sh"))}`);
    running = false;
    await controller;
    const output = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, output.slice(-6000));
    assert.ok(fs.existsSync(path.join(repo, "out", "dev-shadow")), "render wrote out/dev-shadow");
    assert.match(output, /Polic(y|ies)/, "the policy pack ran");
    const s = sb!;
    await kubeOk(s.kc, "GET", `/api/v1/namespaces/${s.env.namespace}`);
    const sa = s.env.phases.shadow.kubernetes.find((m) => m.kind === "ServiceAccount");
    assert.ok(sa, "dev-shadow renders a ServiceAccount");
    await kubeOk(s.kc, "GET", `/api/v1/namespaces/${sa.metadata.namespace}/serviceaccounts/${sa.metadata.name}`);
  });

  test("a KUBECONFIG for another cluster: preview fails with the clear message, for the foundation and a phase stack", (t) => {
    if (skip) return t.skip(skip);
    const wrong = path.join(dir, "wrong.kubeconfig");
    const doc = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "elsewhere", cluster: { server: "https://127.0.0.1:1" } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "elsewhere", context: { cluster: "elsewhere", user: "u" } }],
      "current-context": "elsewhere",
    };
    fs.writeFileSync(wrong, JSON.stringify(doc), { mode: 0o600 });
    for (const stack of ["dev", "dev-shadow"]) {
      const r = bash(`pulumi preview -s ${stack} --policy-pack policy`, {
        KUBECONFIG: wrong,
        VAULT_ADDR: sb!.vaultAddr,
        VAULT_TOKEN: sb!.vaultToken,
      });
      const output = `${r.stdout}\n${r.stderr}`;
      assert.notEqual(
        r.status,
        0,
        `${stack}: preview with a kubeconfig for another cluster passed:\n${output.slice(-3000)}`,
      );
      assert.ok(
        output.includes(`stack "${stack}" deploys to ${sb!.apiserverUrl} (agent-trust:cluster.server)`),
        output.slice(-3000),
      );
      assert.ok(
        output.includes(`selects context "elsewhere", whose cluster "elsewhere" is https://127.0.0.1:1`),
        output.slice(-3000),
      );
    }
  });
});
