/**
 * Which objects have a fixed schema: the API groups whose kinds the API server prunes to their known fields (plus
 * this project's own Vault documents), so no pod spec can hide in an unexpected place of them. Objects of any other
 * group (custom resources) may carry pod specs anywhere and are searched by shape. The answer for the object at
 * hand is kept, since every rule asks of it in turn. Pure.
 */
import type { Manifest } from "../model/manifest";

/**
 * API groups whose kinds have a fixed schema (the API server prunes unknown fields, so no pod spec hides in an
 * unexpected place), plus this project's own Vault documents.
 */
const FIXED_SCHEMA_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "node.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "certificates.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "resource.k8s.io",
  "storagemigration.k8s.io",
  "internal.apiserver.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "agent-trust.io",
]);

/** Whether `obj`'s API group has a fixed schema (see above); objects of any other group may carry pod specs anywhere. */
export function hasFixedSchema(obj: Manifest): boolean {
  if (obj === lastSchemaObject) return lastFixed;
  lastSchemaObject = obj;
  const v = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  if (v !== lastApiVersion) {
    lastApiVersion = v;
    lastFixed = v !== "" && FIXED_SCHEMA_GROUPS.has(v.includes("/") ? v.slice(0, v.lastIndexOf("/")) : "");
  }
  return lastFixed;
}

/** Rules ask of the object at hand, and objects come in runs of one apiVersion: the last answer is kept. */
let lastSchemaObject: object | undefined;
let lastApiVersion = "";
let lastFixed = false;
