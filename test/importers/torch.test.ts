/** The torch.save reader: real pytorch-lmu files, crafted views and byte orders, and refusals. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { DiagnosticError } from "../../src/diagnostics/diagnostic.js";
import { PickleError, unpickle } from "../../src/importers/pickle.js";
import { readTorchBytes, readTorchFile } from "../../src/importers/torch.js";
import { MODELS } from "./helpers.js";

function diagnosticOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof DiagnosticError) return { code: e.diagnostics[0].code, message: e.diagnostics[0].message };
    throw e;
  }
  throw new Error("expected a DiagnosticError");
}

describe("readTorchFile on the pytorch-lmu models", () => {
  test("lmu-tanh.pt: the 10 tensors of the models README, float32, in file order", () => {
    const sd = readTorchFile(join(MODELS, "psdigits", "lmu-tanh.pt"));
    const shapes = Object.fromEntries([...sd.tensors].map(([k, t]) => [k, t.shape]));
    expect(shapes).toEqual({
      "lmu.cell.e_x": [1, 1], "lmu.cell.e_h": [1, 64], "lmu.cell.e_m": [1, 32], "lmu.cell.W_x": [64, 1], "lmu.cell.W_h": [64, 64],
      "lmu.cell.W_m": [64, 32], "lmu.cell.A": [32, 32], "lmu.cell.B": [32, 1], "classifier.weight": [10, 64], "classifier.bias": [10],
    });
    expect(new Set([...sd.tensors.values()].map((t) => t.dtype))).toEqual(new Set(["float32"]));
    expect(sd.notes).toEqual([]);
  });

  test("lmufft-relu.pt: the complex fft_H buffer [32, 65] is skipped with a note; the 9 real tensors are read", () => {
    const sd = readTorchFile(join(MODELS, "psdigits", "lmufft-relu.pt"));
    expect(sd.tensors.has("lmu.fft_H")).toBe(false);
    expect(sd.tensors.size).toBe(9);
    expect(sd.notes).toHaveLength(1);
    expect(sd.notes[0]).toContain("lmu.fft_H");
    expect(sd.notes[0]).toContain("a complex64 buffer [32, 65]");
    expect(sd.tensors.get("lmu.W_h.weight")!.shape).toEqual([96, 33]);
  });
});

describe("crafted archive: big-endian byteorder record, views, dtypes", () => {
  // Written with Python's pickle and numpy '>' dtypes (test/fixtures/models/crafted-views-bigendian.pt).
  const sd = readTorchFile(join(MODELS, "crafted-views-bigendian.pt"));

  test("a transposed float32 view (stride [1, 4]) of arange(12) reads row-major as its transpose", () => {
    const t = sd.tensors.get("t.transposed")!;
    expect(t.shape).toEqual([4, 3]);
    // element (i, j) = storage[i + 4j]
    expect(Array.from(t.data)).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  test("a float64 view with offset 1 and stride 2 picks elements 1 and 3", () => {
    expect(Array.from(sd.tensors.get("t.strided")!.data)).toEqual([-2.25, 1e-3]);
  });

  test("float16 (through _rebuild_parameter) including its largest and smallest subnormal values, and int64 up to 2^40", () => {
    expect(Array.from(sd.tensors.get("t.half")!.data)).toEqual([0.5, -1, 65504, 2 ** -24]);
    expect(sd.tensors.get("t.half")!.dtype).toBe("float16");
    expect(Array.from(sd.tensors.get("t.long")!.data)).toEqual([3, -4, 2 ** 40]);
  });
});

describe("refusals: located errors, never code execution", () => {
  test("a foreign global (posix.system) is refused at its byte offset 41 in the pickle", () => {
    const d = diagnosticOf(() => readTorchFile(join(MODELS, "crafted-foreign-global.pt")));
    expect(d.code).toBe("LMU7002");
    expect(d.message).toContain("entry evil/data.pkl, byte 41");
    expect(d.message).toContain("global 'posix.system' is not allowed");
  });

  test("the pickle interpreter itself stops at the first disallowed GLOBAL (offset 2 after PROTO)", () => {
    const bytes = new Uint8Array([0x80, 2, ...new TextEncoder().encode("cos\nsystem\n"), 0x2e]);
    let err: unknown;
    try {
      unpickle(bytes, { allowedGlobals: new Set(["collections.OrderedDict"]), reduce: () => null, persistentLoad: () => null, build: (o) => o });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PickleError);
    expect((err as PickleError).offset).toBe(2);
  });

  test("opcodes that build objects (NEWOBJ 0x81) are refused even without a global", () => {
    const bytes = new Uint8Array([0x80, 2, 0x29, 0x29, 0x81, 0x2e]);
    expect(() => unpickle(bytes, { allowedGlobals: new Set(), reduce: () => null, persistentLoad: () => null, build: (o) => o })).toThrow(/opcode 0x81/);
  });

  test("a truncated zip (first half of lmu-tanh.pt) is LMU7001, naming the file", () => {
    const bytes = readFileSync(join(MODELS, "psdigits", "lmu-tanh.pt"));
    const d = diagnosticOf(() => readTorchBytes(bytes.subarray(0, bytes.length >> 1), "half.pt"));
    expect(d.code).toBe("LMU7001");
    expect(d.message).toMatch(/^half\.pt: the zip archive is damaged or truncated/);
  });

  test("a legacy (pre-1.6) torch.save file, a bare pickle, is LMU7001 saying so", () => {
    const d = diagnosticOf(() => readTorchBytes(new Uint8Array([0x80, 2, 0x8a, 0x0a]), "old.pt"));
    expect(d.code).toBe("LMU7001");
    expect(d.message).toContain("legacy (pre-1.6, non-zip)");
  });

  test("a storage entry shorter than its tensor needs is LMU7001 naming the entry and the tensor", () => {
    const pkl = readFileSync(join(MODELS, "crafted-views-bigendian.pt"));
    const full = readTorchBytes(pkl, "ok.pt");
    expect(full.tensors.size).toBe(4);
    const zip = zipSync({ "c/data.pkl": extract(pkl, "crafted/data.pkl"), "c/byteorder": new TextEncoder().encode("big"), "c/data/0": new Uint8Array(8), "c/data/1": new Uint8Array(40), "c/data/2": new Uint8Array(8), "c/data/3": new Uint8Array(24) }, { level: 0 });
    const d = diagnosticOf(() => readTorchBytes(zip, "short.pt"));
    expect(d.code).toBe("LMU7001");
    expect(d.message).toContain("entry c/data/0 (tensor 't.transposed') has 8 bytes, its storage needs 48");
  });
});

/** One stored entry of a zip (fflate: the library the reader under test uses too). */
function extract(zip: Uint8Array, name: string): Uint8Array {
  return unzipSync(zip)[name];
}
