/**
 * A hardware run: the chip emulator and the host program stepped together, as a chip and its
 * host computer would be. Per step n:
 *   1. the chip runs step n, receiving the spikes the host encoders produced in host step n − 1
 *      (a host spike takes one step to reach the chip, hardware-model §3.7);
 *   2. the host runs step n: its external ensembles hold the chip's step-n spikes (and voltages),
 *      its nodes and encoders compute, its probes record.
 * Node → chip → host therefore has the latencies of the float model: a node value of step n
 * reaches the chip's currents in step n + 1, and a chip spike of step n reaches host values
 * (through a synapse) in step n + 1.
 */
import type { HostProgram } from "../ir/host.js";
import type { ChipConfig } from "../ir/core.js";
import { Simulator, type ProbeResult } from "../sim/simulator.js";
import { EmulatorStepCoster, placeCore } from "./cost.js";
import { Emulator, type DeliveryMode, type InputSpikes, type OverflowPolicy } from "./engine.js";
import { chipToModel } from "./from-chip.js";
import { runSteps } from "../util/run-steps.js";
import { deriveSeed } from "../util/rng.js";
import { rne } from "./arith.js";

/**
 * The host's error signal for PES learning groups: fills `out` (the group's d float errors e,
 * Nengo's sign: actual − target) for the chip step `step` about to run. The runner scales, rounds
 * and clips it into the group's error register (hardware-model.md §6.3).
 */
export type LearningErrorSource = (group: number, channel: string, step: number, out: Float64Array) => void;

/** The chip's error register from a float error e: clip(rne(scale·e), −max, max) (§6.3; −0 stored as 0). */
export function errorRegister(e: number, scale: number, max: number): number {
  const r = rne(scale * e) + 0;
  return r > max ? max : r < -max ? -max : r;
}

/**
 * The compiled error path: each group's channel is a host node (`<connection>/error`, written by
 * lmuc compile) whose output of the last host step is the error. Undefined when the chip does not
 * learn, or when a channel is no host node of the group's size (a hand-built chip: the caller
 * then supplies the errors; the build loader refuses such a compiled build, LMU5009).
 */
function hostErrorSource(host: Simulator, channels: readonly string[], dims: readonly number[]): LearningErrorSource | undefined {
  const views = channels.map((ch) => host.nodeOutputView(ch));
  if (channels.length === 0 || views.some((v, g) => v === undefined || v.length !== dims[g])) return undefined;
  return (group, _channel, _step, out) => out.set(views[group]!);
}

export interface HardwareRunOptions {
  overflow?: OverflowPolicy;
  expectedSteps?: number;
  delivery?: DeliveryMode;
  /** Seed of the stochastic rounding of learning (default 0); the emulator gets deriveSeed(seed, "pes-stochastic-rounding"). */
  learningSeed?: number;
  /**
   * Called before every chip step for every learning group. Default: the host node named by the
   * group's error channel (what lmuc compile emits); a chip whose channels are no host nodes
   * needs this or setLearningError.
   */
  learningError?: LearningErrorSource;
}

export interface RunStats {
  readonly steps: number;
  readonly cores: number;
  readonly synapticEvents: number;
  readonly spikes: number;
  readonly compartmentUpdates: number;
  /** Modelled chip time and energy per step (§7.3): mean and max over the run. */
  readonly stepNsMean: number;
  readonly stepNsMax: number;
  readonly energyPjMean: number;
  /** Per core: mean modelled time (ns) and energy (pJ) per step, and synaptic events. */
  readonly perCore: readonly { readonly core: number; readonly nsMean: number; readonly pjMean: number; readonly synapticEvents: number; readonly spikes: number }[];
  readonly overflows: { readonly q: number; readonly u: number; readonly uBias: number };
  /** Wall-clock time spent in step() and run() (chip, host and cost accounting). */
  readonly wallSeconds: number;
}

interface ExternalLink {
  /** The host simulator's arrays of the ensemble (replaced when reset() makes a new host). */
  output: Float64Array;
  voltage: Float64Array;
  readonly ensemble: string;
  /** Global compartment of each neuron. */
  readonly compartment: Int32Array;
  readonly spikeHz: number;
  readonly sigmaV: Float64Array;
  /** Only ensembles whose voltage the host probes need it converted every step. */
  readonly readsVoltage: boolean;
  /** A learned readout: its output is v/σ every step (NeuronPlacement.readsValue), not spikes. */
  readonly readsValue: boolean;
}

export class HardwareRun {
  readonly emulator: Emulator;
  private hostSim: Simulator;
  private readonly links: ExternalLink[] = [];
  /** For each global compartment: the external link reading it (−1 none) and the neuron index. */
  private readonly compLink: Int32Array;
  private readonly compNeuron: Int32Array;
  private readonly encoders: { output: Float64Array; readonly id: string; readonly input: number; readonly channels: Int32Array; readonly spikeHz: number }[] = [];
  private readonly expectedSteps: number;
  /**
   * Encoder spikes of the last host step, delivered to the chip in the next one: one entry per
   * encoder, reused every step (`count` says how many of its channels spiked).
   */
  private readonly pendingInputs: InputSpikes[] = [];
  private readonly coreNs: Float64Array;
  private readonly corePj: Float64Array;
  private readonly coreIndexOf: Int32Array;
  private readonly coreSpikes: Float64Array;
  private readonly coreSyn: Float64Array;
  private stepNsSum = 0;
  private stepNsMax = 0;
  private energySum = 0;
  private wall = 0;
  private readonly coster: EmulatorStepCoster;
  /** The error channel of each learning group (chipToModel order): what the host must supply. */
  readonly learningChannels: readonly string[];
  private readonly learningGroups: ReturnType<typeof chipToModel>["learningGroups"];
  private readonly errorFloat: Float64Array[];
  private readonly errorInt: Int32Array[];
  /** The caller's error source (HardwareRunOptions.learningError), else the compiled host path. */
  private readonly userLearningError: LearningErrorSource | undefined;
  private learningError: LearningErrorSource | undefined;
  /** Error entries clipped to ±errorMax since construction (NengoLoihi warns on each). */
  clippedErrors = 0;

  constructor(
    readonly chip: ChipConfig,
    readonly program: HostProgram,
    opts: HardwareRunOptions = {},
  ) {
    const layout = chipToModel(chip);
    this.emulator = new Emulator(layout.model, {
      overflow: opts.overflow ?? "warn",
      delivery: opts.delivery ?? "auto",
      learningSeed: deriveSeed(opts.learningSeed ?? 0, "pes-stochastic-rounding"),
    });
    this.learningGroups = layout.learningGroups;
    this.learningChannels = layout.learningGroups.map((g) => g.errorChannel);
    this.errorFloat = layout.learningGroups.map((g) => new Float64Array(g.dims));
    this.errorInt = layout.learningGroups.map((g) => new Int32Array(g.dims));
    this.userLearningError = opts.learningError;
    this.expectedSteps = opts.expectedSteps ?? 1024;
    this.hostSim = new Simulator(program.network, { expectedSteps: this.expectedSteps });
    this.learningError = this.errorSource();
    const dt = program.network.dtSeconds;
    for (const p of program.placements) {
      const state = this.hostSim.externalState(p.ensemble);
      const ens = program.network.ensembles.find((e) => e.id === p.ensemble)!;
      const compartment = new Int32Array(ens.nNeurons).fill(-1);
      for (const seg of p.segments) {
        const base = layout.coreOffset[layout.corePosition.get(seg.core)!] + seg.localStart;
        for (let i = 0; i < seg.count; i++) compartment[seg.neuronStart + i] = base + i;
      }
      const readsVoltage = program.network.probes.some((pr) => pr.attr === "voltage" && pr.target.id === p.ensemble);
      this.links.push({ output: state.output, voltage: state.voltage, ensemble: p.ensemble, compartment, spikeHz: ens.neuron.amplitude / dt, sigmaV: p.sigmaV, readsVoltage, readsValue: p.readsValue === true });
    }
    // Placement can put a later part of an ensemble on an earlier core, so neuron order and
    // compartment order differ: spikes are mapped back through an index, not a merge.
    this.compLink = new Int32Array(layout.model.compartments.count).fill(-1);
    this.compNeuron = new Int32Array(layout.model.compartments.count);
    this.links.forEach((link, li) => {
      link.compartment.forEach((c, i) => {
        if (c < 0) return;
        this.compLink[c] = li;
        this.compNeuron[c] = i;
      });
    });
    for (const inp of program.inputs) {
      const view = this.hostSim.ensembleView(inp.id)!;
      const enc = { output: view.output, id: inp.id, input: layout.inputIndex.get(inp.id)!, channels: new Int32Array(inp.channels), spikeHz: 1 / dt };
      this.encoders.push(enc);
      this.pendingInputs.push({ input: enc.input, channels: enc.channels, count: 0 });
    }
    this.coster = new EmulatorStepCoster(this.emulator.activity, { placement: placeCore });
    const n = chip.cores.length;
    this.coreNs = new Float64Array(n);
    this.corePj = new Float64Array(n);
    this.coreSpikes = new Float64Array(n);
    this.coreSyn = new Float64Array(n);
    this.coreIndexOf = Int32Array.from(chip.cores.map((c) => c.index));
  }

  /** The host program's simulator (a new one after reset()). */
  get host(): Simulator {
    return this.hostSim;
  }

  /**
   * Back to step 0 without rebuilding the chip's tables (most of the constructor's time on a
   * large build): the chip state, a fresh host simulator, pending host spikes and statistics.
   * A run after reset() is the run of a new HardwareRun, step for step.
   */
  reset(): void {
    this.emulator.reset();
    this.hostSim = new Simulator(this.program.network, { expectedSteps: this.expectedSteps });
    for (const link of this.links) {
      const state = this.hostSim.externalState(link.ensemble);
      link.output = state.output;
      link.voltage = state.voltage;
    }
    for (const enc of this.encoders) enc.output = this.hostSim.ensembleView(enc.id)!.output;
    for (const p of this.pendingInputs) p.count = 0;
    this.stepNsSum = this.stepNsMax = this.energySum = this.wall = 0;
    for (const a of [this.coreNs, this.corePj, this.coreSpikes, this.coreSyn]) a.fill(0);
    this.clippedErrors = 0;
    // The compiled error path reads the host's node outputs: the new host's.
    this.learningError = this.errorSource();
  }

  private errorSource(): LearningErrorSource | undefined {
    return this.userLearningError ?? hostErrorSource(this.hostSim, this.learningChannels, this.learningGroups.map((g) => g.dims));
  }

  /** One step of chip and host (see the module comment). */
  step(): void {
    const t0 = performance.now();
    this.advance();
    this.wall += (performance.now() - t0) / 1000;
  }

  run(steps: number, onProgress?: (done: number, total: number) => void): void {
    // Timed as a whole: performance.now() returns a boxed number, two allocations per step.
    const t0 = performance.now();
    runSteps(() => this.advance(), steps, onProgress);
    this.wall += (performance.now() - t0) / 1000;
  }

  /**
   * Writes learning group `group`'s error register for the coming steps from the float error e
   * (d entries): E' = clip(rne(errorScale·e), −errorMax, errorMax), hardware-model.md §6.3.
   */
  setLearningError(group: number, error: ArrayLike<number>): void {
    const g = this.learningGroups[group];
    if (g === undefined) throw new RangeError(`learning group ${group} does not exist (the chip has ${this.learningGroups.length})`);
    const out = this.errorInt[group];
    for (let j = 0; j < g.dims; j++) {
      if (!Number.isFinite(error[j])) throw new RangeError(`learning group ${group} (${this.learningChannels[group]}): error[${j}] = ${error[j]} is not a finite number`);
      const e = errorRegister(error[j], g.errorScale, g.errorMax);
      if (Math.abs(e) === g.errorMax && Math.abs(rne(g.errorScale * error[j])) > g.errorMax) this.clippedErrors++;
      out[j] = e;
    }
    this.emulator.learning!.setError(group, out);
  }

  /** step() without the clock. Allocates nothing. */
  private advance(): void {
    const emu = this.emulator;
    const source = this.learningError;
    if (source !== undefined) {
      for (let g = 0; g < this.errorFloat.length; g++) {
        source(g, this.learningChannels[g], emu.stepCount + 1, this.errorFloat[g]);
        this.setLearningError(g, this.errorFloat[g]);
      }
    }
    emu.step(this.pendingInputs);
    // Chip spikes and voltages of this step become the host's external ensembles.
    const indices = emu.spikeBufferLastStep;
    const count = emu.spikeCountLastStep;
    const v = emu.v;
    for (const link of this.links) {
      if (link.readsValue) {
        for (let i = 0; i < link.compartment.length; i++) link.output[i] = v[link.compartment[i]] / link.sigmaV[i];
        continue;
      }
      link.output.fill(0);
      if (link.readsVoltage) for (let i = 0; i < link.compartment.length; i++) link.voltage[i] = v[link.compartment[i]] / link.sigmaV[i];
    }
    const compLink = this.compLink, compNeuron = this.compNeuron, links = this.links;
    for (let k = 0; k < count; k++) {
      const li = compLink[indices[k]];
      if (li >= 0) links[li].output[compNeuron[indices[k]]] = links[li].spikeHz;
    }
    this.hostSim.step();
    // Encoder spikes of this host step go to the chip next step (at most one per channel and step).
    // The emulator has consumed the previous ones, so their buffers are reused.
    for (let e = 0; e < this.encoders.length; e++) {
      const enc = this.encoders[e];
      let n = 0;
      for (let i = 0; i < enc.output.length; i++) if (enc.output[i] !== 0) enc.channels[n++] = i;
      this.pendingInputs[e].count = n;
    }
    const cost = this.coster;
    const activity = emu.activity;
    cost.price(activity);
    this.stepNsSum += cost.stepNs;
    this.stepNsMax = Math.max(this.stepNsMax, cost.stepNs);
    this.energySum += cost.energyPj;
    for (let k = 0; k < this.coreNs.length; k++) {
      const core = this.coreIndexOf[k];
      this.coreNs[k] += cost.coreNs[core] ?? 0;
      this.corePj[k] += cost.corePj[core] ?? 0;
      this.coreSpikes[k] += activity.spikes[core] ?? 0;
      this.coreSyn[k] += activity.synOps[core] ?? 0;
    }
  }

  probeResults(): ProbeResult[] {
    return this.hostSim.probeResults();
  }

  stats(): RunStats {
    const steps = this.emulator.stepCount;
    const emu = this.emulator;
    const totals = emu.overflowTotals;
    return {
      steps,
      cores: this.chip.cores.length,
      synapticEvents: emu.totalSynapticEvents,
      spikes: emu.totalSpikes,
      compartmentUpdates: steps * this.chip.cores.reduce((s, c) => s + c.nCompartments, 0),
      stepNsMean: steps ? this.stepNsSum / steps : 0,
      stepNsMax: this.stepNsMax,
      energyPjMean: steps ? this.energySum / steps : 0,
      perCore: this.chip.cores.map((c, k) => ({ core: c.index, nsMean: steps ? this.coreNs[k] / steps : 0, pjMean: steps ? this.corePj[k] / steps : 0, synapticEvents: this.coreSyn[k], spikes: this.coreSpikes[k] })),
      overflows: { q: totals.q, u: totals.u, uBias: totals.uBias },
      wallSeconds: this.wall,
    };
  }
}
