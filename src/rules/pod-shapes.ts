/**
 * Where the controllers of custom kinds keep the pods they will create, beyond the pod spec's own container lists:
 * the knowledge `podSpecsOf` (paths.ts) uses to find pod specs BY SHAPE in objects without a fixed schema.
 * - Argo Workflows: a template's `container` or `script` (one container each), `sidecars` and `initContainers`,
 *   with the template's `securityContext`; the workflow spec's own `hostNetwork`, `volumes` and `securityContext`
 *   apply to every pod it creates.
 * - Tekton: a Task's `steps` and `sidecars`, and its `stepTemplate` (merged into every step, so judged as a
 *   container of its own); a run's `podTemplate` (host namespaces, volumes, the pod's securityContext).
 * A mapping counts as a container when it carries a container field (an image, a command, a securityContext…),
 * so a step of another kind (an Argo Rollouts canary step, a list of Argo step groups) is not one. Fail closed:
 * each such container is judged as a full container of the pod, and each such pod spec as a full pod spec. Pure.
 */

/** The pod spec's container lists (the Kubernetes schema: the only ones of the built-in kinds). */
export const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

/** Container lists of custom kinds' controllers (Argo and Tekton sidecars, Tekton steps). */
export const SHAPE_CONTAINER_LISTS = ["sidecars", "steps"] as const;

/** Keys holding one container in custom kinds (Argo `container` and `script`, Tekton `stepTemplate`). */
export const SHAPE_CONTAINERS = ["container", "script", "stepTemplate"] as const;

export type ContainerList =
  (typeof CONTAINER_LISTS)[number] | (typeof SHAPE_CONTAINER_LISTS)[number] | (typeof SHAPE_CONTAINERS)[number];

/** Fields only a container has; a mapping with one of them under a container key is judged as a container. */
const CONTAINER_FIELDS = [
  "image",
  "command",
  "args",
  "script",
  "source",
  "securityContext",
  "volumeMounts",
  "volumeDevices",
  "env",
  "envFrom",
  "ports",
  "resources",
  "computeResources",
  "workingDir",
  "lifecycle",
  "livenessProbe",
  "readinessProbe",
  "startupProbe",
  "ref",
];

/** Keys that make a mapping of a custom kind a pod spec without any container (so does a `volumes` list). */
const POD_LEVEL_KEYS = ["hostNetwork", "hostPID", "hostIPC", "hostUsers"];

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => typeof v === "object" && v !== null && !Array.isArray(v);

/** A mapping that carries a container field. */
export const isContainerLike = (v: unknown): boolean => isMapping(v) && CONTAINER_FIELDS.some((f) => f in v);

/**
 * Whether a mapping found in an object of a custom kind is a pod spec: it has a container list of the pod spec,
 * a container or container list of a workflow or pipeline controller, or pod-level host settings or volumes; or
 * it is a Tekton `podTemplate` (`key`: the key it is found under).
 */
export function isPodSpecShape(v: Mapping, key: string | number | undefined): boolean {
  if (CONTAINER_LISTS.some((l) => l in v)) return true;
  if (SHAPE_CONTAINERS.some((k) => isContainerLike(v[k]))) return true;
  if (SHAPE_CONTAINER_LISTS.some((l) => Array.isArray(v[l]) && (v[l] as unknown[]).some(isContainerLike))) return true;
  if (POD_LEVEL_KEYS.some((k) => k in v) || Array.isArray(v.volumes)) return true;
  return key === "podTemplate";
}
