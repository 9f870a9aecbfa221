/**
 * The Pod Security Standards table (test/pss-controls.ts), part one: the controls of the baseline profile, those
 * restricted keeps as they are or tightens included.
 */
import * as p from "../src/rules/pods";
import { addVolume, annotate, ephemeral, init, main, pod, sc, type Control, type Edit } from "./pss-controls-edits";

export const BASELINE_CONTROLS: Control[] = [
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
];
