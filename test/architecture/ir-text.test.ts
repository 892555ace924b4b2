/**
 * Issue 9: `lmuc ir --after <hardware pass>` prints a readable, stable text form of the hardware
 * IRs: a few summary lines per block, group and core, not the hundreds of thousands of JSON lines
 * the weights would take. The key lines of lmu-delay after quantize are pinned: they are the
 * registers of the build the hash test pins (build-hashes.long.test.ts), so a change here is a change
 * of the compiled chip, or of the text form, and either should be deliberate.
 */
import { expectCleanError, lmuc } from "../helpers/cli.js";

describe("lmuc ir --after a hardware pass", () => {
  let quantize: string;
  beforeAll(async () => {
    const r = await lmuc("ir", "examples/lmu-delay.yaml", "--after", "quantize");
    expect(r.code).toBe(0);
    quantize = r.out;
  });

  test("lmu-delay after quantize: one header, the two blocks' registers, the four weight groups", () => {
    const lines = quantize.trimEnd().split("\n");
    expect(lines[0]).toBe("// ---- IR after quantize");
    // 800 LIF neurons plus one decode block of 2 × 8 rows × 4 levels = 64 compartments; the four
    // groups: host input → mem, mem → decode, the decode block's own feedback, decode → mem.
    expect(lines[1]).toBe("quantized 'lmu-delay' dt 0.001 s: 2 blocks, 4 groups, 1 inputs, 0 warnings");
    expect(lines).toContain("block mem n 800 decayU 40 decayV 200 refract 3 vmin 0 vmax 8388607");
    expect(lines).toContain("block mem/recurrent/decode (decode) n 64 decayU 15 decayV 4095 refract 1 vmin 0 vmax 8388607");
    expect(lines.filter((l) => l.startsWith("group ")).map((l) => l.split(":")[0])).toEqual([
      "group mem/input", "group mem/recurrent/0", "group mem/recurrent/decode", "group mem/recurrent/0",
    ]);
    expect(lines).toContain("host reads mem");
    // Summaries, not weights: 2 lines per block, 1 per group, 2 for the host, and the headers.
    expect(lines.length).toBe(12);
  });

  test("the same text on every run (stable)", async () => {
    const again = await lmuc("ir", "examples/lmu-delay.yaml", "--after", "quantize");
    expect(again.out).toBe(quantize);
  });

  test("after partition: every core's counts and where each block's neurons went", async () => {
    const r = await lmuc("ir", "examples/lmu-delay.yaml", "--after", "partition");
    expect(r.code).toBe(0);
    // README: lmu-delay compiles to 1 core (lower bound 1), both blocks on it.
    expect(r.out).toMatch(/^chip lmuc-chip\/1 target loihi1 dt 0\.001 s: 1 cores, 1 host inputs$/m);
    expect(r.out).toMatch(/^core 0 chip 0: 864 compartments, /m);
    expect(r.out).toContain("placement mem: neurons 0..799 on core 0 at ");
    expect(r.out).toMatch(/^partitioned: 1 cores \(lower bound 1, /m);
  });

  test("every hardware pass can be printed, in pipeline order, with --target", async () => {
    const r = await lmuc("ir", "examples/lmu-memory.yaml", "--target", "loihi1");
    expect(r.code).toBe(0);
    const sections = [...r.out.matchAll(/^\/\/ ---- IR after (\S+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(["frontend", "expand-lmu", "build-nef", "decode-hubs", "decode-paths", "pole-correction", "calibrate", "lower", "quantize", "partition"]);
  });

  test("an unknown pass names the hardware passes too", async () => {
    const r = await lmuc("ir", "examples/lmu-memory.yaml", "--after", "placement");
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown pass 'placement'");
    expect(r.err).toContain("decode-hubs, decode-paths, pole-correction, calibrate, lower, quantize, partition");
    expectCleanError(r);
  });
});
