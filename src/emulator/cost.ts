/**
 * The per-step timing and energy model of hardware-model.md §7.3, priced with the pre-silicon
 * Loihi 1 figures of Davies 2018 Table 2 (§7.1) on the assumed 8 × 4 tile mesh of §7.2.
 *
 * It is a model, not a measurement: message latency is charged serially to the sender with no
 * pipelining overlap (conservative), and the barrier is interpolated linearly between the two
 * published points. Callers should report the counts next to the totals so users can re-price
 * them; every figure is overridable.
 */
import type { ActivityCounts } from "./engine.js";

/** Per-operation energy (pJ) and time (ns) figures. */
export interface CostFigures {
  /** Synaptic spike operation (one weight entry delivered). */
  synOpPj: number;
  synOpNs: number;
  /** Synaptic update by the learning engine (pairwise STDP in Table 2). */
  learnOpPj: number;
  learnOpNs: number;
  /** Compartment update, active / inactive. */
  cxActivePj: number;
  cxActiveNs: number;
  cxInactivePj: number;
  cxInactiveNs: number;
  /** A spike message within a tile (charged once per message). */
  spikeTilePj: number;
  spikeTileNs: number;
  /** Per tile hop, east-west and north-south. */
  hopEwPj: number;
  hopEwNs: number;
  hopNsPj: number;
  hopNsNs: number;
  /** Mesh-wide barrier with 1 and with 32 tiles in use. */
  barrierNs1: number;
  barrierNs32: number;
  /** Per chip-to-chip hop and extra inter-chip barrier: unpublished, so 0 ("unmodelled") by default. */
  chipHopPj: number;
  chipHopNs: number;
  chipBarrierNs: number;
}

/** Davies 2018 Table 2 (Loihi 1, 14 nm, 0.75 V, pre-silicon); inter-chip costs unmodelled. */
export const LOIHI1_FIGURES: Readonly<CostFigures> = Object.freeze({
  synOpPj: 23.6,
  synOpNs: 3.5,
  learnOpPj: 120,
  learnOpNs: 6.1,
  cxActivePj: 81,
  cxActiveNs: 8.4,
  cxInactivePj: 52,
  cxInactiveNs: 5.3,
  spikeTilePj: 1.7,
  spikeTileNs: 2.1,
  hopEwPj: 3.0,
  hopEwNs: 4.1,
  hopNsPj: 4.0,
  hopNsNs: 6.5,
  barrierNs1: 113,
  barrierNs32: 465,
  chipHopPj: 0,
  chipHopNs: 0,
  chipBarrierNs: 0,
});

/** Cores per tile (§7.2, inferred). */
export const CORES_PER_TILE = 4;
/** Tiles along the east-west axis of one chip. */
export const TILES_X = 8;
/** Tiles along the north-south axis of one chip. */
export const TILES_Y = 4;
/** Tiles per chip, 8 × 4. */
export const TILES_PER_CHIP = TILES_X * TILES_Y;
/** Neuromorphic cores per chip, 32 tiles × 4. */
export const CORES_PER_CHIP = TILES_PER_CHIP * CORES_PER_TILE;
/** Compartments a core updates per update group: it services 4·ceil(n/4) (numUpdates, §4.1). */
export const COMPARTMENTS_PER_UPDATE = 4;

export interface CorePlacement {
  chip: number;
  /** Tile index within the chip, 0..31. */
  tile: number;
  /** East-west tile coordinate 0..7. */
  x: number;
  /** North-south tile coordinate 0..3. */
  y: number;
}

/** §7.2: global core c sits on chip floor(c/128), in tile t = floor((c mod 128)/4), at (t mod 8, floor(t/8)). */
export function placeCore(core: number): CorePlacement {
  const chip = Math.floor(core / CORES_PER_CHIP);
  const tile = Math.floor((core - chip * CORES_PER_CHIP) / CORES_PER_TILE);
  return { chip, tile, x: tile % TILES_X, y: Math.floor(tile / TILES_X) };
}

/** Hops a message travels with dimension-order routing; crossing chips counts chip hops instead. */
export function hopsBetween(from: CorePlacement, to: CorePlacement): { hx: number; hy: number; chipHops: number } {
  if (from.chip !== to.chip) return { hx: 0, hy: 0, chipHops: Math.abs(to.chip - from.chip) };
  return { hx: Math.abs(to.x - from.x), hy: Math.abs(to.y - from.y), chipHops: 0 };
}

/** T_barrier(m) = 113 + (465 − 113)·(m − 1)/31 ns for m tiles in use, m clamped to 1..32. */
export function barrierNs(tilesInUse: number, figures: Readonly<CostFigures> = LOIHI1_FIGURES): number {
  const m = Math.min(Math.max(tilesInUse, 1), TILES_PER_CHIP);
  return figures.barrierNs1 + ((figures.barrierNs32 - figures.barrierNs1) * (m - 1)) / (TILES_PER_CHIP - 1);
}

/** `count` messages sent by core `fromCore` that each travel hx E-W and hy N-S tile hops. */
export interface MessageBatch {
  fromCore: number;
  count: number;
  hx: number;
  hy: number;
  chipHops?: number;
}

/** One step's counts, per core (index = core). */
export interface CoreStepCounts {
  /** S_k. */
  synOps: ArrayLike<number>;
  /** L_k (absent = no learning). */
  learnOps?: ArrayLike<number>;
  /** A_k. */
  active: ArrayLike<number>;
  /** I_k; if absent it is 4·ceil(n_k/4) − A_k from `compartments`. */
  inactive?: ArrayLike<number>;
  /** n_k, compartments on core k (needed when `inactive` is absent). */
  compartments?: ArrayLike<number>;
  /** Messages sent by cores; host-injected spikes are not charged to a core. */
  messages: readonly MessageBatch[];
}

export interface StepCostOptions {
  figures?: Partial<CostFigures>;
  /** Tiles taking part in the barrier; default: tiles of the cores with compartments (busiest chip). */
  tilesInUse?: number;
  /** Chips in use; default: chips of the cores with compartments. */
  chipsInUse?: number;
  /** Core → placement; default placeCore (§7.2 mesh). */
  placement?: (core: number) => CorePlacement;
}

export interface StepCost {
  /** T_k per core, ns. */
  coreNs: Float64Array;
  /** Energy per core, pJ. */
  corePj: Float64Array;
  /** max_k T_k and the core that set it. */
  maxCoreNs: number;
  busiestCore: number;
  /** T_barrier plus the inter-chip barrier when more than one chip is in use. */
  barrierNs: number;
  stepNs: number;
  energyPj: number;
  tilesInUse: number;
  chipsInUse: number;
}

/** T_k, T_step and E_step of §7.3 for one step. */
export function stepCost(counts: CoreStepCounts, opts: StepCostOptions = {}): StepCost {
  const f: CostFigures = { ...LOIHI1_FIGURES, ...opts.figures };
  const place = opts.placement ?? placeCore;
  let cores = Math.max(counts.synOps.length, counts.active.length);
  for (const m of counts.messages) cores = Math.max(cores, m.fromCore + 1);
  const coreNs = new Float64Array(cores);
  const corePj = new Float64Array(cores);
  for (let k = 0; k < cores; k++) {
    const s = counts.synOps[k] ?? 0;
    const l = counts.learnOps?.[k] ?? 0;
    const a = counts.active[k] ?? 0;
    let i: number;
    if (counts.inactive !== undefined) i = counts.inactive[k] ?? 0;
    else if (counts.compartments !== undefined) {
      const serviced = COMPARTMENTS_PER_UPDATE * Math.ceil((counts.compartments[k] ?? 0) / COMPARTMENTS_PER_UPDATE);
      i = Math.max(serviced - a, 0);
    } else throw new RangeError("stepCost needs either counts.inactive or counts.compartments");
    coreNs[k] = f.synOpNs * s + f.learnOpNs * l + f.cxActiveNs * a + f.cxInactiveNs * i;
    corePj[k] = f.synOpPj * s + f.learnOpPj * l + f.cxActivePj * a + f.cxInactivePj * i;
  }
  for (const m of counts.messages) {
    if (m.fromCore < 0 || m.count === 0) continue;
    const chipHops = m.chipHops ?? 0;
    coreNs[m.fromCore] += m.count * (f.spikeTileNs + f.hopEwNs * m.hx + f.hopNsNs * m.hy + f.chipHopNs * chipHops);
    corePj[m.fromCore] += m.count * (f.spikeTilePj + f.hopEwPj * m.hx + f.hopNsPj * m.hy + f.chipHopPj * chipHops);
  }

  let tilesInUse = opts.tilesInUse;
  let chipsInUse = opts.chipsInUse;
  if (tilesInUse === undefined || chipsInUse === undefined) {
    // Cores in use: those holding compartments if known, else those with any work this step.
    const tilesPerChip = new Map<number, Set<number>>();
    for (let k = 0; k < cores; k++) {
      const used = counts.compartments !== undefined ? (counts.compartments[k] ?? 0) > 0 : coreNs[k] > 0;
      if (!used) continue;
      const p = place(k);
      let tiles = tilesPerChip.get(p.chip);
      if (tiles === undefined) tilesPerChip.set(p.chip, (tiles = new Set()));
      tiles.add(p.tile);
    }
    tilesInUse ??= Math.max(1, ...[...tilesPerChip.values()].map((t) => t.size));
    chipsInUse ??= Math.max(1, tilesPerChip.size);
  }

  let maxCoreNs = 0;
  let busiestCore = 0;
  let energyPj = 0;
  for (let k = 0; k < cores; k++) {
    if (coreNs[k] > maxCoreNs) {
      maxCoreNs = coreNs[k];
      busiestCore = k;
    }
    energyPj += corePj[k];
  }
  const barrier = barrierNs(tilesInUse, f) + (chipsInUse > 1 ? f.chipBarrierNs : 0);
  return { coreNs, corePj, maxCoreNs, busiestCore, barrierNs: barrier, stepNs: maxCoreNs + barrier, energyPj, tilesInUse, chipsInUse };
}

/**
 * The emulator's last-step activity as §7.3 counts: one message batch per block route, with hops
 * from the placement of its sending and receiving cores. Allocates; call it per step only when
 * costing every step is wanted.
 */
export function emulatorStepCounts(activity: Readonly<ActivityCounts>, placement: (core: number) => CorePlacement = placeCore): CoreStepCounts {
  const messages: MessageBatch[] = [];
  for (let r = 0; r < activity.routeMessages.length; r++) {
    const count = activity.routeMessages[r];
    const from = activity.routeFromCore[r];
    if (count === 0 || from < 0) continue;
    const h = hopsBetween(placement(from), placement(activity.routeToCore[r]));
    messages.push({ fromCore: from, count, hx: h.hx, hy: h.hy, chipHops: h.chipHops });
  }
  return { synOps: activity.synOps, active: activity.active, compartments: activity.compartments, messages, ...(activity.learnOps === undefined ? {} : { learnOps: activity.learnOps }) };
}

/**
 * stepCost(emulatorStepCounts(activity, placement), opts) for every step of one emulator, with
 * everything that does not change between steps (figures, per-route message prices, serviced
 * compartments, barrier) worked out once and no allocation per step. The arithmetic is the same
 * expressions in the same order, so the results are bit-identical to stepCost's.
 */
export class EmulatorStepCoster {
  /** T_k of the last priced step, ns, per core (rewritten in place). */
  readonly coreNs: Float64Array;
  /** Energy of the last priced step, pJ, per core (rewritten in place). */
  readonly corePj: Float64Array;
  /** The last priced step: max_k T_k + barrier, and total energy. */
  stepNs = 0;
  energyPj = 0;
  readonly barrierNs: number;
  private readonly f: CostFigures;
  private readonly serviced: Float64Array;
  private readonly routeFrom: Int32Array;
  private readonly routeNs: Float64Array;
  private readonly routePj: Float64Array;

  constructor(activity: Readonly<ActivityCounts>, opts: StepCostOptions = {}) {
    const f: CostFigures = { ...LOIHI1_FIGURES, ...opts.figures };
    this.f = f;
    const place = opts.placement ?? placeCore;
    const routes = activity.routeMessages.length;
    // emulatorStepCounts: one batch per route with messages and a sending core.
    this.routeFrom = Int32Array.from(activity.routeFromCore);
    this.routeNs = new Float64Array(routes);
    this.routePj = new Float64Array(routes);
    let cores = Math.max(activity.synOps.length, activity.active.length);
    for (let r = 0; r < routes; r++) {
      const from = this.routeFrom[r];
      if (from < 0) continue;
      cores = Math.max(cores, from + 1);
      const h = hopsBetween(place(from), place(activity.routeToCore[r]));
      this.routeNs[r] = f.spikeTileNs + f.hopEwNs * h.hx + f.hopNsNs * h.hy + f.chipHopNs * h.chipHops;
      this.routePj[r] = f.spikeTilePj + f.hopEwPj * h.hx + f.hopNsPj * h.hy + f.chipHopPj * h.chipHops;
    }
    this.coreNs = new Float64Array(cores);
    this.corePj = new Float64Array(cores);
    this.serviced = new Float64Array(cores);
    for (let k = 0; k < cores; k++) {
      this.serviced[k] = COMPARTMENTS_PER_UPDATE * Math.ceil((activity.compartments[k] ?? 0) / COMPARTMENTS_PER_UPDATE);
    }
    // Tiles and chips in use depend only on which cores hold compartments: price an idle step.
    const idle = stepCost({ synOps: new Int32Array(cores), active: new Int32Array(cores), compartments: activity.compartments, messages: [] }, { ...opts, placement: place });
    this.barrierNs = idle.barrierNs;
  }

  /** Prices the emulator's last step (its `activity`, which must be the one given at construction). */
  price(activity: Readonly<ActivityCounts>): void {
    const f = this.f;
    const coreNs = this.coreNs;
    const corePj = this.corePj;
    const synOps = activity.synOps;
    const active = activity.active;
    const learnOps = activity.learnOps;
    for (let k = 0; k < coreNs.length; k++) {
      const s = k < synOps.length ? synOps[k] : 0;
      const a = k < active.length ? active[k] : 0;
      const l = learnOps !== undefined && k < learnOps.length ? learnOps[k] : 0;
      const i = Math.max(this.serviced[k] - a, 0);
      coreNs[k] = f.synOpNs * s + f.learnOpNs * l + f.cxActiveNs * a + f.cxInactiveNs * i;
      corePj[k] = f.synOpPj * s + f.learnOpPj * l + f.cxActivePj * a + f.cxInactivePj * i;
    }
    const messages = activity.routeMessages;
    for (let r = 0; r < messages.length; r++) {
      const count = messages[r];
      const from = this.routeFrom[r];
      if (count === 0 || from < 0) continue;
      coreNs[from] += count * this.routeNs[r];
      corePj[from] += count * this.routePj[r];
    }
    let maxCoreNs = 0;
    let energyPj = 0;
    for (let k = 0; k < coreNs.length; k++) {
      if (coreNs[k] > maxCoreNs) maxCoreNs = coreNs[k];
      energyPj += corePj[k];
    }
    this.stepNs = maxCoreNs + this.barrierNs;
    this.energyPj = energyPj;
  }
}
