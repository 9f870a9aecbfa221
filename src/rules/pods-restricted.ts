/**
 * The controls of the Pod Security Standards `restricted` profile (Kubernetes 1.36), as the API server's own
 * admission (k8s.io/pod-security-admission, policy/check_*.go) judges them: init and ephemeral containers count, a
 * container's securityContext wins over the pod's, and a bad pod-level value is refused even where every
 * container overrides it. We never apply the profile's relaxations (Windows pods, `hostUsers: false`): agents
 * run as Linux pods and every control holds for them.
 */
import { absentOrFalse, effective, onContainers, onPod, onSetters, podAnnotations, podRule } from "./helpers";
import { field, isObj, list, show } from "./paths";

/** A UID the API server accepts and that is not root. */
const isNonRootUid = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v > 0 && v <= 2147483647;

export const podRunAsNonRoot = podRule({
  name: "pod-run-as-non-root",
  security: true,
  reads: [
    "{pod}.securityContext.runAsNonRoot",
    "{pod}.securityContext.runAsUser",
    "{containers}.securityContext.runAsNonRoot",
    "{containers}.securityContext.runAsUser",
  ],
  description:
    "Pod Security restricted: runAsNonRoot is true for every container (its own or the pod's), is never false anywhere, and no runAsUser (pod or container) is 0.",
  remediationSteps:
    "Set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod; never set runAsUser: 0 or runAsNonRoot: false on a container.",
  validate: (obj) => [
    ...onSetters(obj, ["runAsNonRoot"], (v, at) => (v === true ? [] : [`${at} is ${show(v)}; it must be true`])),
    ...onSetters(obj, ["runAsUser"], (v, at) => (isNonRootUid(v) ? [] : [`${at} is ${show(v)}; use a non-zero UID`])),
    ...onContainers(obj, (c, pod) =>
      effective(c, pod, "runAsNonRoot") === undefined
        ? [`${c.at}: runAsNonRoot is missing on the container and on the pod; it must be true`]
        : [],
    ),
  ],
});

export const podNoPrivilegeEscalation = podRule({
  name: "pod-no-privilege-escalation",
  security: true,
  reads: ["{containers}.securityContext.allowPrivilegeEscalation", "{containers}.securityContext.privileged"],
  description:
    "Pod Security restricted and baseline: every container sets allowPrivilegeEscalation: false and is never privileged.",
  remediationSteps:
    "Set securityContext.allowPrivilegeEscalation: false and remove privileged: true on every container.",
  validate: (obj) =>
    onContainers(obj, (c) => {
      const out: string[] = [];
      const ape = field(c.container, "securityContext", "allowPrivilegeEscalation");
      if (ape !== false) out.push(`${c.at}: allowPrivilegeEscalation is ${show(ape)}; it must be false`);
      const priv = field(c.container, "securityContext", "privileged");
      if (!absentOrFalse(priv)) out.push(`${c.at}: privileged is ${show(priv)}; it must be false or absent`);
      return out;
    }),
});

/** The one capability `restricted` lets a container add back. */
export const RESTRICTED_ADDABLE_CAPABILITIES: readonly string[] = ["NET_BIND_SERVICE"];

export const podDropAllCapabilities = podRule({
  name: "pod-drop-all-capabilities",
  security: true,
  reads: ["{containers}.securityContext.capabilities"],
  description:
    'Pod Security restricted: every container drops "ALL" Linux capabilities and adds back at most NET_BIND_SERVICE.',
  remediationSteps:
    "Set securityContext.capabilities: { drop: [ALL] } and remove every capabilities.add entry but NET_BIND_SERVICE.",
  validate: (obj) =>
    onContainers(obj, (c) => {
      const out: string[] = [];
      const caps = field(c.container, "securityContext", "capabilities");
      if (!list(field(caps, "drop")).includes("ALL")) out.push(`${c.at}: capabilities.drop does not include "ALL"`);
      const add = list(field(caps, "add")).filter(
        (a) => typeof a !== "string" || !RESTRICTED_ADDABLE_CAPABILITIES.includes(a),
      );
      if (add.length > 0) out.push(`${c.at}: capabilities.add has ${show(add)}; only NET_BIND_SERVICE may be added`);
      return out;
    }),
});

const SECCOMP_TYPES: readonly unknown[] = ["RuntimeDefault", "Localhost"];
const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/";
const validSeccompAnnotation = (v: unknown) =>
  v === "runtime/default" || v === "docker/default" || (typeof v === "string" && v.startsWith("localhost/"));

export const podSeccompProfile = podRule({
  name: "pod-seccomp-profile",
  security: true,
  reads: [
    "{pod}.securityContext.seccompProfile",
    "{containers}.securityContext.seccompProfile",
    "{podmeta}.annotations",
  ],
  description:
    "Pod Security restricted: every container runs under the RuntimeDefault or a Localhost seccomp profile (its own or the pod's); Unconfined is refused at either level and in the legacy annotations.",
  remediationSteps:
    "Set securityContext.seccompProfile.type: RuntimeDefault on the pod and remove Unconfined profiles and annotations.",
  validate: (obj) => [
    ...onSetters(obj, ["seccompProfile"], (v, at) =>
      SECCOMP_TYPES.includes(field(v, "type"))
        ? []
        : [`${at}.type is ${show(field(v, "type"))}; use RuntimeDefault or Localhost`],
    ),
    ...onContainers(obj, (c, pod) =>
      effective(c, pod, "seccompProfile") === undefined
        ? [`${c.at}: seccompProfile is missing on the container and on the pod; use RuntimeDefault or Localhost`]
        : [],
    ),
    ...onPod(obj, (pod) =>
      Object.entries(podAnnotations(pod))
        .filter(([k]) => k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_ANNOTATION))
        .filter(([, v]) => !validSeccompAnnotation(v))
        .map(([k, v]) => `${pod.metaAt}.annotations["${k}"] is ${show(v)}; use runtime/default or localhost/<profile>`),
    ),
  ],
});

/** Volume sources Pod Security `restricted` allows (1.36: `image` included); every other source is refused. */
export const RESTRICTED_VOLUME_SOURCES: readonly string[] = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

export const podVolumeTypes = podRule({
  name: "pod-volume-types",
  security: true,
  reads: ["{pod}.volumes"],
  description: `Pod Security restricted: volumes use only the allowed sources (${RESTRICTED_VOLUME_SOURCES.join(", ")}); hostPath, nfs, iscsi, gitRepo, cephfs and every other source are refused.`,
  remediationSteps:
    "Use emptyDir for scratch space, projected volumes for tokens and configMap or csi for files; nothing from the node or a network filesystem.",
  validate: (obj) =>
    onPod(obj, (pod) =>
      list(pod.spec.volumes).flatMap((v, i) => {
        const at = `${pod.at}.volumes[${i}]`;
        if (!isObj(v)) return [`${at} is ${show(v)}; not a volume`];
        const bad = Object.keys(v).filter((k) => k !== "name" && !RESTRICTED_VOLUME_SOURCES.includes(k));
        return bad.length === 0
          ? []
          : [`${at} (${show(v.name)}) uses ${bad.join(", ")}; allowed: ${RESTRICTED_VOLUME_SOURCES.join(", ")}`];
      }),
    ),
});

export const RESTRICTED_RULES = [
  podRunAsNonRoot,
  podNoPrivilegeEscalation,
  podDropAllCapabilities,
  podSeccompProfile,
  podVolumeTypes,
];
