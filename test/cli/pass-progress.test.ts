/**
 * Progress inside one long pass: the NEF build reports each connection whose decoders it solved,
 * and the compiler's calibration run reports its steps, through the callbacks the CLI's progress
 * bars listen to (issue 13: "every phase that can take more than a second shows progress").
 */
import { loadNetworkFile } from "../../src/api.js";
import { compileNetwork } from "../../src/compile.js";
import { loadTarget } from "../../src/target/target.js";

test("compile reports decoder solves per connection and calibration steps, ending at their totals", () => {
  const net = loadNetworkFile("test/golden/small-lmu.yaml");
  const seen = new Map<string, [number, number][]>();
  compileNetwork(net, loadTarget("loihi1"), {
    calibrationSteps: 250,
    onProgress: (phase, done, total) => void (seen.get(phase) ?? seen.set(phase, []).get(phase)!).push([done, total]),
  });
  expect([...seen.keys()]).toEqual(["solve decoders", "calibrate"]);
  const solves = seen.get("solve decoders")!;
  // One call per connection after expand-lmu, counting up to the total without skipping.
  const total = solves[0][1];
  expect(total).toBeGreaterThan(1);
  expect(solves.map(([d]) => d)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  // Calibration: every 100 steps and the last one, 250 steps → 100, 200, 250.
  expect(seen.get("calibrate")).toEqual([[100, 250], [200, 250], [250, 250]]);
});
