/**
 * Pod specs are found by shape, whatever the kind; a value unknown during preview never passes, in a found pod
 * spec or anywhere a custom kind could hide one; and the catalog's own PodTemplates and Jobs pass every pod rule.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkDocuments } from "../src/check";
import type { Manifest } from "../src/model/manifest";
import { contextFor, DEFAULT_SETTINGS, judge, UNKNOWN } from "../src/rules";
import { containersOf, podLabelsOf, podSpecsOf } from "../src/rules/paths";
import { podNoPrivilegeEscalation } from "../src/rules/pods";
import { patch } from "./rules-harness";
import { cronJob, deployment, podSpec, podTemplate, role, rollout, vaultRole } from "./rules-samples";

const custom = (apiVersion: string, kind: string, spec: object): Manifest => ({
  apiVersion,
  kind,
  metadata: { name: "x", namespace: "ai-agents" },
  spec,
});
const tmpl = () => ({ metadata: { labels: { app: "x" }, annotations: { a: "b" } }, spec: podSpec() });

describe("pod specs are found by shape", () => {
  const cases: [string, Manifest, string[]][] = [
    ["Pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: podSpec() }, ["spec"]],
    ["PodTemplate", podTemplate(), ["template.spec"]],
    ["CronJob", cronJob(), ["spec.jobTemplate.spec.template.spec"]],
    ["Argo Rollout", rollout(), ["spec.template.spec"]],
    [
      "KEDA ScaledJob",
      custom("keda.sh/v1alpha1", "ScaledJob", { jobTargetRef: { backoffLimit: 0, template: tmpl() } }),
      ["spec.jobTargetRef.template.spec"],
    ],
    [
      "OpenKruise CloneSet",
      custom("apps.kruise.io/v1alpha1", "CloneSet", { template: tmpl() }),
      ["spec.template.spec"],
    ],
    ["Knative Service", custom("serving.knative.dev/v1", "Service", { template: tmpl() }), ["spec.template.spec"]],
    [
      "two pod specs in a list",
      custom("example.com/v1", "Pipeline", {
        stages: [{ pod: podSpec() }, { run: { image: "x" } }, { pod: podSpec() }],
      }),
      ["spec.stages[0].pod", "spec.stages[2].pod"],
    ],
    [
      "only initContainers",
      custom("example.com/v1", "Thing", { worker: { initContainers: [{ name: "i", image: "x" }] } }),
      ["spec.worker"],
    ],
    [
      "a Deployment spelled with a custom group",
      { ...deployment(), apiVersion: "evil.example.com/v1" },
      ["spec.template.spec"],
    ],
    [
      "Argo Workflow templates with a container or a script (step groups are not containers)",
      custom("argoproj.io/v1alpha1", "Workflow", {
        templates: [
          { name: "a", steps: [[{ name: "s", template: "b" }]] },
          { name: "b", container: { image: "x" } },
          { name: "c", script: { image: "x", source: "id" } },
        ],
      }),
      ["spec.templates[1]", "spec.templates[2]"],
    ],
    [
      "Argo Workflow spec-level host settings",
      custom("argoproj.io/v1alpha1", "Workflow", { hostNetwork: true, templates: [{ name: "a", suspend: {} }] }),
      ["spec"],
    ],
    [
      "Argo Workflow spec-level volumes",
      custom("argoproj.io/v1alpha1", "Workflow", { volumes: [{ name: "v", hostPath: { path: "/" } }] }),
      ["spec"],
    ],
    ["Tekton Task steps", custom("tekton.dev/v1", "Task", { steps: [{ name: "s", image: "x" }] }), ["spec"]],
    [
      "Tekton Task stepTemplate alone",
      custom("tekton.dev/v1", "Task", { stepTemplate: { securityContext: { privileged: true } } }),
      ["spec"],
    ],
    [
      "Tekton TaskRun podTemplate",
      custom("tekton.dev/v1", "TaskRun", { taskRef: { name: "t" }, podTemplate: { securityContext: {} } }),
      ["spec.podTemplate"],
    ],
    [
      "Tekton Pipeline with an embedded task",
      custom("tekton.dev/v1", "Pipeline", { tasks: [{ name: "t", taskSpec: { steps: [{ image: "x" }] } }] }),
      ["spec.tasks[0].taskSpec"],
    ],
    [
      "a container named by reference, or canary steps, are no containers",
      custom("example.com/v1", "Probe", {
        target: { container: { name: "app" } },
        strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      }),
      [],
    ],
  ];
  for (const [what, doc, at] of cases) {
    test(`${what}: ${at.join(", ")}`, () =>
      assert.deepEqual(
        podSpecsOf(doc).map((p) => p.at),
        at,
      ));
  }

  test("the containers of workflow and pipeline kinds are judged where they are, with their own paths", () => {
    const wf = custom("argoproj.io/v1alpha1", "Workflow", {
      templates: [
        {
          name: "b",
          container: { image: "x" },
          sidecars: [{ name: "p", image: "y" }],
          initContainers: [{ name: "i", image: "z" }],
        },
      ],
    });
    assert.deepEqual(
      podSpecsOf(wf).flatMap((p) => containersOf(p).map((c) => `${c.list} ${c.at}`)),
      [
        "initContainers spec.templates[0].initContainers[0]",
        "sidecars spec.templates[0].sidecars[0]",
        "container spec.templates[0].container",
      ],
    );
    const task = custom("tekton.dev/v1", "Task", {
      stepTemplate: { securityContext: {} },
      steps: [{ image: "x" }, "not a step"],
    });
    assert.deepEqual(
      podSpecsOf(task).flatMap((p) => containersOf(p).map((c) => c.at)),
      ["spec.steps[0]", "spec.steps[1]", "spec.stepTemplate"],
    );
    // A built-in kind's pod spec holds only what its schema keeps: the API server drops a `sidecars` key there.
    const dep = patch(
      deployment(),
      (d) => (d.spec.template.spec.sidecars = [{ name: "s", image: "x", securityContext: { privileged: true } }]),
    );
    assert.ok(
      podSpecsOf(dep)
        .flatMap(containersOf)
        .every((c) => c.list === "containers" || c.list === "initContainers"),
    );
    // Each of them is judged: a privileged Argo sidecar, a Tekton stepTemplate adding a capability.
    const ctx = contextFor(wf, {}, DEFAULT_SETTINGS);
    const bad = patch(wf, (w) => (w.spec.templates[0].sidecars[0].securityContext = { privileged: true }));
    assert.ok(
      judge(podNoPrivilegeEscalation, bad, ctx).some((m) =>
        m.startsWith("spec.templates[0].sidecars[0]: privileged is true"),
      ),
    );
  });

  test("an unknown value in an Argo container or a Tekton step is refused by the rule that reads it", () => {
    const wf = custom("argoproj.io/v1alpha1", "Workflow", {
      templates: [{ name: "b", container: { image: "x", securityContext: UNKNOWN } }],
    });
    const task = custom("tekton.dev/v1", "Task", {
      steps: [{ image: "x", securityContext: { allowPrivilegeEscalation: UNKNOWN } }],
    });
    for (const doc of [wf, task]) {
      const out = judge(podNoPrivilegeEscalation, doc, contextFor(doc, {}, DEFAULT_SETTINGS));
      assert.ok(
        out.some((m) => /is unknown during preview/.test(m)),
        out.join("\n"),
      );
    }
  });

  test("built-in kinds are not searched by shape: a CRD's schema mentioning containers is no pod spec", () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "r.example.com" },
      spec: { versions: [{ schema: { openAPIV3Schema: { properties: { containers: { type: "array" } } } } }] },
    };
    assert.equal(podSpecsOf(crd).length, 0);
    assert.equal(podSpecsOf({ ...crd, apiVersion: "v1", kind: "ConfigMap" }).length, 0);
    assert.deepEqual(
      podSpecsOf({ apiVersion: "v1", kind: "List", metadata: { name: "l" }, items: [rollout()] }).map((p) => p.at),
      ["items[0].spec.template.spec"],
    );
  });

  test("objects without a container list carry none; the object's own metadata is not searched", () => {
    assert.equal(podSpecsOf(role()).length, 0);
    assert.equal(podSpecsOf(vaultRole()).length, 0);
    const sneaky = custom("example.com/v1", "Thing", {});
    (sneaky.metadata as any).extra = { containers: [{ name: "c", image: "x" }] };
    assert.equal(podSpecsOf(sneaky).length, 0);
  });

  test("the pods' metadata is the template's: labels and annotations of a custom kind", () => {
    const scaled = custom("keda.sh/v1alpha1", "ScaledJob", { jobTargetRef: { template: tmpl() } });
    const [found] = podSpecsOf(scaled);
    assert.equal(found?.metaAt, "spec.jobTargetRef.template.metadata");
    assert.deepEqual(podLabelsOf(scaled), { app: "x" });
  });

  test("a cyclic or shared object is walked once, without hanging", () => {
    const spec: any = podSpec();
    const doc = custom("example.com/v1", "Loop", { a: spec, b: spec });
    (doc as any).spec.self = doc["spec"];
    assert.equal(podSpecsOf(doc).length, 1);
  });

  test("every pod rule judges a custom kind; the checker no longer reports it as passed over", () => {
    const bad = patch(rollout(), (o) => (o.spec.template.spec.hostNetwork = true));
    // In a foundation the ConfigMap is a kind it holds and no rule reads (passed over); the Rollout is no
    // stack's kind (refused by name) and its pods are judged all the same.
    const r = checkDocuments([bad, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }], {
      layer: "foundation",
    });
    assert.deepEqual(
      r.violations.map((v) => v.policy),
      ["stack-kinds-closed", "pod-no-host-access"],
    );
    assert.match(r.violations[0]!.resource, /^Rollout /);
    assert.deepEqual(r.passedOver, { ConfigMap: 1 });
  });
});
