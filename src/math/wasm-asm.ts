/**
 * A few WebAssembly instructions as bytes, enough to hand-assemble the dense kernels of
 * kernels.ts and the emulator's deliver.ts (no toolchain, no dependency).
 * Opcodes: WebAssembly core spec §5.4, SIMD opcodes after the 0xfd prefix as LEB128.
 */

export const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** Instructions; each returns its bytes so bodies read as nested expressions in stack order. */
export const op = {
  get: (l: number): number[] => [0x20, ...uleb(l)],
  set: (l: number): number[] => [0x21, ...uleb(l)],
  i32: (n: number): number[] => [0x41, ...sleb(n)],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Eqz: [0x45],
  i32LtS: [0x48],
  i32Load: (off: number): number[] => [0x28, 2, ...uleb(off)],
  f64Load: (off: number): number[] => [0x2b, 3, ...uleb(off)],
  f64Store: (off: number): number[] => [0x39, 3, ...uleb(off)],
  f64Add: [0xa0],
  f64Mul: [0xa2],
  vLoad: (off: number): number[] => [0xfd, 0x00, 4, ...uleb(off)],
  /** v128.load64_splat: one double into both lanes. */
  vSplatLoad: (off: number): number[] => [0xfd, 0x0a, 3, ...uleb(off)],
  vStore: (off: number): number[] => [0xfd, 0x0b, 4, ...uleb(off)],
  f64x2Splat: [0xfd, 0x14],
  f64x2Add: [0xfd, 0xf0, 0x01],
  f64x2Mul: [0xfd, 0xf2, 0x01],
  f64x2Div: [0xfd, 0xf3, 0x01],
  f64x2Neg: [0xfd, 0xed, 0x01],
  f64ConvertI32S: [0xb7],
  br: (depth: number): number[] => [0x0c, ...uleb(depth)],
  brIf: (depth: number): number[] => [0x0d, ...uleb(depth)],
  end: [0x0b],
};

/** local ← local + d (i32). */
export const bump = (local: number, d: number): number[] => [...op.get(local), ...op.i32(d), ...op.i32Add, ...op.set(local)];

/** block { loop { if exitWhen: break; body; continue } } — `exitWhen` leaves an i32 on the stack. */
export function whileNot(exitWhen: number[], body: number[]): number[] {
  return [0x02, 0x40, 0x03, 0x40, ...exitWhen, ...op.brIf(1), ...body, ...op.br(0), 0x0b, 0x0b];
}

export interface WasmFunction {
  readonly name: string;
  readonly params: readonly number[];
  /** Local types after the parameters, in index order. */
  readonly locals: readonly number[];
  readonly body: readonly number[];
  /** Result types (default none). */
  readonly results?: readonly number[];
}

export const nameBytes = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/**
 * A module importing env.memory and exporting `fns` (one type per function). With
 * `sharedMaxPages` the memory it imports is a shared one of at most that many pages (threads).
 */
export function moduleBytes(fns: readonly WasmFunction[], sharedMaxPages?: number): Uint8Array {
  const types = fns.map((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results?.length ?? 0), ...(f.results ?? [])]);
  const bodies = fns.map((f) => {
    const locals = vector(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector([[...nameBytes("env"), ...nameBytes("memory"), 0x02, ...(sharedMaxPages === undefined ? [0x00, 0x01] : [0x03, 0x01, ...uleb(sharedMaxPages)])]])),
    ...section(3, vector(fns.map((_, i) => uleb(i)))),
    ...section(7, vector(fns.map((f, i) => [...nameBytes(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(bodies)),
  ]);
}
