/**
 * Runs a cell program over a range of sequences on N worker threads (node:worker_threads), or in
 * this thread when N = 1. Sequences go out in chunks to whichever worker is free and their
 * logits are stored by sequence index, so the result is the same, bit for bit, for any N.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { CellState, runCellSequence, type CellProgram } from "../sim/cell.js";
import type { ChunkReply, ChunkRequest } from "./worker.js";

export interface RangeRun {
  readonly first: number;
  readonly count: number;
  readonly steps: number;
  /** The whole dataset, [sequences, steps, inputSize]. */
  readonly x: Float64Array;
}

/** The compiled worker beside this module; under ts-jest (sources are .ts) the one npm ci built in dist/. */
function workerScript(): URL {
  const here = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = join(process.cwd(), "dist", "src", "evaluate", "worker.js");
  if (existsSync(built)) return pathToFileURL(built);
  throw new Error(`the evaluate worker script is missing (${fileURLToPath(here)}); run npm run build`);
}

function runInThread(p: CellProgram, r: RangeRun, logits: Float64Array, onProgress: (done: number) => void): void {
  const state = new CellState(p);
  const stride = r.steps * p.inputSize;
  // Progress in small batches: a callback per sequence would dominate tiny models.
  const batch = Math.max(1, Math.min(64, Math.ceil(r.count / 100)));
  for (let i = 0; i < r.count; i++) {
    runCellSequence(p, state, r.x, (r.first + i) * stride, r.steps, logits, i * p.outputs);
    if ((i + 1) % batch === 0 || i + 1 === r.count) onProgress(i + 1);
  }
}

/**
 * Logits [count, outputs] of sequences first .. first + count − 1, on `workers` threads: this
 * one (already warmed up, and otherwise idle) plus workers − 1 worker threads.
 */
export async function runRange(p: CellProgram, r: RangeRun, workers: number, onProgress: (done: number) => void = () => {}): Promise<Float64Array> {
  const logits = new Float64Array(r.count * p.outputs);
  const n = Math.max(1, Math.min(workers, r.count));
  if (n === 1) {
    runInThread(p, r, logits, onProgress);
    return logits;
  }
  const stride = r.steps * p.inputSize;
  // Small chunks keep this thread, which also answers the workers, responsive; two chunks in
  // flight per worker keep a worker busy while its next request waits for this thread.
  const chunk = Math.max(1, Math.min(64, Math.ceil(r.count / (n * 16))));
  let next = 0;
  let done = 0;
  const take = (): { first: number; count: number } | undefined => {
    if (next >= r.count) return undefined;
    const c = { first: next, count: Math.min(chunk, r.count - next) };
    next += c.count;
    return c;
  };
  const finished = (count: number): void => {
    done += count;
    onProgress(done);
  };
  const script = workerScript();
  const pool = Array.from({ length: n - 1 }, () => new Worker(script, { workerData: p }));
  const state = new CellState(p);
  const own = async (): Promise<void> => {
    for (let c = take(); c; c = take()) {
      for (let i = 0; i < c.count; i++) runCellSequence(p, state, r.x, (r.first + c.first + i) * stride, r.steps, logits, (c.first + i) * p.outputs);
      finished(c.count);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const remote = (w: Worker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      const send = (): void => {
        const c = take();
        if (!c) {
          if (inFlight === 0) resolve();
          return;
        }
        inFlight++;
        const x = r.x.slice((r.first + c.first) * stride, (r.first + c.first + c.count) * stride);
        const req: ChunkRequest = { first: c.first, count: c.count, steps: r.steps, x };
        w.postMessage(req, [x.buffer]);
      };
      w.on("message", (reply: ChunkReply) => {
        inFlight--;
        logits.set(reply.logits, reply.first * p.outputs);
        finished(reply.count);
        send();
      });
      w.on("error", reject);
      w.on("exit", (code) => {
        if (inFlight > 0) reject(new Error(`an evaluate worker stopped early (exit code ${code})`));
      });
      send();
      send();
    });
  try {
    await Promise.all([...pool.map(remote), own()]);
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return logits;
}
