// The learning panel of lmuc compare: windowed NRMSE float vs chip, the part where learning is
// off, and its HTML (deterministic, escaped). Synthetic probes with known errors.
import { loadNetworkText } from "../frontend/index.js";
import type { ProbeResult } from "../sim/simulator.js";
import { learningComparison, learningPanelHtml, learningPanelText } from "./learning-panel.js";

const NET = loadNetworkText(
  `
name: t
dt: 0.1
nodes:
  stim: { output: 1 }
  out: { size_in: 1 }
  err: { size_in: 1, until: 8 }
ensembles:
  ens: { n_neurons: 10, dimensions: 1 }
connections:
  - { from: stim, to: ens }
  - { id: w, from: ens, to: out, function: zero, learning_rule: { pes: {} } }
  - { from: out, to: err, synapse: null }
  - { from: stim, to: err, transform: -1, synapse: null }
  - { from: err, to: w.learning, synapse: null }
probes:
  out: out
  stim: stim
`,
  "t.yaml",
);

const probe = (id: string, values: number[]): ProbeResult => ({ id, attr: "output", size: 1, rows: values.length, sampleEverySteps: 1, data: Float64Array.from(values) }) as unknown as ProbeResult;
const ones = Array.from({ length: 100 }, () => 1);

test("windows of 2 steps … 50 windows over 100 rows; after t = 8 s (row 79) the trained NRMSEs; the untrained outputs 0", () => {
  // float: out = 0.9 everywhere (NRMSE 0.1); chip: 0.8 (0.2); untrained: 0 (1.0).
  const [c] = learningComparison(NET, { float: [probe("out", ones.map(() => 0.9)), probe("stim", ones)], chip: [probe("out", ones.map(() => 0.8))], untrained: [probe("out", ones.map(() => 0))] });
  expect(c.float).toHaveLength(50);
  expect(c.windowSeconds).toBeCloseTo(0.2, 12);
  expect(c.float[0]).toBeCloseTo(0.1, 12);
  expect(c.chip[49]).toBeCloseTo(0.2, 12);
  expect(c.afterFromSeconds).toBeCloseTo(7.9, 12); // row 79 is step 80, t = 8.0 s: the gate's first closed step
  expect(c.learningOff).toBe(true);
  expect([c.untrained, c.floatTrained, c.chipTrained].map((x) => Number(x.toFixed(12)))).toEqual([1, 0.1, 0.2]);
  expect(learningPanelText([c])).toContain("chip 0.2000 (2.00× float)");
  const html = learningPanelHtml([c]);
  expect(html).toBe(learningPanelHtml([c]));
  expect(html).toContain("learning off");
  expect(learningPanelHtml([{ ...c, text: "<a> & b" }])).toContain("&#60;a&#62; &#38; b");
  expect(learningPanelHtml(undefined)).toBe("");
  // A panel like every other: title, units and how to read it (scripts/check-report.sh counts them).
  expect(html.match(/<section class="panel"/g)).toHaveLength(1);
  expect(html).toMatch(/<p class="howto"><span class="units">NRMSE \(dimensionless\) of each 0.2 s window; time in s<\/span> · both curves should fall/);
  // Round y ticks: the axis holds at least 1 plus 5 % (1.05 → steps of 0.5 up to 2); a curve
  // reaching 3.8 (3.99 with the margin) gets 0, 1, 2, 3, 4 (they were 0, 1.00, 2.00, 2.99, 3.99).
  const ticks = (h: string) => [...h.matchAll(/text-anchor="end" font-size="10">([^<]*)</g)].map((m) => m[1]);
  expect(ticks(html)).toEqual(["0", "0.5", "1", "1.5", "2"]);
  expect(ticks(learningPanelHtml([{ ...c, chip: c.chip.map((y, k) => (k === 10 ? 3.8 : y)) }]))).toEqual(["0", "1", "2", "3", "4"]);
});

test("no curve when the probes are missing or of another length", () => {
  expect(learningComparison(NET, { float: [probe("out", ones), probe("stim", ones)], chip: [], untrained: [probe("out", ones)] })).toEqual([]);
  expect(learningComparison(NET, { float: [probe("out", ones), probe("stim", ones)], chip: [probe("out", ones.slice(1))], untrained: [probe("out", ones)] })).toEqual([]);
});
