/**
 * The loop every evaluate thread runs: claim the next chunk of sequences from a shared counter,
 * run it, write its logits at the sequences' own rows. Shared memory rather than a message per
 * chunk: with messages, both threads ran ~25 % slower than alone (measured: 1.48× on 2 cores
 * against 1.9× for two separate processes), and the claim order never changes a result.
 */
import { CellState, runCellSequence, type CellProgram } from "../sim/cell.js";

export interface SharedRun {
  readonly program: CellProgram;
  /** [count, steps, inputSize] of the sequences to run (only this range). */
  readonly x: Float64Array;
  readonly count: number;
  readonly steps: number;
  readonly chunk: number;
  /** [count, outputs], on a SharedArrayBuffer when threads share it. */
  readonly logits: Float64Array;
  /** Int32Array(2) on a SharedArrayBuffer: [next unclaimed sequence, sequences finished]. */
  readonly counters: Int32Array;
}

/** Runs chunks until none is left; returns how many sequences this thread ran. */
export function runClaimedChunks(r: SharedRun, onChunk: (finishedOverall: number) => void): number {
  const p = r.program;
  const state = new CellState(p);
  const stride = r.steps * p.inputSize;
  let mine = 0;
  for (;;) {
    const first = Atomics.add(r.counters, 0, r.chunk);
    if (first >= r.count) return mine;
    const last = Math.min(first + r.chunk, r.count);
    for (let i = first; i < last; i++) runCellSequence(p, state, r.x, i * stride, r.steps, r.logits, i * p.outputs);
    mine += last - first;
    onChunk(Atomics.add(r.counters, 1, last - first) + last - first);
  }
}
