/** The API server's discovery documents, flattened to what the matrix needs: resource name → group and scope. */
import type { KubeConfig } from "@kubernetes/client-node";
import type { ResourceIndex } from "./expect-rbac";
import { kubeOk } from "../servers/kube";

interface ApiResourceList {
  resources?: { name: string; namespaced: boolean }[];
}
interface ApiGroupList {
  groups?: { name: string; versions: { groupVersion: string }[] }[];
}

export async function discoverResources(kc: KubeConfig): Promise<ResourceIndex> {
  const index = new Map<string, { group: string; namespaced: boolean }[]>();
  const add = (group: string, list: ApiResourceList) => {
    for (const r of list.resources ?? []) {
      const entries = index.get(r.name) ?? [];
      if (!entries.some((e) => e.group === group)) entries.push({ group, namespaced: r.namespaced });
      index.set(r.name, entries);
    }
  };
  add("", await kubeOk(kc, "GET", "/api/v1"));
  const groups = ((await kubeOk(kc, "GET", "/apis")) as ApiGroupList).groups ?? [];
  const lists = await Promise.all(
    groups.flatMap((g) =>
      g.versions.map(async (v) => ({ group: g.name, list: await kubeOk(kc, "GET", `/apis/${v.groupVersion}`) })),
    ),
  );
  for (const { group, list } of lists) add(group, list);
  return index;
}
