/**
 * The pass pipeline, in one place: the float passes (NetworkIR → BuiltNetwork) and the hardware
 * passes (BuiltNetwork → ChipConfig). Each pass is a pure function from one IR to the next; the
 * runners verify the output of every pass and can hand every intermediate IR to a callback
 * (for `lmuc ir` and `--dump-ir-after`).
 */
import { diag, DiagnosticError } from "../diagnostics/diagnostic.js";
import type { BuiltNetwork } from "../ir/built.js";
import type { HwNetwork } from "../ir/hw.js";
import { printHw, printQuantized } from "../ir/print-hw.js";
import { printBuilt, printNetwork } from "../ir/print.js";
import type { NetworkIR } from "../ir/network.js";
import type { QuantizedNetwork } from "../ir/quantized.js";
import { verifyChip } from "../ir/verify-core.js";
import { verifyHw, verifyQuantized } from "../ir/verify-hw.js";
import { verifyBuilt, verifyNetwork } from "../ir/verify.js";
import { partition } from "../partition/index.js";
import type { Target } from "../target/types.js";
import { buildNef, type BuildNefOptions } from "./build-nef.js";
import { calibrate, type Calibration } from "./calibrate.js";
import { planHubs, type HubPlan } from "./decode-hub.js";
import { chooseDecodePaths, type DecodeNeuronsMode, type DecodePlan } from "./decode-neurons.js";
import { expandLmus } from "./expand-lmu.js";
import { printPartitioned, printPlanned, verifyPlanned, type PartitionedNetwork, type PlannedNetwork } from "./hw-stages.js";
import { correctPoles, lower } from "./lower.js";
import { quantize } from "./quantize.js";

export type StageIR = NetworkIR | BuiltNetwork;

export interface PassInfo {
  readonly name: string;
  readonly description: string;
  /** The IR kinds it reads and writes (the `stage` of the IR). */
  readonly input?: string;
  readonly output?: string;
}

export const FLOAT_PASSES: readonly PassInfo[] = [
  { name: "frontend", description: "YAML → checked NetworkIR", input: "source", output: "network" },
  { name: "expand-lmu", description: "LMU blocks → nodes, ensembles and connections; legendre readouts → transforms", input: "network", output: "network" },
  { name: "build-nef", description: "draw parameters, gains and biases, solve decoders → BuiltNetwork", input: "network", output: "built" },
];

/** Stops compilation with LMU9001 when a pass produced IR its verifier rejects. */
export function check(name: string, problems: string[]): void {
  if (problems.length > 0) {
    throw new DiagnosticError([diag("LMU9001", `IR verification failed after '${name}': ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ""}`)]);
  }
}

export function runFloatPipeline(net: NetworkIR, onPass?: (name: string, ir: StageIR) => void, opts: BuildNefOptions = {}): BuiltNetwork {
  check("frontend", verifyNetwork(net));
  onPass?.("frontend", net);
  const expanded = expandLmus(net);
  check("expand-lmu", verifyNetwork(expanded));
  onPass?.("expand-lmu", expanded);
  const built = buildNef(expanded, opts);
  check("build-nef", verifyBuilt(built));
  onPass?.("build-nef", built);
  return built;
}

/** The IRs of the hardware passes; each has a `stage`. */
export type HardwareIR = BuiltNetwork | PlannedNetwork | HwNetwork | QuantizedNetwork | PartitionedNetwork;

export interface HardwareContext {
  readonly target: Target;
  readonly decodeNeurons: DecodeNeuronsMode;
  /** Steps of the float calibration run. */
  readonly calibrationSteps: number;
  /** Progress of the calibration run (steps done, total). */
  readonly onCalibrateProgress?: (done: number, total: number) => void;
  /** Calibrates instead of the float run (a rate model from trajectories the caller knows: calibrate-model.ts). */
  readonly calibrator?: Calibrator;
}

/** A calibration of the pole-corrected network other than the float run. */
export type Calibrator = (built: BuiltNetwork, decodePlans: readonly DecodePlan[], hubPlans: readonly HubPlan[]) => Calibration;

interface HardwarePass extends PassInfo {
  readonly run: (ir: HardwareIR, ctx: HardwareContext) => HardwareIR;
  readonly verify: (ir: HardwareIR, ctx: HardwareContext) => string[];
}

/** ir as the stage a pass expects; LMU9001 if the list is out of order (a bug in lmuc). */
function stageOf<T extends HardwareIR>(ir: HardwareIR, stages: readonly string[], pass: string): T {
  if (!stages.includes(ir.stage)) throw new DiagnosticError([diag("LMU9001", `pass '${pass}' reads ${stages.join(" or ")} IR, got '${ir.stage}' (a bug in lmuc)`)]);
  return ir as T;
}
const planned = (ir: HardwareIR, stage: PlannedNetwork["stage"], pass: string): PlannedNetwork => stageOf<PlannedNetwork>(ir, [stage], pass);
const checkPlanned = (ir: HardwareIR): string[] => verifyPlanned(ir as PlannedNetwork);

function correctPolesPass(ir: HardwareIR): PlannedNetwork {
  const p = planned(ir, "paths-planned", "pole-correction");
  const b = p.built;
  const poles = correctPoles(b.connections, new Map(b.ensembles.map((e) => [e.id, e])), b.dtSeconds, new Set(p.decodePlans.map((d) => d.connection)));
  // Decode neurons are sized by the values they will carry: those of the pole-corrected weights.
  const byId = new Map(poles.connections.map((c) => [c.id, c]));
  const decodePlans = p.decodePlans.map((d) => ({ ...d, weights: byId.get(d.connection)!.weights }));
  return { ...p, stage: "pole-corrected", poles, decodePlans };
}

export const HARDWARE_PASSES: readonly HardwarePass[] = [
  {
    name: "decode-hubs", description: "per-dimension LMUs whose recurrence stays on chip: their input nodes folded, hub plans", input: "built", output: "hubs-planned",
    run: (ir, ctx) => {
      const hubs = planHubs(stageOf<BuiltNetwork>(ir, ["built"], "decode-hubs"), ctx.target, ctx.decodeNeurons);
      return { stage: "hubs-planned", built: hubs.built, mode: ctx.decodeNeurons, hubs: hubs.plans, hubChoices: hubs.choices, decodePlans: [], decodeChoices: [] };
    },
    verify: checkPlanned,
  },
  {
    name: "decode-paths", description: "decoded chip → chip connections: neuron-to-neuron weights or decode neurons, and why", input: "hubs-planned", output: "paths-planned",
    run: (ir, ctx) => {
      const p = planned(ir, "hubs-planned", "decode-paths");
      const d = chooseDecodePaths(p.built, ctx.target, ctx.decodeNeurons);
      return { ...p, stage: "paths-planned", decodePlans: d.plans, decodeChoices: d.choices };
    },
    verify: checkPlanned,
  },
  { name: "pole-correction", description: "recurrences corrected for the chip's current pole and decode neurons' extra step", input: "paths-planned", output: "pole-corrected", run: correctPolesPass, verify: checkPlanned },
  {
    name: "calibrate", description: "a short float run: firing rates, current peaks, host input and decoded value ranges", input: "pole-corrected", output: "calibrated",
    run: (ir, ctx) => {
      const p = planned(ir, "pole-corrected", "calibrate");
      const calibration = ctx.calibrator ? ctx.calibrator(p.built, p.decodePlans, p.hubs) : calibrate(p.built, ctx.calibrationSteps, p.decodePlans, p.hubs, ctx.onCalibrateProgress);
      return { ...p, stage: "calibrated", calibration };
    },
    verify: checkPlanned,
  },
  {
    name: "lower", description: "spiking ensembles → blocks of compartments, connections → weight groups, the rest → host program", input: "calibrated", output: "hw",
    run: (ir) => {
      const p = planned(ir, "calibrated", "lower");
      return lower(p.built, p.calibration!, p.decodePlans, p.hubs, p.poles!);
    },
    verify: (ir) => verifyHw(ir as HwNetwork),
  },
  { name: "quantize", description: "float registers and weights → the chip's integers, one scale per compartment class", input: "hw", output: "quantized", run: (ir) => quantize(stageOf<HwNetwork>(ir, ["hw"], "quantize")), verify: (ir) => verifyQuantized(ir as QuantizedNetwork) },
  {
    name: "partition", description: "compartments → cores within every limit, cores placed on the mesh → ChipConfig", input: "quantized", output: "partitioned",
    run: (ir, ctx) => ({ stage: "partitioned", ...partition(stageOf<QuantizedNetwork>(ir, ["quantized"], "partition"), ctx.target) }),
    verify: (ir, ctx) => verifyChip((ir as PartitionedNetwork).chip, ctx.target),
  },
];

/** Runs every hardware pass on `built`, verifying each output; returns each pass's IR by name. */
export function runHardwarePipeline(built: BuiltNetwork, ctx: HardwareContext, onPass?: (name: string, ir: HardwareIR) => void): Map<string, HardwareIR> {
  const out = new Map<string, HardwareIR>();
  let ir: HardwareIR = built;
  for (const pass of HARDWARE_PASSES) {
    ir = pass.run(ir, ctx);
    check(pass.name, pass.verify(ir, ctx));
    onPass?.(pass.name, ir);
    out.set(pass.name, ir);
  }
  return out;
}

/** Stable text of any pass's IR (`lmuc ir`). */
export function printIR(ir: StageIR | HardwareIR): string {
  switch (ir.stage) {
    case "network":
      return printNetwork(ir);
    case "built":
      return printBuilt(ir);
    case "hw":
      return printHw(ir);
    case "quantized":
      return printQuantized(ir);
    case "partitioned":
      return printPartitioned(ir);
    default:
      return printPlanned(ir);
  }
}
