import fc from "fast-check";
import { BitReader, BitWriter, bitsFor, fieldRange, isWellFormedUtf16 } from "./bits.js";

interface Field {
  bits: number;
  signed: boolean;
  value: number;
}

/** A field width 1..53 and a value that fits it (edges included via biased integer generation). */
const fieldArb: fc.Arbitrary<Field> = fc
  .record({ bits: fc.integer({ min: 1, max: 53 }), signed: fc.boolean() })
  .chain(({ bits, signed }) => {
    const { min, max } = fieldRange(bits, signed);
    return fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }), fc.constantFrom(min, max, 0), fc.maxSafeInteger().map((x) => (signed ? x : Math.abs(x)))).map((value) => ({
      bits,
      signed,
      value: Math.min(max, Math.max(min, value)),
    }));
  });

function writeField(w: BitWriter, f: Field, name: string): void {
  if (f.signed) w.writeSigned(f.value, f.bits, name);
  else w.writeUnsigned(f.value, f.bits, name);
}

describe("BitWriter / BitReader", () => {
  it("packs LSB first, little-endian across bytes", () => {
    const w = new BitWriter();
    w.writeUnsigned(0b101, 3);
    w.writeUnsigned(0x1ff, 9);
    w.writeSigned(-1, 4);
    w.writeSigned(-256, 9);
    // bits: 101 | 111111111 | 1111 | 000000001 (LSB first) → bytes
    expect(Array.from(w.finish())).toEqual([0xfd, 0xff, 0x00, 0x01]);
    const r = new BitReader(w.finish());
    expect(r.readUnsigned(3)).toBe(5);
    expect(r.readUnsigned(9)).toBe(0x1ff);
    expect(r.readSigned(4)).toBe(-1);
    expect(r.readSigned(9)).toBe(-256);
  });

  it("round-trips 53-bit extremes exactly", () => {
    const w = new BitWriter(1);
    w.writeUnsigned(2 ** 53 - 1, 53);
    w.writeSigned(-(2 ** 52), 53);
    w.writeSigned(2 ** 52 - 1, 53);
    w.writeUnsigned(1, 1);
    w.writeUnsigned(2 ** 52 + 12345, 53);
    const r = new BitReader(w.finish());
    expect(r.readUnsigned(53)).toBe(2 ** 53 - 1);
    expect(r.readSigned(53)).toBe(-(2 ** 52));
    expect(r.readSigned(53)).toBe(2 ** 52 - 1);
    expect(r.readUnsigned(1)).toBe(1);
    expect(r.readUnsigned(53)).toBe(2 ** 52 + 12345);
  });

  it("property: any sequence of fields written is read back identically", () => {
    fc.assert(
      fc.property(fc.array(fieldArb, { maxLength: 60 }), fc.boolean(), (fields, interleaveAligned) => {
        const w = new BitWriter(4);
        fields.forEach((f, i) => {
          writeField(w, f, `f${i}`);
          if (interleaveAligned && i % 7 === 3) w.writeU16(i);
        });
        const bytes = w.finish();
        expect(bytes.length).toBe(Math.ceil(w.bitLength / 8));
        const r = new BitReader(bytes);
        fields.forEach((f, i) => {
          expect(f.signed ? r.readSigned(f.bits) : r.readUnsigned(f.bits)).toBe(f.value);
          if (interleaveAligned && i % 7 === 3) expect(r.readU16()).toBe(i);
        });
        expect(r.remainingBits).toBeLessThan(8);
      }),
      { numRuns: 300 },
    );
  });

  it("property: a value outside its width throws a RangeError naming the field", () => {
    const outside = fc
      .record({ bits: fc.integer({ min: 1, max: 52 }), signed: fc.boolean(), above: fc.boolean(), by: fc.integer({ min: 1, max: 2 ** 20 }) })
      .map(({ bits, signed, above, by }) => {
        const { min, max } = fieldRange(bits, signed);
        return { bits, signed, value: above ? max + by : min - by };
      });
    fc.assert(
      fc.property(outside, (f) => {
        const w = new BitWriter();
        expect(() => writeField(w, f, "biasMant")).toThrow(RangeError);
        expect(() => writeField(w, f, "biasMant")).toThrow(/biasMant/);
        expect(w.bitLength).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses non-integers and bad widths", () => {
    const w = new BitWriter();
    expect(() => w.writeUnsigned(1.5, 4, "du")).toThrow(/'du'/);
    expect(() => w.writeSigned(Number.NaN, 4, "x")).toThrow(RangeError);
    expect(() => w.writeUnsigned(0, 0, "zero")).toThrow(/width 0/);
    expect(() => w.writeUnsigned(0, 54, "wide")).toThrow(/width 54/);
    expect(() => w.writeUnsigned(-1, 8, "neg")).toThrow(/does not fit 8-bit unsigned/);
  });

  it("reading past the end is a RangeError naming the field", () => {
    const r = new BitReader(new Uint8Array([0xff]));
    expect(r.readUnsigned(5)).toBe(31);
    expect(() => r.readUnsigned(4, "vthMant")).toThrow(/vthMant.*truncated/);
  });

  it("byte-aligned helpers: u8/u16/u32, float64, strings, patch", () => {
    const w = new BitWriter(2);
    w.writeUnsigned(1, 1);
    w.writeU32(0, "length");
    w.writeF64(0.001);
    w.writeString("ens·a[0] ✓ 𝄞");
    w.writeU8(255);
    w.patchU32(1, 0xdeadbeef, "length");
    const r = new BitReader(w.finish());
    expect(r.readUnsigned(1)).toBe(1);
    expect(r.readU32()).toBe(0xdeadbeef);
    expect(r.readF64()).toBe(0.001);
    expect(r.readString()).toBe("ens·a[0] ✓ 𝄞");
    expect(r.readU8()).toBe(255);
    expect(() => w.writeString("bad \ud800", "label")).toThrow(/label.*lone surrogate/);
  });

  it("property: float64 and strings round-trip", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double(), fc.string({ unit: "binary" }), fc.integer({ min: 1, max: 7 }))), (items) => {
        const w = new BitWriter(1);
        for (const [x, s, bits] of items) {
          w.writeUnsigned(1, bits);
          w.writeF64(x);
          w.writeString(s);
        }
        const r = new BitReader(w.finish());
        for (const [x, s, bits] of items) {
          expect(r.readUnsigned(bits)).toBe(1);
          expect(Object.is(r.readF64(), x)).toBe(true);
          expect(r.readString()).toBe(s);
        }
      }),
    );
  });

  it("bitsFor and isWellFormedUtf16", () => {
    expect([0, 1, 2, 3, 4, 14, 15, 16, 30, 255, 1023, 4095, 4096].map(bitsFor)).toEqual([1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 10, 12, 13]);
    expect(isWellFormedUtf16("a𝄞b")).toBe(true);
    expect(isWellFormedUtf16("a\udd1e")).toBe(false);
    expect(isWellFormedUtf16("\ud834")).toBe(false);
  });
});

describe("BitWriter.writeRowFields", () => {
  /** A row: a lead-in of 0–13 bits (any bit position), then weights with or without index fields. */
  const rowArb = fc
    .record({ lead: fc.integer({ min: 0, max: 13 }), weightBits: fc.integer({ min: 1, max: 16 }), idxBits: fc.integer({ min: 0, max: 8 }), n: fc.integer({ min: 0, max: 40 }) })
    .chain(({ lead, weightBits, idxBits, n }) => {
      const half = 2 ** (weightBits - 1);
      return fc.record({
        lead: fc.constant(lead), weightBits: fc.constant(weightBits), idxBits: fc.constant(idxBits),
        weights: fc.array(fc.integer({ min: -half, max: half - 1 }), { minLength: n, maxLength: n }),
        offsets: fc.array(fc.integer({ min: 0, max: 2 ** Math.max(1, idxBits) - 1 }), { minLength: n, maxLength: n }),
      });
    });

  it("property: the same bytes as writeUnsigned(index) and writeSigned(weight) field by field", () => {
    fc.assert(
      fc.property(rowArb, ({ lead, weightBits, idxBits, weights, offsets }) => {
        const bulk = new BitWriter(1), single = new BitWriter(1);
        for (const w of [bulk, single]) if (lead > 0) w.writeUnsigned(2 ** lead - 1, lead);
        bulk.writeRowFields(idxBits > 0 ? offsets : null, idxBits, weights, weightBits, "row index", "Wgt");
        for (let j = 0; j < weights.length; j++) {
          if (idxBits > 0) single.writeUnsigned(offsets[j], idxBits, "row index");
          single.writeSigned(weights[j], weightBits, "Wgt");
        }
        // A field after the row lands where it would have.
        bulk.writeUnsigned(5, 3);
        single.writeUnsigned(5, 3);
        expect(bulk.bitLength).toBe(single.bitLength);
        expect(Array.from(bulk.finish())).toEqual(Array.from(single.finish()));
      }),
      { numRuns: 300 },
    );
  });

  it("rejects the first field out of range with writeSigned's message", () => {
    const w = new BitWriter();
    expect(() => w.writeRowFields(null, 0, [3, 256, -300], 9, "row index", "Wgt")).toThrow("field 'Wgt': 256 does not fit 9-bit signed [-256, 255]");
    expect(() => w.writeRowFields([1, 300], 8, [3, 4], 9, "row index", "Wgt")).toThrow("field 'row index': 300 does not fit 8-bit unsigned [0, 255]");
  });
});
