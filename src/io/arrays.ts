/**
 * Readers for user-supplied numeric arrays (explicit encoders, eval points, gains, inputs, ...):
 * numpy `.npy` files and plain CSV/whitespace text. Both return a shape and row-major (C order)
 * float64 data. Every problem is reported as an ArrayFileError whose message says what is wrong
 * and where, because these files come from users and the fix is on their side.
 */

import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from "node:fs";

export class ArrayFileError extends Error {
  /** 1-based line of a text file, when the problem has one. */
  readonly line?: number;
  /** 1-based character column within that line. */
  readonly column?: number;

  constructor(message: string, where?: { line: number; column?: number }) {
    super(message);
    this.name = "ArrayFileError";
    if (where !== undefined) {
      this.line = where.line;
      if (where.column !== undefined) this.column = where.column;
    }
  }
}

export interface NumericArray {
  shape: number[];
  data: Float64Array;
}

// ---------------------------------------------------------------------------------------------
// .npy (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

interface DtypeReader {
  itemBytes: number;
  read(view: DataView, byteOffset: number): number;
}

/** Little-endian (or byte-order-free) dtypes we accept, keyed by type code without the order char. */
const DTYPES: Record<string, DtypeReader> = {
  f8: { itemBytes: 8, read: (v, o) => v.getFloat64(o, true) },
  f4: { itemBytes: 4, read: (v, o) => v.getFloat32(o, true) },
  // int64 beyond ±2^53 rounds to the nearest double, as numpy's astype(float64) does.
  i8: { itemBytes: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  i4: { itemBytes: 4, read: (v, o) => v.getInt32(o, true) },
  i2: { itemBytes: 2, read: (v, o) => v.getInt16(o, true) },
  i1: { itemBytes: 1, read: (v, o) => v.getInt8(o) },
  u8: { itemBytes: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
  u4: { itemBytes: 4, read: (v, o) => v.getUint32(o, true) },
  u2: { itemBytes: 2, read: (v, o) => v.getUint16(o, true) },
  u1: { itemBytes: 1, read: (v, o) => v.getUint8(o) },
  // numpy stores bools as one byte 0/1; treat any nonzero byte as true like numpy does.
  b1: { itemBytes: 1, read: (v, o) => (v.getUint8(o) !== 0 ? 1 : 0) },
};

const SUPPORTED_DTYPES = "<f8, <f4, <i8, <i4, <i2, |i1, <u8, <u4, <u2, |u1, |b1";

export function readNpy(buf: Buffer): NumericArray {
  if (buf.length < 10 || NPY_MAGIC.some((b, i) => buf[i] !== b)) {
    throw new ArrayFileError("not a .npy file: it does not start with the magic string \\x93NUMPY");
  }
  const major = buf[6];
  const minor = buf[7];
  let headerLen: number, headerStart: number;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new ArrayFileError(`.npy v${major}.${minor} file is truncated inside its preamble`);
    headerLen = buf.readUInt32LE(8);
    headerStart = 12;
  } else {
    throw new ArrayFileError(`unsupported .npy format version ${major}.${minor} (supported: 1.x, 2.x, 3.x)`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > buf.length) {
    throw new ArrayFileError(`.npy header claims ${headerLen} bytes but the file has only ${buf.length - headerStart} after the preamble`);
  }
  // v1/v2 headers are latin-1 (in practice ASCII); v3 allows UTF-8 (only inside field names).
  const headerText = buf.toString(major === 3 ? "utf8" : "latin1", headerStart, dataStart);
  const header = parseNpyHeader(headerText);

  const descr = header.descr;
  const orderChar = descr[0];
  const code = descr.slice(1);
  const reader = DTYPES[code];
  if (!"<>|=".includes(orderChar) || reader === undefined) {
    throw new ArrayFileError(`unsupported .npy dtype '${descr}' (supported: ${SUPPORTED_DTYPES})`);
  }
  if (reader.itemBytes > 1 && orderChar === ">") {
    throw new ArrayFileError(`big-endian .npy dtype '${descr}' is not supported; save it as '<${code}' (e.g. arr.astype('<${code}'))`);
  }
  if (reader.itemBytes > 1 && orderChar === "=") {
    throw new ArrayFileError(`.npy dtype '${descr}' has native byte order, which is ambiguous in a file; save it as '<${code}'`);
  }
  if (header.fortranOrder) {
    throw new ArrayFileError(
      "Fortran-ordered (column-major) .npy arrays are not supported; save np.ascontiguousarray(arr) instead",
    );
  }

  const count = header.shape.reduce((p, s) => p * s, 1);
  const expectedBytes = count * reader.itemBytes;
  const actualBytes = buf.length - dataStart;
  if (actualBytes !== expectedBytes) {
    throw new ArrayFileError(
      `.npy data is ${actualBytes} bytes but shape (${header.shape.join(", ")}) of '${descr}' needs ${expectedBytes}` +
        (actualBytes < expectedBytes ? " (file truncated?)" : ""),
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset + dataStart, actualBytes);
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = reader.read(view, i * reader.itemBytes);
  return { shape: header.shape, data };
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type PyValue = string | number | boolean | null | PyValue[] | Map<string, PyValue>;

/**
 * The header is the repr() of a Python dict with keys descr, fortran_order, shape. We parse the
 * small literal subset numpy writes (strings, ints, True/False/None, tuples, lists, dicts)
 * rather than pattern-matching, so malformed headers fail loudly instead of being misread.
 */
function parseNpyHeader(text: string): NpyHeader {
  let pos = 0;
  const fail = (what: string): never => {
    throw new ArrayFileError(`malformed .npy header (${what} at offset ${pos}): ${JSON.stringify(text.trim())}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const parseValue = (): PyValue => {
    skipSpace();
    const ch = text[pos];
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, pos + 1);
      if (end < 0) fail("unterminated string");
      const s = text.slice(pos + 1, end);
      pos = end + 1;
      return s;
    }
    if (ch === "{") {
      pos++;
      const dict = new Map<string, PyValue>();
      for (;;) {
        skipSpace();
        if (text[pos] === "}") {
          pos++;
          return dict;
        }
        const key = parseValue();
        if (typeof key !== "string") fail("non-string dict key");
        skipSpace();
        if (text[pos] !== ":") fail("expected ':'");
        pos++;
        dict.set(key as string, parseValue());
        skipSpace();
        if (text[pos] === ",") pos++;
        else if (text[pos] !== "}") fail("expected ',' or '}'");
      }
    }
    if (ch === "(" || ch === "[") {
      const close = ch === "(" ? ")" : "]";
      pos++;
      const items: PyValue[] = [];
      for (;;) {
        skipSpace();
        if (text[pos] === close) {
          pos++;
          return items;
        }
        items.push(parseValue());
        skipSpace();
        if (text[pos] === ",") pos++;
        else if (text[pos] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*|^[+-]?\d+[lL]?/.exec(text.slice(pos));
    if (word === null) return fail("unexpected character");
    pos += word[0].length;
    if (word[0] === "True") return true;
    if (word[0] === "False") return false;
    if (word[0] === "None") return null;
    // Python 2 era files wrote shapes like (3L, 4L).
    if (/^[+-]?\d/.test(word[0])) return Number.parseInt(word[0], 10);
    return fail(`unknown name '${word[0]}'`);
  };

  const dict = parseValue();
  skipSpace();
  if (pos !== text.length) fail("trailing characters");
  if (!(dict instanceof Map)) return fail("not a dict");
  const descr = dict.get("descr");
  const fortran = dict.get("fortran_order");
  const shape = dict.get("shape");
  if (Array.isArray(descr)) {
    throw new ArrayFileError("structured (record) .npy dtypes are not supported; save a plain numeric array");
  }
  if (typeof descr !== "string") return fail("missing 'descr'");
  if (typeof fortran !== "boolean") return fail("missing 'fortran_order'");
  if (!Array.isArray(shape) || !shape.every((s) => typeof s === "number" && Number.isSafeInteger(s) && s >= 0)) {
    return fail("'shape' is not a tuple of non-negative integers");
  }
  return { descr, fortranOrder: fortran, shape: shape as number[] };
}

// ---------------------------------------------------------------------------------------------
// CSV / whitespace-separated text

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;

interface Field {
  text: string;
  /** 1-based character column where the field starts (or where an empty field sits). */
  column: number;
}

/**
 * Splits one line (comment already removed): on commas if the line has any, trimming each
 * field, otherwise on runs of whitespace.
 */
function splitFields(content: string): Field[] {
  const fields: Field[] = [];
  if (content.includes(",")) {
    let start = 0;
    for (;;) {
      const end = content.indexOf(",", start);
      const raw = content.slice(start, end < 0 ? content.length : end);
      const lead = raw.length - raw.trimStart().length;
      fields.push({ text: raw.trim(), column: start + lead + 1 });
      if (end < 0) break;
      start = end + 1;
    }
    return fields;
  }
  const re = /\S+/g;
  for (let m = re.exec(content); m !== null; m = re.exec(content)) fields.push({ text: m[0], column: m.index + 1 });
  return fields;
}

type FieldKind = "number" | "non-finite" | "text";

function classify(text: string): FieldKind {
  if (NUMBER_RE.test(text)) return Number.isFinite(Number(text)) ? "number" : "non-finite";
  if (NON_FINITE_RE.test(text)) return "non-finite";
  return "text";
}

/**
 * Reads a 2-D array from text: one row per line, fields separated by commas or whitespace,
 * '#' starting a comment, blank lines ignored, and an optional header on the first row if none
 * of its fields is a number. Result shape is always [rows, cols].
 */
export function readCsv(text: string): NumericArray {
  // A UTF-8 BOM from spreadsheet exports would otherwise make the first field unparseable.
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const values: number[] = [];
  let cols = -1;
  let colsLine = 0;
  let rows = 0;
  let sawContent = false;

  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const hash = lines[li].indexOf("#");
    const content = hash >= 0 ? lines[li].slice(0, hash) : lines[li];
    if (content.trim() === "") continue;
    const fields = splitFields(content);

    const first = !sawContent;
    sawContent = true;
    if (first && fields.every((f) => classify(f.text) === "text")) {
      cols = fields.length;
      colsLine = lineNo;
      continue; // header row
    }

    if (cols < 0) {
      cols = fields.length;
      colsLine = lineNo;
    } else if (fields.length !== cols) {
      throw new ArrayFileError(
        `line ${lineNo} has ${fields.length} columns, expected ${cols} (as on line ${colsLine})`,
        { line: lineNo },
      );
    }
    for (const f of fields) {
      const where = { line: lineNo, column: f.column };
      switch (classify(f.text)) {
        case "number":
          values.push(Number(f.text));
          break;
        case "non-finite":
          throw new ArrayFileError(`line ${lineNo}:${f.column}: non-finite value '${f.text}'`, where);
        default:
          throw new ArrayFileError(
            f.text === "" ? `line ${lineNo}:${f.column}: empty field` : `line ${lineNo}:${f.column}: '${f.text}' is not a number`,
            where,
          );
      }
    }
    rows++;
  }
  return { shape: [rows, Math.max(cols, 0)], data: Float64Array.from(values) };
}

// ---------------------------------------------------------------------------------------------
// Reading a data file with a size cap

/** Data files larger than this are refused: 256 MiB of .npy is 32M doubles, far beyond any input lmuc can use. */
export const DATA_FILE_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Reads a whole regular file of at most `capBytes`. The size is checked on the opened descriptor
 * (so a symlink swapped after the check cannot slip through) and at most capBytes + 1 bytes are
 * read, so a device (/dev/zero), a FIFO or a file that grows while being read never hangs the
 * reader or fills memory. Errors from the file system propagate as NodeJS.ErrnoException.
 */
export function readFileCapped(path: string, capBytes: number = DATA_FILE_MAX_BYTES): Buffer {
  // O_NONBLOCK so that opening a FIFO with no writer does not block before fstat can refuse it.
  const fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error("it is a folder"), { code: "EISDIR" });
    if (!st.isFile()) throw new ArrayFileError("not a regular file (a device, pipe or socket); give a .csv or .npy file");
    if (st.size > capBytes) throw new ArrayFileError(`the file is ${formatBytes(st.size)}, more than the ${formatBytes(capBytes)} lmuc reads from a data file`);
    const buf = Buffer.alloc(Math.min(st.size, capBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > capBytes) throw new ArrayFileError(`the file grew past the ${formatBytes(capBytes)} lmuc reads from a data file while it was read`);
      if (length === buf.length) break;
    }
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : `${n} bytes`;
}
