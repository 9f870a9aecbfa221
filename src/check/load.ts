/**
 * Reading the checker's input as kubectl reads it: YAML and JSON streams (see `yaml.ts` for how scalars, merge
 * keys, duplicate keys and aliases are resolved), Lists expanded, and `.hcl` Vault policy files; directories as
 * `kubectl apply -R` walks them (see `walk.ts`). Anything unreadable is an error naming the file, never a silent
 * skip, and never stops the other files from being read. Each file is parsed exactly once.
 */
import * as path from "node:path";
import { VAULT_API_VERSION, type Manifest } from "../model/manifest";
import { parseVaultPolicy } from "../rules/hcl";
import { isObj } from "../rules/paths";
import { markWithoutUnknown } from "../rules/unknowns";
import { ManifestStream } from "../yaml/stream";
import { readInPieces, readRegularFile, walkPaths } from "./walk";
import type { DocumentResult, Json } from "../yaml/yaml";

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

const HCL_EXT = ".hcl";

function loadHcl(file: string, text: string): LoadResult {
  try {
    parseVaultPolicy(text);
  } catch (e) {
    return { objects: [], errors: [`${file}: not a valid Vault policy: ${(e as Error).message}`] };
  }
  const name = path.basename(file, path.extname(file));
  const object: Manifest = {
    apiVersion: VAULT_API_VERSION,
    kind: "VaultPolicy",
    metadata: { name },
    spec: { name, policy: text },
  };
  return { objects: [{ object, file, document: 1 }], errors: [] };
}

/**
 * The objects one document stands for, added to `into` as document `document` of `file`. kubectl (unstructured
 * decoding) treats a document with an `items` key as a list, whatever its kind, and applies each item; an item
 * that has neither kind nor apiVersion takes the list's kind without its `List` suffix and the list's apiVersion
 * (a typed list: a RoleList's items are Roles), as UnstructuredList decoding sets them. Items that are lists
 * again are expanded too (cli-runtime's FlattenListVisitor), without that filling in, and there only an `items`
 * that is a sequence makes a list. `items` names the item being read, for messages.
 */
function addManifests(value: Json, file: string, document: number, into: LoadResult, items = ""): void {
  const where = () => `${file} document ${document}${items}`;
  if (!isObj(value)) return void into.errors.push(`${where()}: is not a mapping with apiVersion and kind`);
  const list = value.items;
  if ("items" in value && (items === "" || Array.isArray(list))) {
    if (list === null) return;
    if (!Array.isArray(list)) return void into.errors.push(`${where()}: items is not a list; kubectl cannot read it`);
    const typed =
      items === ""
        ? { kind: nonEmpty(value.kind).replace(/List$/, ""), apiVersion: nonEmpty(value.apiVersion) }
        : undefined;
    list.forEach((item, i) => {
      const filled =
        typed && isObj(item) && nonEmpty(item.kind) === "" && nonEmpty(item.apiVersion) === ""
          ? { ...item, ...typed }
          : item;
      addManifests(filled, file, document, into, `${items} items[${i}]`);
    });
    return;
  }
  if (
    typeof value.kind !== "string" ||
    typeof value.apiVersion !== "string" ||
    value.kind === "" ||
    value.apiVersion === ""
  ) {
    return void into.errors.push(`${where()}: has no apiVersion and kind; not a Kubernetes or agent-trust document`);
  }
  // Rules read metadata as a mapping: one that is absent or not a mapping is read as empty (a copy, not the input).
  const object = isObj(value.metadata) ? value : { ...value, metadata: {} };
  into.objects.push({ object: object as unknown as Manifest, file, document });
}

/** A string field as unstructured's GetKind/GetAPIVersion read it: "" unless a string. */
const nonEmpty = (v: Json | undefined): string => (typeof v === "string" ? v : "");

/** The objects of one parsed document, numbered `document` (1-based) in its file. */
export function loadDocument(file: string, doc: DocumentResult, document: number, into: LoadResult): void {
  if ("error" in doc) into.errors.push(`${file} document ${document}: cannot be parsed: ${doc.error}`);
  else if (doc.value !== null) addManifests(doc.value, file, document, into); // an empty document is skipped, as kubectl does
}

/**
 * Whether a text can hold the UNKNOWN sentinel at all: only if it spells `<unknown`, or has an escape or a tag
 * (`!!binary` decodes base64) that could produce it; line folding only adds spaces, so the rest of the sentinel
 * stays contiguous. The objects of any other text are marked as holding none, which spares every rule its
 * search for unknown values.
 */
export const mayHoldUnknown = (text: string): boolean =>
  text.includes("<unknown") || text.includes("\\") || text.includes("!");

/**
 * Reads a YAML or JSON stream as kubectl does (`stream.ts`), handing each object to `onObject` as soon as its
 * document is read, so a large file is never held as objects all at once. `clean`: the document's text cannot
 * hold the UNKNOWN sentinel (`mayHoldUnknown`), so neither can the object.
 */
function manifestStream(file: string, onObject: (l: Loaded, clean: boolean) => void, errors: string[]): ManifestStream {
  const into: LoadResult = { objects: [], errors };
  return new ManifestStream(file, {
    document(n, value, text) {
      loadDocument(file, { value }, n, into);
      if (into.objects.length === 0) return;
      const clean = !mayHoldUnknown(text);
      for (const l of into.objects) onObject(l, clean);
      into.objects.length = 0;
    },
    error: (message) => void errors.push(message),
  });
}

/** Reads a YAML or JSON stream's text (see `manifestStream`); returns the errors. */
export function streamYaml(file: string, text: string, onObject: (l: Loaded, clean: boolean) => void): string[] {
  const errors: string[] = [];
  const s = manifestStream(file, onObject, errors);
  s.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // a file's own byte order mark, as decodeText drops it
  s.end();
  return errors;
}

export function loadYaml(file: string, text: string): LoadResult {
  const objects: Loaded[] = [];
  const errors = streamYaml(file, text, (l, clean) => {
    if (clean) markWithoutUnknown(l.object);
    objects.push(l);
  });
  return { objects, errors };
}

/** Reads one file (YAML, JSON or HCL), handing each object to `onObject`; returns the errors. */
export function streamFile(file: string, onObject: (l: Loaded, clean: boolean) => void): string[] {
  if (path.extname(file).toLowerCase() !== HCL_EXT) {
    const errors: string[] = [];
    const s = manifestStream(file, onObject, errors);
    const unreadable = readInPieces(file, (t) => {
      s.push(t);
    });
    if (unreadable !== undefined) return [...errors, unreadable];
    s.end();
    return errors;
  }
  const read = readRegularFile(file);
  if ("error" in read) return [read.error];
  const hcl = loadHcl(file, read.text);
  for (const l of hcl.objects) onObject(l, false);
  return hcl.errors;
}

export function loadFile(file: string): LoadResult {
  const objects: Loaded[] = [];
  const errors = streamFile(file, (l, clean) => {
    if (clean) markWithoutUnknown(l.object);
    objects.push(l);
  });
  return { objects, errors };
}

/** Loads files and directories (recursively); a path that does not exist is an error. */
export function loadPaths(paths: readonly string[]): LoadResult {
  const walked = walkPaths(paths);
  const objects: Loaded[] = [];
  const errors: string[] = [...walked.errors];
  for (const f of walked.files) {
    const r = loadFile(f);
    objects.push(...r.objects);
    errors.push(...r.errors);
  }
  return { objects, errors };
}
