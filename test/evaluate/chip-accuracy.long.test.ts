/**
 * Issue 14's accuracy targets with the default conversion of each cell kind (memory synapse 0.2 s, chip lead step, --decode-neurons
 * always; lmufft: 40 neurons per unit at K 40, where it reaches 92.5 %, 85.28 % at K 20;
 * lmu-tanh: HELD_H_CONVERSION, K 60, 100 neurons per unit, h averaged over the last 33 % of each
 * step, rates 500–1000 Hz, intercepts ±0.95, chip lead ½ substep: README):
 * `lmuc import` then `lmuc evaluate --mode all` in their own processes, as a user runs them
 * (inside jest's sandbox the emulator's hot loop runs 10–20× slower).
 *
 * Targets: chip ≥ 92.5 % lmufft (reached on all 360: 333/360 = 92.50 %), ≥ 97.0 % lmu-tanh
 * (reached on all 360 with its chip lead of ½ substep: 351/360 = 97.50 %; 346/360 = 96.11 % with
 * lead 1; its spiking run gets 350/360 = 97.22 %). lmufft runs on the whole test set (~2.5 min, 2 workers, quiet);
 * lmu-tanh's defaults (K 60, 100 neurons per unit) cost ~12× that per sequence (a whole-set chip
 * run took 56 min on a loaded machine), so CI checks it on every 6th test sequence (60, the
 * fixture test-x-every6th.npy), scaled to all 360 (`--calibration-inputs test-x.npy`, the
 * network's calibration block) so that each of the 60 gets exactly its result in the whole-set
 * run: float, spiking and chip all get 58/60 (both misses, 108 and 138, are float's too), and the
 * chip predicts what the spiking run does on all 60 (lead 1: chip 57, agreement 56). ~8 min on a
 * half-loaded machine.
 * The floors are the counts measured (README "Spiking and on-chip evaluation"), so a change that
 * loses accuracy fails here. Deterministic: the same counts on every run and worker count.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

const MODELS = "test/fixtures/models/psdigits";

/**
 * Measured (lmufft on all 360 sequences, loaded 2-core machine: 339 s with 2 workers; lmu-tanh:
 * its whole-set chip and spiking runs, read at every 6th sequence); `agree`: sequences where the spiking and chip
 * predictions are the same. lmu-tanh runs at its default K (60, HELD_H_CONVERSION); the K passed
 * is the recorded one either way.
 */
const RECORDED = {
  "lmufft-relu": { K: 40, data: "", sequences: 360, float: 337, spiking: 334, chip: 333, agree: 336, calibrateOnAll: false },
  "lmu-tanh": { K: 60, data: "-every6th", sequences: 60, float: 58, spiking: 58, chip: 58, agree: 60, calibrateOnAll: true },
} as const;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lmuc-chip-acc-"));
  for (const f of ["test-x.npy", "test-y.npy", "test-x-every6th.npy", "test-y-every6th.npy"]) writeFileSync(join(dir, f), gunzipSync(readFileSync(join(MODELS, `${f}.gz`))));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lmuc(...args: string[]): string {
  const r = spawnSync(process.execPath, ["bin/lmuc.js", ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`lmuc ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

for (const model of ["lmufft-relu", "lmu-tanh"] as const) {
  test(`${model}: float, spiking and chip on the test sequences (${RECORDED[model].sequences}) reach the recorded counts`, () => {
    const net = join(dir, `${model}.yaml`), out = join(dir, `${model}.json`);
    const want = RECORDED[model];
    // lmu-tanh is scaled to all 360 test sequences (its calibration block), so each of its 60 gets the whole-set run's result.
    lmuc("import", join(MODELS, `${model}.pt`), "-o", net, ...(want.calibrateOnAll ? ["--calibration-inputs", join(dir, "test-x.npy")] : []));
    const data = ["--inputs", join(dir, `test-x${want.data}.npy`), "--labels", join(dir, `test-y${want.data}.npy`)];
    lmuc("evaluate", net, ...data, "--mode", "all", "--presentation-steps", String(want.K), "--workers", "2", "--build", join(dir, `${model}-build`), "--out", out, "--quiet");
    const doc = JSON.parse(readFileSync(out, "utf8"));
    expect(doc.sequences).toBe(want.sequences);
    expect(doc.modes.float.correct).toBe(want.float);
    expect(doc.modes.spiking.correct).toBeGreaterThanOrEqual(want.spiking);
    expect(doc.modes.chip.correct).toBeGreaterThanOrEqual(want.chip);
    expect(doc.modes.chip.spiking.presentation_steps).toBe(want.K);
    // The spiking mode (float simulator) predicts what the chip does.
    const sp: number[] = doc.modes.spiking.predictions, ch: number[] = doc.modes.chip.predictions;
    expect(sp.filter((p, i) => p === ch[i]).length).toBeGreaterThanOrEqual(want.agree);
    // The chip's memory recurrence runs on chip: cores and their lower bound are reported.
    expect(doc.modes.chip.spiking.cores).toBeGreaterThanOrEqual(doc.modes.chip.spiking.cores_lower_bound);
  }, 1_800_000);
}
