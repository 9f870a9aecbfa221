/**
 * The Pod Security Standards table (test/pss-controls.ts), part two: the controls only the restricted profile has.
 */
import * as p from "../src/rules/pods";
import { addVolume, ephemeral, init, main, pod, sc, type Control, type Edit } from "./pss-controls-edits";

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

export const RESTRICTED_CONTROLS: Control[] = [
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
