/**
 * The cluster check before anything is created (src/config/kubeconfig.ts): the kubeconfig the Kubernetes provider
 * would use, found as it finds it, compared with the stack's agent-trust:cluster.server as a URL.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resolveCluster, type KubeconfigSources } from "../src/config/kubeconfig";
import { ConfigError } from "../src/config/parse";

const DEV = "https://kubernetes.dev.example.internal:6443";

function kubeconfig(o: {
  contexts: [string, string][];
  clusters: [string, string][];
  current?: string;
  users?: string[];
}): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: o.clusters.map(([name, server]) => ({ name, cluster: { server } })),
    users: (o.users ?? ["u"]).map((name) => ({ name, user: { token: "t" } })),
    contexts: o.contexts.map(([name, cluster]) => ({ name, context: { cluster, user: "u" } })),
    ...(o.current ? { "current-context": o.current } : {}),
  });
}

function sources(files: Record<string, string>, extra: Partial<KubeconfigSources> = {}): KubeconfigSources {
  return { home: "/home/u", readFile: (f) => files[f], ...extra };
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.message;
  }
  return assert.fail("accepted");
}

const ONE = {
  "/home/u/.kube/config": kubeconfig({ clusters: [["dev", DEV]], contexts: [["dev", "dev"]], current: "dev" }),
};

describe("resolving the kubeconfig the provider would use", () => {
  test("~/.kube/config with its current context: accepted, the file path handed on", () => {
    const r = resolveCluster("dev", { server: "https://KUBERNETES.dev.example.internal:6443/" }, sources(ONE));
    assert.deepEqual(r, {
      kubeconfig: { path: "/home/u/.kube/config" },
      context: "dev",
      server: DEV,
      source: "/home/u/.kube/config",
    });
  });

  test("mismatch: names the stack, the expected server, the context and the server found", () => {
    const files = {
      "/k/prod": kubeconfig({
        clusters: [["p", "https://kubernetes.prod.example.internal:6443"]],
        contexts: [["prod", "p"]],
        current: "prod",
      }),
    };
    const msg = refusal(() =>
      resolveCluster("dev-shadow", { server: DEV }, sources(files, { kubeconfigEnv: "/k/prod" })),
    );
    assert.match(
      msg,
      /^stack "dev-shadow" deploys to https:\/\/kubernetes\.dev\.example\.internal:6443 \(agent-trust:cluster\.server\)/,
    );
    assert.match(
      msg,
      /KUBECONFIG \(\/k\/prod\) selects context "prod", whose cluster "p" is https:\/\/kubernetes\.prod\.example\.internal:6443/,
    );
  });

  test("another port is another server", () => {
    const files = {
      "/k": kubeconfig({
        clusters: [["c", "https://kubernetes.dev.example.internal"]],
        contexts: [["x", "c"]],
        current: "x",
      }),
    };
    assert.match(
      refusal(() => resolveCluster("dev", { server: DEV }, sources(files, { kubeconfigEnv: "/k" }))),
      /whose cluster "c" is https:\/\/kubernetes\.dev\.example\.internal;/,
    );
    assert.equal(
      resolveCluster(
        "dev",
        { server: "https://kubernetes.dev.example.internal:443" },
        sources(files, { kubeconfigEnv: "/k" }),
      ).context,
      "x",
    );
  });

  test("missing files: no kubeconfig at all, a KUBECONFIG of absent files, a kubernetes:kubeconfig path that is absent", () => {
    assert.match(
      refusal(() => resolveCluster("dev", { server: DEV }, sources({}))),
      /no kubeconfig found: KUBECONFIG is not set, kubernetes:kubeconfig is not set, and \/home\/u\/\.kube\/config does not exist/,
    );
    assert.match(
      refusal(() => resolveCluster("dev", { server: DEV }, sources(ONE, { kubeconfigEnv: "/a:/b" }))),
      /no kubeconfig found: KUBECONFIG names \/a:\/b, and none of them exists/,
    );
    assert.match(
      refusal(() => resolveCluster("dev", { server: DEV }, sources(ONE, { kubeconfig: "~/nope" }))),
      /kubernetes:kubeconfig names \/home\/u\/nope, which does not exist/,
    );
  });

  test("missing context: the named one, or no current-context", () => {
    const named = refusal(() => resolveCluster("dev", { server: DEV, context: "staging" }, sources(ONE)));
    assert.match(named, /has no context "staging"; contexts there: dev/);
    const none = { "/home/u/.kube/config": kubeconfig({ clusters: [["dev", DEV]], contexts: [["dev", "dev"]] }) };
    assert.match(
      refusal(() => resolveCluster("dev", { server: DEV }, sources(none))),
      /has no current-context; set agent-trust:cluster\.context or kubernetes:context/,
    );
    const dangling = {
      "/home/u/.kube/config": kubeconfig({ clusters: [], contexts: [["dev", "gone"]], current: "dev" }),
    };
    assert.match(
      refusal(() => resolveCluster("dev", { server: DEV }, sources(dangling))),
      /context "dev" uses cluster "gone", which has no server/,
    );
  });

  test("the named context wins over current-context; kubernetes:context and cluster.context must agree", () => {
    const files = {
      "/home/u/.kube/config": kubeconfig({
        clusters: [
          ["dev", DEV],
          ["prod", "https://p"],
        ],
        contexts: [
          ["dev", "dev"],
          ["prod", "prod"],
        ],
        current: "prod",
      }),
    };
    assert.equal(resolveCluster("dev", { server: DEV, context: "dev" }, sources(files)).context, "dev");
    assert.equal(resolveCluster("dev", { server: DEV }, sources(files, { context: "dev" })).context, "dev");
    assert.match(
      refusal(() => resolveCluster("dev", { server: DEV }, sources(files))),
      /selects context "prod"/,
    );
    assert.match(
      refusal(() => resolveCluster("dev", { server: DEV, context: "dev" }, sources(files, { context: "prod" }))),
      /kubernetes:context is "prod" but agent-trust:cluster\.context is "dev"/,
    );
  });

  test("several KUBECONFIG files merge as kubectl merges: first definition and first current-context win", () => {
    const files = {
      "/k/a": kubeconfig({ clusters: [["shared", DEV]], contexts: [["a", "shared"]], current: "a" }),
      "/k/b": kubeconfig({
        clusters: [
          ["shared", "https://other:6443"],
          ["b", "https://b:6443"],
        ],
        contexts: [
          ["a", "b"],
          ["b", "b"],
        ],
        current: "b",
      }),
    };
    const r = resolveCluster("dev", { server: DEV }, sources(files, { kubeconfigEnv: "/k/a:/k/missing:/k/b" }));
    assert.equal(r.context, "a");
    assert.equal(r.source, "KUBECONFIG (/k/a:/k/b)");
    assert.ok("contents" in r.kubeconfig, "several files are handed on merged");
    const merged = JSON.parse((r.kubeconfig as { contents: string }).contents) as Record<
      string,
      { name: string; cluster?: { server: string } }[]
    >;
    assert.equal(merged["current-context"] as unknown, "a");
    assert.deepEqual(
      merged["clusters"]!.map((c) => [c.name, c.cluster!.server]),
      [
        ["shared", DEV],
        ["b", "https://b:6443"],
      ],
    );
    assert.deepEqual(
      merged["contexts"]!.map((c) => c.name),
      ["a", "b"],
    );
    // The context only the second file has, through its cluster only the second file has.
    assert.equal(
      resolveCluster("b", { server: "https://b:6443", context: "b" }, sources(files, { kubeconfigEnv: "/k/a:/k/b" }))
        .context,
      "b",
    );
    // The second file's "a" (pointing at b) is shadowed by the first file's.
    assert.match(
      refusal(() =>
        resolveCluster("b", { server: "https://b:6443", context: "a" }, sources(files, { kubeconfigEnv: "/k/a:/k/b" })),
      ),
      /selects context "a", whose cluster "shared" is https:\/\/kubernetes\.dev/,
    );
  });

  test("relative certificate paths of a merged file are made absolute against that file", () => {
    const a = JSON.stringify({
      clusters: [{ name: "c", cluster: { server: DEV, "certificate-authority": "ca.crt" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      users: [{ name: "u", user: { "client-key": "k/key.pem" } }],
      "current-context": "x",
    });
    const r = resolveCluster(
      "dev",
      { server: DEV },
      sources({ "/k/a": a, "/k/b": "{}" }, { kubeconfigEnv: "/k/a:/k/b" }),
    );
    const merged = JSON.parse((r.kubeconfig as { contents: string }).contents) as {
      clusters: { cluster: Record<string, string> }[];
      users: { user: Record<string, string> }[];
    };
    assert.equal(merged.clusters[0]!.cluster["certificate-authority"], "/k/ca.crt");
    assert.equal(merged.users[0]!.user["client-key"], "/k/k/key.pem");
  });

  test("kubernetes:kubeconfig wins over KUBECONFIG, as a path or as the contents", () => {
    const files = {
      ...ONE,
      "/elsewhere": kubeconfig({ clusters: [["p", "https://p"]], contexts: [["p", "p"]], current: "p" }),
    };
    assert.equal(
      resolveCluster(
        "dev",
        { server: DEV },
        sources(files, { kubeconfig: "/home/u/.kube/config", kubeconfigEnv: "/elsewhere" }),
      ).source,
      "kubernetes:kubeconfig (/home/u/.kube/config)",
    );
    const text =
      "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://kubernetes.dev.example.internal:6443'}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n";
    const r = resolveCluster("dev", { server: DEV }, sources({}, { kubeconfig: text, kubeconfigEnv: "/elsewhere" }));
    assert.deepEqual(r.kubeconfig, { contents: text });
    assert.equal(r.source, "kubernetes:kubeconfig (inline)");
  });

  test("what cannot be read is refused: bad YAML, not a mapping, malformed entries", () => {
    for (const [text, pattern] of [
      ["clusters: [", /is not valid YAML/],
      ["- a\n- b\n", /is not a kubeconfig \(not a YAML mapping\)/],
      ["clusters: {c: 1}\n", /"clusters" must be a list/],
      ["contexts: [{context: {cluster: c}}]\n", /contexts\[0\] must be \{ name, context \}/],
      ["current-context: [a]\n", /"current-context" must be a string/],
    ] as const) {
      assert.match(
        refusal(() => resolveCluster("dev", { server: DEV }, sources({ "/home/u/.kube/config": text }))),
        pattern,
        text,
      );
    }
  });
});
