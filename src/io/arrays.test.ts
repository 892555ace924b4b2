import { ArrayFileError, readCsv, readNpy } from "./arrays.js";

/** Builds a .npy file the way numpy.lib.format does: padded header ending in '\n', 64-byte aligned. */
function npy(descr: string, shape: number[], payload: Buffer, opts: { version?: 1 | 2 | 3; fortran?: boolean } = {}): Buffer {
  const version = opts.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const preamble = version === 1 ? 10 : 12;
  const total = Math.ceil((preamble + Buffer.byteLength(header) + 1) / 64) * 64;
  header = header + " ".repeat(total - preamble - Buffer.byteLength(header) - 1) + "\n";
  const head = Buffer.alloc(preamble);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(Buffer.byteLength(header), 8);
  else head.writeUInt32LE(Buffer.byteLength(header), 8);
  return Buffer.concat([head, Buffer.from(header, version === 3 ? "utf8" : "latin1"), payload]);
}

function payload(n: number, bytes: number, write: (b: Buffer, i: number) => void): Buffer {
  const b = Buffer.alloc(n * bytes);
  for (let i = 0; i < n; i++) write(b, i);
  return b;
}

function expectArrayError(f: () => unknown, message: RegExp): ArrayFileError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ArrayFileError);
  expect((caught as Error).message).toMatch(message);
  return caught as ArrayFileError;
}

describe("readNpy", () => {
  it("reads a file written by numpy itself (np.save of arange(6).reshape(2,3)*0.5 − 1)", () => {
    // Bytes produced by numpy 2.4 and pasted here. Expected: shape [2, 3] and
    // data [−1, −0.5, 0, 0.5, 1, 1.5], which also checks that our builder matches numpy's layout.
    const file = Buffer.from(
      "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwvwAAAAAAAOC/AAAAAAAAAAAAAAAAAADgPwAAAAAAAPA/AAAAAAAA+D8=",
      "base64",
    );
    const a = readNpy(file);
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([-1, -0.5, 0, 0.5, 1, 1.5]);
    expect(file.equals(npy("<f8", [2, 3], payload(6, 8, (b, i) => b.writeDoubleLE(i * 0.5 - 1, i * 8))))).toBe(true);
  });

  it("reads numpy-written int16 (v1) and bool (v2) files", () => {
    // Expected: int16 [−2, 0, 300] with shape [3]; the v2.0 bool file [[T, F], [F, T]] gives
    // shape [2, 2] and data [1, 0, 0, 1].
    const i2 = readNpy(Buffer.from(
      "k05VTVBZAQB2AHsnZGVzY3InOiAnPGkyJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr+/wAALAE=",
      "base64",
    ));
    expect(i2.shape).toEqual([3]);
    expect(Array.from(i2.data)).toEqual([-2, 0, 300]);
    const b1 = readNpy(Buffer.from(
      "k05VTVBZAgB0AAAAeydkZXNjcic6ICd8YjEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAAAB",
      "base64",
    ));
    expect(b1.shape).toEqual([2, 2]);
    expect(Array.from(b1.data)).toEqual([1, 0, 0, 1]);
  });

  it("reads every supported dtype exactly", () => {
    // Expected for each hand-built file: the values written, converted exactly to float64
    // (f4 0.1 becomes Math.fround(0.1); i8 −2^40 and u1 255 are exact).
    const cases: [string, number[], number, (b: Buffer, i: number, v: number) => void][] = [
      ["<f8", [Math.PI, -1e-300, 2.5], 8, (b, i, v) => b.writeDoubleLE(v, i * 8)],
      ["<f4", [0.1, -3, 65504], 4, (b, i, v) => b.writeFloatLE(v, i * 4)],
      ["<i8", [-(2 ** 40), 7, 0], 8, (b, i, v) => b.writeBigInt64LE(BigInt(v), i * 8)],
      ["<i4", [-2147483648, 2147483647, 1], 4, (b, i, v) => b.writeInt32LE(v, i * 4)],
      ["<i2", [-32768, 32767, -1], 2, (b, i, v) => b.writeInt16LE(v, i * 2)],
      ["|u1", [0, 255, 128], 1, (b, i, v) => b.writeUInt8(v, i)],
      ["|b1", [1, 0, 1], 1, (b, i, v) => b.writeUInt8(v, i)],
    ];
    for (const [descr, values, bytes, write] of cases) {
      const a = readNpy(npy(descr, [3], payload(3, bytes, (b, i) => write(b, i, values[i]))));
      const expected = descr === "<f4" ? values.map(Math.fround) : values;
      expect({ descr, shape: a.shape, data: Array.from(a.data) }).toEqual({ descr, shape: [3], data: expected });
    }
  });

  it("handles 3-D, scalar and empty shapes, and v2/v3 headers", () => {
    // Expected: shape [2, 1, 3] with 6 values in C order; shape [] (a scalar) with 1 value;
    // shape [0, 4] with no data; and the same result from v2 and v3 headers as from v1.
    const six = payload(6, 4, (b, i) => b.writeInt32LE(10 * i, i * 4));
    for (const version of [1, 2, 3] as const) {
      const a = readNpy(npy("<i4", [2, 1, 3], six, { version }));
      expect(a.shape).toEqual([2, 1, 3]);
      expect(Array.from(a.data)).toEqual([0, 10, 20, 30, 40, 50]);
    }
    const scalar = readNpy(npy("<f8", [], payload(1, 8, (b) => b.writeDoubleLE(42, 0))));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data)).toEqual([42]);
    const empty = readNpy(npy("<f8", [0, 4], Buffer.alloc(0)));
    expect(empty.shape).toEqual([0, 4]);
    expect(empty.data.length).toBe(0);
  });

  it("reads from a Buffer that is an unaligned slice of a larger allocation", () => {
    // Expected: [1.5, -2] — DataView reads at any byte offset, so a pooled Buffer is fine.
    const file = npy("<f8", [2], payload(2, 8, (b, i) => b.writeDoubleLE([1.5, -2][i], i * 8)));
    const big = Buffer.alloc(file.length + 3);
    file.copy(big, 3);
    expect(Array.from(readNpy(big.subarray(3)).data)).toEqual([1.5, -2]);
  });

  it("accepts Python-2 style shapes like (3L, 2L)", () => {
    // Expected: shape [3, 2]; old numpy on Python 2 wrote long integers with an L suffix.
    const header = "{'descr': '<i2', 'fortran_order': False, 'shape': (3L, 2L), }\n";
    const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
    const a = readNpy(Buffer.concat([head, Buffer.from(header), Buffer.alloc(12)]));
    expect(a.shape).toEqual([3, 2]);
  });

  it("rejects Fortran order, big-endian and unsupported dtypes with clear messages", () => {
    // Expected: ArrayFileError naming the problem in each case (4 cases).
    const four = Buffer.alloc(32);
    expectArrayError(() => readNpy(npy("<f8", [2, 2], four, { fortran: true })), /Fortran-ordered/);
    expectArrayError(() => readNpy(npy(">f8", [2, 2], four)), /big-endian .*'>f8'.*'<f8'/);
    expectArrayError(() => readNpy(npy("<c16", [2], four)), /unsupported .npy dtype '<c16'/);
    expectArrayError(() => readNpy(npy("<U4", [2], four)), /unsupported .npy dtype '<U4'/);
  });

  it("rejects structured dtypes, bad magic, bad versions, truncated data and malformed headers", () => {
    // Expected: ArrayFileError for each of the 6 broken files, with a message saying why.
    const structured = "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }\n";
    const head = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, structured.length, 0]);
    expectArrayError(() => readNpy(Buffer.concat([head, Buffer.from(structured), Buffer.alloc(8)])), /structured/);
    expectArrayError(() => readNpy(Buffer.from("PK\x03\x04 this is a zip")), /magic/);
    const v9 = npy("<f8", [1], Buffer.alloc(8));
    v9[6] = 9;
    expectArrayError(() => readNpy(v9), /version 9\.0/);
    expectArrayError(() => readNpy(npy("<f8", [3], Buffer.alloc(16))), /16 bytes but shape \(3\).*needs 24.*truncated/);
    expectArrayError(() => readNpy(npy("<f8", [1], Buffer.alloc(16))), /16 bytes but shape \(1\).*needs 8/);
    const broken = Buffer.from(npy("<f8", [1], Buffer.alloc(8)).toString("latin1").replace("'shape': (1,)", "'shape': [1.5]"), "latin1");
    expectArrayError(() => readNpy(broken), /malformed .npy header/);
  });
});

describe("readCsv", () => {
  it("reads comma-separated rows into [rows, cols] in row-major order", () => {
    // Expected: shape [2, 3], data [1, 2.5, -3, 4e-3, 0, 6] (spaces around commas are ignored).
    const a = readCsv("1, 2.5,-3\n4e-3 ,0, 6\n");
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, 2.5, -3, 0.004, 0, 6]);
  });

  it("reads whitespace-separated rows, comments, blank lines and CRLF", () => {
    // Expected: shape [3, 2]; the comment lines, trailing comments and blank lines are skipped.
    const a = readCsv("# encoders\r\n1 0\r\n\r\n  0\t-1   # second\r\n.5 +.5\r\n# end\r\n");
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data)).toEqual([1, 0, 0, -1, 0.5, 0.5]);
  });

  it("skips a header row of non-numbers", () => {
    // Expected: shape [2, 2] with the header "x,y" dropped; a BOM before it is tolerated.
    const a = readCsv("\uFEFFx,y\n1,2\n3,4\n");
    expect(a.shape).toEqual([2, 2]);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4]);
  });

  it("a header with no data gives an empty [0, cols] array; empty text gives [0, 0]", () => {
    // Expected: shape [0, 3] and no data; for "" and comments only, shape [0, 0].
    expect(readCsv("a b c\n").shape).toEqual([0, 3]);
    expect(readCsv("").shape).toEqual([0, 0]);
    expect(readCsv("# nothing\n\n").shape).toEqual([0, 0]);
  });

  it("single column files have shape [rows, 1]", () => {
    // Expected: [3, 1] — always 2-D so callers can check the column count.
    expect(readCsv("1\n2\n3").shape).toEqual([3, 1]);
  });

  it("ragged rows name the 1-based line and both column counts", () => {
    // Line 4 (counting the comment line) has 2 columns where line 2 set 3.
    const e = expectArrayError(() => readCsv("# c\n1,2,3\n4,5,6\n7,8\n"), /line 4 has 2 columns, expected 3 \(as on line 2\)/);
    expect(e.line).toBe(4);
    // A header sets the column count too: expected 2 columns from the header on line 1.
    expectArrayError(() => readCsv("a,b\n1,2,3\n"), /line 2 has 3 columns, expected 2 \(as on line 1\)/);
  });

  it("non-finite values report line:column", () => {
    // Expected: "nan" on line 2 starting at character 4 → "line 2:4"; "inf" and "1e999"
    // (overflows to Infinity) are rejected the same way.
    const e = expectArrayError(() => readCsv("1,2\n3, nan\n"), /line 2:4: non-finite value 'nan'/);
    expect([e.line, e.column]).toEqual([2, 4]);
    expectArrayError(() => readCsv("1 -inf\n"), /line 1:3: non-finite value '-inf'/);
    expectArrayError(() => readCsv("0\n1e999\n"), /line 2:1: non-finite value '1e999'/);
  });

  it("non-numbers and empty fields in data rows report line:column", () => {
    // Expected: 'abc' at line 2 column 3; the empty field between the commas of "1,,2" at
    // line 1 column 3; a first row with a number is data, so its text field is an error.
    expectArrayError(() => readCsv("1 2\n3 abc\n"), /line 2:3: 'abc' is not a number/);
    expectArrayError(() => readCsv("1,,2\n"), /line 1:3: empty field/);
    expectArrayError(() => readCsv("x,1\n2,3\n"), /line 1:1: 'x' is not a number/);
    // Hex and numbers with a trailing unit are not numbers either.
    expectArrayError(() => readCsv("1\n0x10\n"), /line 2:1: '0x10' is not a number/);
    expectArrayError(() => readCsv("1\n5ms\n"), /line 2:1: '5ms' is not a number/);
  });
});
