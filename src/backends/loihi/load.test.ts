import fc from "fast-check";
import { createHash } from "node:crypto";
import { twoCoreChip } from "../../../test/helpers/chips.js";
import { DiagnosticError, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { loadTarget } from "../../target/target.js";
import { emitChip } from "./emit.js";
import { loadCoresBin, parseChipYaml, parseOrigin } from "./load.js";

const loihi1 = loadTarget("loihi1");
const tiny = loadTarget("tiny");

function diagnosticsOf(f: () => unknown): Diagnostic[] {
  try {
    f();
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    return [...e.diagnostics];
  }
  throw new Error("expected a DiagnosticError");
}

/** Re-seals a modified cores.bin with a correct checksum, to reach the decoder's own checks. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out.set(createHash("sha256").update(out.subarray(0, out.length - 32)).digest(), out.length - 32);
  return out;
}

// Round trips (emit → load → emit) are in emit.test.ts.

describe("loadCoresBin errors are LMU5004 diagnostics", () => {
  const { coresBin } = emitChip(twoCoreChip(), loihi1);
  const cases: [string, () => unknown, RegExp][] = [
    ["truncated", () => loadCoresBin(coresBin.subarray(0, coresBin.length - 10), loihi1), /truncated: \d+ of \d+ bytes/],
    ["too short", () => loadCoresBin(coresBin.subarray(0, 20), loihi1), /20 bytes is too short/],
    ["extra bytes", () => loadCoresBin(Buffer.concat([coresBin, Buffer.from([0])]), loihi1), /1 unexpected bytes after the end/],
    ["flipped byte", () => loadCoresBin(coresBin.map((b, i) => (i === 100 ? b ^ 1 : b)), loihi1), /checksum mismatch: the file is damaged/],
    ["bad magic", () => loadCoresBin(Buffer.concat([Buffer.from("NOPE"), coresBin.subarray(4)]), loihi1), /not an lmuc cores.bin \(the file starts with "NOPE"/],
    ["version", () => loadCoresBin(coresBin.map((b, i) => (i === 4 ? 9 : b)), loihi1), /format version 9; this lmuc reads version 1/],
    ["other target", () => loadCoresBin(coresBin, tiny), /built for target 'loihi1', not 'tiny'/],
    [
      "same name, other widths",
      () => loadCoresBin(coresBin, { ...loihi1, limits: { ...loihi1.limits, cxProfilesPerCore: 63 } }),
      /field 'cxProfileIndex' is 5 bits wide in the file but 6 in target 'loihi1'/,
    ],
  ];
  it.each(cases)("%s", (_name, f, message) => {
    const ds = diagnosticsOf(f);
    expect(ds[0].code).toBe("LMU5004");
    expect(ds[0].message).toMatch(/^cores\.bin: /);
    expect(ds[0].message).toMatch(message);
  });

  it("property: any single corrupted byte (even with a valid checksum) gives a valid chip or an LMU5004, never a crash", () => {
    fc.assert(
      fc.property(fc.nat({ max: coresBin.length - 33 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const broken = reseal(coresBin.map((b, k) => (k === i ? b ^ x : b)));
        try {
          const chip = loadCoresBin(broken, loihi1);
          expect(chip.cores.length).toBeLessThanOrEqual(2);
        } catch (e) {
          expect(e).toBeInstanceOf(DiagnosticError);
          expect((e as DiagnosticError).diagnostics[0].code).toBe("LMU5004");
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseChipYaml", () => {
  it("parseChipYaml reports structural problems as LMU5006", () => {
    const ds = diagnosticsOf(() => parseChipYaml("format: lmuc-chip/1\ntarget: x\ndt: 1\ncores: [{ core: 0 }]\ninputs: []\n"));
    expect(ds[0].code).toBe("LMU5006");
    expect(ds[0].message).toMatch(/^chip\.yaml: cores\[0\]\.compartments must be an integer/);
    expect(diagnosticsOf(() => parseChipYaml("a: [")).map((d) => d.code)).toEqual(["LMU5006"]);
  });

  it("parseOrigin reads file:line:col from the right", () => {
    expect(parseOrigin("C:\\a:b.yaml:3:14")).toEqual({ file: "C:\\a:b.yaml", line: 3, column: 14 });
    expect(parseOrigin("nope")).toBeUndefined();
  });
});
