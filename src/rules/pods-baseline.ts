/**
 * The controls of the Pod Security Standards `baseline` profile (Kubernetes 1.36) that `restricted` keeps as
 * they are, judged as k8s.io/pod-security-admission does (policy/check_*.go): host namespaces, hostPath and host
 * ports, Windows HostProcess, probe and lifecycle hosts, AppArmor (field and legacy annotation), SELinux,
 * /proc mount and sysctls. Privileged containers are judged by `pod-no-privilege-escalation`.
 */
import { absentOrFalse, onContainers, onPod, onSetters, podAnnotations, podRule } from "./helpers";
import { containersOf, field, isObj, list, show } from "./paths";

const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"] as const;

export const podNoHostAccess = podRule({
  name: "pod-no-host-access",
  security: true,
  reads: ["{pod}.hostNetwork", "{pod}.hostPID", "{pod}.hostIPC", "{pod}.volumes", "{containers}.ports"],
  description:
    "Pod Security baseline: no host namespaces (hostNetwork, hostPID, hostIPC), no hostPath volumes and no hostPort on any container port.",
  remediationSteps: "Remove the host settings; use emptyDir or projected volumes for scratch space and tokens.",
  validate: (obj) =>
    onPod(obj, (pod) => {
      const out: string[] = [];
      for (const k of HOST_NAMESPACES)
        if (!absentOrFalse(pod.spec[k])) out.push(`${pod.at}.${k} is ${show(pod.spec[k])}; it must be false or absent`);
      list(pod.spec.volumes).forEach((v, i) => {
        if (!isObj(v) || v.hostPath !== undefined)
          out.push(`${pod.at}.volumes[${i}] is a hostPath volume (or not a volume)`);
      });
      for (const c of containersOf(pod)) {
        list(c.container.ports).forEach((p, i) => {
          const hp = field(p, "hostPort");
          if (hp !== undefined && hp !== 0) out.push(`${c.at}.ports[${i}].hostPort is ${show(hp)}`);
        });
      }
      return out;
    }),
});

export const podNoWindowsHostProcess = podRule({
  name: "pod-no-windows-host-process",
  security: true,
  reads: ["{pod}.securityContext.windowsOptions", "{containers}.securityContext.windowsOptions"],
  description:
    "Pod Security baseline: windowsOptions.hostProcess is never true, on the pod or on any container (a HostProcess container is the node).",
  remediationSteps:
    "Remove securityContext.windowsOptions.hostProcess (or set it to false) on the pod and every container.",
  validate: (obj) =>
    onSetters(obj, ["windowsOptions", "hostProcess"], (v, at) =>
      v === false ? [] : [`${at} is ${show(v)}; it must be false or absent`],
    ),
});

const PROBES = ["livenessProbe", "readinessProbe", "startupProbe"] as const;
const HANDLERS = ["postStart", "preStop"] as const;
const HOST_ACTIONS = ["httpGet", "tcpSocket"] as const;

export const podNoProbeHost = podRule({
  name: "pod-no-probe-host",
  security: true,
  reads: [...PROBES.map((p) => `{containers}.${p}`), "{containers}.lifecycle"],
  description:
    "Pod Security baseline (1.34+): probes and lifecycle handlers never set httpGet.host or tcpSocket.host, so the kubelet cannot be made to reach another address for the pod.",
  remediationSteps:
    "Remove host from httpGet and tcpSocket in every probe and lifecycle handler; the kubelet then uses the pod's own IP.",
  validate: (obj) =>
    onContainers(obj, (c) => {
      const out: string[] = [];
      const hostOf = (name: string, h: unknown) => {
        if (!isObj(h)) return;
        for (const kind of HOST_ACTIONS) {
          const host = field(h, kind, "host");
          if (host !== undefined && host !== "")
            out.push(`${c.at}.${name}.${kind}.host is ${show(host)}; leave it unset`);
        }
      };
      for (const p of PROBES) hostOf(p, c.container[p]);
      const lifecycle = c.container.lifecycle;
      if (isObj(lifecycle)) for (const h of HANDLERS) hostOf(`lifecycle.${h}`, lifecycle[h]);
      return out;
    }),
});

const APPARMOR_TYPES: readonly unknown[] = ["RuntimeDefault", "Localhost"];
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";
const validAppArmorAnnotation = (v: unknown) =>
  v === "" || v === "runtime/default" || (typeof v === "string" && v.startsWith("localhost/"));

export const podAppArmorProfile = podRule({
  name: "pod-apparmor-profile",
  security: true,
  reads: [
    "{pod}.securityContext.appArmorProfile",
    "{containers}.securityContext.appArmorProfile",
    "{podmeta}.annotations",
  ],
  description:
    "Pod Security baseline: AppArmor is never Unconfined, neither by securityContext.appArmorProfile (pod or container: RuntimeDefault or Localhost) nor by the legacy container.apparmor.security.beta.kubernetes.io/<container> annotation (runtime/default or localhost/*).",
  remediationSteps: "Remove the Unconfined profile (field or annotation), or use RuntimeDefault / runtime/default.",
  validate: (obj) => [
    ...onSetters(obj, ["appArmorProfile"], (v, at) =>
      APPARMOR_TYPES.includes(field(v, "type"))
        ? []
        : [`${at}.type is ${show(field(v, "type"))}; use RuntimeDefault or Localhost`],
    ),
    ...onPod(obj, (pod) =>
      Object.entries(podAnnotations(pod))
        .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION) && !validAppArmorAnnotation(v))
        .map(([k, v]) => `${pod.metaAt}.annotations["${k}"] is ${show(v)}; use runtime/default or localhost/<profile>`),
    ),
  ],
});

/** SELinux types baseline allows (1.31+); user and role may not be set at all. */
export const SELINUX_TYPES: readonly string[] = [
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
];

export const podSeLinuxOptions = podRule({
  name: "pod-selinux-options",
  security: true,
  reads: ["{pod}.securityContext.seLinuxOptions", "{containers}.securityContext.seLinuxOptions"],
  description: `Pod Security baseline: seLinuxOptions (pod or container) set no user and no role, and a type only from ${SELINUX_TYPES.filter(Boolean).join(", ")}.`,
  remediationSteps: "Remove seLinuxOptions.user and .role, and .type unless it is one of the container types.",
  validate: (obj) =>
    onSetters(obj, ["seLinuxOptions"], (v, at) => {
      if (!isObj(v)) return [`${at} is ${show(v)}; not SELinux options`];
      const out: string[] = [];
      const type = v.type ?? "";
      if (typeof type !== "string" || !SELINUX_TYPES.includes(type))
        out.push(`${at}.type is ${show(type)}; allowed: ${SELINUX_TYPES.filter(Boolean).join(", ")}`);
      for (const k of ["user", "role"] as const)
        if (v[k] !== undefined && v[k] !== "") out.push(`${at}.${k} is ${show(v[k])}; it may not be set`);
      return out;
    }),
});

export const podProcMount = podRule({
  name: "pod-proc-mount",
  security: true,
  reads: ["{containers}.securityContext.procMount"],
  description:
    "Pod Security baseline and restricted: procMount is Default (or unset) on every container, so /proc keeps its masked paths.",
  remediationSteps: "Remove securityContext.procMount (or set it to Default).",
  validate: (obj) =>
    onContainers(obj, (c) => {
      const v = field(c.container, "securityContext", "procMount");
      return v === undefined || v === "Default"
        ? []
        : [`${c.at}.securityContext.procMount is ${show(v)}; it must be Default`];
    }),
});

/** The sysctls Pod Security baseline allows in Kubernetes 1.36 (namespaced and isolated from other pods). */
export const SAFE_SYSCTLS: readonly string[] = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
];

export const podSafeSysctls = podRule({
  name: "pod-safe-sysctls",
  security: true,
  reads: ["{pod}.securityContext.sysctls"],
  description:
    "Pod Security baseline: the pod sets only the safe sysctls of Kubernetes 1.36 (kernel.shm_rmid_forced and a few net.ipv4 ones).",
  remediationSteps: `Remove every sysctl that is not one of: ${SAFE_SYSCTLS.join(", ")}.`,
  validate: (obj) =>
    onPod(obj, (pod) =>
      list(field(pod.spec, "securityContext", "sysctls")).flatMap((s, i) => {
        const name = field(s, "name");
        return typeof name === "string" && SAFE_SYSCTLS.includes(name)
          ? []
          : [`${pod.at}.securityContext.sysctls[${i}].name is ${show(name)}; not a safe sysctl`];
      }),
    ),
});

export const BASELINE_RULES = [
  podNoHostAccess,
  podNoWindowsHostProcess,
  podNoProbeHost,
  podAppArmorProfile,
  podSeLinuxOptions,
  podProcMount,
  podSafeSysctls,
];
