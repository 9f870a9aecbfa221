/** The engine driver's pure parts: the sandbox-only transform and the stack settings it writes. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { projectRoot } from "../src/config/stacks";
import { sandboxStackConfig, writeStackSettings } from "../src/engine/settings";
import { SANDBOX_ANNOTATIONS, withSandboxAnnotations } from "../src/engine/transform";
import { renderStack } from "../src/render/index";
import { tempDir } from "./helpers/tmp";

test("transform: Kubernetes resources get skipAwait and background deletion, keeping their own annotations", () => {
  const props = { metadata: { name: "r", annotations: { "agent-trust.io/x": "y" } }, rules: [] };
  const out = withSandboxAnnotations("kubernetes:rbac.authorization.k8s.io/v1:Role", true, props);
  const annotations = (out?.["metadata"] as { annotations: Record<string, string> }).annotations;
  assert.equal(Object.keys(annotations).length, 3);
  assert.deepEqual(annotations, {
    "agent-trust.io/x": "y",
    "pulumi.com/skipAwait": "true",
    "pulumi.com/deletionPropagationPolicy": "background",
  });
  assert.equal(
    props.metadata.annotations["pulumi.com/skipAwait" as keyof typeof props.metadata.annotations],
    undefined,
    "input not mutated",
  );
});

test("transform: other packages, components and providers are left alone; odd metadata fails closed", () => {
  assert.equal(withSandboxAnnotations("vault:index/policy:Policy", true, { name: "p" }), undefined);
  assert.equal(withSandboxAnnotations("agent-trust:phase:AgentIdentity", false, {}), undefined);
  assert.equal(withSandboxAnnotations("pulumi:providers:kubernetes", true, {}), undefined);
  assert.throws(
    () => withSandboxAnnotations("kubernetes:core/v1:ServiceAccount", true, { metadata: "x" }),
    /metadata that is not a plain object/,
  );
});

test("what users deploy never carries the sandbox annotations", () => {
  const stacks = ["dev", "dev-shadow", "dev-assist", "dev-remediation", "dev-autonomous", "prod-assist"];
  let objects = 0;
  for (const s of stacks) {
    for (const m of renderStack(s).kubernetes) {
      objects++;
      const a = (m.metadata as { annotations?: Record<string, string> }).annotations ?? {};
      for (const k of Object.keys(SANDBOX_ANNOTATIONS))
        assert.equal(a[k], undefined, `${s} ${m.kind}/${m.metadata.name}`);
    }
  }
  assert.ok(objects > 20, `expected the rendered stacks to have objects, got ${objects}`);
});

test("settings: the foundation's Vault auth and cluster point at the sandbox; phase stacks are the stack file unchanged", () => {
  const root = projectRoot();
  const overrides = {
    apiserverUrl: "https://127.0.0.1:1234",
    caPem: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
  };
  const f = sandboxStackConfig(root, "dev", overrides);
  const vault = f["agent-trust:vault"] as Record<string, string>;
  assert.equal(vault["kubernetesHost"], overrides.apiserverUrl);
  assert.equal(vault["kubernetesCaCert"], overrides.caPem);
  assert.equal(vault["kvMount"], "agent");
  assert.deepEqual(f["agent-trust:cluster"], { server: overrides.apiserverUrl });
  assert.equal(f["kubernetes:kubeconfig"], undefined);
  const file = parse(fs.readFileSync(path.join(root, "stacks", "Pulumi.dev-assist.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  assert.deepEqual(sandboxStackConfig(root, "dev-assist", overrides), file.config);
  assert.throws(() => sandboxStackConfig(root, "no-such-stack", overrides), /no stack file for stack "no-such-stack"/);
  // With the sandbox's kubeconfig, every stack's provider is given it (the inline program does not see the CLI's env).
  for (const s of ["dev", "dev-assist"])
    assert.equal(
      sandboxStackConfig(root, s, { ...overrides, kubeconfig: "/sb/deployer.kubeconfig" })["kubernetes:kubeconfig"],
      "/sb/deployer.kubeconfig",
    );
});

test("settings: rewriting keeps the engine's salt and secure values, replaces the plain config", () => {
  const dir = tempDir("engine-settings-");
  try {
    fs.writeFileSync(
      path.join(dir, "Pulumi.dev.yaml"),
      "encryptionsalt: v1:abc\nconfig:\n  agent-trust:old: 1\n  agent-trust:vaultTokenReviewerJwt:\n    secure: v1:zzz\n",
    );
    writeStackSettings(dir, "dev", { "agent-trust:layer": "foundation" });
    const doc = parse(fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")) as Record<string, unknown>;
    assert.equal(doc["encryptionsalt"], "v1:abc");
    assert.deepEqual(doc["config"], {
      "agent-trust:layer": "foundation",
      "agent-trust:vaultTokenReviewerJwt": { secure: "v1:zzz" },
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
