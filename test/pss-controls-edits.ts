/**
 * The edits the Pod Security table (test/pss-controls.ts) is written with: each changes a sample pod spec at pod
 * level or on a container, an init container or an ephemeral container; and the table's types.
 */
import type { ResourceRule } from "../src/rules";

type Spec = any;
export type Edit = (s: Spec) => void;

export const sc = (c: any) => (c.securityContext ??= {});
export const main: (e: (c: any, s: Spec) => void) => Edit = (e) => (s) => e(s.containers[0], s);
export const init: (e: (c: any) => void) => Edit = (e) => (s) => {
  const c = structuredClone(s.containers[0]);
  c.name = "init";
  e(c);
  (s.initContainers ??= []).push(c);
};
export const ephemeral: (e: (c: any) => void) => Edit = (e) => (s) => {
  const c = {
    name: "debug",
    image: s.containers[0].image,
    targetContainerName: "agent",
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
  };
  e(c);
  (s.ephemeralContainers ??= []).push(c);
};
export const pod: (e: (s: Spec) => void) => Edit = (e) => e;
export const annotate = (key: string, value: string) => ({ key, value });

export type ApiServer = "admitted" | "invalid";
export type Change = Edit | { key: string; value: string };
export type PssCase = [what: string, change: Change, apiServer?: ApiServer];

export interface Control {
  readonly control: string;
  readonly rule: ResourceRule;
  readonly refused: PssCase[];
  readonly allowed: PssCase[];
}

export const addVolume =
  (source: string, body: object): Edit =>
  (s) =>
    s.volumes.push({ name: "v", [source]: body });
