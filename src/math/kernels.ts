/**
 * WebAssembly SIMD kernels for the dense linear algebra (blas.ts drives them): two f64x2 lanes
 * per instruction and a 4×4 block of the result held in registers. Each kernel keeps, for every
 * output element, exactly the sequence of IEEE operations of the JavaScript loop it replaces
 * (no fused multiply-add, no reassociation): lanes run different elements, never different
 * terms of one sum. So results are bit-identical to the plain loops, which remain the fallback
 * where WebAssembly is missing (`--jitless`).
 *
 * Panels: a "column panel" of a matrix is 4 adjacent columns stored row after row (element
 * (r, c) at r·4 + c, 32 bytes per row). The kernels walk a C block of 4 rows and `np` panels of
 * 4 columns, the C rows `ldc` bytes apart.
 */
import { F64, I32, V128, bump, moduleBytes, op, whileNot, type WasmFunction } from "./wasm-asm.js";

// Parameters and locals of the panel kernels.
const C = 0, LDC = 1, A = 2, B = 3, KC = 4, NP = 5;
const C1 = 6, C2 = 7, C3 = 8, AP = 9, BP = 10, P = 11;
const ACC = 12; // 8 v128 accumulators: row r, half h at ACC + 2r + h
const AV = 20, B0 = 21, B1 = 22;
const rowPtr = [C, C1, C2, C3];

const loadAccumulators = (): number[] =>
  [0, 1, 2, 3].flatMap((r) => [0, 1].flatMap((h) => [...op.get(rowPtr[r]), ...op.vLoad(16 * h), ...op.set(ACC + 2 * r + h)]));
const storeAccumulators = (): number[] =>
  [0, 1, 2, 3].flatMap((r) => [0, 1].flatMap((h) => [...op.get(rowPtr[r]), ...op.get(ACC + 2 * r + h), ...op.vStore(16 * h)]));
/** acc ← acc + x (x's bytes leave one v128 on the stack). */
const accumulate = (acc: number, x: number[]): number[] => [...op.get(acc), ...x, ...op.f64x2Add, ...op.set(acc)];

/** Outer loop over `np` panels around an inner loop over the packed depth (shared by both kernels). */
function panelLoop(inner: number[]): number[] {
  return [
    ...op.get(C), ...op.get(LDC), ...op.i32Add, ...op.set(C1),
    ...op.get(C1), ...op.get(LDC), ...op.i32Add, ...op.set(C2),
    ...op.get(C2), ...op.get(LDC), ...op.i32Add, ...op.set(C3),
    ...whileNot([...op.get(NP), ...op.i32Eqz], [
      ...loadAccumulators(),
      ...op.get(A), ...op.set(AP), ...op.get(B), ...op.set(BP), ...op.get(KC), ...op.set(P),
      ...inner,
      ...storeAccumulators(),
      ...bump(C, 32), ...bump(C1, 32), ...bump(C2, 32), ...bump(C3, 32),
      ...op.get(BP), ...op.set(B), ...bump(NP, -1),
    ]),
  ];
}

/**
 * gemm: C[r][j] ← C[r][j] + a_p·b_p for p = 0..kc−1 in order. A is a column panel of Aᵀ (the 4
 * rows' values at depth p at a + 32p), B consecutive column panels of kc rows each.
 */
const gemmPanel: WasmFunction = {
  name: "gemmPanel",
  params: [I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, I32, I32, ...Array<number>(8).fill(V128), V128, V128, V128],
  body: panelLoop(
    whileNot([...op.get(P), ...op.i32Eqz], [
      ...op.get(BP), ...op.vLoad(0), ...op.set(B0),
      ...op.get(BP), ...op.vLoad(16), ...op.set(B1),
      ...[0, 1, 2, 3].flatMap((r) => [
        ...op.get(AP), ...op.vSplatLoad(8 * r), ...op.set(AV),
        ...accumulate(ACC + 2 * r, [...op.get(AV), ...op.get(B0), ...op.f64x2Mul]),
        ...accumulate(ACC + 2 * r + 1, [...op.get(AV), ...op.get(B1), ...op.f64x2Mul]),
      ]),
      ...bump(AP, 32), ...bump(BP, 32), ...bump(P, -1),
    ]),
  ),
};

// axpy parameters: y, x (byte addresses), alpha, n; local: alpha in both lanes.
const Y = 0, X = 1, ALPHA = 2, N = 3, ALPHA2 = 4;
/** y[i] ← y[i] + alpha·x[i] for i < n. */
const axpy: WasmFunction = {
  name: "axpy",
  params: [I32, I32, F64, I32],
  locals: [V128],
  body: [
    ...op.get(ALPHA), ...op.f64x2Splat, ...op.set(ALPHA2),
    ...whileNot([...op.get(N), ...op.i32(4), ...op.i32LtS], [
      ...[0, 16].flatMap((off) => [...op.get(Y), ...op.get(Y), ...op.vLoad(off), ...op.get(ALPHA2), ...op.get(X), ...op.vLoad(off), ...op.f64x2Mul, ...op.f64x2Add, ...op.vStore(off)]),
      ...bump(Y, 32), ...bump(X, 32), ...bump(N, -4),
    ]),
    ...whileNot([...op.get(N), ...op.i32Eqz], [
      ...op.get(Y), ...op.get(Y), ...op.f64Load(0), ...op.get(ALPHA), ...op.get(X), ...op.f64Load(0), ...op.f64Mul, ...op.f64Add, ...op.f64Store(0),
      ...bump(Y, 8), ...bump(X, 8), ...bump(N, -1),
    ]),
  ],
};

// sinPowChains: parameters (byte addresses of count doubles each, then count, k0, m) and locals.
const SI = 0, SSP = 1, SC = 2, SQ = 3, SS = 4, SW = 5, SCOUNT = 6, SK0 = 7, SM = 8;
const SK = 9, KV = 10, KM1V = 11, IV = 12, SPV = 16, WV = 20;
const splatOf = (k: number[]): number[] => [...k, ...op.f64ConvertI32S, ...op.f64x2Splat];
/**
 * The recurrences of samplers.ts's sinPowIntegral and powInt for 8 points at a time (4 vectors,
 * whose division chains overlap), count % 8 = 0: for k = k0, k0+2, …, m:
 * i ← (−sp·c + (k−1)·i) / k, sp ← sp·q, w ← (w·s)·s — the JavaScript expressions' operations.
 */
const sinPowChains: WasmFunction = {
  name: "sinPowChains",
  params: [I32, I32, I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, V128, V128, ...Array<number>(12).fill(V128)],
  body: whileNot([...op.get(SCOUNT), ...op.i32Eqz], [
    ...[0, 1, 2, 3].flatMap((v) => [
      ...op.get(SI), ...op.vLoad(16 * v), ...op.set(IV + v),
      ...op.get(SSP), ...op.vLoad(16 * v), ...op.set(SPV + v),
      ...op.get(SW), ...op.vLoad(16 * v), ...op.set(WV + v),
    ]),
    ...op.get(SK0), ...op.set(SK),
    ...whileNot([...op.get(SM), ...op.get(SK), ...op.i32LtS], [
      ...splatOf(op.get(SK)), ...op.set(KV),
      ...splatOf([...op.get(SK), ...op.i32(1), ...op.i32Sub]), ...op.set(KM1V),
      ...[0, 1, 2, 3].flatMap((v) => [
        ...op.get(SPV + v), ...op.get(SC), ...op.vLoad(16 * v), ...op.f64x2Mul, ...op.f64x2Neg,
        ...op.get(KM1V), ...op.get(IV + v), ...op.f64x2Mul, ...op.f64x2Add,
        ...op.get(KV), ...op.f64x2Div, ...op.set(IV + v),
        ...op.get(SPV + v), ...op.get(SQ), ...op.vLoad(16 * v), ...op.f64x2Mul, ...op.set(SPV + v),
        ...op.get(WV + v), ...op.get(SS), ...op.vLoad(16 * v), ...op.f64x2Mul, ...op.get(SS), ...op.vLoad(16 * v), ...op.f64x2Mul, ...op.set(WV + v),
      ]),
      ...bump(SK, 2),
    ]),
    ...[0, 1, 2, 3].flatMap((v) => [
      ...op.get(SI), ...op.get(IV + v), ...op.vStore(16 * v),
      ...op.get(SW), ...op.get(WV + v), ...op.vStore(16 * v),
    ]),
    ...[SI, SSP, SC, SQ, SS, SW].flatMap((ptr) => bump(ptr, 64)),
    ...bump(SCOUNT, -8),
  ]),
};

// matVecPanels: parameters (y, panels, x byte addresses; cols; number of 8-row panels), locals.
const MY = 0, MP = 1, MX = 2, MCOLS = 3, MNB = 4, MJ = 5, MXP = 6, MACC = 7, MXS = 11;
/**
 * y[i] = 0 + m_i0·x_0 + m_i1·x_1 + … in column order, 8 rows per panel (4 vectors); a panel holds
 * its rows' values column after column (64 bytes per column), panels back to back.
 */
const matVecPanels: WasmFunction = {
  name: "matVecPanels",
  params: [I32, I32, I32, I32, I32],
  locals: [I32, I32, V128, V128, V128, V128, V128],
  body: whileNot([...op.get(MNB), ...op.i32Eqz], [
    ...[0, 1, 2, 3].flatMap((v) => [...splatOf(op.i32(0)), ...op.set(MACC + v)]),
    ...op.get(MX), ...op.set(MXP), ...op.get(MCOLS), ...op.set(MJ),
    ...whileNot([...op.get(MJ), ...op.i32Eqz], [
      ...op.get(MXP), ...op.vSplatLoad(0), ...op.set(MXS),
      ...[0, 1, 2, 3].flatMap((v) => accumulate(MACC + v, [...op.get(MP), ...op.vLoad(16 * v), ...op.get(MXS), ...op.f64x2Mul])),
      ...bump(MP, 64), ...bump(MXP, 8), ...bump(MJ, -1),
    ]),
    ...[0, 1, 2, 3].flatMap((v) => [...op.get(MY), ...op.get(MACC + v), ...op.vStore(16 * v)]),
    ...bump(MY, 64), ...bump(MNB, -1),
  ]),
};

// Kernels on 16-column panels (sparse.ts): a panel holds 16 adjacent columns row after row, 128
// bytes per row; panels `stride` bytes apart.

// sparseRowPanels: parameters (c, values, offsets, count, b, panel stride, panels), locals.
const SC_ = 0, SVAL = 1, SOFF = 2, SCNT = 3, SB = 4, SSTRIDE = 5, SNP = 6;
const SVP = 7, SOP = 8, SK_ = 9, SROW = 10, SACC = 11, SV = 15;
/**
 * A sparse row times 16-column panels: for each of `np` panels the 16 sums c[j] ← c[j] +
 * v_k·b[off_k][j] over the list k = 0..count−1 in order (values as doubles, offsets as i32 byte
 * offsets of the row in a panel), 8 columns at a time in 4 v128 registers (16 at a time spilled
 * registers in V8's code and ran at half the speed). Every c[j] is one sequential sum.
 */
const sparseRowPanels: WasmFunction = {
  name: "sparseRowPanels",
  params: [I32, I32, I32, I32, I32, I32, I32],
  locals: [I32, I32, I32, I32, V128, V128, V128, V128, V128],
  body: whileNot([...op.get(SNP), ...op.i32Eqz], [
    ...[0, 64].flatMap((half) => [
      ...[0, 1, 2, 3].flatMap((k) => [...op.get(SC_), ...op.vLoad(half + 16 * k), ...op.set(SACC + k)]),
      ...op.get(SVAL), ...op.set(SVP), ...op.get(SOFF), ...op.set(SOP), ...op.get(SCNT), ...op.set(SK_),
      ...whileNot([...op.get(SK_), ...op.i32Eqz], [
        ...op.get(SB), ...op.get(SOP), ...op.i32Load(0), ...op.i32Add, ...op.set(SROW),
        ...op.get(SVP), ...op.vSplatLoad(0), ...op.set(SV),
        ...[0, 1, 2, 3].flatMap((k) => accumulate(SACC + k, [...op.get(SV), ...op.get(SROW), ...op.vLoad(half + 16 * k), ...op.f64x2Mul])),
        ...bump(SVP, 8), ...bump(SOP, 4), ...bump(SK_, -1),
      ]),
      ...[0, 1, 2, 3].flatMap((k) => [...op.get(SC_), ...op.get(SACC + k), ...op.vStore(half + 16 * k)]),
    ]),
    ...bump(SC_, 128), ...op.get(SB), ...op.get(SSTRIDE), ...op.i32Add, ...op.set(SB), ...bump(SNP, -1),
  ]),
};

// gemmPanels16: gemmPanel's parameters plus the panel stride (bytes); the same locals.
const STRIDE16 = 6;
/**
 * gemmPanel on 16-column panels: C[r][j] ← C[r][j] + a_p·b_p for p = 0..kc−1 in order, for 4 rows
 * of C (ldc bytes apart) and np panels of 16 columns, in 4×4 blocks. A: the 4 rows' values at
 * depth p at a + 128p (4 columns of a 16-column panel), B at b + 128p.
 */
const gemmPanels16: WasmFunction = {
  name: "gemmPanels16",
  params: [...gemmPanel.params, I32],
  locals: gemmPanel.locals.map((t, i) => (i === 0 ? I32 : t)),
  body: [
    ...op.get(C), ...op.get(LDC), ...op.i32Add, ...op.set(C1 + 1),
    ...op.get(C1 + 1), ...op.get(LDC), ...op.i32Add, ...op.set(C2 + 1),
    ...op.get(C2 + 1), ...op.get(LDC), ...op.i32Add, ...op.set(C3 + 1),
    ...whileNot([...op.get(NP), ...op.i32Eqz], [0, 1, 2, 3].flatMap((sub) => {
      const rows = [C, C1 + 1, C2 + 1, C3 + 1];
      const at = (r: number, h: number): number[] => [...op.get(rows[r]), ...op.vLoad(32 * sub + 16 * h)];
      return [
        ...[0, 1, 2, 3].flatMap((r) => [0, 1].flatMap((h) => [...at(r, h), ...op.set(ACC + 1 + 2 * r + h)])),
        ...op.get(A), ...op.set(AP + 1), ...op.get(B), ...op.i32(32 * sub), ...op.i32Add, ...op.set(BP + 1), ...op.get(KC), ...op.set(P + 1),
        ...whileNot([...op.get(P + 1), ...op.i32Eqz], [
          ...op.get(BP + 1), ...op.vLoad(0), ...op.set(B0 + 1),
          ...op.get(BP + 1), ...op.vLoad(16), ...op.set(B1 + 1),
          ...[0, 1, 2, 3].flatMap((r) => [
            ...op.get(AP + 1), ...op.vSplatLoad(8 * r), ...op.set(AV + 1),
            ...accumulate(ACC + 1 + 2 * r, [...op.get(AV + 1), ...op.get(B0 + 1), ...op.f64x2Mul]),
            ...accumulate(ACC + 1 + 2 * r + 1, [...op.get(AV + 1), ...op.get(B1 + 1), ...op.f64x2Mul]),
          ]),
          ...bump(AP + 1, 128), ...bump(BP + 1, 128), ...bump(P + 1, -1),
        ]),
        ...[0, 1, 2, 3].flatMap((r) => [0, 1].flatMap((h) => [...op.get(rows[r]), ...op.get(ACC + 1 + 2 * r + h), ...op.vStore(32 * sub + 16 * h)])),
        ...(sub === 3 ? [...bump(C, 128), ...bump(C1 + 1, 128), ...bump(C2 + 1, 128), ...bump(C3 + 1, 128), ...op.get(B), ...op.get(STRIDE16), ...op.i32Add, ...op.set(B), ...bump(NP, -1)] : []),
      ];
    })),
  ],
};

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer; grow(pages: number): number };
}

export type PanelKernel = (c: number, ldcBytes: number, a: number, b: number, kc: number, np: number) => void;
export type Axpy = (y: number, x: number, alpha: number, n: number) => void;
export type MatVecPanels = (y: number, panels: number, x: number, cols: number, nPanels: number) => void;
export type GemmPanels16 = (c: number, ldcBytes: number, a: number, b: number, kc: number, np: number, strideBytes: number) => void;
export type SparseRowPanels = (c: number, values: number, offsets: number, count: number, b: number, strideBytes: number, np: number) => void;
export type SinPowChains = (i: number, sp: number, c: number, q: number, s: number, w: number, count: number, k0: number, m: number) => void;

export interface Kernels {
  readonly gemmPanel: PanelKernel;
  readonly axpy: Axpy;
  readonly sinPowChains: SinPowChains;
  readonly matVecPanels: MatVecPanels;
  readonly sparseRowPanels: SparseRowPanels;
  readonly gemmPanels16: GemmPanels16;
  /** The memory as doubles, valid until the next `reserve` (growing replaces the buffer). */
  f64(): Float64Array;
  /** Makes at least `bytes` bytes addressable (from address 0). */
  reserve(bytes: number): void;
}

const PAGE = 65536;
/** 2^31 bytes keeps every byte address a positive i32. */
export const KERNEL_MAX_BYTES = 2 ** 31 - PAGE;

let loaded: Kernels | null | undefined;
let disabled = false;
let compiled: object | null | undefined;

/**
 * Runs f with the kernels switched off, so every routine takes its plain JavaScript loop: the
 * baseline of bench/linalg.ts and the reference the tests compare the kernels with, bit for bit.
 */
export function withoutKernels<T>(f: () => T): T {
  const was = disabled;
  disabled = true;
  try {
    return f();
  } finally {
    disabled = was;
  }
}

function wasmApi(): WasmApi | undefined {
  return process.env.LMUC_NO_WASM === "1" ? undefined : (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

const FUNCTIONS = [gemmPanel, axpy, sinPowChains, matVecPanels, sparseRowPanels, gemmPanels16];
const MAX_PAGES = KERNEL_MAX_BYTES / PAGE;
let compiledShared: object | null | undefined;

/**
 * The compiled module, once per process (thread); null without WebAssembly SIMD. `shared`: the
 * variant importing a shared memory, which a second thread can work in too (parallel.ts).
 */
function compiledModule(shared = false): object | null {
  if ((shared ? compiledShared : compiled) === undefined) {
    const api = wasmApi();
    let mod: object | null;
    try {
      mod = api === undefined ? null : new api.Module(moduleBytes(FUNCTIONS, shared ? MAX_PAGES : undefined));
    } catch {
      mod = null;
    }
    if (shared) compiledShared = mod;
    else compiled = mod;
  }
  return (shared ? compiledShared : compiled) ?? null;
}

type Memory = InstanceType<WasmApi["Memory"]>;

function instantiate(api: WasmApi, mod: object, memory: Memory): Kernels {
  const e = new api.Instance(mod, { env: { memory } }).exports;
  let view = new Float64Array(memory.buffer);
  return {
    gemmPanel: e.gemmPanel as PanelKernel,
    axpy: e.axpy as Axpy,
    sinPowChains: e.sinPowChains as SinPowChains,
    matVecPanels: e.matVecPanels as MatVecPanels,
    sparseRowPanels: e.sparseRowPanels as SparseRowPanels,
    gemmPanels16: e.gemmPanels16 as GemmPanels16,
    // A shared memory's buffer object is replaced when it grows (an unshared one is detached).
    f64: () => (view.byteLength === memory.buffer.byteLength ? view : (view = new Float64Array(memory.buffer))),
    reserve(n: number): void {
      if (n > KERNEL_MAX_BYTES) throw new RangeError(`dense kernel workspace of ${n} bytes exceeds ${KERNEL_MAX_BYTES}`);
      const have = memory.buffer.byteLength;
      if (n > have) memory.grow(Math.ceil((n - have) / PAGE));
    },
  };
}

/**
 * A new instance with its own memory of `bytes` (growable), for a caller that keeps data in it
 * (the float simulator's encoders); null without WebAssembly or when switched off.
 */
export function privateKernels(bytes: number): Kernels | null {
  if (disabled) return null;
  const api = wasmApi();
  const mod = compiledModule();
  if (api === undefined || mod === null || bytes > KERNEL_MAX_BYTES) return null;
  try {
    return instantiate(api, mod, new api.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)), maximum: MAX_PAGES }));
  } catch {
    return null;
  }
}

/** The scratch memory and its module when the memory is shared (a helper thread may join in). */
let scratchShared: { readonly module: object; readonly memory: object } | null = null;

/**
 * The shared scratch kernels (callers lay out their data from address 0 for one call). Its memory
 * is a shared one where threads are available, so parallel.ts can hand part of a product to a
 * second thread in the same (already touched) memory.
 */
export function kernels(): Kernels | null {
  if (disabled) return null;
  if (loaded === undefined) {
    const api = wasmApi();
    const mod = compiledModule(true);
    if (api !== undefined && mod !== null) {
      try {
        const memory = new (api.Memory as new (d: object) => Memory)({ initial: 16, maximum: MAX_PAGES, shared: true });
        loaded = instantiate(api, mod, memory);
        scratchShared = { module: mod, memory };
      } catch {
        loaded = undefined;
      }
    }
    if (loaded === undefined) loaded = privateKernels(16 * PAGE);
  }
  return loaded;
}

/** The scratch kernels' module and shared memory, or null (no threads: unshared memory). */
export function sharedScratch(): { readonly module: object; readonly memory: object } | null {
  return kernels() === null ? null : scratchShared;
}
