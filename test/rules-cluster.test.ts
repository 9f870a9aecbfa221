/** Cluster-object rules, each through the policy pack and the offline checker. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkDocuments } from "../src/check";
import { manifestTypeOfPulumiType } from "../src/model/manifest";
import { isKnownClusterScopedCustomKind } from "../src/rules/cluster-custom";
import type { Manifest } from "../src/model/manifest";
import * as c from "../src/rules/cluster";
import { CLUSTER_RULES } from "../src/rules/cluster";
import { describeCases, patch, runBoth, type Case } from "./rules-harness";
import { namespace, role, serviceAccount } from "./rules-samples";

const hostPathPv: Manifest = {
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name: "node-root" },
  spec: {
    capacity: { storage: "1Gi" },
    accessModes: ["ReadWriteOnce"],
    hostPath: { path: "/" },
    storageClassName: "manual",
  },
};
const tokenSecret: Manifest = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: {
    name: "diag-token",
    namespace: "ai-agents",
    annotations: { "kubernetes.io/service-account.name": "diag-remediation" },
  },
  type: "kubernetes.io/service-account-token",
};

const cases: Case[] = [
  {
    rule: c.noClusterScopedObjects,
    compliant: [namespace(), role(), serviceAccount()],
    violating: hostPathPv,
    expect: /PersistentVolume is cluster-scoped \(its hostPath hands the node's disk/,
    // A PersistentVolume without a spec is still a cluster-scoped object.
    missing: patch(hostPathPv, (o) => delete o.spec),
    missingExpect: /^PersistentVolume is cluster-scoped: it reaches past the agents namespace/,
  },
  {
    rule: c.noLongLivedTokenSecrets,
    compliant: patch(tokenSecret, (o) => (o.type = "Opaque")),
    violating: tokenSecret,
    expect:
      /type is "kubernetes.io\/service-account-token": a non-expiring token for ServiceAccount "diag-remediation"/,
    missing: patch(tokenSecret, (o) => delete o.type),
    missingExpect: false,
  },
];

describeCases("cluster", CLUSTER_RULES, cases);

const obj = (apiVersion: string, kind: string, namespace?: string): Manifest => ({
  apiVersion,
  kind,
  metadata: { name: "x", ...(namespace ? { namespace } : {}) },
});

test("every cluster-scoped kind is refused in agent input, and the verdict does not depend on a namespace being set", async () => {
  assert.ok(c.CLUSTER_SCOPED_KINDS.length >= 40, `${c.CLUSTER_SCOPED_KINDS.length} kinds`);
  const checked = c.CLUSTER_SCOPED_KINDS.filter(
    (k) =>
      k !== "Namespace" &&
      !["ClusterRole", "ClusterRoleBinding", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"].includes(
        k,
      ),
  );
  assert.equal(checked.length, c.CLUSTER_SCOPED_KINDS.length - 5);
  for (const kind of checked) {
    const r = await runBoth(c.noClusterScopedObjects, [obj("x.k8s.io/v1", kind, "ai-agents")]);
    assert.equal(r.checker.length, 1, kind);
    assert.deepEqual(r.pack, r.checker, kind);
  }
});

test("no kind is listed both as cluster-scoped and as namespaced", () => {
  assert.deepEqual(
    c.CLUSTER_SCOPED_KINDS.filter((k) => c.NAMESPACED_KINDS.includes(k)),
    [],
  );
});

test("an unknown kind must name its namespace; a built-in namespaced kind need not", async () => {
  const r = await runBoth(c.noClusterScopedObjects, [
    obj("example.com/v1", "Widget"),
    obj("example.com/v1", "Gadget", "ai-agents"),
    obj("v1", "ConfigMap"),
  ]);
  assert.equal(r.checker.length, 1);
  assert.match(r.checker[0]!, /Widget \(example.com\/v1\) is not a built-in kind and has no metadata.namespace/);
  assert.deepEqual(r.pack, r.checker);
});

test("the foundation layer may hold the foundation's own cluster kinds, and only those; never another Namespace", () => {
  const vap = obj("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy");
  const kubeSystem = patch(namespace(), (o) => (o.metadata.name = "kube-system"));
  assert.ok(
    c.FOUNDATION_CLUSTER_KINDS.includes("ValidatingAdmissionPolicy"),
    "the foundation renders its admission policies",
  );
  const foundation = checkDocuments([vap, namespace(), kubeSystem, hostPathPv], {
    layer: "foundation",
  }).violations.filter((v) => v.policy === c.noClusterScopedObjects.name);
  assert.equal(foundation.length, 2);
  assert.match(foundation[0]!.message, /Namespace "kube-system" is not the agents namespace/);
  assert.match(foundation[1]!.message, /PersistentVolume is cluster-scoped.*the foundation renders none of this kind/);
  const agent = checkDocuments([vap], {}).violations.filter((v) => v.policy === c.noClusterScopedObjects.name);
  assert.equal(agent.length, 1, "agent input never holds one");
});

test("cluster-scoped kinds of widely installed CRDs are known by group, a namespace they spell changes nothing", () => {
  const known: [string, string, boolean][] = [
    ["policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", true],
    ["cilium.io/v2", "CiliumClusterwideNetworkPolicy", true],
    ["cilium.io/v2", "CiliumNetworkPolicy", false],
    ["constraints.gatekeeper.sh/v1beta1", "K8sAnyConstraint", true],
    ["external-secrets.io/v1", "ClusterSecretStore", true],
    ["external-secrets.io/v1", "SecretStore", false],
    ["evil.example.com/v1", "ClusterSecretStore", false],
    ["external-secrets.io/v1", "toString", false],
    ["karpenter.k8s.aws/v1", "EC2NodeClass", true],
  ];
  assert.deepEqual(
    known.map(([v, k]) => isKnownClusterScopedCustomKind(v, k)),
    known.map(([, , b]) => b),
  );
  const anp = {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: { name: "a", namespace: "ai-agents" },
    spec: {},
  };
  const found = checkDocuments([anp], {}).violations.filter((v) => v.policy === "no-cluster-scoped-objects");
  assert.equal(found.length, 1);
  assert.match(
    found[0]!.message,
    /AdminNetworkPolicy is cluster-scoped \(policy\.networking\.k8s\.io\/v1alpha1: its CRD makes it cluster-scoped/,
  );
  // Kinds with digits are Kubernetes kinds for the pack too, not opaque Pulumi resources.
  assert.deepEqual(manifestTypeOfPulumiType("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"), {
    apiVersion: "karpenter.k8s.aws/v1",
    kind: "EC2NodeClass",
  });
});
