/**
 * Which files the checker reads, the way `kubectl apply -R -f` picks them, and reading them without ever
 * blocking. kubectl walks directories recursively, hidden files and folders included, and reads the files whose
 * name ends in .json, .yaml or .yml (we also read .hcl, our Vault policy files, and match extensions in any
 * case); a path named explicitly is read whatever its name. Differences, all towards reading more:
 * - a symbolic link to a file is read (as kubectl does); a symbolic link to a directory is followed too (kubectl
 *   does not descend into it, other tools do), each real directory once, so loops end;
 * - a dangling symbolic link with a readable extension is an error (kubectl fails on it too);
 * - FIFOs, sockets and devices are never opened: one with a readable extension (or named explicitly) is an
 *   error, since kubectl would read it; others are ignored like any file kubectl ignores;
 * - files are opened non-blocking and checked to be regular files before reading, so a file swapped for a FIFO
 *   after the walk cannot hang the checker either. Files of any size are read, in pieces (`readInPieces`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { TextDecoder } from "node:util";

export const READ_EXTENSIONS = [".yaml", ".yml", ".json", ".hcl"] as const;

export interface Walked {
  readonly files: string[];
  readonly errors: string[];
}

const reads = (name: string) => (READ_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase());

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** What a non-regular, non-directory entry is, for messages. */
export function specialKind(st: fs.Stats): string | undefined {
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  return st.isFile() || st.isDirectory() ? undefined : "not a regular file";
}

function walkDir(dir: string, seen: Set<string>, out: Walked): void {
  let real: string;
  let entries: fs.Dirent[];
  try {
    real = fs.realpathSync(dir);
    if (seen.has(real)) return; // a link back into a directory already read
    seen.add(real);
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    out.errors.push(`${dir}: cannot read directory: ${code(e)}`);
    return;
  }
  // Byte order, like Go's filepath.Walk, so the output does not depend on the locale.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    let st: fs.Stats;
    try {
      st = e.isSymbolicLink() ? fs.statSync(p) : fs.lstatSync(p);
    } catch (err) {
      if (reads(e.name))
        out.errors.push(`${p}: cannot read: ${code(err)}${e.isSymbolicLink() ? " (dangling symbolic link)" : ""}`);
      continue;
    }
    if (st.isDirectory()) walkDir(p, seen, out);
    else if (!reads(e.name)) continue;
    else if (st.isFile()) out.files.push(p);
    else out.errors.push(`${p}: is ${specialKind(st)}; only regular files are read (it was not opened)`);
  }
}

/** The files to read under the given paths, and why any path cannot be read. */
export function walkPaths(paths: readonly string[]): Walked {
  const out: Walked = { files: [], errors: [] };
  const seen = new Set<string>();
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      out.errors.push(`${p}: cannot read: ${code(e)}`);
      continue;
    }
    const before = out.files.length + out.errors.length;
    if (st.isDirectory()) {
      walkDir(p, seen, out);
      if (out.files.length + out.errors.length === before)
        out.errors.push(`${p}: contains no .yaml, .yml, .json or .hcl files`);
    } else if (st.isFile()) out.files.push(p);
    else out.errors.push(`${p}: is ${specialKind(st)}; only regular files are read (it was not opened)`);
  }
  return out;
}

/** A regular file's text, opened without blocking and checked after opening; a reason string when it cannot be. */
export function readRegularFile(file: string): { text: string } | { error: string } {
  const pieces: string[] = [];
  const error = readInPieces(file, (t) => pieces.push(t));
  return error === undefined ? { text: pieces.join("") } : { error };
}

/** How much of a file is read at a time. */
export const PIECE_BYTES = 1024 * 1024;

/**
 * Reads a regular file (opened without blocking, checked after opening) in pieces of about PIECE_BYTES, decoded as
 * `decodeText` decodes the whole (a leading byte order mark dropped), handing each piece's text to `onText`, so
 * memory does not grow with the file. Returns why it cannot be read, or undefined.
 */
export function readInPieces(file: string, onText: (text: string) => void): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return `${file}: is ${specialKind(st)}; only regular files are read`;
    const buf = Buffer.allocUnsafe(PIECE_BYTES);
    // UTF-16 (after its mark) through TextDecoder; UTF-8 through StringDecoder, faster, its own mark dropped here.
    let decode: ((bytes: Buffer) => string) | undefined;
    let end = (): string => "";
    for (;;) {
      const n = fs.readSync(fd, buf, 0, PIECE_BYTES, null);
      if (n === 0) break;
      let bytes = buf.subarray(0, n);
      if (!decode) {
        const utf16 = n >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
        if (utf16) {
          const d = new TextDecoder(bytes[0] === 0xff ? "utf-16le" : "utf-16be", { ignoreBOM: true });
          [decode, end] = [(b) => d.decode(b, { stream: true }), () => d.decode()];
          bytes = bytes.subarray(2);
        } else {
          const d = new StringDecoder("utf8");
          [decode, end] = [(b) => d.write(b), () => d.end()];
          if (n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
        }
      }
      const text = decode(bytes);
      if (text !== "") onText(text);
    }
    const rest = end();
    if (rest !== "") onText(rest);
    return undefined;
  } catch (e) {
    return `${file}: cannot read: ${code(e)}`;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A file's text as kubectl decodes it (cli-runtime's FileVisitor reads every file through a BOM override): a
 * UTF-16 byte order mark selects UTF-16 (little or big endian), anything else is UTF-8 (its own mark, if any,
 * is dropped). Bytes that are not valid in the encoding become U+FFFD, as in Go.
 */
export function decodeText(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder("utf-16le", { ignoreBOM: true }).decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder("utf-16be", { ignoreBOM: true }).decode(bytes.subarray(2));
  return new TextDecoder("utf-8").decode(bytes);
}
