/** Identity and pod rules, each through the policy pack and the offline checker. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { UNKNOWN } from "../src/rules";
import * as p from "../src/rules/pods";
import { POD_RULES } from "../src/rules/pods";
import { describeCases, patch, runBoth, type Case } from "./rules-harness";
import { VAULT_ANNOTATION_CASES } from "./vault-annotation-cases";
import { cronJob, deployment, job, namespace, podTemplate, rollout, serviceAccount } from "./rules-samples";

/** Edits the pod spec of a PodTemplate / Job / Deployment / CronJob sample. */
const tpl = (edit: (spec: any) => void) => patch(podTemplate(), (o) => edit(o.template.spec));
const dep = (edit: (spec: any) => void) => patch(deployment(), (o) => edit(o.spec.template.spec));
const cron = (edit: (spec: any) => void) => patch(cronJob(), (o) => edit(o.spec.jobTemplate.spec.template.spec));
const c0 = (spec: any) => spec.containers[0];

const cases: Case[] = [
  {
    rule: p.serviceAccountAutomountOff,
    compliant: serviceAccount(),
    violating: patch(serviceAccount(), (o) => (o.automountServiceAccountToken = true)),
    expect: /automountServiceAccountToken is true/,
    missing: patch(serviceAccount(), (o) => delete o.automountServiceAccountToken),
    missingExpect: /automountServiceAccountToken is missing/,
  },
  {
    rule: p.podRunAsNonRoot,
    compliant: [podTemplate(), job(), deployment(), cronJob()],
    violating: dep((s) => (c0(s).securityContext.runAsUser = 0)),
    expect: /spec\.template\.spec\.containers\[0\]\.securityContext\.runAsUser is 0/,
    missing: tpl((s) => delete s.securityContext.runAsNonRoot),
    missingExpect: /runAsNonRoot is missing/,
  },
  {
    rule: p.podNoPrivilegeEscalation,
    compliant: podTemplate(),
    violating: tpl(
      (s) =>
        (s.initContainers = [
          { ...c0(s), name: "init", securityContext: { ...c0(s).securityContext, privileged: true } },
        ]),
    ),
    expect: /initContainers\[0\]: privileged is true/,
    missing: tpl((s) => delete c0(s).securityContext.allowPrivilegeEscalation),
    missingExpect: /allowPrivilegeEscalation is missing/,
  },
  {
    rule: p.podDropAllCapabilities,
    compliant: podTemplate(),
    violating: cron((s) => (c0(s).securityContext.capabilities.add = ["NET_BIND_SERVICE", "NET_ADMIN"])),
    expect: /capabilities\.add has \["NET_ADMIN"\]/,
    missing: tpl((s) => delete c0(s).securityContext.capabilities),
    missingExpect: /capabilities\.drop does not include "ALL"/,
  },
  {
    rule: p.podSeccompProfile,
    compliant: tpl(
      (s) => (c0(s).securityContext.seccompProfile = { type: "Localhost", localhostProfile: "agent.json" }),
    ),
    violating: tpl((s) => (s.securityContext.seccompProfile = { type: "Unconfined" })),
    expect: /securityContext\.seccompProfile\.type is "Unconfined"/,
    missing: tpl((s) => delete s.securityContext.seccompProfile),
    missingExpect: /seccompProfile is missing on the container and on the pod/,
  },
  {
    rule: p.podNoHostAccess,
    compliant: podTemplate(),
    violating: tpl((s) => {
      s.hostNetwork = true;
      s.volumes.push({ name: "root", hostPath: { path: "/" } });
      c0(s).ports = [{ containerPort: 80, hostPort: 80 }];
    }),
    expect: /template\.spec\.hostNetwork is true/,
    missing: tpl((s) => delete s.volumes),
    missingExpect: false,
  },
  {
    rule: p.podVolumeTypes,
    compliant: tpl((s) =>
      s.volumes.push(
        { name: "cfg", configMap: { name: "c" } },
        { name: "data", persistentVolumeClaim: { claimName: "d" } },
      ),
    ),
    violating: tpl((s) => s.volumes.push({ name: "share", nfs: { server: "10.0.0.1", path: "/" } })),
    expect: /volumes\[2\] \("share"\) uses nfs/,
    missing: tpl((s) => delete s.volumes),
    missingExpect: false,
  },
  {
    rule: p.podNoWindowsHostProcess,
    compliant: tpl((s) => (s.securityContext.windowsOptions = { hostProcess: false })),
    violating: tpl((s) => (c0(s).securityContext.windowsOptions = { hostProcess: true })),
    expect: /containers\[0\]\.securityContext\.windowsOptions\.hostProcess is true/,
    missing: tpl((s) => delete s.securityContext),
    missingExpect: false,
  },
  {
    rule: p.podNoProbeHost,
    compliant: tpl((s) => (c0(s).livenessProbe = { httpGet: { path: "/healthz", port: 8080 } })),
    violating: tpl(
      (s) => (c0(s).lifecycle = { preStop: { httpGet: { host: "169.254.169.254", path: "/", port: 80 } } }),
    ),
    expect: /containers\[0\]\.lifecycle\.preStop\.httpGet\.host is "169\.254\.169\.254"/,
    missing: tpl((s) => delete c0(s).ports),
    missingExpect: false,
  },
  {
    rule: p.podAppArmorProfile,
    compliant: tpl((s) => (s.securityContext.appArmorProfile = { type: "RuntimeDefault" })),
    violating: patch(
      podTemplate(),
      (o) =>
        (o.template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/agent": "unconfined" }),
    ),
    expect:
      /template\.metadata\.annotations\["container\.apparmor\.security\.beta\.kubernetes\.io\/agent"\] is "unconfined"/,
    missing: tpl((s) => (s.securityContext.appArmorProfile = {})),
    missingExpect: /appArmorProfile\.type is missing/,
  },
  {
    rule: p.podSeLinuxOptions,
    compliant: tpl((s) => (s.securityContext.seLinuxOptions = { type: "container_t", level: "s0:c123,c456" })),
    violating: tpl((s) => (c0(s).securityContext.seLinuxOptions = { type: "spc_t" })),
    expect: /containers\[0\]\.securityContext\.seLinuxOptions\.type is "spc_t"/,
    missing: tpl((s) => delete s.securityContext),
    missingExpect: false,
  },
  {
    rule: p.podProcMount,
    compliant: tpl((s) => (c0(s).securityContext.procMount = "Default")),
    violating: tpl((s) => (c0(s).securityContext.procMount = "Unmasked")),
    expect: /procMount is "Unmasked"; it must be Default/,
    missing: tpl((s) => delete c0(s).securityContext),
    missingExpect: false,
  },
  {
    rule: p.podSafeSysctls,
    compliant: tpl((s) => (s.securityContext.sysctls = [{ name: "net.ipv4.tcp_keepalive_time", value: "60" }])),
    violating: tpl((s) => (s.securityContext.sysctls = [{ name: "kernel.core_pattern", value: "|/x" }])),
    expect: /sysctls\[0\]\.name is "kernel\.core_pattern"; not a safe sysctl/,
    missing: tpl((s) => delete s.securityContext),
    missingExpect: false,
  },
  {
    rule: p.podNoKubernetesSecrets,
    compliant: podTemplate(),
    violating: tpl((s) => (c0(s).envFrom = [{ secretRef: { name: "db" } }])),
    expect: /containers\[0\]\.envFrom\[0\]\.secretRef takes Secret "db"/,
    missing: tpl((s) => {
      delete s.volumes;
      delete c0(s).env;
    }),
    missingExpect: false,
  },
  {
    rule: p.podProjectedTokenVaultOnly,
    compliant: podTemplate(),
    violating: tpl(
      (s) => (s.volumes[1].projected.sources[0].serviceAccountToken.audience = "https://kubernetes.default.svc"),
    ),
    expect: /serviceAccountToken\.audience is "https:\/\/kubernetes\.default\.svc"; it must be "vault"/,
    missing: tpl((s) => delete s.volumes[1].projected.sources[0].serviceAccountToken.expirationSeconds),
    missingExpect: /expirationSeconds is missing; set at most 600/,
  },
  {
    rule: p.podSpecVisible,
    compliant: rollout(),
    violating: patch(rollout(), (o) => (o.spec.template = UNKNOWN)),
    expect: /spec\.template is unknown during preview; in a custom kind it could hold a pod spec/,
    missing: patch(rollout(), (o) => delete o.spec.template),
    missingExpect: false,
  },
  {
    rule: p.podNoTokenAutomount,
    compliant: job(),
    violating: tpl((s) => (s.automountServiceAccountToken = true)),
    expect: /automountServiceAccountToken is true/,
    missing: tpl((s) => delete s.automountServiceAccountToken),
    missingExpect: /automountServiceAccountToken is missing/,
  },
  {
    rule: p.podDedicatedServiceAccount,
    compliant: podTemplate(),
    violating: tpl((s) => (s.serviceAccountName = "default")),
    expect: /serviceAccountName is "default"/,
    missing: tpl((s) => delete s.serviceAccountName),
    missingExpect: /serviceAccountName is missing/,
  },
  {
    rule: p.podResourcesSet,
    compliant: podTemplate(),
    violating: tpl((s) => delete c0(s).resources.limits.memory),
    expect: /resources\.limits\.memory is missing/,
    missing: tpl((s) => delete c0(s).resources),
    missingExpect: /resources\.requests\.cpu is missing/,
  },
  {
    rule: p.podNoLiteralCredentials,
    compliant: podTemplate(),
    violating: tpl((s) => c0(s).env.push({ name: "OPENAI_API_KEY", value: "sk-live-123" })),
    expect: /OPENAI_API_KEY has a literal value/,
    missing: tpl((s) => delete c0(s).env),
    missingExpect: false,
  },
  {
    rule: p.imagePinnedByDigest,
    given: { env: "prod" },
    compliant: podTemplate(),
    violating: tpl((s) => (c0(s).image = "registry.example.com/agents/diag:1.4")),
    expect: /image "registry.example.com\/agents\/diag:1.4" is not pinned by digest/,
    missing: tpl((s) => delete c0(s).image),
    missingExpect: /image missing is not pinned by digest/,
  },
  {
    rule: p.jobBounded,
    compliant: [job(), cronJob()],
    violating: patch(job(), (o) => (o.spec.activeDeadlineSeconds = 3600)),
    expect: /spec\.activeDeadlineSeconds is 3600; set 1\.\.900/,
    missing: patch(cronJob(), (o) => delete o.spec.jobTemplate.spec.backoffLimit),
    missingExpect: /spec\.jobTemplate\.spec\.backoffLimit is missing/,
  },
  {
    rule: p.jobTtlAfterFinished,
    compliant: job(),
    violating: patch(job(), (o) => (o.spec.ttlSecondsAfterFinished = "1h")),
    expect: /ttlSecondsAfterFinished is "1h"/,
    missing: patch(job(), (o) => delete o.spec.ttlSecondsAfterFinished),
    missingExpect: /ttlSecondsAfterFinished is missing/,
  },
  {
    rule: p.namespacePsaRestricted,
    compliant: namespace(),
    violating: patch(namespace(), (o) => (o.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline")),
    expect: /is "baseline"; it must be "restricted"/,
    missing: patch(namespace(), (o) => delete o.metadata.labels),
    missingExpect: /enforce is missing/,
  },
];

describeCases("pods", POD_RULES, [...cases, ...VAULT_ANNOTATION_CASES]);

test("namespace-psa-restricted: an enforce-version other than latest is refused by both adapters", async () => {
  const old = patch(namespace(), (o) => (o.metadata.labels["pod-security.kubernetes.io/enforce-version"] = "v1.21"));
  const r = await runBoth(p.namespacePsaRestricted, [old]);
  assert.deepEqual(r.checker, [
    'label pod-security.kubernetes.io/enforce-version is "v1.21"; it must be "latest" or absent',
  ]);
  assert.deepEqual(r.pack, r.checker);
  const latest = patch(
    namespace(),
    (o) => (o.metadata.labels["pod-security.kubernetes.io/enforce-version"] = "latest"),
  );
  assert.deepEqual(await runBoth(p.namespacePsaRestricted, [latest]), { pack: [], checker: [] });
});
