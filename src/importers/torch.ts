/**
 * `torch.save` files (PyTorch ≥ 1.6 zip format) read without Python: the zip is opened with
 * fflate, `data.pkl` runs through the data-only pickle interpreter with an allow-list of the
 * globals a state dict needs, and each tensor is gathered from its raw storage (`data/N`)
 * through its offset and strides into a row-major Float64Array. Every problem is a
 * DiagnosticError naming the file, the zip entry and, inside the pickle, the byte offset.
 */
import { readFileSync } from "node:fs";
import { unzipSync } from "fflate";
import type { DiagnosticCode } from "../diagnostics/codes.js";
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import { describeValue, PickleError, PyGlobal, PyOpaque, PyTuple, unpickle, type PyValue } from "./pickle.js";

export type TorchDtype = "float32" | "float64" | "float16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

export interface TorchTensor {
  readonly key: string;
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  /** Row-major (C order) values; int64 beyond ±2^53 rounds as numpy's astype(float64) does. */
  readonly data: Float64Array;
}

export interface TorchStateDict {
  readonly file: string;
  /** In the file's order. */
  readonly tensors: ReadonlyMap<string, TorchTensor>;
  /** What was skipped and why (complex buffers), for the user. */
  readonly notes: readonly string[];
}

interface StorageType {
  readonly dtype: TorchDtype | "complex64" | "complex128";
  readonly itemBytes: number;
}

const STORAGES: Record<string, StorageType> = {
  FloatStorage: { dtype: "float32", itemBytes: 4 },
  DoubleStorage: { dtype: "float64", itemBytes: 8 },
  HalfStorage: { dtype: "float16", itemBytes: 2 },
  LongStorage: { dtype: "int64", itemBytes: 8 },
  IntStorage: { dtype: "int32", itemBytes: 4 },
  ShortStorage: { dtype: "int16", itemBytes: 2 },
  CharStorage: { dtype: "int8", itemBytes: 1 },
  ByteStorage: { dtype: "uint8", itemBytes: 1 },
  BoolStorage: { dtype: "bool", itemBytes: 1 },
  ComplexFloatStorage: { dtype: "complex64", itemBytes: 8 },
  ComplexDoubleStorage: { dtype: "complex128", itemBytes: 16 },
};

const ALLOWED = new Set<string>([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  ...Object.keys(STORAGES).map((s) => `torch.${s}`),
]);

interface StorageRef {
  readonly type: StorageType;
  readonly entry: string;
  readonly numel: number;
}

interface TensorRef {
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: number[];
  readonly strides: number[];
}

function fail(code: DiagnosticCode, message: string): never {
  throw new DiagnosticError([diag(code, message)]);
}

export function readTorchFile(path: string): TorchStateDict {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail("LMU8001", `cannot read '${path}'${code === "ENOENT" ? ": no such file" : code === "EISDIR" ? ": it is a folder" : ` (${code ?? (e as Error).message})`}`);
  }
  return readTorchBytes(bytes, path);
}

function openZip(bytes: Uint8Array, file: string): Record<string, Uint8Array> {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip) {
    // Legacy torch.save (before 1.6) starts with a pickled magic number: protocol opcode 0x80.
    if (bytes.length > 0 && bytes[0] === 0x80) fail("LMU7001", `${file}: a legacy (pre-1.6, non-zip) torch.save file; lmuc reads only the zip format`);
    fail("LMU7001", `${file}: not a zip archive (a torch.save file starts with 'PK\\x03\\x04')`);
  }
  try {
    return unzipSync(bytes);
  } catch (e) {
    return fail("LMU7001", `${file}: the zip archive is damaged or truncated (${(e as Error).message}); ${bytes.length} bytes read`);
  }
}

export function readTorchBytes(bytes: Uint8Array, file: string): TorchStateDict {
  const entries = openZip(bytes, file);
  const names = Object.keys(entries);
  const pkl = names.find((n) => /^[^/]+\/data\.pkl$/.test(n)) ?? names.find((n) => n === "data.pkl");
  if (pkl === undefined) fail("LMU7001", `${file}: the archive holds no data.pkl (entries: ${names.slice(0, 6).join(", ")}${names.length > 6 ? ", …" : ""}); not a torch.save file`);
  const prefix = pkl.slice(0, pkl.length - "data.pkl".length);
  const orderEntry = entries[`${prefix}byteorder`];
  const order = orderEntry ? new TextDecoder().decode(orderEntry).trim() : "little";
  if (order !== "little" && order !== "big") fail("LMU7001", `${file}: entry ${prefix}byteorder says '${order}', expected 'little' or 'big'`);
  const littleEndian = order === "little";

  const tensorRefs: [string, TensorRef][] = [];
  const where = (offset: number): string => `${file}: entry ${pkl}, byte ${offset}`;
  let root: PyValue;
  try {
    root = unpickle(entries[pkl], {
      allowedGlobals: ALLOWED,
      persistentLoad: (pid, offset) => new PyOpaque(storageRef(pid, prefix, where(offset))),
      reduce: (fn, args, offset) => rebuild(fn, args, where(offset)),
      build: (obj, _state, offset) => {
        // OrderedDict state dicts carry `_metadata` (module versions) as BUILD state: not needed.
        if (obj instanceof Map) return obj;
        return fail("LMU7002", `${where(offset)}: BUILD on ${describeValue(obj)} (only a state dict's metadata is accepted)`);
      },
    });
  } catch (e) {
    if (e instanceof PickleError) fail("LMU7002", `${where(e.offset)}: ${e.message}`);
    throw e;
  }
  if (!(root instanceof Map)) fail("LMU7010", `${file}: the pickle holds ${describeValue(root)}, not a state dict; save model.state_dict()`);
  for (const [k, v] of root) {
    if (typeof k !== "string") fail("LMU7010", `${file}: a state-dict key is ${describeValue(k)}, not a string`);
    if (v instanceof PyOpaque && isTensorRef(v.value)) tensorRefs.push([k, v.value]);
    else fail("LMU7010", `${file}: state-dict entry '${k}' is ${describeValue(v)}, not a tensor`);
  }
  const tensors = new Map<string, TorchTensor>();
  const notes: string[] = [];
  for (const [key, ref] of tensorRefs) {
    const dtype = ref.storage.type.dtype;
    if (dtype === "complex64" || dtype === "complex128") {
      notes.push(`skipped '${key}': a ${dtype} buffer [${ref.shape.join(", ")}] (derived data such as LMUFFT's fft_H; lmuc does not need it)`);
      continue;
    }
    tensors.set(key, { key, dtype, shape: ref.shape, data: gather(ref, entries, key, file, littleEndian) });
  }
  return { file, tensors, notes };
}

function isTensorRef(x: unknown): x is TensorRef {
  return typeof x === "object" && x !== null && "storage" in x && "strides" in x;
}

function intList(v: PyValue, what: string, at: string): number[] {
  if (!(v instanceof PyTuple) || !v.items.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0)) {
    return fail("LMU7002", `${at}: ${what} is ${describeValue(v)}, expected a tuple of non-negative integers`);
  }
  return v.items as number[];
}

/** ('storage', torch.XStorage, key, location, numel) → a reference to zip entry data/<key>. */
function storageRef(pid: PyValue, prefix: string, at: string): StorageRef {
  const items = pid instanceof PyTuple ? pid.items : [];
  const [tag, type, key, , numel] = items;
  if (items.length !== 5 || tag !== "storage" || !(type instanceof PyGlobal) || typeof key !== "string" || typeof numel !== "number") {
    return fail("LMU7002", `${at}: persistent id ${describeValue(pid)} is not a PyTorch storage reference ('storage', type, key, location, numel)`);
  }
  const st = STORAGES[type.name];
  if (!st) return fail("LMU7003", `${at}: storage type ${type.qualified} is not supported`);
  return { type: st, entry: `${prefix}data/${key}`, numel };
}

function rebuild(fn: PyGlobal, args: PyValue[], at: string): PyValue {
  switch (fn.qualified) {
    case "collections.OrderedDict":
      if (args.length !== 0) return fail("LMU7002", `${at}: OrderedDict called with ${args.length} arguments (a state dict is built empty, then filled)`);
      return new Map();
    case "torch._utils._rebuild_parameter": {
      const t = args[0];
      if (!(t instanceof PyOpaque)) return fail("LMU7002", `${at}: _rebuild_parameter of ${describeValue(t ?? null)}, not a tensor`);
      return t;
    }
    case "torch._utils._rebuild_tensor_v2": {
      const [storage, offset] = args;
      if (!(storage instanceof PyOpaque) || typeof offset !== "number" || args.length < 4) {
        return fail("LMU7002", `${at}: _rebuild_tensor_v2 expects (storage, offset, size, stride, …), got ${args.map(describeValue).join(", ")}`);
      }
      const shape = intList(args[2], "the tensor size", at);
      const strides = intList(args[3], "the tensor stride", at);
      if (shape.length !== strides.length) return fail("LMU7002", `${at}: size has ${shape.length} dimensions but stride ${strides.length}`);
      const ref: TensorRef = { storage: storage.value as StorageRef, offset, shape, strides };
      const last = shape.some((s) => s === 0) ? offset : offset + shape.reduce((a, s, i) => a + (s - 1) * strides[i], 0);
      if (last >= ref.storage.numel && !shape.some((s) => s === 0)) {
        return fail("LMU7003", `${at}: the tensor view (offset ${offset}, size [${shape.join(", ")}], stride [${strides.join(", ")}]) reaches element ${last} of a storage of ${ref.storage.numel}`);
      }
      return new PyOpaque(ref);
    }
    default:
      return fail("LMU7002", `${at}: calling ${fn.qualified} is not allowed`);
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function elementReader(dtype: TorchDtype, view: DataView, le: boolean): (byteOffset: number) => number {
  switch (dtype) {
    case "float32": return (o) => view.getFloat32(o, le);
    case "float64": return (o) => view.getFloat64(o, le);
    case "float16": return (o) => halfToFloat(view.getUint16(o, le));
    case "int64": return (o) => Number(view.getBigInt64(o, le));
    case "int32": return (o) => view.getInt32(o, le);
    case "int16": return (o) => view.getInt16(o, le);
    case "int8": return (o) => view.getInt8(o);
    case "uint8": return (o) => view.getUint8(o);
    case "bool": return (o) => (view.getUint8(o) !== 0 ? 1 : 0);
  }
}

/** The view's elements in row-major order, from its storage's bytes. */
function gather(ref: TensorRef, entries: Record<string, Uint8Array>, key: string, file: string, le: boolean): Float64Array {
  const bytes = entries[ref.storage.entry];
  const { itemBytes } = ref.storage.type;
  if (bytes === undefined) fail("LMU7001", `${file}: tensor '${key}' refers to entry ${ref.storage.entry}, which the archive does not hold`);
  if (bytes.length < ref.storage.numel * itemBytes) {
    fail("LMU7001", `${file}: entry ${ref.storage.entry} (tensor '${key}') has ${bytes.length} bytes, its storage needs ${ref.storage.numel * itemBytes}; the file is truncated`);
  }
  const read = elementReader(ref.storage.type.dtype as TorchDtype, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), le);
  const n = ref.shape.reduce((a, s) => a * s, 1);
  const out = new Float64Array(n);
  const rank = ref.shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = ref.offset;
  for (let i = 0; i < n; i++) {
    out[i] = read(at * itemBytes);
    // Odometer over the shape: advance the last axis, carrying into earlier ones.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      at += ref.strides[d];
      if (index[d] < ref.shape[d]) break;
      at -= ref.strides[d] * ref.shape[d];
      index[d] = 0;
    }
  }
  return out;
}
