/**
 * The workflows' credentials, structurally: no stored secret in a job that runs pull-request code (nor anywhere),
 * `id-token: write` exactly where GitHub's OIDC token is exchanged, the deployer only in the deploy job.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { PULUMI_AUTH, ROOT, VAULT_ACTION, WORKFLOWS, type Step } from "./helpers/workflows";
import { tempDir } from "./helpers/tmp";

describe("short-lived credentials", () => {
  const raw = (x: unknown) => JSON.stringify(x);
  const OIDC = (s: Step) =>
    s.uses === PULUMI_AUTH || s.uses === VAULT_ACTION || /github-kubeconfig\.sh/.test(s.run ?? "");
  const jobs = Object.entries(WORKFLOWS).flatMap(([f, w]) =>
    Object.entries(w.jobs).map(([name, job]) => ({ id: `${f}/${name}`, f, job })),
  );

  test("pull_request, never pull_request_target, and no stored secret in any job that runs pull-request code", () => {
    for (const [f, w] of Object.entries(WORKFLOWS))
      assert.ok(!("pull_request_target" in w.on), `${f}: pull_request_target`);
    const pr = Object.entries(WORKFLOWS).filter(([, w]) => "pull_request" in w.on);
    assert.deepEqual(
      pr.map(([f]) => f),
      ["pull-request.yaml"],
    );
    for (const [f, w] of pr) {
      assert.deepEqual(Object.keys(w.on), ["pull_request"], f);
      for (const [name, job] of Object.entries(w.jobs))
        assert.doesNotMatch(raw(job), /secrets\./, `${f}/${name} reads a stored secret`);
    }
  });

  test("no static admin token anywhere: no Pulumi, Vault or deployer kubeconfig secret in any workflow", () => {
    for (const [f, w] of Object.entries(WORKFLOWS)) {
      assert.doesNotMatch(raw(w), /secrets\.(PULUMI_ACCESS_TOKEN|VAULT_TOKEN|KUBECONFIG_DATA)/, f);
      assert.doesNotMatch(raw(w), /secrets\./, `${f}: every credential is minted per run`);
    }
  });

  test("id-token: write exactly in the jobs that exchange GitHub's OIDC token, and each of them gets all three credentials", () => {
    for (const { id, job } of jobs) {
      const oidc = job.steps.filter(OIDC);
      assert.equal(job.permissions?.["id-token"] === "write", oidc.length > 0, `${id}: id-token`);
      if (oidc.length === 0) continue;
      assert.equal(oidc.length, 3, `${id}: Pulumi Cloud, Vault and the cluster`);
      const pulumi = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions"));
      assert.ok(
        Math.max(...job.steps.map((s, i) => (OIDC(s) ? i : -1))) < pulumi,
        `${id}: credentials before the Pulumi step`,
      );
    }
    assert.deepEqual(
      jobs
        .filter(({ job }) => job.permissions?.["id-token"] === "write")
        .map(({ id }) => id)
        .sort(),
      ["deploy.yaml/deploy", "drift.yaml/drift", "pull-request.yaml/preview"],
    );
  });

  test("Pulumi Cloud by OIDC (pulumi/auth-actions), Vault by JWT (hashicorp/vault-action), the cluster by GitHub's token", () => {
    for (const { id, job } of jobs.filter(({ job }) => job.steps.some(OIDC))) {
      const auth = job.steps.find((s) => s.uses === PULUMI_AUTH)!;
      const vault = job.steps.find((s) => s.uses === VAULT_ACTION)!;
      const kube = job.steps.find((s) => /github-kubeconfig\.sh/.test(s.run ?? ""))!;
      assert.equal(auth.with?.["organization"], "${{ vars.PULUMI_ORG }}", id);
      assert.equal(auth.with?.["requested-token-type"], "urn:pulumi:token-type:access_token:team", id);
      assert.deepEqual(
        [vault.with?.["method"], vault.with?.["exportToken"], vault.with?.["url"]],
        ["jwt", true, "${{ vars.VAULT_ADDR }}"],
        id,
      );
      assert.equal(vault.with?.["token"], undefined, `${id}: no Vault token input`);
      assert.match(kube.run ?? "", />> "\$GITHUB_ENV"$/, id);
      // Who is who: the deploy job alone is the deployer; pull requests and drift are the read-only preview identity.
      const deployer = id === "deploy.yaml/deploy";
      assert.equal(
        auth.with?.["scope"],
        deployer ? "team:${{ vars.PULUMI_DEPLOY_TEAM }}" : "team:${{ vars.PULUMI_PREVIEW_TEAM }}",
        id,
      );
      assert.equal(vault.with?.["role"], deployer ? "agent-trust-deploy" : "agent-trust-preview", id);
      assert.match(kube.run ?? "", deployer ? / agent-trust-deploy >>/ : / agent-trust-preview >>/, id);
      // The OIDC subject names the job's environment: read-only jobs never name a deploy environment.
      assert.match(String(job.environment), deployer ? /^\$\{\{ startsWith/ : /^preview-\$\{\{ startsWith/, id);
    }
  });

  test("the kubeconfig script writes an exec plugin asking GitHub for a fresh token, and refuses without id-token", () => {
    const script = path.join(ROOT, "scripts", "ci", "github-kubeconfig.sh");
    const dir = tempDir("agent-trust-kubeconfig-");
    try {
      const out = path.join(dir, "kube", "config");
      const run = (env: NodeJS.ProcessEnv) =>
        spawnSync(
          "bash",
          [script, out, "https://k8s.example:6443", "-----BEGIN CERTIFICATE-----\nx\n", "agent-trust-preview"],
          { env: { PATH: process.env["PATH"], ...env }, encoding: "utf8" },
        );
      const refused = run({});
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /needs permissions: id-token: write/);
      const r = run({
        ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/?x=1",
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `KUBECONFIG=${out}\n`, "a line for $GITHUB_ENV");
      const kc = parse(fs.readFileSync(out, "utf8")) as {
        users: { user: Record<string, unknown> }[];
        clusters: { cluster: Record<string, string> }[];
      };
      assert.deepEqual(Object.keys(kc.users[0]!.user), ["exec"], "no token, no client key: the exec plugin only");
      assert.equal(
        Buffer.from(kc.clusters[0]!.cluster["certificate-authority-data"]!, "base64").toString(),
        "-----BEGIN CERTIFICATE-----\nx\n",
      );
      const exec = kc.users[0]!.user["exec"] as { command: string; args: string[] };
      assert.deepEqual(exec.args, ["agent-trust-preview"]);
      assert.match(fs.readFileSync(exec.command, "utf8"), /\$ACTIONS_ID_TOKEN_REQUEST_URL&audience=\$1/);
      assert.equal(fs.statSync(out).mode & 0o077, 0, "readable by its owner only");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
