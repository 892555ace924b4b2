/**
 * The dense-row addition q[t0 + i] += w[i] for i < len, as a WebAssembly SIMD kernel (f64x2.add,
 * two doubles per instruction, four vectors per iteration). It is about 5× faster than the same
 * loop in JavaScript, which V8 does not vectorize. The engine no longer calls it row by row: the
 * delivery kernel (deliver.ts) runs the same loop for float64 rows inside one call per step; this
 * module keeps the memory limits and the SIMD availability check both use.
 *
 * The module is hand-assembled below (no toolchain, no dependency); this is its text form:
 *
 *   (module
 *     (import "env" "memory" (memory 1))
 *     ;; q and w are byte addresses of float64 arrays, n an element count ≥ 0
 *     (func (export "addF64") (param $q i32) (param $w i32) (param $n i32)
 *       (block $b8 (loop $l8                                   ;; 8 doubles per iteration
 *         (br_if $b8 (i32.lt_s (local.get $n) (i32.const 8)))
 *         (v128.store offset=0  (local.get $q) (f64x2.add (v128.load offset=0  (local.get $q)) (v128.load offset=0  (local.get $w))))
 *         (v128.store offset=16 (local.get $q) (f64x2.add (v128.load offset=16 (local.get $q)) (v128.load offset=16 (local.get $w))))
 *         (v128.store offset=32 (local.get $q) (f64x2.add (v128.load offset=32 (local.get $q)) (v128.load offset=32 (local.get $w))))
 *         (v128.store offset=48 (local.get $q) (f64x2.add (v128.load offset=48 (local.get $q)) (v128.load offset=48 (local.get $w))))
 *         (local.set $q (i32.add (local.get $q) (i32.const 64)))
 *         (local.set $w (i32.add (local.get $w) (i32.const 64)))
 *         (local.set $n (i32.sub (local.get $n) (i32.const 8)))
 *         (br $l8)))
 *       (block $b2 (loop $l2                                   ;; then 2 at a time
 *         (br_if $b2 (i32.lt_s (local.get $n) (i32.const 2)))
 *         (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (v128.load (local.get $w))))
 *         (local.set $q (i32.add (local.get $q) (i32.const 16)))
 *         (local.set $w (i32.add (local.get $w) (i32.const 16)))
 *         (local.set $n (i32.sub (local.get $n) (i32.const 2)))
 *         (br $l2)))
 *       (if (i32.gt_s (local.get $n) (i32.const 0))              ;; and the odd one
 *         (then (f64.store (local.get $q) (f64.add (f64.load (local.get $q)) (f64.load (local.get $w))))))))
 *
 * f64x2.add is IEEE double addition lane by lane, the same operation as `+=` on a Float64Array,
 * so the kernel and the JavaScript loop give bit-identical sums (the sums are exact integers
 * anyway). Addresses need no alignment. Node ≥ 16.4 has SIMD enabled; where WebAssembly is
 * missing or disabled (`--jitless`), `loadRowAdd` returns null and the caller uses JavaScript.
 */
import { nameBytes, section, sleb, uleb, vector } from "../math/wasm-asm.js";

// Opcodes used (WebAssembly core spec §5.4; SIMD opcodes follow the 0xfd prefix as LEB128).
const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, VOID = 0x40;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, I32_CONST = 0x41;
const I32_GT_S = 0x4a, I32_LT_S = 0x48, I32_ADD = 0x6a, I32_SUB = 0x6b;
const F64_LOAD = 0x2b, F64_STORE = 0x39, F64_ADD = 0xa0;
const SIMD = 0xfd, V128_LOAD = 0x00, V128_STORE = 0x0b, F64X2_ADD = [0xf0, 0x01];
const I32 = 0x7f, FUNC = 0x60, MEMORY = 0x02, EXPORT_FUNC = 0x00;
// Parameters.
const Q = 0, W = 1, N = 2;

/** Memory immediate: log2 alignment hint, byte offset. */
const memarg = (align: number, offset: number): number[] => [align, ...uleb(offset)];
/** local ← local + d for a parameter (q, w or n) and a constant d (a negative d subtracts |d|). */
const bump = (local: number, d: number): number[] => [LOCAL_GET, local, I32_CONST, ...sleb(Math.abs(d)), d >= 0 ? I32_ADD : I32_SUB, LOCAL_SET, local];
/** v128 at q + off ← (v128 at q + off) + (v128 at w + off), as f64x2. */
const vecAdd = (off: number): number[] => [
  LOCAL_GET, Q,
  LOCAL_GET, Q, SIMD, V128_LOAD, ...memarg(4, off),
  LOCAL_GET, W, SIMD, V128_LOAD, ...memarg(4, off),
  SIMD, ...F64X2_ADD,
  SIMD, V128_STORE, ...memarg(4, off),
];
/** block { loop { if n < step: break; body; q += 8·step; w += 8·step; n −= step; continue } } */
const strided = (step: number, body: number[]): number[] => [
  BLOCK, VOID, LOOP, VOID,
  LOCAL_GET, N, I32_CONST, ...sleb(step), I32_LT_S, BR_IF, 1,
  ...body,
  ...bump(Q, 8 * step), ...bump(W, 8 * step), ...bump(N, -step),
  BR, 0,
  END, END,
];

function moduleBytes(): Uint8Array {
  const code = [
    ...strided(8, [...vecAdd(0), ...vecAdd(16), ...vecAdd(32), ...vecAdd(48)]),
    ...strided(2, vecAdd(0)),
    LOCAL_GET, N, I32_CONST, ...sleb(0), I32_GT_S, IF, VOID,
    LOCAL_GET, Q, LOCAL_GET, Q, F64_LOAD, ...memarg(3, 0), LOCAL_GET, W, F64_LOAD, ...memarg(3, 0), F64_ADD, F64_STORE, ...memarg(3, 0),
    END,
    END,
  ];
  const body = [0x00 /* no locals beyond the parameters */, ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vector([[FUNC, 3, I32, I32, I32, 0]])), // type 0: (i32, i32, i32) → ()
    ...section(2, vector([[...nameBytes("env"), ...nameBytes("memory"), MEMORY, 0x00, 0x01]])), // memory, min 1 page
    ...section(3, vector([[0]])), // function 0 has type 0
    ...section(7, vector([[...nameBytes("addF64"), EXPORT_FUNC, 0]])),
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}

/**
 * The part of the WebAssembly JS API used here. The project's TypeScript libs (ES2022 + Node)
 * do not declare the WebAssembly namespace, so it is typed locally rather than globally.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

/** A WebAssembly.Memory: `buffer` is replaced if the memory grows (this code never grows it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, once per process; null if this runtime cannot compile it. */
function rowAddModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasmApi !== undefined ? new wasmApi.Module(moduleBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Whether this runtime can run the kernel (WebAssembly with SIMD). */
export function rowAddAvailable(): boolean {
  return rowAddModule() !== null;
}

/** q[q/8 + i] += w[w/8 + i] for i < n, on float64 arrays at byte addresses q and w of the memory. */
export type RowAdd = (qByte: number, wByte: number, n: number) => void;

/** Bytes per WebAssembly page. */
export const WASM_PAGE = 65536;
/** The largest memory this module may ask for: 2^31 bytes keeps every byte address a positive i32. */
export const WASM_MAX_BYTES = 2 ** 31;

/**
 * A fresh memory of at least `bytes` bytes with the kernel bound to it, or null when WebAssembly
 * is unavailable or the size exceeds WASM_MAX_BYTES (the caller then uses plain arrays).
 */
export function loadRowAdd(bytes: number): { memory: WasmMemory; addF64: RowAdd } | null {
  if (bytes > WASM_MAX_BYTES || wasmApi === undefined) return null;
  const mod = rowAddModule();
  if (mod === null) return null;
  try {
    const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / WASM_PAGE)) });
    const instance = new wasmApi.Instance(mod, { env: { memory } });
    return { memory, addF64: instance.exports.addF64 as RowAdd };
  } catch {
    return null;
  }
}
