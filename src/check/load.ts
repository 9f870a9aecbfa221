/**
 * Reading the checker's input: multi-document YAML (Kubernetes objects and `agent-trust.io/v1` Vault documents)
 * and `.hcl` Vault policy files, directories recursively. Anything unreadable is an error, never a silent skip.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { VAULT_API_VERSION, type Manifest } from "../plan/manifest";
import { parseVaultPolicy } from "../rules/hcl";
import { isObj } from "../rules/paths";

/** One object and where it came from. */
export interface Loaded {
  readonly object: Manifest;
  readonly file: string;
  /** 1-based position of the YAML document in its file (HCL files have one). */
  readonly document: number;
}

export interface LoadResult {
  readonly objects: Loaded[];
  readonly errors: string[];
}

const YAML_EXT = [".yaml", ".yml", ".json"];
const HCL_EXT = ".hcl";

/** Files under a directory that the checker reads, sorted so output is stable. Hidden entries are skipped. */
function walkDir(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith("."))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return walkDir(p);
      const ext = path.extname(e.name).toLowerCase();
      return YAML_EXT.includes(ext) || ext === HCL_EXT ? [p] : [];
    });
}

function loadHcl(file: string, text: string): LoadResult {
  try {
    parseVaultPolicy(text);
  } catch (e) {
    return { objects: [], errors: [`${file}: not a valid Vault policy: ${(e as Error).message}`] };
  }
  const name = path.basename(file, path.extname(file));
  const object: Manifest = { apiVersion: VAULT_API_VERSION, kind: "VaultPolicy", metadata: { name }, spec: { name, policy: text } };
  return { objects: [{ object, file, document: 1 }], errors: [] };
}

function toManifests(value: unknown, where: string): { objects: Manifest[]; errors: string[] } {
  if (!isObj(value)) return { objects: [], errors: [`${where}: is not a mapping with apiVersion and kind`] };
  if (typeof value["kind"] !== "string" || typeof value["apiVersion"] !== "string") {
    return { objects: [], errors: [`${where}: has no apiVersion and kind; not a Kubernetes or agent-trust document`] };
  }
  if (value["kind"] === "List" || value["kind"].endsWith("List")) {
    if (Array.isArray(value["items"])) {
      const parts = value["items"].map((item, i) => toManifests(item, `${where} items[${i}]`));
      return { objects: parts.flatMap((p) => p.objects), errors: parts.flatMap((p) => p.errors) };
    }
  }
  const metadata = isObj(value["metadata"]) ? value["metadata"] : {};
  return { objects: [{ ...value, metadata } as unknown as Manifest], errors: [] };
}

function loadYaml(file: string, text: string): LoadResult {
  const objects: Loaded[] = [];
  const errors: string[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${file} document ${i + 1}`;
    if ("errors" in doc && doc.errors.length > 0) {
      errors.push(`${where}: ${doc.errors[0]!.message.split("\n")[0]}`);
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const r = toManifests(value, where);
    errors.push(...r.errors);
    objects.push(...r.objects.map((object) => ({ object, file, document: i + 1 })));
  });
  return { objects, errors };
}

export function loadFile(file: string): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return { objects: [], errors: [`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`] };
  }
  return path.extname(file).toLowerCase() === HCL_EXT ? loadHcl(file, text) : loadYaml(file, text);
}

/** Loads files and directories (recursively); a path that does not exist is an error. */
export function loadPaths(paths: readonly string[]): LoadResult {
  const objects: Loaded[] = [];
  const errors: string[] = [];
  for (const p of paths) {
    let files: string[];
    try {
      files = fs.statSync(p).isDirectory() ? walkDir(p) : [p];
    } catch (e) {
      errors.push(`${p}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      continue;
    }
    if (files.length === 0) errors.push(`${p}: contains no .yaml, .yml, .json or .hcl files`);
    for (const f of files) {
      const r = loadFile(f);
      objects.push(...r.objects);
      errors.push(...r.errors);
    }
  }
  return { objects, errors };
}
