/**
 * Bit-exact packing of register images. Fields of 1..53 bits are packed LSB first: bit i of the
 * stream is bit (i mod 8) of byte ⌊i/8⌋, and a field's least significant bit comes first
 * ("little-endian" bit order, as in a little-endian integer spanning the bytes). Signed fields are
 * two's complement. Values are JavaScript numbers, exact because every field is < 2^53 and the
 * arithmetic only splits them with exact divisions by powers of two.
 *
 * Byte-aligned helpers (u8/u16/u32 little-endian, float64, length-prefixed UTF-8 strings) first
 * pad the current byte with zero bits.
 */

const MAX_BITS = 53;
/** 2^k for k = 0..MAX_BITS: every field checks its range, and `2 **` with a variable exponent is a call (a third of emitting psMNIST's cores.bin). */
const POW2 = Float64Array.from({ length: MAX_BITS + 1 }, (_, k) => 2 ** k);

function checkWidth(bits: number, name: string): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BITS) throw new RangeError(`field '${name}': width ${bits} is not an integer in 1..${MAX_BITS}`);
}

/** Inclusive range of a field: [0, 2^bits − 1] unsigned, [−2^(bits−1), 2^(bits−1) − 1] signed. */
export function fieldRange(bits: number, signed: boolean): { min: number; max: number } {
  return signed ? { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 } : { min: 0, max: 2 ** bits - 1 };
}

/** Bits needed to hold 0..maxValue unsigned (at least 1). */
export function bitsFor(maxValue: number): number {
  let b = 1;
  while (2 ** b <= maxValue) b++;
  return b;
}

/** True when a string survives UTF-8 encoding unchanged (no lone surrogates). */
export function isWellFormedUtf16(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export class BitWriter {
  private buf: Uint8Array;
  /** Position in bits. */
  private pos = 0;

  constructor(initialBytes = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialBytes));
  }

  /** Current length in bits. */
  get bitLength(): number {
    return this.pos;
  }

  /** Current length in bytes (a partial last byte counts). */
  get byteLength(): number {
    return Math.ceil(this.pos / 8);
  }

  private ensure(extraBits: number): void {
    const need = Math.ceil((this.pos + extraBits) / 8);
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.byteLength));
    this.buf = next;
  }

  /** Appends `value` as an unsigned field of `bits` bits; RangeError naming `name` if it does not fit. */
  writeUnsigned(value: number, bits: number, name = "value"): void {
    if (!(bits >= 1 && bits <= MAX_BITS && Number.isInteger(bits))) checkWidth(bits, name);
    if (!(value >= 0 && value <= POW2[bits] - 1 && Number.isInteger(value))) {
      throw new RangeError(`field '${name}': ${value} does not fit ${bits}-bit unsigned [0, ${2 ** bits - 1}]`);
    }
    this.put(value, bits);
  }

  /** Appends `value` as a two's-complement field of `bits` bits; RangeError naming `name` if it does not fit. */
  writeSigned(value: number, bits: number, name = "value"): void {
    if (!(bits >= 1 && bits <= MAX_BITS && Number.isInteger(bits))) checkWidth(bits, name);
    const half = POW2[bits - 1];
    if (!(value >= -half && value <= half - 1 && Number.isInteger(value))) {
      throw new RangeError(`field '${name}': ${value} does not fit ${bits}-bit signed [${-half}, ${half - 1}]`);
    }
    this.put(value < 0 ? value + 2 * half : value, bits);
  }

  /**
   * A synapse row's fields as writeUnsigned(offsets[j], idxBits) (when offsets is given) and
   * writeSigned(weights[j], weightBits) in turn would write them, and the same range errors, but
   * packed through one accumulator: psMNIST's cores.bin holds 2.2M such fields.
   */
  writeRowFields(offsets: ArrayLike<number> | null, idxBits: number, weights: ArrayLike<number>, weightBits: number, idxName: string, weightName: string): void {
    if (offsets !== null && idxBits + weightBits > 24) {
      for (let j = 0; j < weights.length; j++) {
        this.writeUnsigned(offsets[j], idxBits, idxName);
        this.writeSigned(weights[j], weightBits, weightName);
      }
      return;
    }
    if (!(weightBits >= 1 && weightBits <= 24 && Number.isInteger(weightBits))) checkWidth(weightBits, weightName);
    if (offsets !== null && !(idxBits >= 1 && Number.isInteger(idxBits))) checkWidth(idxBits, idxName);
    const half = POW2[weightBits - 1], idxMax = offsets !== null ? POW2[idxBits] - 1 : 0;
    const n = weights.length;
    for (let j = 0; j < n; j++) {
      // Checked in writing order, so the first bad field is the one reported, as field by field.
      if (offsets !== null) {
        const o = offsets[j];
        if (!(o >= 0 && o <= idxMax && Number.isInteger(o))) throw new RangeError(`field '${idxName}': ${o} does not fit ${idxBits}-bit unsigned [0, ${idxMax}]`);
      }
      const v = weights[j];
      if (!(v >= -half && v <= half - 1 && Number.isInteger(v))) throw new RangeError(`field '${weightName}': ${v} does not fit ${weightBits}-bit signed [${-half}, ${half - 1}]`);
    }
    const bitsPer = weightBits + (offsets !== null ? idxBits : 0);
    this.ensure(n * bitsPer);
    const buf = this.buf;
    const wMask = (1 << weightBits) - 1, iMask = offsets !== null ? (1 << idxBits) - 1 : 0;
    let byte = this.pos >>> 3, acc = 0, accBits = this.pos & 7;
    // Bits past pos are still zero, so each finished byte is or-ed in (the first holds earlier fields).
    for (let j = 0; j < n; j++) {
      if (offsets !== null) {
        acc |= (offsets[j] & iMask) << accBits;
        accBits += idxBits;
      }
      acc |= (weights[j] & wMask) << accBits;
      accBits += weightBits;
      while (accBits >= 8) {
        buf[byte++] |= acc & 0xff;
        acc >>>= 8;
        accBits -= 8;
      }
    }
    if (accBits > 0) buf[byte] |= acc & 0xff;
    this.pos += n * bitsPer;
  }

  writeBool(value: boolean, name = "flag"): void {
    this.writeUnsigned(value ? 1 : 0, 1, name);
  }

  /** value: a non-negative integer < 2^bits (checked by the caller). */
  private put(value: number, bits: number): void {
    if (Math.ceil((this.pos + bits) / 8) > this.buf.length) this.ensure(bits);
    const buf = this.buf;
    let pos = this.pos;
    let left = bits;
    if (bits <= 30) {
      // Small fields (nearly all): exact 32-bit integer arithmetic.
      let v = value;
      while (left > 0) {
        const off = pos % 8;
        const take = Math.min(8 - off, left);
        buf[(pos - off) / 8] |= (v & ((1 << take) - 1)) << off;
        v >>>= take;
        pos += take;
        left -= take;
      }
    } else {
      let v = value;
      while (left > 0) {
        const off = pos % 8;
        const take = Math.min(8 - off, left);
        const scale = 2 ** take;
        const chunk = v % scale;
        buf[(pos - off) / 8] |= chunk << off;
        v = (v - chunk) / scale;
        pos += take;
        left -= take;
      }
    }
    this.pos = pos;
  }

  /** Pads with zero bits to the next byte boundary. */
  align(): void {
    this.ensure(8);
    this.pos = Math.ceil(this.pos / 8) * 8;
  }

  writeU8(value: number, name = "u8"): void {
    this.align();
    this.writeUnsigned(value, 8, name);
  }

  writeU16(value: number, name = "u16"): void {
    this.align();
    this.writeUnsigned(value, 16, name);
  }

  writeU32(value: number, name = "u32"): void {
    this.align();
    this.writeUnsigned(value, 32, name);
  }

  writeF64(value: number): void {
    this.align();
    this.ensure(64);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos / 8, 8).setFloat64(0, value, true);
    this.pos += 64;
  }

  writeBytes(bytes: Uint8Array): void {
    this.align();
    this.ensure(bytes.length * 8);
    this.buf.set(bytes, this.pos / 8);
    this.pos += bytes.length * 8;
  }

  /** u32 byte length, then the UTF-8 bytes. Lone surrogates (which UTF-8 cannot carry) are refused. */
  writeString(s: string, name = "string"): void {
    if (!isWellFormedUtf16(s)) throw new RangeError(`field '${name}': string ${JSON.stringify(s)} is not well-formed Unicode (lone surrogate)`);
    const bytes = encoder.encode(s);
    this.writeU32(bytes.length, `${name} length`);
    this.writeBytes(bytes);
  }

  /** Overwrites a byte-aligned u32 written earlier (e.g. a length known only later). */
  patchU32(byteOffset: number, value: number, name = "u32"): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`field '${name}': ${value} does not fit 32-bit unsigned`);
    if (byteOffset < 0 || byteOffset + 4 > this.byteLength) throw new RangeError(`field '${name}': patch offset ${byteOffset} is outside the written bytes`);
    new DataView(this.buf.buffer, this.buf.byteOffset).setUint32(byteOffset, value, true);
  }

  /** A copy of the bytes written so far (a partial last byte is zero-padded). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.byteLength);
  }

  /** The bytes written so far, not copied: valid until the next write. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.byteLength);
  }
}

export class BitReader {
  private readonly bytes: Uint8Array;
  private pos = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** Position in bits. */
  get bitPosition(): number {
    return this.pos;
  }

  get bytePosition(): number {
    return Math.ceil(this.pos / 8);
  }

  /** Bits left to read. */
  get remainingBits(): number {
    return this.bytes.length * 8 - this.pos;
  }

  private need(bits: number, name: string): void {
    if (this.pos + bits > this.bytes.length * 8) {
      throw new RangeError(`field '${name}': needs ${bits} bits at bit ${this.pos}, but the data ends at bit ${this.bytes.length * 8} (truncated)`);
    }
  }

  readUnsigned(bits: number, name = "value"): number {
    if (!(bits >= 1 && bits <= MAX_BITS && Number.isInteger(bits))) checkWidth(bits, name);
    if (this.pos + bits > this.bytes.length * 8) this.need(bits, name);
    const bytes = this.bytes;
    let pos = this.pos;
    let left = bits;
    let value = 0;
    if (bits <= 30) {
      let shift = 0;
      while (left > 0) {
        const off = pos % 8;
        const take = Math.min(8 - off, left);
        value |= ((bytes[(pos - off) / 8] >> off) & ((1 << take) - 1)) << shift;
        shift += take;
        pos += take;
        left -= take;
      }
    } else {
      let scale = 1;
      while (left > 0) {
        const off = pos % 8;
        const take = Math.min(8 - off, left);
        value += ((bytes[(pos - off) / 8] >> off) & ((1 << take) - 1)) * scale;
        scale *= 2 ** take;
        pos += take;
        left -= take;
      }
    }
    this.pos = pos;
    return value;
  }

  readSigned(bits: number, name = "value"): number {
    const u = this.readUnsigned(bits, name);
    return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
  }

  readBool(name = "flag"): boolean {
    return this.readUnsigned(1, name) === 1;
  }

  align(): void {
    this.pos = Math.ceil(this.pos / 8) * 8;
  }

  readU8(name = "u8"): number {
    this.align();
    return this.readUnsigned(8, name);
  }

  readU16(name = "u16"): number {
    this.align();
    return this.readUnsigned(16, name);
  }

  readU32(name = "u32"): number {
    this.align();
    return this.readUnsigned(32, name);
  }

  readF64(name = "f64"): number {
    this.align();
    this.need(64, name);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos / 8, 8).getFloat64(0, true);
    this.pos += 64;
    return v;
  }

  readBytes(n: number, name = "bytes"): Uint8Array {
    this.align();
    this.need(n * 8, name);
    const out = this.bytes.slice(this.pos / 8, this.pos / 8 + n);
    this.pos += n * 8;
    return out;
  }

  /** u32 byte length, then UTF-8; RangeError on invalid UTF-8. */
  readString(name = "string"): string {
    const n = this.readU32(`${name} length`);
    const bytes = this.readBytes(n, name);
    try {
      return decoder.decode(bytes);
    } catch {
      throw new RangeError(`field '${name}': not valid UTF-8`);
    }
  }
}
