/**
 * `lmuc import` and `lmuc evaluate` end to end: results independent of worker count and of
 * sharding, bad input as located errors with exit 2 and nothing written.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { npyBytes } from "../../src/importers/write-network.js";
import { Progress } from "../../src/util/progress.js";
import { expectCleanError, lmuc } from "../helpers/cli.js";
import { MODELS, psdigitsDataset } from "./helpers.js";

const data = psdigitsDataset();
const net = join(data.dir, "net", "psdigits-lmu.yaml");
const out = (name: string): string => join(data.dir, name);

beforeAll(async () => {
  const r = await lmuc("import", join(MODELS, "psdigits", "lmu-tanh.pt"), "-o", net);
  expect(r.code).toBe(0);
});

test("import prints what it recognised and wrote: the YAML and its 10 weight files", async () => {
  const r = await lmuc("import", join(MODELS, "psdigits", "lmufft-relu.pt"), "-o", out("fft/fft.yaml"), "--json");
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  expect([j.kind, j.hidden, j.order, j.theta_steps, j.classes]).toEqual(["lmu-fft", 96, 32, 64, 10]);
  // 6 cell tensors (A, B, W_u, b_u, W_h, b_h) + 2 readout tensors + the YAML
  expect(readdirSync(out("fft")).sort()).toEqual(["fft.A.npy", "fft.B.npy", "fft.W_h.npy", "fft.W_u.npy", "fft.b_h.npy", "fft.b_u.npy", "fft.readout-bias.npy", "fft.readout-weight.npy", "fft.yaml"]);
  expect(j.notes[0]).toContain("skipped 'lmu.fft_H'");
});

test("evaluate: 1 and 2 workers give byte-identical JSON; accuracy 98.06 % (353/360)", async () => {
  const r1 = await lmuc("evaluate", net, "--inputs", data.x, "--labels", data.y, "--workers", "1", "--out", out("w1.json"));
  const r2 = await lmuc("evaluate", net, "--inputs", data.x, "--labels", data.y, "--workers", "2", "--out", out("w2.json"), "--report", out("w2.html"));
  expect([r1.code, r2.code]).toEqual([0, 0]);
  expect(r1.out).toContain("float: accuracy 98.06 % (353/360)");
  expect(readFileSync(out("w1.json"), "utf8")).toBe(readFileSync(out("w2.json"), "utf8"));
  const doc = JSON.parse(readFileSync(out("w1.json"), "utf8"));
  expect(doc.modes.float.correct).toBe(353);
  expect(doc.modes.float.predictions).toHaveLength(360);
  expect(doc.modes.float.logits[0]).toHaveLength(10);
  // the confusion matrix counts every sequence once, its diagonal the correct ones
  expect(doc.modes.float.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(360);
  expect(doc.modes.float.confusion.reduce((a: number, row: number[], i: number) => a + row[i], 0)).toBe(353);
  const html = readFileSync(out("w2.html"), "utf8");
  expect(html).toContain("98.06 %");
  expect(html).toContain("7 misclassified sequences");
});

test("--json on stdout is keyed by mode", async () => {
  const r = await lmuc("evaluate", net, "--inputs", data.x, "--labels", data.y, "--json", "--workers", "1");
  expect(r.code).toBe(0);
  const j = JSON.parse(r.out);
  expect(j.float).toEqual({ accuracy: 353 / 360, correct: 353, total: 360 });
});

test("three shards (one of them on 2 workers), merged in any order, equal the whole run byte for byte", async () => {
  for (const [i, w] of [["1", "1"], ["2", "2"], ["3", "1"]]) {
    const r = await lmuc("evaluate", net, "--inputs", data.x, "--labels", data.y, "--shard", `${i}/3`, "--workers", w, "--out", out(`part${i}.json`), "--quiet");
    expect(r.code).toBe(0);
  }
  const whole = await lmuc("evaluate", net, "--inputs", data.x, "--labels", data.y, "--workers", "1", "--out", out("whole.json"));
  expect(whole.code).toBe(0);
  const m = await lmuc("evaluate", "--merge", out("part3.json"), out("part1.json"), out("part2.json"), "--out", out("merged.json"));
  expect(m.code).toBe(0);
  expect(readFileSync(out("merged.json"), "utf8")).toBe(readFileSync(out("whole.json"), "utf8"));
});

test("merging parts with a gap is LMU7032 naming the missing sequences; nothing written", async () => {
  const r = await lmuc("evaluate", "--merge", out("part1.json"), out("part3.json"), "--out", out("gap.json"));
  expect(r.code).toBe(2);
  expect(r.err).toContain("LMU7032: sequences 120..239 are in no part");
  expect(existsSync(out("gap.json"))).toBe(false);
});

// spiking and chip run now (test/evaluate/spiking.test.ts); an unknown mode is still refused before any work.
test("an unknown --mode is a clear error naming the modes, exit 2", async () => {
  const r = await lmuc("evaluate", net, "--inputs", data.x, "--labels", data.y, "--mode", "spikey", "--out", out("spikey.json"));
  expect(r.code).toBe(2);
  expect(r.err).toContain("LMU8002: unknown evaluation mode 'spikey' (modes: float, spiking, chip)");
  expect(existsSync(out("spikey.json"))).toBe(false);
});

test("compile meets a trained cell without calibration inputs: LMU7040 located at the cell's line, saying what to add, exit 2", async () => {
  const r = await lmuc("compile", net, "-o", out("build"));
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/psdigits-lmu\.yaml:10:3: error LMU7040: lmuc compile needs calibration inputs for trained cell 'lmu' .*cells\.lmu\.calibration: \{ inputs: x\.npy \}.*--inputs X\.npy/);
  expect(existsSync(out("build"))).toBe(false);
  expectCleanError(r);
});

describe("bad datasets: located errors, exit 2, nothing written", () => {
  const bad = async (x: string, y: string): Promise<string> => {
    const r = await lmuc("evaluate", net, "--inputs", x, "--labels", y, "--out", out("bad.json"), "--report", out("bad.html"));
    expect(r.code).toBe(2);
    expectCleanError(r);
    expect(existsSync(out("bad.json")) || existsSync(out("bad.html"))).toBe(false);
    return r.err;
  };

  test("inputs of rank 2", async () => {
    writeFileSync(out("rank2.npy"), npyBytes([360, 64], new Float64Array(360 * 64), true));
    expect(await bad(out("rank2.npy"), data.y)).toContain("rank2.npy: inputs have shape [360, 64] (rank 2); expected rank 3: [sequences, steps, 1]");
  });

  test("fewer labels than sequences", async () => {
    writeFileSync(out("y359.npy"), npyBytes([359], new Float64Array(359), false));
    expect(await bad(data.x, out("y359.npy"))).toContain("y359.npy: 359 labels for 360 input sequences");
  });

  test("NaN in the inputs, named by its index", async () => {
    const x = new Float64Array(4 * 64);
    x[2 * 64 + 17] = NaN;
    writeFileSync(out("nan.npy"), npyBytes([4, 64, 1], x, true));
    writeFileSync(out("y4.npy"), npyBytes([4], new Float64Array(4), false));
    expect(await bad(out("nan.npy"), out("y4.npy"))).toContain("nan.npy: inputs[2, 17, 0] is NaN");
  });

  test("a label outside the readout's 10 classes", async () => {
    writeFileSync(out("y4-bad.npy"), npyBytes([4], Float64Array.of(0, 1, 10, 2), false));
    writeFileSync(out("x4.npy"), npyBytes([4, 64, 1], new Float64Array(256), true));
    expect(await bad(out("x4.npy"), out("y4-bad.npy"))).toContain("labels[2] is 10; expected a class 0..9");
  });
});

describe("bad models: exit 2 and no network written", () => {
  test("a pickle with a foreign global", async () => {
    const r = await lmuc("import", join(MODELS, "crafted-foreign-global.pt"), "-o", out("evil/evil.yaml"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("entry evil/data.pkl, byte 41: global 'posix.system' is not allowed");
    expect(existsSync(out("evil"))).toBe(false);
  });

  test("a truncated file", async () => {
    const bytes = readFileSync(join(MODELS, "psdigits", "lmu-tanh.pt"));
    writeFileSync(out("cut.pt"), bytes.subarray(0, 20000));
    const r = await lmuc("import", out("cut.pt"), "-o", out("cut/cut.yaml"));
    expect(r.code).toBe(2);
    expect(r.err).toContain("LMU7001");
    expect(existsSync(out("cut"))).toBe(false);
  });
});

test("a weight file of the wrong shape in the network file is located at its field", async () => {
  const text = readFileSync(net, "utf8").replace("psdigits-lmu.W_m.npy", "psdigits-lmu.W_h.npy");
  writeFileSync(join(data.dir, "net", "wrong.yaml"), text);
  const r = await lmuc("validate", join(data.dir, "net", "wrong.yaml"));
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/wrong\.yaml:24:10: error LMU2002: W_m has shape \[64, 64\], expected \[64, 32\]: hidden \(64\) × order \(32\)/);
  expect(r.err).not.toContain("LMU7020");
});

test("progress off a terminal: one line per interval with rate and ETA, none for short runs", () => {
  let t = 0;
  const lines: string[] = [];
  const p = new Progress({ tty: false, write: (s) => lines.push(s), label: "evaluate", intervalSeconds: 10, now: () => t });
  t = 5;
  p.update(50, 400); // before the first interval: silent
  t = 10;
  p.update(100, 400);
  t = 15;
  p.update(150, 400); // 5 s after the last line: silent
  t = 20;
  p.update(200, 400);
  p.update(400, 400); // the end prints nothing off a terminal (the summary follows)
  expect(lines).toEqual(["evaluate 100/400 sequences (25%), 10 seq/s, ETA 30s\n", "evaluate 200/400 sequences (50%), 10 seq/s, ETA 20s\n"]);
});
