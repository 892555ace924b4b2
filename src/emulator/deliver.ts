/**
 * The emulator's whole spike delivery in one WebAssembly call per step (hardware-model.md §2.9
 * step 3, §3.5): for every spike source of a list, for every segment (route → axon row) of the
 * source, count the message and the row's synaptic entries on the route and add the row into the
 * dendritic accumulator ring q.
 *
 * Why: a large build delivers ~15k rows of ~50 entries per step. Calling a SIMD row kernel from
 * JavaScript once per row cost a JS → WebAssembly transition per row, and the rows' float64
 * weights (60 MB for psMNIST) streamed from main memory in scattered 400-byte pieces. Here the
 * loop over sources and segments runs inside WebAssembly, each segment is a 32-byte record read in
 * order, and most rows are stored as 8- or 16-bit mantissas with one shift per row (every chip
 * weight is an integer Wgt · 2^(6 + wgtExp)), laid out in the order spikes read them.
 *
 * Exactness: a packed row's weight is mantissa · 2^shift, formed exactly as an i32 (|mantissa ·
 * 2^shift| < 2^31 by construction) and converted exactly to float64; f64x2.add is IEEE double
 * addition lane by lane, as `+=` on a Float64Array. Every term is an integer, so q is the same
 * sum, bit for bit, as the JavaScript loops give (the engine's test compares them on random models).
 *
 * Memory: one WebAssembly memory holds q (byte 0), the float64 dense weights, the packed weights,
 * the segment records, the per-source segment pointers, the per-route counters, the general
 * (target, weight, delay) entries, the two spike buffers and a host-input list.
 *
 * Segment record (8 × i32): route, kind, t0 | begin, wByte | end, length, entries, shift, delay.
 * Kinds: 0 float64 dense row, 1 int8-packed dense row, 2 int16-packed dense row, 3 general row
 * (entries [begin, end) of the entry table), 4 unused axon (a message that adds nothing), 5 and 6
 * int8/int16-packed rows added to the int32 accumulator ring instead of q (i32x4 lanes, no
 * conversion): only rows compartments drive, and only when rows.ts proves no step's sum can
 * leave the i32 range; the compartment update consumes q + accumulator, both exact integers.
 */
import { F64, I32, V128, moduleBytes, op, uleb, type WasmFunction } from "../math/wasm-asm.js";

export const KIND_F64 = 0;
export const KIND_I8 = 1;
export const KIND_I16 = 2;
export const KIND_GENERAL = 3;
export const KIND_NONE = 4;
/** Packed rows into the int32 accumulator ring instead of q (compartment sources, when a bound keeps it exact). */
export const KIND_ACC8 = 5;
export const KIND_ACC16 = 6;
export const SEGMENT_BYTES = 32;
/** The largest shift of a packed row: |mantissa| ≤ 2^15 and 2^15 · 2^15 < 2^31 keeps mantissa · 2^shift an exact i32. */
export const MAX_PACK_SHIFT = 15;

/**
 * How a dense row of integer weights can be packed: KIND_I8 or KIND_I16 with the shift (the
 * weights' common power of two), or KIND_F64 when the mantissas need more than 16 bits.
 */
export function packing(weights: ArrayLike<number>): { kind: number; shift: number } {
  let or = 0;
  for (let i = 0; i < weights.length; i++) or |= weights[i];
  let shift = 0;
  if (or !== 0) while (shift < MAX_PACK_SHIFT && ((or >> shift) & 1) === 0) shift++;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < weights.length; i++) {
    const m = weights[i] / 2 ** shift;
    if (m < lo) lo = m;
    else if (m > hi) hi = m;
  }
  if (lo >= -128 && hi <= 127) return { kind: KIND_I8, shift };
  if (lo >= -32768 && hi <= 32767) return { kind: KIND_I16, shift };
  return { kind: KIND_F64, shift: 0 };
}

// Opcodes beyond wasm-asm's (core spec §5.4; SIMD after the 0xfd prefix as LEB128).
const BLOCK = [0x02, 0x40], LOOP = [0x03, 0x40], IF = [0x04, 0x40], ELSE = [0x05];
const call = (f: number): number[] => [0x10, ...uleb(f)];
const tee = (l: number): number[] => [0x22, ...uleb(l)];
const i32Store = (off: number): number[] => [0x36, 2, ...uleb(off)];
const i32Load8S = [0x2c, 0, 0];
const i32Load16S = [0x2e, 1, 0];
const I32_MUL = [0x6c], I32_SHL = [0x74], I32_GE_U = [0x4f], I32_GE_S = [0x4e], I32_GT_S = [0x4a], I32_EQ = [0x46], I32_NE = [0x47];
const F64_CONVERT_I32_S = [0xb7];
const simd = (code: number, ...imm: number[]): number[] => [0xfd, ...uleb(code), ...imm];
const V_LOAD8X8_S = (off: number): number[] => simd(0x01, 0, ...uleb(off));
const V_LOAD16X4_S = (off: number): number[] => simd(0x03, 0, ...uleb(off));
const I32X4_EXT_LO_I16 = simd(0xa7), I32X4_EXT_HI_I16 = simd(0xa8), I32X4_SHL = simd(0xab);
const F64X2_CONVERT_LO_I32 = simd(0xfe);
/** Lanes 2 and 3 of an i32x4 into lanes 0 and 1. */
const HIGH_PAIR = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
const { get, set, i32 } = op;
const loop = (exitWhen: number[], body: number[]): number[] => [...BLOCK, ...LOOP, ...exitWhen, ...op.brIf(1), ...body, ...op.br(0), ...op.end, ...op.end];
const add = (local: number, d: number): number[] => [...get(local), ...i32(d), ...op.i32Add, ...set(local)];

// Function indices.
const F_ADD_F64 = 0, F_ADD_PACKED8 = 1, F_ADD_PACKED16 = 2, F_GENERAL = 3, F_ADD_ACC8 = 6, F_ADD_ACC16 = 7;

/** q[i] += w[i], float64 weights (params q, w, n). */
function addF64(): WasmFunction {
  const Q = 0, W = 1, N = 2;
  const vec = (off: number): number[] => [...get(Q), ...get(Q), ...op.vLoad(off), ...get(W), ...op.vLoad(off), ...op.f64x2Add, ...op.vStore(off)];
  return {
    name: "addF64",
    params: [I32, I32, I32],
    locals: [],
    body: [
      ...loop([...get(N), ...i32(8), ...op.i32LtS], [...vec(0), ...vec(16), ...vec(32), ...vec(48), ...add(Q, 64), ...add(W, 64), ...add(N, -8)]),
      ...loop([...get(N), ...i32(2), ...op.i32LtS], [...vec(0), ...add(Q, 16), ...add(W, 16), ...add(N, -2)]),
      ...get(N), ...i32(0), ...I32_GT_S, ...IF,
      ...get(Q), ...get(Q), ...op.f64Load(0), ...get(W), ...op.f64Load(0), ...op.f64Add, ...op.f64Store(0),
      ...op.end,
    ],
  };
}

/**
 * q[i] += mantissa[i] · 2^shift for 8-bit (bytes = 1) or 16-bit (bytes = 2) mantissas (params q,
 * w, n, shift). Eight weights per iteration (int8: one 8-byte load widened to i16x8, then two
 * i32x4) or four (int16: one 8-byte load widened to i32x4), then one at a time.
 */
function addPacked(bytes: 1 | 2): WasmFunction {
  const Q = 0, W = 1, N = 2, SH = 3, V = 4, A = 5;
  /** q[off/8 .. off/8 + 3] += the i32x4 in local A as four doubles. */
  const four = (off: number): number[] => [
    ...get(Q), ...get(Q), ...op.vLoad(off), ...get(A), ...F64X2_CONVERT_LO_I32, ...op.f64x2Add, ...op.vStore(off),
    ...get(Q), ...get(Q), ...op.vLoad(off + 16), ...get(A), ...get(A), ...HIGH_PAIR, ...F64X2_CONVERT_LO_I32, ...op.f64x2Add, ...op.vStore(off + 16),
  ];
  const shifted = (widen: number[]): number[] => [...widen, ...get(SH), ...I32X4_SHL, ...set(A)];
  const wide =
    bytes === 1
      ? loop(
          [...get(N), ...i32(8), ...op.i32LtS],
          [
            ...get(W), ...V_LOAD8X8_S(0), ...set(V),
            ...shifted([...get(V), ...I32X4_EXT_LO_I16]), ...four(0),
            ...shifted([...get(V), ...I32X4_EXT_HI_I16]), ...four(32),
            ...add(Q, 64), ...add(W, 8), ...add(N, -8),
          ],
        )
      : loop([...get(N), ...i32(4), ...op.i32LtS], [...shifted([...get(W), ...V_LOAD16X4_S(0)]), ...four(0), ...add(Q, 32), ...add(W, 8), ...add(N, -4)]);
  return {
    name: bytes === 1 ? "addPacked8" : "addPacked16",
    params: [I32, I32, I32, I32],
    locals: [V128, V128],
    body: [
      ...wide,
      ...loop(
        [...get(N), ...i32(1), ...op.i32LtS],
        [
          ...get(Q), ...get(Q), ...op.f64Load(0),
          ...get(W), ...(bytes === 1 ? i32Load8S : i32Load16S), ...get(SH), ...I32_SHL, ...F64_CONVERT_I32_S,
          ...op.f64Add, ...op.f64Store(0),
          ...add(Q, 8), ...add(W, bytes), ...add(N, -1),
        ],
      ),
    ],
  };
}

/**
 * acc[i] += mantissa[i] << shift on the int32 accumulator (params acc, w, n, shift): i32x4 lanes,
 * eight int8 or four int16 mantissas per iteration, then one at a time. The engine only routes
 * rows here when no sum of a step can leave the i32 range (rows.ts), so every sum is exact.
 */
function addAcc(bytes: 1 | 2): WasmFunction {
  const ACC = 0, W = 1, N = 2, SH = 3, V = 4;
  const I32X4_ADD = simd(0xae);
  const addTo = (off: number, lanes: number[]): number[] => [...get(ACC), ...get(ACC), ...op.vLoad(off), ...lanes, ...get(SH), ...I32X4_SHL, ...I32X4_ADD, ...op.vStore(off)];
  const wide =
    bytes === 1
      ? loop(
          [...get(N), ...i32(8), ...op.i32LtS],
          [...get(W), ...V_LOAD8X8_S(0), ...set(V), ...addTo(0, [...get(V), ...I32X4_EXT_LO_I16]), ...addTo(16, [...get(V), ...I32X4_EXT_HI_I16]), ...add(ACC, 32), ...add(W, 8), ...add(N, -8)],
        )
      : loop([...get(N), ...i32(4), ...op.i32LtS], [...addTo(0, [...get(W), ...V_LOAD16X4_S(0)]), ...add(ACC, 16), ...add(W, 8), ...add(N, -4)]);
  return {
    name: bytes === 1 ? "addAcc8" : "addAcc16",
    params: [I32, I32, I32, I32],
    locals: [V128],
    body: [
      ...wide,
      ...loop(
        [...get(N), ...i32(1), ...op.i32LtS],
        [
          ...get(ACC), ...get(ACC), ...op.i32Load(0),
          ...get(W), ...(bytes === 1 ? i32Load8S : i32Load16S), ...get(SH), ...I32_SHL,
          ...op.i32Add, ...i32Store(0),
          ...add(ACC, 4), ...add(W, bytes), ...add(N, -1),
        ],
      ),
    ],
  };
}

/** (s + d) wrapped into 0..slots−1 (s < slots, d < slots), left on the stack. */
const ringSlot = (slot: number, delayExpr: number[], slots: number, tmp: number): number[] => [
  ...get(slot), ...delayExpr, ...op.i32Add, ...tee(tmp), ...get(slots), ...I32_GE_S,
  ...IF, ...get(tmp), ...get(slots), ...op.i32Sub, ...set(tmp), ...op.end,
  ...get(tmp),
];

/** The general row: entries [begin, end) of (target, weight[, delay]) (params begin, end, slot, slots, n, entT, entW, entD). */
function general(): WasmFunction {
  const B = 0, E = 1, SLOT = 2, SLOTS = 3, N = 4, T = 5, W = 6, D = 7, AT = 8, S = 9;
  const entry = (base: number): number[] => [...get(base), ...get(B), ...i32(2), ...I32_SHL, ...op.i32Add, ...op.i32Load(0)];
  return {
    name: "general",
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [I32, I32],
    body: loop(
      [...get(B), ...get(E), ...I32_GE_S],
      [
        ...entry(T), ...set(AT),
        ...get(SLOTS), ...i32(1), ...I32_GT_S, ...IF,
        ...get(AT), ...ringSlot(SLOT, entry(D), SLOTS, S), ...get(N), ...I32_MUL, ...op.i32Add, ...set(AT),
        ...op.end,
        ...get(AT), ...i32(3), ...I32_SHL, ...tee(AT),
        ...get(AT), ...op.f64Load(0), ...entry(W), ...F64_CONVERT_I32_S, ...op.f64Add, ...op.f64Store(0),
        ...add(B, 1),
      ],
    ),
  };
}

/**
 * deliver(list, count, slot, segPtr, msg, syn, slots, n, entT, entW, entD): every source of the
 * i32 list at byte `list` (count entries); segPtr holds each source's first segment record's byte
 * address (source s: [segPtr[s], segPtr[s + 1])); msg and syn are the per-route i32 counters.
 */
function deliver(): WasmFunction {
  const LIST = 0, COUNT = 1, SLOT = 2, SEGPTR = 3, MSG = 4, SYN = 5, SLOTS = 6, N = 7, ET = 8, EW = 9, ED = 10, ACC = 11;
  const END = 12, G = 13, GEND = 14, R = 15, KIND = 16, S = 17, T = 18, P = 19;
  const field = (off: number): number[] => [...get(G), ...op.i32Load(off)];
  /** counter[base + 4r] += value. */
  const bumpCounter = (base: number, value: number[]): number[] => [
    ...get(base), ...get(R), ...i32(2), ...I32_SHL, ...op.i32Add, ...tee(P),
    ...get(P), ...op.i32Load(0), ...value, ...op.i32Add, ...i32Store(0),
  ];
  const isKind = (k: number): number[] => [...get(KIND), ...i32(k), ...I32_EQ];
  const segment = [
    ...field(0), ...set(R),
    ...bumpCounter(MSG, i32(1)),
    ...field(4), ...set(KIND),
    ...get(KIND), ...i32(KIND_NONE), ...I32_NE, ...IF,
    ...bumpCounter(SYN, field(20)),
    ...isKind(KIND_GENERAL), ...IF,
    ...field(8), ...field(12), ...get(SLOT), ...get(SLOTS), ...get(N), ...get(ET), ...get(EW), ...get(ED), ...call(F_GENERAL),
    ...ELSE,
    ...field(8), ...set(T),
    ...get(SLOTS), ...i32(1), ...I32_GT_S, ...IF,
    ...get(T), ...ringSlot(SLOT, field(28), SLOTS, S), ...get(N), ...I32_MUL, ...op.i32Add, ...set(T),
    ...op.end,
    ...get(KIND), ...i32(KIND_ACC8), ...I32_GE_S, ...IF,
    ...get(ACC), ...get(T), ...i32(2), ...I32_SHL, ...op.i32Add, ...set(T),
    ...isKind(KIND_ACC8), ...IF,
    ...get(T), ...field(12), ...field(16), ...field(24), ...call(F_ADD_ACC8),
    ...ELSE,
    ...get(T), ...field(12), ...field(16), ...field(24), ...call(F_ADD_ACC16),
    ...op.end,
    ...ELSE,
    ...get(T), ...i32(3), ...I32_SHL, ...set(T),
    ...isKind(KIND_I8), ...IF,
    ...get(T), ...field(12), ...field(16), ...field(24), ...call(F_ADD_PACKED8),
    ...ELSE,
    ...isKind(KIND_I16), ...IF,
    ...get(T), ...field(12), ...field(16), ...field(24), ...call(F_ADD_PACKED16),
    ...ELSE,
    ...get(T), ...field(12), ...field(16), ...call(F_ADD_F64),
    ...op.end,
    ...op.end,
    ...op.end,
    ...op.end,
    ...op.end,
    ...add(G, SEGMENT_BYTES),
  ];
  return {
    name: "deliver",
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, I32, I32, I32, I32],
    body: [
      ...get(LIST), ...get(COUNT), ...i32(2), ...I32_SHL, ...op.i32Add, ...set(END),
      ...loop(
        [...get(LIST), ...get(END), ...I32_GE_U],
        [
          ...get(SEGPTR), ...get(LIST), ...op.i32Load(0), ...i32(2), ...I32_SHL, ...op.i32Add, ...tee(P),
          ...op.i32Load(0), ...set(G),
          ...get(P), ...op.i32Load(4), ...set(GEND),
          ...loop([...get(G), ...get(GEND), ...I32_GE_U], segment),
          ...add(LIST, 4),
        ],
      ),
    ],
  };
}

/** The compartment arrays of the kernel's memory, in this order, each `stride` bytes apart (i32 per compartment). */
export const CX_U = 0, CX_V = 1, CX_R = 2, CX_KU = 3, CX_KV = 4, CX_BIAS = 5, CX_VMIN = 6, CX_VMAX = 7, CX_VTH = 8, CX_REFRACT = 9;
export const CX_ARRAYS = 10;

/**
 * update(i, end, q, spikes, count, activity, cx, stride, out) → stop: the compartment update of
 * §2.9 steps 6–13 for compartments i .. end − 1, exactly as engine.ts's JavaScript loop computes it
 * (the same float64 operations: decay is trunc(x · k · 2^−12), sums of integers are exact).
 * q is the byte address of the consumed slot's q[0]; spikes the byte address of the spike list,
 * which holds `count` entries; the spiking compartments are appended. `activity` is the engine's
 * ActivityRule code (0 spec, 1 input, 2 all). It stops before the first compartment whose q, u or
 * u + bias leaves its range (nothing of it written), so the engine's JavaScript handles the rare
 * overflow exactly as before, then calls again from the next one. Returns the index it stopped
 * at (end when done) and writes the new spike count and the active compartments it counted to
 * the i32s at byte out and out + 4. accQ is the byte address of the consumed slot's int32
 * accumulator entry 0: q of compartment i is q[i] + acc[i], and both are zeroed.
 */
function update(): WasmFunction {
  const I = 0, END = 1, Q = 2, SPK = 3, COUNT = 4, ACT = 5, CX = 6, STRIDE = 7, OUT = 8, ACCQ = 9;
  const P = 10, QA = 11, RO = 12, R = 13, SPIKED = 14, ACTIVE = 15, VO = 16;
  const QI = 17, U = 18, W = 19, V = 20;
  const F64_LT = [0x63], F64_GE = [0x66], F64_GT = [0x64], F64_NE = [0x62], F64_MUL = [0xa2], F64_TRUNC = [0x9d];
  const I32_OR = [0x72], I32_AND = [0x71], SELECT = [0x1b], RETURN = [0x0f];
  const I32_TRUNC_SAT_F64_S = [0xfc, 0x02];
  const f64c = (x: number): number[] => {
    const b = new Uint8Array(new Float64Array([x]).buffer);
    return [0x44, ...b];
  };
  /** The i32 of compartment array k at the current compartment, as a double or as an i32. */
  const cxAddr = (k: number): number[] => [...get(CX), ...get(STRIDE), ...i32(k), ...I32_MUL, ...op.i32Add, ...get(P), ...op.i32Add];
  const cxI32 = (k: number): number[] => [...cxAddr(k), ...op.i32Load(0)];
  const cxF64 = (k: number): number[] => [...cxI32(k), ...F64_CONVERT_I32_S];
  /** trunc(x · k · 2^−12) with x and k doubles on the stack (x pushed first). */
  const decay = [...F64_MUL, ...f64c(2 ** -12), ...F64_MUL, ...F64_TRUNC];
  /** Leave i (return it) when the double in `local` is outside [−half, half). */
  const bailOutside = (local: number, half: number): number[] => [
    ...get(local), ...f64c(-half), ...F64_LT, ...get(local), ...f64c(half), ...F64_GE, ...I32_OR,
    ...IF, ...get(OUT), ...get(COUNT), ...i32Store(0), ...get(OUT), ...get(ACTIVE), ...i32Store(4), ...get(I), ...RETURN, ...op.end,
  ];
  const body = [
    ...get(I), ...i32(2), ...I32_SHL, ...set(P),
    ...get(Q), ...get(I), ...i32(3), ...I32_SHL, ...op.i32Add, ...tee(QA), ...op.f64Load(0),
    ...get(ACCQ), ...get(P), ...op.i32Add, ...op.i32Load(0), ...F64_CONVERT_I32_S, ...op.f64Add, ...set(QI),
    ...bailOutside(QI, 2 ** 21),
    ...cxF64(CX_U), ...cxF64(CX_KU), ...decay, ...get(QI), ...op.f64Add, ...set(U),
    ...bailOutside(U, 2 ** 23),
    ...get(U), ...cxF64(CX_BIAS), ...op.f64Add, ...set(W),
    ...bailOutside(W, 2 ** 23),
    // Checks passed: from here on the compartment is written.
    ...get(QA), ...f64c(0), ...op.f64Store(0),
    ...get(ACCQ), ...get(P), ...op.i32Add, ...i32(0), ...i32Store(0),
    ...cxAddr(CX_U), ...get(U), ...I32_TRUNC_SAT_F64_S, ...i32Store(0),
    ...cxI32(CX_V), ...tee(VO), ...F64_CONVERT_I32_S, ...cxF64(CX_KV), ...decay, ...get(W), ...op.f64Add, ...set(V),
    ...get(V), ...cxF64(CX_VMIN), ...F64_LT, ...IF,
    ...cxF64(CX_VMIN), ...set(V),
    ...ELSE,
    ...get(V), ...cxF64(CX_VMAX), ...F64_GT, ...IF, ...cxF64(CX_VMAX), ...set(V), ...op.end,
    ...op.end,
    ...cxI32(CX_R), ...tee(RO), ...set(R),
    ...get(RO), ...i32(0), ...I32_GT_S, ...IF, ...f64c(0), ...set(V), ...op.end,
    ...i32(0), ...set(SPIKED),
    ...get(V), ...cxF64(CX_VTH), ...F64_GT, ...IF,
    ...f64c(0), ...set(V),
    ...cxI32(CX_REFRACT), ...set(R),
    ...get(SPK), ...get(COUNT), ...i32(2), ...I32_SHL, ...op.i32Add, ...get(I), ...i32Store(0),
    ...add(COUNT, 1),
    ...i32(1), ...set(SPIKED),
    ...op.end,
    ...cxAddr(CX_R), ...get(R), ...i32(1), ...op.i32Sub, ...i32(0), ...get(R), ...i32(0), ...I32_GT_S, ...SELECT, ...i32Store(0),
    ...cxAddr(CX_V), ...get(V), ...I32_TRUNC_SAT_F64_S, ...i32Store(0),
    // Activity (engine-types.ts ActivityRule): all; input: q ≠ 0 or spiked; spec: also refractory, u ≠ 0, v changed.
    ...get(ACTIVE),
    ...get(ACT), ...i32(2), ...I32_EQ,
    ...get(QI), ...f64c(0), ...F64_NE, ...get(SPIKED), ...I32_OR,
    ...get(ACT), ...i32(0), ...I32_EQ,
    ...get(RO), ...i32(0), ...I32_GT_S,
    ...get(U), ...f64c(0), ...F64_NE, ...I32_OR,
    ...get(V), ...I32_TRUNC_SAT_F64_S, ...get(VO), ...I32_NE, ...I32_OR,
    ...I32_AND,
    ...I32_OR,
    ...I32_OR,
    ...op.i32Add, ...set(ACTIVE),
    ...add(I, 1),
  ];
  return {
    name: "update",
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
    locals: [I32, I32, I32, I32, I32, I32, I32, F64, F64, F64, F64],
    body: [
      ...i32(0), ...set(ACTIVE),
      ...loop([...get(I), ...get(END), ...I32_GE_S], body),
      ...get(OUT), ...get(COUNT), ...i32Store(0), ...get(OUT), ...get(ACTIVE), ...i32Store(4),
      ...get(I),
    ],
    results: [I32],
  };
}

/** Bytes per WebAssembly page. */
export const WASM_PAGE = 65536;
/** The largest memory the kernel may ask for: 2^31 bytes keeps every byte address a positive i32. */
export const WASM_MAX_BYTES = 2 ** 31;

/** A WebAssembly.Memory: `buffer` is replaced if the memory grows (this code never grows it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
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
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

function deliverModule(): object | null {
  if (compiled === undefined) {
    try {
      // A runtime without SIMD rejects the module here (caught: the JavaScript loops run instead).
      compiled = wasmApi !== undefined ? new wasmApi.Module(moduleBytes([addF64(), addPacked(1), addPacked(2), general(), deliver(), update(), addAcc(1), addAcc(2)])) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Whether this runtime can run the delivery kernel (WebAssembly with SIMD). */
export function deliverAvailable(): boolean {
  return deliverModule() !== null;
}

export type DeliverFn = (list: number, count: number, slot: number, segPtr: number, msg: number, syn: number, slots: number, n: number, entT: number, entW: number, entD: number, acc: number) => void;

export type UpdateFn = (i: number, end: number, q: number, spikes: number, count: number, activity: number, cx: number, stride: number, out: number, accQ: number) => number;

/** A fresh memory of at least `bytes` bytes with the kernel bound to it, or null (too large, or no WebAssembly). */
export function loadDeliver(bytes: number): { memory: WasmMemory; deliver: DeliverFn; update: UpdateFn } | null {
  if (bytes > WASM_MAX_BYTES || wasmApi === undefined) return null;
  const mod = deliverModule();
  if (mod === null) return null;
  try {
    const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(bytes / WASM_PAGE)) });
    const instance = new wasmApi.Instance(mod, { env: { memory } });
    const ex = instance.exports;
    return { memory, deliver: ex.deliver as DeliverFn, update: ex.update as UpdateFn };
  } catch {
    return null;
  }
}
