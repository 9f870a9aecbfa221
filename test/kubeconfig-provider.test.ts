/**
 * Server URLs and the provider config (src/config/kubeconfig.ts, src/config/cluster.ts): the stack's
 * agent-trust:cluster.server and a kubeconfig's server are compared as URLs, and the Kubernetes provider is
 * configured with the kubeconfig the cluster check resolved. Resolving that kubeconfig is in kubeconfig.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clusterSchema, normalServer } from "../src/config/cluster";
import { kubernetesProviderConfig } from "../src/config/kubeconfig";
import { loadStackConfig } from "../src/config/stacks";

const DEV = "https://kubernetes.dev.example.internal:6443";

describe("server URLs are compared as URLs", () => {
  test("port spellings, host case and a trailing slash are the same server", () => {
    assert.equal(normalServer("https://Kubernetes.Example:443/"), "https://kubernetes.example:443");
    assert.equal(normalServer("https://kubernetes.example"), "https://kubernetes.example:443");
    assert.equal(normalServer("https://kubernetes.example:443"), normalServer("https://KUBERNETES.example/"));
    assert.equal(normalServer("https://10.0.0.1:6443/k8s/clusters/c-1/"), "https://10.0.0.1:6443/k8s/clusters/c-1");
    assert.equal(normalServer("https://[::1]:6443"), "https://[::1]:6443");
    assert.notEqual(normalServer("https://k:6443"), normalServer("https://k"));
  });
  test("not https, credentials, query or no URL at all: refused", () => {
    for (const v of ["http://k:6443", "k:6443", "https://user:pw@k", "https://k?x=1", "https://k#f", ""])
      assert.equal(normalServer(v), undefined, v);
  });
  test("the schema: server required and https, context optional, nothing else", () => {
    assert.ok(clusterSchema.safeParse({ server: DEV }).success);
    assert.ok(clusterSchema.safeParse({ server: DEV, context: "dev" }).success);
    for (const bad of [
      {},
      { server: "http://k" },
      { server: DEV, context: "" },
      { server: DEV, cluster: "x" },
      "https://k",
    ]) {
      assert.equal(clusterSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
  test("the shipped foundations name their clusters, and a phase stack may not", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const cfg = loadStackConfig(env);
      assert.equal(cfg.layer === "foundation" && cfg.cluster.server, `https://kubernetes.${env}.example.internal:6443`);
    }
  });
});

describe("kubernetes: provider config", () => {
  test("kubeconfig and context are read; every other kubernetes: key is refused by name", () => {
    assert.deepEqual(
      kubernetesProviderConfig(
        { "kubernetes:kubeconfig": "/k", "kubernetes:context": "c", "agent-trust:layer": "phase" },
        "s",
      ),
      { kubeconfig: "/k", context: "c" },
    );
    assert.throws(
      () => kubernetesProviderConfig({ "kubernetes:namespace": "x", "kubernetes:context": "" }, 'stack "dev"'),
      (e: Error) => {
        assert.match(
          e.message,
          /invalid config in stack "dev":\n {2}kubernetes:namespace: the program's Kubernetes provider reads only/,
        );
        assert.match(e.message, /kubernetes:context: must be a non-empty string/);
        return true;
      },
    );
  });
});
