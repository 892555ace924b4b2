import { closeSync, mkdtempSync, openSync, rmSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import type { ProbeResult } from "../sim/simulator.js";
import { LARGE_OUTPUT_BYTES, noteLargeOutput, parseWindow, recordedProbes } from "./record.js";

const dt = 0.001;
/** 10 rows × 2 values: row r holds [r, −r] (row r is step r + 1). */
const state: ProbeResult = { id: "state", attr: "decoded", rows: 10, size: 2, sampleEverySteps: 1, data: Float64Array.from({ length: 20 }, (_, i) => (i % 2 ? -1 : 1) * Math.floor(i / 2)) };
const spikes: ProbeResult = { id: "spikes", attr: "spikes", rows: 10, size: 2, sampleEverySteps: 1, data: new Float64Array(0), spikes: { spikeSteps: [[0, 4, 9], [5]], spikeCounts: [[1, 1, 1], [2]] } };

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof DiagnosticError ? e.diagnostics[0].code : String(e);
  }
  return undefined;
}

test("no subset options: every probe as recorded", () => {
  expect(recordedProbes([state, spikes], {}, 10, dt)).toEqual([state, spikes]);
});

test("--window 0.003:0.008 keeps steps 3..7 (rows 2..6) and says where they start; --sample-every 2 thins them", () => {
  const [w] = recordedProbes([state], { window: "0.003:0.008" }, 10, dt);
  expect(Array.from(w.data)).toEqual([2, -2, 3, -3, 4, -4, 5, -5, 6, -6]);
  expect([w.rows, w.firstStep, w.sampleEverySteps]).toEqual([5, 3, 1]);
  const [e] = recordedProbes([state], { window: "0.003:0.008", sampleEvery: 2 }, 10, dt);
  expect(Array.from(e.data)).toEqual([2, -2, 4, -4, 6, -6]);
  expect([e.rows, e.firstStep, e.sampleEverySteps]).toEqual([3, 3, 2]);
  // Spikes: rows in [3, 8) kept with their counts; sample_every does not thin spikes.
  const [s] = recordedProbes([spikes], { window: "0.003:0.008", sampleEvery: 2 }, 10, dt);
  expect(s.spikes).toEqual({ spikeSteps: [[4], [5]], spikeCounts: [[1], [2]] });
});

test("--probes keeps the named probes; an unknown one is LMU8006; a window past the end is LMU8008", () => {
  expect(recordedProbes([state, spikes], { probes: "spikes" }, 10, dt).map((p) => p.id)).toEqual(["spikes"]);
  expect(codeOf(() => recordedProbes([state, spikes], { probes: "state,stat" }, 10, dt))).toBe("LMU8006");
  expect(codeOf(() => recordedProbes([state], { window: "0.010:0.020" }, 10, dt))).toBe("LMU8008");
  expect(() => parseWindow("3:2")).toThrow(/START < END/);
  expect(() => parseWindow("a:b")).toThrow(/START:END/);
});

test("a file over 50 MiB gets LMU8007 with its size and the options that record less; a small one nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "lmuc-record-"));
  try {
    const big = join(dir, "big.json");
    const fd = openSync(big, "w");
    ftruncateSync(fd, LARGE_OUTPUT_BYTES + 1); // sparse: no 50 MiB written
    closeSync(fd);
    const notes: string[] = [];
    noteLargeOutput(big, (t) => notes.push(t));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/note LMU8007: wrote .*big\.json: 50\.0 MiB/);
    expect(notes[0]).toContain("--probes ID,ID  --window START:END (seconds)  --sample-every N");
    const small = join(dir, "small.json");
    closeSync(openSync(small, "w"));
    noteLargeOutput(small, (t) => notes.push(t));
    expect(notes).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
