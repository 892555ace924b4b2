/**
 * Build folders: a compiled network on disk (cores.bin, chip.yaml, …) plus manifest.json, which
 * lists every file with its sha256 and byte length. Written all at once: the files go into a
 * temporary folder beside the destination, which is then renamed into place, so a reader sees
 * the old build or the new one, never a mix, and a failure leaves nothing half-written.
 * An existing destination is replaced only if it is an lmuc build (its manifest.json names an
 * "lmuc-build/…" format) or an empty folder; anything else is refused (LMU5005).
 */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { diag, DiagnosticError } from "../../diagnostics/diagnostic.js";
import { assertParentIsFolder } from "../../io/write.js";
import { VERSION } from "../../version.js";

export const BUILD_FORMAT = "lmuc-build/1";
export const MANIFEST = "manifest.json";
/** Largest manifest.json read (a real one is a few KiB; its host_only list grows with the network). */
export const MAX_MANIFEST_BYTES = 16 * 1024 ** 2;
/**
 * Largest build file read. Text files must also fit one JavaScript string (~512 MiB); cores.bin of
 * a full Loihi 1 board is well under this.
 */
export const MAX_BUILD_FILE_BYTES = 256 * 1024 ** 2;

export interface ManifestEntry {
  readonly sha256: string;
  readonly bytes: number;
}

export interface BuildManifest {
  readonly format: string;
  /** lmuc version that wrote the build. */
  readonly lmuc: string;
  readonly files: Readonly<Record<string, ManifestEntry>>;
  readonly [extra: string]: unknown;
}

const RESERVED = new Set(["format", "lmuc", "files"]);
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/**
 * A file's content: bytes, or text as one string or as pieces in order (UTF-8). Pieces are hashed
 * and written one by one: psMNIST's 24 MB chip.yaml joined and then encoded was two more copies
 * of it in fresh memory.
 */
export type FileContent = string | readonly string[] | Uint8Array;

const piecesOf = (c: Exclude<FileContent, Uint8Array>): readonly string[] => (typeof c === "string" ? [c] : c);

function digest(c: FileContent): ManifestEntry {
  const h = createHash("sha256");
  let bytes = 0;
  if (c instanceof Uint8Array) {
    h.update(c);
    bytes = c.length;
  } else {
    for (const piece of piecesOf(c)) {
      h.update(piece, "utf8");
      bytes += Buffer.byteLength(piece, "utf8");
    }
  }
  return { sha256: h.digest("hex"), bytes };
}

function writeSynced(path: string, content: FileContent): void {
  const fd = openSync(path, "wx");
  try {
    if (content instanceof Uint8Array) {
      let off = 0;
      while (off < content.length) off += writeSync(fd, content, off, content.length - off);
    } else {
      for (const piece of piecesOf(content)) {
        const data = Buffer.from(piece, "utf8");
        let off = 0;
        while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      }
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDir(path: string): void {
  try {
    const fd = openSync(path, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported on every platform; the rename is still atomic */
  }
}

/** Why `dir` may not be replaced, or undefined if it may (absent, empty, or an lmuc build). */
function replaceRefusal(dir: string): string | undefined {
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined; // creating it will fail or succeed on its own
    throw e;
  }
  if (!st.isDirectory()) return `'${dir}' exists and is not a folder`;
  if (readdirSync(dir).length === 0) return undefined;
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8"));
  } catch {
    return `'${dir}' exists and is not an lmuc build folder (no readable ${MANIFEST}); lmuc replaces only its own build folders`;
  }
  const format = (manifest as { format?: unknown } | null)?.format;
  if (typeof format !== "string" || !format.startsWith("lmuc-build/")) {
    return `'${dir}' has a ${MANIFEST} that lmuc did not write (format ${JSON.stringify(format)}); lmuc replaces only its own build folders`;
  }
  return undefined;
}

/**
 * Writes `files` and manifest.json as the build folder `dir`, atomically. File names must be plain
 * (no folders). `manifestExtra` is merged into the manifest (it may not set format, lmuc or files).
 * Returns the manifest written.
 */
export function writeBuildFolder(dir: string, files: Record<string, FileContent>, manifestExtra: object = {}): BuildManifest {
  const names = Object.keys(files).sort();
  for (const name of names) {
    if (!SAFE_NAME.test(name) || name === MANIFEST) throw new RangeError(`writeBuildFolder: '${name}' is not an allowed build file name`);
  }
  for (const k of Object.keys(manifestExtra)) if (RESERVED.has(k)) throw new RangeError(`writeBuildFolder: manifestExtra may not set '${k}'`);

  const target = resolve(dir);
  assertParentIsFolder(dir);
  let refusal: string | undefined;
  try {
    refusal = replaceRefusal(target);
  } catch (e) {
    throw new DiagnosticError([diag("LMU8003", `cannot write build folder '${dir}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)]);
  }
  if (refusal) throw new DiagnosticError([diag("LMU5005", refusal)]);

  const entries: Record<string, ManifestEntry> = {};
  for (const name of names) entries[name] = digest(files[name]);
  const manifest: BuildManifest = { format: BUILD_FORMAT, lmuc: VERSION, ...manifestExtra, files: entries };

  const parent = dirname(target);
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  const old = join(parent, `.${basename(target)}.old-${tag}`);
  let movedOld = false;
  try {
    mkdirSync(parent, { recursive: true });
    mkdirSync(tmp);
    for (const name of names) writeSynced(join(tmp, name), files[name]);
    writeSynced(join(tmp, MANIFEST), Buffer.from(JSON.stringify(manifest, null, 2) + "\n", "utf8"));
    syncDir(tmp);
    // Check again right before replacing: the folder may have changed since the first check.
    const late = replaceRefusal(target);
    if (late) throw new DiagnosticError([diag("LMU5005", late)]);
    try {
      renameSync(target, old);
      movedOld = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    renameSync(tmp, target);
    syncDir(parent);
  } catch (e) {
    if (movedOld) {
      try {
        renameSync(old, target);
        movedOld = false;
      } catch {
        /* keep the old build where it is; reported below */
      }
    }
    try {
      rmSync(tmp, { recursive: true, force: true });
    } catch {
      /* nothing was created (e.g. the parent is not a folder) */
    }
    if (e instanceof DiagnosticError) throw e;
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const kept = movedOld ? ` (the previous build is kept as '${old}')` : "";
    throw new DiagnosticError([diag("LMU8003", `cannot write build folder '${dir}': ${reason}${kept}`)]);
  }
  if (movedOld) {
    try {
      rmSync(old, { recursive: true, force: true });
    } catch {
      /* the new build is in place; a leftover hidden .old folder is harmless */
    }
  }
  return manifest;
}

function damaged(message: string): DiagnosticError {
  return new DiagnosticError([diag("LMU5003", message)]);
}

function refused(message: string): DiagnosticError {
  return new DiagnosticError([diag("LMU5008", message)]);
}

/**
 * Size of the regular file at `path`, or why it may not be read: checked with stat before reading,
 * so /dev/zero, a FIFO or a huge file is refused at once instead of read whole (symlinks are followed:
 * a link to a regular file of the right size and hash is as good as the file).
 */
function readableSize(path: string, limit: number): { size: number } | { missing: true } | { refusal: string } {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? { missing: true } : { refusal: `cannot read '${path}' (${code ?? (e as Error).message})` };
  }
  if (!st.isFile()) return { refusal: `'${path}' is not a regular file (${st.isDirectory() ? "a folder" : "a device, pipe or socket"}); build files are regular files` };
  if (st.size > limit) return { refusal: `'${path}' has ${st.size} bytes, more than a build file may have (${limit}); it was not read` };
  return { size: st.size };
}

/**
 * Reads a build folder and checks every file against the manifest (size and sha256).
 * Missing folder or manifest, unknown format → LMU5002; missing, truncated or modified files →
 * LMU5003; a `required` file the manifest does not list → LMU5007; a file that is not regular or
 * is over the size cap → LMU5008, before it is read.
 */
export function readBuildFolder(dir: string, required: readonly string[] = []): { manifest: BuildManifest; files: Record<string, Buffer> } {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new DiagnosticError([diag("LMU5002", `build folder '${dir}' does not exist`)]);
  }
  if (!st.isDirectory()) throw new DiagnosticError([diag("LMU5002", `'${dir}' is not a folder; expected an lmuc build folder`)]);
  const manifestSize = readableSize(join(dir, MANIFEST), MAX_MANIFEST_BYTES);
  if ("refusal" in manifestSize) throw refused(manifestSize.refusal);
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST), "utf8");
  } catch {
    throw new DiagnosticError([diag("LMU5002", `'${dir}' is not an lmuc build folder: ${MANIFEST} is missing`)]);
  }
  let manifest: BuildManifest;
  try {
    manifest = JSON.parse(text) as BuildManifest;
  } catch {
    throw damaged(`'${join(dir, MANIFEST)}' is not valid JSON (damaged or edited)`);
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) throw damaged(`'${join(dir, MANIFEST)}' is not a manifest object`);
  if (manifest.format !== BUILD_FORMAT) {
    const known = typeof manifest.format === "string" && manifest.format.startsWith("lmuc-build/");
    throw new DiagnosticError([
      diag("LMU5002", `'${dir}' has build format ${JSON.stringify(manifest.format)}; this lmuc (${VERSION}) reads ${BUILD_FORMAT}`, undefined, {
        hint: known ? "recompile the network with this version of lmuc" : "this is not an lmuc build folder; compile the network to create one",
      }),
    ]);
  }
  const entries = manifest.files;
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) throw damaged(`'${join(dir, MANIFEST)}' has no file list`);
  const unlisted = required.filter((name) => !Object.hasOwn(entries, name));
  if (unlisted.length > 0) {
    throw new DiagnosticError([diag("LMU5007", `'${dir}' is incomplete: ${MANIFEST} does not list ${unlisted.join(", ")} (a build has ${required.join(", ")})`)]);
  }
  const problems: string[] = [];
  const refusals: string[] = [];
  const files: Record<string, Buffer> = {};
  for (const name of Object.keys(entries).sort()) {
    const e = entries[name];
    const path = join(dir, name);
    if (!SAFE_NAME.test(name) || typeof e !== "object" || e === null || typeof e.sha256 !== "string" || !Number.isSafeInteger(e.bytes) || e.bytes < 0) {
      problems.push(`'${join(dir, MANIFEST)}' has an invalid entry for '${name}'`);
      continue;
    }
    const size = readableSize(path, MAX_BUILD_FILE_BYTES);
    if ("missing" in size) {
      problems.push(`'${path}' is missing (listed in ${MANIFEST})`);
      continue;
    }
    if ("refusal" in size) {
      refusals.push(size.refusal);
      continue;
    }
    // Sizes are compared before reading: a file that grew is not read at all.
    if (size.size !== e.bytes) {
      problems.push(size.size < e.bytes ? `'${path}' is truncated: ${size.size} of ${e.bytes} bytes` : `'${path}' has ${size.size} bytes; the manifest says ${e.bytes}`);
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      problems.push(`'${path}' cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      continue;
    }
    if (bytes.length !== e.bytes) {
      problems.push(`'${path}' changed while it was read (${bytes.length} bytes; the manifest says ${e.bytes})`);
      continue;
    }
    if (sha256(bytes) !== e.sha256) {
      problems.push(`'${path}' was modified after the build (sha256 differs from ${MANIFEST})`);
      continue;
    }
    files[name] = bytes;
  }
  if (problems.length + refusals.length > 0) throw new DiagnosticError([...refusals.map((m) => diag("LMU5008", m)), ...problems.map((m) => diag("LMU5003", m))]);
  return { manifest, files };
}
