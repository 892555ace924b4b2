/**
 * The emulator's public vocabulary: options, host spike batches, overflow reporting and the
 * per-step activity counts the cost model reads. Kept apart from the step loop (engine.ts) so the
 * engine module holds only what runs every step.
 */
import { Q_BITS, U_BITS, wrapBits } from "./arith.js";
import type { LearningRandom } from "./learning.js";

/** What to do when q, u or u + bias leaves its range (§2.6). Values always wrap, as on the chip. */
export type OverflowPolicy = "wrap" | "warn" | "error";

/** Which register overflowed: the accumulator, the current, or the current plus bias. */
export type OverflowQuantity = "q" | "u" | "uBias";

/**
 * When a compartment counts as "active" for the cost model (§7.3, §9 item 11: the paper does not
 * define it):
 * - "spec": q ≠ 0, it spiked, it was refractory (r > 0 at the start of the step), u ≠ 0 after
 *   the update, or v changed: the default of §7.3;
 * - "input": q ≠ 0 or it spiked (only compartments that received or sent something);
 * - "all": every serviced compartment (an upper bound).
 */
export type ActivityRule = "spec" | "input" | "all";

/**
 * How axon rows are delivered (all give bit-identical results; the choice only changes speed):
 * - "auto": dense rows through the WebAssembly SIMD kernel when the runtime has it (else as
 *   "dense-js"), scattered rows through the general loop;
 * - "dense-js": the same dense rows, added by a JavaScript loop;
 * - "sparse": every row through the general (target, weight, delay) loop, the reference.
 */
export type DeliveryMode = "auto" | "dense-js" | "sparse";

export interface EmulatorOptions {
  overflow?: OverflowPolicy;
  /** Compartments whose u and v are recorded at the end of every step. */
  probe?: { u?: Int32Array; v?: Int32Array; capacitySteps?: number };
  activity?: ActivityRule;
  /** How many overflow messages "warn" keeps (default 16); counting never stops. */
  maxWarnings?: number;
  /** Delivery kernel (default "auto"); for tests and measurements. */
  delivery?: DeliveryMode;
  /**
   * Where the learning engine takes its uniform U for stochastic rounding (models with learning
   * groups only): a recorded sequence (ReplayLearningRandom, as conformance vectors carry) or,
   * by default, SeededLearningRandom(learningSeed).
   */
  learningRandom?: LearningRandom;
  /** Seed of the default generator (default 0); see SeededLearningRandom. */
  learningSeed?: number;
}

/** Host spikes for one step: these channels of input `input` are delivered in this step. */
export interface InputSpikes {
  input: number;
  channels: ArrayLike<number>;
  /** Only channels[0 .. count − 1] are delivered (default: all), so buffers can be reused. */
  count?: number;
}

export interface OverflowCounts {
  q: number;
  u: number;
  uBias: number;
}

/** The first overflow under the "error" policy. The emulator state is mid-step afterwards. */
export class EmulatorOverflowError extends Error {
  constructor(
    readonly step: number,
    readonly compartment: number,
    readonly quantity: OverflowQuantity,
    /** The value before wrapping. */
    readonly value: number,
  ) {
    super(overflowMessage(step, compartment, quantity, value));
    this.name = "EmulatorOverflowError";
  }
}

export function overflowMessage(step: number, compartment: number, quantity: OverflowQuantity, value: number): string {
  const bits = quantity === "q" ? Q_BITS : U_BITS;
  const what = quantity === "q" ? "input accumulator q" : quantity === "u" ? "current u" : "u + bias";
  return `step ${step}: ${what} of compartment ${compartment} overflowed: ${value} is outside [−2^${bits}, 2^${bits}) and wraps to ${wrapBits(value, bits)}`;
}

/**
 * Per-step activity counts for the cost model (§7.3), rewritten in place every step. Per-core
 * arrays are indexed by core (blocks with core −1 count as core 0); per-route arrays by route.
 */
export interface ActivityCounts {
  coreCount: number;
  /** S_k: synaptic entries processed by core k (the core that owns the synapse group). */
  synOps: Int32Array;
  /** Compartments core k updates each step (constant). */
  compartments: Int32Array;
  /** A_k under the chosen ActivityRule. */
  active: Int32Array;
  /** Compartments of core k that spiked. */
  spikes: Int32Array;
  /** M_k: spike messages core k sent (one per route a spiking compartment drives). */
  messages: Int32Array;
  /** Messages carried by each route this step (host input routes included). */
  routeMessages: Int32Array;
  /** Synaptic entries delivered through each route this step. */
  routeSynOps: Int32Array;
  /** Sending core of each route; −1 for a host input. Constant. */
  routeFromCore: Int32Array;
  /** Receiving core of each route (the core of its synapse group's block). Constant. */
  routeToCore: Int32Array;
  /** L_k: learning synapse updates of core k this step (present only for models with learning). */
  learnOps?: Int32Array;
}
