/**
 * Where a run's modelled time and energy go (hardware-model.md §7.3), per core and cause:
 * synaptic operations, compartment updates (active and inactive), spike messages with their mesh
 * hops, and learning; plus the barrier, which no core owns, and the traffic between cores.
 *
 * Fed the emulator's activity after every step; sums counts only (no allocation per step), and
 * prices the sums once at the end with the same figures as EmulatorStepCoster, so the causes of
 * a core add up to the energy the run reports for it.
 */
import type { ActivityCounts } from "./engine-types.js";
import { barrierNs as barrierFor, COMPARTMENTS_PER_UPDATE, hopsBetween, LOIHI1_FIGURES, placeCore, type CostFigures, type CorePlacement } from "./cost.js";

export interface CauseFigures {
  readonly synaptic: number;
  readonly compartments: number;
  readonly messages: number;
  readonly learning: number;
}

export interface CoreBreakdown {
  readonly core: number;
  /** Mean per step over the run: ns of the core's own time T_k, and pJ. */
  readonly ns: CauseFigures;
  readonly pj: CauseFigures;
}

export interface Traffic {
  /** Sending core (−1: the host's input encoders) and receiving core. */
  readonly from: number;
  readonly to: number;
  readonly messagesPerStep: number;
  readonly hopsEw: number;
  readonly hopsNs: number;
  readonly chipHops: number;
}

export interface CostBreakdownResult {
  readonly steps: number;
  readonly perCore: readonly CoreBreakdown[];
  /** The barrier of every step (tiles in use), ns; part of the step time, owned by no core. */
  readonly barrierNs: number;
  readonly traffic: readonly Traffic[];
  readonly placement: readonly ({ readonly core: number } & CorePlacement)[];
}

export class CostBreakdown {
  private readonly synOps: Float64Array;
  private readonly active: Float64Array;
  private readonly inactive: Float64Array;
  private readonly learnOps: Float64Array;
  private readonly routeMessages: Float64Array;
  private readonly serviced: Float64Array;
  private steps = 0;
  private readonly f: CostFigures;

  constructor(
    activity: Readonly<ActivityCounts>,
    private readonly cores: readonly number[],
    private readonly place: (core: number) => CorePlacement = placeCore,
    figures: Partial<CostFigures> = {},
  ) {
    this.f = { ...LOIHI1_FIGURES, ...figures };
    const n = Math.max(activity.synOps.length, activity.active.length, ...cores.map((c) => c + 1));
    this.synOps = new Float64Array(n);
    this.active = new Float64Array(n);
    this.inactive = new Float64Array(n);
    this.learnOps = new Float64Array(n);
    this.serviced = new Float64Array(n);
    for (let k = 0; k < n; k++) this.serviced[k] = COMPARTMENTS_PER_UPDATE * Math.ceil((activity.compartments[k] ?? 0) / COMPARTMENTS_PER_UPDATE);
    this.routeMessages = new Float64Array(activity.routeMessages.length);
  }

  /** Adds the emulator's last step. */
  add(activity: Readonly<ActivityCounts>): void {
    const { synOps, active, learnOps } = activity;
    for (let k = 0; k < this.synOps.length; k++) {
      const a = k < active.length ? active[k] : 0;
      this.synOps[k] += k < synOps.length ? synOps[k] : 0;
      this.active[k] += a;
      this.inactive[k] += Math.max(this.serviced[k] - a, 0);
      if (learnOps !== undefined && k < learnOps.length) this.learnOps[k] += learnOps[k];
    }
    const m = activity.routeMessages;
    for (let r = 0; r < m.length; r++) this.routeMessages[r] += m[r];
    this.steps++;
  }

  result(activity: Readonly<ActivityCounts>): CostBreakdownResult {
    const f = this.f, steps = Math.max(this.steps, 1);
    const msgNs = new Float64Array(this.synOps.length), msgPj = new Float64Array(this.synOps.length);
    const traffic = new Map<string, Traffic>();
    for (let r = 0; r < this.routeMessages.length; r++) {
      const count = this.routeMessages[r];
      const from = activity.routeFromCore[r], to = activity.routeToCore[r];
      if (count === 0) continue;
      const h = from < 0 ? { hx: 0, hy: 0, chipHops: 0 } : hopsBetween(this.place(from), this.place(to));
      if (from >= 0) {
        msgNs[from] += count * (f.spikeTileNs + f.hopEwNs * h.hx + f.hopNsNs * h.hy + f.chipHopNs * h.chipHops);
        msgPj[from] += count * (f.spikeTilePj + f.hopEwPj * h.hx + f.hopNsPj * h.hy + f.chipHopPj * h.chipHops);
      }
      const key = `${from}>${to}`;
      const prev = traffic.get(key);
      traffic.set(key, { from, to, messagesPerStep: (prev?.messagesPerStep ?? 0) + count / steps, hopsEw: h.hx, hopsNs: h.hy, chipHops: h.chipHops });
    }
    const perCore = this.cores.map((k) => ({
      core: k,
      ns: { synaptic: (f.synOpNs * this.synOps[k]) / steps, compartments: (f.cxActiveNs * this.active[k] + f.cxInactiveNs * this.inactive[k]) / steps, messages: msgNs[k] / steps, learning: (f.learnOpNs * this.learnOps[k]) / steps },
      pj: { synaptic: (f.synOpPj * this.synOps[k]) / steps, compartments: (f.cxActivePj * this.active[k] + f.cxInactivePj * this.inactive[k]) / steps, messages: msgPj[k] / steps, learning: (f.learnOpPj * this.learnOps[k]) / steps },
    }));
    const tiles = new Map<number, Set<number>>();
    for (const k of this.cores) {
      if ((activity.compartments[k] ?? 0) === 0) continue;
      const p = this.place(k);
      if (!tiles.has(p.chip)) tiles.set(p.chip, new Set());
      tiles.get(p.chip)!.add(p.tile);
    }
    const tilesInUse = Math.max(1, ...[...tiles.values()].map((t) => t.size));
    const barrierNs = barrierFor(tilesInUse, f) + (tiles.size > 1 ? f.chipBarrierNs : 0);
    const sorted = [...traffic.values()].sort((a, b) => a.from - b.from || a.to - b.to);
    return { steps: this.steps, perCore, barrierNs, traffic: sorted, placement: this.cores.map((core) => ({ core, ...this.place(core) })) };
  }
}
