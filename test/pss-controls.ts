/**
 * The Pod Security Standards (Kubernetes 1.36) as a table, control by control, taken from the standard's table and
 * from k8s.io/pod-security-admission's policy/check_*.go: for each control, the values it refuses (at pod level and
 * on containers, init containers and ephemeral containers) and the values it allows. Shared by the unit test
 * (test/rules-pss.test.ts: both adapters) and the integration test (test/integration/pss-admission.test.ts: the
 * real API server). A refused case may say what the API server itself does with it, when that is not a Pod Security
 * refusal: "admitted" (we are stricter than the standard on purpose) or "invalid" (the API server rejects the
 * object before admission; we refuse it too).
 */
import assert from "node:assert/strict";
import type { Manifest } from "../src/model/manifest";
import type { ResourceRule } from "../src/rules";
import { podSpecsOf } from "../src/rules/paths";
import * as p from "../src/rules/pods";
import { deployment, podSpec, rollout } from "./rules-samples";

type Spec = any;
export type Edit = (s: Spec) => void;

const sc = (c: any) => (c.securityContext ??= {});
const main: (e: (c: any, s: Spec) => void) => Edit = (e) => (s) => e(s.containers[0], s);
const init: (e: (c: any) => void) => Edit = (e) => (s) => {
  const c = structuredClone(s.containers[0]);
  c.name = "init";
  e(c);
  (s.initContainers ??= []).push(c);
};
const ephemeral: (e: (c: any) => void) => Edit = (e) => (s) => {
  const c = {
    name: "debug",
    image: s.containers[0].image,
    targetContainerName: "agent",
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
  };
  e(c);
  (s.ephemeralContainers ??= []).push(c);
};
const pod: (e: (s: Spec) => void) => Edit = (e) => e;
const annotate = (key: string, value: string) => ({ key, value });

export type ApiServer = "admitted" | "invalid";
export type Change = Edit | { key: string; value: string };
export type PssCase = [what: string, change: Change, apiServer?: ApiServer];

export interface Control {
  readonly control: string;
  readonly rule: ResourceRule;
  readonly refused: PssCase[];
  readonly allowed: PssCase[];
}

/** Volume sources Pod Security `restricted` refuses (check_restrictedVolumes.go), each with a minimal body. */
const REFUSED_VOLUMES: Record<string, object> = {
  hostPath: { path: "/" },
  gcePersistentDisk: { pdName: "d" },
  awsElasticBlockStore: { volumeID: "v" },
  gitRepo: { repository: "r" },
  nfs: { server: "s", path: "/" },
  iscsi: { targetPortal: "10.0.0.1:3260", iqn: "iqn.2001-04.com.example:storage", lun: 0 },
  glusterfs: { endpoints: "e", path: "p" },
  rbd: { monitors: ["m"], image: "i" },
  flexVolume: { driver: "d" },
  cinder: { volumeID: "v" },
  cephfs: { monitors: ["m"] },
  flocker: { datasetName: "d" },
  fc: { wwids: ["w"] },
  azureFile: { secretName: "s", shareName: "s" },
  vsphereVolume: { volumePath: "p" },
  quobyte: { registry: "registry:7861", volume: "v" },
  azureDisk: { diskName: "d", diskURI: "https://acct.blob.core.windows.net/vhds/d.vhd" },
  portworxVolume: { volumeID: "v" },
  photonPersistentDisk: { pdID: "p" },
  scaleIO: { gateway: "g", system: "s", volumeName: "v", secretRef: { name: "s" } },
  storageos: { volumeName: "v" },
};
const ALLOWED_VOLUMES: Record<string, object> = {
  configMap: { name: "c" },
  csi: { driver: "d" },
  downwardAPI: { items: [] },
  emptyDir: {},
  ephemeral: {
    volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
  },
  image: { reference: `registry.example.com/tools@sha256:${"cd".repeat(32)}` },
  persistentVolumeClaim: { claimName: "c" },
  projected: { sources: [{ configMap: { name: "c" } }] },
};
const addVolume =
  (source: string, body: object): Edit =>
  (s) =>
    s.volumes.push({ name: "v", [source]: body });

export const CONTROLS: Control[] = [
  {
    control: "Host Namespaces (baseline)",
    rule: p.podNoHostAccess,
    refused: [
      ["hostNetwork", pod((s) => (s.hostNetwork = true))],
      ["hostPID", pod((s) => (s.hostPID = true))],
      ["hostIPC", pod((s) => (s.hostIPC = true))],
    ],
    allowed: [["all false", pod((s) => Object.assign(s, { hostNetwork: false, hostPID: false, hostIPC: false }))]],
  },
  {
    control: "Privileged Containers (baseline)",
    rule: p.podNoPrivilegeEscalation,
    refused: [
      // Privileged implies privilege escalation: the API server refuses privileged with allowPrivilegeEscalation: false.
      ["container", main((c) => Object.assign(sc(c), { privileged: true, allowPrivilegeEscalation: true }))],
      ["init container", init((c) => Object.assign(sc(c), { privileged: true, allowPrivilegeEscalation: true }))],
      [
        "ephemeral container",
        ephemeral((c) => Object.assign(sc(c), { privileged: true, allowPrivilegeEscalation: true })),
      ],
    ],
    allowed: [["privileged: false", main((c) => (sc(c).privileged = false))]],
  },
  {
    control: "Capabilities (baseline + restricted)",
    rule: p.podDropAllCapabilities,
    refused: [
      ["add NET_ADMIN", main((c) => (sc(c).capabilities.add = ["NET_ADMIN"]))],
      ["add CHOWN (baseline default set, not restricted)", main((c) => (sc(c).capabilities.add = ["CHOWN"]))],
      ["no drop", main((c) => delete sc(c).capabilities)],
      ["drop lower-case all", main((c) => (sc(c).capabilities.drop = ["all"]))],
      ["init adds NET_RAW", init((c) => (sc(c).capabilities.add = ["NET_RAW"]))],
      ["ephemeral drops nothing", ephemeral((c) => delete sc(c).capabilities)],
    ],
    allowed: [["add NET_BIND_SERVICE", main((c) => (sc(c).capabilities.add = ["NET_BIND_SERVICE"]))]],
  },
  {
    control: "HostPath Volumes (baseline)",
    rule: p.podNoHostAccess,
    refused: [["hostPath", addVolume("hostPath", { path: "/var/run/containerd" })]],
    allowed: [["emptyDir", addVolume("emptyDir", {})]],
  },
  {
    control: "Host Ports (baseline)",
    rule: p.podNoHostAccess,
    refused: [
      ["container", main((c) => (c.ports = [{ containerPort: 80, hostPort: 80 }]))],
      ["init container", init((c) => (c.ports = [{ containerPort: 53, hostPort: 53, protocol: "UDP" }]))],
    ],
    allowed: [["hostPort 0", main((c) => (c.ports = [{ containerPort: 80, hostPort: 0 }]))]],
  },
  {
    control: "Host Probes / Lifecycle Hooks (baseline, 1.34+)",
    rule: p.podNoProbeHost,
    refused: [
      ["livenessProbe.httpGet.host", main((c) => (c.livenessProbe = { httpGet: { host: "10.0.0.1", port: 80 } }))],
      [
        "readinessProbe.tcpSocket.host",
        main((c) => (c.readinessProbe = { tcpSocket: { host: "10.0.0.1", port: 80 } })),
      ],
      [
        "startupProbe.httpGet.host on a sidecar init container",
        init((c) =>
          Object.assign(c, { restartPolicy: "Always", startupProbe: { httpGet: { host: "example.com", port: 80 } } }),
        ),
      ],
      [
        "lifecycle.preStop.httpGet.host",
        main((c) => (c.lifecycle = { preStop: { httpGet: { host: "10.0.0.1", port: 80 } } })),
      ],
      [
        "lifecycle.postStart.tcpSocket.host",
        main((c) => (c.lifecycle = { postStart: { tcpSocket: { host: "10.0.0.1", port: 80 } } })),
      ],
    ],
    allowed: [
      ["host empty", main((c) => (c.livenessProbe = { httpGet: { host: "", path: "/", port: 80 } }))],
      ["grpc probe", main((c) => (c.readinessProbe = { grpc: { port: 9090 } }))],
    ],
  },
  {
    control: "AppArmor (baseline)",
    rule: p.podAppArmorProfile,
    refused: [
      ["pod Unconfined", pod((s) => (s.securityContext.appArmorProfile = { type: "Unconfined" }))],
      [
        "container Unconfined over pod RuntimeDefault",
        (s) => (
          (s.securityContext.appArmorProfile = { type: "RuntimeDefault" }),
          (sc(s.containers[0]).appArmorProfile = { type: "Unconfined" })
        ),
      ],
      ["ephemeral Unconfined", ephemeral((c) => (sc(c).appArmorProfile = { type: "Unconfined" }))],
      ["type missing", pod((s) => (s.securityContext.appArmorProfile = {})), "invalid"],
      ["annotation unconfined", annotate("container.apparmor.security.beta.kubernetes.io/agent", "unconfined")],
      [
        "annotation for an unknown container",
        annotate("container.apparmor.security.beta.kubernetes.io/other", "unconfined"),
        "invalid",
      ],
    ],
    allowed: [
      ["pod RuntimeDefault", pod((s) => (s.securityContext.appArmorProfile = { type: "RuntimeDefault" }))],
      [
        "container Localhost",
        main((c) => (sc(c).appArmorProfile = { type: "Localhost", localhostProfile: "k8s-agent" })),
      ],
      [
        "annotation runtime/default",
        annotate("container.apparmor.security.beta.kubernetes.io/agent", "runtime/default"),
      ],
      [
        "annotation localhost/",
        annotate("container.apparmor.security.beta.kubernetes.io/agent", "localhost/k8s-agent"),
      ],
      ["annotation empty", annotate("container.apparmor.security.beta.kubernetes.io/agent", "")],
    ],
  },
  {
    control: "SELinux (baseline)",
    rule: p.podSeLinuxOptions,
    refused: [
      ["pod type spc_t", pod((s) => (s.securityContext.seLinuxOptions = { type: "spc_t" }))],
      ["container user", main((c) => (sc(c).seLinuxOptions = { user: "system_u" }))],
      ["container role", main((c) => (sc(c).seLinuxOptions = { role: "system_r" }))],
      ["init type unconfined_t", init((c) => (sc(c).seLinuxOptions = { type: "unconfined_t" }))],
      ["ephemeral type spc_t", ephemeral((c) => (sc(c).seLinuxOptions = { type: "spc_t" }))],
    ],
    allowed: [
      ...["container_t", "container_init_t", "container_kvm_t", "container_engine_t"].map((t): [string, Edit] => [
        `type ${t}`,
        pod((s) => (s.securityContext.seLinuxOptions = { type: t })),
      ]),
      ["level only", main((c) => (sc(c).seLinuxOptions = { level: "s0:c1,c2" }))],
    ],
  },
  {
    control: "/proc Mount Type (baseline + restricted; never relaxed for hostUsers: false here)",
    rule: p.podProcMount,
    refused: [
      // The API server accepts Unmasked only in a user namespace (hostUsers: false); restricted refuses it even there.
      ["container Unmasked", (s) => ((s.hostUsers = false), (sc(s.containers[0]).procMount = "Unmasked"))],
      ["init Unmasked", (s) => ((s.hostUsers = false), init((c) => (sc(c).procMount = "Unmasked"))(s))],
      ["ephemeral Unmasked", (s) => ((s.hostUsers = false), ephemeral((c) => (sc(c).procMount = "Unmasked"))(s))],
      ["Unmasked without a user namespace", main((c) => (sc(c).procMount = "Unmasked")), "invalid"],
    ],
    allowed: [["Default", main((c) => (sc(c).procMount = "Default"))]],
  },
  {
    control: "Seccomp (baseline + restricted)",
    rule: p.podSeccompProfile,
    refused: [
      ["pod Unconfined", pod((s) => (s.securityContext.seccompProfile = { type: "Unconfined" }))],
      ["container Unconfined over pod RuntimeDefault", main((c) => (sc(c).seccompProfile = { type: "Unconfined" }))],
      [
        "pod Unconfined though the container sets RuntimeDefault",
        (s) => (
          (s.securityContext.seccompProfile = { type: "Unconfined" }),
          (sc(s.containers[0]).seccompProfile = { type: "RuntimeDefault" })
        ),
      ],
      ["none anywhere", pod((s) => delete s.securityContext.seccompProfile)],
      [
        "ephemeral without one and no pod profile",
        (s) => {
          delete s.securityContext.seccompProfile;
          sc(s.containers[0]).seccompProfile = { type: "RuntimeDefault" };
          ephemeral(() => undefined)(s);
        },
      ],
      // Kubernetes ignores the seccomp annotations since 1.27; we refuse an unconfined one anyway.
      // On a Pod whose field says RuntimeDefault the API server refuses the mismatch (the sound-looking case is a fixture).
      [
        "legacy pod annotation unconfined",
        annotate("seccomp.security.alpha.kubernetes.io/pod", "unconfined"),
        "invalid",
      ],
      [
        "legacy container annotation unconfined",
        annotate("container.seccomp.security.alpha.kubernetes.io/agent", "unconfined"),
        "admitted",
      ],
    ],
    allowed: [
      [
        "container Localhost",
        main((c) => (sc(c).seccompProfile = { type: "Localhost", localhostProfile: "agent.json" })),
      ],
      [
        "only on every container",
        (s) => {
          delete s.securityContext.seccompProfile;
          sc(s.containers[0]).seccompProfile = { type: "RuntimeDefault" };
        },
      ],
    ],
  },
  {
    control: "Sysctls (baseline, 1.36 safe set)",
    rule: p.podSafeSysctls,
    refused: [
      ["kernel.msgmax", pod((s) => (s.securityContext.sysctls = [{ name: "kernel.msgmax", value: "1" }]))],
      [
        "net.ipv4.tcp_slow_start_after_idle (safe only from 1.37)",
        pod((s) => (s.securityContext.sysctls = [{ name: "net.ipv4.tcp_slow_start_after_idle", value: "0" }])),
      ],
      [
        "slash spelling",
        pod((s) => (s.securityContext.sysctls = [{ name: "net/ipv4/ip_local_port_range", value: "1024 65000" }])),
      ],
    ],
    allowed: p.SAFE_SYSCTLS.map((n): [string, Edit] => [
      n,
      pod((s) => (s.securityContext.sysctls = [{ name: n, value: "1" }])),
    ]),
  },
  {
    control: "HostProcess (baseline)",
    rule: p.podNoWindowsHostProcess,
    refused: [
      // The API server demands hostNetwork with HostProcess, and HostProcess on every container or none.
      ["pod", pod((s) => ((s.hostNetwork = true), (s.securityContext.windowsOptions = { hostProcess: true })))],
      ["container", (s) => ((s.hostNetwork = true), (sc(s.containers[0]).windowsOptions = { hostProcess: true }))],
      ["init container only", init((c) => (sc(c).windowsOptions = { hostProcess: true })), "invalid"],
    ],
    allowed: [["false", main((c) => (sc(c).windowsOptions = { hostProcess: false }))]],
  },
  {
    control: "Volume Types (restricted)",
    rule: p.podVolumeTypes,
    refused: Object.entries(REFUSED_VOLUMES).map(([k, v]): [string, Edit] => [k, addVolume(k, v)]),
    allowed: Object.entries(ALLOWED_VOLUMES).map(([k, v]): [string, Edit] => [k, addVolume(k, v)]),
  },
  {
    control: "Privilege Escalation (restricted)",
    rule: p.podNoPrivilegeEscalation,
    refused: [
      ["missing", main((c) => delete sc(c).allowPrivilegeEscalation)],
      ["true", main((c) => (sc(c).allowPrivilegeEscalation = true))],
      ["init missing", init((c) => delete sc(c).allowPrivilegeEscalation)],
      ["ephemeral missing", ephemeral((c) => delete sc(c).allowPrivilegeEscalation)],
    ],
    allowed: [["false", main((c) => (sc(c).allowPrivilegeEscalation = false))]],
  },
  {
    control: "Running as Non-root (restricted; never relaxed for hostUsers: false here)",
    rule: p.podRunAsNonRoot,
    refused: [
      [
        "pod false, container true",
        (s) => ((s.securityContext.runAsNonRoot = false), (sc(s.containers[0]).runAsNonRoot = true)),
      ],
      ["missing everywhere", pod((s) => delete s.securityContext.runAsNonRoot)],
      ["container false", main((c) => (sc(c).runAsNonRoot = false))],
      ["ephemeral false", ephemeral((c) => (sc(c).runAsNonRoot = false))],
      [
        "missing with hostUsers: false (the standard relaxes this; we do not)",
        pod((s) => ((s.hostUsers = false), delete s.securityContext.runAsNonRoot)),
        "admitted",
      ],
    ],
    allowed: [
      [
        "only on every container",
        (s) => {
          delete s.securityContext.runAsNonRoot;
          sc(s.containers[0]).runAsNonRoot = true;
        },
      ],
    ],
  },
  {
    control: "Running as Non-root user (restricted)",
    rule: p.podRunAsNonRoot,
    refused: [
      ["pod 0", pod((s) => (s.securityContext.runAsUser = 0))],
      ["container 0 under pod runAsNonRoot: true", main((c) => (sc(c).runAsUser = 0))],
      ["init 0", init((c) => (sc(c).runAsUser = 0))],
      ["ephemeral 0", ephemeral((c) => (sc(c).runAsUser = 0))],
      [
        "pod 0 though every container overrides it",
        (s) => ((s.securityContext.runAsUser = 0), (sc(s.containers[0]).runAsUser = 1000)),
      ],
    ],
    allowed: [
      ["container 1000", main((c) => (sc(c).runAsUser = 1000))],
      ["unset", pod((s) => delete s.securityContext.runAsUser)],
    ],
  },
];

export const KINDS: [string, () => Manifest][] = [
  ["Pod", () => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ai-agents" }, spec: podSpec() })],
  ["Deployment", deployment],
  ["Rollout", rollout],
];

/** The doc with the change applied to its one pod spec (or its pods' annotations). */
export function build(make: () => Manifest, change: Change): Manifest {
  const doc = make();
  const specs = podSpecsOf(doc);
  assert.equal(specs.length, 1, "the sample has one pod spec");
  if (typeof change === "function") change(specs[0]!.spec);
  else {
    const holder: any =
      doc.kind === "Pod" ? doc : doc.kind === "PodTemplate" ? (doc as any).template : (doc as any).spec.template;
    (holder.metadata.annotations ??= {})[change.key] = change.value;
  }
  return doc;
}
