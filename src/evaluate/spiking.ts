/**
 * Sequence runners of the spiking modes: the converted network (passes/convert-cells.ts) on the
 * float simulator, or its build on the chip emulator with the host program. Each sequence starts
 * from a fresh state: the simulator is rebuilt from the same BuiltNetwork, the hardware run from
 * the same loaded build; only the rows of the `x` data node change between sequences.
 */
import type { BuiltNetwork } from "../ir/built.js";
import type { ChipConfig } from "../ir/core.js";
import type { HostProgram } from "../ir/host.js";
import { Simulator } from "../sim/simulator.js";
import { HardwareRun } from "../emulator/runner.js";
import { CONVERTED } from "../passes/convert-cells.js";

/** Per-sequence activity: what the report sums and divides by the sequence count. */
export interface SequenceActivity {
  spikes: number;
  synapticEvents: number;
  /** Modelled chip time (ns) and energy (pJ) of the whole sequence; 0 in float. */
  chipNs: number;
  chipPj: number;
}

/** The x node's data matrix, found once; rows [steps·K, d]. */
function inputRows(net: BuiltNetwork): Float64Array {
  const n = net.nodes.find((x) => x.id === CONVERTED.input);
  if (!n || n.output.kind !== "data") throw new Error("the converted network has no data node 'x'");
  return n.output.values.data;
}

/** Writes sequence rows (steps × d from xOffset) into the data node, each held for K rows. */
function present(rows: Float64Array, x: Float64Array, xOffset: number, steps: number, d: number, K: number): void {
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) rows[(t * K + k) * d + j] = x[xOffset + t * d + j];
  }
}

/** The logits: the mean of the last `rows` probe rows (the settled end of the last sequence step). */
function meanOfLastRows(data: Float64Array, outputs: number, rows: number, out: Float64Array, outOffset: number): void {
  for (let k = 0; k < outputs; k++) {
    let s = 0;
    for (let r = 1; r <= rows; r++) s += data[data.length - r * outputs + k];
    out[outOffset + k] = s / rows;
  }
}

/** trace[t] ([steps, outputs]): the logits as read at the end of each sequence step, as the final ones are. */
function stepMeans(data: Float64Array, outputs: number, steps: number, K: number, rows: number, trace: Float64Array): void {
  for (let t = 0; t < steps; t++) meanOfLastRows(data.subarray(0, (t + 1) * K * outputs), outputs, rows, trace, t * outputs);
}

export class SpikingFloatRunner {
  private readonly rows: Float64Array;
  private readonly hidden: number;
  constructor(
    private readonly net: BuiltNetwork,
    private readonly K: number,
    private readonly d: number,
    private readonly outputs: number,
    private readonly averageRows: number,
  ) {
    this.rows = inputRows(net);
    this.hidden = net.ensembles.findIndex((e) => e.id === CONVERTED.hidden);
  }

  run(x: Float64Array, xOffset: number, steps: number, out: Float64Array, outOffset: number, act: SequenceActivity, trace?: Float64Array): void {
    present(this.rows, x, xOffset, steps, this.d, this.K);
    const total = steps * this.K;
    const sim = new Simulator(this.net, { expectedSteps: total });
    const views = this.net.ensembles.map((e) => sim.ensembleView(e.id)!.output);
    let spikes = 0;
    for (let n = 0; n < total; n++) {
      sim.step();
      for (const v of views) for (let i = 0; i < v.length; i++) if (v[i] !== 0) spikes++;
    }
    const p = sim.probeResults().find((r) => r.id === CONVERTED.logits)!;
    meanOfLastRows(p.data, this.outputs, this.averageRows, out, outOffset);
    if (trace) stepMeans(p.data, this.outputs, steps, this.K, this.averageRows, trace);
    act.spikes += spikes;
  }
}

export class ChipRunner {
  private readonly rows: Float64Array;
  /** One run, reset between sequences: building the chip's tables costs more than a sequence. */
  private hw?: HardwareRun;
  constructor(
    private readonly chip: ChipConfig,
    private readonly host: HostProgram,
    private readonly K: number,
    private readonly d: number,
    private readonly outputs: number,
    private readonly averageRows: number,
  ) {
    this.rows = inputRows(host.network);
  }

  run(x: Float64Array, xOffset: number, steps: number, out: Float64Array, outOffset: number, act: SequenceActivity, trace?: Float64Array): void {
    present(this.rows, x, xOffset, steps, this.d, this.K);
    const total = steps * this.K;
    if (this.hw) this.hw.reset();
    else this.hw = new HardwareRun(this.chip, this.host, { expectedSteps: total, overflow: "wrap" });
    const run = this.hw;
    run.run(total);
    const p = run.probeResults().find((r) => r.id === CONVERTED.logits)!;
    meanOfLastRows(p.data, this.outputs, this.averageRows, out, outOffset);
    if (trace) stepMeans(p.data, this.outputs, steps, this.K, this.averageRows, trace);
    const s = run.stats();
    act.spikes += s.spikes;
    act.synapticEvents += s.synapticEvents;
    act.chipNs += s.stepNsMean * s.steps;
    act.chipPj += s.energyPjMean * s.steps;
  }
}
