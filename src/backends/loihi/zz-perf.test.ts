import { loadTarget } from "../../target/target.js";
import type { ChipConfig, CoreConfig } from "../../ir/core.js";
import { emitCoresBin, emitChipYaml } from "./emit.js";
import { verifyChip } from "../../ir/verify-core.js";
import { loadCoresBin } from "./load.js";
it("perf", () => {
  const t = loadTarget("loihi1");
  const n = 1024;
  const rows = Array.from({ length: 113 }, (_, r) => ({ offsets: Int32Array.from({ length: n }, (_, j) => j), weights: Int32Array.from({ length: n }, (_, j) => 2 * (((r * 131 + j * 17) % 255) - 127)) }));
  const mk = (i: number): CoreConfig => ({ index: i, chip: Math.floor(i / 128), blocks: [{ label: "big", start: 0, count: n, source: "x" }], nCompartments: n, vmin: 0, vmax: 2 ** 23 - 1,
    cxProfiles: [{ decayU: 1, decayV: 1, refractDelay: 1 }], vthProfiles: [5], cxProfile: new Uint8Array(n), cxVthProfile: new Uint8Array(n), biasMant: new Int32Array(n), biasExp: new Uint8Array(n),
    synapseFormats: [{ weightBits: 8, isMixed: true, weightExp: -3, compression: "dense", idxBits: 0 }],
    inputAxons: Array.from({ length: 4096 }, (_, r) => ({ format: 0, row: r % 113, base: 0 })), synapseRows: rows,
    outputAxons: Array.from({ length: 4096 }, (_, k) => ({ compartment: k % n, core: (i + 1) % 128, axon: k })) });
  const chip: ChipConfig = { format: "lmuc-chip/1", target: "loihi1", dtSeconds: 0.001, cores: Array.from({ length: 128 }, (_, i) => mk(i)), inputs: [] };
  let t0 = Date.now();
  verifyChip(chip, t); console.log("verify", Date.now() - t0); t0 = Date.now();
  const b = emitCoresBin(chip, t); console.log("bin", Date.now() - t0); t0 = Date.now();
  const y = emitChipYaml(chip, t); console.log("yaml", Date.now() - t0, y.length); t0 = Date.now();
  const c = loadCoresBin(b, t); console.log("load", Date.now() - t0); t0 = Date.now();
});
