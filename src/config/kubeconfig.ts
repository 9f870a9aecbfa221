/**
 * Which cluster the Kubernetes provider would talk to, found the way the provider finds it, and checked against the
 * cluster the stack names, before anything is created. The provider takes `kubernetes:kubeconfig` (a path or the
 * contents) when set, else the files of KUBECONFIG merged as kubectl merges them (the first file that defines a
 * context, cluster or user wins; the first current-context wins; missing files are skipped), else ~/.kube/config.
 * Pure: files are read through the `readFile` it is given.
 */
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { clusterSchema, normalServer, type ClusterConfig } from "./cluster";
import { ConfigError, CONFIG_NAMESPACE } from "./parse";

export interface KubeconfigSources {
  /** `kubernetes:kubeconfig`: a file path or a kubeconfig's contents. */
  readonly kubeconfig?: string;
  /** `kubernetes:context`. */
  readonly context?: string;
  /** KUBECONFIG as the process sees it. */
  readonly kubeconfigEnv?: string;
  /** The home directory, for ~/.kube/config and `~/` paths. */
  readonly home: string;
  /** A file's text, or undefined when there is no such file. */
  readonly readFile: (file: string) => string | undefined;
}

/** What the provider is given, and what was found. */
export interface ResolvedCluster {
  /** For the provider's `kubeconfig`: a path (one file) or the merged contents (several files or given inline). */
  readonly kubeconfig: { readonly path: string } | { readonly contents: string };
  readonly context: string;
  /** The server of the context's cluster, as the kubeconfig writes it. */
  readonly server: string;
  /** Where the kubeconfig came from, in words. */
  readonly source: string;
}

type Named = Record<string, unknown>;
interface Entry {
  readonly value: Named;
  readonly file?: string;
}
interface Merged {
  contexts: Map<string, Entry>;
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  current?: string;
  files: string[];
}

const isMap = (v: unknown): v is Named => typeof v === "object" && v !== null && !Array.isArray(v);

/** One kubeconfig document's named entries, refusing what is not a kubeconfig. */
function readDoc(
  text: string,
  where: string,
): { contexts: Named[]; clusters: Named[]; users: Named[]; current?: string } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError(`${where} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return { contexts: [], clusters: [], users: [] };
  if (!isMap(doc)) throw new ConfigError(`${where} is not a kubeconfig (not a YAML mapping)`);
  const list = (key: string, inner: string): Named[] => {
    const v = doc[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new ConfigError(`${where}: "${key}" must be a list`);
    return v.map((e, i) => {
      if (!isMap(e) || typeof e.name !== "string" || e.name === "" || !isMap(e[inner] ?? {})) {
        throw new ConfigError(`${where}: ${key}[${i}] must be { name, ${inner} }`);
      }
      return e;
    });
  };
  const current = doc["current-context"];
  if (current !== undefined && current !== null && typeof current !== "string")
    throw new ConfigError(`${where}: "current-context" must be a string`);
  return {
    contexts: list("contexts", "context"),
    clusters: list("clusters", "cluster"),
    users: list("users", "user"),
    ...(current ? { current } : {}),
  };
}

function merge(docs: { text: string; file?: string; where: string }[]): Merged {
  const m: Merged = { contexts: new Map(), clusters: new Map(), users: new Map(), files: [] };
  for (const d of docs) {
    const r = readDoc(d.text, d.where);
    if (d.file) m.files.push(d.file);
    for (const [key, entries] of [
      ["contexts", r.contexts],
      ["clusters", r.clusters],
      ["users", r.users],
    ] as const) {
      for (const e of entries)
        if (!m[key].has(e.name as string))
          m[key].set(e.name as string, { value: e, ...(d.file ? { file: d.file } : {}) });
    }
    m.current ??= r.current;
  }
  return m;
}

const expand = (p: string, home: string) => (p === "~" ? home : p.startsWith("~/") ? path.join(home, p.slice(2)) : p);

/** A value that is a kubeconfig's text rather than a path (the provider accepts both). */
const isContents = (v: string) => v.includes("\n") || /^\s*(\{|apiVersion:|kind:|clusters:|contexts:)/.test(v);

/** File references of a merged entry made absolute against its own file, as kubectl resolves them. */
const PATH_FIELDS: Record<string, readonly string[]> = {
  cluster: ["certificate-authority"],
  user: ["client-certificate", "client-key", "tokenFile"],
};
function absolutized(e: Entry, inner: string): Named {
  const body = e.value[inner];
  if (!e.file || !isMap(body)) return e.value;
  const out: Named = { ...body };
  for (const f of PATH_FIELDS[inner] ?? []) {
    const v = out[f];
    if (typeof v === "string" && v !== "" && !path.isAbsolute(v)) out[f] = path.join(path.dirname(e.file), v);
  }
  return { ...e.value, [inner]: out };
}

function mergedContents(m: Merged, context: string): string {
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [...m.clusters.values()].map((e) => absolutized(e, "cluster")),
    users: [...m.users.values()].map((e) => absolutized(e, "user")),
    contexts: [...m.contexts.values()].map((e) => e.value),
    "current-context": context,
  };
  return JSON.stringify(doc);
}

/** The kubeconfig documents the provider would read, and how to describe them. */
function load(src: KubeconfigSources): { merged: Merged; source: string; inline?: string } {
  if (src.kubeconfig !== undefined) {
    if (isContents(src.kubeconfig)) {
      return {
        merged: merge([{ text: src.kubeconfig, where: "the kubeconfig in kubernetes:kubeconfig" }]),
        source: "kubernetes:kubeconfig (inline)",
        inline: src.kubeconfig,
      };
    }
    const file = path.resolve(expand(src.kubeconfig.trim(), src.home));
    const text = src.readFile(file);
    if (text === undefined) throw new ConfigError(`kubernetes:kubeconfig names ${file}, which does not exist`);
    return { merged: merge([{ text, file, where: file }]), source: `kubernetes:kubeconfig (${file})` };
  }
  const listed = (src.kubeconfigEnv ?? "").split(path.delimiter).filter((f) => f.trim() !== "");
  if (listed.length > 0) {
    const docs = listed.flatMap((f) => {
      const file = path.resolve(expand(f, src.home));
      const text = src.readFile(file);
      return text === undefined ? [] : [{ text, file, where: file }];
    });
    if (docs.length === 0)
      throw new ConfigError(
        `no kubeconfig found: KUBECONFIG names ${listed.join(path.delimiter)}, and none of them exists`,
      );
    return { merged: merge(docs), source: `KUBECONFIG (${docs.map((d) => d.file).join(path.delimiter)})` };
  }
  const file = path.join(src.home, ".kube", "config");
  const text = src.readFile(file);
  if (text === undefined)
    throw new ConfigError(
      `no kubeconfig found: KUBECONFIG is not set, kubernetes:kubeconfig is not set, and ${file} does not exist`,
    );
  return { merged: merge([{ text, file, where: file }]), source: file };
}

/**
 * The kubeconfig and context the provider would use for `stack`, checked against the cluster the stack names:
 * throws a ConfigError naming the stack, the expected server, the context and the server found, or saying that no
 * kubeconfig or context was found.
 */
export function resolveCluster(stack: string, cluster: ClusterConfig, src: KubeconfigSources): ResolvedCluster {
  const expected = normalServer(cluster.server);
  if (!expected)
    throw new ConfigError(`stack "${stack}": agent-trust:cluster.server "${cluster.server}" is not an https URL`);
  if (src.context && cluster.context && src.context !== cluster.context) {
    throw new ConfigError(
      `stack "${stack}": kubernetes:context is "${src.context}" but agent-trust:cluster.context is "${cluster.context}"; set one of them`,
    );
  }
  const fail = (why: string) =>
    new ConfigError(`stack "${stack}" deploys to ${cluster.server} (agent-trust:cluster.server), but ${why}`);
  const { merged, source, inline } = load(src);
  const named = src.context ?? cluster.context;
  const context = named ?? merged.current;
  if (!context)
    throw fail(
      `the kubeconfig from ${source} has no current-context; set agent-trust:cluster.context or kubernetes:context`,
    );
  const ctx = merged.contexts.get(context);
  if (!ctx) {
    const known = [...merged.contexts.keys()];
    throw fail(
      `the kubeconfig from ${source} has no context "${context}"${named ? "" : " (its current-context)"}; contexts there: ${known.length ? known.join(", ") : "none"}`,
    );
  }
  const clusterName = (ctx.value.context as Named | undefined)?.cluster;
  if (typeof clusterName !== "string" || clusterName === "")
    throw fail(`context "${context}" in ${ctx.file ?? source} names no cluster`);
  const entry = merged.clusters.get(clusterName);
  const server = (entry?.value.cluster as Named | undefined)?.server;
  if (typeof server !== "string" || server === "")
    throw fail(
      `context "${context}" uses cluster "${clusterName}", which has no server in the kubeconfig from ${source}`,
    );
  if (normalServer(server) !== expected) {
    throw fail(
      `the kubeconfig from ${source} selects context "${context}", whose cluster "${clusterName}" is ${server}; point KUBECONFIG (or kubernetes:kubeconfig / kubernetes:context) at the cluster this stack names`,
    );
  }
  const kubeconfig =
    inline !== undefined
      ? { contents: inline }
      : merged.files.length === 1
        ? { path: merged.files[0]! }
        : { contents: mergedContents(merged, context) };
  return { kubeconfig, context, server, source };
}
/** The `kubernetes:` provider settings the program applies to its explicit provider; every other key is refused. */
export interface KubernetesProviderConfig {
  /** A kubeconfig file path or a kubeconfig's contents, as the Kubernetes provider accepts it. */
  readonly kubeconfig?: string;
  readonly context?: string;
}

export const KUBERNETES_PROVIDER_KEYS = ["kubeconfig", "context"] as const;

/**
 * Reads `kubernetes:kubeconfig` and `kubernetes:context` from a stack's raw config. The program creates its own
 * provider, to which the engine applies no `kubernetes:` config by itself: any other `kubernetes:` key would be
 * ignored in silence, so it is refused.
 */
export function kubernetesProviderConfig(raw: Record<string, unknown>, source: string): KubernetesProviderConfig {
  const out: { kubeconfig?: string; context?: string } = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!key.startsWith("kubernetes:")) continue;
    const name = key.slice("kubernetes:".length);
    if (!(KUBERNETES_PROVIDER_KEYS as readonly string[]).includes(name)) {
      problems.push(
        `${key}: the program's Kubernetes provider reads only ${KUBERNETES_PROVIDER_KEYS.map((k) => `kubernetes:${k}`).join(" and ")}; this key would be ignored`,
      );
    } else if (typeof value !== "string" || value.trim() === "") {
      problems.push(`${key}: must be a non-empty string`);
    } else out[name as "kubeconfig" | "context"] = value;
  }
  if (problems.length) throw new ConfigError(`invalid config in ${source}:\n  ${problems.join("\n  ")}`);
  return out;
}

/** The cluster a foundation exports, read back in a phase stack; a clear error when it is missing or malformed. */
export function parseClusterOutput(value: unknown, foundation: string): ClusterConfig {
  if (value === undefined || value === null) {
    throw new ConfigError(
      `foundation stack "${foundation}" has no output "cluster"; run \`pulumi up\` on the foundation first`,
    );
  }
  const r = clusterSchema.safeParse(value);
  if (!r.success) {
    const why = r.error.issues
      .map((i) => `${[`${CONFIG_NAMESPACE}:cluster`, ...i.path.map(String)].join(".")}: ${i.message}`)
      .join("; ");
    throw new ConfigError(
      `foundation stack "${foundation}" exports an invalid "cluster" output (${why}); run \`pulumi up\` on the foundation again`,
    );
  }
  return r.data;
}
