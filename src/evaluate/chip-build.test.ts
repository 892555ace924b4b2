/**
 * When `evaluate --build DIR` may load a trained cell's build instead of compiling it: only when
 * everything the build was made from is the same. Each difference is named, as the LMU7042
 * warning prints it (option keys as the network file spells them).
 */
import { recordDifferences, RECORD_FORMAT, type TrainedBuildRecord } from "./chip-build.js";

const base: TrainedBuildRecord = {
  format: RECORD_FORMAT,
  lmuc: "0.1.0",
  network: "psd",
  cell: "lmu",
  readout: "logits",
  network_sha256: "a".repeat(64),
  target: { name: "loihi1", sha256: "t".repeat(64) },
  decode_neurons: "always",
  calibration: { inputs_sha256: "c".repeat(64), sequences: 360, steps: 64, compiler_sequences: 4 },
  presentation_steps: 20,
  options: { presentationSteps: 20, hiddenPerUnit: 40, maxRatesHz: [300, 600] },
  choices: [{ key: "presentation_steps", value: 20, source: "default" }],
  x_node: "…",
};

test("an identical record (choices' sources aside) is reusable: no differences", () => {
  expect(recordDifferences(base, { ...base, choices: [{ key: "presentation_steps", value: 20, source: "flag" }] })).toEqual([]);
});

test("each difference is named: weights, calibration inputs, K and a list-valued choice, target, lmuc version (6 lines)", () => {
  const wanted: TrainedBuildRecord = {
    ...base,
    lmuc: "0.2.0",
    network_sha256: "b".repeat(64),
    target: { name: "loihi2", sha256: "u".repeat(64) },
    calibration: { ...base.calibration, inputs_sha256: "d".repeat(64), sequences: 10 },
    options: { ...base.options, presentationSteps: 40, maxRatesHz: [200, 400] },
  };
  const d = recordDifferences(base, wanted);
  expect(d).toEqual([
    "lmuc 0.1.0, now 0.2.0",
    "the cell's or readout's weights",
    "target loihi1, now loihi2",
    "calibration inputs (360 sequences of 64 steps, sha256 cccccccccccc…; now 10 of 64, dddddddddddd…)",
    "max_rates [300,600], now [200,400]",
    "presentation_steps 20, now 40",
  ]);
});

test("a record of another format is stale whatever else it says", () => {
  expect(recordDifferences({ ...base, format: "lmuc-trained-build/0" as typeof RECORD_FORMAT }, base)).toEqual(["record format lmuc-trained-build/0"]);
});
